package autotools

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// truncAt is an Autotest test whose commands carve bytes, as tar's
// delete06.at does: the suite autom4te makes of it trips the carving
// scan on lines that are the tag's own.
const truncAt = `AT_SETUP([truncated archive])
AT_KEYWORDS([trunc])
AT_CHECK([
size=1500
dd if=archive.tar of=trunc.tar bs=$size count=1 2>/dev/null
head -c 512 archive.tar | tail -c 100 >part
dd bs=4096 count=$size if=t2.tar 2>/dev/null | cat >/dev/null
],
[0], [ignore], [ignore])
AT_CHECK([tail -c @S|@size archive.tar | head -c 10 >x], [0])
AT_CLEANUP
`

const suiteAt = `m4_define([AT_PACKAGE_NAME], [demo])
m4_define([AT_PACKAGE_TARNAME], [demo])
m4_define([AT_PACKAGE_VERSION], [1.0])
m4_define([AT_PACKAGE_STRING], [demo 1.0])
m4_define([AT_PACKAGE_BUGREPORT], [bugs@example.org])
AT_INIT([demo])
m4_include([trunc.at])
`

// buildAutotestSuite runs autom4te on the .at files in a scratch tests/
// directory and returns the suite and the tag's files (tests/*.at).
func buildAutotestSuite(t *testing.T) ([]byte, map[string][]byte) {
	return buildAutotestSuiteOf(t, truncAt)
}

// buildAutotestSuiteOf is buildAutotestSuite with test as tests/trunc.at.
func buildAutotestSuiteOf(t *testing.T, test string) ([]byte, map[string][]byte) {
	t.Helper()
	requireTool(t, "autom4te")
	dir := t.TempDir()
	tag := map[string][]byte{"tests/testsuite.at": []byte(suiteAt), "tests/trunc.at": []byte(test)}
	for p, c := range tag {
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(p)), c, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("autom4te", "-l", "autotest", "testsuite.at", "-o", "testsuite")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("autom4te: %v\n%s", err, out)
	}
	suite, err := os.ReadFile(filepath.Join(dir, "testsuite"))
	if err != nil {
		t.Fatal(err)
	}
	return suite, tag
}

func autotestContext(tag map[string][]byte) *Context {
	return &Context{
		TagPaths: func() []string {
			var ps []string
			for p := range tag {
				ps = append(ps, p)
			}
			return ps
		},
		TagFile: func(p string) ([]byte, bool) { c, ok := tag[p]; return c, ok },
	}
}

func signalOf(res Result, rule string) (Signal, bool) {
	for _, s := range res.Signals {
		if s.Rule == rule {
			return s, true
		}
	}
	return Signal{}, false
}

func TestAutotestSuiteLinesFromTagSourcesAreProved(t *testing.T) {
	suite, tag := buildAutotestSuite(t)
	if src, ok := AutotestSuiteSource(suite); !ok || src != "testsuite.at" {
		t.Fatalf("AutotestSuiteSource = %q, %v; want testsuite.at", src, ok)
	}
	in := Input{Path: "tests/testsuite", Status: StatusOnlyInTarball, Tarball: suite, TarballMode: ModeExec}

	// Without the tag's sources the carving lines are evidence (as before).
	plain := Classify(in, &Context{})
	if s, ok := signalOf(plain, RuleCarving); !ok || s.Severity != SevHigh || plain.Severity.Rank() < SevHigh.Rank() {
		t.Fatalf("without sources: severity %s, carving %+v; want a high carving signal", plain.Severity, s)
	}
	// The trace of a one-line check and its run both fire.
	if ev := strings.Join(plain.Signals[0].Evidence, "\n"); !strings.Contains(ev, `"$at_srcdir/trunc.at:10: tail -c $size`) || !strings.Contains(ev, "$at_check_trace; tail -c $size") {
		t.Fatalf("evidence lacks the traced and the run copies:\n%s", ev)
	}

	res := Classify(in, autotestContext(tag))
	if res.Severity.Rank() >= SevMedium.Rank() || res.Class == ClassSuspicious {
		t.Fatalf("proved suite: class %s severity %s (%s); want below medium", res.Class, res.Severity, res.Reason)
	}
	s, ok := signalOf(res, RuleCarving)
	if !ok || s.Severity != SevInfo || !strings.Contains(s.Message, "tests/trunc.at:") {
		t.Fatalf("carving signal %+v; want info naming tests/trunc.at", s)
	}
	if _, ok := signalOf(res, RuleSuspicious); ok {
		t.Fatalf("a combined %s finding for proved lines: %+v", RuleSuspicious, res.Signals)
	}
}

func TestAutotestSuiteInjectedLineStaysHigh(t *testing.T) {
	suite, tag := buildAutotestSuite(t)
	// A payload carver added at release, in no .at file of the tag, among
	// the suite's own carving lines.
	injected := "head -c 2048 tests/files/good.xz | tail -c 1024 >conftest.sh"
	lines := strings.SplitAfter(string(suite), "\n")
	at := len(lines) / 2
	bad := strings.Join(lines[:at], "") + injected + "\n" + strings.Join(lines[at:], "")
	in := Input{Path: "tests/testsuite", Status: StatusOnlyInTarball, Tarball: []byte(bad), TarballMode: ModeExec}
	res := Classify(in, autotestContext(tag))
	if res.Severity.Rank() < SevHigh.Rank() {
		t.Fatalf("injected carving: severity %s (%s); want high", res.Severity, res.Reason)
	}
	s, ok := signalOf(res, RuleCarving)
	if !ok || s.Severity != SevHigh {
		t.Fatalf("carving signal %+v; want high", s)
	}
	ev := strings.Join(s.Evidence, "\n")
	if !strings.Contains(ev, injected) || strings.Contains(ev, "bs=$size") {
		t.Fatalf("evidence should be the injected line only:\n%s", ev)
	}

	// The same line in a tag .at file is the tag's: proved.
	tag["tests/extra.at"] = []byte("AT_CHECK([" + injected + "], [0])\n")
	if res := Classify(in, autotestContext(tag)); res.Severity.Rank() >= SevMedium.Rank() {
		t.Fatalf("line held by tests/extra.at: severity %s; want below medium", res.Severity)
	}
	// An .at file outside the suite's directory proves nothing.
	delete(tag, "tests/extra.at")
	tag["other/extra.at"] = []byte(injected + "\n")
	if res := Classify(in, autotestContext(tag)); res.Severity.Rank() < SevHigh.Rank() {
		t.Fatalf("line held only outside tests/: severity %s; want high", res.Severity)
	}
}

// ddOnlyAt is tar's delete06.at and multiv01.at in small: one dd per
// line, so the chain is the suite's lines together, among them the traced
// copies with \$ escaped.
const ddOnlyAt = `AT_SETUP([eof])
AT_CHECK([
case $TEST_TAR_FORMAT in
gnu) size=1500;;
esac
dd if=archive.tar of=trunc.tar bs=$size count=1 2>/dev/null
dd bs=4096 count=$TAPE_LENGTH if=t2-pipe.tar 2>/dev/null |
cat >/dev/null
],
[0])
AT_CLEANUP
`

func TestAutotestSuiteEscapedTraceProved(t *testing.T) {
	suite, tag := buildAutotestSuiteOf(t, ddOnlyAt)
	in := Input{Path: "tests/testsuite", Status: StatusOnlyInTarball, Tarball: suite, TarballMode: ModeExec}
	plain := Classify(in, &Context{})
	s, ok := signalOf(plain, RuleCarving)
	if !ok || s.Severity != SevHigh || !strings.Contains(strings.Join(s.Evidence, "\n"), `bs=\$size`) {
		t.Fatalf("without sources: %+v; want a high chain with the escaped trace line", s)
	}
	res := Classify(in, autotestContext(tag))
	if res.Severity.Rank() >= SevMedium.Rank() {
		t.Fatalf("proved suite: severity %s (%s); want below medium", res.Severity, res.Reason)
	}
	if s, _ := signalOf(res, RuleCarving); s.Severity != SevInfo || !strings.Contains(s.Message, "tests/trunc.at:6") {
		t.Fatalf("carving signal %+v; want info naming tests/trunc.at:6", s)
	}
}

func TestAutotestNotASuite(t *testing.T) {
	// A shell script claiming nothing is not an Autotest suite: the same
	// lines in a .at file of the tag prove nothing about it.
	script := []byte("#! /bin/sh\n# a script\nhead -c 512 a | tail -c 100 >b\n")
	tag := map[string][]byte{"tests/x.at": []byte("head -c 512 a | tail -c 100 >b\n")}
	res := Classify(Input{Path: "tests/run.sh", Status: StatusOnlyInTarball, Tarball: script, TarballMode: ModeExec}, autotestContext(tag))
	if res.Severity.Rank() < SevHigh.Rank() {
		t.Fatalf("plain script: severity %s; want high", res.Severity)
	}
}

func TestAutotestSourcesForms(t *testing.T) {
	src := &AutotestSources{lines: map[string]string{}}
	src.add("tests/a.at", []byte(strings.Join([]string{
		"AT_CHECK([dd if=a of=b bs=1 count=2], [0])",
		"  echo @S|@HOME @<:@x@:>@ @%:@",
		"test [[ -f x ]] && tail -c 1 x",
		"cat a \\",
		"  b",
		"AT_TAR_CHECK([",
	}, "\n")))
	cases := []struct {
		text, where string
	}{
		{"dd if=a of=b bs=1 count=2", "tests/a.at:1"},
		{"echo $HOME [x] #", "tests/a.at:2"},
		{"test [ -f x ] && tail -c 1 x", "tests/a.at:3"},
		{`echo \$HOME [x] #`, "tests/a.at:2"},
		{"", ""},
		{"dd if=a of=b bs=1", ""},
	}
	for _, c := range cases {
		w, ok := src.Holds(c.text)
		if ok != (c.where != "") || w != c.where {
			t.Errorf("Holds(%q) = %q, %v; want %q", c.text, w, ok, c.where)
		}
	}
	if got := unescapeTrace(`a \$b \"c\" \\d \x`); got != `a $b "c" \d \x` {
		t.Errorf("unescapeTrace = %q", got)
	}
	if got := unquoteM4("[[a]] [b]"); got != "[a] b" {
		t.Errorf("unquoteM4 = %q", got)
	}
}

// FuzzAutotestLines: any .at content and suite line is indexed and looked
// up without a panic, and a line indexed as written is held.
func FuzzAutotestLines(f *testing.F) {
	f.Add([]byte("AT_CHECK([dd if=a bs=1 count=2], [0])\n"), "dd if=a bs=1 count=2")
	f.Add([]byte("[[ @S|@x ]] \\\n  y\n"), `printf "%s\n" "$at_srcdir/a.at:1: \$x"`)
	f.Add([]byte("]]][[[\x00@<:@"), "( $at_check_trace; ]")
	f.Fuzz(func(t *testing.T, at []byte, line string) {
		src := NewAutotestSources("tests", []string{"tests/a.at"}, func(string) ([]byte, bool) { return at, true })
		src.Holds(line)
		src.Holds(unescapeTrace(line))
		_, _ = AutotestSuiteSource(at)
		if l := strings.TrimSpace(line); l != "" && !strings.ContainsAny(l, "\n\r\\[]@") {
			src2 := &AutotestSources{lines: map[string]string{}}
			src2.add("x.at", []byte(l+"\n"))
			if _, ok := src2.Holds(l); !ok {
				t.Errorf("line %q indexed but not held", l)
			}
		}
	})
}
