package fetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Environment of the child processes of TestConcurrentProcessesDownloadOnce.
const (
	helperEnv    = "TARCHECK_FETCH_HELPER"
	helperURL    = "TARCHECK_FETCH_HELPER_URL"
	helperCache  = "TARCHECK_FETCH_HELPER_CACHE"
	helperResult = "result:"
)

// TestFetchHelperProcess is the child: it fetches one URL into a shared
// cache and prints what it got. It does nothing in a normal test run.
func TestFetchHelperProcess(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		t.Skip("helper process for TestConcurrentProcessesDownloadOnce")
	}
	f, err := New(Options{CacheDir: os.Getenv(helperCache), Retries: -1})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(3)
	}
	file, err := f.Get(context.Background(), os.Getenv(helperURL))
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(4)
	}
	data, err := os.ReadFile(file.Path)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(5)
	}
	sum := sha256.Sum256(data)
	fmt.Printf("%s %s %s %t\n", helperResult, file.SHA256, hex.EncodeToString(sum[:]), file.FromCache)
}

// Four processes fetch the same URL into one cache at the same moment:
// all succeed, the server sees one request, and all get the same bytes.
func TestConcurrentProcessesDownloadOnce(t *testing.T) {
	const procs = 4
	body := bytes.Repeat([]byte("release tarball bytes\n"), 64<<10) // 1.4 MB
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		// Slow enough that every process starts while the first download
		// is still in flight.
		for chunk := range slices.Chunk(body, len(body)/8) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			time.Sleep(40 * time.Millisecond)
		}
	}))
	defer srv.Close()
	cache := t.TempDir()
	url := srv.URL + "/hello-1.0.tar.gz"

	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		outs []string
		errs []error
	)
	start := make(chan struct{})
	for range procs {
		cmd := exec.Command(os.Args[0], "-test.run=^TestFetchHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), helperEnv+"=1", helperURL+"="+url, helperCache+"="+cache)
		wg.Go(func() {
			<-start
			out, err := cmd.CombinedOutput()
			mu.Lock()
			defer mu.Unlock()
			outs = append(outs, string(out))
			if err != nil {
				errs = append(errs, fmt.Errorf("%v: %s", err, out))
			}
		})
	}
	close(start)
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("helper processes failed: %v", errors.Join(errs...))
	}

	want := sha256.Sum256(body)
	wantHex := hex.EncodeToString(want[:])
	fromCache := 0
	for _, out := range outs {
		i := strings.Index(out, helperResult)
		if i < 0 {
			t.Fatalf("helper printed no result:\n%s", out)
		}
		var recorded, actual string
		var cached bool
		if _, err := fmt.Sscan(out[i+len(helperResult):], &recorded, &actual, &cached); err != nil {
			t.Fatalf("parsing %q: %v", out, err)
		}
		if recorded != wantHex || actual != wantHex {
			t.Errorf("a process got sha256 %s (file hashes to %s), want %s", recorded, actual, wantHex)
		}
		if cached {
			fromCache++
		}
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("server saw %d downloads from %d processes, want 1", n, procs)
	}
	if fromCache != procs-1 {
		t.Errorf("%d processes reused the cache, want %d", fromCache, procs-1)
	}
	left, _ := os.ReadDir(filepath.Join(cache, tmpDir))
	if len(left) != 0 {
		t.Errorf("temporary files left in the cache: %v", left)
	}
	t.Logf("%d processes, %d download(s), %d cache hits", procs, requests.Load(), fromCache)
}

// A process waiting for the lock gives up when its context ends.
func TestLockWaitHonoursContext(t *testing.T) {
	c, err := OpenCache(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	u, err := parseURL("https://example.org/x.tar.gz")
	if err != nil {
		t.Fatal(err)
	}
	held, err := c.lockEntry(context.Background(), u)
	if err != nil || held == nil {
		t.Fatalf("lockEntry = %v, %v", held, err)
	}
	defer held.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.lockEntry(ctx, u); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("lockEntry while held = %v, want deadline exceeded", err)
	}
}

// A cache where no lock file can be made (a read-only volume, here a file
// where the locks directory should be) still serves the cache, unlocked.
func TestLockSkippedWhenLockFileCannotBeMade(t *testing.T) {
	dir := t.TempDir()
	c, err := OpenCache(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, locksDir), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	u, _ := parseURL("https://example.org/x.tar.gz")
	l, err := c.lockEntry(context.Background(), u)
	if err != nil || l != nil {
		t.Errorf("lockEntry without a locks directory = %v, %v; want no lock, no error", l, err)
	}
}
