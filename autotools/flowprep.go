package autotools

import (
	"bytes"
	"path"
	"strings"
)

// Script dialects ScanFlows knows how to turn into shell.
const (
	dialectShell = "shell"
	dialectM4    = "m4"
	dialectMake  = "make"
	dialectOther = ""
)

// flowDialect picks how ScanFlows reads a file: m4 (configure.ac, *.m4,
// aclocal.m4), make (Makefile*, *.mk, *.am), shell (configure, *.sh, files
// with a shell shebang, extensionless build-aux scripts) or none (CMake,
// meson, Python, ...: the keyword scan alone).
func flowDialect(p string, content []byte) string {
	base := path.Base(p)
	ext := path.Ext(base)
	switch {
	case base == "configure.ac" || base == "configure.in" || ext == ".m4":
		return dialectM4
	case strings.HasPrefix(base, "Makefile") || base == "GNUmakefile" || ext == ".mk" || ext == ".am" || ext == ".make":
		return dialectMake
	case ext == ".sh" || ext == ".bash" || base == "configure" || base == "config.status" || base == "libtool" ||
		ext == ".sin" || base == "ltmain.sh" || bytes.HasPrefix(content, []byte("#!")) && shellShebang(content):
		return dialectShell
	case ext == "" && !bytes.HasPrefix(content, []byte("#!")):
		return dialectShell
	}
	return dialectOther
}

func shellShebang(content []byte) bool {
	line := content
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	for _, sh := range []string{"/sh", "/bash", "/dash", "/ksh", "/zsh", "env sh", "env bash"} {
		if bytes.Contains(line, []byte(sh)) {
			return true
		}
	}
	return false
}

// m4ToShell turns m4 source into shell text the parser can read, keeping
// every newline so line numbers stay those of the file: dnl comments are
// blanked, macro calls NAME(a, b) become "NAME" followed by one argument per
// line, one level of [ ] quoting is removed around macro arguments (and at top
// level), @<:@ @:>@ quadrigraphs become [ ], and $N inside a name (gl_[$1]_x)
// becomes m4argN so that "gl_[$1]_x=..." stays an assignment.
func m4ToShell(src []byte) []byte {
	src = bytes.ReplaceAll(src, []byte("@<:@"), []byte("["))
	src = bytes.ReplaceAll(src, []byte("@:>@"), []byte("]"))
	src = bytes.ReplaceAll(src, []byte("@S|@"), []byte("$"))
	src = bytes.ReplaceAll(src, []byte("@%:@"), []byte("#"))
	src = m4ArgQuoteRe().ReplaceAll(src, []byte("$$$1"))
	type open struct {
		macro bool
		base  int // quote depth when the call opened
	}
	out := make([]byte, 0, len(src)+len(src)/16)
	var stack []open
	depth := 0
	base := func() int {
		for i := len(stack) - 1; i >= 0; i-- {
			if stack[i].macro {
				return stack[i].base
			}
		}
		return 0
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == 'd' && bytes.HasPrefix(src[i:], []byte("dnl")) && (i == 0 || !isWordByte(src[i-1])) &&
			(i+3 == len(src) || !isWordByte(src[i+3])):
			j := bytes.IndexByte(src[i:], '\n')
			if j < 0 {
				i = len(src)
				continue
			}
			i += j - 1 // the newline is copied next round
		case c == '#' && depth == 0:
			// An m4 comment runs to the end of the line; copy it.
			j := bytes.IndexByte(src[i:], '\n')
			if j < 0 {
				j = len(src) - i
			}
			out = append(out, src[i:i+j]...)
			i += j - 1
		case c == '[':
			depth++
			if depth != base()+1 {
				out = append(out, c)
			}
		case c == ']':
			if depth > 0 {
				if depth != base()+1 {
					out = append(out, c)
				}
				depth--
			}
		case c == '$' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9' && len(out) > 0 && isWordByte(out[len(out)-1]):
			out = append(out, "m4arg"...)
			out = append(out, src[i+1])
			i++
		case c == '(':
			name := trailingMacroName(out)
			isMacro := name != "" && (i+1 >= len(src) || src[i+1] != ')')
			if isMacro && len(stack) < 256 {
				stack = append(stack, open{macro: true, base: depth})
				out = append(out, ' ')
				continue
			}
			stack = append(stack, open{base: depth})
			out = append(out, c)
		case c == ')':
			if n := len(stack); n > 0 && stack[n-1].base == depth {
				top := stack[n-1]
				stack = stack[:n-1]
				if top.macro {
					out = appendSeparator(out)
					continue
				}
			}
			out = append(out, c)
		case c == ',':
			if n := len(stack); n > 0 && stack[n-1].macro && stack[n-1].base == depth {
				out = appendSeparator(out)
				continue
			}
			out = append(out, c)
		default:
			out = append(out, c)
		}
	}
	return out
}

// appendSeparator ends a macro argument with "; " unless the text before it
// already ends a command (a newline, ;, &, |, or a keyword after which a
// separator is a syntax error).
func appendSeparator(out []byte) []byte {
	t := bytes.TrimRight(out, " \t")
	if len(t) == 0 {
		return append(out, ' ')
	}
	switch t[len(t)-1] {
	case '\n', ';', '&', '|', '(', '{':
		return append(out, ' ')
	}
	j := len(t)
	for j > 0 && isWordByte(t[j-1]) {
		j--
	}
	switch string(t[j:]) {
	case "then", "do", "else", "elif", "in", "if", "while", "until":
		return append(out, ' ')
	}
	return append(out, ';', ' ')
}

// m4ArgQuoteRe is a quoted macro argument reference, [$1].
var m4ArgQuoteRe = lazyRegexp(`\[\$([0-9#@*])\]`)

// trailingMacroName returns the m4 macro name ending out: AC_*, AM_*, m4_*,
// gl_*, or any name with an upper-case letter. Lower-case names (awk's
// printf(, shell's func() are not macros.
func trailingMacroName(out []byte) string {
	j := len(out)
	for j > 0 && isWordByte(out[j-1]) {
		j--
	}
	if j == len(out) || (j > 0 && (out[j-1] == '$' || out[j-1] == '{')) {
		return ""
	}
	name := string(out[j:])
	if name[0] >= '0' && name[0] <= '9' {
		return ""
	}
	if strings.HasPrefix(name, "m4_") || strings.HasPrefix(name, "gl_") || strings.HasPrefix(name, "_m4_") {
		return name
	}
	for _, r := range name {
		if r >= 'A' && r <= 'Z' {
			return name
		}
	}
	return ""
}

// makeToShell keeps the recipe lines of a Makefile (those starting with a
// tab) as shell, blanking every other line so line numbers stay: $$ becomes
// $, $(VAR) becomes ${VAR}, and the @ and - recipe prefixes are dropped.
// Backslash continuations of a recipe line are kept.
func makeToShell(src []byte) []byte {
	out := make([]byte, 0, len(src))
	inRecipe := false
	for len(src) > 0 {
		line := src
		rest := []byte(nil)
		if i := bytes.IndexByte(src, '\n'); i >= 0 {
			line, rest = src[:i], src[i+1:]
		}
		cont := inRecipe
		if !cont && len(line) > 0 && line[0] == '\t' {
			cont = true
		}
		if cont {
			out = append(out, makeRecipe(line)...)
		}
		inRecipe = cont && bytes.HasSuffix(bytes.TrimRight(line, "\r"), []byte("\\"))
		if rest != nil || bytes.HasSuffix(src, []byte("\n")) {
			out = append(out, '\n')
		}
		src = rest
	}
	return out
}

func makeRecipe(line []byte) []byte {
	t := bytes.TrimLeft(line, "\t ")
	for len(t) > 0 && (t[0] == '@' || t[0] == '-' || t[0] == '+') {
		t = t[1:]
	}
	var out []byte
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c != '$' || i+1 >= len(t) {
			out = append(out, c)
			continue
		}
		switch n := t[i+1]; {
		case n == '$':
			out = append(out, '$')
			i++
		case n == '(':
			j := i + 2
			for j < len(t) && isWordByte(t[j]) {
				j++
			}
			if j < len(t) && t[j] == ')' && j > i+2 {
				out = append(out, "${"...)
				out = append(out, t[i+2:j]...)
				out = append(out, '}')
				i = j
				continue
			}
			out = append(out, c)
		case n == '@' || n == '<' || n == '^' || n == '?' || n == '*':
			out = append(out, "${make_auto}"...)
			i++
		default:
			out = append(out, c)
		}
	}
	return out
}
