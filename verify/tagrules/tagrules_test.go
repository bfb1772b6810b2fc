package tagrules

import (
	"context"
	"crypto/sha1"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/tarcheck/tarcheck/sandbox"
)

// memTag is a tag tree held in memory.
type memTag map[string]string

func (m memTag) tag() Tag {
	t := Tag{Read: func(p string) ([]byte, bool) {
		c, ok := m[p]
		return []byte(c), ok
	}}
	for p := range m {
		t.Files = append(t.Files, p)
	}
	return t
}

func blobID(c []byte) [20]byte {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(c))
	h.Write(c)
	var id [20]byte
	copy(id[:], h.Sum(nil))
	return id
}

func cand(p, content string) Candidate { return Candidate{Path: p, ID: blobID([]byte(content))} }

// A Makefile.am is read as GNU make will run it: automake conditionals
// dropped with both branches kept, includes inlined with %reldir%, a tab
// line after a variable dropped, and each rule keeps the file and line
// it was written at.
func TestTranslateAndParse(t *testing.T) {
	tag := memTag{
		"src/Makefile.am": "FLAGS = -a \\\n\t-b\n\t-c\nif WINDOWS\nEXTRA = w.c\nelse\nEXTRA = u.c\nendif\nifeq ($(X),1)\nY = 1\nelse\nY = 2\nendif\ninclude $(srcdir)/gen/frag.am\n\ncodes.h: codes.in Makefile\n\t$(AWK) -f mk.awk codes.in > $@\n",
		"src/gen/frag.am": "%reldir%/tab.c: %reldir%/tab.in\n\tcp $< $@\n",
	}
	tr := newTree(tag.tag())
	mf := tr.makefileIn("src")
	if mf == nil {
		t.Fatal("no makefile read")
	}
	text := string(mf.Text)
	for _, bad := range []string{"if WINDOWS", "\t-c\n", "%reldir%", "include "} {
		if strings.Contains(text, bad) {
			t.Errorf("translated text keeps %q:\n%s", bad, text)
		}
	}
	for _, good := range []string{"ifeq ($(X),1)", "else\nY = 2\nendif", "EXTRA = u.c", "gen/tab.c: gen/tab.in"} {
		if !strings.Contains(text, good) {
			t.Errorf("translated text lacks %q:\n%s", good, text)
		}
	}
	got := map[string]string{}
	for _, r := range mf.Rules {
		got[strings.Join(r.Targets, " ")] = fmt.Sprintf("%s:%d", r.File, r.Line)
	}
	if got["codes.h"] != "src/Makefile.am:16" || got["gen/tab.c"] != "src/gen/frag.am:1" {
		t.Errorf("rules at %v", got)
	}
}

// Plan finds the nearest makefile with a rule for each candidate:
// explicit targets (also spelled with $(srcdir)/ or a variable), a
// top-level non-recursive Makefile.am, pattern rules only when their
// inputs are in the tag; nothing for a file no rule makes.
func TestPlan(t *testing.T) {
	tag := memTag{
		"Makefile.am":          "asm/%-gnu.S: asm/%.s\n\tperl conv.pl < $< > $@\nGEN = lib/table.c\n$(GEN): lib/table.in\n\tsed s/a/b/ lib/table.in > $@\n",
		"asm/x.s":              "x\n",
		"src/Makefile.am":      "$(srcdir)/codes.h: codes.in\n\tcat codes.in > $@\n",
		"src/codes.in":         "1\n",
		"lib/table.in":         "a\n",
		"other/Makefile.am":    "all-local:\n\ttrue\n",
		"conv.pl":              "",
		"asm/only-in-tarball2": "",
	}
	jobs := Plan(tag.tag(), []Candidate{cand("src/codes.h", ""), cand("asm/x-gnu.S", ""), cand("asm/y-gnu.S", ""),
		cand("lib/table.c", ""), cand("other/none.h", "")})
	got := map[string]string{}
	for _, j := range jobs {
		got[j.Path] = fmt.Sprintf("%s:%d %s", j.Makefile, j.Line, j.Target)
	}
	want := map[string]string{
		"src/codes.h": "src/Makefile.am:1 codes.h",
		"asm/x-gnu.S": "Makefile.am:1 asm/x-gnu.S",
		"lib/table.c": "Makefile.am:4 lib/table.c",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("jobs %v, want %v", got, want)
	}
}

// testRunner is an isolating sandbox, or a skip (a failure in CI).
func testRunner(t *testing.T) sandbox.Runner {
	t.Helper()
	for _, tool := range []string{"make", "timeout"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("TARCHECK_REQUIRE_TOOLS") == "1" {
				t.Fatalf("%s is required (TARCHECK_REQUIRE_TOOLS=1)", tool)
			}
			t.Skipf("%s not installed", tool)
		}
	}
	r, err := sandbox.NewContext(context.Background(), sandbox.BackendAuto)
	if err != nil {
		if os.Getenv("TARCHECK_REQUIRE_TOOLS") == "1" {
			t.Fatalf("sandbox: %v", err)
		}
		t.Skipf("sandbox: %v", err)
	}
	return r
}

// Run makes each target in the sandbox from the tag's files only and
// proves exactly the files whose bytes it reproduces: a tampered copy,
// a file whose rule needs an input that only the tarball has, and a rule
// that fails are not proved.
func TestRunProvesOnlyExactOutput(t *testing.T) {
	runner := testRunner(t)
	tag := memTag{
		"src/Makefile.am": "if FOO\nX = 1\nendif\n" +
			"codes.h: codes.in mkcodes.awk Makefile config.status\n\t$(AM_V_GEN)$(AWK) -f $(srcdir)/mkcodes.awk $(srcdir)/codes.in > $@\n" +
			"stamp.h: $(top_srcdir)/VERSION\n\techo \"#define V \\\"$$(cat $(top_srcdir)/VERSION)\\\"\" > $@\n" +
			"evil.h: payload.bin\n\tcat payload.bin > $@\n" +
			"broken.h:\n\texit 3\n",
		"src/codes.in":    "E_ONE 1\nE_TWO 2\n",
		"src/mkcodes.awk": "{ printf \"#define %s %s\\n\", $1, $2 }\n",
		"VERSION":         "1.2\n",
	}
	codes := "#define E_ONE 1\n#define E_TWO 2\n"
	cands := []Candidate{cand("src/codes.h", codes), cand("src/stamp.h", "#define V \"1.2\"\n"),
		cand("src/evil.h", "payload\n"), cand("src/broken.h", ""), cand("src/tampered.h", "")}
	tampered := cand("src/codes.h", codes+"#define BACKDOOR 1\n")
	for _, tc := range []struct {
		name  string
		cands []Candidate
		want  map[string]bool
	}{
		{"honest", cands, map[string]bool{"src/codes.h": true, "src/stamp.h": true, "src/evil.h": false, "src/broken.h": false}},
		{"tampered", []Candidate{tampered}, map[string]bool{"src/codes.h": false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			jobs := Plan(tag.tag(), tc.cands)
			outs, err := Run(context.Background(), Input{Tag: tag.tag(), Jobs: jobs, Runner: runner, Dir: t.TempDir(), BlobID: blobID})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, o := range outs {
				got[o.Path] = o.Reproduced
				if !o.Reproduced && o.Note == "" {
					t.Errorf("%s: not reproduced without a note", o.Path)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("reproduced %v, want %v (%+v)", got, tc.want, outs)
			}
		})
	}
}

// relPath gives make's view of a path from a makefile's directory.
func TestRelPath(t *testing.T) {
	for _, tc := range [][3]string{
		{"", "src/a.h", "src/a.h"}, {"src", "src/a.h", "a.h"}, {"src", "lib/x.c", "../lib/x.c"},
		{"a/b", "a/c/d", "../c/d"}, {"src", "src", "."}, {"a/b", "x", "../../x"},
	} {
		if got := relPath(tc[0], tc[1]); got != tc[2] {
			t.Errorf("relPath(%q, %q) = %q, want %q", tc[0], tc[1], got, tc[2])
		}
	}
}

// OpenRunner: Run opens the sandbox itself when given no Runner (the
// proofs are those a given runner makes), and a sandbox that cannot be
// opened is Run's error, with nothing run.
func TestRunOpensRunner(t *testing.T) {
	runner := testRunner(t)
	tag := memTag{
		"Makefile.am": "stamp.h: VERSION\n\techo \"#define V \\\"$$(cat VERSION)\\\"\" > $@\n",
		"VERSION":     "1.2\n",
	}
	jobs := Plan(tag.tag(), []Candidate{cand("stamp.h", "#define V \"1.2\"\n")})
	opened := 0
	open := func(context.Context) (sandbox.Runner, error) { opened++; return runner, nil }
	outs, err := Run(context.Background(), Input{Tag: tag.tag(), Jobs: jobs, OpenRunner: open, Dir: t.TempDir(), BlobID: blobID})
	if err != nil || opened != 1 || len(outs) != 1 || !outs[0].Reproduced {
		t.Fatalf("Run with OpenRunner: %+v, %v (opened %d times)", outs, err, opened)
	}
	refuse := errors.New("no sandbox here")
	fail := func(context.Context) (sandbox.Runner, error) { return nil, refuse }
	if outs, err := Run(context.Background(), Input{Tag: tag.tag(), Jobs: jobs, OpenRunner: fail, Dir: t.TempDir(), BlobID: blobID}); !errors.Is(err, refuse) || outs != nil {
		t.Errorf("Run with a failing OpenRunner = %+v, %v, want %v", outs, err, refuse)
	}
}

// A target whose rule runs past its time limit does not take the other
// targets of its makefile down with it: they run side by side (make -j).
func TestSlowTargetAlone(t *testing.T) {
	runner := testRunner(t)
	defer func(old time.Duration) { jobLimit = old }(jobLimit)
	jobLimit = time.Second
	tag := memTag{
		"Makefile.am": "slow.h: VERSION\n\tsleep 30; cat VERSION > $@\n" +
			"fast.h: VERSION\n\tcat VERSION > $@\n",
		"VERSION": "1.2\n",
	}
	jobs := Plan(tag.tag(), []Candidate{cand("slow.h", "1.2\n"), cand("fast.h", "1.2\n")})
	if len(jobs) != 2 || jobs[0].Path != "slow.h" {
		t.Fatalf("jobs %+v: want slow.h, then fast.h", jobs)
	}
	outs, err := Run(context.Background(), Input{Tag: tag.tag(), Jobs: jobs, Runner: runner, Dir: t.TempDir(), BlobID: blobID})
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 2 || outs[0].Reproduced || !strings.Contains(outs[0].Note, "124") || !outs[1].Reproduced {
		t.Errorf("outcomes %+v: want slow.h killed (exit status 124), fast.h reproduced", outs)
	}
}

// countingRunner counts the runs of the sandbox it wraps.
type countingRunner struct {
	sandbox.Runner
	runs int
}

func (c *countingRunner) Run(ctx context.Context, s sandbox.Spec) (*sandbox.Result, error) {
	c.runs++
	return c.Runner.Run(ctx, s)
}

// CacheDir: the jobs a run reproduced are kept, and a later run of the
// same rules on the same files for the same tarball bytes takes them
// without running them again; a job not reproduced (here a failing rule)
// runs again each time, and other tarball bytes make another run.
func TestRunCache(t *testing.T) {
	runner := &countingRunner{Runner: testRunner(t)}
	cache := t.TempDir()
	tag := memTag{
		"Makefile.am": "stamp.h: VERSION\n\techo \"#define V \\\"$$(cat VERSION)\\\"\" > $@\n" +
			"broken.h:\n\texit 3\n",
		"VERSION": "1.2\n",
	}
	var logged []string
	run := func(cands ...Candidate) []Outcome {
		t.Helper()
		logged = nil
		outs, err := Run(context.Background(), Input{Tag: tag.tag(), Jobs: Plan(tag.tag(), cands), Runner: runner,
			Dir: t.TempDir(), BlobID: blobID, CacheDir: cache, Logf: func(f string, a ...any) { logged = append(logged, fmt.Sprintf(f, a...)) }})
		if err != nil {
			t.Fatal(err)
		}
		return outs
	}
	honest := cand("stamp.h", "#define V \"1.2\"\n")
	first := run(honest)
	second := run(honest)
	if runner.runs != 1 || len(first) != 1 || !first[0].Reproduced || len(second) != 1 || !second[0].Reproduced ||
		second[0].Path != "stamp.h" || second[0].Makefile != first[0].Makefile || second[0].Line != first[0].Line {
		t.Fatalf("second run: %+v after %+v, %d sandbox runs; want the first's outcome from the cache, 1 run", second, first, runner.runs)
	}
	if tampered := run(cand("stamp.h", "#define V \"1.2\"\n#define BACKDOOR 1\n")); runner.runs != 2 || tampered[0].Reproduced {
		t.Errorf("other tarball bytes: %+v after %d runs; want a new run that does not reproduce them", tampered, runner.runs)
	}
	for i := range 2 {
		outs := run(honest, cand("broken.h", ""))
		if runner.runs != 3+i || len(outs) != 2 || !outs[0].Reproduced || outs[1].Reproduced || outs[1].Note == "" {
			t.Fatalf("run %d with a failing rule: %+v after %d sandbox runs; want stamp.h proved, broken.h run again and not", i, outs, runner.runs)
		}
	}
	if !strings.Contains(strings.Join(logged, "\n"), "1 of 2 files reproduced by an earlier run") {
		t.Errorf("the last run did not take stamp.h from the cache:\n%s", strings.Join(logged, "\n"))
	}
	if ents, _ := os.ReadDir(cache); len(ents) != 2 {
		t.Errorf("cache holds %d files, want one per key with a reproduced job (2)", len(ents))
	}
}

// TestExportReadMany: with Tag.ReadMany the rules' files are exported in
// one call of it, none through Read, into the same export.tar as file by
// file; a file it cannot read is left out as Read's failure leaves it.
func TestExportReadMany(t *testing.T) {
	tag := memTag{
		"src/Makefile.am": "codes.h: codes.in mkcodes.awk\n\t$(AWK) -f $(srcdir)/mkcodes.awk $(srcdir)/codes.in > $@\n",
		"src/codes.in":    "E_ONE 1\n",
		"src/mkcodes.awk": "{ print }\n",
		"src/gone.txt":    "",
	}
	export := func(many bool) ([]byte, int, int) {
		base := tag.tag()
		reads, calls := 0, 0
		tg := Tag{Files: base.Files, Read: func(p string) ([]byte, bool) {
			reads++
			if p == "src/gone.txt" {
				return nil, false
			}
			return base.Read(p)
		}}
		jobs := Plan(tg, []Candidate{cand("src/codes.h", "E_ONE 1\n")})
		if len(jobs) != 1 {
			t.Fatalf("jobs %+v", jobs)
		}
		reads = 0
		if many {
			tg.ReadMany = func(paths []string, fn func(int, []byte, bool) bool) {
				calls++
				for i, p := range paths {
					c, ok := base.Read(p)
					if !fn(i, c, ok && p != "src/gone.txt") {
						return
					}
				}
			}
		}
		tr := newTree(tg)
		dir := t.TempDir()
		root, err := os.OpenRoot(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer root.Close()
		if err := tr.writeTar(root, tr.exportSet(jobs), Input{Tag: tg, Jobs: jobs}); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(dir + "/export.tar")
		if err != nil {
			t.Fatal(err)
		}
		return b, reads, calls
	}
	one, reads, _ := export(false)
	many, readsMany, calls := export(true)
	if reads == 0 || readsMany != 0 || calls != 1 {
		t.Fatalf("Read called %d times without ReadMany, %d with; ReadMany %d times", reads, readsMany, calls)
	}
	if string(one) != string(many) {
		t.Fatalf("export.tar differs: %d bytes file by file, %d with ReadMany", len(one), len(many))
	}
	if !strings.Contains(string(many), "mkcodes.awk") || strings.Contains(string(many), "gone.txt") {
		t.Fatalf("export.tar misses a file or holds the unreadable one")
	}
}

// A project's own silent-rules variables (gnutls' common.mk: V_GPERF =
// $(V_GPERF_@AM_V@), V_GPERF_ = $(V_GPERF_@AM_DEFAULT_V@)) get the
// values automake's configure substitutes: emptied, V_GPERF_ referred to
// itself and make stopped before any rule ran, so nothing was proved.
func TestRunSilentRulesVariables(t *testing.T) {
	runner := testRunner(t)
	tag := memTag{
		"lib/Makefile.am": "V_TAB = $(V_TAB_@AM_V@)\nV_TAB_ = $(V_TAB_@AM_DEFAULT_V@)\nV_TAB_0 = @echo \"  TAB     \" $@;\n" +
			"tab.h: tab.in\n\t$(V_TAB)sed 's/^/#define /' $(srcdir)/tab.in > $@\n",
		"lib/tab.in": "A 1\n",
	}
	jobs := Plan(tag.tag(), []Candidate{cand("lib/tab.h", "#define A 1\n")})
	outs, err := Run(context.Background(), Input{Tag: tag.tag(), Jobs: jobs, Runner: runner, Dir: t.TempDir(), BlobID: blobID})
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 1 || !outs[0].Reproduced {
		t.Fatalf("outcomes %+v, want lib/tab.h reproduced", outs)
	}
	text := string(newTree(tag.tag()).makefileIn("lib").Text)
	if !strings.Contains(text, "V_TAB = $(V_TAB_$(V))") || !strings.Contains(text, "V_TAB_ = $(V_TAB_$(AM_DEFAULT_VERBOSITY))") {
		t.Errorf("silent-rules substitutions not as configure makes them:\n%s", text)
	}
}
