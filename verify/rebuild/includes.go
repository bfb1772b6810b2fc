package rebuild

import (
	"errors"
	"io/fs"
	"path"
	"path/filepath"
	"strings"
)

// m4IncludeRE matches the m4_include([path]) lines aclocal writes at the
// end of aclocal.m4 for the project's own macro files.
var m4IncludeRE = lazyRegexp(`(?m)^m4_include\(\[([^\]\n]+)\]\)`)

// m4Includes returns the local m4 files an aclocal.m4 includes, in order.
func m4Includes(aclocal []byte) []string {
	var out []string
	for _, m := range m4IncludeRE().FindAllSubmatch(aclocal, -1) {
		if p := path.Clean(string(m[1])); p != "." && filepath.IsLocal(p) {
			out = append(out, p)
		}
	}
	return out
}

// noteAbsentIncludes finds the m4 files the release's aclocal.m4 includes
// that the tarball has but the regenerated tree lacks: left out of the
// rebuild as unproved, or written upstream by a tool the sandbox does not
// have (gtkdocize in a bootstrap hook, which then takes its fallback).
// The outputs that expand their macros (aclocal.m4, configure,
// Makefile.in) differ for that reason; saying so changes no severity.
func (b *rebuilder) noteAbsentIncludes() {
	b.absentIncludes = nil
	for _, rel := range b.releaseIncludes {
		if _, inTarball := b.cmp.Members[rel]; !inTarball {
			continue
		}
		if _, err := b.root.Lstat(rel); errors.Is(err, fs.ErrNotExist) {
			b.absentIncludes = append(b.absentIncludes, rel)
		}
	}
	if len(b.absentIncludes) > 0 {
		b.info.Notes = append(b.info.Notes, "the release's aclocal.m4 includes m4 files the rebuild did not have (left out as unproved, "+
			"or written by a tool the sandbox lacks): "+listSome(b.absentIncludes)+"; aclocal.m4, configure and Makefile.in differ where they expand their macros")
	}
}

// absentIncludesHint is the sentence added to a differing aggregate
// output's finding when the rebuild lacked m4 files the release includes.
func (b *rebuilder) absentIncludesHint(rel string) string {
	if len(b.absentIncludes) == 0 {
		return ""
	}
	base := path.Base(rel)
	if base != "aclocal.m4" && base != "configure" && !strings.HasSuffix(base, ".in") {
		return ""
	}
	return " (the rebuild lacked " + listSome(b.absentIncludes) + ", which the release's aclocal.m4 includes: left out as unproved, or written by a tool the sandbox lacks)"
}
