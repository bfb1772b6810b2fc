package autotools

import (
	"bytes"
)

// This file holds includeRefKinds, the linear scan OmittedReferenceKinds uses in
// place of includeRe.FindAllSubmatch: the unanchored regexp ran the NFA over
// every byte of every C source (≈0.8 s of CPU on coreutils). includeRefKinds
// looks only at the places a match can start — a '#' that only blanks
// separate from a line start, and "__has_include" — and runs the anchored
// halves of includeRe there, so it returns exactly what the regexp finds
// (TestIncludeRefsMatchesRegexp, FuzzIncludeRefs).

// includeLineRe is the first alternative of includeRe (the specification,
// in include_test.go) from its '#' on; includeRefKinds checks the blanks
// before the '#'.
var includeLineRe = lazyRegexp(`\A#\s*(?:include|include_next|import)\s*["<]([^">\n]+)[">]`)

// hasIncludeRe is includeRe's second alternative, anchored.
var hasIncludeRe = lazyRegexp(`\A__has_include(?:_next)?\s*\(\s*["<]([^">\n]+)[">]`)

var hasIncludeLit = []byte("__has_include")

// isRegexpSpace is RE2's \s: [\t\n\f\r ].
func isRegexpSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// includeRefKinds returns the names the C source b includes, in order (the
// first non-empty submatch of every match of includeRe.FindAllSubmatch(b,
// -1)), and for each whether it comes from __has_include: a test whose
// answer changes silently when the file is missing, where a missing
// #include stops the compiler.
func includeRefKinds(b []byte) (out []string, probe []bool) {
	pos := 0
	// Next match of each alternative at or after pos: start (the '#' for
	// the first, whose match may begin at blank lines before it), end,
	// and the name; start -1 when there is none.
	h, hEnd, hRef := nextIncludeLine(b, 0)
	r, rEnd, rRef := nextHasInclude(b, 0)
	for h >= 0 || r >= 0 {
		// Blanks only separate a '#' from the line starts where its
		// match may begin, so no "__has_include" lies between them:
		// comparing positions orders the two matches.
		if h >= 0 && (r < 0 || h < r) {
			out = append(out, hRef)
			probe = append(probe, false)
			pos = hEnd
		} else {
			out = append(out, rRef)
			probe = append(probe, true)
			pos = rEnd
		}
		if h >= 0 && h < pos {
			h, hEnd, hRef = nextIncludeLine(b, pos)
		}
		if r >= 0 && r < pos {
			r, rEnd, rRef = nextHasInclude(b, pos)
		}
	}
	return out, probe
}

// The anchored regexps run on a window that ends with the line of the
// '"' or '<' a match needs (a match never reads past that line's '\n'), so
// the regexp package picks its backtracker for them, not the NFA it uses on
// long inputs.

// skipSpace returns the index of the first byte at or after i that is not
// \s (len(b) if none; i itself when i is past the end).
func skipSpace(b []byte, i int) int {
	for i < len(b) && isRegexpSpace(b[i]) {
		i++
	}
	return i
}

// skipSpaceParen is skipSpace that also skips '('.
func skipSpaceParen(b []byte, i int) int {
	for i < len(b) && (isRegexpSpace(b[i]) || b[i] == '(') {
		i++
	}
	return i
}

// lineEndAfter returns the index just past the first '\n' at or after i,
// or len(b).
func lineEndAfter(b []byte, i int) int {
	if i >= len(b) {
		return len(b)
	}
	if j := bytes.IndexByte(b[i:], '\n'); j >= 0 {
		return i + j + 1
	}
	return len(b)
}

// nextIncludeLine finds the first '#' at or after from that begins a match
// of includeLineRe and that only [ \t\f\r] separate from a line start at or
// after from.
func nextIncludeLine(b []byte, from int) (start, end int, ref string) {
	for i := from; i < len(b); {
		j := bytes.IndexByte(b[i:], '#')
		if j < 0 {
			return -1, 0, ""
		}
		h := i + j
		i = h + 1
		k := h
		for k > from && (b[k-1] == ' ' || b[k-1] == '\t' || b[k-1] == '\f' || b[k-1] == '\r') {
			k--
		}
		if k != 0 && b[k-1] != '\n' {
			// Not at a line start, or one before from.
			continue
		}
		// Cheap literal test before the regexp: \s*, then a keyword.
		t := skipSpace(b, h+1)
		if !bytes.HasPrefix(b[t:], []byte("include")) && !bytes.HasPrefix(b[t:], []byte("import")) {
			continue
		}
		w := b[h:lineEndAfter(b, max(skipSpace(b, t+len("include")), skipSpace(b, t+len("include_next"))))]
		if m := includeLineRe().FindSubmatchIndex(w); m != nil {
			return h, h + m[1], string(b[h+m[2] : h+m[3]])
		}
	}
	return -1, 0, ""
}

// nextHasInclude finds the first match of hasIncludeRe at or after from.
func nextHasInclude(b []byte, from int) (start, end int, ref string) {
	for i := from; i < len(b); {
		j := bytes.Index(b[i:], hasIncludeLit)
		if j < 0 {
			return -1, 0, ""
		}
		r := i + j
		i = r + 1
		w := b[r:lineEndAfter(b, max(skipSpaceParen(b, r+len(hasIncludeLit)), skipSpaceParen(b, r+len(hasIncludeLit)+len("_next"))))]
		if m := hasIncludeRe().FindSubmatchIndex(w); m != nil {
			return r, r + m[1], string(b[r+m[2] : r+m[3]])
		}
	}
	return -1, 0, ""
}
