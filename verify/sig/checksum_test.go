package sig

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

func TestVerifyChecksums(t *testing.T) {
	sum := sha256.Sum256([]byte("tarball"))
	h := hex.EncodeToString(sum[:])
	other := strings.Repeat("ab", 32)
	const name = "foo-1.2.tar.xz"
	tests := []struct {
		name string
		list string
		want Status
	}{
		{"bare digest", h + "\n", StatusValid},
		{"gnu text", other + "  foo-1.1.tar.xz\n" + h + "  " + name + "\n", StatusValid},
		{"gnu binary marker", h + " *" + name + "\n", StatusValid},
		{"gnu with directory", h + "  dist/" + name + "\n", StatusValid},
		{"uppercase hex", strings.ToUpper(h) + "  " + name + "\r\n", StatusValid},
		{"bsd tag", "SHA256 (" + name + ") = " + h + "\n", StatusValid},
		{"escaped name", `\` + h + `  ` + name + "\n", StatusValid},
		{"clearsigned list", "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n" + h + "  " + name + "\n-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n", StatusValid},
		{"mismatch", other + "  " + name + "\n", StatusInvalid},
		{"mismatch bsd", "SHA256 (" + name + ") = " + other + "\n", StatusInvalid},
		{"conflicting entries", h + "  " + name + "\n" + other + "  " + name + "\n", StatusInvalid},
		{"bare mismatch", other, StatusInvalid},
		{"not listed", h + "  other.tar.xz\n", StatusUnverifiable},
		{"sha512 only", strings.Repeat("ab", 64) + "  " + name + "\n", StatusUnverifiable},
		{"empty", "", StatusUnverifiable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := VerifyChecksums([]byte(tc.list), name, h)
			if r.Status != tc.want || r.Subject != SubjectChecksum || r.Kind != KindChecksum {
				t.Fatalf("got %v, want %s", r, tc.want)
			}
		})
	}
	if r := VerifyChecksums(make([]byte, MaxChecksumListSize+1), name, h); r.Status != StatusInvalid {
		t.Errorf("oversized list: %v", r)
	}
}
