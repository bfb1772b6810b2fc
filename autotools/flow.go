package autotools

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/tarcheck/tarcheck/internal/limits"
)

// Limits of the data-flow scan (ScanFlows). Inputs above them are cut or
// skipped, and the result says so in Notes.
const (
	// MaxFlowParseBytes caps the bytes of one file parsed as shell; a
	// larger file gets the keyword scan only.
	MaxFlowParseBytes = limits.AutotoolsMaxFlowParseBytes
	// MaxFlowParseRetries caps how many times a file is re-parsed after
	// blanking a line that does not parse (m4 bodies, odd fragments).
	MaxFlowParseRetries = limits.AutotoolsMaxFlowParseRetries
	// MaxFlowEvalDepth caps nested evaluation of eval strings, heredocs
	// fed to a shell and sh -c strings.
	MaxFlowEvalDepth = limits.AutotoolsMaxFlowEvalDepth
	// MaxFlowEvalBytes caps the size of one eval string that is parsed.
	MaxFlowEvalBytes = limits.AutotoolsMaxFlowEvalBytes
	// MaxFlows caps the flows reported per file.
	MaxFlows = limits.AutotoolsMaxFlows
	// MaxFlowVars caps the variables and temporary files tracked per file.
	MaxFlowVars = limits.AutotoolsMaxFlowVars
	// maxFlowParseWork caps the bytes parsed for one file over all
	// retries, so that a file full of syntax errors costs a few parses.
	maxFlowParseWork = limits.AutotoolsMaxFlowParseWork
	// maxFlowSteps caps the nodes visited, over all passes and evals.
	maxFlowSteps = limits.AutotoolsMaxFlowSteps
	// maxTaintItems caps sources, transforms and lines kept per value.
	maxTaintItems = limits.AutotoolsMaxTaintItems
)

// RuleDataFlow is the rule id of a data flow from a file or an obfuscated
// literal, through a decoder, into execution (see ScanFlows).
const RuleDataFlow = "TC512"

// Flow is one path data takes through build logic into execution: bytes
// read from a data file (or an obfuscated literal), transformed, and run as
// code.
type Flow struct {
	// Source says where the data comes from: "tests/files/x.xz (cat)",
	// "files selected by grep -aErls ...", "printf escapes".
	Source string
	// DataSource is true when Source is a data file (binary extension, a
	// data directory, or a file chosen by a pattern).
	DataSource bool
	// Transforms are the decoders and filters on the way, in order seen
	// ("xz -d", "tr (swapped sets)", "${v#…} cutting").
	Transforms []string
	// Sink is what runs the data: "eval", "| $SHELL", "sh -c", ". FILE",
	// "awk system()".
	Sink string
	// Lines are the 1-based line numbers involved, ascending.
	Lines []int
	// Evidence holds "line N: text" for each of Lines.
	Evidence []string
	// Selectors are the file-selecting patterns the data came through.
	Selectors []Selector
}

// Describe returns "SOURCE -> T1 -> T2 -> SINK" for evidence.
func (f Flow) Describe() string {
	parts := append([]string{f.Source}, f.Transforms...)
	return strings.Join(append(parts, f.Sink), " -> ")
}

// FlowScan is the result of ScanFlows.
type FlowScan struct {
	// Flows found, at most MaxFlows.
	Flows []Flow
	// Selectors are every file-selecting pattern in the file (grep -l/-r,
	// find -name/-regex, globs), whether or not data from them is run.
	Selectors []Selector
	// Parsed is true when the whole file was parsed as shell.
	Parsed bool
	// Notes explain what was not analysed ("line 12: not shell (...)").
	Notes []string
}

// Critical reports whether any flow reads a data file and runs it: the
// xz-utils shape (build logic that reads data, transforms it and executes
// it).
func (s FlowScan) Critical() bool {
	for _, f := range s.Flows {
		if f.DataSource {
			return true
		}
	}
	return false
}

// ScanFlows parses a build file as shell (configure, scripts, m4 bodies with
// their quoting removed, Makefile recipe lines) and follows data through
// variables, command substitutions, pipes, eval strings and temporary files
// to find flows from data files or obfuscated literals, through decoders,
// into execution (eval, ., sh -c, | sh, | $SHELL, awk/perl system). Honest
// filters without a data source (sed, tr, expr on command-line values) are
// no flow. The path picks the dialect and labels nothing else; content is
// never executed. A file that is not shell, or not all of it, is reported in
// Notes and left to the keyword scan (ScanBuildScript).
func ScanFlows(p string, content []byte) FlowScan {
	var res FlowScan
	dialect := flowDialect(p, content)
	if dialect == dialectOther {
		res.Notes = append(res.Notes, "not a shell dialect; keyword scan only")
		return res
	}
	if len(content) > MaxFlowParseBytes {
		res.Notes = append(res.Notes, fmt.Sprintf("larger than %d bytes; keyword scan only", MaxFlowParseBytes))
		return res
	}
	src := content
	switch dialect {
	case dialectM4:
		src = m4ToShell(content)
	case dialectMake:
		src = makeToShell(content)
	}
	a := &flowAnalyzer{orig: content, vars: map[string]*flowVar{}, files: map[string]taint{}, funcs: map[string]taint{}}
	f, notes, whole := parseShellLenient(src, p)
	res.Notes = append(res.Notes, notes...)
	res.Parsed = whole
	if f == nil {
		return res
	}
	// Two passes: a use before its definition (a function defined below,
	// a loop) sees the values of the first pass.
	a.pending = map[string]bool{}
	for pass := 0; pass < 2; pass++ {
		a.ctx = flowCtx{src: src}
		a.stmts(f.Stmts, taint{})
		if !a.needSecondPass() {
			break
		}
	}
	res.Flows = a.flows
	res.Selectors = a.selectors
	if a.steps > maxFlowSteps {
		res.Notes = append(res.Notes, "analysis cut at its step limit")
	}
	return res
}

// parseShellLenient parses src; on a syntax error it blanks the failing
// line (keeping line numbers) and retries, up to MaxFlowParseRetries times.
//
// A retry does not parse again the top-level statements that end before
// the blanked line: the parser is a forward pass, so on the same bytes it
// builds the same statements, and they are kept from the try before. The
// retry parses a copy of the buffer whose kept part is spaces (offsets, lines
// and columns unchanged), and the kept statements come first in the result.
// The result, notes and work budget are those of parsing the whole buffer
// on every try (TestParseShellLenientSameAsWhole).
func parseShellLenient(src []byte, name string) (*syntax.File, []string, bool) {
	var notes []string
	buf := src  // src with the failing lines blanked
	pbuf := src // buf with the kept statements blanked too: what is parsed
	var kept []*syntax.Stmt
	cut := 0 // pbuf[:cut] is blank: the bytes of kept
	copied := false
	parsed := 0
	for try := 0; try <= MaxFlowParseRetries && parsed+len(buf) <= maxFlowParseWork; try++ {
		parsed += len(buf)
		f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(bytes.NewReader(pbuf), name)
		if err == nil {
			if len(kept) > 0 {
				f.Stmts = append(kept, f.Stmts...)
			}
			return f, notes, try == 0
		}
		var pe syntax.ParseError
		if errors.As(err, &pe) && pe.Incomplete {
			// An unclosed construct at the end: blanking lines will
			// not close it.
			notes = append(notes, fmt.Sprintf("line %d: not parsed as shell (%s)", pe.Pos.Line(), pe.Text))
			break
		}
		line := errorLine(err)
		if line == 0 {
			break
		}
		if !copied {
			buf, pbuf = bytes.Clone(buf), bytes.Clone(pbuf)
			copied = true
		}
		start, end, ok := blankLineRange(buf, line)
		if !ok {
			break
		}
		if start < cut {
			// The line blanked is one before it (the error is at a blank
			// line): the kept statements on it and after are parsed again.
			n, c := keptPrefix(buf, kept, len(kept)-1, start)
			kept = kept[:n]
			copy(pbuf[c:cut], buf[c:cut])
			cut = c
		}
		copy(pbuf[start:end], buf[start:end])
		// Keep the statements that end before the blanked line, but never
		// the last one parsed (the parser may have stopped inside it).
		if f != nil && len(f.Stmts) > 1 {
			n, newCut := keptPrefix(buf, f.Stmts, len(f.Stmts)-1, start)
			if n > 0 && newCut > cut {
				kept = append(kept, f.Stmts[:n]...)
				for i := cut; i < newCut; i++ {
					if pbuf[i] != '\n' {
						pbuf[i] = ' '
					}
				}
				cut = newCut
			}
		}
		if len(notes) < maxEvidence {
			notes = append(notes, fmt.Sprintf("line %d: not parsed as shell (%s); keyword scan only", line, errorText(err)))
		}
	}
	notes = append(notes, "does not parse as shell; keyword scan only")
	return nil, notes, false
}

// keptPrefix returns how many of the first cand statements of stmts lie
// wholly before offset limit of src (every node, here-documents to their
// closing line), with the statement after them starting after their bytes
// (a here-document's body follows the statements on its line), and the
// offset their bytes end at. A node without a valid position, or a
// here-document not read to its closing line, ends the prefix.
func keptPrefix(src []byte, stmts []*syntax.Stmt, cand, limit int) (n, end int) {
	e := 0
	for i, st := range stmts[:cand] {
		d, ok := deepEnd(src, st)
		if !ok || d > limit {
			break
		}
		e = max(e, d)
		if next := stmts[i+1].Pos(); next.IsValid() && int(next.Offset()) >= e {
			n, end = i+1, e
		}
	}
	return n, end
}

// deepEnd is the largest end offset of the nodes of st in src (a
// here-document ends at its closing line, after its statement's line); ok
// is false when a here-document was not read to its closing line.
func deepEnd(src []byte, st *syntax.Stmt) (int, bool) {
	end, ok := 0, true
	syntax.Walk(st, func(n syntax.Node) bool {
		if n == nil || !ok {
			return false
		}
		e := n.End()
		if !e.IsValid() {
			ok = false
			return false
		}
		end = max(end, int(e.Offset()))
		if r, isRedir := n.(*syntax.Redirect); isRedir && (r.Op == syntax.Hdoc || r.Op == syntax.DashHdoc) {
			ok = r.Hdoc != nil && hdocClosed(src, r)
		}
		return ok
	})
	return end, ok
}

// hdocClosed reports whether the here-document of r ends with its closing
// line: its delimiter, quotes removed, alone on the body's last line.
func hdocClosed(src []byte, r *syntax.Redirect) bool {
	ws, we, he := r.Word.Pos(), r.Word.End(), r.Hdoc.End()
	if !ws.IsValid() || !we.IsValid() || !he.IsValid() || int(we.Offset()) > len(src) || int(he.Offset()) > len(src) {
		return false
	}
	delim := strings.NewReplacer("'", "", `"`, "", `\`, "").Replace(string(src[ws.Offset():we.Offset()]))
	body := src[:he.Offset()]
	last := body[bytes.LastIndexByte(body, '\n')+1:]
	if r.Op == syntax.DashHdoc {
		last = bytes.TrimLeft(last, "\t")
	}
	return delim != "" && string(last) == delim
}

func errorLine(err error) int {
	var pe syntax.ParseError
	if errors.As(err, &pe) {
		return int(pe.Pos.Line())
	}
	var le syntax.LangError
	if errors.As(err, &le) {
		return int(le.Pos.Line())
	}
	return 0
}

func errorText(err error) string {
	var pe syntax.ParseError
	if errors.As(err, &pe) {
		return pe.Text
	}
	var le syntax.LangError
	if errors.As(err, &le) {
		return le.Feature
	}
	return err.Error()
}

// blankLineRange replaces the bytes of 1-based line n with spaces and
// returns them, b[start:end]; ok is false when the line does not exist or
// is blank already. An error reported at a blank line (the end of an
// unclosed construct) blanks the line before it.
func blankLineRange(b []byte, n int) (start, end int, ok bool) {
	for i := 1; i < n; i++ {
		j := bytes.IndexByte(b[start:], '\n')
		if j < 0 {
			return 0, 0, false
		}
		start += j + 1
	}
	end = len(b)
	if j := bytes.IndexByte(b[start:], '\n'); j >= 0 {
		end = start + j
	}
	changed := false
	for i := start; i < end; i++ {
		if b[i] != ' ' {
			b[i] = ' '
			changed = true
		}
	}
	if !changed && n > 1 {
		// The error is reported at a blank line (end of an unclosed
		// construct): blank the line before it.
		return blankLineRange(b, n-1)
	}
	return start, end, changed
}

// taint is what is known about a value: where its bytes come from and what
// transformed them.
type taint struct {
	srcs       []string
	data       bool // a data file's bytes
	weakData   bool // a file under a test directory
	strong     bool // passed through a decoder (or is an obfuscated literal)
	transforms []string
	sel        bool // the value names files chosen by a pattern
	selectors  []int
	lines      []int
}

func (t taint) empty() bool {
	return len(t.srcs) == 0 && len(t.transforms) == 0 && !t.sel && !t.strong
}

// runnable reports whether running a value with this taint is a flow: it was
// decoded, or it holds a data file's bytes, or a test file's bytes after a
// transform.
func (t taint) runnable() bool {
	return t.strong || t.data || (t.weakData && len(t.transforms) > 0)
}

func addCapped[T comparable](dst []T, src ...T) []T {
	for _, s := range src {
		if len(dst) >= maxTaintItems {
			break
		}
		if !slices.Contains(dst, s) {
			dst = append(dst, s)
		}
	}
	return dst
}

// unionItems is addCapped(slices.Clip(dst), src...) without the copy when
// dst is empty: a taint's lists are sets of at most maxTaintItems (every
// one is built by addCapped or holds one item), so src itself is the union,
// shared with its capacity clipped, as every append to a taint's list
// then copies.
func unionItems[T comparable](dst, src []T) []T {
	if len(dst) == 0 && len(src) > 0 && len(src) <= maxTaintItems {
		return slices.Clip(src)
	}
	return addCapped(slices.Clip(dst), src...)
}

func (t taint) union(o taint) taint {
	if o.empty() && len(o.lines) == 0 {
		return t
	}
	t.srcs = unionItems(t.srcs, o.srcs)
	t.transforms = unionItems(t.transforms, o.transforms)
	t.selectors = unionItems(t.selectors, o.selectors)
	t.lines = unionItems(t.lines, o.lines)
	t.data = t.data || o.data
	t.weakData = t.weakData || o.weakData
	t.strong = t.strong || o.strong
	t.sel = t.sel || o.sel
	return t
}

// content returns the taint of the value's bytes, without the "names
// selected files" part.
func (t taint) content() taint {
	t.sel = false
	if len(t.srcs) == 0 && len(t.transforms) == 0 && !t.strong {
		return taint{}
	}
	return t
}

func (t taint) withTransform(name string, strong bool, line int) taint {
	t.transforms = addCapped(slices.Clip(t.transforms), name)
	t.strong = t.strong || strong
	t.lines = addCapped(slices.Clip(t.lines), line)
	return t
}

type flowVar struct {
	t     taint
	value string // literal text, unknown expansions kept as written
	known bool   // value is fully known
	line  int    // where it was last assigned
}

type flowCtx struct {
	src     []byte // text the current nodes' offsets point into
	lineOff int    // add to node lines to get file lines
	flat    bool   // every node is on line lineOff+1 (an eval string)
	depth   int
	extra   []int // lines every flow found here involves (where an eval string was defined)
}

type flowAnalyzer struct {
	// interesting is set when a decoded, data or selected value appears;
	// pending names variables an eval met before they were known.
	interesting bool
	pending     map[string]bool
	orig        []byte
	origLines   logicalLines // of orig, split on the first flow recorded
	ctx         flowCtx
	vars        map[string]*flowVar
	files       map[string]taint
	funcs       map[string]taint
	flows       []Flow
	selectors   []Selector
	steps       int
	// parser and evalParsed serve parseEval.
	parser     *syntax.Parser
	evalParsed map[string]*syntax.File
}

func (a *flowAnalyzer) line(p syntax.Pos) int {
	if a.ctx.flat {
		return a.ctx.lineOff + 1
	}
	return int(p.Line()) + a.ctx.lineOff
}

func (a *flowAnalyzer) budget() bool {
	a.steps++
	return a.steps <= maxFlowSteps
}

// needSecondPass reports whether a second pass could find more: a value
// worth following appeared, or an eval string used a variable that was
// given a literal value only later in the file.
func (a *flowAnalyzer) needSecondPass() bool {
	if a.interesting {
		return true
	}
	for name := range a.pending {
		if v := a.vars[name]; v != nil && v.known {
			return true
		}
	}
	return false
}

// notePending records the variables of a word run as code whose value is
// not known yet.
func (a *flowAnalyzer) notePending(w *syntax.Word) {
	syntax.Walk(w, func(n syntax.Node) bool {
		if pe, ok := n.(*syntax.ParamExp); ok && pe.Param != nil {
			if v := a.vars[pe.Param.Value]; (v == nil || !v.known) && len(a.pending) < MaxFlowVars {
				a.pending[pe.Param.Value] = true
			}
		}
		return true
	})
}

// stmts runs a list and returns the taint of what it writes to stdout.
func (a *flowAnalyzer) stmts(list []*syntax.Stmt, stdin taint) taint {
	var out taint
	for _, s := range list {
		out = out.union(a.stmt(s, stdin))
	}
	return out
}

func (a *flowAnalyzer) stmt(s *syntax.Stmt, stdin taint) taint {
	if s == nil || !a.budget() {
		return taint{}
	}
	var outFile string
	var hdoc *syntax.Word
	for _, r := range s.Redirs {
		if r.N != nil && r.N.Value != "0" && r.N.Value != "1" {
			continue
		}
		switch r.Op {
		case syntax.RdrIn, syntax.RdrInOut:
			stdin = stdin.union(a.fileTaint(r.Word, "<", a.line(r.OpPos)))
		case syntax.Hdoc, syntax.DashHdoc:
			hdoc = r.Hdoc
			stdin = stdin.union(a.wordTaint(r.Hdoc).content())
		case syntax.WordHdoc:
			stdin = stdin.union(a.wordTaint(r.Word).content())
		case syntax.RdrOut, syntax.AppOut, syntax.RdrClob, syntax.RdrAll, syntax.AppAll:
			if r.N == nil || r.N.Value == "1" {
				outFile = a.wordValue(r.Word)
			}
		}
	}
	var out taint
	switch c := s.Cmd.(type) {
	case nil:
		// $(<file): the redirection alone is the output.
		out = stdin
	case *syntax.CallExpr:
		out = a.call(c, stdin, hdoc, outFile)
	case *syntax.BinaryCmd:
		if c.Op == syntax.Pipe || c.Op == syntax.PipeAll {
			left := a.stmt(c.X, stdin)
			out = a.stmt(c.Y, left)
		} else {
			out = a.stmt(c.X, stdin).union(a.stmt(c.Y, stdin))
		}
	case *syntax.Block:
		out = a.stmts(c.Stmts, stdin)
	case *syntax.Subshell:
		out = a.stmts(c.Stmts, stdin)
	case *syntax.IfClause:
		for ic := c; ic != nil; ic = ic.Else {
			a.stmts(ic.Cond, stdin)
			out = out.union(a.stmts(ic.Then, stdin))
		}
	case *syntax.WhileClause:
		a.stmts(c.Cond, stdin)
		out = a.stmts(c.Do, stdin)
		out = out.union(a.stmts(c.Do, stdin)) // values carried round the loop
	case *syntax.ForClause:
		if wi, ok := c.Loop.(*syntax.WordIter); ok && wi.Name != nil {
			var t taint
			for _, w := range wi.Items {
				t = t.union(a.wordTaint(w))
				if sel := a.globSelector(w, a.line(w.Pos())); sel >= 0 {
					t = t.union(taint{sel: true, selectors: []int{sel}, srcs: []string{"files matching " + a.selectors[sel].Pattern}, lines: []int{a.line(w.Pos())}})
				}
			}
			a.setVar(wi.Name.Value, t, "", a.line(wi.Name.Pos()))
		}
		out = a.stmts(c.Do, stdin)
		out = out.union(a.stmts(c.Do, stdin))
	case *syntax.CaseClause:
		a.wordTaint(c.Word)
		for _, it := range c.Items {
			out = out.union(a.stmts(it.Stmts, stdin))
		}
	case *syntax.FuncDecl:
		if c.Name != nil {
			t := a.stmt(c.Body, taint{})
			if len(a.funcs) < MaxFlowVars {
				a.funcs[c.Name.Value] = t
			}
		}
	case *syntax.DeclClause:
		for _, as := range c.Args {
			a.assign(as)
		}
	case *syntax.TimeClause:
		out = a.stmt(c.Stmt, stdin)
	case *syntax.ArithmCmd:
		a.arithTaint(c.X)
	case *syntax.LetClause:
		for _, x := range c.Exprs {
			a.arithTaint(x)
		}
	case *syntax.TestClause, *syntax.CoprocClause, *syntax.TestDecl:
	}
	a.noteInteresting(out)
	if outFile != "" && outFile != "/dev/null" {
		if len(a.files) < MaxFlowVars {
			key := normFile(outFile)
			a.files[key] = a.files[key].union(out)
		}
		return taint{}
	}
	return out
}

func normFile(f string) string {
	f = strings.Trim(f, `"'`)
	for strings.HasPrefix(f, "./") {
		f = f[2:]
	}
	return f
}

func (a *flowAnalyzer) assign(as *syntax.Assign) {
	if as == nil || as.Name == nil {
		return
	}
	if as.Value == nil {
		if as.Array != nil {
			var t taint
			for _, e := range as.Array.Elems {
				if e.Value != nil {
					t = t.union(a.wordTaint(e.Value))
				}
			}
			a.setVar(as.Name.Value, t, "", a.line(as.Pos()))
		}
		return
	}
	t := a.wordTaint(as.Value)
	v, known := a.wordValueKnown(as.Value)
	if as.Append {
		if old := a.vars[as.Name.Value]; old != nil {
			t = t.union(old.t)
			v = old.value + v
			known = known && old.known
		}
	}
	a.setVarKnown(as.Name.Value, t, v, known, a.line(as.Pos()))
}

func (a *flowAnalyzer) setVar(name string, t taint, value string, line int) {
	a.setVarKnown(name, t, value, false, line)
}

func (a *flowAnalyzer) noteInteresting(t taint) {
	if t.strong || t.data || t.weakData || t.sel {
		a.interesting = true
	}
}

func (a *flowAnalyzer) setVarKnown(name string, t taint, value string, known bool, line int) {
	a.noteInteresting(t)
	if v := a.vars[name]; v != nil {
		// A may-analysis: branches (if/else) and loops assign in turn, so
		// taints accumulate, and an empty value does not hide a command
		// string set on another branch.
		v.t = v.t.union(t)
		if value != "" || !v.known {
			v.value, v.known, v.line = value, known, line
		}
		return
	}
	if len(a.vars) < MaxFlowVars {
		a.vars[name] = &flowVar{t: t, value: value, known: known, line: line}
	}
}

// wordTaint returns the taint of a word's expansion.
func (a *flowAnalyzer) wordTaint(w *syntax.Word) taint {
	if w == nil {
		return taint{}
	}
	var t taint
	for _, p := range w.Parts {
		t = t.union(a.partTaint(p))
	}
	if esc := a.escapeCount(w); esc >= 4 && a.looksANSIC(w) {
		t = t.withTransform("$'...' escapes", true, a.line(w.Pos()))
		t.srcs = addCapped(t.srcs, "escaped literal")
	}
	return t
}

func (a *flowAnalyzer) partTaint(p syntax.WordPart) taint {
	if !a.budget() {
		return taint{}
	}
	switch x := p.(type) {
	case *syntax.DblQuoted:
		var t taint
		for _, q := range x.Parts {
			t = t.union(a.partTaint(q))
		}
		return t
	case *syntax.ParamExp:
		if x.Param == nil {
			return taint{}
		}
		var t taint
		if v := a.vars[x.Param.Value]; v != nil {
			t = v.t
		}
		line := a.line(x.Pos())
		switch {
		case x.Exp != nil && (x.Exp.Op == syntax.RemSmallPrefix || x.Exp.Op == syntax.RemLargePrefix ||
			x.Exp.Op == syntax.RemSmallSuffix || x.Exp.Op == syntax.RemLargeSuffix):
			if !t.empty() {
				t = t.withTransform("${v#…} cutting", false, line)
			}
		case x.Slice != nil:
			if !t.empty() {
				t = t.withTransform("${v:off:len} cutting", false, line)
			}
			t = t.union(a.arithTaint(x.Slice.Offset)).union(a.arithTaint(x.Slice.Length))
		case x.Repl != nil:
			if !t.empty() {
				t = t.withTransform("${v/x/y} substitution", false, line)
			}
		case x.Exp != nil && x.Exp.Word != nil:
			t = t.union(a.wordTaint(x.Exp.Word))
		}
		if x.Index != nil {
			t = t.union(a.arithTaint(x.Index))
		}
		return t
	case *syntax.CmdSubst:
		saved := a.ctx
		t := a.stmts(x.Stmts, taint{})
		a.ctx = saved
		return t
	case *syntax.ArithmExp:
		t := a.arithTaint(x.X)
		if !t.empty() {
			t = t.withTransform("shell arithmetic", false, a.line(x.Pos()))
		}
		return t
	case *syntax.ProcSubst:
		return a.stmts(x.Stmts, taint{})
	}
	return taint{}
}

func (a *flowAnalyzer) arithTaint(x syntax.ArithmExpr) taint {
	var t taint
	if x == nil {
		return t
	}
	syntax.Walk(x, func(n syntax.Node) bool {
		if !a.budget() {
			return false
		}
		switch y := n.(type) {
		case *syntax.Word:
			t = t.union(a.wordTaint(y))
			return false
		case *syntax.Lit:
			if v := a.vars[y.Value]; v != nil {
				t = t.union(v.t)
			}
		}
		return true
	})
	return t
}

// escapeCount counts backslash-digit and backslash-x escapes in the quoted
// and literal text of a word (not in what its expansions may hold): octal or
// hex escapes that printf or $'...' decode.
func (a *flowAnalyzer) escapeCount(w *syntax.Word) int {
	n := 0
	var walk func(parts []syntax.WordPart)
	walk = func(parts []syntax.WordPart) {
		for _, p := range parts {
			var s string
			switch x := p.(type) {
			case *syntax.Lit:
				s = x.Value
			case *syntax.SglQuoted:
				s = x.Value
			case *syntax.DblQuoted:
				walk(x.Parts)
				continue
			default:
				continue
			}
			for i := 0; i+1 < len(s); i++ {
				if s[i] != '\\' {
					continue
				}
				if c := s[i+1]; c >= '0' && c <= '7' || c == 'x' {
					n++
				}
				i++
			}
		}
	}
	walk(w.Parts)
	return n
}

func (a *flowAnalyzer) looksANSIC(w *syntax.Word) bool {
	for _, p := range w.Parts {
		if q, ok := p.(*syntax.SglQuoted); ok && q.Dollar {
			return true
		}
	}
	return false
}

// wordValue returns the text a word expands to as far as it is known:
// quotes removed, variables with a known literal value substituted, other
// expansions kept as written.
func (a *flowAnalyzer) wordValue(w *syntax.Word) string {
	v, _ := a.wordValueKnown(w)
	return v
}

// wordValueKnown is wordValue and whether every part was known.
func (a *flowAnalyzer) wordValueKnown(w *syntax.Word) (string, bool) {
	if w == nil {
		return "", true
	}
	if len(w.Parts) == 1 {
		// The common one-part words, without a builder (what
		// partValue writes for them).
		switch x := w.Parts[0].(type) {
		case *syntax.Lit:
			return unescapeLit(x.Value, false), true
		case *syntax.SglQuoted:
			return x.Value, true
		case *syntax.ParamExp:
			if v, ok := a.knownParam(x); ok {
				return v, true
			}
		case *syntax.DblQuoted:
			if len(x.Parts) == 1 {
				switch y := x.Parts[0].(type) {
				case *syntax.Lit:
					return unescapeLit(y.Value, true), true
				case *syntax.ParamExp:
					if v, ok := a.knownParam(y); ok {
						return v, true
					}
				}
			}
		}
	}
	var b strings.Builder
	known := true
	for _, p := range w.Parts {
		a.partValue(&b, p, 0, false, &known)
	}
	return b.String(), known
}

func (a *flowAnalyzer) partValue(b *strings.Builder, p syntax.WordPart, depth int, inDbl bool, known *bool) {
	if b.Len() > MaxFlowEvalBytes || depth > 8 {
		return
	}
	switch x := p.(type) {
	case *syntax.Lit:
		b.WriteString(unescapeLit(x.Value, inDbl))
	case *syntax.SglQuoted:
		b.WriteString(x.Value)
	case *syntax.DblQuoted:
		for _, q := range x.Parts {
			a.partValue(b, q, depth+1, true, known)
		}
	case *syntax.ParamExp:
		if v, ok := a.knownParam(x); ok {
			b.WriteString(v)
			return
		}
		*known = false
		b.WriteString(a.nodeText(x))
	default:
		*known = false
		b.WriteString(a.nodeText(p))
	}
}

// knownParam is the value of a plain $name or ${name} whose value is known.
func (a *flowAnalyzer) knownParam(x *syntax.ParamExp) (string, bool) {
	if x.Param != nil && x.Exp == nil && x.Slice == nil && x.Repl == nil && !x.Length && !x.Excl && x.Index == nil {
		if v := a.vars[x.Param.Value]; v != nil && v.known {
			return v.value, true
		}
	}
	return "", false
}

// unescapeLit removes the backslashes quote removal removes: before any
// byte outside quotes, before $ ` " \ and newline inside double quotes.
func unescapeLit(s string, inDbl bool) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			n := s[i+1]
			if !inDbl || n == '$' || n == '`' || n == '"' || n == '\\' || n == '\n' {
				if n != '\n' {
					b.WriteByte(n)
				}
				i++
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// nodeText returns the source text of a node.
func (a *flowAnalyzer) nodeText(n syntax.Node) string {
	s, e := int(n.Pos().Offset()), int(n.End().Offset())
	if s < 0 || e > len(a.ctx.src) || s >= e {
		return ""
	}
	return string(a.ctx.src[s:e])
}

// fileTaint is the taint of the bytes of the file a word names: a temporary
// file written earlier, a data file, files chosen by a pattern.
func (a *flowAnalyzer) fileTaint(w *syntax.Word, how string, line int) taint {
	if w == nil {
		return taint{}
	}
	wt := a.wordTaint(w)
	var t taint
	if wt.sel && !a.scriptSelection(wt.selectors) {
		t = taint{data: true, srcs: wt.srcs, selectors: wt.selectors, lines: wt.lines}
		t.lines = addCapped(t.lines, line)
	}
	if len(w.Parts) == 1 {
		if ps, ok := w.Parts[0].(*syntax.ProcSubst); ok {
			return a.stmts(ps.Stmts, taint{})
		}
	}
	name := normFile(a.wordValue(w))
	if ft, ok := a.files[name]; ok {
		t = t.union(ft)
	}
	if sel := a.globSelector(w, line); sel >= 0 && !a.scriptSelection([]int{sel}) {
		t = t.union(taint{data: true, srcs: []string{"files matching " + a.selectors[sel].Pattern + " (" + how + ")"}, selectors: []int{sel}, lines: []int{line}})
		return t
	}
	if !t.empty() {
		a.interesting = true
	}
	switch dataPathKind(name) {
	case 2:
		a.interesting = true
		t = t.union(taint{data: true, srcs: []string{name + " (" + how + ")"}, lines: []int{line}})
	case 1:
		a.interesting = true
		t = t.union(taint{weakData: true, srcs: []string{name + " (" + how + ")"}, lines: []int{line}})
	}
	return t
}

// scriptSelection reports whether every selector picks scripts by name
// (tests/*.sh): a test harness running its scripts, not data.
func (a *flowAnalyzer) scriptSelection(sels []int) bool {
	if len(sels) == 0 {
		return false
	}
	for _, i := range sels {
		if i < 0 || i >= len(a.selectors) {
			return false
		}
		s := a.selectors[i]
		if s.Kind == SelectGrep || s.Kind == SelectFindRegex {
			return false
		}
		switch path.Ext(s.Pattern) {
		case ".sh", ".test", ".tst", ".bash", ".t", ".pl", ".py", ".m4", ".am", ".in", ".mk", ".exp":
		default:
			return false
		}
	}
	return true
}

// dataPathKind says whether a path names data: 2 for a binary extension or a
// data directory (tests/files, testdata, fixtures, ...), 1 for a file under
// a test directory, 0 otherwise.
func dataPathKind(p string) int {
	p = strings.ToLower(p)
	if p == "" || strings.ContainsAny(p, " \t\n") {
		return 0
	}
	switch path.Ext(p) {
	case ".xz", ".lzma", ".lz", ".gz", ".bz2", ".zst", ".z", ".bin", ".dat", ".raw", ".img", ".png", ".jpg", ".jpeg",
		".gif", ".ico", ".pdf", ".tar", ".zip", ".7z", ".o", ".a", ".so", ".obj", ".blob", ".data", ".enc", ".lz4", ".br":
		return 2
	}
	segs := strings.Split(p, "/")
	for i, s := range segs[:len(segs)-1] {
		switch s {
		case "testdata", "fixtures", "samples", "corpus", "data", "blobs":
			return 2
		case "files":
			if i > 0 && strings.HasPrefix(segs[i-1], "test") {
				return 2
			}
		}
	}
	for _, s := range segs[:len(segs)-1] {
		if strings.HasPrefix(s, "test") {
			return 1
		}
	}
	return 0
}

// globSelector records a word holding an unquoted glob over a release path
// (tests/files/bad-2-*) as a selector and returns its index, or -1.
func (a *flowAnalyzer) globSelector(w *syntax.Word, line int) int {
	glob := false
	for _, p := range w.Parts {
		if l, ok := p.(*syntax.Lit); ok && strings.ContainsAny(l.Value, "*?[") {
			glob = true
		}
	}
	if !glob {
		return -1
	}
	v := a.wordValue(w)
	root, rooted := normaliseRef(v)
	if !rooted && !strings.Contains(v, "/") {
		return -1
	}
	if strings.Contains(root, "$") || root == "" || root == "*" {
		return -1
	}
	return a.addSelector(Selector{Kind: SelectGlob, Pattern: root, Line: line, Command: v})
}

func (a *flowAnalyzer) addSelector(s Selector) int {
	a.interesting = true
	for i, o := range a.selectors {
		if o.Kind == s.Kind && o.Pattern == s.Pattern && o.Line == s.Line {
			return i
		}
	}
	if len(a.selectors) >= MaxFlows {
		return -1
	}
	a.selectors = append(a.selectors, s)
	return len(a.selectors) - 1
}

// report records a flow when t is runnable.
func (a *flowAnalyzer) report(t taint, sink string, line int) {
	t = t.content()
	if !t.runnable() || len(a.flows) >= MaxFlows {
		return
	}
	lines := addCapped(slices.Clone(t.lines), line)
	lines = addCapped(lines, a.ctx.extra...)
	slices.Sort(lines)
	for _, f := range a.flows {
		if f.Sink == sink && slices.Contains(f.Lines, line) {
			return
		}
	}
	src := strings.Join(t.srcs, ", ")
	if src == "" {
		src = "decoded data"
	}
	f := Flow{Source: src, DataSource: t.data || t.weakData, Transforms: slices.Clone(t.transforms), Sink: sink, Lines: lines}
	for _, i := range t.selectors {
		if i >= 0 && i < len(a.selectors) {
			f.Selectors = append(f.Selectors, a.selectors[i])
		}
	}
	if a.origLines == nil {
		a.origLines = indexLogicalLines(a.orig)
	}
	origLines := a.origLines
	seen := map[int]bool{}
	for _, n := range lines {
		i := origLines.find(lineStartOffset(a.orig, n))
		if i < len(origLines) && !seen[i] {
			seen[i] = true
			f.Evidence = appendEvidence(f.Evidence, origLines[i].num, origLines.text(a.orig, i))
		}
	}
	a.flows = append(a.flows, f)
}

// lineStartOffset returns the byte offset of 1-based line n.
func lineStartOffset(b []byte, n int) int {
	off := 0
	for i := 1; i < n; i++ {
		j := bytes.IndexByte(b[off:], '\n')
		if j < 0 {
			return len(b)
		}
		off += j + 1
	}
	return off
}

// evalCode parses code run by eval, sh -c or a heredoc fed to a shell and
// analyses it with the current variables; it returns its output taint.
func (a *flowAnalyzer) evalCode(code string, stdin taint, line int, flat bool) taint {
	if a.ctx.depth >= MaxFlowEvalDepth || len(code) > MaxFlowEvalBytes || strings.TrimSpace(code) == "" {
		return taint{}
	}
	f := a.parseEval(code)
	if f == nil {
		return taint{}
	}
	saved := a.ctx
	a.ctx = flowCtx{src: []byte(code), lineOff: line - 1, flat: flat || saved.flat, depth: saved.depth + 1, extra: saved.extra}
	out := a.stmts(f.Stmts, stdin)
	a.ctx = saved
	return out
}

// maxEvalCache caps the parsed eval strings kept per scan (each at most
// MaxFlowEvalBytes of source).
const maxEvalCache = limits.AutotoolsMaxEvalCache

// parseEval parses an eval string, or returns nil when it is not shell.
// The same string is parsed once per scan (both passes, every call of a
// function that evals it): the analysis only reads the tree.
func (a *flowAnalyzer) parseEval(code string) *syntax.File {
	if f, ok := a.evalParsed[code]; ok {
		return f
	}
	if a.parser == nil {
		a.parser = syntax.NewParser(syntax.Variant(syntax.LangBash))
	}
	f, err := a.parser.Parse(strings.NewReader(code), "")
	if err != nil {
		f = nil
	}
	if a.evalParsed == nil {
		a.evalParsed = map[string]*syntax.File{}
	}
	if len(a.evalParsed) < maxEvalCache {
		a.evalParsed[code] = f
	}
	return f
}

// evalCodeFrom is evalCode for a string defined on lines defs: flows
// found in it name those lines too.
func (a *flowAnalyzer) evalCodeFrom(code string, stdin taint, line int, defs []int) taint {
	saved := a.ctx.extra
	a.ctx.extra = addCapped(slices.Clone(saved), defs...)
	out := a.evalCode(code, stdin, line, true)
	a.ctx.extra = saved
	if !out.content().empty() {
		out.lines = addCapped(slices.Clip(out.lines), defs...)
	}
	return out
}
