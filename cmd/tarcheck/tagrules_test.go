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

// TestTagRulesProveGeneratedFiles: a release whose tarball holds a file
// that the tag's Makefile.am makes with awk (libgpg-error's err-codes.h,
// gnupg's status-codes.h) is proved by running that rule in the sandbox
// on the tag's files; the same file with one injected line, or a file
// whose rule reads an input only the tarball has, stays unexplained, and
// --tag-rules=false runs nothing.
func TestTagRulesProveGeneratedFiles(t *testing.T) {
	requireTool(t, "git", "tar", "make", "timeout")
	dir := t.TempDir()
	const am = "if HAVE_FOO\nX = 1\nendif\n\n" +
		"codes.h: codes.in mkcodes.awk Makefile\n\t$(AM_V_GEN)$(AWK) -f $(srcdir)/mkcodes.awk $(srcdir)/codes.in > $@\n\n" +
		"table.h: payload.bin\n\tod -An -tx1 payload.bin > $@\n"
	tag := filepath.Join(dir, "foo")
	mustWrite(t, filepath.Join(tag, "configure.ac"), "AC_INIT([foo], [1.0])\n", 0o644)
	mustWrite(t, filepath.Join(tag, "src/Makefile.am"), am, 0o644)
	mustWrite(t, filepath.Join(tag, "src/codes.in"), "E_ONE 1\nE_TWO 2\n", 0o644)
	mustWrite(t, filepath.Join(tag, "src/mkcodes.awk"), "{ printf \"#define %s %s\\n\", $1, $2 }\n", 0o644)
	git(t, tag, "-c", "init.defaultBranch=main", "init", "-q")
	gitCommitAll(t, tag)
	git(t, tag, "tag", "v1.0")

	release := func(name, codes string) string {
		rel := filepath.Join(dir, name, "foo-1.0")
		mustWrite(t, filepath.Join(rel, "configure.ac"), "AC_INIT([foo], [1.0])\n", 0o644)
		mustWrite(t, filepath.Join(rel, "src/Makefile.am"), am, 0o644)
		mustWrite(t, filepath.Join(rel, "src/codes.in"), "E_ONE 1\nE_TWO 2\n", 0o644)
		mustWrite(t, filepath.Join(rel, "src/mkcodes.awk"), "{ printf \"#define %s %s\\n\", $1, $2 }\n", 0o644)
		mustWrite(t, filepath.Join(rel, "src/codes.h"), codes, 0o644)
		mustWrite(t, filepath.Join(rel, "src/table.h"), " 70 61 79\n", 0o644)
		tarball := filepath.Join(dir, name, "foo-1.0.tar.gz")
		if out, err := exec.Command("tar", "-C", filepath.Dir(rel), "-czf", tarball, "foo-1.0").CombinedOutput(); err != nil {
			t.Fatalf("tar: %v %s", err, out)
		}
		return tarball
	}
	verifyFiles := func(tarball string, args ...string) map[string]report.FileDiff {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append([]string{"verify", tarball, "--git", tag, "--tag", "v1.0", "--format", "json",
			"--cache-dir", filepath.Join(dir, "cache"), "--offline"}, args...), nil, &stdout, &stderr)
		var r report.Report
		if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
			t.Fatalf("exit %d: %v: %s", code, err, stderr.String())
		}
		m := map[string]report.FileDiff{}
		for _, f := range r.Files {
			m[f.Path] = f
		}
		return m
	}

	honest := release("honest", "#define E_ONE 1\n#define E_TWO 2\n")
	files := verifyFiles(honest)
	f := files["src/codes.h"]
	if o := f.Origin; o == nil || o.Kind != report.OriginTagRule || o.Path != "src/Makefile.am" || o.Line != 5 ||
		o.Target != "codes.h" || f.Severity != report.SevInfo {
		t.Errorf("rule output: %+v origin %+v", f, f.Origin)
	}
	if f := files["src/table.h"]; f.Origin != nil || f.Severity < report.SevMedium {
		t.Errorf("made from an input only the tarball has: %+v origin %+v", f, f.Origin)
	}
	if f := verifyFiles(honest, "--tag-rules=false")["src/codes.h"]; f.Origin != nil || f.Severity < report.SevMedium {
		t.Errorf("--tag-rules=false: %+v origin %+v", f, f.Origin)
	}
	// -v: the tag rules log from the background beside the pipeline's own
	// lines; every line stays whole.
	var vout, verr bytes.Buffer
	run(context.Background(), []string{"verify", honest, "--git", tag, "--tag", "v1.0", "--format", "json",
		"--cache-dir", filepath.Join(dir, "cache-v"), "--offline", "-v", "--no-progress"}, nil, &vout, &verr)
	lines := strings.Split(strings.TrimSuffix(verr.String(), "\n"), "\n")
	rules := 0
	for _, l := range lines {
		if !strings.HasPrefix(l, "tarcheck: ") {
			t.Errorf("-v line not whole: %q", l)
		}
		if strings.HasPrefix(l, "tarcheck: tag rules: ") {
			rules++
		}
	}
	if rules == 0 {
		t.Errorf("-v logged no tag rules line:\n%s", verr.String())
	}
	tampered := release("tampered", "#define E_ONE 1\n#define E_TWO 2\n#define E_THREE system(\"id\")\n")
	if f := verifyFiles(tampered)["src/codes.h"]; f.Origin != nil || f.Severity < report.SevMedium {
		t.Errorf("tampered rule output: %+v origin %+v", f, f.Origin)
	}
}
