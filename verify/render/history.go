package render

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/tarcheck/tarcheck/verify/render/escape"
	"github.com/tarcheck/tarcheck/verify/report"
)

// historyLines summarises the previous-release analysis (report fields
// previous, drift and signers_history) in a few plain lines, unescaped:
// the renderers escape them. None when there was no previous release.
func historyLines(r *report.Report) []string {
	pr := r.Previous
	if pr == nil {
		return nil
	}
	how := "given with --previous"
	if pr.Inferred {
		how = "inferred"
	}
	lines := []string{fmt.Sprintf("compared with %s (commit %s, %s)", pr.Tag, shortHash(pr.Commit), how)}
	if d := r.Drift; d != nil {
		for _, b := range d.Binaries {
			lines = append(lines, fmt.Sprintf("binary %s %s (%s, %d bytes)%s", b.Status, b.Path, b.Type, b.Size, sevSuffix(b.Severity)))
		}
		if n := len(d.BuildFiles); n > 0 {
			lines = append(lines, fmt.Sprintf("%d build-system file(s) changed", n))
		}
		for _, c := range d.NewCommitters {
			lines = append(lines, fmt.Sprintf("new to the build system: %s (%s)", c.Identity, strings.Join(c.Paths, ", ")))
		}
		if n := len(d.NewOnlyInTarball); n > 0 {
			lines = append(lines, fmt.Sprintf("%d file(s) newly only in the tarball", n))
		}
	}
	if sh := r.SignersHistory; sh != nil {
		for _, s := range sh.Changed {
			lines = append(lines, fmt.Sprintf("%s signer changed: %s -> %s", s, signerKeys(sh.Previous, s), signerKeys(sh.Current, s)))
		}
		for _, h := range sh.HandOver {
			lines = append(lines, "hand-over: "+h)
		}
	}
	return lines
}

func sevSuffix(s string) string {
	if s == "" {
		return ""
	}
	return ": " + s
}

// signerKeys lists the keys of one subject's signers.
func signerKeys(ss []report.Signer, subject string) string {
	var keys []string
	for _, s := range ss {
		if s.Subject == subject {
			keys = append(keys, s.Key)
		}
	}
	if len(keys) == 0 {
		return "none"
	}
	return strings.Join(keys, ", ")
}

// previous prints the previous-release section of the text report.
func (p *textPrinter) previous(r *report.Report) {
	lines := historyLines(r)
	if len(lines) == 0 {
		return
	}
	p.heading("Previous release")
	for _, l := range lines {
		p.printf("  %s\n", escape.Text(l))
	}
}

// mdPrevious writes the previous-release section of the Markdown report.
func mdPrevious(b *bytes.Buffer, r *report.Report) {
	lines := historyLines(r)
	if len(lines) == 0 {
		return
	}
	b.WriteString("\n### Previous release\n\n")
	for _, l := range lines {
		fmt.Fprintf(b, "- %s\n", mdText(l))
	}
}
