package autotools

import (
	"bytes"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// A copied helper whose lines no known version holds is high, because new
// lines in a script that the build runs can do anything. Distributions
// patch the helpers they ship, though, and a release made on such a system
// carries the patch (findutils' test-driver parses "--opt=value" with an
// openSUSE automake fix). When every new line is inert — it runs no
// command but shift/test/break/continue, writes no file, substitutes no
// command, adds no literal text to a variable and touches no variable the
// shell or the environment acts on — the new lines can only route values
// the helper already had; they are reported (medium, with the lines), not
// called an injection. ltmain.sh is left out: it evals the variables it
// sets, so routing a value there is enough to run it.

// inertBuiltins are the commands an inert line may run: none of them
// reads, writes or executes anything.
var inertBuiltins = map[string]bool{"shift": true, "test": true, "[": true, ":": true, "true": true, "false": true, "break": true, "continue": true}

// actingVars are variables the shell, the loader or a child process act
// on: assigning one changes what later, known lines run.
var actingVars = map[string]bool{"PATH": true, "IFS": true, "ENV": true, "BASH_ENV": true, "CDPATH": true, "SHELL": true,
	"CONFIG_SHELL": true, "PS4": true, "PROMPT_COMMAND": true, "GLOBIGNORE": true, "SHELLOPTS": true, "BASHOPTS": true,
	"HOME": true, "TMPDIR": true, "PERL5LIB": true, "PERL5OPT": true, "PYTHONPATH": true, "PYTHONSTARTUP": true}

// inertAdditionsSkip are the helpers the judgement never applies to.
var inertAdditionsSkip = map[string]bool{"ltmain.sh": true}

// inertAdditions reports whether every line of the shell helper content
// whose 1-based number is in novel is inert (see above). A file that does
// not parse as shell, or a helper in inertAdditionsSkip, is never inert.
func inertAdditions(helper string, content []byte, novel map[int]bool) bool {
	if len(novel) == 0 || inertAdditionsSkip[helper] || !shellHelper(helper) {
		return false
	}
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(bytes.NewReader(content), helper)
	if err != nil {
		return false
	}
	// upTo[l] counts the novel lines numbered l or less: whether a node's
	// lines hold one is then one subtraction, however deep the nesting.
	lines := bytes.Count(content, []byte("\n")) + 2
	upTo := make([]int, lines+1)
	for l := 1; l <= lines; l++ {
		upTo[l] = upTo[l-1]
		if novel[l] {
			upTo[l]++
		}
	}
	span := func(from, to int) bool {
		from, to = max(from, 1), min(to, lines)
		return from <= to && upTo[to]-upTo[from-1] > 0
	}
	touches := func(n syntax.Node) bool { return span(int(n.Pos().Line()), int(n.End().Line())) }
	inert := true
	syntax.Walk(f, func(n syntax.Node) bool {
		if !inert || n == nil {
			return false
		}
		if w, ok := n.(*syntax.Word); ok && w.Pos().Line() != w.End().Line() && span(int(w.Pos().Line())+1, int(w.End().Line())) {
			// A string or here-document spanning lines: its inner lines
			// are data a known command may run.
			inert = false
		}
		if !touches(n) {
			return true
		}
		switch x := n.(type) {
		case *syntax.CallExpr:
			inert = inertCall(x)
		case *syntax.BinaryCmd:
			inert = x.Op == syntax.AndStmt || x.Op == syntax.OrStmt
		case *syntax.Redirect, *syntax.CmdSubst, *syntax.ProcSubst, *syntax.FuncDecl, *syntax.DeclClause,
			*syntax.LetClause, *syntax.CoprocClause, *syntax.TimeClause, *syntax.ArithmCmd, *syntax.ExtGlob:
			inert = false
		case *syntax.Stmt:
			inert = !x.Background && !x.Coprocess && len(x.Redirs) == 0
		}
		return inert
	})
	return inert
}

// shellHelper reports whether helper is a shell script (not texinfo.tex,
// a Makefile template or a sed script).
func shellHelper(helper string) bool {
	switch {
	case helper == "texinfo.tex" || strings.HasPrefix(helper, "Makefile") || strings.HasSuffix(helper, ".sed") ||
		strings.HasSuffix(helper, ".sin") || strings.HasSuffix(helper, ".header") || helper == "Rules-quot":
		return false
	}
	return true
}

// inertCall reports whether a simple command is inert: assignments only,
// each of a variable no one acts on to a value made only of parameter
// expansions; or an inert builtin with no assignment prefix.
func inertCall(c *syntax.CallExpr) bool {
	if len(c.Args) == 0 {
		for _, a := range c.Assigns {
			if a.Append || a.Naked || a.Index != nil || a.Array != nil || a.Name == nil || actingVar(a.Name.Value) || !onlyExpansions(a.Value) {
				return false
			}
		}
		return true
	}
	if len(c.Assigns) > 0 {
		return false
	}
	name := c.Args[0].Lit()
	return inertBuiltins[name]
}

// actingVar reports whether assigning name changes what the shell, the
// loader or child processes do.
func actingVar(name string) bool {
	return actingVars[name] || strings.HasPrefix(name, "LD_") || strings.HasPrefix(name, "BASH_FUNC_")
}

// onlyExpansions reports whether w (nil for an empty value) is made only
// of parameter expansions, quoted or not, with no literal text.
func onlyExpansions(w *syntax.Word) bool {
	if w == nil {
		return true
	}
	var parts func(ps []syntax.WordPart) bool
	parts = func(ps []syntax.WordPart) bool {
		for _, p := range ps {
			switch x := p.(type) {
			case *syntax.ParamExp:
				if x.Repl != nil || x.Excl || x.Names != 0 || x.Exp != nil && !cutOnly(x.Exp) {
					return false
				}
			case *syntax.DblQuoted:
				if !parts(x.Parts) {
					return false
				}
			default:
				return false
			}
		}
		return true
	}
	return parts(w.Parts)
}

// cutOnly reports whether a ${v#pattern} style expansion only cuts the
// value by a literal pattern: defaults (${v:-text}) and substitutions add
// text.
func cutOnly(e *syntax.Expansion) bool {
	switch e.Op {
	case syntax.RemSmallPrefix, syntax.RemLargePrefix, syntax.RemSmallSuffix, syntax.RemLargeSuffix:
	default:
		return false
	}
	if e.Word == nil {
		return true
	}
	for _, p := range e.Word.Parts {
		if _, ok := p.(*syntax.Lit); !ok {
			return false
		}
	}
	return true
}
