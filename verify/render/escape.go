package render

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// EscapeText makes an untrusted string (a path, signer, message or evidence
// from an archive or repository) safe to show on one terminal line: invalid
// UTF-8 becomes U+FFFD, and control characters (C0, DEL, C1), format
// characters (bidi overrides, zero-width characters) and line or paragraph
// separators are shown as visible escapes such as \x1b, \n or \u202e. The
// result contains no newline.
func EscapeText(s string) string { return escape(s, false) }

// escapeBlock is EscapeText for multi-line text such as a diff excerpt: it
// returns the escaped lines, keeping tabs.
func escapeBlock(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = escape(l, true)
	}
	return lines
}

func escape(s string, keepTab bool) string {
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
