// Package gitid recognises git object ids as git prints them.
package gitid

// Valid reports whether s is a full git object id as git prints it: 40
// (SHA-1) or 64 (SHA-256) lowercase hex digits.
func Valid(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
