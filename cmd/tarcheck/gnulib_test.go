package main

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/tarcheck/tarcheck/verify/report"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGnulibPinned: a project pins gnulib as a submodule; files copied from
// gnulib into the tarball are compared with that exact commit.
func TestGnulibPinned(t *testing.T) {
	requireTool(t, "git", "tar")
	dir := t.TempDir()
	// gnulib: two commits; the project pins the first.
	gl := filepath.Join(dir, "gnulib")
	mustWrite(t, filepath.Join(gl, "lib/xalloc.c"), "/* xalloc, pinned version */\nvoid *xmalloc(unsigned long n);\n", 0o644)
	mustWrite(t, filepath.Join(gl, "lib/xalloc.h"), "#define XALLOC_H 1\n", 0o644)
	git(t, gl, "-c", "init.defaultBranch=main", "init", "-q")
	gitCommitAll(t, gl)
	pinned := strings.TrimSpace(git(t, gl, "rev-parse", "HEAD"))
	mustWrite(t, filepath.Join(gl, "lib/xalloc.c"), "/* xalloc, newer version */\n", 0o644)
	gitCommitAll(t, gl)

	foo := filepath.Join(dir, "foo")
	mustWrite(t, filepath.Join(foo, "configure.ac"), "AC_INIT([foo], [1.0])\n", 0o644)
	mustWrite(t, filepath.Join(foo, ".gitmodules"), "[submodule \"gnulib\"]\n\tpath = gnulib\n\turl = https://example.invalid/gnulib.git\n", 0o644)
	git(t, foo, "-c", "init.defaultBranch=main", "init", "-q")
	git(t, foo, "add", "-A")
	// A gitlink without a checked-out submodule (git add -A would drop it).
	git(t, foo, "update-index", "--add", "--cacheinfo", "160000,"+pinned+",gnulib")
	git(t, foo, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "x")
	git(t, foo, "tag", "v1.0")

	// The release: the pinned xalloc.c (a faithful copy) and a modified xalloc.h.
	rel := filepath.Join(dir, "foo-1.0")
	mustWrite(t, filepath.Join(rel, "configure.ac"), "AC_INIT([foo], [1.0])\n", 0o644)
	mustWrite(t, filepath.Join(rel, "lib/xalloc.c"), "/* xalloc, pinned version */\nvoid *xmalloc(unsigned long n);\n", 0o644)
	mustWrite(t, filepath.Join(rel, "lib/xalloc.h"), "#define XALLOC_H 1\nextern int backdoor;\n", 0o644)
	tarball := filepath.Join(dir, "foo-1.0.tar.gz")
	if out, err := exec.Command("tar", "-C", dir, "-czf", tarball, "foo-1.0").CombinedOutput(); err != nil {
		t.Fatalf("tar: %v %s", err, out)
	}

	verifyJSON := func(args ...string) (*report.Report, int) {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append([]string{"verify", tarball, "--git", foo, "--tag", "v1.0", "--format", "json",
			"--cache-dir", filepath.Join(dir, "cache")}, args...), nil, &stdout, &stderr)
		var r report.Report
		if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
			t.Fatalf("exit %d: %v: %s", code, err, stderr.String())
		}
		return &r, code
	}
	byPath := func(r *report.Report) map[string]report.FileDiff {
		m := map[string]report.FileDiff{}
		for _, f := range r.Files {
			m[f.Path] = f
		}
		return m
	}

	r, code := verifyJSON("--gnulib", gl)
	files := byPath(r)
	if f := files["lib/xalloc.c"]; f.Class != "gnulib-copy" || f.Severity != report.SevInfo {
		t.Errorf("pinned copy: %+v", f)
	}
	if f := files["lib/xalloc.h"]; f.Class != "gnulib-modified" || f.Severity != report.SevHigh {
		t.Errorf("modified copy: %+v", f)
	}
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if !strings.Contains(strings.Join(r.Notes, "\n"), pinned[:12]) {
		t.Errorf("notes do not name the pinned commit: %q", r.Notes)
	}

	// Without --gnulib and offline, the .gitmodules URL cannot be used: a note says so.
	r, _ = verifyJSON("--offline")
	if f := byPath(r)["lib/xalloc.c"]; f.Class == "gnulib-copy" {
		t.Errorf("compared with gnulib although it was unavailable: %+v", f)
	}
	if !strings.Contains(strings.Join(r.Notes, "\n"), "gnulib") {
		t.Errorf("no note about the unavailable gnulib: %q", r.Notes)
	}
}
