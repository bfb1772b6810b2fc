package render

import (
	"bytes"
	"fmt"
	"github.com/tarcheck/tarcheck/verify/render/escape"
	"io"
	"strings"

	"github.com/tarcheck/tarcheck/verify/report"
)

// markdownMaxRows caps the rows of each Markdown table so that the report
// fits a merge-request comment (GitHub allows 65536 characters); the rest is
// counted in a final row that points at the JSON report.
const markdownMaxRows = 200

// Markdown writes a report for a GitHub step summary or a merge-request
// comment: a verdict line (a plain PASS/FAIL marker, no emoji), a signature
// table, counts per status and per class, generators, a findings table
// (severity, rule, path, message) and every differing file in a collapsed
// <details> block. Untrusted strings are escaped: paths and evidence are
// code spans, other text has Markdown and HTML punctuation backslash-escaped,
// and control characters are shown as escapes (see EscapeText).
func Markdown(w io.Writer, r *report.Report) error {
	if r == nil {
		return ErrNilReport
	}
	var b bytes.Buffer
	for _, section := range []func(*bytes.Buffer, *report.Report){mdHeading, mdSignatures, mdCounts, mdPrevious, mdFindings, mdFiles, mdFooter} {
		section(&b, r)
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("writing markdown report: %w", err)
	}
	return nil
}

// mdHeading writes the verdict and what was compared.
func mdHeading(b *bytes.Buffer, r *report.Report) {
	out := r.Outcome()
	word := "PASS"
	if out.Verdict == report.Fail {
		word = "FAIL"
	}
	fmt.Fprintf(b, "## tarcheck: %s\n\n", word)
	if q := qualifier(r, out); q != "" {
		fmt.Fprintf(b, "**%s** %s; %s.", word, mdText(q), mdText(sentence(out, r.FailOn)))
	} else {
		fmt.Fprintf(b, "**%s**: %s.", word, mdText(sentence(out, r.FailOn)))
	}
	if r.Tarball.Source != "" || r.Git.Tag != "" {
		fmt.Fprintf(b, " Tarball %s compared with tag %s", mdCode(artifactName(r.Tarball.Source), false), mdCode(r.Git.Tag, false))
		if r.Git.Commit != "" {
			fmt.Fprintf(b, " (commit %s)", mdCode(shortHash(r.Git.Commit), false))
		}
		b.WriteString(".")
	}
	if l := gitArchiveLine(r); l != "" {
		fmt.Fprintf(b, " %s.", mdText(strings.ToUpper(l[:1])+l[1:]))
	}
	b.WriteString("\n")
}

// mdSignatures writes the signature table.
func mdSignatures(b *bytes.Buffer, r *report.Report) {
	b.WriteString("\n### Signatures\n\n")
	if len(r.Signatures) == 0 {
		b.WriteString("No signature was checked.\n")
	} else {
		b.WriteString("| subject | kind | status | signer | detail |\n|---|---|---|---|---|\n")
		for _, s := range r.Signatures {
			status := mdCell(s.Status)
			if s.Status != "valid" {
				status = "**" + status + "**"
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", mdCell(s.Subject), mdCell(s.Kind), status, mdCell(s.Signer), mdCell(s.Detail))
		}
	}
}

// mdCounts writes the counts, classes and generators.
func mdCounts(b *bytes.Buffer, r *report.Report) {
	b.WriteString("\n### Counts\n\n| status | files |\n|---|---:|\n")
	for _, c := range statusCounts(r.Summary) {
		fmt.Fprintf(b, "| %s | %d |\n", mdCell(c.Name), c.Count)
	}
	if len(r.Classes) > 0 {
		b.WriteString("\n| class | files |\n|---|---:|\n")
		for _, n := range sortedClasses(r.Classes) {
			fmt.Fprintf(b, "| %s | %d |\n", mdCell(n), r.Classes[n])
		}
	}
	if len(r.Generators) > 0 {
		b.WriteString("\n| generator | version | files | example |\n|---|---|---:|---|\n")
		for _, g := range r.Generators {
			fmt.Fprintf(b, "| %s | %s | %d | %s |\n", mdCell(g.Name), mdCell(g.Version), g.Files, mdPath(g.Example))
		}
	}
}

// mdFindings writes the findings, highest severity first.
func mdFindings(b *bytes.Buffer, r *report.Report) {
	fmt.Fprintf(b, "\n### Findings (%d)\n\n", len(r.Findings))
	if len(r.Findings) == 0 {
		b.WriteString("No findings.\n")
	} else {
		b.WriteString("| severity | rule | path | message |\n|---|---|---|---|\n")
		idx := bySeverity(len(r.Findings), func(i int) report.Severity { return r.Findings[i].Severity })
		for n, i := range idx {
			if n == markdownMaxRows {
				fmt.Fprintf(b, "| | | | %d more findings in the JSON report |\n", len(idx)-n)
				break
			}
			f := r.Findings[i]
			msg := mdCell(f.Message)
			if h := findingHint(f); h != "" {
				msg += "<br>hint: " + mdCell(h)
			}
			for _, e := range f.Evidence {
				msg += "<br>" + mdCode(e, true)
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s |\n", severityCell(f.Severity), mdCell(f.Rule), mdPath(f.Path), msg)
		}
	}
}

// mdFiles writes the differing files in a collapsed section.
func mdFiles(b *bytes.Buffer, r *report.Report) {
	if len(r.Files) > 0 {
		fmt.Fprintf(b, "\n<details>\n<summary>Differing files (%d)</summary>\n\n", len(r.Files))
		b.WriteString("| severity | status | class | path | reason |\n|---|---|---|---|---|\n")
		idx := bySeverity(len(r.Files), func(i int) report.Severity { return r.Files[i].Severity })
		for n, i := range idx {
			if n == markdownMaxRows {
				fmt.Fprintf(b, "| | | | | %d more files in the JSON report |\n", len(idx)-n)
				break
			}
			f := r.Files[i]
			reason := mdCell(f.Reason)
			if f.Expected != "" {
				reason += "<br>expected by policy: " + mdCell(f.Expected)
			}
			if f.Rebuild != "" && f.Rebuild != report.RebuildNotAttempted {
				reason += "<br>rebuild: " + mdCell(f.Rebuild)
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", severityCell(f.Severity), mdCell(string(f.Status)), mdCell(f.Class), mdPath(f.Path), reason)
		}
		b.WriteString("\n</details>\n")
	}
}

// mdFooter writes the rebuild, policy and notes lines and the tool line.
func mdFooter(b *bytes.Buffer, r *report.Report) {
	var extras []string
	if rb := r.Rebuild; rb != nil {
		extras = append(extras, fmt.Sprintf("Rebuild (%s in %s): %d reproduced, %d differ, %d not reproducible.",
			mdText(rb.Mode), mdText(rb.Sandbox), rb.Reproduced, rb.Differs, rb.NotRepro))
	}
	if pol := r.Policy; pol != nil {
		line := "Policy " + mdCode(pol.File, false) + "."
		if len(pol.Stale) > 0 {
			parts := make([]string, len(pol.Stale))
			for i, s := range pol.Stale {
				parts[i] = mdCode(s, false)
			}
			line += " Stale expectations: " + strings.Join(parts, ", ") + "."
		}
		extras = append(extras, line)
	}
	for _, n := range r.Notes {
		extras = append(extras, mdText(n))
	}
	if len(extras) > 0 {
		b.WriteString("\n")
		for _, e := range extras {
			b.WriteString("- " + e + "\n")
		}
	}
	name := r.Tool.Name
	if name == "" {
		name = "tarcheck"
	}
	fmt.Fprintf(b, "\n<sub>%s %s, fail-on %s</sub>\n", mdText(name), mdText(r.Tool.Version), r.FailOn)
}

func severityCell(s report.Severity) string {
	if s >= report.SevHigh {
		return "**" + s.String() + "**"
	}
	return s.String()
}

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// mdText escapes an untrusted string for Markdown running text (escape.Markdown).
func mdText(s string) string { return escape.Markdown(s) }

// mdCell is mdText for a table cell; "|" is already escaped by mdText.
func mdCell(s string) string { return mdText(s) }

// mdPath renders a path as a code span for a table cell.
func mdPath(p string) string {
	if p == "" {
		return ""
	}
	return mdCode(p, true)
}

// mdCode renders an untrusted string as a code span, which shows it
// literally (no links, mentions, emphasis or HTML). Control characters and
// invalid UTF-8 are escaped first; the fence is longer than any backtick run
// inside; in a table cell "|" is escaped as GFM requires even in code spans.
func mdCode(s string, inTable bool) string {
	s = escape.Text(s)
	if s == "" {
		return "` `"
	}
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	if inTable {
		s = strings.ReplaceAll(s, "|", `\|`)
	}
	fence := strings.Repeat("`", longest+1)
	if s[0] == '`' || s[len(s)-1] == '`' || (s[0] == ' ' && s[len(s)-1] == ' ' && strings.Trim(s, " ") != "") {
		s = " " + s + " "
	}
	return fence + s + fence
}
