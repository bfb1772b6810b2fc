package rebuild

import (
	"fmt"
	"regexp"
	"strings"
)

// Kinds of logical Makefile.in lines.
const (
	mkOther  = iota // blank, comment, directive (include, if...), a @SUBST@ line
	mkAssign        // NAME = value, NAME += value, ...
	mkRule          // targets: prerequisites
	mkRecipe        // a tab-started line: shell code
)

// mkLine is a logical Makefile.in line: physical lines first..last joined
// by their backslash-newlines.
type mkLine struct {
	kind        int
	first, last int
	text        string // the physical lines without their condition prefixes, joined by "\n"
	offs        []int  // offset in text of each physical line
	name        string // the variable assigned (mkAssign; a rule's target-specific one)
	value       int    // offset of the value in text (mkAssign; a rule's target-specific one), 0 for none
	recipe      int    // offset of the recipe a rule gives after ";" (mkRule), 0 for none
}

// condPrefixRE is automake's conditional prefix ("@AMDEP_TRUE@",
// "@am__fastdepCC_FALSE@"), which config.status turns into "" or "#".
var condPrefixRE = lazyRegexp(`^(?:@[A-Za-z_][A-Za-z0-9_]*_(?:TRUE|FALSE)@)+`)

// makeDirectives open a line that is neither a rule nor an assignment.
var makeDirectives = map[string]bool{"include": true, "-include": true, "sinclude": true, "ifeq": true, "ifneq": true,
	"ifdef": true, "ifndef": true, "else": true, "endif": true, "export": true, "unexport": true, "vpath": true, "endef": true}

// continued reports whether a physical line ends with an unescaped backslash.
func continued(l string) bool {
	n := 0
	for i := len(l) - 1; i >= 0 && l[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// parseMakefile cuts Makefile.in text into logical lines and classifies
// them as make does: a tab-started line is a recipe line (conservatively
// also outside a rule), otherwise an assignment when its first "=" (or
// ":=") comes before any ":" outside $(...), a rule when a ":" comes first.
func parseMakefile(lines []string) []mkLine {
	var out []mkLine
	for i := 0; i < len(lines); {
		l := mkLine{first: i}
		var b strings.Builder
		for {
			p := condPrefixRE().ReplaceAllString(lines[i], "")
			l.offs = append(l.offs, b.Len())
			b.WriteString(p)
			i++
			if !continued(p) || i >= len(lines) {
				break
			}
			b.WriteByte('\n')
		}
		l.last = i - 1
		l.text = b.String()
		l.kind, l.name, l.value = classifyMakeLine(l.text)
		if l.kind == mkRule {
			l.name, l.value, l.recipe = ruleTail(l.text)
		}
		if l.kind == mkAssign && strings.HasPrefix(strings.TrimSpace(l.text), "define ") {
			// define ... endef: every line up to endef is the value.
			for i < len(lines) && strings.TrimSpace(lines[i]) != "endef" {
				l.offs = append(l.offs, len(l.text)+1)
				l.text += "\n" + lines[i]
				i++
			}
			l.last = i - 1
		}
		out = append(out, l)
	}
	return out
}

// classifyMakeLine returns the kind of a logical line, and for an
// assignment the variable and the value's offset.
func classifyMakeLine(t string) (kind int, name string, value int) {
	if strings.HasPrefix(t, "\t") {
		return mkRecipe, "", 0
	}
	trim := strings.TrimSpace(t)
	if trim == "" || strings.HasPrefix(trim, "#") || strings.HasPrefix(trim, "@") {
		return mkOther, "", 0
	}
	first, _, _ := strings.Cut(trim, " ")
	first, _, _ = strings.Cut(first, "\t")
	if first == "define" {
		rest := strings.Fields(trim)
		if len(rest) > 1 {
			return mkAssign, rest[1], len(t)
		}
	}
	if makeDirectives[first] {
		return mkOther, "", 0
	}
	kind = mkOther
	topLevel(t, func(i int) bool {
		switch c := t[i]; {
		case c == '=' || c == ':' && i+1 < len(t) && t[i+1] == '=' || c == ':' && strings.HasPrefix(t[i:], "::="):
			f := strings.Fields(strings.TrimRight(t[:i], "+?!: \t"))
			if len(f) == 0 {
				return true
			}
			v := i + 1
			for v < len(t) && t[v] == '=' {
				v++
			}
			kind, name, value = mkAssign, f[len(f)-1], v
			return true
		case c == ':':
			kind = mkRule
			return true
		}
		return false
	})
	return kind, name, value
}

// topLevel calls at with the index of each byte of t outside make
// references ($(...), ${...}), until at returns true.
func topLevel(t string, at func(i int) bool) {
	depth := 0
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case c == '$' && i+1 < len(t) && (t[i+1] == '(' || t[i+1] == '{'):
			depth++
			i++
		case (c == ')' || c == '}') && depth > 0:
			depth--
		case depth > 0:
		case at(i):
			return
		}
	}
}

// ruleTail finds what a rule line holds after its targets' colon: a
// recipe after ";" (targets: prerequisites ; command) or a target-specific
// assignment (targets: NAME = value). Offsets are 0 when absent.
func ruleTail(t string) (name string, value, recipe int) {
	colon := -1
	topLevel(t, func(i int) bool {
		switch c := t[i]; {
		case c == ':' && colon < 0:
			colon = i
		case c == ';' && colon >= 0:
			recipe = i + 1
			return true
		case c == '=' && colon >= 0:
			if f := strings.Fields(strings.TrimRight(t[colon+1:i], "+?!: \t")); len(f) > 0 {
				name, value = f[len(f)-1], i+1
			}
			return true
		}
		return false
	})
	return name, value, recipe
}

// makeControlVars are variables that change how make runs recipes or
// which options it takes (MAKEFLAGS += --eval=...): setting one is
// judged as running a command.
var makeControlVars = map[string]bool{".RECIPEPREFIX": true, ".SHELLFLAGS": true, "MAKEFLAGS": true, "MFLAGS": true,
	"GNUMAKEFLAGS": true, "MAKEFILES": true, "MAKESHELL": true}

var substOnlyRE = lazyRegexp(`^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*@([A-Za-z_][A-Za-z0-9_]*)@\s*$`)

// builtinMakeVars are defined by make itself (or automatic).
var builtinMakeVars = map[string]bool{"MAKE": true, "@": true, "<": true, "*": true, "^": true, "?": true, "%": true, "+": true, "|": true}

// makefileModel is what a Makefile.in defines and runs.
type makefileModel struct {
	lines    []mkLine
	defined  map[string]bool           // variables assigned
	subst    map[string]bool           // variables assigned their own configure substitution (NAME = @NAME@)
	commands map[string]bool           // command keys run by recipes and command variables
	cmdVars  map[string]bool           // variables used as commands
	scripts  map[string]bool           // base names of commands run by a path
	patterns map[string]*regexp.Regexp // computedName's, compiled once per name
}

func newMakefileModel(lines []string) *makefileModel {
	m := &makefileModel{lines: parseMakefile(lines), defined: map[string]bool{}, subst: map[string]bool{},
		commands: map[string]bool{}, cmdVars: map[string]bool{}, scripts: map[string]bool{}}
	for _, l := range m.lines {
		switch l.kind {
		case mkAssign:
			m.defined[l.name] = true
			if s := substOnlyRE().FindStringSubmatch(l.text); s != nil && s[1] == s[2] {
				m.subst[l.name] = true
			}
		case mkRecipe:
			for _, c := range l.commands(false) {
				m.note(c)
			}
		case mkRule:
			if l.recipe > 0 {
				for _, c := range l.commands(false) {
					m.note(c)
				}
			}
		}
	}
	// Variables used as commands hold commands themselves (am__cd,
	// am__untar, am__is_gnu_make); two rounds reach variables used as
	// commands inside those.
	for range 2 {
		for _, l := range m.lines {
			if (l.kind == mkAssign || l.kind == mkRule && l.value > 0) && m.isCmdVar(l.name) {
				for _, c := range l.commands(false) {
					m.note(c)
				}
			}
		}
	}
	return m
}

// isCmdVar reports whether variable v is used as a command, also through
// a computed name (am__v_CC_0 through $(am__v_CC_@AM_V@)).
func (m *makefileModel) isCmdVar(v string) bool {
	if m.cmdVars[v] {
		return true
	}
	for c := range m.cmdVars {
		if strings.ContainsAny(c, "@$") && m.computedName(c).MatchString(v) {
			return true
		}
	}
	return false
}

// computedNameRE is the part of a variable name that configure or make
// computes: @SUBST@ or $(VAR).
var computedNameRE = lazyRegexp(`@[A-Za-z_][A-Za-z0-9_]*@|\\\$\\[({][^)}]*[)}]`)

// computedName turns a computed variable name into a pattern of the names
// it may take.
func computedName(name string) *regexp.Regexp {
	re, err := regexp.Compile("^" + computedNameRE().ReplaceAllString(regexp.QuoteMeta(name), "[A-Za-z0-9_]*") + "$")
	if err != nil {
		return regexp.MustCompile(`^$`)
	}
	return re
}

// computedName is the package's computedName, compiled once per name for
// this model (isCmdVar and knownVar ask for the same names again and
// again).
func (m *makefileModel) computedName(name string) *regexp.Regexp {
	re, ok := m.patterns[name]
	if !ok {
		if m.patterns == nil {
			m.patterns = map[string]*regexp.Regexp{}
		}
		re = computedName(name)
		m.patterns[name] = re
	}
	return re
}

func (m *makefileModel) note(c shCmd) {
	if c.key != "" {
		m.commands[c.key] = true
		if i := strings.LastIndexByte(c.key, '/'); i >= 0 {
			m.scripts[c.key[i+1:]] = true
		}
	}
	for _, v := range c.vars {
		m.cmdVars[v] = true
	}
}

// commands returns the commands of a recipe line or an assignment's value
// (argsOnly: only its command substitutions).
func (l mkLine) commands(argsOnly bool) []shCmd {
	text, base := l.shellText()
	masked, refs := maskMake(text)
	cmds := shellCommands(text, masked, refs, argsOnly)
	for i := range cmds {
		cmds[i].off += base
	}
	return cmds
}

// shellText is the shell code of a recipe line (without the tab and the
// @ - + prefixes) or an assignment's value, and its offset in l.text.
func (l mkLine) shellText() (string, int) {
	switch l.kind {
	case mkRecipe:
		i := 0
		for i < len(l.text) && strings.IndexByte("\t @-+", l.text[i]) >= 0 {
			i++
		}
		return l.text[i:], i
	case mkAssign:
		return l.text[l.value:], l.value
	case mkRule:
		if l.recipe > 0 {
			i := l.recipe
			for i < len(l.text) && strings.IndexByte(" \t@-+", l.text[i]) >= 0 {
				i++
			}
			return l.text[i:], i
		}
		if l.value > 0 {
			return l.text[l.value:], l.value
		}
	}
	return "", 0
}

// physical returns the index of the physical line holding offset off.
func (l mkLine) physical(off int) int {
	p := l.first
	for i, o := range l.offs {
		if off >= o {
			p = l.first + i
		}
	}
	return p
}

// knownVar reports whether a make variable used as a command is defined by
// the regenerated file, by make, or in the release's own file as its own
// configure substitution (MKDIR_P = @MKDIR_P@: configure's value, which is
// proved with configure).
// A variable the release's file does not define expands to nothing (or
// what the user gives make): it brings no command of the file's. A name
// built with a substitution (am__v_AR_@AM_V@) is known when the
// regenerated file defines a variable of that form.
func knownVar(regen, release *makefileModel, v string) bool {
	if builtinMakeVars[v] || regen.defined[v] || release.subst[v] {
		return true
	}
	if strings.ContainsAny(v, "@$") {
		re := regen.computedName(v)
		for d := range regen.defined {
			if re.MatchString(d) {
				return true
			}
		}
		return false
	}
	return !release.defined[v]
}

// makefileAddedCommands judges the added lines of a Makefile.in against
// its copy regenerated by the nearest toolchain: only recipe lines (and the
// values of variables used as commands, and command substitutions and
// $(shell ...) anywhere) run something; a command is known when the
// regenerated file runs it, or is a variable the regenerated file (or the
// release's, as a configure substitution) defines. It returns the added
// lines that run an unknown command, with the command.
func makefileAddedCommands(regenLines, tarLines []string, added []int) []string {
	regen, release := newMakefileModel(regenLines), newMakefileModel(tarLines)
	byPhysical := make([]int, len(tarLines))
	for i, l := range release.lines {
		for p := l.first; p <= l.last; p++ {
			byPhysical[p] = i
		}
	}
	flagged := map[int]string{}
	judged := map[int]bool{}
	for _, p := range added {
		li := byPhysical[p]
		l := release.lines[li]
		if strings.Contains(l.text, "$(shell") || strings.Contains(l.text, "${shell") || strings.Contains(l.text, "$(eval") {
			if _, refs := maskMake(l.text); hasRunningFunction(refs) && flagged[p] == "" {
				flagged[p] = "a make function that runs a command"
			}
		}
		if judged[li] {
			continue
		}
		judged[li] = true
		var cmds []shCmd
		switch l.kind {
		case mkRecipe:
			cmds = l.commands(false)
		case mkAssign:
			cmds = l.commands(!release.isCmdVar(l.name))
		case mkRule:
			if l.recipe > 0 || l.value > 0 {
				cmds = l.commands(l.recipe == 0 && !release.isCmdVar(l.name))
			}
		}
		if (l.kind == mkAssign || l.kind == mkRule && l.value > 0) && makeControlVars[l.name] {
			at := l.physical(l.value)
			if flagged[at] == "" {
				flagged[at] = "a setting of make's " + l.name
			}
		}
		for _, c := range cmds {
			if regen.knownCommand(release, c) || l.kind == mkAssign && regen.defaultProgram(l.name, c) {
				continue
			}
			at := l.physical(c.off)
			if flagged[at] == "" {
				flagged[at] = c.describe()
			}
		}
	}
	var out []string
	for _, p := range added {
		if why := flagged[p]; why != "" {
			out = append(out, fmt.Sprintf("+%s   (runs %s)", evidenceLine(tarLines[p]), why))
			delete(flagged, p)
		}
	}
	return out
}

func hasRunningFunction(refs []makeRef) bool {
	for _, r := range refs {
		if r.function && makeFunctionsRunning[r.name] {
			return true
		}
	}
	return false
}

// knownCommand reports whether the regenerated file m runs command c.
func (m *makefileModel) knownCommand(release *makefileModel, c shCmd) bool {
	if c.key != "" {
		if m.commands[c.key] {
			return true
		}
		// A script run by its path (../configure, ./config.status) is
		// a file judged on its own: known when the regenerated file runs
		// a script of that name from another directory.
		if i := strings.LastIndexByte(c.key, '/'); i >= 0 && !strings.Contains(c.key, "$") {
			return m.scripts[c.key[i+1:]]
		}
		return false
	}
	for _, v := range c.vars {
		if !knownVar(m, release, v) {
			return false
		}
	}
	return true
}

// defaultProgram reports whether c, run by the value of the release's
// variable v, is the default program that configure substitutes for v in
// the regenerated file (ETAGS = etags where the regenerated file has
// ETAGS = @ETAGS@: automake 1.16 moved these defaults into configure).
func (m *makefileModel) defaultProgram(v string, c shCmd) bool {
	return m.subst[v] && c.key != "" && c.key == strings.ToLower(v)
}

func (c shCmd) describe() string {
	if c.key != "" {
		return c.key
	}
	var vs []string
	for _, v := range c.vars {
		vs = append(vs, "$("+v+")")
	}
	return strings.Join(vs, "") + ", a variable the regenerated file does not define"
}
