// Package report renders a report.Report as human-readable text, the JSON
// report fixed in DESIGN.md, SARIF 2.1.0 (for code scanning) and Markdown
// (for CI step summaries and merge-request comments).
//
// Every string that came from an archive or a repository (paths, messages,
// evidence, reasons, signers) is untrusted. The text and Markdown renderers
// escape it so that no terminal control sequence, newline or Markdown markup
// from an attacker reaches the reader; the JSON and SARIF renderers always
// produce valid UTF-8 JSON (invalid bytes become U+FFFD).
//
// Renderers only write to the io.Writer they are given; deciding about colour
// (TTY, NO_COLOR, --color) and where the output goes is the caller's job.
package render

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/tarcheck/tarcheck/verify/report"
)

// Options tunes the text renderer. The other formats ignore it.
type Options struct {
	// Color enables ANSI colours. The caller decides (TTY, NO_COLOR, --color).
	Color bool
	// Verbose lists every differing file, info ones included, with the
	// unified diff excerpt when the report carries one.
	Verbose bool
	// Quiet prints one line: the verdict and the signature outcome.
	Quiet bool
	// Examples is the number of example paths listed for a group of
	// findings with the same rule and message (default 5; all with Verbose).
	Examples int
	// DiffPaths are files whose whole diff excerpt is shown (--diff PATH).
	DiffPaths []string
	// SummaryOnly makes a text or Markdown batch print only its summary
	// table (BatchEntry writes nothing).
	SummaryOnly bool
}

// Formats lists the format names Render accepts.
func Formats() []string { return []string{"text", "json", "sarif", "markdown"} }

// ErrUnknownFormat is returned by Render for a format not in Formats.
var ErrUnknownFormat = errors.New("unknown report format")

// ErrNilReport is returned when a renderer is given a nil report.
var ErrNilReport = errors.New("nil report")

// Render writes r in format ("text", "json", "sarif" or "markdown") to w.
// An unknown format is an error wrapping ErrUnknownFormat; nothing is written.
func Render(w io.Writer, format string, r *report.Report, o Options) error {
	switch format {
	case "text":
		return Text(w, r, o)
	case "json":
		return JSON(w, r)
	case "sarif":
		return SARIF(w, r)
	case "markdown":
		return Markdown(w, r)
	}
	return fmt.Errorf("%w %q (want text, json, sarif or markdown)", ErrUnknownFormat, format)
}

// sentence is the verdict explanation shared by the text and Markdown reports.
func sentence(o report.Outcome, failOn report.Severity) string {
	switch {
	case !o.Any:
		return fmt.Sprintf("no findings and no differing files (fail-on %s)", failOn)
	case o.Findings+o.Files == 0:
		return fmt.Sprintf("nothing at or above %s (highest: %s)", failOn, o.Max)
	}
	var parts []string
	if o.Findings > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", o.Findings, plural(o.Findings, "finding", "findings")))
	}
	if o.Files > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", o.Files, plural(o.Files, "file", "files")))
	}
	return fmt.Sprintf("%s at or above %s (highest: %s)", strings.Join(parts, " and "), failOn, o.Max)
}

// qualifier is what the verdict word needs beside it: a pass without any
// trust material is about content only.
func qualifier(r *report.Report, o report.Outcome) string {
	if o.Verdict == report.Pass && r.Unauthenticated != "" {
		return "(content) — signatures not checked: " + r.Unauthenticated
	}
	return ""
}

// gitArchiveLine is the report line of a tarball made by git archive of
// the tag's commit ("" otherwise: another commit is a finding).
func gitArchiveLine(r *report.Report) string {
	if r.GitArchive == nil || !r.GitArchive.MatchesTag {
		return ""
	}
	return "this tarball is a git archive of the tag (commit " + r.GitArchive.Commit + ")"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// bySeverity returns the indexes of n items ordered by severity, highest
// first, keeping the input order within a severity.
func bySeverity(n int, sev func(int) report.Severity) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return sev(idx[a]) > sev(idx[b]) })
	return idx
}

// severities from highest to lowest.
var severities = []report.Severity{report.SevCritical, report.SevHigh, report.SevMedium, report.SevLow, report.SevInfo}

// statusCounts pairs each status with its count, in DESIGN.md order.
func statusCounts(s report.Summary) []struct {
	Name  string
	Count int
} {
	return []struct {
		Name  string
		Count int
	}{
		{"tarball files", s.TarballFiles},
		{"git files", s.GitFiles},
		{"identical", s.Identical},
		{string(report.OnlyInTarball), s.OnlyInTarball},
		{string(report.OnlyInGit), s.OnlyInGit},
		{string(report.ContentDiffers), s.ContentDiffers},
		{string(report.ModeDiffers), s.ModeDiffers},
		{string(report.TypeDiffers), s.TypeDiffers},
	}
}

// sortedClasses returns the class names of r.Classes, most files first.
func sortedClasses(m map[string]int) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		if m[names[i]] != m[names[j]] {
			return m[names[i]] > m[names[j]]
		}
		return names[i] < names[j]
	})
	return names
}

// lineOf parses the evidence convention "<line>: text" and returns the line
// number and the text after the colon.
func lineOf(evidence string) (line int, rest string, ok bool) {
	i := 0
	for i < len(evidence) && evidence[i] >= '0' && evidence[i] <= '9' {
		if i >= 9 { // more than 9 digits is not a line number we emit
			return 0, "", false
		}
		line = line*10 + int(evidence[i]-'0')
		i++
	}
	if i == 0 || i >= len(evidence) || evidence[i] != ':' || line < 1 {
		return 0, "", false
	}
	rest = evidence[i+1:]
	if len(rest) > 0 && rest[0] == ' ' {
		rest = rest[1:]
	}
	return line, rest, true
}
