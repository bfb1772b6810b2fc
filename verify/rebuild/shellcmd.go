package rebuild

import (
	"slices"
	"strings"
)

// shCmd is one command a piece of shell code (a Makefile recipe, a
// variable's value) runs.
type shCmd struct {
	// key names the command: a literal word ("gzip", "$(top_srcdir)/missing"),
	// a shell run on a string ("sh -c"), output piped into a shell ("|sh"),
	// or "" when the command is only make variables (vars).
	key string
	// vars are the make variables the command word consists of
	// ("$(AM_V_CC)$(COMPILE)": AM_V_CC, COMPILE); they must all be known.
	vars []string
	// off is the command word's byte offset in the text given to shellCommands.
	off int
}

// makeRefByte and shellDollarByte replace, byte for byte, a make variable
// reference and the first "$" of "$$" in the text the lexer reads, so that
// offsets still point into the original text.
const (
	makeRefByte     = '\x01'
	shellDollarByte = '\x02'
)

// makeRef is one $(NAME ...) / ${NAME} / $@ reference of make.
type makeRef struct {
	start, end int
	name       string // "MKDIR_P", "shell" for $(shell ...), "@" for $@
	function   bool   // $(shell ...), $(eval ...), $(call ...): a make function
}

// makeFunctionsRunning are make functions that run a command or make code.
var makeFunctionsRunning = map[string]bool{"shell": true, "eval": true}

// maskMake returns text with every make reference replaced by makeRefByte
// bytes and every "$$" by shellDollarByte + "$", and the references.
func maskMake(text string) (string, []makeRef) {
	b := []byte(text)
	var refs []makeRef
	for i := 0; i < len(b); i++ {
		if b[i] != '$' || i+1 >= len(b) {
			continue
		}
		switch c := b[i+1]; {
		case c == '$':
			b[i] = shellDollarByte
			i++
		case c == '(' || c == '{':
			end := matchClose(text, i+1)
			inner := text[i+2 : max(i+2, end-1)]
			name := inner
			if k := strings.IndexAny(inner, " \t:"); k >= 0 {
				name = inner[:k]
			}
			fn := strings.ContainsAny(inner, " \t") && !strings.ContainsAny(name, ":=")
			refs = append(refs, makeRef{start: i, end: end, name: name, function: fn})
			for k := i; k < end; k++ {
				b[k] = makeRefByte
			}
			i = end - 1
		case strings.IndexByte("@<*^?%+|", c) >= 0 || isNameByte(c):
			refs = append(refs, makeRef{start: i, end: i + 2, name: string(c)})
			b[i], b[i+1] = makeRefByte, makeRefByte
			i++
		}
	}
	return string(b), refs
}

// matchClose returns the index after the parenthesis or brace closing the
// one at open (nested ones counted), or len(s) when unclosed.
func matchClose(s string, open int) int {
	o := s[open]
	c := byte(')')
	if o == '{' {
		c = '}'
	}
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case o:
			depth++
		case c:
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return len(s)
}

func isNameByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// shellSegment is one simple command's text in the masked string.
type shellSegment struct {
	start, end int
	afterPipe  bool // its output comes from a pipe: "x | sh"
	pattern    bool // a case pattern ("*.c)"), not a command
	inSubst    bool // inside a command substitution (` ` or $( ))
}

// segments cuts masked shell text into simple commands: at ; & | && || and
// newlines, around ( ) { }, and into command substitutions (backquotes and
// $(...), also inside double quotes). Single-quoted text is never cut.
func segments(m string) []shellSegment {
	type level struct {
		backquote, dq, subst bool
	}
	stack := []level{{}}
	var out []shellSegment
	start, afterPipe, inSubst := 0, false, false
	cut := func(end, next int, pipe, pattern bool) {
		out = append(out, shellSegment{start: start, end: end, afterPipe: afterPipe, pattern: pattern, inSubst: inSubst})
		start, afterPipe = next, pipe
		inSubst = slices.ContainsFunc(stack, func(l level) bool { return l.subst })
	}
	for i := 0; i < len(m); i++ {
		top := &stack[len(stack)-1]
		c := m[i]
		switch {
		case c == '\\':
			i++
		case c == '\'' && !top.dq:
			if k := strings.IndexByte(m[i+1:], '\''); k >= 0 {
				i += k + 1
			} else {
				i = len(m)
			}
		case c == '"':
			top.dq = !top.dq
		case c == '`':
			if top.backquote {
				stack = stack[:len(stack)-1]
			} else {
				stack = append(stack, level{backquote: true, subst: true})
			}
			cut(i, i+1, false, false)
		case c == '$' && i+1 < len(m) && m[i+1] == '(':
			stack = append(stack, level{subst: true})
			cut(i, i+2, false, false)
			i++
		case top.dq:
		case c == ')':
			pattern := len(stack) == 1
			if len(stack) > 1 && !stack[len(stack)-1].backquote {
				stack = stack[:len(stack)-1]
			}
			cut(i, i+1, false, pattern)
		case c == '(':
			stack = append(stack, level{})
			cut(i, i+1, false, false)
		case c == '|' && i+1 < len(m) && m[i+1] == '|', c == '&' && i+1 < len(m) && m[i+1] == '&':
			cut(i, i+2, false, false)
			i++
		case c == '|':
			cut(i, i+1, true, false)
		case c == ';' || c == '&' || c == '\n':
			cut(i, i+1, false, false)
		}
	}
	cut(len(m), len(m), false, false)
	return out
}

// shellWord is a word of a simple command with its offset.
type shellWord struct {
	text string
	off  int
}

// words splits a segment into words at blanks outside quotes.
func words(m string, seg shellSegment) []shellWord {
	var out []shellWord
	s := m[seg.start:seg.end]
	i := 0
	for i < len(s) {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\\' && i+1 < len(s) && s[i+1] == '\n') {
			if s[i] == '\\' {
				i++
			}
			i++
		}
		if i >= len(s) {
			break
		}
		j := i
		var q byte
		for j < len(s) {
			c := s[j]
			if q != 0 {
				if c == q {
					q = 0
				} else if c == '\\' && q == '"' {
					j++
				}
			} else if c == '\'' || c == '"' {
				q = c
			} else if c == '\\' {
				j++
			} else if c == ' ' || c == '\t' || c == '\n' {
				break
			}
			j++
		}
		j = min(j, len(s))
		out = append(out, shellWord{s[i:j], seg.start + i})
		i = j
	}
	return out
}

// assignmentWordRE is a shell assignment word (NAME=value).
var assignmentWordRE = lazyRegexp(`^[A-Za-z_][A-Za-z0-9_]*\+?=`)

// Reserved words before a command, and the ones after which no command
// follows (a loop variable, a case subject).
var (
	keywordsBefore = map[string]bool{"if": true, "then": true, "else": true, "elif": true, "fi": true, "while": true,
		"until": true, "do": true, "done": true, "!": true, "{": true, "}": true, "time": true, "esac": true, ";;": true}
	keywordsNoCommand = map[string]bool{"case": true, "for": true, "select": true, "in": true, "function": true}
	// wrappers run their first argument as the command.
	wrappers = map[string]bool{"exec": true, "command": true, "builtin": true, "nohup": true, "env": true, "nice": true}
	// shells run a string given with -c.
	shells = map[string]bool{"sh": true, "bash": true, "dash": true, "ksh": true, "zsh": true,
		"/bin/sh": true, "/bin/bash": true, "/bin/dash": true, "/usr/bin/env": true, "$(SHELL)": true, "${SHELL}": true,
		"$(CONFIG_SHELL)": true, "$SHELL": true, "$CONFIG_SHELL": true, "${CONFIG_SHELL}": true, "eval": true}
)

// shellCommands returns the commands masked shell text runs (see maskMake:
// orig is the unmasked text, refs its make references). With argsOnly the
// text is a value in argument position (a make variable used as a list of
// words): only command substitutions in it run something.
func shellCommands(orig, m string, refs []makeRef, argsOnly bool) []shCmd {
	var out []shCmd
	segs := segments(m)
	for _, seg := range segs {
		if seg.pattern {
			continue
		}
		if argsOnly && !seg.inSubst {
			continue
		}
		ws := words(m, seg)
		k := 0
		for k < len(ws) && (keywordsBefore[ws[k].text] || assignmentWordRE().MatchString(strings.TrimLeft(ws[k].text, string(shellDollarByte)))) {
			k++
		}
		if k >= len(ws) || keywordsNoCommand[ws[k].text] {
			continue
		}
		for k+1 < len(ws) && wrappers[ws[k].text] {
			k++
			for k+1 < len(ws) && (strings.HasPrefix(ws[k].text, "-") || assignmentWordRE().MatchString(ws[k].text) || isNumber(ws[k].text)) {
				k++
			}
		}
		w := ws[k]
		word := orig[w.off : w.off+len(w.text)]
		if word == "eval" {
			// eval runs its arguments: a literal command is judged as
			// that command, anything else (quoted, computed) as eval.
			j := k + 1
			for j < len(ws) && assignmentWordRE().MatchString(ws[j].text) {
				j++
			}
			if j < len(ws) && shellNameRE().MatchString(ws[j].text) {
				w, word = ws[j], ws[j].text
			}
		}
		c := shCmd{off: w.off}
		var lit strings.Builder
		for i := 0; i < len(w.text); i++ {
			switch w.text[i] {
			case makeRefByte:
				for _, r := range refs {
					if r.start == w.off+i {
						c.vars = append(c.vars, r.name)
						i += r.end - r.start - 1
						break
					}
				}
			case '"', '\'', shellDollarByte:
			default:
				lit.WriteByte(w.text[i])
			}
		}
		if lit.Len() > 0 || len(c.vars) == 0 {
			c.key = strings.Trim(strings.ReplaceAll(word, "$$", "$"), `"'`)
			c.vars = nil
		}
		if c.key == "" && c.vars == nil || strings.ContainsAny(c.key, "*?[]=<>") {
			continue
		}
		out = append(out, c)
		shell := strings.ReplaceAll(word, "$$", "$")
		if shells[shell] {
			if seg.afterPipe {
				out = append(out, shCmd{key: "|" + shell, off: w.off})
			}
			for _, a := range ws[k+1:] {
				if strings.HasPrefix(a.text, "-") && !strings.HasPrefix(a.text, "--") && strings.Contains(a.text, "c") {
					out = append(out, shCmd{key: shell + " -c", off: w.off})
					break
				}
			}
		}
	}
	return out
}

// shellNameRE is a literal command name.
var shellNameRE = lazyRegexp(`^[A-Za-z_][A-Za-z0-9_.+/-]*$`)

func isNumber(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}
