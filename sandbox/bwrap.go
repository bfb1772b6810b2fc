package sandbox

import (
	"context"
	"os"
	"os/exec"
)

// bwrapRunner is the bubblewrap backend.
type bwrapRunner struct {
	path string
}

func newBwrap() (*bwrapRunner, error) {
	p, err := exec.LookPath("bwrap")
	if err != nil {
		if p, err2 := lookSystemTool("bwrap"); err2 == nil {
			return &bwrapRunner{path: p}, nil
		}
		return nil, err
	}
	return &bwrapRunner{path: p}, nil
}

// Name implements Runner.
func (r *bwrapRunner) Name() string { return BackendBwrap }

// Run implements Runner.
func (r *bwrapRunner) Run(ctx context.Context, s Spec) (*Result, error) {
	p, err := newPlan(s, true)
	if err != nil {
		return nil, err
	}
	if len(s.Overlays) > 0 {
		return nil, errNoOverlays(r)
	}
	steps, err := p.mounts()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(r.path, bwrapArgs(p, steps, os.Geteuid() == 0)...)
	// bwrap passes its own environment on; give it only PATH and set the
	// command's environment with --setenv (PATH included, overriding).
	cmd.Env = []string{"PATH=" + defaultPath}
	cmd.Dir = "/"
	return execute(ctx, p, cmd)
}

// bwrapArgs renders the plan as bubblewrap options. bwrap always sets
// no_new_privs; when it runs as root (no user namespace) every capability is
// dropped explicitly. /proc is remounted read-only: bwrap does not cover
// /proc/sys when the caller is root, and uid 0 may write sysctls without any
// capability.
func bwrapArgs(p *plan, steps []mountStep, root bool) []string {
	args := []string{
		"--die-with-parent", "--new-session",
		"--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
	}
	if root {
		args = append(args, "--cap-drop", "ALL")
	}
	for _, st := range steps {
		switch st.kind {
		case mountRO:
			args = append(args, "--ro-bind", st.src, st.dst)
		case mountRW:
			args = append(args, "--bind", st.src, st.dst)
		case mountTmpfs:
			args = append(args, "--tmpfs", st.dst)
		case mountSymlink:
			args = append(args, "--symlink", st.src, st.dst)
		case mountProc:
			args = append(args, "--proc", st.dst, "--remount-ro", st.dst)
		case mountDev:
			args = append(args, "--dev", st.dst, "--tmpfs", st.dst+"/shm")
		}
	}
	for _, kv := range p.env {
		k, v, _ := cutEnv(kv)
		args = append(args, "--setenv", k, v)
	}
	args = append(args, "--remount-ro", "/", "--chdir", p.dir, "--")
	return append(args, p.wrapped()...)
}
