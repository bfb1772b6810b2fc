package sig

import (
	"path"
	"testing"
)

// TestMatchGlob: OpenSSH's principal patterns: '*' and '?' only, '*'
// across slashes, '[' and '\' literal.
func TestMatchGlob(t *testing.T) {
	for _, c := range []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"*", "anything/at all", true},
		{"*@example.org", "dev@example.org", true},
		{"*@example.org", "team/dev@example.org", true},
		{"*@example.org", "dev@example.org.evil", false},
		{"dev@example.org", "dev@example.org", true},
		{"dev@example.org", "Dev@example.org", false},
		{"d?v@*.org", "dev@example.org", true},
		{"d?v@*.org", "dv@example.org", false},
		{"user[1]@x", "user[1]@x", true},
		{"user[1]@x", "user1@x", false},
		{`a\*`, `a\bc`, true},
		{`a\*`, `a*`, false},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXbYY", false},
		{"**a", "bba", true},
		{"*a*", "*", false},
		{"a*", "a*", true},
		{"", "", true},
		{"", "x", false},
		{"?", "\u00e9", false}, // one byte, as in OpenSSH: é is two
		{"??", "\u00e9", true},
	} {
		if got := matchGlob(c.pattern, c.s); got != c.want {
			t.Errorf("matchGlob(%q, %q) = %v, want %v", c.pattern, c.s, got, c.want)
		}
	}
}

// FuzzMatchGlob checks matchGlob against path.Match on patterns and
// strings where both define the same language: ASCII ('?' is one byte
// for OpenSSH, one rune for path.Match) without '/', '[', '\'.
func FuzzMatchGlob(f *testing.F) {
	f.Add("*@example.org", "dev@example.org")
	f.Add("a*b?c*", "axxbyczz")
	f.Fuzz(func(t *testing.T, pattern, s string) {
		for _, b := range []byte(pattern + s) {
			if b == '/' || b == '[' || b == '\\' || b >= 0x80 {
				return
			}
		}
		want, err := path.Match(pattern, s)
		if err != nil {
			return
		}
		if got := matchGlob(pattern, s); got != want {
			t.Fatalf("matchGlob(%q, %q) = %v, path.Match says %v", pattern, s, got, want)
		}
	})
}
