package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tarcheck/tarcheck/verify/report"
	"github.com/tarcheck/tarcheck/verify/report/reporttest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func render(t *testing.T, format string, r *report.Report, o Options) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Render(&b, format, r, o); err != nil {
		t.Fatalf("Render(%s): %v", format, err)
	}
	return b.Bytes()
}

func TestGolden(t *testing.T) {
	tests := []struct {
		file   string
		format string
		report func() *report.Report
		opts   Options
	}{
		{"sample.txt", "text", sampleReport, Options{}},
		{"sample-verbose.txt", "text", sampleReport, Options{Verbose: true}},
		{"sample-color.txt", "text", sampleReport, Options{Color: true, Verbose: true}},
		{"sample-quiet.txt", "text", sampleReport, Options{Quiet: true}},
		{"sample.json", "json", sampleReport, Options{}},
		{"sample.sarif", "sarif", sampleReport, Options{}},
		{"sample.md", "markdown", sampleReport, Options{}},
		{"clean.txt", "text", cleanReport, Options{}},
		{"clean-quiet.txt", "text", cleanReport, Options{Quiet: true}},
		{"clean.json", "json", cleanReport, Options{}},
		{"clean.sarif", "sarif", cleanReport, Options{}},
		{"clean.md", "markdown", cleanReport, Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := render(t, tt.format, tt.report(), tt.opts)
			path := filepath.Join("testdata", tt.file)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./verify/report -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file (run with -update after checking):\n--- got\n%s\n--- want\n%s", tt.file, got, want)
			}
		})
	}
}

func TestJSONContract(t *testing.T) {
	for name, r := range map[string]*report.Report{"sample": sampleReport(), "clean": cleanReport()} {
		t.Run(name, func(t *testing.T) {
			data := render(t, "json", r, Options{})
			reporttest.ValidateReportJSON(t, data)
			var m map[string]any
			if err := json.Unmarshal(data, &m); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"signatures", "files", "findings"} {
				if _, ok := m[k].([]any); !ok {
					t.Errorf("%s = %#v, want an array", k, m[k])
				}
			}
			if m["schema"] != report.Schema || m["verdict"] == "" {
				t.Errorf("schema %v verdict %v", m["schema"], m["verdict"])
			}
			// The JSON decodes back into the same report.
			var back report.Report
			if err := json.Unmarshal(data, &back); err != nil {
				t.Fatal(err)
			}
			want := normalized(r)
			for i := range want.Generators {
				want.Generators[i].Paths = nil
			}
			if !reflect.DeepEqual(&back, want) {
				t.Errorf("round trip differs:\n got %+v\nwant %+v", back, *want)
			}
		})
	}
}

func TestJSONVerdictFilledIn(t *testing.T) {
	r := sampleReport()
	r.Verdict = ""
	var m struct{ Verdict string }
	if err := json.Unmarshal(render(t, "json", r, Options{}), &m); err != nil {
		t.Fatal(err)
	}
	if m.Verdict != "fail" {
		t.Errorf("verdict %q, want fail", m.Verdict)
	}
	if r.Verdict != "" {
		t.Error("JSON modified the caller's report")
	}
}

func TestJSONInvalidUTF8(t *testing.T) {
	r := cleanReport()
	r.Files = []report.FileDiff{{Path: "src/\xff\xfe.c", Status: report.OnlyInTarball, Class: "source", Severity: report.SevMedium, Reason: "bad \xc0 name"}}
	r.Findings = []report.Finding{{Rule: "TC107", Severity: report.SevCritical, Path: "a\x1b[31mb\n", Message: "m\x00", Evidence: []string{"\x80"}}}
	r.Classes = map[string]int{"\xff": 1}
	for _, format := range []string{"json", "sarif"} {
		data := render(t, format, r, Options{})
		if !utf8.Valid(data) {
			t.Errorf("%s output is not valid UTF-8", format)
		}
		if !json.Valid(data) {
			t.Errorf("%s output is not valid JSON", format)
		}
		if bytes.IndexByte(data, 0x1b) >= 0 {
			t.Errorf("%s output contains a raw ESC", format)
		}
	}
	reporttest.ValidateReportJSON(t, render(t, "json", r, Options{}))
	reporttest.ValidateSARIF(t, render(t, "sarif", r, Options{}))
	var back report.Report
	if err := json.Unmarshal(render(t, "json", r, Options{}), &back); err != nil {
		t.Fatal(err)
	}
	if got := back.Files[0].Path; got != "src/\uFFFD\uFFFD.c" {
		t.Errorf("path came back as %q", got)
	}
	if got := back.Findings[0].Path; got != "a\x1b[31mb\n" {
		t.Errorf("escape-bearing path came back as %q (JSON must keep it exactly)", got)
	}
}

type sarifDoc struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Name    string
				Version string
				Rules   []struct {
					ID                   string
					DefaultConfiguration struct{ Level string }
				}
			}
		}
		Results []struct {
			RuleID    string
			RuleIndex int
			Level     string
			Message   struct{ Text string }
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct{ URI string }
					Region           *struct{ StartLine int }
				}
			}
			Properties struct{ Severity string }
		}
	}
}

func TestSARIF(t *testing.T) {
	r := sampleReport()
	data := render(t, "sarif", r, Options{})
	reporttest.ValidateSARIF(t, data)
	var doc sarifDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Runs) != 1 {
		t.Fatalf("%d runs, want 1", len(doc.Runs))
	}
	run := doc.Runs[0]
	if run.Tool.Driver.Name != "tarcheck" || run.Tool.Driver.Version != "v0.1.0" {
		t.Errorf("driver %q %q", run.Tool.Driver.Name, run.Tool.Driver.Version)
	}
	if len(run.Results) != len(r.Findings) {
		t.Fatalf("%d results for %d findings", len(run.Results), len(r.Findings))
	}
	ruleIDs := map[string]bool{}
	for i, rule := range run.Tool.Driver.Rules {
		ruleIDs[rule.ID] = true
		for _, res := range run.Results {
			if res.RuleID == rule.ID && res.RuleIndex != i {
				t.Errorf("result %s has ruleIndex %d, want %d", res.RuleID, res.RuleIndex, i)
			}
		}
	}
	for _, id := range report.RuleIDs() {
		if !ruleIDs[id] {
			t.Errorf("catalogued rule %s missing from tool.driver.rules", id)
		}
	}
	wantLevel := map[report.Severity]string{
		report.SevCritical: "error", report.SevHigh: "error", report.SevMedium: "warning",
		report.SevLow: "note", report.SevInfo: "note",
	}
	for i, f := range r.Findings {
		res := run.Results[i]
		if res.RuleID != f.Rule || !ruleIDs[f.Rule] {
			t.Errorf("result %d rule %q, want %q listed in rules", i, res.RuleID, f.Rule)
		}
		if res.Level != wantLevel[f.Severity] {
			t.Errorf("%s: level %q, want %q", f.Rule, res.Level, wantLevel[f.Severity])
		}
		if res.Properties.Severity != f.Severity.String() {
			t.Errorf("%s: properties.severity %q", f.Rule, res.Properties.Severity)
		}
		if res.Message.Text != f.Message {
			t.Errorf("%s: message %q", f.Rule, res.Message.Text)
		}
		if len(res.Locations) != 1 {
			t.Errorf("%s: %d locations", f.Rule, len(res.Locations))
			continue
		}
		loc := res.Locations[0].PhysicalLocation
		wantURI := f.Path
		if wantURI == "" {
			wantURI = "xz-5.6.1.tar.xz"
		}
		if loc.ArtifactLocation.URI != wantURI {
			t.Errorf("%s: uri %q, want %q", f.Rule, loc.ArtifactLocation.URI, wantURI)
		}
	}
	// Evidence "86: ..." gives a region; evidence that is not "<line>:" does not.
	if reg := run.Results[1].Locations[0].PhysicalLocation.Region; reg == nil || reg.StartLine != 86 {
		t.Errorf("TC501 region %+v, want startLine 86", reg)
	}
	if reg := run.Results[7].Locations[0].PhysicalLocation.Region; reg != nil {
		t.Errorf("TC701 region %+v, want none", reg)
	}
}

func TestSARIFNoTarballName(t *testing.T) {
	r := cleanReport()
	r.Tarball.Source = ""
	r.Findings = []report.Finding{{Rule: "TC202", Severity: report.SevHigh, Message: ""}}
	data := render(t, "sarif", r, Options{})
	reporttest.ValidateSARIF(t, data)
	var doc sarifDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	res := doc.Runs[0].Results[0]
	if len(res.Locations) != 0 {
		t.Errorf("locations %+v, want none", res.Locations)
	}
	if rule, _ := report.LookupRule("TC202"); res.Message.Text != rule.Short {
		t.Errorf("empty message replaced by %q", res.Message.Text)
	}
}

func TestSARIFHostilePaths(t *testing.T) {
	paths := []string{
		"/etc/passwd", "//host/share", "../../etc/shadow", "a:b/c", "C:\\x", "sp ace/%41#frag?q",
		"\xff\xfe", "dir/\x1b[2J\n", "ünïcödé/日本.c", "[x]{y}|<z>", "",
	}
	r := cleanReport()
	for _, p := range paths {
		r.Findings = append(r.Findings, report.Finding{Rule: "TC101", Severity: report.SevCritical, Path: p, Message: "hostile " + p, Evidence: []string{"0: zero is not a line", "99999999999999: too long"}})
	}
	reporttest.ValidateSARIF(t, render(t, "sarif", r, Options{}))
}

func TestURIReference(t *testing.T) {
	tests := map[string]string{
		"src/main.c":          "src/main.c",
		"a b/c%d":             "a%20b/c%25d",
		"/etc/passwd":         "%2Fetc/passwd",
		"//host/x":            "%2F%2Fhost/x",
		"a:b":                 "a%3Ab",
		"../x":                "../x",
		"\xff":                "%FF",
		"é":                   "%C3%A9",
		"a//b/":               "a//b/",
		"q?x#y":               "q%3Fx%23y",
		"~user/_x-1.2":        "~user/_x-1.2",
		"tab\there":           "tab%09here",
		"m4/build-to-host.m4": "m4/build-to-host.m4",
	}
	for in, want := range tests {
		if got := URIReference(in); got != want {
			t.Errorf("URIReference(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRenderUnknownFormat(t *testing.T) {
	var b bytes.Buffer
	err := Render(&b, "yaml", sampleReport(), Options{})
	if !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("err = %v, want ErrUnknownFormat", err)
	}
	if b.Len() != 0 {
		t.Errorf("wrote %d bytes for an unknown format", b.Len())
	}
	for _, f := range Formats() {
		if err := Render(&b, f, nil, Options{}); !errors.Is(err, ErrNilReport) {
			t.Errorf("%s with nil report: %v", f, err)
		}
	}
}

type failWriter struct{}

var errDiskFull = errors.New("disk full")

func (failWriter) Write([]byte) (int, error) { return 0, errDiskFull }

func TestWriteErrors(t *testing.T) {
	for _, f := range Formats() {
		if err := Render(failWriter{}, f, sampleReport(), Options{}); !errors.Is(err, errDiskFull) {
			t.Errorf("%s: err = %v, want the writer's error", f, err)
		}
	}
}

func TestTextSections(t *testing.T) {
	out := string(render(t, "text", sampleReport(), Options{}))
	// Read top-down: header, signatures, verdict, findings, diffs, counts.
	order := []string{"Signatures", "Verdict: FAIL, 4 findings and 3 files at or above high (highest: critical)\n",
		"Findings at or above medium", "Differences", "-\tint x = 0;", "+\tint x = 1;", "Generated by:", "Classes:", "Counts:"}
	pos := 0
	for _, s := range order {
		i := strings.Index(out[pos:], s)
		if i < 0 {
			t.Fatalf("%q missing or out of order in:\n%s", s, out)
		}
		pos += i
	}
	// Critical findings come before high ones.
	if strings.Index(out, "TC501") > strings.Index(out, "TC402") {
		t.Error("critical finding TC501 listed after high finding TC402")
	}
	// Low and info findings and info files are only counted without -v.
	if strings.Contains(out, "doc/api.html") || strings.Contains(out, "TC307") || !strings.Contains(out, "not listed: 2 low and 1 info findings") {
		t.Errorf("low/info items listed without Verbose:\n%s", out)
	}
	verbose := string(render(t, "text", sampleReport(), Options{Verbose: true}))
	for _, s := range []string{"doc/api.html", "configure", "TC307", "@@ -1,3 +1,3 @@", `\x1b[2J`} {
		if !strings.Contains(verbose, s) {
			t.Errorf("verbose text lacks %q", s)
		}
	}
	if strings.Contains(out, "\x1b") || strings.Contains(verbose, "\x1b") {
		t.Error("ESC in uncoloured text")
	}
}

// TestTextGroups: findings with one rule and message are listed once with
// their count and a few example paths.
func TestTextGroups(t *testing.T) {
	r := cleanReport()
	for i := range 300 {
		r.Findings = append(r.Findings, report.Finding{Rule: "TC304", Severity: report.SevMedium, Path: fmt.Sprintf("bin/t%03d", i), Message: "executable bit differs"})
		r.Findings = append(r.Findings, report.Finding{Rule: "TC307", Severity: report.SevLow, Path: fmt.Sprintf("po/l%03d.po", i), Message: "translation regenerated"})
	}
	r.Decide()
	out := string(render(t, "text", r, Options{}))
	for _, s := range []string{"TC304 executable bit differs (300)\n", "bin/t000, bin/t001, bin/t002, bin/t003, bin/t004, and 295 more\n", "not listed: 300 low and 0 info findings"} {
		if !strings.Contains(out, s) {
			t.Errorf("text lacks %q:\n%s", s, out)
		}
	}
	if n := strings.Count(out, "\n"); n > 40 {
		t.Errorf("%d lines, want at most 40:\n%s", n, out)
	}
	if !strings.Contains(string(render(t, "text", r, Options{Examples: 2})), "bin/t000, bin/t001, and 298 more\n") {
		t.Error("Examples: 2 not honoured")
	}
}

func TestTextQuiet(t *testing.T) {
	out := string(render(t, "text", sampleReport(), Options{Quiet: true}))
	want := "Verdict: FAIL, 4 findings and 3 files at or above high (highest: critical); signatures: tarball openpgp valid (Jia Tan <jiat0218@gmail.com>), tag ssh invalid, tarball sigstore unverifiable, tag x509 not-checked, checksum checksum missing\n"
	if out != want {
		t.Errorf("quiet:\n%q\nwant\n%q", out, want)
	}
}

func TestVerdictSentence(t *testing.T) {
	r := cleanReport()
	if got := string(render(t, "text", r, Options{Quiet: true})); got != "Verdict: PASS, no findings and no differing files (fail-on high); signatures: none checked\n" {
		t.Errorf("clean: %q", got)
	}
	r.Findings = []report.Finding{{Rule: "TC307", Severity: report.SevLow, Message: "x"}}
	r.Decide()
	if got := string(render(t, "text", r, Options{Quiet: true})); got != "Verdict: PASS, nothing at or above high (highest: low); signatures: none checked\n" {
		t.Errorf("low: %q", got)
	}
	r.FailOn = report.SevLow
	r.Decide()
	if got := string(render(t, "text", r, Options{Quiet: true})); got != "Verdict: FAIL, 1 finding at or above low (highest: low); signatures: none checked\n" {
		t.Errorf("fail-on low: %q", got)
	}
}

func TestMarkdownStructure(t *testing.T) {
	out := string(render(t, "markdown", sampleReport(), Options{}))
	for _, s := range []string{
		"## tarcheck: FAIL\n", "**FAIL**:", "### Signatures", "| subject | kind | status | signer | detail |",
		"### Counts", "| class | files |", "### Findings (8)", "| severity | rule | path | message |",
		"<details>\n<summary>Differing files (9)</summary>\n\n", "</details>",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("markdown lacks %q", s)
		}
	}
	assertTables(t, out)
}

// assertTables checks that every table row has as many unescaped cell
// separators as its header.
func assertTables(t *testing.T, md string) {
	t.Helper()
	want := -1
	for _, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "|") {
			want = -1
			continue
		}
		n := countCellSeparators(line)
		if want < 0 {
			want = n
			continue
		}
		if n != want {
			t.Errorf("table row has %d separators, header %d: %q", n, want, line)
		}
	}
}

// countCellSeparators counts the "|" that split cells as GitHub's GFM table
// parser does: a pipe preceded by a backslash never splits a cell.
func countCellSeparators(line string) int {
	n := 0
	for i := 0; i < len(line); i++ {
		if line[i] == '|' && (i == 0 || line[i-1] != '\\') {
			n++
		}
	}
	return n
}

func TestLineOf(t *testing.T) {
	tests := []struct {
		in   string
		line int
		rest string
		ok   bool
	}{
		{"12: text", 12, "text", true},
		{"1:x", 1, "x", true},
		{"7:", 7, "", true},
		{"0: zero", 0, "", false},
		{"12 text", 0, "", false},
		{": x", 0, "", false},
		{"1234567890: too long", 0, "", false},
		{"", 0, "", false},
		{"x1: y", 0, "", false},
	}
	for _, tt := range tests {
		line, rest, ok := lineOf(tt.in)
		if line != tt.line || rest != tt.rest || ok != tt.ok {
			t.Errorf("lineOf(%q) = %d %q %v, want %d %q %v", tt.in, line, rest, ok, tt.line, tt.rest, tt.ok)
		}
	}
}

func TestArtifactName(t *testing.T) {
	tests := map[string]string{
		"https://example.org/a/foo-1.2.tar.gz?x=1#y": "foo-1.2.tar.gz",
		"./dl/foo.tar.xz":   "foo.tar.xz",
		"foo.zip":           "foo.zip",
		"":                  "",
		`C:\dl\foo.tgz`:     "foo.tgz",
		"dir/with?mark.tgz": "with?mark.tgz",
	}
	for in, want := range tests {
		if got := artifactName(in); got != want {
			t.Errorf("artifactName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestVerdictUnauthenticatedAndGitArchive(t *testing.T) {
	r := cleanReport()
	r.Unauthenticated = "no keyring"
	r.GitArchive = &report.GitArchiveInfo{Commit: "0123456789abcdef0123456789abcdef01234567", MatchesTag: true}
	want := "Verdict: PASS (content) — signatures not checked: no keyring; no findings and no differing files (fail-on high)\n"
	if got := string(render(t, "text", r, Options{Quiet: true})); got != want {
		t.Errorf("quiet: %q, want %q", got, want)
	}
	text := string(render(t, "text", r, Options{}))
	if !strings.Contains(text, "this tarball is a git archive of the tag (commit 0123456789abcdef0123456789abcdef01234567)") {
		t.Errorf("text report lacks the git archive line:\n%s", text)
	}
	md := string(render(t, "markdown", r, Options{}))
	if !strings.Contains(md, "signatures not checked") || !strings.Contains(md, "git archive of the tag") {
		t.Errorf("markdown lacks the qualifier or the git archive line:\n%s", md)
	}
	js := string(render(t, "json", r, Options{}))
	if !strings.Contains(js, `"unauthenticated": "no keyring"`) || !strings.Contains(js, `"matches_tag": true`) {
		t.Errorf("JSON lacks the new fields:\n%s", js)
	}
	// A failing verdict needs no qualifier: it fails on content already.
	r.Findings = []report.Finding{{Rule: "TC301", Severity: report.SevHigh, Message: "x"}}
	r.Decide()
	if got := string(render(t, "text", r, Options{Quiet: true})); strings.Contains(got, "(content)") {
		t.Errorf("fail: %q", got)
	}
}

// TestOriginUnreadHint: the grouped "gnulib commit could not be read"
// finding names the CLI's fix (the library message names no flag); the
// other TC308 messages get no hint, and JSON carries none.
func TestOriginUnreadHint(t *testing.T) {
	r := cleanReport()
	r.Findings = append(r.Findings,
		report.Finding{Rule: report.RuleOriginNotConsulted, Severity: report.SevMedium, Path: "lib",
			Message: "2 files look like gnulib copies; gnulib commit 41e7b7e0d159 " + report.OriginUnread, Evidence: []string{"lib/a.c", "lib/b.c"}},
		report.Finding{Rule: report.RuleOriginNotConsulted, Severity: report.SevMedium, Path: "m4",
			Message: "3 files named like gnulib files match neither the pinned gnulib commit 41e7b7e0d159 nor any known gnulib version"})
	r.Decide()
	const hint = "hint: pass --gnulib DIR (a gnulib clone), or allow the network (no --offline) so tarcheck fetches the pinned commit"
	out := string(render(t, "text", r, Options{}))
	if strings.Count(out, hint) != 1 {
		t.Errorf("text: want the hint once:\n%s", out)
	}
	if i, j := strings.Index(out, "could not be read"), strings.Index(out, hint); i < 0 || j < i {
		t.Errorf("hint not after its finding:\n%s", out)
	}
	if md := string(render(t, "markdown", r, Options{})); strings.Count(md, "--gnulib DIR") != 1 {
		t.Errorf("markdown: want the hint once:\n%s", md)
	}
	if js := string(render(t, "json", r, Options{})); strings.Contains(js, "--gnulib") {
		t.Errorf("json carries a CLI hint:\n%s", js)
	}
}

// A grouped finding below high lists example paths on one line, as groups
// of findings do; its "... and N more" line from explain is counted in.
// Other evidence (lines, hunks), high findings and -v show every line.
func TestPathExamples(t *testing.T) {
	group := report.Finding{Rule: "TC302", Severity: report.SevMedium, Message: "69 files",
		Evidence: []string{"doc/a.html", "doc/b.html", "doc/c.html", "... and 66 more (the files list has every one)"}}
	if line, ok := pathExamples(group, 2, false); !ok || line != "doc/a.html, doc/b.html, and 67 more (-v lists them)" {
		t.Errorf("group: %q %v", line, ok)
	}
	for name, f := range map[string]report.Finding{
		"lines": {Severity: report.SevMedium, Evidence: []string{"+ sys_lib=/lib64", "+ echo x"}},
		"high":  {Severity: report.SevHigh, Evidence: group.Evidence},
		"one":   {Severity: report.SevMedium, Evidence: []string{"doc/a.html"}},
	} {
		if line, ok := pathExamples(f, 2, false); ok {
			t.Errorf("%s: %q", name, line)
		}
	}
	if _, ok := pathExamples(group, 2, true); ok {
		t.Error("-v folded the evidence")
	}
}
