package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// defaultPath is PATH inside the sandbox when Spec.Env has none.
const defaultPath = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin"

// fallbackHome is HOME inside the sandbox when neither Spec.Env nor the caller has a
// usable one.
const fallbackHome = "/home/sandbox"

// shellPath is the shell used for the in-sandbox wrapper; /bin is always mapped.
const shellPath = "/bin/sh"

// readyToken is written on fd 3 by the wrapper just before it executes the command;
// its absence means the sandbox never got as far as the command.
const readyToken = "tarcheck-sandbox-ready"

// wrapperScript is the last step before the command, inside the sandbox: it sets the
// resource limits, reports readiness on fd 3, closes fd 3 and executes the command.
// $1 is the CPU limit in seconds (0 for none); the rest is the command.
const wrapperScript = `ulimit -c 0 2>/dev/null
if [ "$1" != 0 ]; then ulimit -t "$1" || exit 125; fi
shift
printf '\n%s\n' ` + readyToken + ` >&3
exec "$@" 3>&-
`

// systemDirs are mapped read-only (as directories or as the host's symlinks).
var systemDirs = []string{"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"}

// reservedDirs may not contain the work directory.
var reservedDirs = append([]string{"/proc", "/dev", "/sys"}, systemDirs...)

// plan is a validated Spec with every default applied.
type plan struct {
	dir     string            // work directory, absolute, symlinks resolved
	args    []string          // the command
	env     []string          // the command's complete environment
	hide    []string          // paths that get an empty tmpfs ($HOME values)
	lower   map[string]string // overlay target -> lowerdir option (Spec.Overlays)
	binds   []mountStep       // Spec.Binds
	timeout time.Duration
	cpuSecs int64
	maxOut  int64
	stdout  io.Writer // caller's writers, may be nil
	stderr  io.Writer
}

// wrapped returns the wrapper invocation that runs the command with the limits.
func (p *plan) wrapped() []string {
	return append([]string{shellPath, "-c", wrapperScript, "tarcheck-sandbox",
		strconv.FormatInt(p.cpuSecs, 10)}, p.args...)
}

// newPlan validates s. isolated says whether $HOME gets hidden.
func newPlan(s Spec, isolated bool) (*plan, error) {
	if len(s.Args) == 0 || s.Args[0] == "" {
		return nil, fmt.Errorf("%w: no command", ErrInvalidSpec)
	}
	for _, a := range s.Args {
		if strings.IndexByte(a, 0) >= 0 {
			return nil, fmt.Errorf("%w: argument contains a NUL byte", ErrInvalidSpec)
		}
	}
	dir, err := workDir(s.Dir)
	if err != nil {
		return nil, err
	}
	p := &plan{dir: dir, args: s.Args, timeout: s.Timeout, maxOut: s.MaxOutput,
		stdout: s.Stdout, stderr: s.Stderr}
	if p.lower, p.binds, err = overlaySteps(s); err != nil {
		return nil, err
	}
	if p.timeout <= 0 {
		p.timeout = DefaultTimeout
	}
	if p.maxOut <= 0 {
		p.maxOut = DefaultMaxOutput
	}
	if s.CPUTime > 0 {
		p.cpuSecs = int64((s.CPUTime + time.Second - 1) / time.Second)
	}
	var home, path string
	seen := map[string]bool{}
	for _, kv := range s.Env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" || strings.IndexByte(kv, 0) >= 0 {
			return nil, fmt.Errorf("%w: bad environment entry %q", ErrInvalidSpec, kv)
		}
		if seen[k] {
			return nil, fmt.Errorf("%w: environment variable %s given twice", ErrInvalidSpec, k)
		}
		seen[k] = true
		switch k {
		case "HOME":
			home = v
		case "PATH":
			path = v
		}
	}
	p.env = append([]string(nil), s.Env...)
	if path == "" && !seen["PATH"] {
		p.env = append(p.env, "PATH="+defaultPath)
	}
	if !isolated {
		return p, nil
	}
	callerHome := os.Getenv("HOME")
	if !seen["HOME"] {
		home = callerHome
		if !hideable(home) {
			home = fallbackHome
		}
		p.env = append(p.env, "HOME="+home)
	}
	for _, h := range []string{home, callerHome} {
		if hideable(h) {
			h = filepath.Clean(h)
			if r, err := filepath.EvalSymlinks(h); err == nil && r != h && hideable(r) {
				p.hide = appendNew(p.hide, r)
			}
			p.hide = appendNew(p.hide, h)
		}
	}
	return p, nil
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// hideable reports whether a tmpfs can be put on path: absolute, not "/" and not in
// a directory that is mapped read-only anyway.
func hideable(path string) bool {
	if !filepath.IsAbs(path) || strings.IndexByte(path, 0) >= 0 {
		return false
	}
	path = filepath.Clean(path)
	if path == "/" || path == "/tmp" {
		return false
	}
	for _, r := range reservedDirs {
		if within(path, r) {
			return false
		}
	}
	return true
}

// within reports whether path is dir or below it (both clean and absolute).
func within(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, dir+"/")
}

// workDir checks the writable directory and resolves it.
func workDir(dir string) (string, error) {
	if dir == "" {
		return "", fmt.Errorf("%w: no work directory", ErrInvalidSpec)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("%w: work directory: %w", ErrInvalidSpec, err)
	}
	abs, err = filepath.EvalSymlinks(abs)
	if err != nil {
		return "", fmt.Errorf("%w: work directory: %w", ErrInvalidSpec, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("%w: work directory: %w", ErrInvalidSpec, err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("%w: work directory %s is not a directory", ErrInvalidSpec, abs)
	}
	if abs == "/" || abs == "/tmp" || strings.ContainsAny(abs, "\x00\n") {
		return "", fmt.Errorf("%w: work directory %s is not allowed", ErrInvalidSpec, abs)
	}
	for _, r := range reservedDirs {
		if within(abs, r) {
			return "", fmt.Errorf("%w: work directory %s is inside %s", ErrInvalidSpec, abs, r)
		}
	}
	return abs, nil
}

// execute runs cmd (prepared by a backend, not yet started) under p's limits. It owns
// stdin/stdout/stderr, fd 3, the process group, and the kill on timeout.
func execute(ctx context.Context, p *plan, cmd *exec.Cmd) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("running %s: %w", p.args[0], err)
	}
	c := &capture{limit: p.maxOut}
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("creating pipe: %w", err)
	}
	// One pipe for both streams keeps their order in Result.Output exact; two are
	// needed only when the caller wants them apart.
	errR, errW := outR, outW
	if !sameWriter(p.stdout, p.stderr) {
		if errR, errW, err = os.Pipe(); err != nil {
			closeAll(outR, outW)
			return nil, fmt.Errorf("creating pipe: %w", err)
		}
	}
	stR, stW, err := os.Pipe()
	if err != nil {
		closeAll(outR, outW, errR, errW)
		return nil, fmt.Errorf("creating pipe: %w", err)
	}
	cmd.Stdin = nil
	cmd.Stdout = outW
	cmd.Stderr = errW
	cmd.ExtraFiles = []*os.File{stW}
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL

	runCtx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	start := time.Now()
	err = cmd.Start()
	closeAll(outW, errW, stW)
	if err != nil {
		closeAll(outR, errR, stR)
		return nil, fmt.Errorf("%w: starting %s: %w", ErrSetup, cmd.Path, err)
	}

	var wg sync.WaitGroup
	status := &limitedBuffer{limit: maxSetupLog}
	type copyJob struct {
		r *os.File
		w io.Writer
	}
	jobs := []copyJob{{outR, c.stream(p.stdout)}, {stR, status}}
	if errR != outR {
		jobs = append(jobs, copyJob{errR, c.stream(p.stderr)})
	}
	for _, rw := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = io.Copy(rw.w, rw.r)
		}()
	}

	pid := cmd.Process.Pid
	var killedMu sync.Mutex
	killed := false
	done := make(chan struct{})
	go func() {
		select {
		case <-runCtx.Done():
			killedMu.Lock()
			killed = true
			killedMu.Unlock()
			killTree(cmd.Process, pid)
		case <-done:
		}
	}()
	werr := cmd.Wait()
	close(done)
	dur := time.Since(start)
	// The leader is gone; take the rest of its process group with it (the PID
	// namespace of the isolating backends has already done so).
	_ = syscall.Kill(-pid, syscall.SIGKILL)

	drained := make(chan struct{})
	go func() { wg.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-time.After(killGrace):
		// Something outside the tree still holds a pipe; stop reading.
		closeAll(outR, errR, stR)
		<-drained
	}
	closeAll(outR, errR, stR)

	killedMu.Lock()
	wasKilled := killed
	killedMu.Unlock()
	res := &Result{ExitCode: -1, Duration: dur}
	res.Output, res.Truncated = c.result()
	if ps := cmd.ProcessState; ps != nil && !wasKilled {
		if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			res.ExitCode = 128 + int(ws.Signal())
		} else {
			res.ExitCode = ps.ExitCode()
		}
	}
	if wasKilled {
		if err := ctx.Err(); err != nil {
			return res, fmt.Errorf("running %s: %w", p.args[0], err)
		}
		res.TimedOut = true
		return res, nil
	}
	var exitErr *exec.ExitError
	if werr != nil && !errors.As(werr, &exitErr) {
		return res, fmt.Errorf("waiting for %s: %w", p.args[0], werr)
	}
	if !strings.Contains(string(status.buf), "\n"+readyToken+"\n") {
		msg := strings.TrimSpace(string(status.buf))
		if msg == "" {
			msg = strings.TrimSpace(tail(res.Output, 2048))
		}
		return res, fmt.Errorf("%w (exit status %d): %s", ErrSetup, res.ExitCode, msg)
	}
	return res, nil
}

// sameWriter reports whether a and b are the same writer, without panicking on
// writers of non-comparable types.
func sameWriter(a, b io.Writer) (same bool) {
	defer func() {
		if recover() != nil {
			same = false
		}
	}()
	return a == b
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// killTree kills the process and its process group. For the isolating backends the
// process is PID 1 of its namespace (or bwrap, whose namespace init dies with it), so
// the kernel kills every process in the namespace.
func killTree(p *os.Process, pid int) {
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	_ = p.Kill()
}

func closeAll(files ...*os.File) {
	for _, f := range files {
		_ = f.Close()
	}
}

// cutEnv splits a validated "KEY=value" entry.
func cutEnv(kv string) (key, value string, ok bool) {
	return strings.Cut(kv, "=")
}

// probeRunner runs `true` in r inside a scratch work directory.
func probeRunner(ctx context.Context, r Runner) error {
	dir, err := os.MkdirTemp("", "tarcheck-sandbox-probe-")
	if err != nil {
		return fmt.Errorf("creating probe directory: %w", err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	res, err := r.Run(ctx, Spec{Dir: dir, Args: []string{"true"}, Timeout: probeTimeout, MaxOutput: 4096})
	if err != nil {
		return err
	}
	if res.TimedOut {
		return fmt.Errorf("probe timed out after %s", probeTimeout)
	}
	if res.ExitCode != 0 {
		return fmt.Errorf("probe exited with status %d: %s", res.ExitCode, strings.TrimSpace(tail(res.Output, 1024)))
	}
	return nil
}
