// Package escape makes untrusted text (paths, signers, messages, evidence,
// error messages: anything that came from an archive, a repository or a
// server) safe to show: on a terminal line, in a block of lines, or in
// Markdown. It is the only escaper of tarcheck's output, so every output
// escapes the same set: invalid UTF-8 becomes U+FFFD, and control
// characters (C0, DEL, C1), format characters (bidi controls, zero-width
// characters, BOM), line and paragraph separators and noncharacters are
// shown as visible escapes such as \x1b, \n or \u202e.
package escape

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tarcheck/tarcheck/internal/limits"
)

// Text escapes s for one terminal line; the result contains no newline.
func Text(s string) string { return escape(s, false, false) }

// Block escapes multi-line text such as a diff excerpt: it returns the
// escaped lines, keeping tabs.
func Block(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = escape(l, true, false)
	}
	return lines
}

// maxLine caps Line: names from hostile input can be huge.
const maxLine = limits.EscapeMaxLine

// Line escapes an error or log message for one line of stderr: tabs,
// newlines and carriage returns become spaces, the rest is escaped as Text
// does, and past 1,000 bytes of input the line is cut with "...".
func Line(s string) string {
	cut := len(s) > maxLine
	if cut {
		s = s[:maxLine]
	}
	out := escape(s, false, true)
	if cut {
		out += "..."
	}
	return out
}

// markdownAlways is the ASCII punctuation that is markup wherever it
// appears in a line of Markdown text or a table cell: emphasis, code,
// links, HTML, entities, cell boundaries, strikethrough, issue references.
const markdownAlways = "\\`*_[]<>|~&#@"

// markdownLineStart is what starts a block (heading, list, quote, rule,
// setext underline) when it begins the text.
const markdownLineStart = "+-=>"

// Markdown escapes s for Markdown text and table cells: Text, then a
// backslash before every character that is markup where it stands, and
// only those, so dates, versions and paths read as written
// (2023-01-11T17:12:29Z stays). Escaped: markdownAlways everywhere; a
// block marker (+ - = >, or the . or ) of an ordered list item) at the
// start; the ':' of "scheme://" and the '.' of "www." (autolinks).
func Markdown(s string) string {
	s = Text(s)
	var b strings.Builder
	digits := 0 // leading digits, for "1." and "1)"
	for i := 0; i < len(s); i++ {
		c := s[i]
		esc := strings.IndexByte(markdownAlways, c) >= 0
		switch {
		case i == 0 && strings.IndexByte(markdownLineStart, c) >= 0:
			esc = true
		case (c == '.' || c == ')') && digits == i && i > 0:
			esc = true
		case c == ':' && strings.HasPrefix(s[i+1:], "//"):
			esc = true
		case c == '.' && i >= 3 && strings.EqualFold(s[i-3:i], "www"):
			esc = true
		}
		if c >= '0' && c <= '9' && digits == i {
			digits++
		}
		if esc {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

func escape(s string, keepTab, spaces bool) string {
	if isPlainASCII(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case r == '\t' && keepTab:
			b.WriteByte('\t')
		case spaces && (r == '\n' || r == '\r' || r == '\t'):
			b.WriteByte(' ')
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case needsEscape(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// needsEscape reports whether r, a valid non-ASCII-control rune, must not be
// written raw: C1 controls, format characters (bidi controls, zero-width
// characters, BOM), line and paragraph separators, and noncharacters.
func needsEscape(r rune) bool {
	return unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) ||
		(r >= 0xfdd0 && r <= 0xfdef) || r&0xfffe == 0xfffe
}
