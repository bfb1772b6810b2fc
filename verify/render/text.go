package render

import (
	"bytes"
	"fmt"
	"github.com/tarcheck/tarcheck/verify/render/escape"
	"io"
	"strings"

	"github.com/tarcheck/tarcheck/verify/report"
)

// ANSI SGR sequences used when Options.Color is set.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

var sevColor = map[report.Severity]string{
	report.SevCritical: ansiBold + ansiRed,
	report.SevHigh:     ansiRed,
	report.SevMedium:   ansiYellow,
	report.SevLow:      ansiCyan,
	report.SevInfo:     ansiDim,
}

// textPrinter accumulates the text report; untrusted strings go through
// EscapeText before they reach buf.
type textPrinter struct {
	buf   bytes.Buffer
	color bool
}

func (p *textPrinter) printf(format string, args ...any) { fmt.Fprintf(&p.buf, format, args...) }

func (p *textPrinter) paint(code, s string) string {
	if !p.color || code == "" {
		return s
	}
	return code + s + ansiReset
}

func (p *textPrinter) heading(s string) { p.printf("\n%s\n", p.paint(ansiBold, s)) }

// Text writes the human report: header, signatures, counts, per-class counts,
// generator versions, findings and differing files grouped by severity
// (critical first), then the verdict line. Info files and diff excerpts are
// listed only with o.Verbose; o.Quiet keeps only critical and high findings
// and the verdict line. Untrusted strings are escaped (see EscapeText).
func Text(w io.Writer, r *report.Report, o Options) error {
	if r == nil {
		return ErrNilReport
	}
	p := &textPrinter{color: o.Color}
	out := r.Outcome()
	if o.Quiet {
		p.quietFindings(r)
	} else {
		p.header(r)
		p.signatures(r)
		p.counts(r)
		p.generators(r)
		p.previous(r)
		p.findings(r)
		p.files(r, o.Verbose)
		p.extras(r, o.Verbose)
		p.printf("\n")
	}
	p.verdict(r, out)
	if _, err := w.Write(p.buf.Bytes()); err != nil {
		return fmt.Errorf("writing text report: %w", err)
	}
	return nil
}

func (p *textPrinter) header(r *report.Report) {
	name := r.Tool.Name
	if name == "" {
		name = "tarcheck"
	}
	p.printf("%s %s\n", p.paint(ansiBold, escape.Text(name)), escape.Text(r.Tool.Version))
	t := r.Tarball
	p.printf("  tarball  %s\n", escape.Text(t.Source))
	var parts []string
	if t.Format != "" {
		parts = append(parts, escape.Text(t.Format))
	}
	parts = append(parts, fmt.Sprintf("%d bytes", t.Size))
	if t.Root != nil {
		parts = append(parts, "root "+escape.Text(*t.Root))
	} else {
		parts = append(parts, "no single top-level directory")
	}
	if t.SHA256 != "" {
		parts = append(parts, "sha256 "+escape.Text(t.SHA256))
	}
	p.printf("           %s\n", strings.Join(parts, ", "))
	g := r.Git
	p.printf("  git      %s\n", escape.Text(g.Source))
	parts = []string{"tag " + escape.Text(g.Tag)}
	if g.TagObject != nil {
		parts = append(parts, "tag object "+escape.Text(*g.TagObject))
	} else {
		parts = append(parts, "lightweight tag")
	}
	if g.Commit != "" {
		parts = append(parts, "commit "+escape.Text(g.Commit))
	}
	if g.CommitTime != "" {
		parts = append(parts, escape.Text(g.CommitTime))
	}
	p.printf("           %s\n", strings.Join(parts, ", "))
}

func (p *textPrinter) signatures(r *report.Report) {
	p.heading("Signatures")
	if len(r.Signatures) == 0 {
		p.printf("  none checked\n")
		return
	}
	for _, s := range r.Signatures {
		status := fmt.Sprintf("%-12s", escape.Text(s.Status))
		switch s.Status {
		case "valid":
			status = p.paint(ansiGreen, status)
		case "invalid":
			status = p.paint(ansiBold+ansiRed, status)
		case "missing", "unverifiable":
			status = p.paint(ansiYellow, status)
		}
		line := fmt.Sprintf("  %-8s %-9s %s", escape.Text(s.Subject), escape.Text(s.Kind), status)
		if s.Signer != "" {
			line += " " + escape.Text(s.Signer)
		}
		if s.Source != "" {
			line += "  [" + escape.Text(s.Source) + "]"
		}
		p.printf("%s\n", strings.TrimRight(line, " "))
		if s.Detail != "" {
			p.printf("           %s\n", escape.Text(s.Detail))
		}
	}
}

func (p *textPrinter) counts(r *report.Report) {
	p.heading("Counts")
	for _, c := range statusCounts(r.Summary) {
		p.printf("  %-16s %7d\n", c.Name, c.Count)
	}
	if len(r.Classes) > 0 {
		p.heading("Classes")
		names := sortedClasses(r.Classes)
		width := 16
		for _, n := range names {
			width = max(width, len(escape.Text(n)))
		}
		for _, n := range names {
			p.printf("  %-*s %7d\n", width, escape.Text(n), r.Classes[n])
		}
	}
}

func (p *textPrinter) generators(r *report.Report) {
	if len(r.Generators) == 0 {
		return
	}
	p.heading("Generators")
	for _, g := range r.Generators {
		name := escape.Text(g.Name)
		if g.Version != "" {
			name += " " + escape.Text(g.Version)
		}
		line := fmt.Sprintf("  %s: %d %s", name, g.Files, plural(g.Files, "file", "files"))
		if g.Example != "" {
			line += " (e.g. " + escape.Text(g.Example) + ")"
		}
		p.printf("%s\n", line)
	}
}

func (p *textPrinter) sevLabel(s report.Severity) string {
	return p.paint(sevColor[s], strings.ToUpper(s.String()))
}

func (p *textPrinter) findings(r *report.Report) {
	p.heading(fmt.Sprintf("Findings (%d)", len(r.Findings)))
	if len(r.Findings) == 0 {
		p.printf("  none\n")
		return
	}
	idx := bySeverity(len(r.Findings), func(i int) report.Severity { return r.Findings[i].Severity })
	var cur report.Severity = -1
	for _, i := range idx {
		f := r.Findings[i]
		if f.Severity != cur {
			cur = f.Severity
			p.printf("  %s\n", p.sevLabel(cur))
		}
		p.finding(f, "    ")
	}
}

func (p *textPrinter) finding(f report.Finding, indent string) {
	head := indent + escape.Text(f.Rule)
	if f.Path != "" {
		head += " " + escape.Text(f.Path) + ":"
	}
	p.printf("%s %s\n", head, escape.Text(f.Message))
	for _, e := range f.Evidence {
		p.printf("%s      %s\n", indent, p.paint(ansiDim, escape.Text(e)))
	}
}

func (p *textPrinter) quietFindings(r *report.Report) {
	idx := bySeverity(len(r.Findings), func(i int) report.Severity { return r.Findings[i].Severity })
	for _, i := range idx {
		f := r.Findings[i]
		if f.Severity < report.SevHigh {
			break
		}
		line := p.sevLabel(f.Severity) + " " + escape.Text(f.Rule)
		if f.Path != "" {
			line += " " + escape.Text(f.Path) + ":"
		}
		p.printf("%s %s\n", line, escape.Text(f.Message))
	}
}

func (p *textPrinter) files(r *report.Report, verbose bool) {
	hidden := 0
	if !verbose {
		for _, f := range r.Files {
			if f.Severity == report.SevInfo {
				hidden++
			}
		}
	}
	title := fmt.Sprintf("Files (%d differing)", len(r.Files))
	if hidden > 0 {
		title = fmt.Sprintf("Files (%d differing, %d info not listed; -v lists them)", len(r.Files), hidden)
	}
	p.heading(title)
	if len(r.Files) == hidden {
		p.printf("  none listed\n")
		return
	}
	idx := bySeverity(len(r.Files), func(i int) report.Severity { return r.Files[i].Severity })
	var cur report.Severity = -1
	for _, i := range idx {
		f := r.Files[i]
		if f.Severity == report.SevInfo && !verbose {
			break
		}
		if f.Severity != cur {
			cur = f.Severity
			p.printf("  %s\n", p.sevLabel(cur))
		}
		line := fmt.Sprintf("    %-15s  %s  [%s] %s", escape.Text(string(f.Status)), escape.Text(f.Path), escape.Text(f.Class), escape.Text(f.Reason))
		if f.Rebuild != "" && f.Rebuild != report.RebuildNotAttempted {
			line += " (rebuild: " + escape.Text(f.Rebuild) + ")"
		}
		p.printf("%s\n", line)
		if f.Generator != "" {
			p.printf("%21sgenerator: %s\n", "", escape.Text(f.Generator))
		}
		if f.Expected != "" {
			p.printf("%21sexpected by policy: %s\n", "", escape.Text(f.Expected))
		}
		if verbose && f.Diff != "" {
			for _, l := range escape.Block(f.Diff) {
				code := ""
				switch {
				case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
					code = ansiBold
				case strings.HasPrefix(l, "+"):
					code = ansiGreen
				case strings.HasPrefix(l, "-"):
					code = ansiRed
				case strings.HasPrefix(l, "@@"):
					code = ansiCyan
				}
				p.printf("%21s%s\n", "", p.paint(code, l))
			}
		}
	}
}

// extras prints the rebuild summary, the policy and the notes.
func (p *textPrinter) extras(r *report.Report, verbose bool) {
	if rb := r.Rebuild; rb != nil {
		p.heading("Rebuild")
		p.printf("  %s in %s: %d reproduced, %d differ, %d not reproducible\n",
			escape.Text(rb.Mode), escape.Text(rb.Sandbox), rb.Reproduced, rb.Differs, rb.NotRepro)
		if verbose {
			for _, c := range rb.Commands {
				p.printf("    $ %s\n", escape.Text(c))
			}
			if len(rb.HostTools) > 0 {
				p.printf("    host tools: %s\n", escapeJoin(rb.HostTools))
			}
		}
		if len(rb.M4Inputs) > 0 {
			p.printf("    m4 inputs taken from the tarball: %s\n", escapeJoin(rb.M4Inputs))
		}
		for _, n := range rb.Notes {
			p.printf("    note: %s\n", escape.Text(n))
		}
	}
	if pol := r.Policy; pol != nil {
		p.heading("Policy")
		p.printf("  %s\n", escape.Text(pol.File))
		for _, s := range pol.Stale {
			p.printf("    stale expectation: %s\n", escape.Text(s))
		}
	}
	if len(r.Notes) > 0 {
		p.heading("Notes")
		for _, n := range r.Notes {
			p.printf("  %s\n", escape.Text(n))
		}
	}
}

func escapeJoin(ss []string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = escape.Text(s)
	}
	return strings.Join(out, ", ")
}

func (p *textPrinter) verdict(r *report.Report, out report.Outcome) {
	word, code := "PASS", ansiBold+ansiGreen
	if out.Verdict == report.Fail {
		word, code = "FAIL", ansiBold+ansiRed
	}
	p.printf("Verdict: %s, %s\n", p.paint(code, word), sentence(out, r.FailOn))
}
