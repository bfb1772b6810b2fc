package tagrules

import (
	"bytes"
	"path"
	"path/filepath"
	"regexp"
	"strings"
)

// rule is one explicit or pattern rule of a tag's makefile.
type rule struct {
	// Targets and Prereqs are the words of the rule line, as written.
	Targets, Prereqs []string
	// Recipe holds the rule's recipe lines, without the leading tab.
	Recipe []string
	// File and Line are where the rule line is: the makefile, or a
	// fragment it includes, and the 1-based line there.
	File string
	Line int
}

// makefile is a tag makefile read for its rules: Makefile.am (automake
// input, translated for GNU make before it runs) or a plain GNU makefile.
type makefile struct {
	// Path is the makefile's path in the tag; Dir its directory ("" for
	// the top).
	Path, Dir string
	// Automake is true for Makefile.am.
	Automake bool
	// Text is the makefile as make will read it: a Makefile.am with its
	// automake conditionals removed and its includes inlined.
	Text []byte
	// at are where each line of Text comes from.
	at    []srcLine
	Rules []rule
	// Vars are the simple variable definitions (last wins), for targets
	// spelled with a variable.
	Vars map[string]string
	// explicit maps each explicit target (expanded, cleaned) to the index
	// of the first rule naming it; built on first use.
	explicit map[string]int
}

// logicalLines joins backslash-continued lines; each result carries the
// 1-based number of its first physical line.
func logicalLines(text []byte) (lines []string, nums []int) {
	var cur strings.Builder
	start := 0
	for i, l := range strings.Split(string(text), "\n") {
		l = strings.TrimSuffix(l, "\r")
		if cur.Len() == 0 {
			start = i + 1
		}
		if strings.HasSuffix(l, "\\") {
			cur.WriteString(strings.TrimSuffix(l, "\\"))
			cur.WriteByte(' ')
			continue
		}
		cur.WriteString(l)
		lines, nums = append(lines, cur.String()), append(nums, start)
		cur.Reset()
	}
	if cur.Len() > 0 {
		lines, nums = append(lines, cur.String()), append(nums, start)
	}
	return lines, nums
}

var (
	// amCond is an automake conditional line (if COND / else / endif).
	amCond = regexp.MustCompile(`^(if|else|endif)(\s|#|$)`)
	// makeCond opens a GNU make conditional.
	makeCond = regexp.MustCompile(`^(ifeq|ifneq|ifdef|ifndef)(\s|\(|$)`)
	// assign is a variable definition: NAME = value (also :=, ::=, ?=, +=).
	assign = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_.-]*)\s*(::=|:=|\?=|\+=|=)\s*(.*)$`)
	// include is an include line.
	include = regexp.MustCompile(`^-?include\s+(.+)$`)
	// subst is a configure substitution @VAR@.
	subst = regexp.MustCompile(`@[A-Za-z_][A-Za-z0-9_]*@`)
)

// silentRules are the substitutions automake's AM_SILENT_RULES makes
// configure set, as it sets them: a project's own silent-rules variables
// (gnutls' V_GPERF = $(V_GPERF_@AM_V@), V_GPERF_ =
// $(V_GPERF_@AM_DEFAULT_V@)) otherwise become a variable that refers to
// itself, and make stops before any rule runs.
var silentRules = map[string]string{"@AM_V@": "$(V)", "@AM_DEFAULT_V@": "$(AM_DEFAULT_VERBOSITY)"}

// configureSubst is what a configure substitution @VAR@ becomes: the
// silent-rules pair as configure sets it, anything else empty.
func configureSubst(at string) string { return silentRules[at] }

// srcLine is where a line of a translated makefile comes from.
type srcLine struct {
	file string
	line int
}

// translate turns Makefile.am text (the tag's file name) into what GNU
// make can run: automake conditionals are dropped (both branches kept: a
// rule is found wherever it stands), includes of tag files inlined with
// automake's %reldir% and %canon_reldir% replaced, and configure
// substitutions (@VAR@) emptied (but the silent-rules pair, silentRules).
// read returns a tag file by path; dir is the makefile's directory. It
// returns the text and where each of its lines comes from.
func translate(text []byte, name, dir string, read func(string) ([]byte, bool), depth int) ([]byte, []srcLine) {
	var out bytes.Buffer
	var at []srcLine
	var stack []bool // true: an automake conditional
	// inRule: a tab line here is a recipe line; cont: the line continues
	// the one before.
	inRule, cont := false, false
	for i, l := range strings.Split(string(text), "\n") {
		t := strings.TrimSpace(l)
		wasCont := cont
		cont = strings.HasSuffix(strings.TrimSuffix(l, "\r"), "\\")
		switch {
		case wasCont:
		case strings.HasPrefix(l, "\t") && !inRule:
			// A tab line after a variable (a missing backslash that
			// automake forgives): GNU make would stop on it.
			continue
		case t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(l, "\t"):
		case assign.MatchString(t) || ruleColon(stripComment(t)) < 0:
			inRule = false
		default:
			inRule = true
		}
		if !strings.HasPrefix(l, "\t") && !wasCont {
			switch {
			case makeCond.MatchString(t):
				stack = append(stack, false)
			case amCond.MatchString(t):
				word := strings.Fields(t)[0]
				if word == "if" {
					stack = append(stack, true)
					continue
				}
				if len(stack) > 0 && stack[len(stack)-1] {
					if word == "endif" {
						stack = stack[:len(stack)-1]
					}
					continue
				}
				if word == "endif" && len(stack) > 0 {
					stack = stack[:len(stack)-1]
				}
			}
			if m := include.FindStringSubmatch(t); m != nil && depth < maxIncludeDepth {
				inc, incAt := includeText(m[1], dir, read, depth)
				out.Write(inc)
				at = append(at, incAt...)
				continue
			}
		}
		out.WriteString(subst.ReplaceAllStringFunc(l, configureSubst))
		out.WriteByte('\n')
		at = append(at, srcLine{name, i + 1})
	}
	return out.Bytes(), at
}

// includeText is the translated text of an included fragment, or
// nothing when it is not a file of the tag.
func includeText(name, dir string, read func(string) ([]byte, bool), depth int) ([]byte, []srcLine) {
	name = strings.TrimSpace(name)
	top := false
	for _, p := range []string{"$(srcdir)/", "$(top_srcdir)/", "./"} {
		if rest, ok := strings.CutPrefix(name, p); ok {
			name, top = rest, p == "$(top_srcdir)/"
			break
		}
	}
	if strings.Contains(name, "$") {
		return nil, nil
	}
	full := path.Clean(path.Join(dir, name))
	if top {
		full = path.Clean(name)
	}
	c, ok := read(full)
	if !ok || len(c) > maxMakefile {
		return nil, nil
	}
	rel := relPath(dir, path.Dir(full))
	canon := nonCanon.ReplaceAllString(rel, "_")
	c = bytes.ReplaceAll(c, []byte("%reldir%"), []byte(rel))
	c = bytes.ReplaceAll(c, []byte("%D%"), []byte(rel))
	c = bytes.ReplaceAll(c, []byte("%canon_reldir%"), []byte(canon))
	c = bytes.ReplaceAll(c, []byte("%C%"), []byte(canon))
	return translate(c, full, dir, read, depth+1)
}

// nonCanon are the characters automake's %canon_reldir% replaces by _.
var nonCanon = regexp.MustCompile(`[^A-Za-z0-9_]`)

// relPath is target relative to dir (both tag paths, "" or "." the top).
func relPath(dir, target string) string {
	if dir == "" {
		dir = "."
	}
	rel, err := filepath.Rel(filepath.FromSlash(dir), filepath.FromSlash(target))
	if err != nil { // both are relative: never
		return target
	}
	return filepath.ToSlash(rel)
}

// parse reads the rules and simple variables of a translated makefile.
func parse(mf *makefile) {
	mf.Vars = map[string]string{}
	lines, nums := logicalLines(mf.Text)
	var cur *rule
	for i, l := range lines {
		if strings.HasPrefix(l, "\t") {
			if cur != nil {
				cur.Recipe = append(cur.Recipe, strings.TrimPrefix(l, "\t"))
			}
			continue
		}
		cur = nil
		t := strings.TrimSpace(stripComment(l))
		if t == "" || makeCond.MatchString(t) || t == "else" || t == "endif" {
			continue
		}
		if m := assign.FindStringSubmatch(t); m != nil {
			if m[2] == "+=" {
				mf.Vars[m[1]] = strings.TrimSpace(mf.Vars[m[1]] + " " + m[3])
			} else {
				mf.Vars[m[1]] = m[3]
			}
			continue
		}
		colon := ruleColon(t)
		if colon < 0 {
			continue
		}
		targets := strings.Fields(t[:colon])
		rest := strings.TrimLeft(t[colon:], ":")
		recipe := ""
		if before, after, ok := strings.Cut(rest, ";"); ok {
			rest, recipe = before, after
		}
		if len(targets) == 0 || strings.HasPrefix(targets[0], ".") && !strings.Contains(targets[0], "/") && strings.ToUpper(targets[0]) == targets[0] {
			continue // special targets (.PHONY, .SUFFIXES)
		}
		r := rule{Targets: targets, Prereqs: strings.Fields(rest), File: mf.Path, Line: nums[i]}
		if n := nums[i] - 1; n < len(mf.at) {
			r.File, r.Line = mf.at[n].file, mf.at[n].line
		}
		mf.Rules = append(mf.Rules, r)
		cur = &mf.Rules[len(mf.Rules)-1]
		if strings.TrimSpace(recipe) != "" {
			cur.Recipe = append(cur.Recipe, strings.TrimSpace(recipe))
		}
	}
}

// stripComment drops a # comment outside variable references.
func stripComment(l string) string {
	if i := strings.IndexByte(l, '#'); i >= 0 {
		return l[:i]
	}
	return l
}

// ruleColon is the index of the colon that makes l a rule line, or -1:
// the first colon outside $(...) that is not part of an assignment.
func ruleColon(l string) int {
	depth := 0
	for i := 0; i < len(l); i++ {
		switch c := l[i]; {
		case c == '(' || c == '{':
			depth++
		case c == ')' || c == '}':
			depth--
		case c == '=' && depth == 0:
			return -1
		case c == ':' && depth == 0:
			if i+1 < len(l) && l[i+1] == '=' {
				return -1
			}
			return i
		}
	}
	return -1
}

// expand replaces the path variables tarcheck sets, and the makefile's
// own simple variables, in a target word; ok is false when a variable
// stays unknown.
func (mf *makefile) expand(word string) (string, bool) {
	for range maxExpand {
		i := strings.Index(word, "$(")
		j := strings.Index(word, "${")
		if i < 0 || (j >= 0 && j < i) {
			i = j
		}
		if i < 0 {
			return word, true
		}
		close := byte(')')
		if word[i+1] == '{' {
			close = '}'
		}
		end := strings.IndexByte(word[i:], close)
		if end < 0 {
			return word, false
		}
		name := word[i+2 : i+end]
		val, ok := pathVars(mf.Dir)[name]
		if !ok {
			val, ok = mf.Vars[name]
		}
		if !ok || strings.ContainsAny(val, " \t") {
			return word, false
		}
		word = word[:i] + val + word[i+end+1:]
	}
	return word, false
}

// pathVars are the directory variables tarcheck gives make, for a
// makefile in dir: the source and build trees are the same exported
// tag.
func pathVars(dir string) map[string]string {
	up := "."
	if dir != "" {
		up = strings.TrimSuffix(strings.Repeat("../", strings.Count(dir, "/")+1), "/")
	}
	return map[string]string{"srcdir": ".", "builddir": ".", "top_srcdir": up, "top_builddir": up}
}
