package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestFaultFullDisk: a download into a cache on a full file system gives one
// error line and exit 3, and leaves no partial file in the cache. It mounts a
// 512 KiB tmpfs, so it needs root (CI runs as root); elsewhere it skips.
func TestFaultFullDisk(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	if err := os.Mkdir(small, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", small, "tmpfs", 0, "size=512k"); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v", err)
	}
	defer syscall.Unmount(small, syscall.MNT_DETACH)

	payload := make([]byte, 2<<20) // does not fit in 512 KiB
	rand.Read(payload)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "foo-1.2.tar.gz") {
			w.Write(payload)
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()

	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"verify", srv.URL + "/foo-1.2.tar.gz", "--git", dir, "--tag", "v1.2",
		"--cache-dir", small, "--no-progress"}, nil, &stdout, &stderr)
	if code != exitEnvironment {
		t.Errorf("exit %d, want %d; stderr: %s", code, exitEnvironment, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if !strings.HasPrefix(lines[0], "tarcheck: error: ") || !strings.Contains(stderr.String(), "no space left") {
		t.Errorf("stderr = %q, want one tarcheck error naming the full disk", stderr.String())
	}
	// Nothing half-written stays behind.
	filepath.Walk(small, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() && fi.Size() > 64<<10 {
			t.Errorf("partial download left in the cache: %s (%d bytes)", p, fi.Size())
		}
		return nil
	})
}
