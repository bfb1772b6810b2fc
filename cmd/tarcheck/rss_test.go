package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// spawnEnv, when set in the test binary's environment, makes it a spawner
// (see spawnChild): the value is the file the child's peak RSS goes to.
const spawnEnv = "TARCHECK_TEST_SPAWN_RSS"

// spawnChild runs argv with the spawner's standard streams and its
// environment less spawnEnv, writes the child's peak RSS in KiB to out, and
// returns the child's exit code.
//
// A process's peak RSS as wait4 reports it starts at the resident size of
// the process that forked it (Linux carries the old memory's high-water
// mark across exec, and Go starts children on the parent's memory), so a
// child started straight from a test binary that has grown to 800 MiB
// reports 800 MiB. A child of this fresh, small spawner reports its own.
func spawnChild(out string, argv []string) int {
	if len(argv) == 0 {
		fmt.Fprintln(os.Stderr, "spawner: no command")
		return 125
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, spawnEnv+"=") {
			env = append(env, kv)
		}
	}
	// The child dies with this thread: a spawner killed by the test's
	// deadline takes the tarcheck run with it.
	runtime.LockOSThread()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		fmt.Fprintln(os.Stderr, "spawner:", err)
		return 125
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		fmt.Fprintln(os.Stderr, "spawner: no rusage")
		return 125
	}
	if err := os.WriteFile(out, []byte(strconv.FormatInt(ru.Maxrss, 10)), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "spawner:", err)
		return 125
	}
	return cmd.ProcessState.ExitCode()
}

// spawned is cmd rewritten to run under the spawner, and the file the
// spawner writes the peak RSS of cmd's process to.
func spawned(t *testing.T, cmd *exec.Cmd) (rssFile string) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// Not t.TempDir: a test may point TMPDIR at a directory it checks is
	// left empty; readRSS removes this one.
	dir, err := os.MkdirTemp("", "spawn-rss")
	if err != nil {
		t.Fatal(err)
	}
	rssFile = filepath.Join(dir, "maxrss")
	cmd.Args = append([]string{self}, cmd.Args...)
	cmd.Path = self
	cmd.Env = append(cmd.Env, spawnEnv+"="+rssFile)
	return rssFile
}

// readRSS is the peak RSS in KiB the spawner wrote to f; it removes f's
// directory.
func readRSS(t *testing.T, f string) int64 {
	t.Helper()
	b, err := os.ReadFile(f)
	os.RemoveAll(filepath.Dir(f))
	if err != nil {
		t.Fatalf("spawner wrote no peak RSS: %v", err)
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		t.Fatalf("spawner's peak RSS %q: %v", b, err)
	}
	return n
}

// TestPeakRSSIsTheChilds holds the bomb test's memory bound to the run it
// measures: with this test process grown by 512 MiB, `tarcheck version`
// must still report its own few tens of MiB, not the parent's size.
func TestPeakRSSIsTheChilds(t *testing.T) {
	bin := tarcheckBinary(t)
	ballast := make([]byte, 512<<20)
	for i := 0; i < len(ballast); i += 4096 {
		ballast[i] = 1 // one write a page makes it resident
	}
	r := runBinary(t, bin, hostileRunBound, nil, "version")
	runtime.KeepAlive(ballast)
	if r.code != 0 {
		t.Fatalf("tarcheck version: exit %d: %s", r.code, r.stderr)
	}
	if r.maxRSSKiB <= 0 || r.maxRSSKiB > 256<<10 {
		t.Fatalf("peak RSS of `tarcheck version` %d KiB, want (0, 256 MiB]: the parent's size leaked in", r.maxRSSKiB)
	}
	t.Logf("peak RSS of `tarcheck version`: %d KiB", r.maxRSSKiB)
}
