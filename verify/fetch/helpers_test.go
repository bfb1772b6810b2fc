package fetch

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// testCA is a certificate authority generated for one test, with a leaf
// certificate for 127.0.0.1.
type testCA struct {
	pool   *x509.CertPool
	server *tls.Config
}

func newTestCA(t testing.TB) *testCA {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "tarcheck test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, caCert, &leafKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	return &testCA{
		pool: pool,
		server: &tls.Config{Certificates: []tls.Certificate{{
			Certificate: [][]byte{leafDER, caDER},
			PrivateKey:  leafKey,
		}}},
	}
}

// testServer serves named routes on 127.0.0.1 and counts requests per path.
type testServer struct {
	*httptest.Server
	client *http.Client

	mu     sync.Mutex
	hits   map[string]int
	agents []string
	routes map[string]http.HandlerFunc
}

// newTestServer starts a plain (useTLS false) or TLS server whose certificate
// is issued by a CA generated for the test; client trusts only that CA.
func newTestServer(t testing.TB, useTLS bool) *testServer {
	t.Helper()
	ts := &testServer{hits: map[string]int{}, routes: map[string]http.HandlerFunc{}}
	ts.Server = httptest.NewUnstartedServer(http.HandlerFunc(ts.serve))
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // expected TLS failures
	if useTLS {
		ca := newTestCA(t)
		ts.TLS = ca.server
		ts.StartTLS()
		ts.client = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.pool}}}
	} else {
		ts.Start()
		ts.client = &http.Client{Transport: &http.Transport{}}
	}
	t.Cleanup(func() {
		ts.client.CloseIdleConnections()
		ts.Close()
	})
	return ts
}

func (ts *testServer) serve(w http.ResponseWriter, r *http.Request) {
	ts.mu.Lock()
	ts.hits[r.URL.Path]++
	ts.agents = append(ts.agents, r.UserAgent())
	h := ts.routes[r.URL.Path]
	ts.mu.Unlock()
	if h == nil {
		http.NotFound(w, r)
		return
	}
	h(w, r)
}

func (ts *testServer) handle(path string, h http.HandlerFunc) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.routes[path] = h
}

// file serves fixed content with Content-Length and an ETag.
func (ts *testServer) file(path string, content []byte) {
	sum := sha256.Sum256(content)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	ts.handle(path, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.Itoa(len(content)))
		w.Write(content)
	})
}

func (ts *testServer) resetCounts() {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.hits = map[string]int{}
	ts.agents = nil
}

func (ts *testServer) agent(i int) string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if i >= len(ts.agents) {
		return ""
	}
	return ts.agents[i]
}

func (ts *testServer) count(path string) int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.hits[path]
}

// fastOptions are options for tests: short timeouts and backoff.
func fastOptions(t testing.TB, client *http.Client) Options {
	return Options{
		CacheDir:       t.TempDir(),
		Client:         client,
		ConnectTimeout: 5 * time.Second,
		ReadTimeout:    5 * time.Second,
		Backoff:        time.Millisecond,
		Logf:           t.Logf,
	}
}

func mustNew(t testing.TB, opts Options) *Fetcher {
	t.Helper()
	f, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// cacheFiles lists the regular files under a cache subdirectory.
func cacheFiles(t testing.TB, dir, sub string) []string {
	t.Helper()
	var out []string
	root := filepath.Join(dir, filepath.FromSlash(sub))
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// assertCacheEmpty checks that a failed download left nothing behind.
func assertCacheEmpty(t testing.TB, dir string) {
	t.Helper()
	for _, sub := range []string{tmpDir, blobsDir, urlsDir} {
		if files := cacheFiles(t, dir, sub); len(files) != 0 {
			t.Errorf("%s not empty after failure: %v", sub, files)
		}
	}
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func payload(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}
