package autotools

import (
	"bytes"
	"path"
	"strings"
)

// maxRefTokens caps the path-like tokens checked per script.
const maxRefTokens = 20000

// binaryRefs finds path-like tokens in the tarball side of a build script that
// name binary data files (or directories holding them) according to the
// context. Alone the signal is medium for scripts and info for Makefiles
// (which list test data for distribution); with another high signal it makes
// the result critical.
func (c *classification) binaryRefs() (Signal, bool) {
	ctx := c.ctx
	if ctx.IsBinaryInGit == nil && ctx.IsBinaryInTarball == nil && len(ctx.BinaryPaths) == 0 {
		return Signal{}, false
	}
	dirs := binaryDirs(ctx.BinaryPaths)
	isBin := func(p string) bool {
		if p == "" || p == c.in.Path {
			return false
		}
		if ctx.IsBinaryInGit != nil && ctx.IsBinaryInGit(p) {
			return true
		}
		if ctx.IsBinaryInTarball != nil && ctx.IsBinaryInTarball(p) {
			return true
		}
		return dirs[strings.TrimSuffix(p, "/")]
	}
	scriptDir := path.Dir(c.in.Path)
	seen := map[string]bool{}
	var ev []string
	n := 0
	forEachLogicalLine(c.in.Tarball, func(ln int, line []byte) {
		if len(ev) >= maxEvidence || n >= maxRefTokens || bytes.IndexByte(line, '/') < 0 {
			return
		}
		for _, tok := range pathTokens(line) {
			n++
			cand := normaliseRef(tok)
			hit := ""
			if isBin(cand) {
				hit = cand
			} else if scriptDir != "." {
				if j := path.Join(scriptDir, cand); isBin(j) {
					hit = j
				}
			}
			if hit != "" && !seen[hit] {
				seen[hit] = true
				ev = appendEvidence(ev, ln, "references "+hit+": "+string(line))
			}
		}
	})
	if len(ev) == 0 {
		return Signal{}, false
	}
	sev := SevMedium
	switch {
	case c.base == "Makefile.in" || c.base == "Makefile.am" || c.ext == ".mk" || c.base == "Makefile" || c.base == "GNUmakefile" || c.base == "CMakeLists.txt" || c.base == "meson.build":
		sev = SevInfo
	}
	return Signal{Rule: RuleBinaryReference, Severity: sev, Evidence: ev,
		Message: c.in.Path + ": build script references binary data files"}, true
}

// binaryDirs returns the directories that directly hold a binary path.
func binaryDirs(paths []string) map[string]bool {
	if len(paths) == 0 {
		return nil
	}
	out := map[string]bool{}
	for _, p := range paths {
		if d := path.Dir(p); d != "." && d != "/" {
			out[d] = true
		}
	}
	return out
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

// normaliseRef strips source-directory prefixes and parentheses from a token.
func normaliseRef(tok string) string {
	tok = strings.Trim(tok, "()")
	for changed := true; changed; {
		changed = false
		for _, p := range refPrefixes {
			if strings.HasPrefix(tok, p) {
				tok = tok[len(p):]
				changed = true
			}
		}
	}
	return strings.TrimSuffix(path.Clean("/" + tok)[1:], "/")
}
