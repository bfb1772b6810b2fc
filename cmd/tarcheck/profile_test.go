package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProfilesWrittenOnFailure runs a batch whose worst verdict is a fail
// (exit 1) and a usage error (exit 2) with --cpuprofile, --memprofile and
// --exectrace: both profiles must be written (non-empty gzip streams, as
// pprof writes them), and the trace (runtime/trace's header).
func TestProfilesWrittenOnFailure(t *testing.T) {
	f := newBatchFixture(t)
	m := f.manifest(t, "two.yaml", strings.Split(mixedManifest, "  - name: missing")[0])
	cases := []struct {
		name string
		args []string
		code int
	}{
		{"verdict-fail", []string{"batch", m, "--format", "json", "--cache-dir", f.cache}, exitFail},
		{"usage-error", []string{"verify", filepath.Join(t.TempDir(), "missing.tar.gz")}, exitUsage},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			cpu, mem, tr := filepath.Join(dir, "cpu.prof"), filepath.Join(dir, "mem.prof"), filepath.Join(dir, "exec.trace")
			args := append([]string{"--cpuprofile", cpu, "--memprofile", mem, "--exectrace", tr}, c.args...)
			if code, _, errOut := runCLI(t, "", args...); code != c.code {
				t.Fatalf("exit %d, want %d; stderr %s", code, c.code, errOut)
			}
			for _, p := range []string{cpu, mem} {
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatalf("profile not written: %v", err)
				}
				if len(b) < 20 || b[0] != 0x1f || b[1] != 0x8b {
					t.Errorf("%s is not a pprof profile (%d bytes)", filepath.Base(p), len(b))
				}
			}
			if b, err := os.ReadFile(tr); err != nil || !strings.HasPrefix(string(b), "go 1.") {
				t.Errorf("execution trace not written (%d bytes): %v", len(b), err)
			}
		})
	}
}
