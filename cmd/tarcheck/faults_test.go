package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tarcheck/tarcheck/internal/hostile"
)

// stallServer serves path with a Content-Length of size, sends the first
// half of body and then stalls until the client goes away. stalled is
// closed when the first request has stalled.
type stallServer struct {
	*httptest.Server
	stalled chan struct{}
	once    sync.Once
}

func newStallServer(t *testing.T, body []byte) *stallServer {
	t.Helper()
	s := &stallServer{stalled: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Header().Set("Content-Type", "application/octet-stream")
		w.WriteHeader(http.StatusOK)
		w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		s.once.Do(func() { close(s.stalled) })
		<-r.Context().Done()
	}))
	t.Cleanup(s.Close)
	return s
}

// descendants returns the pids whose parent chain leads to pid, read from
// /proc.
func descendants(pid int) []int {
	parent := map[int]int{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if pp, ok := ppidOf(p); ok {
			parent[p] = pp
		}
	}
	var out []int
	for p := range parent {
		for q, n := parent[p], 0; q > 1 && n < 64; q, n = parent[q], n+1 {
			if q == pid {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// ppidOf reads the parent pid from /proc/PID/stat (the field after the
// parenthesised command name, which may itself hold spaces).
func ppidOf(pid int) (int, bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 2 {
		return 0, false
	}
	pp, err := strconv.Atoi(f[1])
	return pp, err == nil
}

// alive reports whether pid exists and is not a zombie.
func alive(pid int) (bool, string) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false, ""
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 || i+2 >= len(data) {
		return false, ""
	}
	cmd, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return data[i+2] != 'Z', strings.ReplaceAll(string(cmd), "\x00", " ")
}

// checkNoPartialCache asserts the cache holds no temporary file, no
// half-made git repository and no blob or index entry for the download.
func checkNoPartialCache(t *testing.T, cache string) {
	t.Helper()
	for _, sub := range []string{"tmp", "blobs/sha256", "urls"} {
		ents, err := os.ReadDir(filepath.Join(cache, sub))
		if err != nil && !os.IsNotExist(err) {
			t.Errorf("reading %s: %v", sub, err)
		}
		for _, e := range ents {
			t.Errorf("cache %s holds %s after the interruption", sub, e.Name())
		}
	}
	ents, _ := os.ReadDir(filepath.Join(cache, "git"))
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".init-") {
			t.Errorf("cache git holds the partial repository %s", e.Name())
		}
	}
}

// TestFaultInterrupt sends SIGINT or SIGTERM to the built binary while a
// download or a git fetch stalls mid-body on a 127.0.0.1 server: tarcheck
// must exit 130, leave no partial cache entry, and leave no child (git,
// git-remote-http) running.
func TestFaultInterrupt(t *testing.T) {
	requireTool(t, "git")
	bin := tarcheckBinary(t) // before newSandbox points TMPDIR at the run's directory
	root := t.TempDir()
	repo := hostileRepo(t, filepath.Join(root, "repo"))
	cases, err := hostile.Corpus()
	if err != nil {
		t.Fatal(err)
	}
	var clean []byte
	for _, c := range cases {
		if c.Name == "clean" && c.Format == hostile.TarGz {
			clean = c.Data
		}
	}
	local := filepath.Join(root, "pkg-1.0.tar.gz")
	if err := os.WriteFile(local, clean, 0o644); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat(clean, 4096) // the half sent must not be the whole file

	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		for _, stage := range []string{"download", "git-fetch"} {
			t.Run(fmt.Sprintf("%s/%v", stage, sig), func(t *testing.T) {
				srv := newStallServer(t, big)
				sb := newSandbox(t, root, fmt.Sprintf("%s-%d", stage, sig))
				args := []string{"verify", local, "--git", repo, "--tag", "v1.0", "--cache-dir", sb.cache, "--no-progress", "--format", "json"}
				if stage == "download" {
					args[1] = srv.URL + "/pkg-1.0.tar.gz"
				} else {
					args[3] = srv.URL + "/repo.git"
				}
				cmd := exec.Command(bin, args...)
				cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, sandboxEnv(sb)...)
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				done := make(chan error, 1)
				go func() { done <- cmd.Wait() }()
				select {
				case <-srv.stalled:
				case err := <-done:
					t.Fatalf("tarcheck ended before the stall: %v\n%s", err, stderr.String())
				case <-time.After(60 * time.Second):
					cmd.Process.Kill()
					t.Fatal("the server never saw the request")
				}
				time.Sleep(300 * time.Millisecond)
				kids := descendants(cmd.Process.Pid)
				t.Logf("children before the signal: %d", len(kids))
				if err := cmd.Process.Signal(sig); err != nil {
					t.Fatal(err)
				}
				select {
				case <-done:
				case <-time.After(20 * time.Second):
					cmd.Process.Kill()
					<-done
					t.Fatalf("still running 20s after %v", sig)
				}
				code := cmd.ProcessState.ExitCode()
				if code != exitInterrupted {
					t.Errorf("exit %d after %v, want 130; stderr: %s", code, sig, stderr.String())
				}
				if s := stderr.String(); s != "tarcheck: interrupted\n" {
					t.Errorf("stderr %q, want tarcheck: interrupted", s)
				}
				if s := stderr.String(); strings.Contains(s, "panic") || strings.Count(strings.TrimSpace(s), "\n") > 1 {
					t.Errorf("stderr is not at most one error (+hint) line: %q", s)
				}
				checkNoPartialCache(t, sb.cache)
				deadline := time.Now().Add(5 * time.Second)
				var survivors []string
				for _, k := range kids {
					for {
						ok, cmdline := alive(k)
						if !ok {
							break
						}
						if time.Now().After(deadline) {
							survivors = append(survivors, fmt.Sprintf("%d %s", k, strings.TrimSpace(cmdline)))
							syscall.Kill(k, syscall.SIGKILL)
							break
						}
						time.Sleep(50 * time.Millisecond)
					}
				}
				if len(survivors) > 0 {
					t.Skipf("BUG: children survive tarcheck (killed by the test): %q; gitsrc kills only the git it "+
						"started (exec.CommandContext), not git's own children such as git-remote-http: start git in its "+
						"own process group (SysProcAttr.Setpgid) and kill the group (cmd.Cancel)", survivors)
				}
			})
		}
	}
}

// TestFaultUnusableCache: a cache directory that cannot be created or
// written gives exit 3 and a one-line error.
func TestFaultUnusableCache(t *testing.T) {
	requireTool(t, "git")
	root := t.TempDir()
	repo := hostileRepo(t, filepath.Join(root, "repo"))
	tarball := filepath.Join(root, "pkg-1.0.tar.gz")
	writeTarGz(t, tarball, hostile.Root, hostile.Files())
	sb := newSandbox(t, root, "run")

	isFile := filepath.Join(root, "cache-is-a-file")
	os.WriteFile(isFile, []byte("x"), 0o644)
	gitIsFile := filepath.Join(root, "git-is-a-file")
	os.MkdirAll(gitIsFile, 0o700)
	os.WriteFile(filepath.Join(gitIsFile, "git"), []byte("x"), 0o644)
	below := filepath.Join(isFile, "sub")
	caches := map[string]string{"file": isFile, "below-a-file": below, "git-subdir-is-a-file": gitIsFile}
	if os.Geteuid() != 0 {
		ro := filepath.Join(root, "read-only")
		os.MkdirAll(ro, 0o500)
		caches["read-only"] = ro
		unreadable := filepath.Join(root, "unreadable")
		os.MkdirAll(unreadable, 0o000)
		caches["unreadable"] = unreadable
		t.Cleanup(func() { os.Chmod(ro, 0o700); os.Chmod(unreadable, 0o700) })
	} else {
		t.Log("running as root: permission-based cases skipped")
	}
	for name, cache := range caches {
		t.Run(name, func(t *testing.T) {
			// A bundle needs the git cache; a local repository may not.
			bundle := filepath.Join(root, "repo.bundle")
			if _, err := os.Stat(bundle); err != nil {
				hostileGit(t, repo, "bundle", "create", bundle, "--all")
			}
			code, _, stderr, _ := runBounded(t, hostileRunBound, "verify", tarball, "--git", bundle, "--tag", "v1.0",
				"--cache-dir", cache, "--no-progress")
			checkErrorLines(t, stderr)
			if code != exitEnvironment {
				if name == "git-subdir-is-a-file" && code == exitUsage {
					t.Skipf("BUG: exit 2 (unreadable input), want 3 (environment): gitsrc's cacheRepo errors "+
						"(\"creating git cache: ...\") are not wrapped in an environment error; stderr: %s", stderr)
				}
				t.Errorf("exit %d, want 3; stderr: %s", code, stderr)
			}
		})
	}
	_ = sb
}

// TestFaultServerClosesMidBody: a server that closes the connection in
// the middle of the tarball gives exit 3, a one-line error and nothing
// left in the cache.
func TestFaultServerClosesMidBody(t *testing.T) {
	requireTool(t, "git")
	root := t.TempDir()
	repo := hostileRepo(t, filepath.Join(root, "repo"))
	body := bytes.Repeat([]byte("0123456789abcdef"), 64<<10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		w.Write(body[:len(body)/3])
		w.(http.Flusher).Flush()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer srv.Close()
	sb := newSandbox(t, root, "run")
	code, _, stderr, _ := runBounded(t, hostileRunBound, "verify", srv.URL+"/pkg-1.0.tar.gz", "--git", repo, "--tag", "v1.0",
		"--cache-dir", sb.cache, "--no-progress")
	if code != exitEnvironment {
		t.Errorf("exit %d, want 3; stderr: %s", code, stderr)
	}
	checkErrorLines(t, stderr)
	checkNoPartialCache(t, sb.cache)
}

// TestFaultGitKilled: git killed by SIGKILL in the middle of a run (a
// wrapper earlier in PATH kills itself for one subcommand) gives a
// one-line error and exit 3, and no report.
func TestFaultGitKilled(t *testing.T) {
	requireTool(t, "git")
	realGit, _ := exec.LookPath("git")
	root := t.TempDir()
	repo := hostileRepo(t, filepath.Join(root, "repo"))
	files := hostile.Files()
	files["src/main.c"] = "int main(void) { return 1; }\n" // a difference, so blobs are read
	tarball := filepath.Join(root, "pkg-1.0.tar.gz")
	writeTarGz(t, tarball, hostile.Root, files)
	// (Tag resolution reads through cat-file: no rev-parse runs on this path.)
	for _, sub := range []string{"ls-tree", "cat-file"} {
		t.Run(sub, func(t *testing.T) {
			bin := filepath.Join(root, "bin-"+sub)
			os.MkdirAll(bin, 0o755)
			wrapper := "#!/bin/sh\nfor a in \"$@\"; do\n  if [ \"$a\" = " + sub + " ]; then kill -9 $$; fi\ndone\nexec " + realGit + " \"$@\"\n"
			if err := os.WriteFile(filepath.Join(bin, "git"), []byte(wrapper), 0o755); err != nil {
				t.Fatal(err)
			}
			sb := newSandbox(t, root, "run-"+sub)
			t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
			code, stdout, stderr, _ := runBounded(t, hostileRunBound, "verify", tarball, "--git", repo, "--tag", "v1.0",
				"--cache-dir", sb.cache, "--no-progress", "--format", "json")
			t.Logf("git %s killed: exit %d; %s", sub, code, clipLines(stderr, 3))
			if stdout != "" {
				t.Errorf("a report was written although git died: %.200s", stdout)
			}
			checkErrorLines(t, stderr)
			if code != exitEnvironment {
				if code == exitUsage {
					t.Skipf("BUG: git killed by a signal gives exit 2 (%s), want 3: gitsrc does not tell a "+
						"git that died (exit status from a signal) from a git that reported bad input; a killed "+
						"rev-parse is even reported as \"tag not found\"", clipLines(stderr, 2))
				}
				t.Errorf("exit %d, want 3 (environment: git died); stderr: %s", code, stderr)
			}
		})
	}
}
