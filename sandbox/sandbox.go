// Package sandbox runs a command isolated from the host: no network, the host's
// /usr, /bin, /sbin, /lib* and /etc read-only, a private /tmp, $HOME hidden behind an
// empty tmpfs, exactly one writable work directory, no new privileges, a wall-time and
// CPU-time limit, a cap on captured output, and the whole process tree killed on
// timeout or context cancellation.
//
// tarcheck uses it to run upstream code (autoreconf, configure, make dist) when it
// rebuilds a release. Two isolating backends sit behind one [Runner] interface:
//
//   - "bwrap": bubblewrap (/usr/bin/bwrap).
//   - "namespaces": built in; it starts /bin/sh in fresh mount, network, PID, IPC and
//     UTS namespaces (plus a user namespace when not running as root), builds a new
//     root on a tmpfs with bind mounts, pivot_roots into it and executes the command
//     through util-linux's setpriv with no_new_privs and every capability dropped.
//
// A third, "none", runs the command directly on the host with only the time and
// output limits; it is an explicit, unsafe opt-out and its Name says so.
//
// Layout seen by the command (both isolating backends): the work directory
// ([Spec.Dir], after resolving symlinks) is bind-mounted read-write at the same path
// and is the starting directory; /usr, /etc and /bin, /sbin, /lib, /lib32, /lib64,
// /libx32 (as directories or the same symlinks as on the host) are read-only; /tmp,
// /dev/shm and $HOME are empty tmpfs; /proc is a fresh proc for the new PID namespace;
// /dev holds only null, zero, full, random, urandom and tty; everything else on the
// host (/home, /root, /var, /run, /opt, /srv, /mnt, ...) does not exist. The network
// namespace has only a loopback interface (down for "namespaces", up for "bwrap"), so
// nothing on the host or beyond is reachable.
//
// [Spec.Overlays] lays host directories (an unpacked toolchain) over /usr with a
// read-only overlayfs and [Spec.Binds] adds read-only bind mounts; only the
// "namespaces" backend mounts overlays ([SupportsOverlays]).
//
// What the caller must still know: /etc is visible read-only (including files such
// as /etc/shadow when running as root, since the command keeps uid 0 without
// capabilities); the kernel is shared, so the sandbox is no defence against kernel
// exploits; RLIMIT_CPU applies per process, not to the tree as a whole (the wall-time
// limit covers the tree).
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/tarcheck/tarcheck/internal/limits"
)

// Backend names accepted by [New].
const (
	BackendAuto       = "auto"
	BackendBwrap      = "bwrap"
	BackendNamespaces = "namespaces"
	BackendNone       = "none"
)

// Defaults applied when a [Spec] leaves a limit at zero.
const (
	// DefaultTimeout is the wall-time limit used when Spec.Timeout is zero.
	DefaultTimeout = limits.SandboxTimeout
	// DefaultMaxOutput is the output cap used when Spec.MaxOutput is zero or negative.
	DefaultMaxOutput int64 = limits.SandboxMaxOutput
	// probeTimeout bounds one backend probe.
	probeTimeout = 20 * time.Second
	// killGrace is how long Run waits for output pipes after the process tree was
	// killed (a process that escaped the tree, possible only with "none", may hold them).
	killGrace = 2 * time.Second
	// maxSetupLog caps what is kept of the sandbox's own setup diagnostics.
	maxSetupLog = limits.SandboxMaxSetupLog
)

// UnavailableHint is a user-facing suggestion to print when [New] returns an error
// wrapping [ErrUnavailable].
const UnavailableHint = "install bubblewrap (bwrap), or allow unprivileged user namespaces " +
	"(sysctl kernel.unprivileged_userns_clone=1, or kernel.apparmor_restrict_unprivileged_userns=0), " +
	"or run as root; --sandbox none runs upstream code without isolation (unsafe)"

var (
	// ErrUnavailable means no requested sandbox backend works on this machine. The
	// error text says why for each backend tried; see [UnavailableHint].
	ErrUnavailable = errors.New("no working sandbox backend")
	// ErrUnknownBackend means New was given a name it does not know.
	ErrUnknownBackend = errors.New("unknown sandbox backend")
	// ErrInvalidSpec means a Spec cannot be run (no command, bad work directory, ...).
	ErrInvalidSpec = errors.New("invalid sandbox spec")
	// ErrSetup means the sandbox could not be set up for this run; the command
	// itself never started.
	ErrSetup = errors.New("sandbox setup failed")
)

// Spec describes one command to run.
type Spec struct {
	// Dir is the host path of the one writable directory. It must exist, must not be
	// "/", /tmp, or lie inside a read-only system directory. It is mounted at the same
	// path (after resolving symlinks) and the command starts there.
	Dir string
	// Args is the command and its arguments; Args[0] is looked up in the PATH given
	// by Env (or a default PATH) inside the sandbox.
	Args []string
	// Env is the complete environment of the command ("KEY=value"); nothing is
	// inherited from the caller. PATH defaults to a standard system path. HOME
	// defaults to the caller's $HOME path, which inside the sandbox is an empty tmpfs.
	Env []string
	// Timeout is the wall-time limit; zero means DefaultTimeout. When it passes the
	// whole process tree is killed and Result.TimedOut is set.
	Timeout time.Duration
	// CPUTime is RLIMIT_CPU for each process (rounded up to whole seconds); zero
	// means no CPU limit beyond the wall time.
	CPUTime time.Duration
	// MaxOutput caps the bytes of stdout plus stderr kept in Result.Output and
	// passed to Stdout/Stderr; zero or negative means DefaultMaxOutput. Output past
	// the cap is read and dropped, and Result.Truncated is set.
	MaxOutput int64
	// Stdout and Stderr, when not nil, also receive the command's output (within
	// MaxOutput). Write errors on them are ignored. Stdin is always /dev/null.
	Stdout, Stderr io.Writer
	// Overlays lay host directories over /usr or /etc (see [Overlay]); only
	// the namespaces backend supports them ([SupportsOverlays]).
	Overlays []Overlay
	// Binds are extra read-only bind mounts (see [Bind]).
	Binds []Bind
}

// Result is the outcome of a command that was started.
type Result struct {
	// ExitCode is the command's exit status; 128+n when it was killed by signal n;
	// -1 when it was killed on timeout or cancellation.
	ExitCode int
	// Output is stdout and stderr interleaved, at most Spec.MaxOutput bytes.
	Output []byte
	// Duration is the wall time from start to exit.
	Duration time.Duration
	// TimedOut reports that the wall-time limit killed the process tree.
	TimedOut bool
	// Truncated reports that output beyond Spec.MaxOutput was dropped.
	Truncated bool
}

// Runner runs commands in one kind of sandbox. Implementations are safe for
// concurrent use.
type Runner interface {
	// Name identifies the backend for reports: "bwrap", "namespaces" or
	// "none (unsafe)".
	Name() string
	// Run runs s.Args and waits for it. A non-zero exit status or a timeout is not an
	// error: both are in the Result. The error is non-nil when the spec is invalid
	// (ErrInvalidSpec), the sandbox could not be set up (ErrSetup), or ctx was
	// cancelled (the error wraps ctx.Err(); when the command had started, its
	// Result, with the output so far, is returned too).
	Run(ctx context.Context, s Spec) (*Result, error)
}

// New returns the named backend after checking that it can start a command on this
// machine (see [Probe]). "auto" picks bwrap when it works, else namespaces. "none"
// always works and isolates nothing. When the backend (or, for auto, every backend)
// fails the check, the error wraps ErrUnavailable.
func New(name string) (Runner, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*probeTimeout)
	defer cancel()
	return NewContext(ctx, name)
}

// NewContext is [New] with a context bounding the probes.
func NewContext(ctx context.Context, name string) (Runner, error) {
	switch name {
	case BackendNone:
		return noneRunner{}, nil
	case BackendBwrap, BackendNamespaces:
		r, err := backendFor(name)
		if err == nil {
			err = probeRunner(ctx, r)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrUnavailable, name, err)
		}
		return r, nil
	case BackendAuto, "":
		var errs []error
		for _, n := range []string{BackendBwrap, BackendNamespaces} {
			r, err := backendFor(n)
			if err == nil {
				err = probeRunner(ctx, r)
			}
			if err == nil {
				return r, nil
			}
			if ctx.Err() != nil {
				return nil, fmt.Errorf("probing sandbox backends: %w", ctx.Err())
			}
			errs = append(errs, fmt.Errorf("%s: %w", n, err))
		}
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, errors.Join(errs...))
	default:
		return nil, fmt.Errorf("%w %q (want auto, bwrap, namespaces or none)", ErrUnknownBackend, name)
	}
}

// Probe reports whether the named backend ("bwrap", "namespaces" or "none") can run
// `true` on this machine; a nil error means it did, inside the full sandbox.
func Probe(ctx context.Context, name string) error {
	switch name {
	case BackendNone:
		return probeRunner(ctx, noneRunner{})
	case BackendBwrap, BackendNamespaces:
		r, err := newBackend(name)
		if err != nil {
			return err
		}
		return probeRunner(ctx, r)
	default:
		return fmt.Errorf("%w %q", ErrUnknownBackend, name)
	}
}

// Unsafe reports whether r provides no isolation (the "none" backend).
func Unsafe(r Runner) bool {
	_, ok := r.(noneRunner)
	return ok
}

// backendFor constructs an isolating backend; a variable so tests can simulate a
// machine where none works.
var backendFor = newBackend

func newBackend(name string) (Runner, error) {
	switch name {
	case BackendBwrap:
		return newBwrap()
	case BackendNamespaces:
		return newNamespaces()
	}
	return nil, fmt.Errorf("%w %q", ErrUnknownBackend, name)
}
