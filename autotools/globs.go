package autotools

import (
	"fmt"
	"github.com/tarcheck/tarcheck/internal/limits"
	"path"
	"sort"
	"strings"
)

// RuleBuildGlob: a file the tag does not hold (or holds with other
// content) is picked up by a glob in the tag's build or test files.
const RuleBuildGlob = "TC414"

// BuildGlob is one file-selecting glob of the tag's build logic: CMake
// file(GLOB …)/file(GLOB_RECURSE …), make $(wildcard …), or a shell or
// make-recipe loop `for f in tests/*.sh`. Meson has no globs (files() is
// literal).
type BuildGlob struct {
	// Selector evaluates the glob (SelectGlob, or SelectFindName under a
	// root for GLOB_RECURSE); Selector.Line is the line in File.
	Selector Selector
	// File is the tag's build file that holds the glob; Glob the glob as
	// written there.
	File, Glob string
}

// String names the glob and where it is, for evidence.
func (g BuildGlob) String() string {
	return fmt.Sprintf("%s (%s:%d)", g.Glob, g.File, g.Selector.Line)
}

// Limits of FindBuildGlobs.
const (
	// MaxBuildGlobFileBytes: larger build files are not searched.
	MaxBuildGlobFileBytes = limits.AutotoolsMaxBuildGlobFileBytes
	// MaxBuildGlobs caps the globs kept per build file.
	MaxBuildGlobs = limits.AutotoolsMaxBuildGlobs
)

// IsGlobBuildFile reports whether p is a file FindBuildGlobs reads: CMake
// files, Makefile.am and make fragments, configure.ac, and shell scripts by
// name (tests and build helpers). Callers read only these from the tag.
func IsGlobBuildFile(p string) bool {
	base := path.Base(p)
	switch base {
	case "CMakeLists.txt", "Makefile.am", "GNUmakefile", "Makefile", "makefile", "configure.ac", "configure.in", "meson.build":
		return true
	}
	switch strings.ToLower(path.Ext(base)) {
	case ".cmake", ".mk", ".mak", ".am", ".sh", ".bash", ".test":
		return true
	}
	return false
}

var (
	cmakeGlobRe    = lazyRegexp(`(?is)\bfile\s*\(\s*(GLOB_RECURSE|GLOB)\s+([^)]*)\)`)
	makeWildcardRe = lazyRegexp(`\$[({]wildcard\s+`)
	shellForRe     = lazyRegexp(`(?m)(?:^|[;&|({]|\bthen|\bdo|\belse)\s*for\s+[A-Za-z_][A-Za-z0-9_]*\s+in\s+([^;\n]*)`)
	globVarRe      = lazyRegexp(`\$[({]?[A-Za-z_][A-Za-z0-9_]*[)}]?|@[A-Za-z_]+@`)
)

// cmakeGlobKeywords are file(GLOB) options; those in the map take a value.
var cmakeGlobKeywords = map[string]bool{"LIST_DIRECTORIES": true, "RELATIVE": true, "CONFIGURE_DEPENDS": false, "FOLLOW_SYMLINKS": false}

// FindBuildGlobs returns the globs of one build file of the tag (p is its
// release-relative path). Globs rooted at an unknown variable are left
// out; a glob whose base directory is ambiguous ($srcdir in a shell script:
// the script's directory or the release root) yields both readings.
func FindBuildGlobs(p string, content []byte) []BuildGlob {
	if len(content) > MaxBuildGlobFileBytes || !IsGlobBuildFile(p) {
		return nil
	}
	dir := path.Dir(p)
	if dir == "." {
		dir = ""
	}
	text := string(content)
	base := path.Base(p)
	cmake := base == "CMakeLists.txt" || strings.HasSuffix(strings.ToLower(base), ".cmake")
	var out []BuildGlob
	add := func(kind, raw string, off int, recurse bool) {
		if len(out) >= MaxBuildGlobs {
			return
		}
		line := 1 + strings.Count(text[:off], "\n")
		for _, g := range resolveGlob(raw, dir, kind) {
			if !strings.ContainsAny(g, "*?[") || !globHasLiteral(globVarRe().ReplaceAllString(raw, "")) {
				// Not a glob, or one that picks every file of a
				// directory of the whole tree ("for f in *" in a
				// maintainer script): no selection to judge.
				continue
			}
			s := Selector{Kind: SelectGlob, Pattern: g, Line: line, Command: strings.TrimSpace(raw)}
			if recurse {
				// GLOB_RECURSE: the base-name pattern at any depth
				// below the glob's directory.
				d, b := path.Split(g)
				s = Selector{Kind: SelectFindName, Pattern: b, Roots: []string{strings.TrimSuffix(d, "/")}, Line: line, Command: s.Command}
				if strings.ContainsAny(d, "*?[") {
					s = Selector{Kind: SelectFindPath, Pattern: g, Roots: []string{""}, Line: line, Command: s.Command}
				}
			}
			out = append(out, BuildGlob{Selector: s, File: p, Glob: strings.TrimSpace(raw)})
		}
	}
	if cmake {
		if !containsFoldASCII(text, "glob") {
			return out // cmakeGlobRe needs GLOB in some case
		}
		for _, m := range cmakeGlobRe().FindAllStringSubmatchIndex(text, -1) {
			args := cmakeArgs(text[m[4]:m[5]])
			if len(args) < 2 {
				continue
			}
			recurse := strings.EqualFold(text[m[2]:m[3]], "GLOB_RECURSE")
			for i := 1; i < len(args); i++ { // args[0] is the variable
				if takes, ok := cmakeGlobKeywords[args[i]]; ok {
					if takes {
						i++
					}
					continue
				}
				add("cmake", args[i], m[0], recurse)
			}
		}
		return out
	}
	if base == "meson.build" {
		return nil
	}
	for _, m := range makeWildcardRe().FindAllStringIndex(text, -1) {
		args, ok := balancedArgs(text, m[1], text[m[0]+1])
		if !ok {
			continue
		}
		for _, w := range strings.Fields(args) {
			add("make", w, m[0], false)
		}
	}
	if !harnessFile(p) {
		return out
	}
	for _, m := range shellForLists(text) {
		list := text[m[0]:m[1]]
		if i := strings.Index(list, " do"); i >= 0 {
			list = list[:i]
		}
		for _, w := range strings.Fields(list) {
			add("shell", w, m[0], false)
		}
	}
	return out
}

// shellForTail is shellForRe from its "for" on, anchored.
var shellForTail = lazyRegexp(`^for\s+[A-Za-z_][A-Za-z0-9_]*\s+in\s+([^;\n]*)`)

// shellForLists returns the [start, end) of the word list of every match
// of shellForRe in text, as FindAllStringSubmatchIndex gives its group 1,
// without running the unanchored regexp over the whole text (6 % of a
// coreutils verify): each "for" is checked for the tokens shellForRe
// allows before it, then matched anchored.
func shellForLists(text string) [][2]int {
	var out [][2]int
	next := 0 // FindAll's matches do not overlap
	for at := range occurrences(text, "for") {
		if at < next || !forCanStart(text, next, at) {
			continue
		}
		m := shellForTail().FindStringSubmatchIndex(text[at:])
		if m == nil {
			continue
		}
		out = append(out, [2]int{at + m[2], at + m[3]})
		next = at + m[1]
	}
	return out
}

// forCanStart reports whether shellForRe's prefix (start of a line, one
// of ;&|({, or the words then, do, else; then blanks, newlines included)
// ends right before the "for" at text[at:], beginning at or after from.
func forCanStart(text string, from, at int) bool {
	k := at
	for k > from && isRegexpSpace(text[k-1]) {
		k--
		if text[k] == '\n' {
			return true // ^ after the newline, then \s*
		}
	}
	if k == 0 {
		return true
	}
	if k == from && from > 0 {
		// The prefix would have to begin inside the previous match.
		return false
	}
	switch text[k-1] {
	case ';', '&', '|', '(', '{':
		return true
	}
	for _, w := range []string{"then", "do", "else"} {
		if k-len(w) >= from && text[k-len(w):k] == w && (k-len(w) == 0 || !isWordByte(text[k-len(w)-1])) {
			return true
		}
	}
	return false
}

// containsFoldASCII reports whether s holds lower (ASCII lower-case
// letters, none with a non-ASCII case fold) in any letter case: the
// literal a case-insensitive regexp needs, found without running it.
func containsFoldASCII[T string | []byte](s T, lower string) bool {
	if lower == "" {
		return true
	}
	for i := 0; i+len(lower) <= len(s); i++ {
		if s[i]|0x20 != lower[0] {
			continue
		}
		j := 1
		for j < len(lower) && s[i+j]|0x20 == lower[j] {
			j++
		}
		if j == len(lower) {
			return true
		}
	}
	return false
}

// balancedArgs returns the text from start up to the parenthesis (or
// brace, per open) that closes a make function call, skipping nested
// $(...) references; ok is false when it is not closed on its line.
func balancedArgs(text string, start int, open byte) (string, bool) {
	closeCh := byte(')')
	if open == '{' {
		closeCh = '}'
	}
	depth := 0
	for i := start; i < len(text) && i < start+4096; i++ {
		switch text[i] {
		case '\n':
			return "", false
		case '(', '{':
			depth++
		case ')', '}':
			if depth == 0 {
				if text[i] != closeCh {
					return "", false
				}
				return text[start:i], true
			}
			depth--
		}
	}
	return "", false
}

// globHasLiteral reports whether a glob as written (variables removed) names something:
// a directory or a literal part of a base name ("tests/files/*", "*.sh"),
// not only wildcards ("*", "*/*").
func globHasLiteral(g string) bool {
	for _, c := range g {
		switch c {
		case '*', '?', '[', ']', '/', '.':
		default:
			return true
		}
	}
	return false
}

// harnessFile reports the files whose shell loops are build or test
// logic: make files, configure.ac, and scripts under a test or build-aux
// directory. A maintainer tool (tmux's tools/cmp-cvs.sh "for i in
// *.[ch]") runs in no build.
func harnessFile(p string) bool {
	switch base := path.Base(p); {
	case base == "configure.ac" || base == "configure.in" || base == "Makefile.am" || base == "GNUmakefile" || base == "Makefile" || base == "makefile":
		return true
	case strings.HasSuffix(base, ".mk") || strings.HasSuffix(base, ".am") || strings.HasSuffix(base, ".mak"):
		return true
	}
	for _, d := range []string{"tests/", "test/", "t/", "testsuite/", "build-aux/"} {
		if strings.HasPrefix(p, d) || strings.Contains(p, "/"+d) {
			return true
		}
	}
	return false
}

// cmakeArgs splits CMake arguments at blanks, removing quotes.
func cmakeArgs(s string) []string {
	var out []string
	var cur strings.Builder
	inQ, have := false, false
	for _, c := range s {
		switch {
		case c == '"':
			inQ, have = !inQ, true
		case !inQ && (c == ' ' || c == '\t' || c == '\n' || c == '\r'):
			if have {
				out = append(out, cur.String())
				cur.Reset()
				have = false
			}
		default:
			cur.WriteRune(c)
			have = true
		}
	}
	if have {
		out = append(out, cur.String())
	}
	return out
}

// globDirVars resolve to the build file's directory, globRootVars to the
// release root; in shell scripts $srcdir is either.
var (
	globDirVars  = []string{"${CMAKE_CURRENT_SOURCE_DIR}", "${CMAKE_CURRENT_LIST_DIR}", "$(srcdir)", "${srcdir}", "@srcdir@", "$(abs_srcdir)", "${abs_srcdir}"}
	globRootVars = []string{"${CMAKE_SOURCE_DIR}", "${PROJECT_SOURCE_DIR}", "$(top_srcdir)", "${top_srcdir}", "@top_srcdir@", "$(abs_top_srcdir)", "${abs_top_srcdir}", "$top_srcdir", "$abs_top_srcdir"}
	globEither   = []string{"$srcdir", "$abs_srcdir", "${srcdir}"}
)

// resolveGlob turns a glob as written in a build file in dir into
// release-relative globs; none when it depends on an unknown variable or
// leaves the release.
func resolveGlob(raw, dir, kind string) []string {
	g := strings.Trim(raw, `"'`)
	g = strings.ReplaceAll(g, `"`, "")
	g = strings.ReplaceAll(g, `'`, "")
	var bases []string
	cut := func(prefixes []string, to string) bool {
		for _, pre := range prefixes {
			if rest, ok := strings.CutPrefix(g, pre); ok && (rest == "" || rest[0] == '/') {
				g = strings.TrimPrefix(rest, "/")
				bases = append(bases, to)
				return true
			}
		}
		return false
	}
	switch {
	case kind == "shell" && cut(globEither, dir):
		if dir != "" {
			bases = append(bases, "")
		}
	case cut(globDirVars, dir), cut(globRootVars, ""):
	default:
		if strings.HasPrefix(g, "/") {
			return nil
		}
		bases = []string{dir}
		if kind == "shell" && dir != "" {
			// A test script often runs from the release root or the
			// build directory of its own directory.
			bases = append(bases, "")
		}
	}
	if globVarRe().MatchString(g) || strings.ContainsAny(g, "`{}") {
		return nil
	}
	var out []string
	for _, b := range bases {
		p := path.Clean(path.Join(b, g))
		if p == "." || p == ".." || strings.HasPrefix(p, "../") || strings.HasPrefix(p, "/") {
			continue
		}
		out = append(out, p)
	}
	return out
}

// GlobIndex holds the build globs of a tag and answers which of them pick a
// given path.
type GlobIndex struct {
	globs []BuildGlob
	match []func(p string) bool
}

// NewGlobIndex indexes globs (from FindBuildGlobs over the tag's build
// files).
func NewGlobIndex(globs []BuildGlob) *GlobIndex {
	sort.SliceStable(globs, func(i, j int) bool {
		if globs[i].File != globs[j].File {
			return globs[i].File < globs[j].File
		}
		return globs[i].Selector.Line < globs[j].Selector.Line
	})
	x := &GlobIndex{}
	for _, g := range globs {
		if m := g.Selector.matcher(); m != nil {
			x.globs = append(x.globs, g)
			x.match = append(x.match, m)
		}
	}
	return x
}

// matcher compiles a path-only selector (glob, find -name, find -path) to
// a predicate; nil when it cannot be evaluated.
func (s Selector) matcher() func(string) bool {
	if s.Unsupported != "" {
		return nil
	}
	switch s.Kind {
	case SelectGlob:
		re, err := globRegexp(s.Pattern, false)
		if err != nil {
			return nil
		}
		return re.MatchString
	case SelectFindName:
		re, err := globRegexp(s.Pattern, false)
		if err != nil {
			return nil
		}
		return func(p string) bool { return underRoots(p, s.Roots, true) && re.MatchString(path.Base(p)) }
	case SelectFindPath:
		re, err := globRegexp(s.Pattern, true)
		if err != nil {
			return nil
		}
		return func(p string) bool { return underRoots(p, s.Roots, true) && re.MatchString(p) }
	}
	return nil
}

// Len is the number of globs indexed.
func (x *GlobIndex) Len() int {
	if x == nil {
		return 0
	}
	return len(x.globs)
}

// Selecting returns the globs that pick p.
func (x *GlobIndex) Selecting(p string) []BuildGlob {
	if x == nil {
		return nil
	}
	var out []BuildGlob
	for i, g := range x.globs {
		if x.match[i](p) {
			out = append(out, g)
		}
	}
	return out
}

// globProven are classes whose origin is proved (or is another rule's job):
// a glob that picks them adds nothing.
var globProven = map[string]bool{ClassGnulibCopy: true, ClassUpstreamCopy: true, ClassM4Upstream: true, ClassGenerated: true,
	ClassReleaseStamped: true, ClassLineEndings: true, ClassTranslation: true, ClassChangeLog: true, ClassExportSubst: true,
	ClassVCSMetadata: true, ClassExportIgnore: true, ClassNotDistributed: true}

// ruleBuildGlob raises a tarball-side file that a glob of the tag's build
// logic picks up, and that nothing proves, to high: the build runs or reads
// it although no reviewed file names it.
func (c *classification) ruleBuildGlob(res *Result) {
	if c.ctx.BuildGlobs == nil || !tarSide(c.in) || globProven[res.Class] && res.Severity.Rank() < SevMedium.Rank() {
		return
	}
	hits := c.ctx.BuildGlobs.Selecting(c.in.Path)
	if len(hits) == 0 {
		return
	}
	what := "only in the tarball"
	if c.in.Status != StatusOnlyInTarball {
		what = "differs from the tag"
	}
	var ev []string
	for i, h := range hits {
		if i == 4 {
			ev = append(ev, fmt.Sprintf("... %d more globs", len(hits)-i))
			break
		}
		ev = append(ev, "glob "+h.String())
	}
	msg := fmt.Sprintf("%s, and the tag's build logic picks it up by the glob %s", what, hits[0].String())
	res.Signals = append(res.Signals, Signal{Rule: RuleBuildGlob, Severity: SevHigh, Message: msg, Evidence: ev, Selects: []string{c.in.Path}})
	if res.Severity.Rank() < SevHigh.Rank() {
		res.Severity = SevHigh
		if res.Reason != "" {
			res.Reason += "; "
		}
		res.Reason += msg
	}
}
