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
