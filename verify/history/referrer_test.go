package history

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// checkIndexedSameAsSearch fails when the word index of content decides
// differently from containsWord for one of names.
func checkIndexedSameAsSearch(t *testing.T, content string, names []string) {
	t.Helper()
	set := map[string]bool{}
	for _, n := range names {
		if wordIndexable(n) {
			set[n] = true
		}
	}
	refs := []referrer{{path: "tests/Makefile.am", content: []byte(content)}}
	indexWords(refs, set)
	for _, n := range names {
		r := refs[0]
		want := containsWord(r.content, n)
		if got := r.names("tests/data/" + n); got != want && len(r.globs) == 0 {
			t.Fatalf("content %q, name %q: indexed %v, search %v", content, n, got, want)
		}
	}
}

func TestIndexWordsSameAsSearch(t *testing.T) {
	names := []string{"good-1.xz", "good-1", "a.", "a", "x.tar.gz", ".hidden", "f+g.bin", "bad", "b", "xz"}
	for _, c := range []string{
		"EXTRA_DIST = files/good-1.xz files/bad-2.xz\n",
		"see good-1.xz. and a. and a.. then .hidden\n",
		"good-1.xzz good-1.x cat f+g.bin; xz -d <x.tar.gz\n",
		"tests/good-1.xz\ttests/a\n",
		"a.\n", "a", "", "..a..", "good-1.xz.", "ébad bad",
	} {
		checkIndexedSameAsSearch(t, c, names)
	}
	// Random texts over an alphabet of name bytes, separators and dots.
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "ab.-_ /\n+\xc3"
	for range 3000 {
		var sb strings.Builder
		for range rng.IntN(24) {
			sb.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		var ns []string
		for range 4 {
			var nb strings.Builder
			for range 1 + rng.IntN(4) {
				nb.WriteByte(alphabet[rng.IntN(6)])
			}
			ns = append(ns, nb.String())
		}
		checkIndexedSameAsSearch(t, sb.String(), ns)
	}
}
