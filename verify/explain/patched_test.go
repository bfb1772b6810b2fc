package explain

import (
	"strings"
	"testing"

	"github.com/tarcheck/tarcheck/verify/report"
)

// gettext's libtextstyle/autogen.sh installs automake's test-driver and
// patches it with gnulib's build-aux/test-driver.diff, which it ships
// beside it. Undone, the diff gives automake's own copy (the database
// knows it); the diff must be proved itself, or come from the pinned
// gnulib.
func TestProvePatchedCopy(t *testing.T) {
	driver := installed(t, "/usr/share/automake-1.16/test-driver")
	diff := gnulibFile(t, "build-aux/test-driver.diff")
	patched, err := ApplyPatch([]byte(driver), []byte(diff))
	if err != nil || string(patched) == driver {
		t.Fatalf("gnulib's diff does not apply to automake's test-driver: %v", err)
	}
	tarball := map[string]string{"build-aux/test-driver": string(patched), "build-aux/test-driver.diff": diff}
	_, files := explainRelease(t, tarball, map[string]string{}, Input{})
	f := files["build-aux/test-driver"]
	if f.Origin == nil || f.Origin.Kind != report.OriginUpstream || f.Origin.Project != "automake" ||
		!strings.Contains(f.Origin.Patch, "build-aux/test-driver.diff") || f.Severity != report.SevInfo {
		t.Fatalf("patched copy: %+v origin %+v", f, f.Origin)
	}
	// The same diff from the pinned gnulib commit, none in the release.
	g := gnulibTree(map[string]string{"build-aux/test-driver.diff": diff})
	_, files = explainRelease(t, map[string]string{"build-aux/test-driver": string(patched)}, map[string]string{}, Input{GnulibTree: g})
	if f := files["build-aux/test-driver"]; f.Origin == nil || !strings.Contains(f.Origin.Patch, "gnulib's build-aux/test-driver.diff") {
		t.Errorf("pinned gnulib's diff: %+v origin %+v", f, f.Origin)
	}
	// One more line than the diff makes: not proved, high.
	evil := strings.Replace(string(patched), "\"$@\" >>", "sh tests/files/x.bin; \"$@\" >>", 1)
	if evil == string(patched) {
		t.Fatal("no line to change")
	}
	tarball["build-aux/test-driver"] = evil
	_, files = explainRelease(t, tarball, map[string]string{}, Input{})
	if f := files["build-aux/test-driver"]; f.Origin != nil || f.Severity < report.SevHigh {
		t.Errorf("edited patched copy: %+v", f)
	}
	// A .diff of the release's own making proves nothing: undone it gives
	// automake's copy, but the diff itself has no origin.
	own := "--- test-driver\n+++ test-driver\n@@ -1,3 +1,4 @@\n" + lines(driver, 0, 3, " ") + "+sh tests/files/x.bin\n"
	withPayload, err := ApplyPatch([]byte(driver), []byte(own))
	if err != nil {
		t.Fatal(err)
	}
	tarball = map[string]string{"build-aux/test-driver": string(withPayload), "build-aux/test-driver.diff": own}
	_, files = explainRelease(t, tarball, map[string]string{}, Input{})
	if f := files["build-aux/test-driver"]; f.Origin != nil || f.Severity < report.SevHigh {
		t.Errorf("copy patched by an unproved diff: %+v", f)
	}
}

// lines returns lines [from, to) of s, each prefixed.
func lines(s string, from, to int, prefix string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n")[from:to] {
		b.WriteString(prefix + l)
	}
	return b.String()
}

func TestApplyPatchReverse(t *testing.T) {
	orig := "a\nb\nc\nd\n"
	diff := "@@ -2,2 +2,3 @@\n b\n-c\n+C\n+c2\n"
	patched, err := ApplyPatch([]byte(orig), []byte(diff))
	if err != nil || string(patched) != "a\nb\nC\nc2\nd\n" {
		t.Fatalf("forward %q %v", patched, err)
	}
	back, err := ApplyPatchReverse(patched, []byte(diff))
	if err != nil || string(back) != orig {
		t.Errorf("reverse %q %v", back, err)
	}
	if _, err := ApplyPatchReverse([]byte(orig), []byte(diff)); err == nil {
		t.Error("reversed a diff that was never applied")
	}
}
