package autotools

import (
	"path"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// shellNames run their -c string, script operand or stdin as shell code.
var shellNames = map[string]bool{"sh": true, "bash": true, "dash": true, "ksh": true, "zsh": true, "ash": true, "mksh": true,
	"busybox": true, "$SHELL": true, "$CONFIG_SHELL": true, "$BASH": true, "$ZSH": true, "$SH": true, "$POSIX_SHELL": true}

// decompressors decode their input with -d/--decompress (in any flag
// order); decoders decode always.
var (
	decompressors = map[string]bool{"xz": true, "lzma": true, "gzip": true, "bzip2": true, "zstd": true, "lz4": true,
		"lzip": true, "brotli": true, "pigz": true, "pixz": true, "lzop": true, "pbzip2": true, "lbzip2": true, "plzip": true,
		"compress": true, "uncompress": true}
	decoders = map[string]bool{"unxz": true, "xzcat": true, "unlzma": true, "lzcat": true, "gunzip": true, "zcat": true,
		"bunzip2": true, "bzcat": true, "unzstd": true, "zstdcat": true, "lz4cat": true, "unlz4": true, "uudecode": true,
		"rev": true, "od": true, "hexdump": true, "hd": true, "unpigz": true, "zmore": true}
	awkNames = map[string]bool{"awk": true, "gawk": true, "mawk": true, "nawk": true, "$AWK": true, "busybox-awk": true}
)

// commandName is the name a word runs: "$SHELL" for a bare variable
// reference, else its known value's base name.
func (a *flowAnalyzer) commandName(w *syntax.Word) string {
	if len(w.Parts) == 1 {
		part := w.Parts[0]
		if dq, ok := part.(*syntax.DblQuoted); ok && len(dq.Parts) == 1 {
			part = dq.Parts[0]
		}
		if pe, ok := part.(*syntax.ParamExp); ok && pe.Param != nil && pe.Exp == nil && pe.Slice == nil && pe.Repl == nil {
			return "$" + pe.Param.Value
		}
	}
	v := a.wordValue(w)
	if strings.HasPrefix(v, "/") {
		v = path.Base(v)
	}
	return v
}

// operands splits args into options and operands; takesArg lists the short
// options that consume the next word.
func operands(words []string, takesArg string) (opts []string, ops []int) {
	for i := 0; i < len(words); i++ {
		w := words[i]
		if w == "--" {
			for j := i + 1; j < len(words); j++ {
				ops = append(ops, j)
			}
			break
		}
		if len(w) > 1 && w[0] == '-' {
			opts = append(opts, w)
			if !strings.HasPrefix(w, "--") && strings.ContainsRune(takesArg, rune(w[len(w)-1])) && i+1 < len(words) {
				opts = append(opts, words[i+1])
				i++
			}
			continue
		}
		ops = append(ops, i)
	}
	return opts, ops
}

func hasShortFlag(opts []string, f byte) bool {
	for _, o := range opts {
		if len(o) > 1 && o[0] == '-' && o[1] != '-' && strings.IndexByte(o[1:], f) >= 0 {
			return true
		}
	}
	return false
}

func hasLongFlag(opts []string, names ...string) bool {
	for _, o := range opts {
		for _, n := range names {
			if o == n || strings.HasPrefix(o, n+"=") {
				return true
			}
		}
	}
	return false
}

// call analyses a simple command; it returns the taint of its stdout.
func (a *flowAnalyzer) call(c *syntax.CallExpr, stdin taint, hdoc *syntax.Word, outFile string) taint {
	line := a.line(c.Pos())
	if len(c.Args) == 0 {
		for _, as := range c.Assigns {
			a.assign(as)
		}
		return taint{}
	}
	for _, as := range c.Assigns {
		if as.Value != nil {
			a.wordTaint(as.Value)
		}
	}
	args := c.Args
	for len(args) > 1 {
		n := a.commandName(args[0])
		if n == "exec" || n == "command" || n == "builtin" || n == "nohup" || n == "time" || n == "nice" || n == "env" || n == "stdbuf" {
			args = args[1:]
			for len(args) > 1 {
				v := a.wordValue(args[0])
				if strings.HasPrefix(v, "-") || (n == "env" && strings.Contains(v, "=")) {
					args = args[1:]
					continue
				}
				break
			}
			continue
		}
		break
	}
	name := a.commandName(args[0])
	words := make([]string, len(args)-1)
	var argT taint
	for i, w := range args[1:] {
		words[i] = a.wordValue(w)
		argT = argT.union(a.wordTaint(w))
	}
	argC := argT.content()
	fileArgs := func(ops []int, how string) taint {
		var t taint
		for _, i := range ops {
			t = t.union(a.fileTaint(args[1+i], how, line))
		}
		return t
	}
	switch {
	case name == "eval":
		a.report(argC, "eval", line)
		for _, w := range args[1:] {
			a.notePending(w)
		}
		code := strings.Join(words, " ")
		var defs []int
		for _, w := range args[1:] {
			if v := a.simpleVar(w); v != nil && v.line > 0 && v.line != line {
				defs = append(defs, v.line)
			}
		}
		return a.evalCodeFrom(code, stdin, line, defs).union(argC)
	case shellNames[name] || shellNames[path.Base(name)]:
		for i := 0; i < len(words); i++ {
			w := words[i]
			if w == "-c" || (len(w) > 1 && w[0] == '-' && w[1] != '-' && strings.HasSuffix(w, "c")) {
				if i+1 < len(words) {
					t := a.wordTaint(args[i+2]).content()
					a.report(t, name+" -c", line)
					return a.evalCode(words[i+1], stdin, line, true)
				}
				return taint{}
			}
			if strings.HasPrefix(w, "-") || strings.HasPrefix(w, "+") {
				continue
			}
			// A script operand.
			a.report(a.fileTaint(args[i+1], "run by "+name, line), name+" FILE", line)
			return taint{}
		}
		if hdoc != nil {
			a.evalCode(a.wordValue(hdoc), taint{}, a.line(hdoc.Pos()), false)
		}
		a.report(stdin, "| "+name, line)
		return taint{}
	case name == "." || name == "source":
		if len(args) > 1 {
			a.report(a.fileTaint(args[1], "sourced", line), ". FILE", line)
		}
		return taint{}
	case name == "xargs":
		_, ops := operands(words, "EeIiLlnPsd")
		if len(ops) > 0 {
			if n := path.Base(words[ops[0]]); shellNames[n] || n == "eval" {
				a.report(stdin, "xargs "+n, line)
			}
		}
		return taint{}
	case awkNames[name]:
		return a.awk(args, words, stdin, line)
	case strings.HasPrefix(name, "perl") || name == "$PERL":
		return a.interp(args, words, stdin, line, "perl", "e", "E", perlSinks, perlDecoders)
	case strings.HasPrefix(name, "python") || name == "$PYTHON":
		return a.interp(args, words, stdin, line, "python", "c", "", pythonSinks, pythonDecoders)
	case name == "read":
		_, ops := operands(words, "dnNptu")
		for _, i := range ops {
			a.setVar(words[i], stdin, "", line)
		}
		return taint{}
	case name == "export" || name == "local" || name == "readonly" || name == "declare" || name == "typeset":
		return taint{}
	}
	if ft, ok := a.funcs[name]; ok {
		out := ft.union(stdin)
		if ft.strong {
			// A function that decodes: what it is given to read is
			// its source (dec tests/files/p.xz | sh).
			for i := range words {
				out = out.union(a.fileTaint(args[1+i], name, line))
			}
		}
		return out
	}
	base := path.Base(name)
	opts, ops := operands(words, "")
	in := stdin
	switch {
	case decoders[base]:
		in = in.union(fileArgs(ops, base)).withTransform(base, true, line)
	case decompressors[base]:
		in = in.union(fileArgs(ops, base))
		if hasShortFlag(opts, 'd') || hasLongFlag(opts, "--decompress", "--uncompress", "--stdout") && hasShortFlag(opts, 'd') ||
			hasLongFlag(opts, "--decompress", "--uncompress") || base == "uncompress" {
			in = in.withTransform(base+" -d", true, line)
		} else {
			in = in.withTransform(base, false, line)
		}
	case base == "base64" || base == "base32" || base == "basenc":
		in = in.union(fileArgs(ops, base))
		if hasShortFlag(opts, 'd') || hasShortFlag(opts, 'D') || hasLongFlag(opts, "--decode") {
			in = in.withTransform(base+" -d", true, line)
		}
	case base == "openssl":
		opts, _ := operands(words, "")
		for i, w := range words {
			if (w == "-in") && i+1 < len(words) {
				in = in.union(a.fileTaint(args[i+2], "openssl", line))
			}
		}
		if hasShortFlag(opts, 'd') || hasLongFlag(opts, "-d", "-base64", "-a") && len(words) > 0 && words[0] != "dgst" {
			in = in.withTransform("openssl "+firstOr(words, "")+" -d", true, line)
		}
	case base == "xxd":
		in = in.union(fileArgs(ops, base))
		in = in.withTransform("xxd", hasShortFlag(opts, 'r') || hasLongFlag(opts, "-revert"), line)
	case base == "dd":
		strong := false
		for i, w := range words {
			switch {
			case strings.HasPrefix(w, "if="):
				in = in.union(a.fileTaint(literalWord(args[i+1], 3), "dd", line))
			case strings.HasPrefix(w, "conv=") && strings.Contains(w, "swab"):
				strong = true
			}
		}
		in = in.withTransform("dd "+strings.Join(ddOperands(words), " "), strong, line)
	case base == "printf" || base == "echo" || base == "$as_echo" || base == "$ECHO":
		in = in.union(argC)
		if len(args) > 1 {
			fmtWord := args[1]
			if base == "echo" && len(args) > 2 && strings.HasPrefix(words[0], "-") {
				fmtWord = args[2]
			}
			if a.escapeCount(fmtWord) >= 3 || escapeBuilt(fmtWord) || (base == "printf" && strings.Contains(words[0], "%b") && !argC.empty()) {
				in.srcs = addCapped(in.srcs, "printf escapes")
				in = in.withTransform(base+" escapes", true, line)
			}
		}
	case base == "tr":
		text := "tr " + strings.Join(quoteAll(words), " ")
		switch {
		case matchTrSwap(text):
			in = in.withTransform("tr (swapped sets)", true, line)
		case trByteRange(words):
			in = in.withTransform("tr (byte ranges)", true, line)
		default:
			in = in.withTransform("tr", false, line)
		}
	case base == "sed" || base == "$SED":
		script, files := sedScript(words)
		in = in.union(fileArgs(files, "sed"))
		if sedTransliterates(script) {
			in = in.withTransform("sed y///", false, line)
		} else if !in.empty() {
			in = in.withTransform("sed", false, line)
		}
	case base == "grep" || base == "egrep" || base == "fgrep" || base == "$GREP" || base == "$EGREP" || base == "$FGREP":
		return a.grep(args, words, in, line)
	case base == "find":
		return a.find(words, line)
	case base == "ls":
		for _, i := range ops {
			if sel := a.globSelector(args[1+i], line); sel >= 0 {
				in = in.union(taint{sel: true, selectors: []int{sel}, srcs: []string{"files matching " + a.selectors[sel].Pattern}, lines: []int{line}})
			}
		}
	case base == "cat" || base == "tac" || base == "strings" || base == "nl" || base == "paste" || base == "iconv":
		in = in.union(fileArgs(ops, base))
	case base == "head" || base == "tail":
		opts, ops := operands(words, "cn")
		in = in.union(fileArgs(ops, base))
		if hasShortFlag(opts, 'c') || hasLongFlag(opts, "--bytes") {
			in = in.withTransform(base+" -c", false, line)
		}
	case base == "cut" || base == "fold" || base == "expr" || base == "sort" || base == "uniq" || base == "$EXPR":
		if !in.empty() || !argC.empty() {
			in = in.union(argC).withTransform(base, false, line)
		}
	case strings.HasPrefix(name, "$") && !strings.ContainsAny(name, " \t"):
		// A command named by a variable: run its known value as code;
		// a decoder chosen at run time ($prefix -d) is a decoder.
		if v := a.vars[name[1:]]; v != nil && v.known && strings.TrimSpace(v.value) != "" {
			a.report(v.t.content(), "command named by "+name, line)
			code := v.value + " " + strings.Join(quoteAll(words), " ")
			return a.evalCodeFrom(code, in.union(argC), line, []int{v.line})
		}
		if v := a.vars[name[1:]]; v != nil {
			a.report(v.t.content(), "command named by "+name, line)
		}
		a.notePending(args[0])
		if (hasShortFlag(opts, 'd') || hasLongFlag(opts, "--decompress", "--decode")) && !in.empty() {
			in = in.withTransform(name+" -d (decoder named at run time)", true, line)
		}
		in = in.union(argC)
	default:
		in = in.union(argC)
	}
	return in
}

func firstOr(words []string, def string) string {
	if len(words) > 0 {
		return words[0]
	}
	return def
}

// simpleVar returns the variable a word is a bare reference to, or nil.
func (a *flowAnalyzer) simpleVar(w *syntax.Word) *flowVar {
	name := a.commandName(w)
	if strings.HasPrefix(name, "$") {
		return a.vars[name[1:]]
	}
	return nil
}

// literalWord returns a word for the text of w after its first n bytes (the
// "if=" of a dd operand), keeping its parts.
func literalWord(w *syntax.Word, n int) *syntax.Word {
	if len(w.Parts) == 0 {
		return w
	}
	if l, ok := w.Parts[0].(*syntax.Lit); ok && len(l.Value) >= n {
		parts := append([]syntax.WordPart{&syntax.Lit{ValuePos: l.ValuePos, ValueEnd: l.ValueEnd, Value: l.Value[n:]}}, w.Parts[1:]...)
		return &syntax.Word{Parts: parts}
	}
	return w
}

func ddOperands(words []string) []string {
	var out []string
	for _, w := range words {
		if strings.HasPrefix(w, "skip=") || strings.HasPrefix(w, "iseek=") || strings.HasPrefix(w, "conv=") || strings.HasPrefix(w, "count=") || strings.HasPrefix(w, "bs=") || strings.HasPrefix(w, "ibs=") {
			out = append(out, w)
		}
	}
	return out
}

// escapeBuilt reports a printf format that assembles an escape at run time:
// a backslash followed by an expansion ("\\$(printf %o $n)").
func escapeBuilt(w *syntax.Word) bool {
	var lit strings.Builder
	found := false
	var walk func(parts []syntax.WordPart)
	walk = func(parts []syntax.WordPart) {
		for _, p := range parts {
			switch x := p.(type) {
			case *syntax.Lit:
				lit.WriteString(x.Value)
			case *syntax.SglQuoted:
				lit.WriteString(x.Value)
			case *syntax.DblQuoted:
				walk(x.Parts)
			default:
				if strings.HasSuffix(lit.String(), `\`) {
					found = true
				}
				lit.Reset()
			}
		}
	}
	walk(w.Parts)
	return found
}

func quoteAll(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
	}
	return out
}

// trByteRange reports tr sets spelled as octal byte ranges ('\000-\377'),
// a rotation cipher over all bytes.
func trByteRange(words []string) bool {
	n := 0
	for _, w := range words {
		if strings.Contains(w, `\`) && strings.Contains(w, "-") {
			if strings.Count(w, `\0`)+strings.Count(w, `\1`)+strings.Count(w, `\2`)+strings.Count(w, `\3`) >= 1 {
				n++
			}
		}
	}
	return n >= 2
}

// sedScript returns a sed invocation's script and the indexes of its file
// operands.
func sedScript(words []string) (string, []int) {
	var script []string
	var files []int
	explicit := false
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case w == "-e" || w == "--expression":
			if i+1 < len(words) {
				script = append(script, words[i+1])
				explicit = true
				i++
			}
		case w == "-f":
			i++
			explicit = true
		case strings.HasPrefix(w, "-") && len(w) > 1:
		case !explicit && len(script) == 0:
			script = append(script, w)
		default:
			files = append(files, i)
		}
	}
	return strings.Join(script, "\n"), files
}

// sedTransliterates reports a sed y command (y/abc/xyz/).
func sedTransliterates(script string) bool {
	for _, cmd := range strings.FieldsFunc(script, func(r rune) bool { return r == ';' || r == '\n' }) {
		cmd = strings.TrimLeft(cmd, " \t0123456789,$/!{")
		if len(cmd) > 2 && cmd[0] == 'y' && !isWordByte(cmd[1]) && cmd[1] != ' ' {
			return true
		}
	}
	return false
}

var (
	perlSinks      = []string{"system", "exec", "eval", "`", "qx", "open"}
	perlDecoders   = []string{"unpack", "pack", "decode_base64", "uncompress", "Compress::", "IO::Uncompress", "chr(", "hex(", "oct(", "tr/", "y/"}
	pythonSinks    = []string{"exec(", "os.system", "subprocess", "eval(", "os.popen", "pty.spawn"}
	pythonDecoders = []string{"base64", "zlib", "lzma", "bz2", "gzip", "fromhex", "codecs", "decode(", "chr(", "bytes(", "struct", "unhexlify", "[::-1]", "translate("}
)

// interp handles perl and python: a program word that is decoded data is
// run (sink); a program that runs its input (system, exec) is a sink for
// stdin and file operands; decoding functions make it a decoder.
func (a *flowAnalyzer) interp(args []*syntax.Word, words []string, stdin taint, line int, lang, progFlag, progFlag2 string, sinks, decs []string) taint {
	progIdx := -1
	var files []int
	for i := 0; i < len(words); i++ {
		w := words[i]
		if progIdx < 0 && (w == "-"+progFlag || (progFlag2 != "" && w == "-"+progFlag2) ||
			(len(w) > 1 && w[0] == '-' && w[1] != '-' && strings.HasSuffix(w, progFlag))) && i+1 < len(words) {
			progIdx = i + 1
			i++
			continue
		}
		if strings.HasPrefix(w, "-") {
			continue
		}
		if progIdx < 0 {
			// A script file: its own code, not data.
			progIdx = -2
			continue
		}
		files = append(files, i)
	}
	in := stdin
	for _, i := range files {
		in = in.union(a.fileTaint(args[1+i], lang, line))
	}
	if progIdx < 0 {
		return in
	}
	prog := words[progIdx]
	progT := a.wordTaint(args[1+progIdx]).content()
	a.report(progT, lang+" -"+progFlag+" (decoded program)", line)
	for _, s := range sinks {
		if strings.Contains(prog, s) {
			a.report(in, lang+" "+strings.Trim(s, "(")+"()", line)
			break
		}
	}
	strong := false
	for _, d := range decs {
		if strings.Contains(prog, d) {
			strong = true
			break
		}
	}
	return in.union(progT).withTransform(lang+" -"+progFlag, strong, line)
}

// awk handles awk: system(), print | "cmd" and cmd | getline run code.
func (a *flowAnalyzer) awk(args []*syntax.Word, words []string, stdin taint, line int) taint {
	progIdx := -1
	var files []int
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case w == "-F" || w == "-v" || w == "-f":
			if w == "-f" {
				progIdx = -2
			}
			i++
		case strings.HasPrefix(w, "-") && len(w) > 1:
		case progIdx == -1:
			progIdx = i
		default:
			if !strings.Contains(w, "=") {
				files = append(files, i)
			}
		}
	}
	in := stdin
	for _, i := range files {
		in = in.union(a.fileTaint(args[1+i], "awk", line))
	}
	if progIdx >= 0 {
		prog := words[progIdx]
		progT := a.wordTaint(args[1+progIdx]).content()
		a.report(progT, "awk (decoded program)", line)
		if strings.Contains(prog, "system(") || strings.Contains(prog, "system (") || awkPipesToCommand(prog) {
			a.report(in, "awk system()", line)
		}
		in = in.union(progT)
	}
	if in.empty() {
		return in
	}
	return in.withTransform("awk", false, line)
}

// awkPipesToCommand reports print | "cmd" or "cmd" | getline in an awk
// program, where cmd is a shell or a variable.
func awkPipesToCommand(prog string) bool {
	for _, s := range []string{`| "sh"`, `|"sh"`, `| "/bin/sh"`, `|"/bin/sh"`, `| "bash"`, `| sh`, `|sh`, `| cmd`} {
		if strings.Contains(prog, s) {
			return true
		}
	}
	return false
}
