package rebuild

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/tarcheck/tarcheck/verify/explain"
)

func TestParseToolVersions(t *testing.T) {
	out := "== autoconf\nautoconf (GNU Autoconf) 2.72\n== automake\nautomake (GNU automake) 1.16.5\n" +
		"== libtoolize\n== autopoint\n/usr/bin/autopoint (GNU gettext-tools) 0.21\n"
	got := parseToolVersions([]byte(out))
	want := map[string]string{"autoconf": "2.72", "automake": "1.16.5", "autopoint": "0.21"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for _, tc := range []struct {
		key, release, host string
		want               bool
	}{
		{"autoconf", "2.71", "2.71", true},
		{"autoconf", "2.72", "2.71", false},
		{"gettext", "0.20", "0.21", true}, // gettext 0.21 writes GETTEXT_MACRO_VERSION = 0.20
		{"gettext", "0.20", "0.21.1", true},
		{"gettext", "0.21", "0.21", true},
		{"gettext", "0.22", "0.22.5", true},
		{"gettext", "0.22", "0.21", false},
		{"automake", "1.16", "1.16.5", false},
		{"libtool", "2.4.7", "", false},
	} {
		if got := versionMatches(tc.key, tc.release, tc.host); got != tc.want {
			t.Errorf("versionMatches(%q, %q, %q) = %v", tc.key, tc.release, tc.host, got)
		}
	}
}

func TestRebuildDiff(t *testing.T) {
	rows, removed, added := rebuildDiff("configure", diffLines([]byte("a\nb\nc\n"), []byte("a\nB\nc\nd\n")))
	want := "--- regenerated/configure\n+++ tarball/configure\n@@ -2 +2 @@\n-b\n+B\n@@ -4 +4 @@\n+d"
	if strings.Join(rows, "\n") != want || removed != 1 || added != 2 {
		t.Errorf("rows:\n%s\n-%d +%d", strings.Join(rows, "\n"), removed, added)
	}
	if rows, _, _ := rebuildDiff("x", diffLines(nil, []byte("a"))); rows != nil {
		t.Errorf("diff without a side: %q", rows)
	}
}

// FuzzParseToolVersions: the probe's output comes from the sandbox.
func FuzzParseToolVersions(f *testing.F) {
	f.Add([]byte("== autoconf\nautoconf (GNU Autoconf) 2.71\n== automake\n"))
	f.Add([]byte("==  \n\n== x\n   \n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for k, v := range parseToolVersions(data) {
			if v == "" || len(v) >= 40 || k == "" {
				t.Fatalf("bad entry %q=%q", k, v)
			}
		}
	})
}

// FuzzRebuildDiff: both sides are untrusted content.
func FuzzRebuildDiff(f *testing.F) {
	f.Add([]byte("a\nb\n"), []byte("a\nc\n"))
	f.Add([]byte(""), []byte("\n\n\n"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		rows, removed, added := rebuildDiff("f", diffLines(a, b))
		if bytes.Equal(a, b) && (removed != 0 || added != 0) {
			t.Fatalf("equal inputs differ: %q", rows)
		}
		if len(rows) > maxDiffRows+16 {
			t.Fatalf("%d rows", len(rows))
		}
	})
}

// BenchmarkRebuildDiff diffs a 160 KB configure with one added line.
func BenchmarkRebuildDiff(b *testing.B) {
	var a strings.Builder
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&a, "line %d of a generated configure script\n", i)
	}
	orig := a.String()
	edited := strings.Replace(orig, "line 20 of", "line 20 of\n: hand-edited\n", 1)
	b.SetBytes(int64(len(orig)))
	for i := 0; i < b.N; i++ {
		rebuildDiff("configure", diffLines([]byte(orig), []byte(edited)))
	}
}

// TestToolVersionRE: release numbers, also of local builds, but not the
// date stamps of helper scripts.
func TestToolVersionRE(t *testing.T) {
	for v, want := range map[string]bool{
		"2.71": true, "1.16.5": true, "2.4.7": true, "0.21": true, "2.4.7-dirty": true, "2.4.6.42-b88ce": true, "1.15a": true,
		"2020-11-14.01": false, "2021-12-25": false, "": false, "v2.4": false, "2.4.7 Debian-2.4.7-5": false,
	} {
		if got := toolVersionRE().MatchString(v); got != want {
			t.Errorf("toolVersionRE(%q) = %v, want %v", v, got, want)
		}
	}
}

// TestLibtoolDistributionBuild: a host libtool built by a distribution
// (its ltmain.sh VERSION names the package) explains differences in the
// files libtool feeds when the release was made with another build.
func TestLibtoolDistributionBuild(t *testing.T) {
	if got := explain.LtmainVersion([]byte("# comment\nPROGRAM=libtool\nVERSION=\"2.4.7 Debian-2.4.7-7~deb12u1\"\npackage_revision=2.4.7\n")); got != "2.4.7 Debian-2.4.7-7~deb12u1" {
		t.Fatalf("ltmainVersion = %q", got)
	}
	if got := explain.LtmainVersion([]byte("VERSION=2.4.7-dirty\n")); got != "2.4.7-dirty" {
		t.Fatalf("ltmainVersion unquoted = %q", got)
	}
	b := &rebuilder{host: map[string]string{"libtool": "2.4.7"},
		release: map[string][]string{"libtool": {"2.4.7"}}, byPath: map[string]int{}}
	b.hostLibtool, b.releaseLibtool = "2.4.7 Debian-2.4.7-7~deb12u1", "2.4.7"
	if m := b.mismatches("m4/libtool.m4", []byte("a"), []byte("b")); len(m) != 1 || !strings.Contains(m[0].reason, "distribution build 2.4.7 Debian-2.4.7-7~deb12u1") {
		t.Fatalf("libtool.m4 mismatches = %q", m)
	}
	if m := b.mismatches("m4/gettext.m4", []byte("a"), []byte("b")); len(m) != 0 {
		t.Fatalf("gettext.m4 is not fed by libtool: %q", m)
	}
	b.releaseLibtool = b.hostLibtool // the same distribution build: no excuse
	if m := b.mismatches("m4/libtool.m4", []byte("a"), []byte("b")); len(m) != 0 {
		t.Fatalf("same build: %q", m)
	}
	b.hostLibtool, b.releaseLibtool = "2.4.7", "2.4.7" // upstream builds on both sides
	if m := b.mismatches("m4/libtool.m4", []byte("a"), []byte("b")); len(m) != 0 {
		t.Fatalf("upstream builds: %q", m)
	}
}

// TestSameAutomakeOutput: a Makefile.in rewritten by make's rebuild rules
// (another strictness option, another list of auxiliary scripts) is the
// same output; any other change is not.
func TestSameAutomakeOutput(t *testing.T) {
	base := "# Makefile.in generated by automake 1.16.5 from Makefile.am.\n" +
		"am__DIST_COMMON = $(srcdir)/Makefile.in COPYING README \\\n" +
		"\tconfig.guess config.sub install-sh ltmain.sh missing\n" +
		"Makefile.in: $(srcdir)/Makefile.am\n" +
		"\techo ' cd $(top_srcdir) && $(AUTOMAKE) --gnu tests/Makefile'; \\\n" +
		"\t  $(AUTOMAKE) --gnu tests/Makefile\n" +
		"all: foo\n"
	rerun := strings.NewReplacer("--gnu", "--foreign", "install-sh ltmain.sh", "depcomp install-sh ltmain.sh").Replace(base)
	if !sameAutomakeOutput([]byte(base), []byte(rerun)) {
		t.Fatal("a make-rule rerun of automake is not recognised")
	}
	for name, edit := range map[string]string{
		"rule changed":         strings.Replace(rerun, "all: foo", "all: foo evil", 1),
		"file added to dist":   strings.Replace(rerun, "COPYING README", "COPYING README payload.bin", 1),
		"automake call edited": strings.Replace(rerun, "$(AUTOMAKE) --foreign tests/Makefile\n", "$(AUTOMAKE) --foreign tests/Makefile; sh x\n", 1),
	} {
		if sameAutomakeOutput([]byte(base), []byte(edit)) {
			t.Errorf("%s: judged the same output", name)
		}
	}
	if sameAutomakeOutput([]byte("all:\n"), []byte("all:\n")) {
		t.Error("not an automake output, yet judged by the automake rule")
	}
}
