package toolchain

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/ulikunitz/xz"

	"github.com/tarcheck/tarcheck/sandbox"
	"github.com/tarcheck/tarcheck/verify/fetch"
)

// requireTool skips the test when name is not on PATH, unless
// TARCHECK_REQUIRE_TOOLS=1, when it fails instead.
func requireTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err == nil {
		return
	}
	if os.Getenv("TARCHECK_REQUIRE_TOOLS") == "1" {
		t.Fatalf("%s is required (TARCHECK_REQUIRE_TOOLS=1) but not installed", name)
	}
	t.Skipf("%s not installed", name)
}

// namespacesRunner is the namespaces sandbox, which lays toolchains over
// /usr; required when running as root with TARCHECK_REQUIRE_TOOLS=1.
func namespacesRunner(t *testing.T) sandbox.Runner {
	t.Helper()
	requireTool(t, "setpriv")
	r, err := sandbox.New(sandbox.BackendNamespaces)
	if err != nil {
		if os.Getenv("TARCHECK_REQUIRE_TOOLS") == "1" && os.Geteuid() == 0 {
			t.Fatal(err)
		}
		t.Skipf("namespaces sandbox unavailable: %v", err)
	}
	return r
}

// debFile is one file of a test package: content and mode; a target makes
// it a symlink.
type debFile struct {
	body   string
	mode   os.FileMode
	target string
}

// buildDeb makes a real .deb with dpkg-deb -b from files (paths below the
// install root, e.g. "usr/bin/autoconf2.99").
func buildDeb(t *testing.T, name, version string, files map[string]debFile) []byte {
	t.Helper()
	requireTool(t, "dpkg-deb")
	root := filepath.Join(t.TempDir(), "pkg")
	control := fmt.Sprintf("Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: Test <t@example.invalid>\nDescription: test package\n", name, version)
	files["DEBIAN/control"] = debFile{body: control, mode: 0o644}
	for p, f := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if f.target != "" {
			if err := os.Symlink(f.target, full); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(full, []byte(f.body), f.mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(full, f.mode); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "out.deb")
	cmd := exec.Command("dpkg-deb", "--root-owner-group", "-Zxz", "--build", root, out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb: %v\n%s", err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// arArchive writes an ar archive of the given members (name, content).
func arArchive(members ...[2]string) []byte {
	var b bytes.Buffer
	b.WriteString("!<arch>\n")
	for _, m := range members {
		fmt.Fprintf(&b, "%-16s%-12d%-6d%-6d%-8s%-10d`\n", m[0], 0, 0, 0, "100644", len(m[1]))
		b.WriteString(m[1])
		if len(m[1])%2 == 1 {
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

// tarEntry is one member of a hand-made data.tar.
type tarEntry struct {
	name, body, link string
	typ              byte
	mode             int64
}

// craftDeb makes a .deb whose data.tar.gz holds exactly entries, including
// ones dpkg-deb would never write (absolute names, "..", escaping links).
func craftDeb(t *testing.T, entries []tarEntry) []byte {
	t.Helper()
	var tb bytes.Buffer
	gz := gzip.NewWriter(&tb)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Mode: e.mode, Linkname: e.link, Size: int64(len(e.body)), ModTime: time.Unix(0, 0), Format: tar.FormatGNU}
		if e.typ != tar.TypeReg {
			h.Size = 0
		}
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if e.typ == tar.TypeReg {
			tw.Write([]byte(e.body))
		}
	}
	tw.Close()
	gz.Close()
	var cb bytes.Buffer
	cgz := gzip.NewWriter(&cb)
	ctw := tar.NewWriter(cgz)
	ctw.Close()
	cgz.Close()
	return arArchive([2]string{"debian-binary", "2.0\n"}, [2]string{"control.tar.gz", cb.String()}, [2]string{"data.tar.gz", tb.String()})
}

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func xzBytes(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := xz.NewWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func newKey(t *testing.T, name string) *openpgp.Entity {
	t.Helper()
	k, err := openpgp.NewEntity(name, "", strings.ToLower(name)+"@example.invalid", &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func clearsignBytes(t *testing.T, key *openpgp.Entity, body string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := clearsign.Encode(&buf, key.PrivateKey, &packet.Config{DefaultHash: crypto.SHA256})
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(body))
	w.Close()
	return buf.Bytes()
}

// mirror is a fake Debian mirror on 127.0.0.1: a signed InRelease per
// suite, a Packages.xz (by hash too) and the pool files.
type mirror struct {
	srv   *httptest.Server
	mu    sync.Mutex
	files map[string][]byte
	hits  map[string]int
}

func newMirror(t *testing.T) *mirror {
	m := &mirror{files: map[string][]byte{}, hits: map[string]int{}}
	m.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		m.hits[r.URL.Path]++
		data, ok := m.files[r.URL.Path]
		m.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(data)
	}))
	t.Cleanup(m.srv.Close)
	return m
}

func (m *mirror) put(p string, data []byte) {
	m.mu.Lock()
	m.files["/debian/"+p] = data
	m.mu.Unlock()
}

func (m *mirror) url() string { return m.srv.URL + "/debian" }

func (m *mirror) totalHits() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, v := range m.hits {
		n += v
	}
	return n
}

// publish serves debs (by package name) in suite with an index signed by
// key, and returns the Package records as the index lists them.
func (m *mirror) publish(t *testing.T, key *openpgp.Entity, suite string, debs map[string][]byte, versions map[string]string) []Package {
	t.Helper()
	var idx strings.Builder
	var pkgs []Package
	for name, deb := range debs {
		fn := fmt.Sprintf("pool/main/%c/%s/%s_%s_all.deb", name[0], name, name, versions[name])
		m.put(fn, deb)
		p := Package{Name: name, Version: versions[name], Arch: "all", Filename: fn, Size: int64(len(deb)), SHA256: sha256hex(deb), Suites: []string{suite}}
		pkgs = append(pkgs, p)
		fmt.Fprintf(&idx, "Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: T <t@example.invalid>\nFilename: %s\nSize: %d\nSHA256: %s\nDescription: test\n multi-line\n\n",
			p.Name, p.Version, p.Filename, p.Size, p.SHA256)
	}
	px := xzBytes(t, []byte(idx.String()))
	m.put("dists/"+suite+"/main/binary-amd64/Packages.xz", px)
	m.put("dists/"+suite+"/main/binary-amd64/by-hash/SHA256/"+sha256hex(px), px)
	rel := fmt.Sprintf("Origin: Debian\nSuite: %s\nCodename: %s\nDate: Sat, 11 Jul 2026 10:16:37 UTC\nAcquire-By-Hash: yes\nSHA256:\n %s %d main/binary-amd64/Packages.xz\n %s %d main/binary-amd64/Packages\n",
		suite, suite, sha256hex(px), len(px), strings.Repeat("0", 64), 1)
	m.put("dists/"+suite+"/InRelease", clearsignBytes(t, key, rel))
	return pkgs
}

// openCache opens a cache in dir fetching from m through a real
// fetch.Fetcher (its own download cache under t.TempDir()).
func openCache(t *testing.T, dir string, m *mirror, keys openpgp.EntityList) *Cache {
	t.Helper()
	f, err := fetch.New(fetch.Options{CacheDir: t.TempDir(), Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	c, err := Open(Options{Dir: dir, Getter: f, Mirror: m.url(), Keyring: keys, Arch: "amd64"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
