package adversary

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/tarcheck/tarcheck/sandbox"
)

// ErrNoTrigger means a variant's payload has no build step to run here
// (TriggerNone, or TriggerCMake without cmake).
var ErrNoTrigger = errors.New("no build step runs this payload")

// triggerScripts are the build steps run for each trigger.
var triggerScripts = map[Trigger]string{
	TriggerConfigure: "./configure -q --disable-dependency-tracking",
	TriggerMake:      "./configure -q --disable-dependency-tracking\nmake -s",
	TriggerCheck:     "./configure -q --disable-dependency-tracking\nmake -s\nmake -s check",
	TriggerCMake:     "mkdir _cmake\ncd _cmake\ncmake -S .. -B .",
}

// Proof is the outcome of running a variant's trigger.
type Proof struct {
	// Ran says the marker file appeared: the payload ran.
	Ran bool
	// ExitCode is the build script's exit status (the payload may run even
	// when a later step fails).
	ExitCode int
	// Output is the tail of the build output.
	Output []byte
	// Took is the wall time of the build steps.
	Took time.Duration
}

// Prove unpacks v's tarball into dir (which must exist and be empty), runs
// the build steps of v.Trigger in r with dir as the only writable directory
// and reports whether the payload created its marker. The error is non-nil
// when the variant has no trigger (ErrNoTrigger) or the sandbox could not
// run the steps.
func Prove(ctx context.Context, r sandbox.Runner, v Variant, dir string) (*Proof, error) {
	script, ok := triggerScripts[v.Trigger]
	if !ok {
		return nil, fmt.Errorf("adversary: %s: %w", v.ID, ErrNoTrigger)
	}
	if v.Trigger == TriggerCMake {
		if _, err := exec.LookPath("cmake"); err != nil {
			return nil, fmt.Errorf("adversary: %s: cmake not installed: %w", v.ID, ErrNoTrigger)
		}
	}
	t, err := readTarball(v.Tarball)
	if err != nil {
		return nil, err
	}
	root := filepath.Join(dir, Root)
	if err := t.writeDir(root); err != nil {
		return nil, err
	}
	marker := filepath.Join(root, MarkerName(v.ID))
	env := []string{"LC_ALL=C", "CONFIG_SITE=/dev/null", "MAKEFLAGS=", MarkerDirEnv + "=" + root}
	start := time.Now()
	res, err := r.Run(ctx, sandbox.Spec{
		Dir:     root,
		Args:    []string{"/bin/sh", "-c", "set -e\n" + script, "adversary-" + v.ID},
		Env:     env,
		Timeout: 5 * time.Minute,
	})
	if err != nil {
		return nil, fmt.Errorf("adversary: %s: running %s: %w", v.ID, v.Trigger, err)
	}
	p := &Proof{ExitCode: res.ExitCode, Output: res.Output, Took: time.Since(start)}
	if len(p.Output) > 4000 {
		p.Output = p.Output[len(p.Output)-4000:]
	}
	if _, err := os.Stat(marker); err == nil {
		p.Ran = true
	}
	return p, nil
}
