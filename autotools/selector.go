package autotools

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/tarcheck/tarcheck/internal/limits"
)

// Kinds of Selector.
const (
	SelectGrep      = "grep"       // grep -l/-L/-r PATTERN ROOTS...
	SelectFindName  = "find-name"  // find ROOTS -name/-iname GLOB (base name)
	SelectFindPath  = "find-path"  // find ROOTS -path/-wholename GLOB (whole path, * crosses /)
	SelectFindRegex = "find-regex" // find ROOTS -regex RE (whole path, anchored)
	SelectGlob      = "glob"       // a shell glob over release paths
)

// Limits of Selector.Select.
const (
	// MaxSelectFiles caps the files one selector is evaluated over.
	MaxSelectFiles = limits.AutotoolsMaxSelectFiles
	// MaxSelectReadBytes caps the bytes read from one file for grep.
	MaxSelectReadBytes = limits.AutotoolsMaxSelectReadBytes
	// MaxSelectTotalBytes caps the bytes read over all files for grep.
	MaxSelectTotalBytes = limits.AutotoolsMaxSelectTotalBytes
	// MaxSelected caps the paths one selector returns.
	MaxSelected = limits.AutotoolsMaxSelected
	// maxPatternLen caps a pattern that is translated.
	maxPatternLen = limits.AutotoolsMaxPatternLen
)

// ErrNotEvaluated is returned (wrapped, with the reason) by Selector.Select
// when a pattern cannot be translated safely to a Go regexp (back
// references, collating elements, a pattern taken from a file, a root named
// by an unknown variable).
var ErrNotEvaluated = errors.New("not evaluated")

// Selector is a file-selecting pattern found in build logic: the way the
// xz-utils m4 chose its payload (grep -aErls "#{4}[[:alnum:]]{5}#{4}$"
// $srcdir/) without naming it.
type Selector struct {
	Kind string
	// Pattern is the pattern as the command receives it (quotes removed).
	Pattern string
	// Syntax of a grep or find -regex pattern: "ERE", "BRE", "fixed",
	// "perl", "emacs".
	Syntax string
	// Roots are release-relative paths searched ("" is the whole tree);
	// for globs the root is in Pattern.
	Roots []string
	// grep flags.
	IgnoreCase, WordMatch, LineMatch, Invert, Recursive, SkipBinary bool
	// Line is the 1-based line of the command; Command its text.
	Line    int
	Command string
	// Unsupported says why the selector cannot be evaluated ("" if it can).
	Unsupported string
}

// SelectFile is one file a selector may choose: its release-relative path and
// a way to read its content. Read must return at most limit bytes; it is
// called only for grep selectors.
type SelectFile struct {
	Path string
	Read func(limit int64) ([]byte, error)
}

// String describes the selector for evidence.
func (s Selector) String() string {
	switch s.Kind {
	case SelectGlob:
		return "glob " + s.Pattern
	case SelectGrep:
		return fmt.Sprintf("grep %q over %s", s.Pattern, rootsText(s.Roots))
	default:
		return fmt.Sprintf("find %s %q over %s", strings.TrimPrefix(s.Kind, "find-"), s.Pattern, rootsText(s.Roots))
	}
}

func rootsText(roots []string) string {
	var out []string
	for _, r := range roots {
		if r == "" {
			r = "the source tree"
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return "the source tree"
	}
	return strings.Join(out, ", ")
}

// Select returns, in input order, the paths of files the selector picks.
// It reads content only for grep selectors, at most MaxSelectReadBytes per
// file and MaxSelectTotalBytes in all. An error wrapping ErrNotEvaluated
// means the pattern was not evaluated; other errors come from Read.
func (s Selector) Select(files []SelectFile) ([]string, error) {
	if s.Unsupported != "" {
		return nil, fmt.Errorf("%w: %s", ErrNotEvaluated, s.Unsupported)
	}
	if len(files) > MaxSelectFiles {
		return nil, fmt.Errorf("%w: more than %d files", ErrNotEvaluated, MaxSelectFiles)
	}
	var match func(f SelectFile) (bool, error)
	var total int64
	switch s.Kind {
	case SelectGlob:
		re, err := globRegexp(s.Pattern, false)
		if err != nil {
			return nil, err
		}
		match = func(f SelectFile) (bool, error) { return re.MatchString(f.Path), nil }
	case SelectFindName, SelectFindPath, SelectFindRegex:
		var re *regexp.Regexp
		var err error
		switch s.Kind {
		case SelectFindName:
			re, err = globRegexp(s.Pattern, false)
		case SelectFindPath:
			re, err = globRegexp(s.Pattern, true)
		default:
			re, err = posixRegexp(s.Pattern, s.Syntax)
			if err == nil {
				re, err = regexp.Compile(`^(?:` + re.String() + `)$`)
			}
		}
		if err != nil {
			return nil, err
		}
		if s.IgnoreCase {
			re = regexp.MustCompile("(?i)" + re.String())
		}
		match = func(f SelectFile) (bool, error) {
			if !underRoots(f.Path, s.Roots, true) {
				return false, nil
			}
			switch s.Kind {
			case SelectFindName:
				return re.MatchString(path.Base(f.Path)), nil
			default:
				// find prints ROOT/rel; roots are release-relative, so
				// match "./rel" and "rel" (the root as written is unknown).
				return re.MatchString(f.Path) || re.MatchString("./"+f.Path), nil
			}
		}
	case SelectGrep:
		re, err := s.grepRegexp()
		if err != nil {
			return nil, err
		}
		match = func(f SelectFile) (bool, error) {
			if !underRoots(f.Path, s.Roots, s.Recursive) || f.Read == nil {
				return false, nil
			}
			if total >= MaxSelectTotalBytes {
				return false, fmt.Errorf("%w: read limit of %d bytes reached", ErrNotEvaluated, int64(MaxSelectTotalBytes))
			}
			b, err := f.Read(MaxSelectReadBytes)
			if err != nil {
				return false, fmt.Errorf("reading %s for selector on line %d: %w", f.Path, s.Line, err)
			}
			if int64(len(b)) > MaxSelectReadBytes {
				b = b[:MaxSelectReadBytes]
			}
			total += int64(len(b))
			if s.SkipBinary && bytes.IndexByte(b, 0) >= 0 {
				return false, nil
			}
			return grepMatches(re, b) != s.Invert, nil
		}
	default:
		return nil, fmt.Errorf("%w: unknown selector kind %q", ErrNotEvaluated, s.Kind)
	}
	var out []string
	for _, f := range files {
		ok, err := match(f)
		if err != nil {
			return out, err
		}
		if ok {
			out = append(out, f.Path)
			if len(out) >= MaxSelected {
				break
			}
		}
	}
	return out, nil
}

// grepMatches reports whether any line of b matches re (grep matches line by
// line, so a negated class never spans lines).
func grepMatches(re *regexp.Regexp, b []byte) bool {
	if lit, _ := re.LiteralPrefix(); lit != "" && !bytes.Contains(b, []byte(lit)) {
		return false
	}
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		if re.Match(line) {
			return true
		}
	}
	return false
}

// underRoots reports whether p is one of roots or (recursive) below one.
func underRoots(p string, roots []string, recursive bool) bool {
	if len(roots) == 0 {
		return recursive
	}
	for _, r := range roots {
		if r == "" && recursive || r == p || recursive && strings.HasPrefix(p, r+"/") {
			return true
		}
		if strings.ContainsAny(r, "*?[") {
			if re, err := globRegexp(r, false); err == nil && re.MatchString(p) {
				return true
			}
		}
	}
	return false
}

// Regexp returns the Go regexp a grep selector's pattern translates to, or
// an error wrapping ErrNotEvaluated.
func (s Selector) Regexp() (*regexp.Regexp, error) {
	if s.Kind != SelectGrep {
		return nil, fmt.Errorf("%w: %s is not a grep selector", ErrNotEvaluated, s.Kind)
	}
	return s.grepRegexp()
}

func (s Selector) grepRegexp() (*regexp.Regexp, error) {
	var alts []string
	for _, p := range strings.Split(s.Pattern, "\n") {
		re, err := posixRegexp(p, s.Syntax)
		if err != nil {
			return nil, err
		}
		alts = append(alts, re.String())
	}
	expr := "(?:" + strings.Join(alts, ")|(?:") + ")"
	switch {
	case s.LineMatch:
		expr = "^(?:" + expr + ")$"
	case s.WordMatch:
		expr = `(?:^|[^0-9A-Za-z_])(?:` + expr + `)(?:[^0-9A-Za-z_]|$)`
	}
	if s.IgnoreCase {
		expr = "(?i)" + expr
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotEvaluated, err)
	}
	return re, nil
}

// posixRegexp translates a POSIX (GNU) regular expression to Go syntax:
// syntax is "ERE", "BRE" (also "" and "emacs", GNU BRE with \+ \? \|;
// emacs treats + and ? as operators), "fixed" or "perl" (compiled as RE2).
// Back references and collating elements are not evaluated.
func posixRegexp(pat, syntax string) (*regexp.Regexp, error) {
	if len(pat) > maxPatternLen {
		return nil, fmt.Errorf("%w: pattern longer than %d bytes", ErrNotEvaluated, maxPatternLen)
	}
	var expr string
	switch syntax {
	case "fixed":
		expr = regexp.QuoteMeta(pat)
	case "perl":
		expr = pat
	default:
		var err error
		expr, err = translatePOSIX(pat, syntax == "ERE", syntax == "emacs")
		if err != nil {
			return nil, err
		}
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotEvaluated, err)
	}
	return re, nil
}

func translatePOSIX(pat string, ere, emacs bool) (string, error) {
	var b strings.Builder
	atStart := true // where * is literal and ^ an anchor (BRE)
	for i := 0; i < len(pat); i++ {
		c := pat[i]
		start := atStart
		atStart = false
		switch {
		case c == '[':
			j, cls, err := bracketExpr(pat, i)
			if err != nil {
				return "", err
			}
			b.WriteString(cls)
			i = j
		case c == '\\' && i+1 < len(pat):
			i++
			n := pat[i]
			switch {
			case n >= '1' && n <= '9':
				return "", fmt.Errorf("%w: back reference \\%c", ErrNotEvaluated, n)
			case n == '<' || n == '>' || n == 'b':
				b.WriteString(`\b`)
			case n == 'B' || n == 'w' || n == 'W' || n == 's' || n == 'S':
				b.WriteByte('\\')
				b.WriteByte(n)
			case n == '`':
				b.WriteString(`\A`)
			case n == '\'':
				b.WriteString(`\z`)
			case !ere && (n == '(' || n == ')' || n == '|' || n == '+' || n == '?'):
				b.WriteByte(n)
				atStart = n == '(' || n == '|'
			case !ere && !emacs && (n == '{' || n == '}'):
				b.WriteByte(n)
			default:
				b.WriteString(regexp.QuoteMeta(string(n)))
			}
		case c == '*':
			if start && !ere {
				b.WriteString(`\*`)
			} else if start {
				// A leading * in an ERE is literal for GNU grep.
				b.WriteString(`\*`)
			} else {
				b.WriteByte('*')
			}
		case c == '^':
			if ere || start {
				b.WriteByte('^')
			} else {
				b.WriteString(`\^`)
			}
			atStart = true
		case c == '$':
			end := i == len(pat)-1 || (!ere && strings.HasPrefix(pat[i+1:], `\)`)) || (!ere && strings.HasPrefix(pat[i+1:], `\|`))
			if ere || end {
				b.WriteByte('$')
			} else {
				b.WriteString(`\$`)
			}
		case c == '{' && ere:
			j := strings.IndexByte(pat[i:], '}')
			if j < 0 || !validInterval(pat[i+1:i+j]) {
				b.WriteString(`\{`)
				continue
			}
			b.WriteString(pat[i : i+j+1])
			i += j
		case ere && (c == '(' || c == '|'):
			b.WriteByte(c)
			atStart = true
		case ere && (c == ')' || c == '+' || c == '?'):
			b.WriteByte(c)
		case emacs && (c == '+' || c == '?'):
			b.WriteByte(c)
		case c == '.':
			b.WriteByte('.')
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	return b.String(), nil
}

// validInterval reports "n", "n,", "n,m" or ",m" with bounds Go accepts.
func validInterval(s string) bool {
	if s == "" {
		return false
	}
	lo, hi, comma := strings.Cut(s, ",")
	for _, part := range []string{lo, hi} {
		if part == "" {
			continue
		}
		n, err := strconv.Atoi(part)
		if err != nil || n < 0 || n > 1000 {
			return false
		}
	}
	if lo == "" && !comma {
		return false
	}
	return true
}

// bracketExpr translates the bracket expression starting at pat[i] and
// returns the index of its closing ].
func bracketExpr(pat string, i int) (int, string, error) {
	var b strings.Builder
	b.WriteByte('[')
	j := i + 1
	if j < len(pat) && (pat[j] == '^' || pat[j] == '!') {
		b.WriteByte('^')
		j++
	}
	first := true
	for ; j < len(pat); j++ {
		c := pat[j]
		switch {
		case c == ']' && !first:
			b.WriteByte(']')
			return j, b.String(), nil
		case c == '[' && j+1 < len(pat) && (pat[j+1] == ':' || pat[j+1] == '=' || pat[j+1] == '.'):
			end := strings.Index(pat[j+2:], string(pat[j+1])+"]")
			if end < 0 {
				return 0, "", fmt.Errorf("%w: unterminated [%c in bracket expression", ErrNotEvaluated, pat[j+1])
			}
			if pat[j+1] != ':' {
				return 0, "", fmt.Errorf("%w: collating element or equivalence class", ErrNotEvaluated)
			}
			name := pat[j+2 : j+2+end]
			switch name {
			case "alnum", "alpha", "blank", "cntrl", "digit", "graph", "lower", "print", "punct", "space", "upper", "xdigit":
			default:
				return 0, "", fmt.Errorf("%w: class [:%s:]", ErrNotEvaluated, name)
			}
			b.WriteString("[:" + name + ":]")
			j += 2 + end + 1
		case c == '\\' || c == '[' || c == ']' || c == '^':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
		first = false
	}
	return 0, "", fmt.Errorf("%w: unterminated bracket expression", ErrNotEvaluated)
}

// globRegexp translates a shell glob to an anchored Go regexp; * and ? do
// not match / unless crossSlash (find -path).
func globRegexp(glob string, crossSlash bool) (*regexp.Regexp, error) {
	if len(glob) > maxPatternLen {
		return nil, fmt.Errorf("%w: glob longer than %d bytes", ErrNotEvaluated, maxPatternLen)
	}
	var b strings.Builder
	b.WriteString(`^`)
	any := `[^/]`
	if crossSlash {
		any = `.`
	}
	for i := 0; i < len(glob); i++ {
		c := glob[i]
		switch c {
		case '*':
			b.WriteString(any + "*")
		case '?':
			b.WriteString(any)
		case '[':
			j, cls, err := bracketExpr(glob, i)
			if err != nil {
				b.WriteString(`\[`)
				continue
			}
			b.WriteString(cls)
			i = j
		case '\\':
			if i+1 < len(glob) {
				i++
				b.WriteString(regexp.QuoteMeta(string(glob[i])))
			}
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(`$`)
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotEvaluated, err)
	}
	return re, nil
}

// selectorRoot turns a grep or find operand into a release-relative root;
// ok is false when it is named by an unknown variable.
func selectorRoot(v string) (string, bool) {
	r, _ := normaliseRef(v)
	if r == "." {
		r = ""
	}
	if strings.Contains(r, "$") || strings.Contains(r, "@") {
		return "", false
	}
	return r, true
}

// grepLongFlags maps grep's long options without argument to their short
// letters.
var grepLongFlags = map[string]byte{"--extended-regexp": 'E', "--fixed-strings": 'F', "--basic-regexp": 'G',
	"--perl-regexp": 'P', "--ignore-case": 'i', "--word-regexp": 'w', "--line-regexp": 'x', "--files-with-matches": 'l',
	"--files-without-match": 'L', "--recursive": 'r', "--dereference-recursive": 'R', "--text": 'a'}

// grep records a grep that lists (-l/-L) or searches a tree (-r) as a
// selector, and returns the taint of its output.
func (a *flowAnalyzer) grep(args []*syntax.Word, words []string, stdin taint, line int) taint {
	s := Selector{Kind: SelectGrep, Syntax: "BRE", Line: line}
	base := path.Base(a.commandName(args[0]))
	switch base {
	case "egrep", "$EGREP":
		s.Syntax = "ERE"
	case "fgrep", "$FGREP":
		s.Syntax = "fixed"
	}
	var patterns []string
	var ops []int
	list, text := false, false
	// flag applies a grep option without argument, by its short letter.
	flag := func(c byte) {
		switch c {
		case 'E':
			s.Syntax = "ERE"
		case 'F':
			s.Syntax = "fixed"
		case 'G':
			s.Syntax = "BRE"
		case 'P':
			s.Syntax = "perl"
		case 'i', 'y':
			s.IgnoreCase = true
		case 'w':
			s.WordMatch = true
		case 'x':
			s.LineMatch = true
		case 'l':
			list = true
		case 'L':
			list, s.Invert = true, true
		case 'r', 'R':
			s.Recursive = true
		case 'a':
			text = true
		case 'I':
			s.SkipBinary = true
		}
	}
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case w == "--":
			for j := i + 1; j < len(words); j++ {
				ops = append(ops, j)
			}
			i = len(words)
		case strings.HasPrefix(w, "--"):
			name, val, _ := strings.Cut(w, "=")
			switch name {
			case "--binary-files":
				text = val == "text"
				s.SkipBinary = val == "without-match"
			case "--regexp":
				patterns = append(patterns, val)
			case "--file":
				s.Unsupported = "patterns read from a file"
			case "--include", "--exclude":
				s.Unsupported = "--include/--exclude not evaluated"
			default:
				flag(grepLongFlags[name])
			}
		case len(w) > 1 && w[0] == '-':
		flags:
			for k := 1; k < len(w); k++ {
				switch w[k] {
				case 'e', 'f', 'm', 'A', 'B', 'C', 'd', 'D':
					val := w[k+1:]
					if val == "" && i+1 < len(words) {
						i++
						val = words[i]
					}
					switch w[k] {
					case 'e':
						patterns = append(patterns, val)
					case 'f':
						s.Unsupported = "patterns read from a file"
					}
					break flags
				default:
					flag(w[k])
				}
			}
		default:
			ops = append(ops, i)
		}
	}
	if len(patterns) == 0 && len(ops) > 0 {
		patterns = append(patterns, words[ops[0]])
		ops = ops[1:]
	}
	in := stdin
	for _, i := range ops {
		in = in.union(a.fileTaint(args[1+i], "grep", line))
	}
	if !list && !s.Recursive {
		if text && !in.empty() {
			in = in.withTransform("grep -a", false, line)
		}
		return in
	}
	s.Pattern = strings.Join(patterns, "\n")
	for _, i := range ops {
		r, ok := selectorRoot(words[i])
		if !ok {
			s.Unsupported = "search root " + words[i] + " is not known"
		}
		s.Roots = append(s.Roots, r)
	}
	if len(ops) == 0 && s.Recursive {
		s.Roots = []string{""}
	}
	s.Command = strings.TrimSpace("grep " + strings.Join(quoteAll(words), " "))
	if s.Unsupported == "" {
		if _, err := s.grepRegexp(); err != nil {
			s.Unsupported = err.Error()
		}
	}
	sel := a.addSelector(s)
	out := taint{sel: true, srcs: []string{"files selected by " + trimEvidence(s.Command)}, lines: []int{line}}
	if sel >= 0 {
		out.selectors = []int{sel}
	}
	if !list {
		// grep -r prints file:line: the data itself as well.
		out = out.union(taint{data: true, srcs: out.srcs, selectors: out.selectors, lines: out.lines})
	}
	return out
}

func trimEvidence(s string) string {
	if len(s) > 120 {
		return s[:120] + "..."
	}
	return s
}

// find records find -name/-path/-regex as a selector.
func (a *flowAnalyzer) find(words []string, line int) taint {
	s := Selector{Line: line, Syntax: "emacs"}
	var roots []string
	i := 0
	for ; i < len(words) && !strings.HasPrefix(words[i], "-") && words[i] != "(" && words[i] != "!"; i++ {
		roots = append(roots, words[i])
	}
	var pats []string
	for ; i < len(words); i++ {
		w := words[i]
		if i+1 >= len(words) {
			break
		}
		switch w {
		case "-name", "-iname":
			s.Kind, s.IgnoreCase = SelectFindName, w == "-iname"
			pats = append(pats, words[i+1])
			i++
		case "-path", "-ipath", "-wholename", "-iwholename":
			s.Kind, s.IgnoreCase = SelectFindPath, strings.HasPrefix(w, "-i")
			pats = append(pats, words[i+1])
			i++
		case "-regex", "-iregex":
			s.Kind, s.IgnoreCase = SelectFindRegex, w == "-iregex"
			pats = append(pats, words[i+1])
			i++
		case "-regextype":
			switch words[i+1] {
			case "posix-extended", "egrep", "posix-egrep", "awk", "gnu-awk", "posix-awk":
				s.Syntax = "ERE"
			case "posix-basic", "grep", "ed", "sed":
				s.Syntax = "BRE"
			case "emacs":
			default:
				s.Unsupported = "regextype " + words[i+1]
			}
			i++
		}
	}
	if s.Kind == "" || len(pats) == 0 {
		return taint{}
	}
	if len(pats) > 1 {
		s.Unsupported = "several patterns in one find expression"
	}
	s.Pattern = pats[0]
	for _, r := range roots {
		root, ok := selectorRoot(r)
		if !ok {
			s.Unsupported = "search root " + r + " is not known"
		}
		s.Roots = append(s.Roots, root)
	}
	if len(s.Roots) == 0 {
		s.Roots = []string{""}
	}
	s.Recursive = true
	s.Command = "find " + strings.Join(quoteAll(words), " ")
	sel := a.addSelector(s)
	out := taint{sel: true, srcs: []string{"files selected by " + trimEvidence(s.Command)}, lines: []int{line}}
	if sel >= 0 {
		out.selectors = []int{sel}
	}
	return out
}
