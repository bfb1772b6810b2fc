package linediff

import (
	"strings"
	"testing"
)

func TestUnified(t *testing.T) {
	a := []byte("one\ntwo\nthree\nfour\nfive\nsix\nseven\n")
	b := []byte("one\ntwo\nthree\nFOUR\nfive\nsix\nseven\neight\n")
	d := Unified("f.c", a, b)
	for _, want := range []string{"--- git/f.c", "+++ tarball/f.c", "-four", "+FOUR", "+eight", " three"} {
		if !strings.Contains(d, want) {
			t.Errorf("diff lacks %q:\n%s", want, d)
		}
	}
	if strings.Contains(d, " one\n") {
		t.Errorf("diff shows context far from the change:\n%s", d)
	}
	if Unified("bin", []byte("a\x00b"), []byte("c")) != "" {
		t.Errorf("binary content must give no diff")
	}
	if Unified("same", a, a) != "--- git/same\n+++ tarball/same\n" {
		t.Errorf("identical content gave hunks")
	}
}

// TestUnifiedMinusBeforePlus: a changed line reads as its removal, then
// its replacement (issue 17).
func TestUnifiedMinusBeforePlus(t *testing.T) {
	got := Unified("f", []byte("a\nold\nz\n"), []byte("a\nnew\nz\n"))
	want := "--- git/f\n+++ tarball/f\n@@ -1 +1 @@\n a\n-old\n+new\n z\n"
	if got != want {
		t.Fatalf("Unified:\n%s\nwant:\n%s", got, want)
	}
}
