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
	scriptDir := path.Dir(c.in.Path)
	seen := map[string]bool{}
	var ev []string
	n := 0
	forEachLogicalLine(c.in.Tarball, func(ln int, line []byte) {
		if len(ev) >= maxEvidence || n >= maxRefTokens || bytes.IndexByte(line, '/') < 0 || isRefComment(line) {
			return
		}
		for _, tok := range pathTokens(line) {
			n++
			cand, rooted := normaliseRef(tok)
			hit := isBin(cand, rooted)
			if hit == "" && scriptDir != "." && !rooted {
				hit = isBin(path.Join(scriptDir, cand), false)
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
		Message: "build script references binary data files"}, true
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
