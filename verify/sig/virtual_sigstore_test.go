package sig

import (
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/tarcheck/tarcheck/verify/sig/sigtest"
)

func TestVerifyBundleVirtualSigstore(t *testing.T) {
	const (
		san    = "release@example.org"
		issuer = "https://token.actions.githubusercontent.com"
	)
	vs := sigtest.NewSigstore(t)
	other := sigtest.NewSigstore(t)
	artifact := []byte("foo-1.2.tar.xz")
	d := sha256.Sum256(artifact)
	od := sha256.Sum256([]byte("foo-1.3.tar.xz"))
	bj := sigtest.Bundle(t, vs, san, issuer, artifact)
	trj := sigtest.TrustedRoot(t, vs)
	id := Identity{SAN: san, Issuer: issuer}
	tests := []struct {
		name   string
		root   []byte
		digest []byte
		id     Identity
		want   Status
		in     string
	}{
		{"valid", trj, d[:], id, StatusValid, "Tlog"},
		{"wrong identity", trj, d[:], Identity{SAN: "mallory@example.org", Issuer: issuer}, StatusInvalid, "does not match"},
		{"wrong issuer", trj, d[:], Identity{SAN: san, IssuerRegexp: `^https://accounts\.google\.com$`}, StatusInvalid, "does not match"},
		{"other bytes", trj, od[:], id, StatusInvalid, "digest"},
		{"no identity policy", trj, d[:], Identity{}, StatusUnverifiable, "--certificate-identity"},
		{"other sigstore", sigtest.TrustedRoot(t, other), d[:], id, StatusInvalid, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := VerifyBundle(bj, tc.root, tc.digest, tc.id)
			t.Log(r)
			if r.Status != tc.want || !strings.Contains(r.Detail, tc.in) {
				t.Fatalf("got %v, want %s with %q", r, tc.want, tc.in)
			}
		})
	}
}
