package render

import (
	"bytes"
	"fmt"
	"github.com/tarcheck/tarcheck/verify/render/escape"
	"io"
	"slices"
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

// Text writes the human report, read top-down: header, signatures, the
// verdict with its reason, the findings at or above medium grouped by rule
// and message (each finding once, with a count and up to
// Options.Examples example paths), a diff excerpt of every high or critical
// file (in -/+ order), rebuild, policy and notes, then one line of counts
// per class and per status. Low and info findings are only counted unless
// o.Verbose, which also lists every differing file with its excerpt.
// o.Quiet prints one line: the verdict and the signature outcome. Untrusted
// strings are escaped (see escape.Text).
func Text(w io.Writer, r *report.Report, o Options) error {
	if r == nil {
		return ErrNilReport
	}
	p := &textPrinter{color: o.Color}
	out := r.Outcome()
	if o.Quiet {
		p.quiet(r, out)
	} else {
		p.header(r)
		p.signatures(r)
		p.previous(r)
		p.printf("\n")
		p.verdict(r, out)
		p.notes(r)
		p.findings(r, o)
		p.diffs(r, o)
		if o.Verbose {
			p.files(r)
		}
		p.extras(r, o.Verbose)
		p.tally(r, o.Verbose)
	}
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
	if l := gitArchiveLine(r); l != "" {
		p.printf("           %s\n", escape.Text(l))
	}
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

// tally prints the generators, the classes and the status counts, one line each.
// Without verbose, the generators line names the maxGenerators that made
// the most files.
func (p *textPrinter) tally(r *report.Report, verbose bool) {
	p.printf("\n")
	if len(r.Generators) > 0 {
		gens := slices.Clone(r.Generators)
		slices.SortStableFunc(gens, func(a, b report.Generator) int { return b.Files - a.Files })
		parts := make([]string, 0, len(gens))
		for i, g := range gens {
			if i == maxGenerators && !verbose {
				parts = append(parts, fmt.Sprintf("and %d more (-v lists them)", len(gens)-i))
				break
			}
			name := escape.Text(strings.TrimSpace(g.Name + " " + g.Version))
			parts = append(parts, fmt.Sprintf("%s (%d %s)", name, g.Files, plural(g.Files, "file", "files")))
		}
		p.printf("Generated by: %s\n", strings.Join(parts, ", "))
	}
	if len(r.Classes) > 0 {
		names := sortedClasses(r.Classes)
		parts := make([]string, len(names))
		for i, n := range names {
			parts[i] = fmt.Sprintf("%s %d", escape.Text(n), r.Classes[n])
		}
		p.printf("Classes: %s\n", strings.Join(parts, ", "))
	}
	var parts []string
	for i, c := range statusCounts(r.Summary) {
		if c.Count > 0 || i < 3 {
			parts = append(parts, fmt.Sprintf("%d %s", c.Count, c.Name))
		}
	}
	p.printf("Counts: %s\n", strings.Join(parts, ", "))
}

func (p *textPrinter) sevLabel(s report.Severity) string {
	return p.paint(sevColor[s], fmt.Sprintf("%-8s", strings.ToUpper(s.String())))
}

// findingGroup is the findings of one severity, rule and message.
type findingGroup struct {
	f     report.Finding // the first one
	paths []string
	n     int
}

// groupFindings groups r's findings at or above min by severity, rule and
// message, highest severity first, then in order of first appearance.
// With each, every finding is its own group (-v: each with its evidence).
func groupFindings(fs []report.Finding, min report.Severity, each bool) (groups []*findingGroup, hidden map[report.Severity]int) {
	hidden = map[report.Severity]int{}
	byKey := map[string]*findingGroup{}
	for _, i := range bySeverity(len(fs), func(i int) report.Severity { return fs[i].Severity }) {
		f := fs[i]
		if f.Severity < min {
			hidden[f.Severity]++
			continue
		}
		key := fmt.Sprintf("%d\x00%s\x00%s", f.Severity, f.Rule, f.Message)
		if each {
			key = fmt.Sprint(i)
		}
		g := byKey[key]
		if g == nil {
			g = &findingGroup{f: f}
			byKey[key] = g
			groups = append(groups, g)
		}
		g.n++
		if f.Path != "" {
			g.paths = append(g.paths, f.Path)
		}
	}
	return groups, hidden
}

// maxGenerators is the number of generators named without -v.
const maxGenerators = 5

// maxSingles is how many one-finding groups of a rule and severity are
// listed before they fold into one group under the rule's description.
const maxSingles = 3

// foldSingles folds the one-finding groups of a rule and severity whose
// messages all differ (they name their file) into one group when there are
// more than maxSingles of them.
func foldSingles(groups []*findingGroup) []*findingGroup {
	type key struct {
		sev  report.Severity
		rule string
	}
	singles := map[key]int{}
	for _, g := range groups {
		if g.n == 1 && g.f.Path != "" {
			singles[key{g.f.Severity, g.f.Rule}]++
		}
	}
	var out []*findingGroup
	folded := map[key]*findingGroup{}
	for _, g := range groups {
		k := key{g.f.Severity, g.f.Rule}
		if g.n != 1 || g.f.Path == "" || singles[k] <= maxSingles {
			out = append(out, g)
			continue
		}
		f := folded[k]
		if f == nil {
			rule, _ := report.LookupRule(g.f.Rule)
			f = &findingGroup{f: report.Finding{Rule: g.f.Rule, Severity: g.f.Severity, Message: rule.Short + ", each with its own message (-v lists them)"}}
			folded[k] = f
			out = append(out, f)
		}
		f.n++
		f.paths = append(f.paths, g.f.Path)
	}
	return out
}

// pathExamples is the evidence of a grouped finding below high (a list of
// paths, perhaps ending in report.MorePaths) as one line of
// examples, as groups of findings are shown: ok is false for other
// evidence (lines, diffs, hunks), for high and critical findings, and
// with -v, which show every line.
func pathExamples(f report.Finding, examples int, verbose bool) (string, bool) {
	ev, more := f.Evidence, 0
	if n := len(ev); n > 0 {
		if m, ok := report.MorePathsCount(ev[n-1]); ok {
			ev, more = ev[:n-1], m
		}
	}
	if verbose || f.Severity >= report.SevHigh || len(ev) < 2 {
		return "", false
	}
	for _, e := range ev {
		if e == "" || strings.ContainsAny(e, " \t") || strings.HasPrefix(e, "+") || strings.HasPrefix(e, "-") {
			return "", false
		}
	}
	if len(ev) > examples {
		more += len(ev) - examples
		ev = ev[:examples]
	}
	line := escapeJoin(ev)
	if more > 0 {
		line += fmt.Sprintf(", and %d more (-v lists them)", more)
	}
	return line, true
}

// defaultExamples is the number of example paths of a group of findings.
const defaultExamples = 5

func (p *textPrinter) findings(r *report.Report, o Options) {
	min := min(report.SevMedium, r.FailOn) // what fails is always listed
	examples := o.Examples
	if examples <= 0 {
		examples = defaultExamples
	}
	if o.Verbose {
		min, examples = report.SevInfo, len(r.Findings)
	}
	groups, hidden := groupFindings(r.Findings, min, o.Verbose)
	if !o.Verbose {
		groups = foldSingles(groups)
	}
	shown := len(r.Findings) - hidden[report.SevLow] - hidden[report.SevInfo]
	title := fmt.Sprintf("Findings: %d", shown)
	if min > report.SevInfo {
		title = fmt.Sprintf("Findings at or above %s: %d", min, shown)
	}
	p.heading(title)
	for _, g := range groups {
		f := g.f
		head := "  " + p.sevLabel(f.Severity) + " " + escape.Text(f.Rule)
		switch {
		case g.n == 1 && f.Path != "":
			p.printf("%s %s: %s\n", head, escape.Text(f.Path), escape.Text(f.Message))
		case g.n == 1:
			p.printf("%s %s\n", head, escape.Text(f.Message))
		default:
			p.printf("%s %s (%d)\n", head, escape.Text(f.Message), g.n)
		}
		if h := findingHint(f); h != "" {
			p.printf("%20s%s\n", "", p.paint(ansiDim, "hint: "+escape.Text(h))) // a submodule's path comes from the tag
		}
		if g.n == 1 {
			if line, ok := pathExamples(f, examples, o.Verbose); ok {
				p.printf("%20s%s\n", "", line)
				continue
			}
			for _, e := range f.Evidence {
				p.printf("%20s%s\n", "", p.paint(ansiDim, escape.Text(e)))
			}
			continue
		}
		list := g.paths
		if len(list) > examples {
			list = list[:examples]
		}
		line := escapeJoin(list)
		if more := len(g.paths) - len(list); more > 0 {
			line += fmt.Sprintf(", and %d more", more)
		}
		if line != "" {
			p.printf("%20s%s\n", "", line)
		}
	}
	if len(groups) == 0 {
		p.printf("  none\n")
	}
	if n := hidden[report.SevLow] + hidden[report.SevInfo]; n > 0 {
		p.printf("  not listed: %d low and %d info findings (-v lists them; `tarcheck explain RULE` explains a rule)\n",
			hidden[report.SevLow], hidden[report.SevInfo])
	}
}

// maxDiffFiles is the number of high or critical files whose diff is
// shown without -v.
const maxDiffFiles = 10

// defaultDiffRows is the number of rows of a diff excerpt shown by default.
const defaultDiffRows = 20

// diffs prints the diff of every high or critical file (every file with
// o.Verbose, handled by files) and the whole excerpt of the files in
// o.DiffPaths.
func (p *textPrinter) diffs(r *report.Report, o Options) {
	wanted := map[string]bool{}
	for _, d := range o.DiffPaths {
		wanted[d] = true
	}
	first, shown, more := true, 0, 0
	for _, i := range bySeverity(len(r.Files), func(i int) report.Severity { return r.Files[i].Severity }) {
		f := r.Files[i]
		full := wanted[f.Path]
		if !full && (o.Verbose || f.Severity < report.SevHigh) {
			continue
		}
		if !full && shown == maxDiffFiles {
			more++
			continue
		}
		if !full {
			shown++
		}
		if first {
			p.heading("Differences")
			first = false
		}
		line := fmt.Sprintf("  %s %s  [%s] %s", p.sevLabel(f.Severity), escape.Text(f.Path), escape.Text(f.Class), escape.Text(f.Reason))
		p.printf("%s%s\n", line, rebuildNote(f))
		if f.Diff == "" {
			p.printf("%4s(%s)\n", "", noDiff(f.Status))
			continue
		}
		rows := defaultDiffRows
		if full {
			rows = -1
		}
		p.diff(f.Diff, "    ", rows, f.Path)
		delete(wanted, f.Path)
	}
	if more > 0 {
		p.printf("  ... and %d more high or critical %s (-v shows every diff, --diff PATH one file's)\n", more, plural(more, "file", "files"))
	}
	for _, d := range o.DiffPaths {
		if wanted[d] {
			p.heading("Differences")
			p.printf("  %s: not a differing file of this release\n", escape.Text(d))
		}
	}
}

// diff prints a unified diff excerpt, at most rows rows (all when rows < 0).
func (p *textPrinter) diff(d, indent string, rows int, path string) {
	lines := escape.Block(d)
	for i, l := range lines {
		if rows >= 0 && i >= rows {
			p.printf("%s... %d more lines (--diff %s shows them all)\n", indent, len(lines)-rows, escape.Text(path))
			return
		}
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
		p.printf("%s%s\n", indent, p.paint(code, l))
	}
}

// noDiff says why a differing file has no diff excerpt.
func noDiff(s report.Status) string {
	switch s {
	case report.OnlyInTarball:
		return "only in the tarball: no copy in git to compare with"
	case report.OnlyInGit:
		return "only in git"
	case report.ModeDiffers:
		return "same content, different mode"
	}
	return "no text diff: binary, too large, or not text"
}

// rebuildNote is " (rebuild: STATUS)" when a rebuild was attempted for f.
func rebuildNote(f report.FileDiff) string {
	if f.Rebuild == "" || f.Rebuild == report.RebuildNotAttempted {
		return ""
	}
	return " (rebuild: " + escape.Text(f.Rebuild) + ")"
}

// quiet prints the verdict line and the signature outcome on one line.
func (p *textPrinter) quiet(r *report.Report, out report.Outcome) {
	p.verdict(r, out)
	line := strings.TrimSuffix(p.buf.String(), "\n")
	p.buf.Reset()
	var sigs []string
	for _, s := range r.Signatures {
		sig := escape.Text(s.Subject) + " " + escape.Text(s.Kind) + " " + escape.Text(s.Status)
		if s.Status == "valid" && s.Signer != "" {
			sig += " (" + escape.Text(s.Signer) + ")"
		}
		sigs = append(sigs, sig)
	}
	switch {
	case len(sigs) > 0:
		p.printf("%s; signatures: %s\n", line, strings.Join(sigs, ", "))
	case r.Unauthenticated != "":
		p.printf("%s\n", line) // the verdict already says none was checked
	default:
		p.printf("%s; signatures: none checked\n", line)
	}
}

// files lists every differing file (-v), with its diff excerpt.
func (p *textPrinter) files(r *report.Report) {
	p.heading(fmt.Sprintf("Files (%d differing)", len(r.Files)))
	if len(r.Files) == 0 {
		p.printf("  none\n")
		return
	}
	for _, i := range bySeverity(len(r.Files), func(i int) report.Severity { return r.Files[i].Severity }) {
		f := r.Files[i]
		line := fmt.Sprintf("  %s %-15s  %s  [%s] %s", p.sevLabel(f.Severity), escape.Text(string(f.Status)), escape.Text(f.Path), escape.Text(f.Class), escape.Text(f.Reason))
		p.printf("%s%s\n", line, rebuildNote(f))
		if f.Generator != "" {
			p.printf("%21sgenerator: %s\n", "", escape.Text(f.Generator))
		}
		if f.Expected != "" {
			p.printf("%21sexpected by policy: %s\n", "", escape.Text(f.Expected))
		}
		if f.Diff != "" {
			p.diff(f.Diff, strings.Repeat(" ", 21), -1, f.Path)
		}
	}
}

// extras prints the rebuild summary and the policy.
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
}

// notes prints the report's notes under the verdict: they say how to read it.
func (p *textPrinter) notes(r *report.Report) {
	for _, n := range r.Notes {
		p.printf("  note: %s\n", escape.Text(n))
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
	if q := qualifier(r, out); q != "" {
		p.printf("Verdict: %s %s; %s%s\n", p.paint(code, word), escape.Text(q), sentence(out, r.FailOn), notProved(r))
		return
	}
	p.printf("Verdict: %s, %s%s\n", p.paint(code, word), sentence(out, r.FailOn), notProved(r))
}

// classGenerated is autotools.ClassGenerated, the class of stamped
// generator outputs.
const classGenerated = "generated"

// notProved says how many generated files the run did not reproduce:
// "; 37 generated files not reproduced; --rebuild proves them".
func notProved(r *report.Report) string {
	n := 0
	for _, f := range r.Files {
		if f.Class == classGenerated && f.Rebuild != report.RebuildReproduced {
			n++
		}
	}
	switch {
	case n == 0:
		return ""
	case r.Rebuild == nil:
		return fmt.Sprintf("; %d generated %s not reproduced; --rebuild proves them", n, plural(n, "file", "files"))
	}
	return fmt.Sprintf("; %d generated %s not reproduced by the rebuild", n, plural(n, "file", "files"))
}

// findingHint is the CLI's fix for a finding, which the library's message
// does not name (the library knows no flags): "" when there is none.
func findingHint(f report.Finding) string {
	if f.Rule == report.RuleOriginNotConsulted && strings.Contains(f.Message, report.SubmoduleUnread) {
		return "pass --submodule " + f.Path + "=DIR (a clone of the submodule's repository), or allow the network (no --offline)"
	}
	if f.Rule == report.RuleOriginNotConsulted && strings.Contains(f.Message, report.OriginUnread) {
		return "pass --gnulib DIR (a gnulib clone), or allow the network (no --offline) so tarcheck fetches the pinned commit"
	}
	return ""
}
