package explain

import (
	"crypto/sha256"
	"encoding/hex"
	"path"
	"strings"

	"bytes"
	"github.com/tarcheck/tarcheck/internal/limits"
	"github.com/tarcheck/tarcheck/verify/compare"
	"github.com/tarcheck/tarcheck/verify/report"
)

// Transforms of the files meson writes beside a wrap of the tag when it
// sets up a subproject (a test suite run before the sdist was made).
const (
	// TransformWrapRedirect: "[wrap-redirect]" naming a nested
	// subproject's wrap, written in the main project's subprojects/.
	TransformWrapRedirect = "meson wrap-redirect to the nested subproject's wrap"
	// TransformWrapHash: the wrap file's SHA-256, written into the
	// directory the wrap unpacked to.
	TransformWrapHash = "SHA-256 of the wrap, written by meson into the subproject it set up"
)

// maxMesonWrapFile caps a file tried as one meson writes from a wrap.
const maxMesonWrapFile = limits.ExplainMaxMesonWrapFile

// mesonWrapHash is the name of meson's record of the wrap a subproject
// directory was set up from.
const mesonWrapHash = ".meson-subproject-wrap-hash.txt"

// fromMesonWrap proves the two files meson writes from a wrap of the tag,
// whose bytes the wrap fixes: SUB/.meson-subproject-wrap-hash.txt, the
// SHA-256 of the tag's wrap (next to SUB) whose directory is SUB, and
// subprojects/NAME.wrap, a "[wrap-redirect]" whose filename names a wrap
// of the tag of that name, in meson's form (DIR/subprojects/NAME.wrap,
// relative to the redirect's directory).
func (p *Provenance) fromMesonWrap(rel string, content []byte) *report.Origin {
	if p.tag == nil || len(content) == 0 || len(content) > maxMesonWrapFile {
		return nil
	}
	base := path.Base(rel)
	switch {
	case base == mesonWrapHash:
		sub := parentDir(rel)
		if sub == "" {
			return nil
		}
		for _, w := range p.tagWrapsIn(parentDir(sub)) {
			c, ok := p.tagContent(w)
			if !ok {
				continue
			}
			sum := sha256.Sum256(c)
			if string(content) == hex.EncodeToString(sum[:])+"\n" && wrapDirectory(w, c) == path.Base(sub) {
				return &report.Origin{Kind: report.OriginTag, Path: w, Transform: TransformWrapHash}
			}
		}
	case strings.HasSuffix(base, ".wrap"):
		target, ok := strings.CutPrefix(string(content), "[wrap-redirect]\nfilename = ")
		target, ok2 := strings.CutSuffix(target, "\n")
		if !ok || !ok2 || !redirectForm(target) || path.Base(target) != base {
			return nil
		}
		q := path.Join(parentDir(rel), target)
		if g := p.tag.Get(q); g != nil && compare.IsRegular(g) {
			return &report.Origin{Kind: report.OriginTag, Path: q, Transform: TransformWrapRedirect}
		}
	}
	return nil
}

// redirectForm reports whether a wrap-redirect's filename has the form
// meson requires: DIR/subprojects/…/NAME.wrap, relative and clean.
func redirectForm(f string) bool {
	parts := strings.Split(f, "/")
	if len(parts) < 3 || len(parts)%2 == 0 || path.Clean(f) != f || path.IsAbs(f) {
		return false
	}
	for i, s := range parts {
		if s == ".." || s == "." || s == "" || i%2 == 1 && s != "subprojects" {
			return false
		}
	}
	return true
}

// tagWrapsIn lists the tag's *.wrap files directly in dir.
func (p *Provenance) tagWrapsIn(dir string) []string {
	var out []string
	for q := range p.tag.Match(func(q []byte, g *compare.GitFile) bool {
		return bytes.HasSuffix(q, []byte(".wrap")) && compare.IsRegular(g)
	}) {
		if parentDir(q) == dir {
			out = append(out, q)
		}
	}
	return out
}

// wrapDirectory is the directory a wrap file sets its subproject up in:
// its "directory" key, else the wrap's name.
func wrapDirectory(wrap string, content []byte) string {
	for l := range strings.Lines(string(content)) {
		k, v, ok := strings.Cut(l, "=")
		if ok && strings.TrimSpace(k) == "directory" {
			return strings.TrimSpace(v)
		}
	}
	return strings.TrimSuffix(path.Base(wrap), ".wrap")
}
