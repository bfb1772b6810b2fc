package gitsrc

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// gitServer serves the bare repositories under Root to the test.
type gitServer struct {
	// Root holds the served bare repositories (name.git).
	Root string
	// URL is the base URL; a repository is URL + "/name.git".
	URL string
	// Sent counts the bytes of response bodies (HTTP only).
	Sent atomic.Int64
	// Requests counts requests (HTTP only).
	Requests atomic.Int64
	// Refuse, when set, gets every request body; true makes the server
	// answer 403 (HTTP only), as a server refusing some wants would.
	Refuse atomic.Pointer[func(body []byte) bool]
}

func (s *gitServer) repoURL(name string) string { return s.URL + "/" + name + ".git" }

// reset zeroes the counters and returns the previous byte count.
func (s *gitServer) reset() int64 {
	s.Requests.Store(0)
	return s.Sent.Swap(0)
}

// serveRepo makes root/name.git a bare copy of the repository at src,
// configured as a GitHub-like server would be: filters allowed, and wants
// of reachable object ids allowed (protocol v2 allows them anyway).
func serveRepo(t testing.TB, root, name, src string, config ...string) string {
	t.Helper()
	dst := filepath.Join(root, name+".git")
	gitT(t, root, nil, "clone", "--quiet", "--bare", "--no-local", src, dst)
	setServerConfig(t, dst, append([]string{"uploadpack.allowFilter=true", "uploadpack.allowReachableSHA1InWant=true"}, config...)...)
	return dst
}

func setServerConfig(t testing.TB, dir string, kvs ...string) {
	t.Helper()
	for _, kv := range kvs {
		k, v, _ := strings.Cut(kv, "=")
		gitT(t, dir, nil, "config", k, v)
	}
}

type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (w countingWriter) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	w.n.Add(int64(n))
	return n, err
}

func (w countingWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// startHTTPServer serves root through `git http-backend` (smart HTTP) behind
// net/http/cgi on 127.0.0.1, counting response bytes.
func startHTTPServer(t testing.TB, root string) *gitServer {
	t.Helper()
	requireTool(t, "git")
	execPath := gitT(t, root, nil, "--exec-path")
	backend := filepath.Join(execPath, "git-http-backend")
	if _, err := os.Stat(backend); err != nil {
		if os.Getenv("TARCHECK_REQUIRE_TOOLS") == "1" {
			t.Fatalf("git-http-backend: %v", err)
		}
		t.Skipf("git-http-backend not available: %v", err)
	}
	s := &gitServer{Root: root}
	h := &cgi.Handler{
		Path: backend,
		Env: []string{
			"GIT_PROJECT_ROOT=" + root,
			"GIT_HTTP_EXPORT_ALL=1",
			"GIT_CONFIG_NOSYSTEM=1",
			"GIT_CONFIG_GLOBAL=/dev/null",
		},
		InheritEnv: []string{"PATH", "HOME"},
		Stderr:     io.Discard,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Requests.Add(1)
		if refuse := s.Refuse.Load(); refuse != nil && r.Body != nil {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			if (*refuse)(body) {
				http.Error(w, "refused", http.StatusForbidden)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		h.ServeHTTP(countingWriter{w, &s.Sent}, r)
	}))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// startDaemon runs `git daemon` on a free loopback port, serving root; it is
// killed when the test ends.
func startDaemon(t testing.TB, root string) *gitServer {
	t.Helper()
	requireTool(t, "git")
	// Run the git-daemon binary itself, not through the git wrapper, so that
	// the process killed at the end is the daemon.
	daemon := filepath.Join(gitT(t, root, nil, "--exec-path"), "git-daemon")
	if _, err := os.Stat(daemon); err != nil {
		if os.Getenv("TARCHECK_REQUIRE_TOOLS") == "1" {
			t.Fatalf("git-daemon: %v", err)
		}
		t.Skipf("git-daemon not available: %v", err)
	}
	logPath := filepath.Join(t.TempDir(), "daemon.log")
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lastErr = nil
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		cmd := exec.Command(daemon, "--export-all", "--reuseaddr", "--informative-errors",
			"--base-path="+root, "--listen=127.0.0.1", fmt.Sprintf("--port=%d", port), root)
		cmd.Env = testEnv()
		logf, err := os.Create(logPath)
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = logf // a file, not a pipe: Wait must not wait for the daemon's children
		err = cmd.Start()
		logf.Close()
		if err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		stop := func() {
			cmd.Process.Kill()
			<-exited
		}
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			select {
			case <-exited:
				msg, _ := os.ReadFile(logPath)
				lastErr = fmt.Errorf("git daemon exited: %s", msg)
			default:
			}
			if lastErr != nil {
				break
			}
			c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
			if err == nil {
				c.Close()
				t.Cleanup(stop)
				return &gitServer{Root: root, URL: fmt.Sprintf("git://127.0.0.1:%d", port)}
			}
			time.Sleep(20 * time.Millisecond)
		}
		stop()
		if lastErr == nil {
			lastErr = fmt.Errorf("git daemon did not listen on port %d", port)
		}
	}
	t.Fatalf("starting git daemon: %v", lastErr)
	return nil
}
