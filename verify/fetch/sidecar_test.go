package fetch

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSidecarURLs(t *testing.T) {
	got, err := sidecarURLs("https://example.org/rel/v1/foo-1.2.tar.xz?x=1#frag")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"https://example.org/rel/v1/foo-1.2.tar.xz.asc?x=1",
		"https://example.org/rel/v1/foo-1.2.tar.xz.sig?x=1",
		"https://example.org/rel/v1/foo-1.2.tar.xz.sign?x=1",
		"https://example.org/rel/v1/foo-1.2.tar.xz.sigstore.json?x=1",
		"https://example.org/rel/v1/foo-1.2.tar.xz.sigstore?x=1",
		"https://example.org/rel/v1/foo-1.2.tar.xz.sha256?x=1",
		"https://example.org/rel/v1/foo-1.2.tar.xz.sha256sum?x=1",
		"https://example.org/rel/v1/SHA256SUMS?x=1",
		"https://example.org/rel/v1/sha256sums.txt?x=1",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Escaped characters survive.
	got, _ = sidecarURLs("https://example.org/a%20b/foo%2B1.tar.gz")
	if got[0] != "https://example.org/a%20b/foo+1.tar.gz.asc" || got[7] != "https://example.org/a%20b/SHA256SUMS" {
		t.Errorf("escaped: %v", got)
	}
	for _, bad := range []string{"https://example.org/", "https://example.org", "ftp://x/y.tar"} {
		if _, err := sidecarURLs(bad); !errors.Is(err, ErrBadURL) {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

func TestDiscover(t *testing.T) {
	for _, useTLS := range []bool{false, true} {
		name := "plain"
		if useTLS {
			name = "tls"
		}
		t.Run(name, func(t *testing.T) {
			ts := newTestServer(t, useTLS)
			ts.file("/rel/foo-1.2.tar.xz", payload(1000))
			ts.file("/rel/foo-1.2.tar.xz.asc", []byte("-----BEGIN PGP SIGNATURE-----\n"))
			ts.file("/rel/foo-1.2.tar.xz.sigstore.json", []byte(`{"mediaType":"x"}`))
			ts.file("/rel/SHA256SUMS", []byte("abc  foo-1.2.tar.xz\n"))
			opts := fastOptions(t, ts.client)
			f := mustNew(t, opts)
			tarball := ts.URL + "/rel/foo-1.2.tar.xz"

			s, err := f.Discover(context.Background(), tarball)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Signatures) != 1 || s.Signatures[0].URL != tarball+".asc" ||
				len(s.Bundles) != 1 || s.Bundles[0].URL != tarball+".sigstore.json" ||
				len(s.Checksums) != 1 || s.Checksums[0].URL != ts.URL+"/rel/SHA256SUMS" {
				t.Errorf("found %+v", s)
			}
			if len(s.NotPublished) != 6 || len(s.NotChecked) != 0 {
				t.Errorf("not published: %v, not checked %v", s.NotPublished, s.NotChecked)
			}
			if b, _ := os.ReadFile(s.Checksums[0].Path); string(b) != "abc  foo-1.2.tar.xz\n" {
				t.Errorf("checksum content %q", b)
			}

			// Warm cache: no request at all, same answer; offline too.
			before := totalHits(ts)
			again, err := mustNew(t, opts).Discover(context.Background(), tarball)
			if err != nil || totalHits(ts) != before || !sameSidecars(s, again) {
				t.Errorf("warm: err %v, %d new requests, %+v", err, totalHits(ts)-before, again)
			}
			opts.Offline = true
			off, err := mustNew(t, opts).Discover(context.Background(), tarball)
			if err != nil || !sameSidecars(s, off) {
				t.Errorf("offline: err %v, %+v", err, off)
			}
		})
	}
}

func totalHits(ts *testServer) int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	n := 0
	for _, c := range ts.hits {
		n += c
	}
	return n
}

func sameSidecars(a, b *Sidecars) bool {
	urls := func(fs []*File) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.URL+"@"+f.SHA256)
		}
		return out
	}
	return slices.Equal(urls(a.Signatures), urls(b.Signatures)) &&
		slices.Equal(urls(a.Bundles), urls(b.Bundles)) &&
		slices.Equal(urls(a.Checksums), urls(b.Checksums)) &&
		slices.Equal(a.NotPublished, b.NotPublished)
}

func TestDiscoverErrors(t *testing.T) {
	ts := newTestServer(t, false)
	ts.file("/foo.tar.gz.sig", []byte("sig"))
	ts.handle("/foo.tar.gz.asc", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "forbidden", http.StatusForbidden)
	})
	ts.handle("/SHA256SUMS", func(w http.ResponseWriter, r *http.Request) {
		w.Write(make([]byte, MaxSidecarSize+1))
	})
	opts := fastOptions(t, ts.client)
	s, err := mustNew(t, opts).Discover(context.Background(), ts.URL+"/foo.tar.gz")
	if !errors.Is(err, ErrHTTP) || !errors.Is(err, ErrTooLarge) {
		t.Errorf("err = %v", err)
	}
	if s == nil || len(s.Signatures) != 1 || len(s.NotPublished) != 6 {
		t.Errorf("partial result %+v", s)
	}
	if !strings.Contains(err.Error(), "/foo.tar.gz.asc") {
		t.Errorf("error does not name the sidecar: %v", err)
	}
}

func TestDiscoverOfflineEmptyCache(t *testing.T) {
	opts := fastOptions(t, nil)
	opts.Offline = true
	s, err := mustNew(t, opts).Discover(context.Background(), "https://example.invalid/foo.tar.gz")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.NotChecked) != len(candidates) || len(s.NotPublished) != 0 {
		t.Errorf("%+v", s)
	}
}

func TestDiscoverCancelled(t *testing.T) {
	ts := newTestServer(t, false)
	ts.handle("/foo.tar.gz.asc", func(w http.ResponseWriter, r *http.Request) { stall(r) })
	opts := fastOptions(t, ts.client)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := mustNew(t, opts).Discover(ctx, ts.URL+"/foo.tar.gz")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
	assertCacheEmpty(t, opts.CacheDir)
}

func TestDiscoverLocal(t *testing.T) {
	dir := t.TempDir()
	tarball := filepath.Join(dir, "foo-1.2.tar.gz")
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("foo-1.2.tar.gz", "tarball")
	write("foo-1.2.tar.gz.sign", "signature")
	write("foo-1.2.tar.gz.sigstore", "bundle")
	write("sha256sums.txt", "sums")
	if err := os.Mkdir(tarball+".sha256", 0o755); err != nil {
		t.Fatal(err)
	}

	s, err := DiscoverLocal(tarball)
	if err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("directory sidecar: err = %v", err)
	}
	if len(s.Signatures) != 1 || s.Signatures[0].Path != tarball+".sign" || s.Signatures[0].SHA256 != sha256Hex([]byte("signature")) {
		t.Errorf("signatures %+v", s.Signatures)
	}
	if len(s.Bundles) != 1 || len(s.Checksums) != 1 || s.Checksums[0].Path != filepath.Join(dir, "sha256sums.txt") {
		t.Errorf("bundles %+v checksums %+v", s.Bundles, s.Checksums)
	}
	if len(s.NotPublished) != 5 {
		t.Errorf("not published %v", s.NotPublished)
	}

	if err := os.Remove(tarball + ".sha256"); err != nil {
		t.Fatal(err)
	}
	big, err := os.Create(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	big.Truncate(MaxSidecarSize + 1)
	big.Close()
	if _, err := DiscoverLocal(tarball); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized sidecar: %v", err)
	}
	// A relative path in the current directory works.
	t.Chdir(dir)
	s, err = DiscoverLocal("foo-1.2.tar.gz")
	if len(s.Signatures) != 1 || len(s.Checksums) != 1 || !errors.Is(err, ErrTooLarge) {
		t.Errorf("relative: %+v %v", s, err)
	}
	if _, err := DiscoverLocal(dir + "/"); err == nil {
		t.Errorf("directory as tarball accepted")
	}
}
