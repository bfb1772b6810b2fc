package sandbox

import (
	"context"
	"time"
)

// RunScript runs script with `/bin/sh -e -c` in r, with dir as the writable work
// directory and starting directory, env as the complete environment, and timeout as
// the wall-time limit (zero means DefaultTimeout). Output is capped at
// DefaultMaxOutput and returned in the Result. It is meant for steps such as
// `autoreconf -fi` or `./configure && make dist` on an exported tag: the script
// comes from tarcheck, but what it runs is upstream code, so r should isolate.
func RunScript(ctx context.Context, r Runner, dir, script string, env []string, timeout time.Duration) (*Result, error) {
	return r.Run(ctx, ScriptSpec(dir, script, env, timeout))
}

// ScriptSpec is the Spec RunScript runs, for a caller that adds to it (a
// toolchain's Overlays, Binds and Env) before calling Runner.Run.
func ScriptSpec(dir, script string, env []string, timeout time.Duration) Spec {
	return Spec{
		Dir:     dir,
		Args:    []string{shellPath, "-e", "-c", script, "tarcheck-rebuild"},
		Env:     env,
		Timeout: timeout,
	}
}
