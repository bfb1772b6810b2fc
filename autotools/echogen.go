package autotools

import (
	"bytes"
	"github.com/tarcheck/tarcheck/internal/limits"
	"path"
	"regexp"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// Limits of the echo-template proof: scripts and files larger than these
// are not parsed or matched.
const (
	maxEchoScript   = limits.AutotoolsMaxEchoScript
	maxEchoWritten  = limits.AutotoolsMaxEchoWritten
	maxEchoTemplate = limits.AutotoolsMaxEchoTemplate
)

// echoValue is what a parameter expansion or command substitution may put
// into a line an echo template writes: words of path-like characters and
// blanks. It excludes every character that could start shell or make code
// of its own ($ ` ; | & < > ( ) = # quotes backslash tab newline), so the
// lines a template matches can only hold the script's own literal text
// around plain names.
const echoValue = `[A-Za-z0-9_./:+@%,~ -]*`

// EchoTemplates are the lines a shell script writes into files with echo
// redirections ("echo $out: $f >> Makefile"), by the release path of the
// file written (the script's top-level cd commands followed from its own
// directory). Each pattern matches one whole line.
type EchoTemplates map[string][]*regexp.Regexp

// ScriptEchoTemplates parses the shell script at release path scriptPath.
// It returns nil when the script does not parse or writes nothing with echo
// into a file named by a literal word. Statements in subshells and
// functions are not followed; a cd whose argument is not literal makes the
// following writes unknown (skipped).
func ScriptEchoTemplates(scriptPath string, script []byte) EchoTemplates {
	if len(script) > maxEchoScript || !bytes.Contains(script, []byte("echo")) {
		return nil
	}
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(bytes.NewReader(script), scriptPath)
	if err != nil {
		return nil
	}
	w := &echoWalker{cwd: path.Dir(scriptPath), out: EchoTemplates{}}
	w.stmts(f.Stmts)
	if len(w.out) == 0 {
		return nil
	}
	return w.out
}

type echoWalker struct {
	cwd   string // "" when unknown
	out   EchoTemplates
	count int
}

func (w *echoWalker) stmts(list []*syntax.Stmt) {
	for _, s := range list {
		w.stmt(s)
	}
}

func (w *echoWalker) stmt(s *syntax.Stmt) {
	switch c := s.Cmd.(type) {
	case *syntax.CallExpr:
		w.call(c, s.Redirs)
	case *syntax.BinaryCmd:
		w.stmt(c.X)
		w.stmt(c.Y)
	case *syntax.Block:
		w.stmts(c.Stmts)
	case *syntax.ForClause:
		w.stmts(c.Do)
	case *syntax.WhileClause:
		w.stmts(c.Do)
	case *syntax.IfClause:
		for ic := c; ic != nil; ic = ic.Else {
			w.stmts(ic.Then)
		}
	case *syntax.CaseClause:
		for _, item := range c.Items {
			w.stmts(item.Stmts)
		}
	}
}

func (w *echoWalker) call(c *syntax.CallExpr, redirs []*syntax.Redirect) {
	if len(c.Args) == 0 {
		return
	}
	name := c.Args[0].Lit()
	switch name {
	case "cd":
		if w.cwd == "" {
			return
		}
		if len(c.Args) != 2 || c.Args[1].Lit() == "" || strings.HasPrefix(c.Args[1].Lit(), "/") {
			w.cwd = ""
			return
		}
		w.cwd = path.Clean(path.Join(w.cwd, c.Args[1].Lit()))
		if w.cwd == ".." || strings.HasPrefix(w.cwd, "../") {
			w.cwd = ""
		}
	case "echo":
		if w.cwd == "" || w.count >= maxEchoTemplate*8 {
			return
		}
		var target string
		for _, r := range redirs {
			if r.Op != syntax.RdrOut && r.Op != syntax.AppOut {
				continue
			}
			if r.N != nil || r.Word.Lit() == "" || target != "" {
				return
			}
			target = r.Word.Lit()
		}
		if target == "" || strings.HasPrefix(target, "/") {
			return
		}
		re := echoLine(c.Args[1:])
		if re == nil {
			return
		}
		rel := path.Clean(path.Join(w.cwd, target))
		if rel == ".." || strings.HasPrefix(rel, "../") || len(w.out[rel]) >= maxEchoTemplate {
			return
		}
		w.out[rel] = append(w.out[rel], re)
		w.count++
	}
}

// echoLine is the pattern of the line "echo ARGS" prints, or nil when an
// argument holds something the pattern cannot follow (escapes, options,
// arithmetic, globs).
func echoLine(args []*syntax.Word) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`\A`)
	for i, a := range args {
		if i == 0 && strings.HasPrefix(a.Lit(), "-") {
			return nil // echo -n, -e: other output
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		if !echoWord(&b, a.Parts) {
			return nil
		}
	}
	b.WriteString(`\z`)
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil
	}
	return re
}

func echoWord(b *strings.Builder, parts []syntax.WordPart) bool {
	for _, p := range parts {
		switch x := p.(type) {
		case *syntax.Lit:
			if strings.ContainsAny(x.Value, "\\*?[") {
				return false
			}
			b.WriteString(regexp.QuoteMeta(x.Value))
		case *syntax.SglQuoted:
			if x.Dollar || strings.Contains(x.Value, "\\") {
				return false
			}
			b.WriteString(regexp.QuoteMeta(x.Value))
		case *syntax.DblQuoted:
			if x.Dollar || !echoWord(b, x.Parts) {
				return false
			}
		case *syntax.ParamExp, *syntax.CmdSubst:
			b.WriteString(echoValue)
		default:
			return false
		}
	}
	return true
}

// Written reports whether content is made only of lines that the templates
// for release path target print: a file such a script wrote, where every
// line is the script's literal text around plain names. At least one line
// must hold literal text of a template.
func (t EchoTemplates) Written(target string, content []byte) bool {
	res := t[target]
	if len(res) == 0 || len(content) == 0 || len(content) > maxEchoWritten || content[len(content)-1] != '\n' {
		return false
	}
	literal := false
	for _, line := range bytes.Split(content[:len(content)-1], []byte("\n")) {
		ok := false
		for _, re := range res {
			if !re.Match(line) {
				continue
			}
			if re.String() != pureExpansion {
				ok = true
				literal = literal || len(bytes.TrimSpace(line)) > 0
				break
			}
			// A line that is one expansion and nothing else ("echo $all")
			// holds whatever the variable held: only a blank line or a
			// make rule without recipe ("all: a.html b.html") is taken,
			// never a command or a directive ("include x", "sh x").
			if len(bytes.TrimSpace(line)) == 0 || ruleOnlyRe().Match(line) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return literal
}

// pureExpansion is the pattern of an echo whose only argument is one
// expansion.
const pureExpansion = `\A` + echoValue + `\z`

// ruleOnlyRe is a make rule line without recipe: targets, a colon,
// prerequisites (of echoValue's characters).
var ruleOnlyRe = lazyRegexp(`\A[A-Za-z0-9_./+@%,~-]+:(?: [A-Za-z0-9_./:+@%,~ -]*)?\z`)
