package fetch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

func TestParseIndexEntry(t *testing.T) {
	sum := strings.Repeat("ab", 32)
	tests := []struct {
		name string
		json string
		ok   bool
	}{
		{"ok", `{"v":1,"url":"https://x/y","status":"ok","sha256":"` + sum + `","size":3,"etag":"\"e\""}`, true},
		{"absent", `{"v":1,"url":"https://x/y","status":"absent","http_status":404,"size":0}`, true},
		{"version", `{"v":2,"url":"https://x/y","status":"ok","sha256":"` + sum + `","size":3}`, false},
		{"no url", `{"v":1,"status":"ok","sha256":"` + sum + `","size":3}`, false},
		{"path in sha", `{"v":1,"url":"u","status":"ok","sha256":"../../../../etc/passwd","size":3}`, false},
		{"upper sha", `{"v":1,"url":"u","status":"ok","sha256":"` + strings.ToUpper(sum) + `","size":3}`, false},
		{"negative size", `{"v":1,"url":"u","status":"ok","sha256":"` + sum + `","size":-1}`, false},
		{"absent with content", `{"v":1,"url":"u","status":"absent","sha256":"` + sum + `","size":3}`, false},
		{"bad status", `{"v":1,"url":"u","status":"maybe"}`, false},
		{"header injection", `{"v":1,"url":"u","status":"ok","sha256":"` + sum + `","etag":"a\r\nX-Evil: 1"}`, false},
		{"trailing", `{"v":1,"url":"u","status":"absent"} {}`, false},
		{"not json", `garbage`, false},
		{"huge", `{"v":1,"url":"` + strings.Repeat("a", maxIndexEntrySize) + `","status":"absent"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseIndexEntry([]byte(tt.json))
			if (err == nil) != tt.ok {
				t.Errorf("err = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, errBadIndex) {
				t.Errorf("error does not wrap errBadIndex: %v", err)
			}
		})
	}
}

// FuzzParseIndexEntry: index files are read back from disk and may be
// damaged; parsing must never panic, and an accepted entry must be safe to
// use (content address is plain hex, validators are valid header values).
func FuzzParseIndexEntry(f *testing.F) {
	sum := strings.Repeat("0f", 32)
	f.Add([]byte(`{"v":1,"url":"https://x/y","status":"ok","sha256":"` + sum + `","size":3,"etag":"\"e\"","last_modified":"Mon, 02 Jan 2006 15:04:05 GMT","fetched_at":"2024-03-29T00:00:00Z"}`))
	f.Add([]byte(`{"v":1,"url":"https://x/y","status":"absent","http_status":404,"fetched_at":"2024-03-29T00:00:00Z"}`))
	f.Add([]byte(`{"v":1,"url":"u","status":"ok","sha256":"../x","size":-5}`))
	f.Add([]byte(`{"v":1,"fetched_at":"not a time"}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := parseIndexEntry(data)
		if err != nil {
			return
		}
		if e.Status == statusOK && (!isSHA256Hex(e.SHA256) || strings.ContainsAny(e.SHA256, "/\\.")) {
			t.Fatalf("accepted sha256 %q", e.SHA256)
		}
		if e.Size < 0 || !validHeaderValue(e.ETag) || !validHeaderValue(e.LastModified) {
			t.Fatalf("accepted %+v", e)
		}
		// Round trip: what we accept, we can write back and read again.
		out, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := parseIndexEntry(out); err != nil {
			t.Fatalf("round trip: %v\n%s", err, out)
		}
	})
}

// BenchmarkGetCold measures a download from a loopback server into an empty
// cache (hash, fsync, rename, index write).
func BenchmarkGetCold(b *testing.B) {
	for _, size := range []int{1 << 20, 64 << 20} {
		b.Run(fmt.Sprintf("%dMiB", size>>20), func(b *testing.B) {
			ts := newTestServer(b, false)
			ts.file("/f", payload(size))
			b.SetBytes(int64(size))
			for b.Loop() {
				opts := Options{CacheDir: b.TempDir(), Client: ts.client}
				if _, err := mustNew(b, opts).Get(context.Background(), ts.URL+"/f"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGetWarm measures a cache hit, which re-hashes the cached blob.
func BenchmarkGetWarm(b *testing.B) {
	for _, size := range []int{1 << 20, 64 << 20} {
		b.Run(fmt.Sprintf("%dMiB", size>>20), func(b *testing.B) {
			ts := newTestServer(b, false)
			ts.file("/f", payload(size))
			f := mustNew(b, Options{CacheDir: b.TempDir(), Client: ts.client})
			if _, err := f.Get(context.Background(), ts.URL+"/f"); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(size))
			for b.Loop() {
				file, err := f.Get(context.Background(), ts.URL+"/f")
				if err != nil || !file.FromCache {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDiscoverWarm measures sidecar discovery answered from the cache.
func BenchmarkDiscoverWarm(b *testing.B) {
	ts := newTestServer(b, false)
	ts.file("/foo.tar.gz.asc", []byte("sig"))
	f := mustNew(b, Options{CacheDir: b.TempDir(), Client: ts.client})
	if _, err := f.Discover(context.Background(), ts.URL+"/foo.tar.gz"); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := f.Discover(context.Background(), ts.URL+"/foo.tar.gz"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestIndexWrittenAtomically(t *testing.T) {
	// Many concurrent fetchers of the same URL on one cache: every one
	// succeeds, and the cache holds exactly one blob and one index entry.
	ts := newTestServer(t, false)
	content := payload(200_000)
	ts.file("/f", content)
	opts := fastOptions(t, ts.client)
	opts.Logf = nil
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			f, err := New(opts)
			if err == nil {
				_, err = f.Get(context.Background(), ts.URL+"/f")
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if b, u, tmp := cacheFiles(t, opts.CacheDir, blobsDir), cacheFiles(t, opts.CacheDir, urlsDir), cacheFiles(t, opts.CacheDir, tmpDir); len(b) != 1 || len(u) != 1 || len(tmp) != 0 {
		t.Errorf("blobs %v, index %v, tmp %v", b, u, tmp)
	}
	data, _ := os.ReadFile(cacheFiles(t, opts.CacheDir, urlsDir)[0])
	e, err := parseIndexEntry(data)
	if err != nil || e.SHA256 != sha256Hex(content) || time.Since(e.FetchedAt) > time.Minute {
		t.Errorf("index %+v %v", e, err)
	}
}
