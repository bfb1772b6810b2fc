package tagrules

import "testing"

// FuzzPlan: any Makefile.am and fragment bytes are translated, parsed and
// searched for rules without a panic, and every job names a candidate.
func FuzzPlan(f *testing.F) {
	f.Add([]byte("if A\nx = 1 \\\n\t2\nendif\ninclude frag.am\n$(srcdir)/a.h: a.in\n\tcat $< > $@\n%-gnu.S: %.s\n\tperl x\n"), []byte("%reldir%/b.c: ;\n"))
	f.Add([]byte("a:\n\t\\"), []byte("include Makefile.am\n"))
	f.Fuzz(func(t *testing.T, am, frag []byte) {
		tag := memTag{"d/Makefile.am": string(am), "d/frag.am": string(frag), "d/a.in": "", "d/x.s": ""}
		for _, j := range Plan(tag.tag(), []Candidate{{Path: "d/a.h"}, {Path: "d/x-gnu.S"}, {Path: "d/b.c"}}) {
			if j.Path != "d/a.h" && j.Path != "d/x-gnu.S" && j.Path != "d/b.c" {
				t.Fatalf("job for %q", j.Path)
			}
		}
	})
}
