package linediff

import (
	"fmt"
	"math/rand/v2"
	"slices"
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

// diffRef is the string-table LCS Diff had before its lines were
// interned: the ops must stay the same, tie for tie.
func diffRef(a, b []string) []Op {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	var ops []Op
	for i := 0; i < pre; i++ {
		ops = append(ops, Op{' ', a[i], i, i})
	}
	n, m := len(ma), len(mb)
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if ma[i] == mb[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else if lcs[i+1][j] >= lcs[i][j+1] {
				lcs[i][j] = lcs[i+1][j]
			} else {
				lcs[i][j] = lcs[i][j+1]
			}
		}
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && ma[i] == mb[j]:
			ops = append(ops, Op{' ', ma[i], pre + i, pre + j})
			i++
			j++
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, Op{'-', ma[i], pre + i, pre + j})
			i++
		default:
			ops = append(ops, Op{'+', mb[j], pre + i, pre + j})
			j++
		}
	}
	for k := 0; k < suf; k++ {
		ia, ib := len(a)-suf+k, len(b)-suf+k
		ops = append(ops, Op{' ', a[ia], ia, ib})
	}
	return ops
}

// TestDiffSameAsStringTable: the interned, flat-table Diff gives the same
// ops as the string-table one on random line lists over small alphabets
// (many ties).
func TestDiffSameAsStringTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	gen := func(n, k int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = string(rune('a' + rng.IntN(k)))
		}
		return out
	}
	for iter := 0; iter < 3000; iter++ {
		k := 1 + rng.IntN(6)
		a, b := gen(rng.IntN(40), k), gen(rng.IntN(40), k)
		if got, want := Diff(a, b), diffRef(a, b); !slices.Equal(got, want) {
			t.Fatalf("Diff(%q, %q) =\n%v\nwant\n%v", a, b, got, want)
		}
	}
	a, b := gen(1900, 3), gen(2000, 3)
	if got, want := Diff(a, b), diffRef(a, b); !slices.Equal(got, want) {
		t.Fatalf("Diff of 1900 and 2000 lines differs from the string-table diff")
	}
}

// BenchmarkUnified: a 3,000-line file with a change every 50 lines in
// its 1,800-line middle (the LCS table).
func BenchmarkUnified(b *testing.B) {
	var x, y strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&x, "line %d of the file\n", i)
		if i%50 == 7 && i > 100 && i < 1900 {
			fmt.Fprintf(&y, "changed %d\n", i)
		} else {
			fmt.Fprintf(&y, "line %d of the file\n", i)
		}
	}
	xa, ya := []byte(x.String()), []byte(y.String())
	for b.Loop() {
		Unified("f", xa, ya)
	}
}
