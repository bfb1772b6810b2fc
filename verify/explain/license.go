package explain

import (
	"bytes"
	"regexp"
)

// licenseRewrite is one of the license-notice rewrites gnulib-tool made
// on the files it copied, until it stopped in June 2021 (gnulib commit
// f3553bdefc): without --lgpl every lib/ and build-aux/ file became
// GPLv3+, with --lgpl (=3) LGPL, with --lgpl=2 LGPLv2.1+, with
// --lgpl=3orGPLv2 "LGPLv3+ or GPLv2+" (gnutls' lib/unistring/).
type licenseRewrite struct {
	name  string
	apply func([]byte) []byte
	// undo lists the possible originals of a rewritten file, to look up
	// in the database (each is checked by applying the rewrite again).
	undo func([]byte) [][]byte
	// possible, when set, reports whether the rewrite can have made b
	// (a cheap test before undo).
	possible func([]byte) bool
}

var (
	versionTo3   = lazyRegexp(`version 2(\.1)?([ ,])`)
	versionTo21  = lazyRegexp(`version [23]([ ,])`)
	version3Back = lazyRegexp(`version 3([ ,])`)
	version21Bk  = lazyRegexp(`version 2\.1([ ,])`)
	ifdefConfig  = lazyRegexp(`(?m)^#ifdef[\t ]*HAVE_CONFIG_H[\t ]*$`)
	ifOne        = lazyRegexp(`(?m)^#if 1$`)
)

// replaceAll is bytes.ReplaceAll for strings.
func replaceAll(b []byte, pairs ...string) []byte {
	for i := 0; i+1 < len(pairs); i += 2 {
		// bytes.ReplaceAll copies the input even when nothing matches:
		// skip the copy (most files hold few of the words).
		if bytes.Contains(b, []byte(pairs[i])) {
			b = bytes.ReplaceAll(b, []byte(pairs[i]), []byte(pairs[i+1]))
		}
	}
	return b
}

// reReplace is re.ReplaceAll(b, repl), skipped (b returned as is) when b
// lacks lit, a literal every match of re contains.
func reReplace(re *regexp.Regexp, b []byte, lit, repl string) []byte {
	if !bytes.Contains(b, []byte(lit)) {
		return b
	}
	return re.ReplaceAll(b, []byte(repl))
}

// toLesser is the sed of --lgpl (=3): GPL wording becomes LGPL wording.
func toLesser(b []byte) []byte {
	return replaceAll(b, "GNU General", "GNU Lesser General", "General Public License", "Lesser General Public License",
		"Lesser Lesser General Public License", "Lesser General Public License")
}

// licenseRewrites are gnulib-tool's rewrites: four license notices and
// the config-h module's.
var licenseRewrites = []licenseRewrite{
	{name: "GPLv3+",
		possible: func(b []byte) bool {
			return !bytes.Contains(b, []byte("Lesser General Public")) && !bytes.Contains(b, []byte("Library General Public"))
		},
		apply: func(b []byte) []byte {
			b = replaceAll(b, "GNU Lesser General", "GNU General", "Lesser General Public License", "General Public License",
				"GNU Library General", "GNU General", "Library General Public License", "General Public License")
			return versionTo3().ReplaceAll(b, []byte("version 3$2"))
		},
		undo: func(b []byte) [][]byte {
			var out [][]byte
			for _, w := range [][2]string{{"", ""}, {"GNU General", "GNU Lesser General"}, {"GNU General", "GNU Library General"}} {
				c := b
				if w[0] != "" {
					c = replaceAll(c, w[0], w[1], "General Public License", w[1][4:]+" Public License",
						"Lesser Lesser", "Lesser", "Library Library", "Library", "Lesser Library", "Library", "Library Lesser", "Lesser")
				}
				out = append(out, c, reReplace(version3Back(), c, "version 3", "version 2$1"), reReplace(version3Back(), c, "version 3", "version 2.1$1"))
			}
			return out
		}},
	{name: "config-h: #ifdef HAVE_CONFIG_H made #if 1",
		possible: func(b []byte) bool {
			return bytes.HasPrefix(b, []byte("#if 1\n")) || bytes.Contains(b, []byte("\n#if 1\n"))
		},
		apply: func(b []byte) []byte { return ifdefConfig().ReplaceAll(b, []byte("#if 1")) },
		undo: func(b []byte) [][]byte {
			return [][]byte{reReplace(ifOne(), b, "#if 1", "#ifdef HAVE_CONFIG_H")}
		}},
	{name: "LGPL",
		possible: func(b []byte) bool { return bytes.Contains(b, []byte("Lesser General Public License")) },
		apply:    toLesser,
		undo: func(b []byte) [][]byte {
			return [][]byte{replaceAll(b, "Lesser General Public License", "General Public License", "GNU Lesser General", "GNU General")}
		}},
	{name: "LGPLv2.1+",
		possible: func(b []byte) bool { return bytes.Contains(b, []byte("Lesser General Public License")) },
		apply:    func(b []byte) []byte { return versionTo21().ReplaceAll(toLesser(b), []byte("version 2.1$1")) },
		undo: func(b []byte) [][]byte {
			c := replaceAll(b, "Lesser General Public License", "General Public License", "GNU Lesser General", "GNU General")
			var out [][]byte
			for _, d := range [][]byte{b, c} {
				out = append(out, reReplace(version21Bk(), d, "version 2.1", "version 2$1"), reReplace(version21Bk(), d, "version 2.1", "version 3$1"))
			}
			return out
		}},
	{name: "LGPLv3+ or GPLv2 (--lgpl=3orGPLv2)",
		possible: func(b []byte) bool { return bytes.Contains(b, []byte("or both in parallel, as here.")) },
		apply:    toDualLicense,
		// The rewrite deletes the original notice: it cannot be undone,
		// only redone on the pinned gnulib file.
		undo: func([]byte) [][]byte { return nil }},
}

// licenseSniff bounds the bytes a rewrite may touch: gnulib-tool's seds
// ran on the whole file, but only a notice makes them change anything.
var licenseWords = [][]byte{[]byte("General Public License"), []byte("GNU General"), []byte("GNU Lesser"), []byte("GNU Library")}

// mentionsLicense reports whether b has words a rewrite acts on.
func mentionsLicense(b []byte) bool {
	if bytes.HasPrefix(b, []byte("#if 1\n")) || bytes.Contains(b, []byte("\n#if 1\n")) {
		return true
	}
	for _, w := range licenseWords {
		if bytes.Contains(b, w) {
			return true
		}
	}
	return false
}

// dualNotice is the notice gnulib-tool --lgpl=3orGPLv2 inserts.
const dualNotice = `   This program is free software: you can redistribute it and/or
   modify it under the terms of either:

     * the GNU Lesser General Public License as published by the Free
       Software Foundation; either version 3 of the License, or (at your
       option) any later version.

   or

     * the GNU General Public License as published by the Free
       Software Foundation; either version 2 of the License, or (at your
       option) any later version.

   or both in parallel, as here.
`

// freeSoftwareRe starts a license notice's first paragraph.
var freeSoftwareRe = lazyRegexp(`^ *This program is free software`)

// toDualLicense is gnulib-tool's sed for --lgpl=3orGPLv2 (gnulib-tool
// until June 2021):
//
//	/^ *This program is free software/i\ <dualNotice>
//	/^ *This program is free software/,/^$/d
//
// with sed's semantics: the notice goes before every matching line, and
// each range runs from a matching line to the next empty line, both
// deleted (to the end of the file when no empty line follows).
func toDualLicense(b []byte) []byte {
	if !bytes.Contains(b, []byte("This program is free software")) {
		return b
	}
	out := make([]byte, 0, len(b)+len(dualNotice))
	inRange := false
	for _, l := range bytes.SplitAfter(b, []byte("\n")) {
		body := bytes.TrimSuffix(l, []byte("\n"))
		start := freeSoftwareRe().Match(body)
		if start {
			out = append(out, dualNotice...)
		}
		switch {
		case inRange:
			inRange = len(body) != 0
		case start:
			inRange = true
		default:
			out = append(out, l...)
		}
	}
	return out
}
