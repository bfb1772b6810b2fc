package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestGetSuccess(t *testing.T) {
	for _, useTLS := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls=%v", useTLS), func(t *testing.T) {
			ts := newTestServer(t, useTLS)
			content := payload(300_000)
			ts.file("/foo-1.2.tar.xz", content)
			opts := fastOptions(t, ts.client)
			opts.UserAgent = "tarcheck/9.9.9-test"
			var lastDone, lastTotal int64
			calls := 0
			opts.Progress = func(done, total int64) { lastDone, lastTotal = done, total; calls++ }
			f := mustNew(t, opts)

			file, err := f.Get(context.Background(), ts.URL+"/foo-1.2.tar.xz")
			if err != nil {
				t.Fatal(err)
			}
			if file.SHA256 != sha256Hex(content) || file.Size != int64(len(content)) || file.FromCache {
				t.Errorf("got %+v", file)
			}
			got, err := os.ReadFile(file.Path)
			if err != nil || !bytes.Equal(got, content) {
				t.Fatalf("cached content differs: %v", err)
			}
			if !strings.HasPrefix(file.Path, opts.CacheDir) || filepath.Base(file.Path) != file.SHA256 {
				t.Errorf("path %s is not the content address", file.Path)
			}
			if calls < 2 || lastDone != int64(len(content)) || lastTotal != int64(len(content)) {
				t.Errorf("progress: %d calls, last %d/%d", calls, lastDone, lastTotal)
			}
			if ts.agent(0) != "tarcheck/9.9.9-test" {
				t.Errorf("User-Agent %q", ts.agent(0))
			}
			if files := cacheFiles(t, opts.CacheDir, tmpDir); len(files) != 0 {
				t.Errorf("temporary files left: %v", files)
			}
			checkPerms(t, opts.CacheDir)
		})
	}
}

func checkPerms(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		info, _ := d.Info()
		want := os.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		if p != dir && info.Mode().Perm() != want {
			t.Errorf("%s has mode %v, want %v", p, info.Mode().Perm(), want)
		}
		return nil
	})
}

func TestDefaultUserAgent(t *testing.T) {
	ts := newTestServer(t, false)
	ts.file("/a", []byte("x"))
	f := mustNew(t, fastOptions(t, ts.client))
	if _, err := f.Get(context.Background(), ts.URL+"/a"); err != nil {
		t.Fatal(err)
	}
	if ts.agent(0) != DefaultUserAgent {
		t.Errorf("User-Agent %q", ts.agent(0))
	}
}

func TestCacheHitNoSecondRequest(t *testing.T) {
	ts := newTestServer(t, true)
	content := payload(10_000)
	ts.file("/foo.tar.gz", content)
	opts := fastOptions(t, ts.client)
	url := ts.URL + "/foo.tar.gz"

	first, err := mustNew(t, opts).Get(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	// A new Fetcher on the same cache dir: a fresh process.
	second, err := mustNew(t, opts).Get(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	if !second.FromCache || second.SHA256 != first.SHA256 || second.Path != first.Path {
		t.Errorf("second Get: %+v, first %+v", second, first)
	}
	if n := ts.count("/foo.tar.gz"); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
	// Fragments do not make a different cache key.
	if _, err := mustNew(t, opts).Get(context.Background(), url+"#frag"); err != nil || ts.count("/foo.tar.gz") != 1 {
		t.Errorf("fragment: err %v, requests %d", err, ts.count("/foo.tar.gz"))
	}
}

func TestRevalidate(t *testing.T) {
	ts := newTestServer(t, false)
	ts.file("/foo.tar.gz", []byte("release"))
	opts := fastOptions(t, ts.client)
	url := ts.URL + "/foo.tar.gz"
	if _, err := mustNew(t, opts).Get(context.Background(), url); err != nil {
		t.Fatal(err)
	}
	opts.Revalidate = true
	file, err := mustNew(t, opts).Get(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	if !file.FromCache || ts.count("/foo.tar.gz") != 2 {
		t.Errorf("revalidation: %+v, %d requests", file, ts.count("/foo.tar.gz"))
	}
	// Upstream replaced the file: revalidation downloads the new content.
	ts.file("/foo.tar.gz", []byte("replaced"))
	file, err = mustNew(t, opts).Get(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	if file.FromCache || file.SHA256 != sha256Hex([]byte("replaced")) {
		t.Errorf("after replacement: %+v", file)
	}
}

func TestDamagedCacheIsRedownloaded(t *testing.T) {
	ts := newTestServer(t, false)
	content := []byte("good content")
	ts.file("/f", content)
	opts := fastOptions(t, ts.client)
	url := ts.URL + "/f"
	file, err := mustNew(t, opts).Get(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file.Path, []byte("evil content"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Offline, a damaged entry is not used.
	off := opts
	off.Offline = true
	if _, err := mustNew(t, off).Get(context.Background(), url); !errors.Is(err, ErrOffline) {
		t.Errorf("offline with damaged cache: %v", err)
	}
	if err := os.WriteFile(file.Path, []byte("evil content"), 0o600); err != nil {
		t.Fatal(err)
	}
	again, err := mustNew(t, opts).Get(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(again.Path)
	if again.FromCache || !bytes.Equal(got, content) || ts.count("/f") != 2 {
		t.Errorf("damaged blob not replaced: %+v %q", again, got)
	}
}

func TestCorruptIndexIgnored(t *testing.T) {
	ts := newTestServer(t, false)
	ts.file("/f", []byte("x"))
	opts := fastOptions(t, ts.client)
	f := mustNew(t, opts)
	if _, err := f.Get(context.Background(), ts.URL+"/f"); err != nil {
		t.Fatal(err)
	}
	for _, p := range cacheFiles(t, opts.CacheDir, urlsDir) {
		os.WriteFile(p, []byte(`{"v":1,"url":"x","status":"ok","sha256":"../../etc/passwd"}`), 0o600)
	}
	file, err := f.Get(context.Background(), ts.URL+"/f")
	if err != nil || file.FromCache || ts.count("/f") != 2 {
		t.Errorf("corrupt index: %+v %v", file, err)
	}
}

func TestRetryOn5xx(t *testing.T) {
	ts := newTestServer(t, true)
	content := []byte("after a hiccup")
	n := 0
	ts.handle("/f", func(w http.ResponseWriter, r *http.Request) {
		n++
		if n == 1 {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		w.Write(content)
	})
	opts := fastOptions(t, ts.client)
	opts.Retries = 2
	file, err := mustNew(t, opts).Get(context.Background(), ts.URL+"/f")
	if err != nil {
		t.Fatal(err)
	}
	if file.SHA256 != sha256Hex(content) || ts.count("/f") != 2 {
		t.Errorf("got %+v after %d requests", file, ts.count("/f"))
	}
}

func TestRetriesBounded(t *testing.T) {
	ts := newTestServer(t, false)
	ts.handle("/f", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "0")
		http.Error(w, "down", http.StatusServiceUnavailable)
	})
	opts := fastOptions(t, ts.client)
	opts.Retries = 3
	_, err := mustNew(t, opts).Get(context.Background(), ts.URL+"/f")
	var he *HTTPError
	if !errors.As(err, &he) || he.StatusCode != 503 || !errors.Is(err, ErrHTTP) || errors.Is(err, ErrNetwork) {
		t.Fatalf("err = %v", err)
	}
	if got := ts.count("/f"); got != 4 {
		t.Errorf("%d requests, want 1 + 3 retries", got)
	}
	assertCacheEmpty(t, opts.CacheDir)

	opts.Retries = -1
	ts.resetCounts()
	mustNew(t, opts).Get(context.Background(), ts.URL+"/f")
	if got := ts.count("/f"); got != 1 {
		t.Errorf("Retries -1: %d requests", got)
	}
}

func TestNoRetryOn4xx(t *testing.T) {
	for _, code := range []int{400, 401, 403, 404, 410, 429} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			ts := newTestServer(t, false)
			ts.handle("/f", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", code) })
			opts := fastOptions(t, ts.client)
			opts.Retries = 3
			_, err := mustNew(t, opts).Get(context.Background(), ts.URL+"/f")
			var he *HTTPError
			if !errors.As(err, &he) || he.StatusCode != code {
				t.Fatalf("err = %v", err)
			}
			if notFound := code == 404 || code == 410; errors.Is(err, ErrNotFound) != notFound {
				t.Errorf("errors.Is(ErrNotFound) = %v", !notFound)
			}
			if got := ts.count("/f"); got != 1 {
				t.Errorf("%d requests, want 1", got)
			}
			assertCacheEmpty(t, opts.CacheDir)
		})
	}
}

func TestTruncatedBody(t *testing.T) {
	ts := newTestServer(t, true)
	ts.handle("/f", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100000")
		w.Write(payload(50_000))
		// Returning closes the connection short of Content-Length.
	})
	opts := fastOptions(t, ts.client)
	opts.Retries = 1
	_, err := mustNew(t, opts).Get(context.Background(), ts.URL+"/f")
	if !errors.Is(err, ErrNetwork) || errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v", err)
	}
	if got := ts.count("/f"); got != 2 {
		t.Errorf("%d requests, want 2 (network errors are retried)", got)
	}
	assertCacheEmpty(t, opts.CacheDir)
}

func TestOversize(t *testing.T) {
	ts := newTestServer(t, false)
	big := payload(10_000)
	ts.file("/announced", big)
	ts.handle("/chunked", func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < 10; i++ {
			w.Write(big[:1000])
			w.(http.Flusher).Flush() // no Content-Length: chunked encoding
		}
	})
	ts.file("/exact", big[:5000])
	opts := fastOptions(t, ts.client)
	opts.MaxSize = 5000
	f := mustNew(t, opts)
	for _, path := range []string{"/announced", "/chunked"} {
		_, err := f.Get(context.Background(), ts.URL+path)
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: err = %v", path, err)
		}
		if got := ts.count(path); got != 1 {
			t.Errorf("%s: %d requests, want 1", path, got)
		}
	}
	assertCacheEmpty(t, opts.CacheDir)
	if file, err := f.Get(context.Background(), ts.URL+"/exact"); err != nil || file.Size != 5000 {
		t.Errorf("file of exactly MaxSize: %+v %v", file, err)
	}
}

func TestRedirects(t *testing.T) {
	plain := newTestServer(t, false)
	plain.file("/foo.tar.gz", []byte("plain"))
	secure := newTestServer(t, true)
	secure.file("/foo.tar.gz", []byte("secure"))
	secure.handle("/downgrade", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+"/foo.tar.gz", http.StatusFound)
	})
	secure.handle("/same", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/foo.tar.gz", http.StatusMovedPermanently)
	})
	secure.handle("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	secure.handle("/file-scheme", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
	})
	opts := fastOptions(t, secure.client)
	f := mustNew(t, opts)

	_, err := f.Get(context.Background(), secure.URL+"/downgrade")
	if !errors.Is(err, ErrInsecureRedirect) || errors.Is(err, ErrNetwork) {
		t.Errorf("https->http: err = %v", err)
	}
	if plain.count("/foo.tar.gz") != 0 || secure.count("/downgrade") != 1 {
		t.Errorf("downgrade reached the plain server or was retried")
	}
	if _, err := f.Get(context.Background(), secure.URL+"/file-scheme"); !errors.Is(err, ErrInsecureRedirect) {
		t.Errorf("https->file: err = %v", err)
	}
	if _, err := f.Get(context.Background(), secure.URL+"/loop"); !errors.Is(err, ErrTooManyRedirects) {
		t.Errorf("loop: err = %v", err)
	}
	assertCacheEmpty(t, opts.CacheDir)
	file, err := f.Get(context.Background(), secure.URL+"/same")
	if err != nil || file.FinalURL != secure.URL+"/foo.tar.gz" || file.URL != secure.URL+"/same" {
		t.Errorf("https->https: %+v %v", file, err)
	}
}

// stall blocks until the client goes away, then aborts the response: a
// handler that returned normally would send a well-formed (empty) 200 if
// its context ended for another reason than the client's own timeout (a
// connection closed under it), and a download would succeed.
func stall(r *http.Request) {
	<-r.Context().Done()
	panic(http.ErrAbortHandler)
}

func TestStalledBody(t *testing.T) {
	ts := newTestServer(t, true)
	ts.handle("/f", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100000")
		w.Write(payload(1000))
		w.(http.Flusher).Flush()
		stall(r)
	})
	ts.handle("/noheaders", func(w http.ResponseWriter, r *http.Request) {
		stall(r)
	})
	opts := fastOptions(t, ts.client)
	opts.ReadTimeout = 200 * time.Millisecond
	opts.ConnectTimeout = 200 * time.Millisecond
	opts.Retries = 1
	f := mustNew(t, opts)
	for _, path := range []string{"/f", "/noheaders"} {
		start := time.Now()
		_, err := f.Get(context.Background(), ts.URL+path)
		if !errors.Is(err, ErrTimeout) || !errors.Is(err, ErrNetwork) || errors.Is(err, context.Canceled) {
			t.Errorf("%s: err = %v", path, err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("%s: took %v", path, d)
		}
		if got := ts.count(path); got != 2 {
			t.Errorf("%s: %d requests, want 2", path, got)
		}
	}
	assertCacheEmpty(t, opts.CacheDir)
}

func TestSlowButSteadyBodySucceeds(t *testing.T) {
	ts := newTestServer(t, false)
	content := payload(4000)
	ts.handle("/f", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(content)))
		for i := 0; i < len(content); i += 1000 {
			w.Write(content[i : i+1000])
			w.(http.Flusher).Flush()
			time.Sleep(100 * time.Millisecond)
		}
	})
	opts := fastOptions(t, ts.client)
	opts.ReadTimeout = 300 * time.Millisecond // total time > timeout, idle < timeout
	file, err := mustNew(t, opts).Get(context.Background(), ts.URL+"/f")
	if err != nil || file.SHA256 != sha256Hex(content) {
		t.Fatalf("%+v %v", file, err)
	}
}

func TestCancelMidBody(t *testing.T) {
	ts := newTestServer(t, true)
	ts.handle("/f", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000000")
		w.Write(payload(300_000))
		w.(http.Flusher).Flush()
		stall(r)
	})
	opts := fastOptions(t, ts.client)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts.Progress = func(done, total int64) {
		if done > 0 {
			cancel()
		}
	}
	_, err := mustNew(t, opts).Get(ctx, ts.URL+"/f")
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrNetwork) {
		t.Fatalf("err = %v", err)
	}
	if got := ts.count("/f"); got != 1 {
		t.Errorf("%d requests after cancel", got)
	}
	assertCacheEmpty(t, opts.CacheDir)
}

func TestCancelDuringBackoff(t *testing.T) {
	ts := newTestServer(t, false)
	ts.handle("/f", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "x", 500) })
	opts := fastOptions(t, ts.client)
	opts.Backoff = time.Hour
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := mustNew(t, opts).Get(ctx, ts.URL+"/f")
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Errorf("err = %v after %v", err, time.Since(start))
	}
}

func TestOffline(t *testing.T) {
	ts := newTestServer(t, false)
	ts.file("/cached", []byte("cached"))
	opts := fastOptions(t, ts.client)
	if _, err := mustNew(t, opts).Get(context.Background(), ts.URL+"/cached"); err != nil {
		t.Fatal(err)
	}
	opts.Offline = true
	f := mustNew(t, opts)
	file, err := f.Get(context.Background(), ts.URL+"/cached")
	if err != nil || !file.FromCache || file.SHA256 != sha256Hex([]byte("cached")) {
		t.Errorf("offline with cache: %+v %v", file, err)
	}
	if _, err := f.Get(context.Background(), ts.URL+"/uncached"); !errors.Is(err, ErrOffline) {
		t.Errorf("offline without cache: %v", err)
	}
	if _, err := f.GetOptional(context.Background(), ts.URL+"/uncached"); !errors.Is(err, ErrOffline) {
		t.Errorf("offline optional without cache: %v", err)
	}
	if ts.count("/cached") != 1 || ts.count("/uncached") != 0 {
		t.Errorf("offline fetcher contacted the server")
	}
	// Cache.Lookup agrees.
	c, _ := OpenCache(opts.CacheDir)
	if _, err := c.Lookup(ts.URL + "/cached"); err != nil {
		t.Errorf("Lookup: %v", err)
	}
	if _, err := c.Lookup(ts.URL + "/uncached"); !errors.Is(err, ErrNotCached) {
		t.Errorf("Lookup uncached: %v", err)
	}
}

func TestGetOptional(t *testing.T) {
	ts := newTestServer(t, false)
	ts.handle("/gone", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "gone", http.StatusGone) })
	ts.handle("/forbidden", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusForbidden) })
	opts := fastOptions(t, ts.client)
	f := mustNew(t, opts)
	for _, p := range []string{"/missing", "/gone"} {
		file, err := f.GetOptional(context.Background(), ts.URL+p)
		if file != nil || err != nil {
			t.Errorf("%s: %+v %v", p, file, err)
		}
	}
	if _, err := f.GetOptional(context.Background(), ts.URL+"/forbidden"); !errors.Is(err, ErrHTTP) {
		t.Errorf("403: %v", err)
	}
	// The "not published" answer is remembered, online and offline.
	if file, err := f.GetOptional(context.Background(), ts.URL+"/missing"); file != nil || err != nil || ts.count("/missing") != 1 {
		t.Errorf("second lookup: %+v %v, %d requests", file, err, ts.count("/missing"))
	}
	opts.Offline = true
	if file, err := mustNew(t, opts).GetOptional(context.Background(), ts.URL+"/missing"); file != nil || err != nil {
		t.Errorf("offline: %+v %v", file, err)
	}
	// Get ignores a "not published" entry and reports the 404.
	opts.Offline = false
	if _, err := mustNew(t, opts).Get(context.Background(), ts.URL+"/missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get: %v", err)
	}
	// An expired "not published" answer is asked again.
	opts.NegativeTTL = -1
	ts.file("/missing", []byte("published later"))
	file, err := mustNew(t, opts).GetOptional(context.Background(), ts.URL+"/missing")
	if err != nil || file == nil || file.SHA256 != sha256Hex([]byte("published later")) {
		t.Errorf("after publication: %+v %v", file, err)
	}
}

func TestUntrustedCertificate(t *testing.T) {
	ts := newTestServer(t, true)
	ts.file("/f", []byte("x"))
	opts := fastOptions(t, nil) // default client: system roots, not the test CA
	opts.Retries = 3
	_, err := mustNew(t, opts).Get(context.Background(), ts.URL+"/f")
	if !errors.Is(err, ErrNetwork) {
		t.Fatalf("err = %v", err)
	}
	if got := ts.count("/f"); got != 0 {
		t.Errorf("request reached the handler %d times", got)
	}
}

func TestConnectionRefused(t *testing.T) {
	ts := newTestServer(t, false)
	url := ts.URL + "/f"
	ts.Close()
	opts := fastOptions(t, nil)
	opts.Retries = 1
	_, err := mustNew(t, opts).Get(context.Background(), url)
	if !errors.Is(err, ErrNetwork) || errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v", err)
	}
}

func TestBadURL(t *testing.T) {
	f := mustNew(t, fastOptions(t, nil))
	for _, u := range []string{"", "foo.tar.gz", "/abs/foo.tar.gz", "file:///etc/passwd", "ftp://x/y", "http://", "https:///path", "http://[::1", "mailto:a@b"} {
		if _, err := f.Get(context.Background(), u); !errors.Is(err, ErrBadURL) {
			t.Errorf("Get(%q): %v", u, err)
		}
		if IsURL(u) {
			t.Errorf("IsURL(%q) = true", u)
		}
	}
	for _, u := range []string{"https://example.org/foo.tar.gz", "HTTP://127.0.0.1:8080/a?b=c", "http://[::1]:80/x"} {
		if !IsURL(u) {
			t.Errorf("IsURL(%q) = false", u)
		}
	}
}

func TestPasswordRedacted(t *testing.T) {
	ts := newTestServer(t, false)
	ts.file("/f", []byte("x"))
	opts := fastOptions(t, ts.client)
	url := strings.Replace(ts.URL, "http://", "http://user:s3cret@", 1) + "/f"
	file, err := mustNew(t, opts).Get(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(file.URL, "s3cret") {
		t.Errorf("URL not redacted: %s", file.URL)
	}
	for _, p := range cacheFiles(t, opts.CacheDir, urlsDir) {
		if b, _ := os.ReadFile(p); bytes.Contains(b, []byte("s3cret")) {
			t.Errorf("password stored in %s", p)
		}
	}
	if _, err := mustNew(t, opts).Get(context.Background(), url); err != nil || ts.count("/f") != 1 {
		t.Errorf("cache hit with credentials: %v, %d requests", err, ts.count("/f"))
	}
}

func TestStaleTempFilesSwept(t *testing.T) {
	dir := t.TempDir()
	c, err := OpenCache(dir)
	if err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(dir, tmpDir, "download-old")
	fresh := filepath.Join(dir, tmpDir, "download-fresh")
	os.WriteFile(old, []byte("partial"), 0o600)
	os.WriteFile(fresh, []byte("in progress"), 0o600)
	past := time.Now().Add(-2 * staleTempAge)
	os.Chtimes(old, past, past)
	if _, err := OpenCache(c.Dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale temp file kept: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("fresh temp file removed: %v", err)
	}
}

func TestUnwritableCache(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores permissions")
	}
	ts := newTestServer(t, false)
	ts.file("/f", []byte("x"))
	opts := fastOptions(t, ts.client)
	f := mustNew(t, opts)
	tmp := filepath.Join(opts.CacheDir, tmpDir)
	os.Chmod(tmp, 0o500)
	defer os.Chmod(tmp, 0o700)
	_, err := f.Get(context.Background(), ts.URL+"/f")
	if !errors.Is(err, ErrCache) || errors.Is(err, ErrNetwork) {
		t.Errorf("err = %v", err)
	}
	if _, err := New(Options{}); !errors.Is(err, ErrCache) {
		t.Errorf("empty CacheDir: %v", err)
	}
}

func TestDefaultCacheDir(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", "/tmp/xdg-test")
	t.Setenv("HOME", "/tmp/home-test")
	dir, err := DefaultCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(dir) != "tarcheck" {
		t.Errorf("DefaultCacheDir() = %s", dir)
	}
}

func TestContentEncodingKeptVerbatim(t *testing.T) {
	// A server that labels a .tar.gz as Content-Encoding: gzip must not make
	// tarcheck store (and check) the decompressed bytes.
	var raw bytes.Buffer
	zw := gzip.NewWriter(&raw)
	zw.Write([]byte("inner tar"))
	zw.Close()
	for _, client := range []string{"default", "injected"} {
		t.Run(client, func(t *testing.T) {
			ts := newTestServer(t, false)
			ts.handle("/foo.tar.gz", func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Accept-Encoding") != "identity" {
					t.Errorf("Accept-Encoding %q", r.Header.Get("Accept-Encoding"))
				}
				w.Header().Set("Content-Encoding", "gzip")
				w.Write(raw.Bytes())
			})
			opts := fastOptions(t, ts.client)
			if client == "default" {
				opts.Client = nil
			}
			file, err := mustNew(t, opts).Get(context.Background(), ts.URL+"/foo.tar.gz")
			if err != nil {
				t.Fatal(err)
			}
			if file.SHA256 != sha256Hex(raw.Bytes()) {
				t.Errorf("stored bytes are not the bytes sent")
			}
		})
	}
}

func TestCacheNamesNotFromURL(t *testing.T) {
	ts := newTestServer(t, false)
	ts.handle("/", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("x")) })
	ts.handle("/../../escape", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("x")) })
	opts := fastOptions(t, ts.client)
	f := mustNew(t, opts)
	for _, p := range []string{"/%2e%2e/%2e%2e/escape", "/a/b/..%2f..%2fescape", "/"} {
		if _, err := f.GetOptional(context.Background(), ts.URL+p); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	}
	filepath.WalkDir(opts.CacheDir, func(p string, d os.DirEntry, err error) error {
		if d.IsDir() {
			return nil
		}
		name := strings.TrimSuffix(strings.TrimSuffix(d.Name(), ".json"), ".lock")
		if !isSHA256Hex(name) {
			t.Errorf("cache file %s not named by a hash", p)
		}
		return nil
	})
}
