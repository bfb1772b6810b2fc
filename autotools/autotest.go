package autotools

import (
	"bytes"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/tarcheck/tarcheck/internal/limits"
)

// An Autotest suite (tests/testsuite) is written by autom4te from the
// tag's tests/*.at files: the shell of every AT_CHECK is copied into it
// twice, once as it is and once inside the double-quoted string that
// traces it (with \$, \", \` and \\ escaped). A build-script signal on a
// line of such a suite that one of the tag's .at files holds is proved to
// come from the tag (the test's own commands, tar's `dd ... bs=$size
// count=1`), not injected at release: it does not raise the file. A line
// that no .at file of the tag holds is evidence as before.

// autotestHeader is the second line autom4te writes into a test suite.
var autotestHeader = lazyRegexp(`\A#! ?/bin/sh\r?\n# Generated from (\S+\.at) by GNU Autoconf `)

// AutotestSuiteSource reports whether content is a test suite that
// autom4te generated from an Autotest source, and that source's name as
// the header gives it ("testsuite.at"). The header is a claim: it only
// says which lines the tag's .at files may prove (ProveAutotestLines).
func AutotestSuiteSource(content []byte) (string, bool) {
	m := autotestHeader().FindSubmatch(content[:min(len(content), 512)])
	if m == nil {
		return "", false
	}
	return string(m[1]), true
}

// maxAutotestSourceBytes caps the .at sources read for one suite.
const maxAutotestSourceBytes = limits.AutotoolsMaxScanBytes

// AutotestSources is the line index of the tag's Autotest sources of one
// suite: every logical line of its .at files, in the forms autom4te
// copies it (quadrigraphs expanded, one level of m4 quotes removed, a
// macro's first argument), mapped to the first "file:line" holding it.
type AutotestSources struct {
	lines map[string]string
}

// NewAutotestSources indexes the tag's .at files at or below dir (the
// suite's directory; "" or "." for the top): paths lists the tag's
// regular files, read returns one's content. Reading stops after
// maxAutotestSourceBytes.
func NewAutotestSources(dir string, paths []string, read func(path string) ([]byte, bool)) *AutotestSources {
	s := &AutotestSources{lines: map[string]string{}}
	dir = strings.Trim(path.Clean(dir), "/")
	var ats []string
	for _, p := range paths {
		if strings.HasSuffix(p, ".at") && (dir == "." || dir == "" || strings.HasPrefix(p, dir+"/")) {
			ats = append(ats, p)
		}
	}
	sort.Strings(ats)
	total := 0
	for _, p := range ats {
		c, ok := read(p)
		if !ok || total+len(c) > maxAutotestSourceBytes {
			continue
		}
		total += len(c)
		s.add(p, c)
	}
	return s
}

// add indexes the logical lines of one .at file.
func (s *AutotestSources) add(name string, content []byte) {
	lines := indexLogicalLines(content)
	for i := range lines {
		where := fmt.Sprintf("%s:%d", name, lines[i].num)
		for _, f := range atForms(lines.text(content, i)) {
			if _, ok := s.lines[f]; !ok && f != "" {
				s.lines[f] = where
			}
		}
	}
}

// Len is the number of distinct line forms indexed.
func (s *AutotestSources) Len() int { return len(s.lines) }

// Holds returns where the tag's sources hold the suite's logical line
// text, as is or as the traced (escaped) copy of it: "tests/x.at:36".
func (s *AutotestSources) Holds(text string) (string, bool) {
	if s == nil {
		return "", false
	}
	t := strings.TrimSpace(text)
	if t == "" {
		return "", false
	}
	cands := []string{t, unescapeTrace(t)}
	if m := traceLine().FindStringSubmatch(t); m != nil {
		cands = append(cands, strings.TrimSpace(unescapeTrace(m[1])))
	}
	if m := checkLine().FindStringSubmatch(t); m != nil {
		cands = append(cands, strings.TrimSpace(m[1]))
	}
	for _, c := range cands {
		if w, ok := s.lines[c]; ok {
			return w, true
		}
	}
	return "", false
}

// traceLine is the trace of a one-line check (printf "%s\n"
// "$at_srcdir/x.at:10: CMD"; $as_echo in older Autoconf), checkLine its run
// "( $at_check_trace; CMD".
var (
	traceLine = lazyRegexp(`^(?:printf "%s\\n"|\$as_echo) "\$at_srcdir/[^"\s]+?\.at:[0-9]+: (.*)"$`)
	checkLine = lazyRegexp(`^\( \$at_check_trace; (.*)$`)
)

// quadrigraphs are autom4te's spellings of characters m4 would eat.
var quadrigraphs = strings.NewReplacer("@S|@", "$", "@<:@", "[", "@:>@", "]", "@%:@", "#", "@{:@", "(", "@:}@", ")", "@&t@", "")

// macroOpen is the start of a macro call whose first argument is quoted:
// AT_CHECK([, AT_TAR_CHECK([.
var macroOpen = lazyRegexp(`^[A-Za-z_][A-Za-z0-9_]*\(\[`)

// atForms are the forms in which autom4te may copy a line of an .at
// file into the suite: the line, the first argument of a macro call that
// starts it, the text before the quote that closes an argument, each
// with one level of m4 quotes removed and quadrigraphs expanded.
func atForms(line string) []string {
	line = strings.TrimSpace(line)
	cands := []string{line}
	if loc := macroOpen().FindStringIndex(line); loc != nil {
		cands = append(cands, line[loc[1]:])
	}
	for _, c := range cands {
		if i := closingQuote(c); i >= 0 {
			cands = append(cands, c[:i])
		}
	}
	var out []string
	for _, c := range cands {
		c = strings.TrimSpace(c)
		out = append(out, quadrigraphs.Replace(c), quadrigraphs.Replace(unquoteM4(c)))
	}
	return out
}

// closingQuote is the index of the first "]" of s that is not part of a
// doubled "]]" and has no "[" opened before it, or -1.
func closingQuote(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch {
		case strings.HasPrefix(s[i:], "[[") || strings.HasPrefix(s[i:], "]]"):
			i++
		case s[i] == '[':
			depth++
		case s[i] == ']':
			if depth == 0 {
				return i
			}
			depth--
		}
	}
	return -1
}

// unquoteM4 removes one level of m4 quotes: single brackets go, doubled
// ones become single.
func unquoteM4(s string) string {
	if !strings.ContainsAny(s, "[]") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case strings.HasPrefix(s[i:], "[[") || strings.HasPrefix(s[i:], "]]"):
			b.WriteByte(s[i])
			i++
		case s[i] == '[' || s[i] == ']':
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// unescapeTrace undoes the escaping of the double-quoted string in which
// a suite traces a check's commands: \$ \" \` \\ and a backslash before
// anything else kept.
func unescapeTrace(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b bytes.Buffer
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("$\"`\\", s[i+1]) >= 0 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// proveAutotest re-scans an Autotest suite without the lines the tag's
// .at sources hold, when its keyword signals fired: a signal whose every
// matching line is proved becomes info, naming where the tag holds them;
// one with lines the tag does not hold keeps its severity with only those
// lines as evidence. Data-flow signals are left as they are.
func (c *classification) proveAutotest(sigs []Signal) []Signal {
	in := c.in
	if c.ctx.TagPaths == nil || c.ctx.TagFile == nil || len(sigs) == 0 {
		return sigs
	}
	if _, ok := AutotestSuiteSource(in.Tarball); !ok {
		return sigs
	}
	fires := false
	for _, s := range sigs {
		fires = fires || (s.Rule != RuleDataFlow && isScanRule(s.Rule) && s.Severity.Rank() > SevInfo.Rank())
	}
	if !fires {
		return sigs
	}
	src := NewAutotestSources(path.Dir(in.Path), c.ctx.TagPaths(), c.ctx.TagFile)
	if src.Len() == 0 {
		return sigs
	}
	content := in.Tarball
	if len(content) > MaxScanBytes {
		content = content[:MaxScanBytes]
	}
	where := map[int]string{}
	proved := func(num int, text string) bool {
		w, ok := src.Holds(text)
		if ok {
			where[num] = w
		}
		return ok
	}
	rest := map[string]Signal{}
	for _, s := range scanKeywordsExcept(in.Path, content, proved) {
		rest[s.Rule] = s
	}
	out := make([]Signal, 0, len(sigs))
	for _, s := range sigs {
		if s.Rule == RuleDataFlow || !isScanRule(s.Rule) {
			out = append(out, s)
			continue
		}
		if r, ok := rest[s.Rule]; ok {
			r.Severity = maxSev(r.Severity, s.Severity)
			r.Message += "; the other matching lines are in the tag's Autotest sources"
			out = append(out, r)
			continue
		}
		s.Severity = SevInfo
		s.Message += " on lines the tag's Autotest sources hold (" + provedAt(s.Evidence, where) + "): the suite's own tests, proved to come from the tag"
		out = append(out, s)
	}
	return out
}

// provedAt names the .at lines that hold the evidence lines ev ("line N:
// ..."), without repeats: "tests/delete06.at:36, tests/multiv01.at:52".
func provedAt(ev []string, where map[int]string) string {
	var names []string
	seen := map[string]bool{}
	for _, e := range ev {
		var n int
		if _, err := fmt.Sscanf(e, "line %d:", &n); err != nil {
			continue
		}
		if w, ok := where[n]; ok && !seen[w] {
			seen[w] = true
			names = append(names, w)
		}
	}
	if len(names) == 0 {
		return "every matching line"
	}
	return strings.Join(names, ", ")
}
