package render

import (
	"bytes"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/tarcheck/tarcheck/verify/report"
	"github.com/tarcheck/tarcheck/verify/report/reporttest"
)

var hostileStrings = []string{
	"\x1b]0;pwned\x07",
	"\x1b[2J\x1b[Hall clear",
	"evil\nVerdict: PASS, nothing at or above high",
	"over\rwrite\x1b[K",
	"\u202egnp.exe",
	"zero\u200bwidth\ufeff",
	"\xff\xfe\xc0\x80",
	"c1\u0085\u009b31m",
	"bell\x07del\x7f nul\x00",
	"line\u2028sep\u2029",
	"| a | b |\n|---|",
	"<script>alert(1)</script> <img src=x onerror=alert(1)>",
	"[click](https://evil.example) ![i](x) **bold** `code` ``` @someone www.evil.example",
	"`",
	" ``a`` ",
	"\\|",
}

// reportWith puts s in every untrusted string field of a report.
func reportWith(s string) *report.Report {
	r := cleanReport()
	r.Tarball.Source = s
	r.Tarball.Root = &s
	r.Git.Source = s
	r.Git.Tag = s
	r.Signatures = []report.Signature{{Subject: "tag", Kind: "openpgp", Status: "invalid", Signer: s, Detail: s, Source: s}}
	r.Files = []report.FileDiff{
		{Path: s, Status: report.ContentDiffers, Class: s, Severity: report.SevHigh, Reason: s, Generator: s, Expected: s, Rebuild: s},
		{Path: s, Status: report.OnlyInTarball, Class: "generated", Severity: report.SevInfo, Reason: s},
	}
	r.Findings = []report.Finding{
		{Rule: "TC107", Severity: report.SevCritical, Path: s, Message: s, Evidence: []string{s, "3: " + s}},
		{Rule: s, Severity: report.SevHigh, Message: s},
	}
	r.Classes = map[string]int{s: 2}
	r.Generators = []report.Generator{{Name: s, Version: s, Files: 1, Example: s}}
	r.Rebuild = &report.RebuildInfo{Mode: s, Sandbox: s, Commands: []string{s}, M4Inputs: []string{s}, HostTools: []string{s}, Notes: []string{s}}
	r.Policy = &report.PolicyInfo{File: s, Stale: []string{s}}
	r.Notes = []string{s}
	r.Decide()
	return r
}

// ourSGR lists the only escape sequences the text renderer may emit itself.
var ourSGR = []string{ansiReset, ansiBold, ansiDim, ansiRed, ansiGreen, ansiYellow, ansiCyan}

// checkTerminalSafe fails unless out is valid UTF-8 with no control or
// invisible format character other than newline and tab, and (when colour
// is on) no ESC other than the renderer's own SGR sequences.
func checkTerminalSafe(t testing.TB, out []byte, color bool) {
	t.Helper()
	if !utf8.Valid(out) {
		t.Fatalf("output is not valid UTF-8: %q", out)
	}
	s := string(out)
	for i := 0; i < len(s); {
		if color && s[i] == 0x1b {
			ok := false
			for _, seq := range ourSGR {
				if strings.HasPrefix(s[i:], seq) {
					i += len(seq)
					ok = true
					break
				}
			}
			if !ok {
				t.Fatalf("foreign escape sequence at %d: %q", i, s[i:min(len(s), i+20)])
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r != '\n' && r != '\t' && (unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)) {
			t.Fatalf("raw %U at %d in %q", r, i, s[max(0, i-20):min(len(s), i+20)])
		}
		i += size
	}
}

func lineCount(b []byte) int { return bytes.Count(b, []byte("\n")) }

func TestHostileText(t *testing.T) {
	for _, o := range []Options{{}, {Verbose: true}, {Color: true, Verbose: true}, {Quiet: true}} {
		benign := render(t, "text", reportWith("x"), o)
		for _, s := range hostileStrings {
			out := render(t, "text", reportWith(s), o)
			checkTerminalSafe(t, out, o.Color)
			if got, want := lineCount(out), lineCount(benign); got != want {
				t.Errorf("opts %+v, %q: %d lines, benign report has %d:\n%s", o, s, got, want, out)
			}
			if strings.Contains(string(out), "\nVerdict: PASS") {
				t.Errorf("%q forged a verdict line", s)
			}
		}
	}
}

func TestHostileDiff(t *testing.T) {
	r := cleanReport()
	r.Files = []report.FileDiff{{Path: "a.c", Status: report.ContentDiffers, Class: "source", Severity: report.SevHigh, Reason: "differs",
		Diff: "--- a\n+++ b\n@@ -1 +1 @@\n-\told\r\n+\x1b]52;c;ZXZpbA==\x07new\u202e\n+\xff\n"}}
	out := render(t, "text", r, Options{Verbose: true, Color: true})
	checkTerminalSafe(t, out, true)
	for _, want := range []string{`\x1b]52;c;ZXZpbA==\x07new\u202e`, `old\r`, "\t"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("diff excerpt lacks %q:\n%s", want, out)
		}
	}
}

func TestHostileMarkdown(t *testing.T) {
	benign := render(t, "markdown", reportWith("x"), Options{})
	for _, s := range hostileStrings {
		out := render(t, "markdown", reportWith(s), Options{})
		checkTerminalSafe(t, out, false)
		if got, want := lineCount(out), lineCount(benign); got != want {
			t.Errorf("%q: %d lines, benign report has %d:\n%s", s, got, want, out)
		}
		assertTables(t, string(out))
		checkMarkdownInert(t, out)
	}
}

// checkMarkdownInert fails if untrusted text could have produced HTML tags,
// links or images: every "<" must be one of ours or escaped, and every "["
// or "](" must be escaped or inside a code span.
func checkMarkdownInert(t testing.TB, out []byte) {
	t.Helper()
	s := string(out)
	for _, tag := range []string{"<details>", "</details>", "<summary>", "</summary>", "<br>", "<sub>", "</sub>"} {
		s = strings.ReplaceAll(s, tag, "")
	}
	s = stripCodeSpans(s)
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '<', '>', '[', ']', '`', '&':
			t.Fatalf("unescaped %q outside a code span: %q", s[i], s[max(0, i-30):min(len(s), i+30)])
		}
	}
}

// stripCodeSpans removes CommonMark code spans (backtick fences of equal
// length) from s.
func stripCodeSpans(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '\\' && i+1 < len(s) {
			b.WriteString(s[i : i+2])
			i += 2
			continue
		}
		if s[i] != '`' {
			b.WriteByte(s[i])
			i++
			continue
		}
		n := 0
		for i+n < len(s) && s[i+n] == '`' {
			n++
		}
		fence := s[i : i+n]
		j := i + n
		closed := false
		for j < len(s) {
			k := strings.Index(s[j:], fence)
			if k < 0 {
				break
			}
			k += j
			if (k+n == len(s) || s[k+n] != '`') && (k == 0 || s[k-1] != '`') {
				i = k + n
				closed = true
				break
			}
			for k < len(s) && s[k] == '`' {
				k++
			}
			j = k
		}
		if !closed {
			b.WriteString(fence)
			i += n
		}
	}
	return b.String()
}

func TestHostileMachineFormats(t *testing.T) {
	for _, s := range hostileStrings {
		r := reportWith(s)
		r.Tarball.SHA256 = strings.Repeat("a", 64)
		r.Findings[1].Rule = "TC107" // the schema wants rule ids starting with TC
		r.Files[0].Rebuild = report.RebuildDiffers
		reporttest.ValidateReportJSON(t, render(t, "json", r, Options{}))
		reporttest.ValidateSARIF(t, render(t, "sarif", r, Options{}))
	}
}

func TestMdCode(t *testing.T) {
	tests := []struct {
		in      string
		inTable bool
		want    string
	}{
		{"a.c", true, "`a.c`"},
		{"a`b", false, "``a`b``"},
		{"`a", false, "`` `a ``"},
		{"a|b", true, "`a\\|b`"},
		{"a|b", false, "`a|b`"},
		{"", false, "` `"},
		{"  ", false, "`  `"},
		{" a ", false, "`  a  `"},
	}
	for _, tt := range tests {
		if got := mdCode(tt.in, tt.inTable); got != tt.want {
			t.Errorf("mdCode(%q, %v) = %q, want %q", tt.in, tt.inTable, got, tt.want)
		}
	}
}

func FuzzText(f *testing.F) {
	for _, s := range hostileStrings {
		f.Add(s)
	}
	f.Add("src/main.c")
	f.Fuzz(func(t *testing.T, s string) {
		o := Options{Color: true, Verbose: true}
		out := render(t, "text", reportWith(s), o)
		checkTerminalSafe(t, out, true)
		if s == "" {
			return // empty optional fields (detail, generator, ...) are left out
		}
		if got, want := lineCount(out), lineCount(render(t, "text", reportWith("x"), o)); got != want {
			t.Fatalf("%q: %d lines, want %d", s, got, want)
		}
	})
}

func FuzzMarkdown(f *testing.F) {
	for _, s := range hostileStrings {
		f.Add(s)
	}
	f.Add("src/main.c")
	f.Fuzz(func(t *testing.T, s string) {
		out := render(t, "markdown", reportWith(s), Options{})
		checkTerminalSafe(t, out, false)
		if got, want := lineCount(out), lineCount(render(t, "markdown", reportWith("x"), Options{})); got != want {
			t.Fatalf("%q: %d lines, want %d", s, got, want)
		}
		assertTables(t, string(out))
		checkMarkdownInert(t, out)
	})
}

func FuzzMachineFormats(f *testing.F) {
	for _, s := range hostileStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := reportWith(s)
		r.Tarball.SHA256 = strings.Repeat("a", 64)
		r.Findings[1].Rule = "TC107"
		r.Files[0].Rebuild = report.RebuildDiffers
		r.Files[0].Class, r.Files[0].Reason = "c"+s, "r"+s // the schema wants them non-empty
		r.Files[1].Reason = "r" + s
		js := render(t, "json", r, Options{})
		sarif := render(t, "sarif", r, Options{})
		for _, out := range [][]byte{js, sarif} {
			if !utf8.Valid(out) {
				t.Fatalf("invalid UTF-8 for %q", s)
			}
		}
		if err := reporttest.ReportJSON(js); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if err := reporttest.SARIF(sarif); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
	})
}
