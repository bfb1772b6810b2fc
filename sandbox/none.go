package sandbox

import (
	"context"
	"os/exec"
)

// noneName is what the "none" backend reports, so that no report can present an
// unisolated run as sandboxed.
const noneName = "none (unsafe)"

// noneRunner runs commands directly on the host: only the time and output limits
// and the process-group kill apply. A process that starts its own session escapes
// the kill.
type noneRunner struct{}

// Name implements Runner.
func (noneRunner) Name() string { return noneName }

// Run implements Runner.
func (noneRunner) Run(ctx context.Context, s Spec) (*Result, error) {
	p, err := newPlan(s, false)
	if err != nil {
		return nil, err
	}
	if len(s.Overlays) > 0 || len(s.Binds) > 0 {
		return nil, errNoOverlays(noneRunner{})
	}
	w := p.wrapped()
	cmd := exec.Command(w[0], w[1:]...)
	cmd.Env = p.env
	cmd.Dir = p.dir
	return execute(ctx, p, cmd)
}
