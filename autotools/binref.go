package autotools

import (
	"bytes"
	"path"
	"strings"

	"github.com/tarcheck/tarcheck/internal/limits"
)

// maxRefTokens caps the path-like tokens checked per script.
const maxRefTokens = limits.AutotoolsMaxRefTokens

// maxCommandContext caps how far before a file argument runsAsCode looks
// for the command that reads it.
const maxCommandContext = limits.AutotoolsMaxCommandContext

// binaryRefs finds path-like tokens in the tarball side of a build script that
// name binary data files (or directories holding them) according to the
// context. Alone the signal is medium for scripts and info for Makefiles
// (which list test data for distribution); with another high signal it makes
// the result critical. A line that runs such a file as shell code, or (outside
// Makefiles) decodes, carves or tr-translates it, makes the signal high, and
// with the reference itself the result critical: a build script reading binary
// test data.
func (c *classification) binaryRefs() (Signal, bool) {
	ctx := c.ctx
	if ctx.IsBinaryInGit == nil && ctx.IsBinaryInTarball == nil && len(ctx.BinaryPaths) == 0 {
		return Signal{}, false
	}
	dirs, ancestors := binaryDirs(ctx.BinaryPaths)
	// isBin returns "" when p is not binary data, else a description.
	isBin := func(p string, rooted bool) string {
		if p == "" || p == c.in.Path {
			return ""
		}
		if ctx.IsBinaryInGit != nil && ctx.IsBinaryInGit(p) {
			return p + " (binary data in git)"
		}
		if ctx.IsBinaryInTarball != nil && ctx.IsBinaryInTarball(p) {
			return p + " (binary data in the tarball)"
		}
		if ex, ok := dirs[p]; ok {
			return p + "/ (holds binary data, e.g. " + ex + ")"
		}
		if ex, ok := ancestors[p]; ok && rooted {
			return p + "/ (holds binary data, e.g. " + ex + ")"
		}
		return ""
	}
	makefile := c.base == "Makefile.in" || c.base == "Makefile.am" || c.ext == ".mk" || c.base == "Makefile" || c.base == "GNUmakefile" || c.base == "CMakeLists.txt" || c.base == "meson.build"
	scriptDir := path.Dir(c.in.Path)
	seen := map[string]bool{}
	var ev, readEv []string
	n := 0
	forEachLogicalLine(c.in.Tarball, func(ln int, line []byte) {
		if (len(ev) >= maxEvidence && len(readEv) >= maxEvidence) || n >= maxRefTokens || bytes.IndexByte(line, '/') < 0 || isRefComment(line) {
			return
		}
		for _, tok := range pathTokens(line) {
			n++
			cand, rooted := normaliseRef(tok)
			hit := isBin(cand, rooted)
			if hit == "" && scriptDir != "." && !rooted {
				hit = isBin(path.Join(scriptDir, cand), false)
			}
			if hit == "" {
				continue
			}
			// Reading binary data as code, or through a decoder, carver or
			// tr, is what the xz backdoor did; a Makefile may decode its
			// test data in a check rule, but never run it as a script.
			if seen["read\x00"+hit] && seen[hit] {
				continue // nothing new to learn from this reference
			}
			code := stripShellComment(line)
			how := ""
			if bytes.Contains(code, []byte(tok)) {
				how = runsAsCode(code, tok)
				if how == "" && !makefile {
					how = decodesOnLine(code)
				}
			}
			if how != "" && !seen["read\x00"+hit] {
				seen["read\x00"+hit] = true
				readEv = appendEvidence(readEv, ln, how+" "+hit+": "+string(line))
			}
			if !seen[hit] {
				seen[hit] = true
				ev = appendEvidence(ev, ln, "references "+hit+": "+string(line))
			}
		}
	})
	if len(readEv) > 0 {
		return Signal{Rule: RuleBinaryReference, Severity: SevHigh, Evidence: readEv,
			Message: "build script decodes or runs binary data files"}, true
	}
	if len(ev) == 0 {
		return Signal{}, false
	}
	sev := SevMedium
	if makefile {
		sev = SevInfo
	}
	return Signal{Rule: RuleBinaryReference, Severity: sev, Evidence: ev,
		Message: "build script references binary data files"}, true
}

// codeRunners are commands that run their file argument as shell code.
var codeRunners = map[string]bool{".": true, "source": true, "sh": true, "bash": true, "dash": true, "ksh": true, "zsh": true,
	"/bin/sh": true, "/bin/bash": true, "$SHELL": true, "${SHELL}": true, "$(SHELL)": true, "$CONFIG_SHELL": true,
	"${CONFIG_SHELL}": true, "eval": true, "exec": true}

// runsAsCode reports how line runs the file named by tok as shell code
// ("sources", "runs"), or "" when it does not: the word before the token
// (skipping an input redirection) is a shell or the "." builtin.
func runsAsCode(line []byte, tok string) string {
	i := bytes.Index(line, []byte(tok))
	if i < 0 {
		return ""
	}
	// The command before a file argument is near it: look at most
	// maxCommandContext bytes back, so long lines cost linear time.
	words := commandWords(line[max(0, i-maxCommandContext):i])
	if len(words) > 0 && words[len(words)-1] == "<" {
		words = words[:len(words)-1]
	}
	for len(words) > 1 && strings.HasPrefix(words[len(words)-1], "-") {
		words = words[:len(words)-1] // options of the shell: sh -e FILE
	}
	if len(words) == 0 || !codeRunners[words[len(words)-1]] {
		return ""
	}
	if w := words[len(words)-1]; w == "." || w == "source" {
		return "sources"
	}
	return "runs"
}

// decodesOnLine reports how a line that names binary data decodes or
// carves it ("decodes", "carves", "translates with tr"), or "".
func decodesOnLine(line []byte) string {
	l := string(line)
	switch {
	case anyWindow(l, decoderRe().MatchString):
		return "decodes"
	case anyWindow(l, carveRe().MatchString):
		return "carves"
	case anyWindow(l, trRe().MatchString):
		return "translates with tr"
	}
	return ""
}

// binaryDirs returns the directories that directly hold a binary path, and
// all their ancestors (which count only for references rooted at the
// source directory, like "$srcdir/tests").
// Each maps a directory to one binary file below it, for evidence.
func binaryDirs(paths []string) (dirs, ancestors map[string]string) {
	if len(paths) == 0 {
		return nil, nil
	}
	dirs, ancestors = map[string]string{}, map[string]string{}
	for _, p := range paths {
		if docBinaryExts[strings.ToLower(path.Ext(p))] {
			// po/ holds .gmo catalogs, doc/ holds PDFs: naming such a
			// directory is routine. A direct reference still counts.
			continue
		}
		d := path.Dir(p)
		if d == "." || d == "/" {
			continue
		}
		if _, ok := dirs[d]; !ok {
			dirs[d] = p
		}
		for a := path.Dir(d); a != "." && a != "/"; a = path.Dir(a) {
			if _, ok := ancestors[a]; ok {
				break
			}
			ancestors[a] = p
		}
	}
	return dirs, ancestors
}

// docBinaryExts are binary files that are documentation or translations;
// they do not make their directory a binary-data directory.
var docBinaryExts = map[string]bool{".gmo": true, ".mo": true, ".pdf": true, ".png": true, ".jpg": true, ".jpeg": true,
	".gif": true, ".ico": true, ".icns": true, ".bmp": true, ".svgz": true, ".webp": true, ".ps": true, ".dvi": true,
	".epub": true, ".woff": true, ".woff2": true, ".ttf": true, ".otf": true, ".chm": true}

// isRefComment reports a whole-line comment (# or dnl): it cannot read a file.
func isRefComment(line []byte) bool {
	t := bytes.TrimLeft(line, " \t")
	return len(t) > 0 && t[0] == '#' || bytes.HasPrefix(t, []byte("dnl ")) || bytes.HasPrefix(t, []byte("dnl\t")) || bytes.Equal(t, []byte("dnl"))
}

// pathTokens splits a line into tokens made of path characters that contain
// a slash, e.g. "$srcdir/tests/files/x.xz".
func pathTokens(line []byte) []string {
	var out []string
	start := -1
	for i := 0; i <= len(line); i++ {
		if i < len(line) && pathChar[line[i]] {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			if tok := line[start:i]; len(tok) > 2 && len(tok) < 512 && bytes.IndexByte(tok, '/') >= 0 {
				out = append(out, string(tok))
			}
			start = -1
		}
	}
	return out
}

var pathChar = func() [256]bool {
	var t [256]bool
	for _, c := range []byte("/._-+@${}()") {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	return t
}()

var refPrefixes = []string{"$srcdir/", "${srcdir}/", "$(srcdir)/", "$top_srcdir/", "${top_srcdir}/", "$(top_srcdir)/", "@srcdir@/", "@top_srcdir@/", "$ac_srcdir/", "$ac_top_srcdir/", "${CMAKE_CURRENT_SOURCE_DIR}/", "${CMAKE_SOURCE_DIR}/", "./"}

// normaliseRef strips source-directory prefixes and parentheses from a
// token; rooted reports that a source-directory prefix was present.
func normaliseRef(tok string) (ref string, rooted bool) {
	tok = strings.Trim(tok, "()")
	for changed := true; changed; {
		changed = false
		for _, p := range refPrefixes {
			if strings.HasPrefix(tok, p) {
				tok = tok[len(p):]
				changed = true
				rooted = rooted || p != "./"
			}
		}
	}
	return strings.TrimSuffix(path.Clean("/" + tok)[1:], "/"), rooted
}

// commandWords splits b into words at blanks, quotes and the shell
// separators ; & | ` and "(" (but keeps "$(" and "${" references whole), so
// the command before a file argument can be looked at.
func commandWords(b []byte) []string {
	var words []string
	start := -1
	flush := func(i int) {
		if start >= 0 {
			words = append(words, string(b[start:i]))
			start = -1
		}
	}
	for i, c := range b {
		sep := c == ' ' || c == '\t' || c == '"' || c == '\'' || c == ';' || c == '&' || c == '|' || c == '`' ||
			(c == '(' && (i == 0 || b[i-1] != '$'))
		if sep {
			flush(i)
			if c == ';' || c == '&' || c == '|' || c == '`' || c == '(' {
				words = append(words, string(c))
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	flush(len(b))
	return words
}

// stripShellComment returns line without a trailing shell comment: a "#"
// at the start of a word, outside quotes. "$#" and "${#x}" are not comments.
func stripShellComment(line []byte) []byte {
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '\\':
			i++
		case c == '"' || c == '\'':
			quote = c
		case c == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t' || line[i-1] == ';'):
			return line[:i]
		}
	}
	return line
}
