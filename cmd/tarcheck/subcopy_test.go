package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tarcheck/tarcheck/verify/report"
)

// TestSubmoduleCopiedElsewhere: a project pins a submodule (tar's
// paxutils) and its bootstrap copies files from it to other paths
// (paxlib/error.c → lib/paxerror.c). With --submodule, the copies of the
// pinned commit are proved and name their origin; a copy of another
// commit's version, or the copies without the submodule, are not.
func TestSubmoduleCopiedElsewhere(t *testing.T) {
	requireTool(t, "git", "tar")
	dir := t.TempDir()
	const errorC = "/* paxlib/error.c, pinned version */\nvoid pax_error(void) {}\n"
	const rmtOld = "/* rmt.c, pinned version */\nint main(void) { return 0; }\n"
	const rmtNew = "/* rmt.c, newer version */\nint main(void) { return 1; }\n"
	pax := filepath.Join(dir, "paxutils")
	mustWrite(t, filepath.Join(pax, "paxlib/error.c"), errorC, 0o644)
	mustWrite(t, filepath.Join(pax, "rmt/rmt.c"), rmtOld, 0o644)
	git(t, pax, "-c", "init.defaultBranch=main", "init", "-q")
	gitCommitAll(t, pax)
	pinned := strings.TrimSpace(git(t, pax, "rev-parse", "HEAD"))
	mustWrite(t, filepath.Join(pax, "rmt/rmt.c"), rmtNew, 0o644)
	gitCommitAll(t, pax)

	foo := filepath.Join(dir, "foo")
	mustWrite(t, filepath.Join(foo, "configure.ac"), "AC_INIT([foo], [1.0])\n", 0o644)
	mustWrite(t, filepath.Join(foo, ".gitmodules"), "[submodule \"paxutils\"]\n\tpath = paxutils\n\turl = https://example.invalid/paxutils.git\n", 0o644)
	git(t, foo, "-c", "init.defaultBranch=main", "init", "-q")
	git(t, foo, "add", "-A")
	git(t, foo, "update-index", "--add", "--cacheinfo", "160000,"+pinned+",paxutils")
	git(t, foo, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "x")
	git(t, foo, "tag", "v1.0")

	// The release: the pinned error.c under another name, and rmt.c of
	// the newer (not pinned) paxutils commit.
	rel := filepath.Join(dir, "foo-1.0")
	mustWrite(t, filepath.Join(rel, "configure.ac"), "AC_INIT([foo], [1.0])\n", 0o644)
	mustWrite(t, filepath.Join(rel, "lib/paxerror.c"), errorC, 0o644)
	mustWrite(t, filepath.Join(rel, "rmt/rmt.c"), rmtNew, 0o644)
	tarball := filepath.Join(dir, "foo-1.0.tar.gz")
	if out, err := exec.Command("tar", "-C", dir, "-czf", tarball, "foo-1.0").CombinedOutput(); err != nil {
		t.Fatalf("tar: %v %s", err, out)
	}
	var notes []string // of the last run
	verifyFiles := func(args ...string) map[string]report.FileDiff {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append([]string{"verify", tarball, "--git", foo, "--tag", "v1.0", "--format", "json",
			"--cache-dir", filepath.Join(dir, "cache"), "--offline"}, args...), nil, &stdout, &stderr)
		var r report.Report
		if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
			t.Fatalf("exit %d: %v: %s", code, err, stderr.String())
		}
		notes = r.Notes
		m := map[string]report.FileDiff{}
		for _, f := range r.Files {
			m[f.Path] = f
		}
		return m
	}

	files := verifyFiles("--submodule", "paxutils="+pax)
	f := files["lib/paxerror.c"]
	if o := f.Origin; o == nil || o.Kind != report.OriginTag || o.Submodule != "paxutils" || o.Commit != pinned ||
		o.Path != "paxutils/paxlib/error.c" || f.Severity != report.SevInfo {
		t.Errorf("pinned copy: %+v origin %+v", f, f.Origin)
	}
	if f := files["rmt/rmt.c"]; f.Origin != nil || f.Severity < report.SevMedium {
		t.Errorf("copy of a commit the tag does not pin: %+v origin %+v", f, f.Origin)
	}
	// Without the submodule's repository (offline, .gitmodules' URL
	// unusable) nothing proves the copy.
	if f := verifyFiles()["lib/paxerror.c"]; f.Origin != nil || f.Severity < report.SevMedium {
		t.Errorf("proved without the submodule: %+v origin %+v", f, f.Origin)
	}
	// The unread submodule is one note that says how to pass it.
	var unread []string
	for _, n := range notes {
		if strings.Contains(n, "submodules not read") {
			unread = append(unread, n)
		}
	}
	if len(unread) != 1 || !strings.Contains(unread[0], "paxutils at "+pinned[:12]) || !strings.Contains(unread[0], "--submodule PATH=DIR") {
		t.Errorf("notes %q", notes)
	}
}
