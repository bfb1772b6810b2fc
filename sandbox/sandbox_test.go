package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// helperEnv makes the test binary act as a small in-sandbox helper (see TestMain).
const helperEnv = "TARCHECK_SANDBOX_HELPER"

// Exit codes of the dial helper.
const (
	helperDialOK     = 0
	helperDialFailed = 3
)

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "dial":
		c, err := net.DialTimeout("tcp", os.Getenv("TARCHECK_DIAL_ADDR"), 2*time.Second)
		if err != nil {
			fmt.Println("dial failed:", err)
			os.Exit(helperDialFailed)
		}
		_, _ = c.Write([]byte("hello from the sandbox\n"))
		_ = c.Close()
		fmt.Println("dial succeeded")
		os.Exit(helperDialOK)
	default:
		fmt.Println("unknown helper mode")
		os.Exit(2)
	}
}

// requireTool skips the test when name is not installed, unless
// TARCHECK_REQUIRE_TOOLS=1, when it fails instead.
func requireTool(t *testing.T, name string) {
	t.Helper()
	if _, err := lookSystemTool(name); err == nil {
		return
	}
	if os.Getenv("TARCHECK_REQUIRE_TOOLS") == "1" {
		t.Fatalf("%s is required (TARCHECK_REQUIRE_TOOLS=1) but not installed", name)
	}
	t.Skipf("%s not installed", name)
}

// isolating returns the isolating backends usable here, each probed. A backend that
// is installed but fails its probe is skipped with the reason, unless
// TARCHECK_REQUIRE_TOOLS=1.
func isolating(t *testing.T) []Runner {
	t.Helper()
	var rs []Runner
	for _, name := range []string{BackendBwrap, BackendNamespaces} {
		tool := map[string]string{BackendBwrap: "bwrap", BackendNamespaces: "setpriv"}[name]
		if _, err := lookSystemTool(tool); err != nil {
			if os.Getenv("TARCHECK_REQUIRE_TOOLS") == "1" {
				t.Fatalf("%s is required (TARCHECK_REQUIRE_TOOLS=1) but not installed", tool)
			}
			t.Logf("skipping backend %s: %s not installed", name, tool)
			continue
		}
		r, err := New(name)
		if err != nil {
			if os.Getenv("TARCHECK_REQUIRE_TOOLS") == "1" && name == BackendBwrap {
				t.Fatalf("backend %s: %v", name, err)
			}
			t.Logf("skipping backend %s: %v", name, err)
			continue
		}
		rs = append(rs, r)
	}
	if len(rs) == 0 {
		t.Skip("no isolating sandbox backend works here")
	}
	return rs
}

// all returns the isolating backends plus "none".
func all(t *testing.T) []Runner {
	return append(isolating(t), noneRunner{})
}

// workDir makes a fresh work directory whose parent is also fresh, so that
// escapes into the parent can be detected.
func newWorkDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "work")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// copyTestBinary puts this test binary into dir so that it can run in the sandbox.
func copyTestBinary(t *testing.T, dir string) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(self)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	dst := filepath.Join(dir, "sandbox-helper")
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return dst
}

func run(t *testing.T, r Runner, s Spec) *Result {
	t.Helper()
	if s.Timeout == 0 {
		s.Timeout = time.Minute
	}
	res, err := r.Run(context.Background(), s)
	if err != nil {
		t.Fatalf("%s: Run(%q): %v", r.Name(), s.Args, err)
	}
	return res
}

func sh(script string) []string { return []string{"/bin/sh", "-c", script} }

func TestNetworkDenied(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan string, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b, _ := io.ReadAll(io.LimitReader(c, 100))
			_ = c.Close()
			accepted <- string(b)
		}
	}()
	addr := ln.Addr().String()
	for _, r := range all(t) {
		t.Run(r.Name(), func(t *testing.T) {
			dir := newWorkDir(t)
			helper := copyTestBinary(t, dir)
			res := run(t, r, Spec{Dir: dir, Args: []string{helper},
				Env: []string{helperEnv + "=dial", "TARCHECK_DIAL_ADDR=" + addr}})
			if Unsafe(r) {
				// The control: without isolation the same helper does connect,
				// so the isolated runs below prove the sandbox, not the helper.
				if res.ExitCode != helperDialOK {
					t.Fatalf("unsandboxed dial failed (exit %d): %s", res.ExitCode, res.Output)
				}
				select {
				case got := <-accepted:
					if !strings.Contains(got, "hello") {
						t.Fatalf("listener got %q", got)
					}
				case <-time.After(5 * time.Second):
					t.Fatal("listener got no connection from the unsandboxed helper")
				}
				return
			}
			if res.ExitCode != helperDialFailed {
				t.Fatalf("dial from inside: exit %d, want %d (connection must fail): %s",
					res.ExitCode, helperDialFailed, res.Output)
			}
			select {
			case got := <-accepted:
				t.Fatalf("listener outside accepted a connection from the sandbox: %q", got)
			case <-time.After(100 * time.Millisecond):
			}
		})
	}
}

func TestWritesConfinedToWorkDir(t *testing.T) {
	for _, r := range isolating(t) {
		t.Run(r.Name(), func(t *testing.T) {
			dir := newWorkDir(t)
			tag := fmt.Sprintf("tarcheck-escape-%d", time.Now().UnixNano())
			outside := []string{
				filepath.Join(filepath.Dir(dir), tag), // sibling of the work dir
				"/tmp/" + tag,
				"/etc/" + tag,
				"/usr/" + tag,
				"/" + tag,
			}
			for _, p := range outside {
				t.Cleanup(func() { _ = os.Remove(p) })
			}
			script := `echo inside > "$PWD/inside.txt"
for p in "$@"; do
	if (echo x > "$p") 2>/dev/null; then echo "WROTE $p"; else echo "DENIED $p"; fi
done
if (true >> /proc/sys/kernel/core_pattern) 2>/dev/null; then echo "WROTE /proc/sys"; fi
`
			res := run(t, r, Spec{Dir: dir, Args: append(sh(script), append([]string{"sh"}, outside...)...)})
			if res.ExitCode != 0 {
				t.Fatalf("exit %d: %s", res.ExitCode, res.Output)
			}
			if b, err := os.ReadFile(filepath.Join(dir, "inside.txt")); err != nil || string(b) != "inside\n" {
				t.Fatalf("write inside the work dir: %q, %v; output: %s", b, err, res.Output)
			}
			for _, p := range outside {
				if _, err := os.Lstat(p); err == nil {
					t.Errorf("sandboxed command created %s on the host", p)
				}
			}
			// System directories must refuse the write inside the sandbox too.
			for _, want := range []string{"DENIED /etc/", "DENIED /usr/", "DENIED /" + tag} {
				if !bytes.Contains(res.Output, []byte(want)) {
					t.Errorf("output lacks %q:\n%s", want, res.Output)
				}
			}
			if bytes.Contains(res.Output, []byte("WROTE /proc/sys")) {
				t.Errorf("/proc/sys is writable inside the sandbox")
			}
		})
	}
}

func TestHomeHidden(t *testing.T) {
	for _, r := range isolating(t) {
		t.Run(r.Name(), func(t *testing.T) {
			dir := newWorkDir(t)
			// The caller's HOME lies inside the work dir, the one place the
			// sandbox can see: only the tmpfs over it can hide the marker.
			home := filepath.Join(dir, "home")
			other := filepath.Join(dir, "otherhome")
			for _, h := range []string{home, other} {
				if err := os.MkdirAll(filepath.Join(h, ".ssh"), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(h, ".ssh", "id_ed25519"), []byte("secret"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			t.Setenv("HOME", home)
			script := `echo "HOME=$HOME"
ls -A "$HOME"
if [ -e "$HOME/.ssh/id_ed25519" ] || [ -e "$1/.ssh/id_ed25519" ]; then echo LEAK; fi
echo scratch > "$HOME/scratch" && echo home-writable
`
			for _, env := range [][]string{nil, {"HOME=" + other}} {
				res := run(t, r, Spec{Dir: dir, Args: append(sh(script), "sh", home), Env: env})
				want := home
				if env != nil {
					want = other
				}
				if res.ExitCode != 0 || !bytes.HasPrefix(res.Output, []byte("HOME="+want+"\n")) {
					t.Fatalf("env %q: exit %d: %s", env, res.ExitCode, res.Output)
				}
				if bytes.Contains(res.Output, []byte("LEAK")) || bytes.Contains(res.Output, []byte(".ssh")) {
					t.Fatalf("env %q: $HOME content visible in the sandbox:\n%s", env, res.Output)
				}
				if !bytes.Contains(res.Output, []byte("home-writable")) {
					t.Fatalf("env %q: $HOME not writable inside:\n%s", env, res.Output)
				}
				if _, err := os.Stat(filepath.Join(want, "scratch")); err == nil {
					t.Fatalf("env %q: a write to $HOME reached the host", env)
				}
			}
		})
	}
}

func TestWorkDirInsideHome(t *testing.T) {
	for _, r := range isolating(t) {
		t.Run(r.Name(), func(t *testing.T) {
			home := t.TempDir()
			if err := os.WriteFile(filepath.Join(home, ".netrc"), []byte("secret"), 0o600); err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(home, "src", "work")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			t.Setenv("HOME", home)
			res := run(t, r, Spec{Dir: dir, Args: sh(`ls -A "$HOME"; cat "$HOME/.netrc" 2>/dev/null && echo LEAK; echo ok > "$PWD/out"`)})
			if res.ExitCode != 0 || bytes.Contains(res.Output, []byte("LEAK")) || bytes.Contains(res.Output, []byte(".netrc")) {
				t.Fatalf("exit %d, output:\n%s", res.ExitCode, res.Output)
			}
			if b, err := os.ReadFile(filepath.Join(dir, "out")); err != nil || string(b) != "ok\n" {
				t.Fatalf("work dir under $HOME not writable: %q %v", b, err)
			}
		})
	}
}

// killScript leaves children behind that append to a file every 50ms: one in the
// same process group and, unless sameSession, one in its own session (which only a
// PID namespace catches).
func killScript(sameSession bool) string {
	s := `(while :; do echo x >> "$PWD/child"; sleep 0.05; done) &
`
	if !sameSession {
		s += `setsid sh -c 'while :; do echo x >> "$PWD/session"; sleep 0.05; done' &
`
	}
	s += `while [ ! -s "$PWD/child" ]; do sleep 0.01; done
`
	if !sameSession {
		s += `while [ ! -s "$PWD/session" ]; do sleep 0.01; done
`
	}
	return s + `echo started
sleep 60
`
}

// assertNoSurvivors checks that the files written by killScript's children have
// stopped growing.
func assertNoSurvivors(t *testing.T, dir string, sameSession bool) {
	t.Helper()
	files := []string{"child"}
	if !sameSession {
		files = append(files, "session")
	}
	size := func(f string) int64 {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatalf("%s never started: %v", f, err)
		}
		return fi.Size()
	}
	before := map[string]int64{}
	for _, f := range files {
		before[f] = size(f)
	}
	time.Sleep(500 * time.Millisecond)
	for _, f := range files {
		if after := size(f); after != before[f] {
			t.Errorf("the %s process survived the kill (%d -> %d bytes)", f, before[f], after)
		}
	}
}

func TestTimeoutKillsTree(t *testing.T) {
	for _, r := range all(t) {
		t.Run(r.Name(), func(t *testing.T) {
			dir := newWorkDir(t)
			start := time.Now()
			res, err := r.Run(context.Background(), Spec{Dir: dir, Args: sh(killScript(Unsafe(r))),
				Timeout: 2 * time.Second})
			elapsed := time.Since(start)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if !res.TimedOut || res.ExitCode != -1 {
				t.Fatalf("TimedOut=%v ExitCode=%d, want true, -1; output %s", res.TimedOut, res.ExitCode, res.Output)
			}
			if elapsed > 5*time.Second {
				t.Fatalf("Run returned %s after start; the kill was not prompt", elapsed)
			}
			if !bytes.Contains(res.Output, []byte("started")) {
				t.Fatalf("output before the kill was lost: %q", res.Output)
			}
			assertNoSurvivors(t, dir, Unsafe(r))
		})
	}
}

func TestContextCancelKillsTree(t *testing.T) {
	for _, r := range all(t) {
		t.Run(r.Name(), func(t *testing.T) {
			dir := newWorkDir(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			// Cancel as soon as the children are running (like Ctrl-C mid-build).
			started := &notifyWriter{want: "started", fire: cancel}
			start := time.Now()
			res, err := r.Run(ctx, Spec{Dir: dir, Args: sh(killScript(Unsafe(r))), Timeout: time.Minute,
				Stdout: started})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			if res == nil || res.TimedOut {
				t.Fatalf("result %+v, want one that is not TimedOut", res)
			}
			if !started.seen() {
				t.Fatalf("cancelled before the command started: %q", res.Output)
			}
			if elapsed := time.Since(start) - started.after(start); elapsed > 3*time.Second {
				t.Fatalf("Run returned %s after start; the kill was not prompt", elapsed)
			}
			assertNoSurvivors(t, dir, Unsafe(r))
		})
	}
}

// notifyWriter calls fire once the output contains want.
type notifyWriter struct {
	want string
	fire func()
	mu   sync.Mutex
	buf  []byte
	at   time.Time
}

func (w *notifyWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.at.IsZero() {
		return len(p), nil
	}
	w.buf = append(w.buf, p...)
	if bytes.Contains(w.buf, []byte(w.want)) {
		w.at = time.Now()
		w.fire()
	}
	return len(p), nil
}

func (w *notifyWriter) seen() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return !w.at.IsZero()
}

// after returns how long after start want was seen.
func (w *notifyWriter) after(start time.Time) time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.at.Sub(start)
}

func TestCPULimit(t *testing.T) {
	for _, r := range all(t) {
		t.Run(r.Name(), func(t *testing.T) {
			res := run(t, r, Spec{Dir: newWorkDir(t), Args: sh("while :; do :; done"),
				CPUTime: time.Second, Timeout: 20 * time.Second})
			if res.TimedOut || (res.ExitCode != 128+9 && res.ExitCode != 128+24) {
				t.Fatalf("TimedOut=%v ExitCode=%d, want a SIGKILL/SIGXCPU exit (137/152); output %s",
					res.TimedOut, res.ExitCode, res.Output)
			}
			if res.Duration > 10*time.Second {
				t.Fatalf("took %s for a 1s CPU limit", res.Duration)
			}
		})
	}
}

func TestOutputLimit(t *testing.T) {
	for _, r := range all(t) {
		t.Run(r.Name(), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			res := run(t, r, Spec{Dir: newWorkDir(t),
				Args:      sh(`i=0; while [ $i -lt 2000 ]; do echo "line $i of output"; echo "err $i" >&2; i=$((i+1)); done`),
				MaxOutput: 1000, Stdout: &stdout, Stderr: &stderr})
			if res.ExitCode != 0 {
				t.Fatalf("exit %d", res.ExitCode)
			}
			if len(res.Output) != 1000 || !res.Truncated {
				t.Fatalf("len(Output)=%d Truncated=%v, want 1000, true", len(res.Output), res.Truncated)
			}
			if n := stdout.Len() + stderr.Len(); n != 1000 {
				t.Fatalf("forwarded %d bytes, want 1000", n)
			}
			var fullOut, fullErr strings.Builder
			for i := range 2000 {
				fmt.Fprintf(&fullOut, "line %d of output\n", i)
				fmt.Fprintf(&fullErr, "err %d\n", i)
			}
			if !strings.HasPrefix(fullOut.String(), stdout.String()) || !strings.HasPrefix(fullErr.String(), stderr.String()) {
				t.Fatalf("streams mixed up: stdout %q, stderr %q", stdout.String(), stderr.String())
			}

			res = run(t, r, Spec{Dir: newWorkDir(t), Args: sh("echo out; echo err >&2; echo out2")})
			if string(res.Output) != "out\nerr\nout2\n" || res.Truncated {
				t.Fatalf("combined output %q (truncated %v), want exact interleaving", res.Output, res.Truncated)
			}
		})
	}
}

func TestExitCodeEnvAndWorkDir(t *testing.T) {
	t.Setenv("TARCHECK_LEAK_CHECK", "leaked")
	for _, r := range all(t) {
		t.Run(r.Name(), func(t *testing.T) {
			dir := newWorkDir(t)
			res := run(t, r, Spec{Dir: dir, Env: []string{"FOO=bar baz"},
				Args: sh(`echo "pwd=$(pwd)"; echo "foo=$FOO"; echo "leak=${TARCHECK_LEAK_CHECK:-}"; exit 7`)})
			want := fmt.Sprintf("pwd=%s\nfoo=bar baz\nleak=\n", dir)
			if res.ExitCode != 7 || string(res.Output) != want {
				t.Fatalf("exit %d output %q, want 7 and %q", res.ExitCode, res.Output, want)
			}
			res = run(t, r, Spec{Dir: dir, Args: []string{"tarcheck-no-such-command"}})
			if res.ExitCode != 127 {
				t.Fatalf("missing command: exit %d, want 127: %s", res.ExitCode, res.Output)
			}
			if r.Name() == BackendNamespaces {
				return // the command is PID 1 there and ignores signals it does not handle
			}
			res = run(t, r, Spec{Dir: dir, Args: sh("kill -TERM $$; sleep 5")})
			if res.ExitCode != 128+15 {
				t.Fatalf("killed by SIGTERM: exit %d, want 143", res.ExitCode)
			}
		})
	}
}

func TestNoPrivileges(t *testing.T) {
	for _, r := range isolating(t) {
		t.Run(r.Name(), func(t *testing.T) {
			res := run(t, r, Spec{Dir: newWorkDir(t), Args: []string{"grep", "-E", "^(NoNewPrivs|CapEff|CapPrm):", "/proc/self/status"}})
			out := string(res.Output)
			for _, want := range []string{"NoNewPrivs:\t1", "CapEff:\t0000000000000000", "CapPrm:\t0000000000000000"} {
				if !strings.Contains(out, want) {
					t.Errorf("missing %q in:\n%s", want, out)
				}
			}
		})
	}
}

func TestInvalidSpec(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		s    Spec
	}{
		{"no command", Spec{Dir: dir}},
		{"no dir", Spec{Args: []string{"true"}}},
		{"root dir", Spec{Dir: "/", Args: []string{"true"}}},
		{"tmp itself", Spec{Dir: "/tmp", Args: []string{"true"}}},
		{"system dir", Spec{Dir: "/usr/bin", Args: []string{"true"}}},
		{"etc", Spec{Dir: "/etc", Args: []string{"true"}}},
		{"missing dir", Spec{Dir: filepath.Join(dir, "missing"), Args: []string{"true"}}},
		{"file as dir", Spec{Dir: file, Args: []string{"true"}}},
		{"bad env", Spec{Dir: dir, Args: []string{"true"}, Env: []string{"NOEQUALS"}}},
		{"duplicate env", Spec{Dir: dir, Args: []string{"true"}, Env: []string{"A=1", "A=2"}}},
		{"nul in arg", Spec{Dir: dir, Args: []string{"echo", "a\x00b"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, r := range []Runner{noneRunner{}, &bwrapRunner{path: "/bin/false"}, &namespacesRunner{}} {
				if _, err := r.Run(context.Background(), tc.s); !errors.Is(err, ErrInvalidSpec) {
					t.Errorf("%s: err = %v, want ErrInvalidSpec", r.Name(), err)
				}
			}
		})
	}
}

func TestNew(t *testing.T) {
	if _, err := New("chroot"); !errors.Is(err, ErrUnknownBackend) {
		t.Fatalf("New(chroot) err = %v, want ErrUnknownBackend", err)
	}
	r, err := New(BackendNone)
	if err != nil {
		t.Fatal(err)
	}
	if r.Name() != "none (unsafe)" || !Unsafe(r) {
		t.Fatalf("none: Name %q Unsafe %v", r.Name(), Unsafe(r))
	}
	if err := Probe(context.Background(), BackendNone); err != nil {
		t.Fatalf("Probe(none): %v", err)
	}
	iso := isolating(t)
	auto, err := New(BackendAuto)
	if err != nil {
		t.Fatalf("New(auto) with %s available: %v", iso[0].Name(), err)
	}
	if auto.Name() != iso[0].Name() || Unsafe(auto) {
		t.Fatalf("auto chose %q, want %q", auto.Name(), iso[0].Name())
	}
}

func TestSetupFailureIsReported(t *testing.T) {
	dir := t.TempDir()
	// A bwrap that cannot work: the run never reaches the command.
	r := &bwrapRunner{path: "/bin/false"}
	res, err := r.Run(context.Background(), Spec{Dir: dir, Args: []string{"true"}})
	if !errors.Is(err, ErrSetup) {
		t.Fatalf("err = %v (result %+v), want ErrSetup", err, res)
	}
	if err := probeRunner(context.Background(), r); !errors.Is(err, ErrSetup) {
		t.Fatalf("probe err = %v, want ErrSetup", err)
	}
	// A command that merely fails is not a setup failure.
	res, err = noneRunner{}.Run(context.Background(), Spec{Dir: dir, Args: []string{"false"}})
	if err != nil || res.ExitCode != 1 {
		t.Fatalf("false: %+v, %v", res, err)
	}
}

func TestUnavailable(t *testing.T) {
	saved := backendFor
	t.Cleanup(func() { backendFor = saved })
	backendFor = func(name string) (Runner, error) {
		if name == BackendBwrap {
			return &bwrapRunner{path: "/bin/false"}, nil
		}
		return nil, errors.New("setpriv not found")
	}
	for _, name := range []string{BackendAuto, BackendBwrap, BackendNamespaces} {
		_, err := New(name)
		if !errors.Is(err, ErrUnavailable) {
			t.Fatalf("New(%s) err = %v, want ErrUnavailable", name, err)
		}
		if name == BackendAuto && (!strings.Contains(err.Error(), "bwrap") || !strings.Contains(err.Error(), "setpriv")) {
			t.Fatalf("auto error does not say why each backend failed: %v", err)
		}
	}
	if r, err := New(BackendNone); err != nil || !Unsafe(r) {
		t.Fatalf("none must stay available: %v", err)
	}
}

func TestRunScript(t *testing.T) {
	for _, r := range all(t) {
		t.Run(r.Name(), func(t *testing.T) {
			dir := newWorkDir(t)
			res, err := RunScript(context.Background(), r, dir,
				`echo "$GREETING" > made-by-script; false; echo not-reached`,
				[]string{"GREETING=hi"}, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if res.ExitCode != 1 || bytes.Contains(res.Output, []byte("not-reached")) {
				t.Fatalf("exit %d output %q: set -e not honoured", res.ExitCode, res.Output)
			}
			if b, _ := os.ReadFile(filepath.Join(dir, "made-by-script")); string(b) != "hi\n" {
				t.Fatalf("made-by-script = %q", b)
			}
		})
	}
}

func BenchmarkRunTrue(b *testing.B) {
	for _, name := range []string{BackendBwrap, BackendNamespaces, BackendNone} {
		b.Run(name, func(b *testing.B) {
			r, err := New(name)
			if err != nil {
				b.Skip(err)
			}
			dir := b.TempDir()
			for b.Loop() {
				res, err := r.Run(context.Background(), Spec{Dir: dir, Args: []string{"true"}})
				if err != nil || res.ExitCode != 0 {
					b.Fatal(res, err)
				}
			}
		})
	}
}
