package sig

import (
	"bytes"
	"crypto"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

const day1 = 24 * time.Hour

// setSubkeyExpiry re-signs the binding of e's last subkey with a key
// lifetime (keeping its embedded cross-signature).
func setSubkeyExpiry(t *testing.T, e *openpgp.Entity, lifetime time.Duration) {
	t.Helper()
	secs := uint32(lifetime / time.Second)
	sub := &e.Subkeys[len(e.Subkeys)-1]
	sub.Sig.KeyLifetimeSecs = &secs
	if err := sub.Sig.SignKey(sub.PublicKey, e.PrivateKey, cfgAt(t0)); err != nil {
		t.Fatal(err)
	}
}

// signWithKey makes a binary detached SHA-256 signature with priv (a
// primary key or subkey), whatever its expiry.
func signWithKey(t *testing.T, priv *packet.PrivateKey, msg []byte, at time.Time) []byte {
	t.Helper()
	s := &packet.Signature{
		Version: 4, SigType: packet.SigTypeBinary, PubKeyAlgo: priv.PubKeyAlgo, Hash: crypto.SHA256,
		CreationTime: at, IssuerKeyId: &priv.KeyId, IssuerFingerprint: priv.Fingerprint,
	}
	h, err := s.PrepareVerify()
	if err != nil {
		t.Fatal(err)
	}
	h.Write(msg)
	if err := s.Sign(h, priv, cfgAt(at)); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := s.Serialize(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestExpiredKeyringCopy: a good signature made after the keyring's copy
// of the key (or signing subkey) expired is valid with a warning, as
// with gpgv; revocation, a bad signature and a weak hash still decide.
func TestExpiredKeyringCopy(t *testing.T) {
	tarball := []byte("foo-1.2.tar.xz\n")
	now := t0.Add(60 * day1)
	signedAt := t0.Add(20 * day1)

	primary := newKey(t, t0, 0)
	primarySig := signWithKey(t, primary.PrivateKey, tarball, signedAt)
	setExpiry(t, primary, 10*day1)

	withSub := newKey(t, t0, 0)
	if err := withSub.AddSigningSubkey(cfgAt(t0)); err != nil {
		t.Fatal(err)
	}
	sub := withSub.Subkeys[len(withSub.Subkeys)-1]
	subSig := signWithKey(t, sub.PrivateKey, tarball, signedAt)
	setSubkeyExpiry(t, withSub, 5*day1)

	revoked := newKey(t, t0, 0)
	revokedSig := signWithKey(t, revoked.PrivateKey, tarball, signedAt)
	setExpiry(t, revoked, 10*day1)
	if err := revoked.RevokeKey(packet.KeyCompromised, "leaked", cfgAt(t0.Add(30*day1))); err != nil {
		t.Fatal(err)
	}

	weak := newKey(t, t0, 0)
	weakSig := signWithHash(t, weak, tarball, crypto.SHA1, signedAt)
	setExpiry(t, weak, 10*day1)

	tests := []struct {
		name       string
		data, sig  []byte
		e          *openpgp.Entity
		want       Status
		warnKey    string
		subkey     bool
		expiredAt  time.Time
		wantDetail string
	}{
		{"primary", tarball, primarySig, primary, StatusValid, fingerprint(primary.PrimaryKey), false, t0.Add(10 * day1), "expired 2024-03-11, before the signature"},
		{"subkey", tarball, subSig, withSub, StatusValid, fingerprint(sub.PublicKey), true, t0.Add(5 * day1), "signing subkey expired 2024-03-06, before the signature"},
		{"bad signature", append([]byte("x"), tarball...), primarySig, primary, StatusInvalid, "", false, time.Time{}, "BAD signature"},
		{"revoked", tarball, revokedSig, revoked, StatusInvalid, "", false, time.Time{}, "key revoked"},
		{"weak hash", tarball, weakSig, weak, StatusInvalid, "", false, time.Time{}, "SHA-1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := VerifyDetached(bytes.NewReader(tc.data), tc.sig, keyring(t, publicArmored(t, tc.e)), now)
			t.Log(r)
			if r.Status != tc.want || !strings.Contains(r.Detail, tc.wantDetail) {
				t.Fatalf("got %v, want %s with %q", r, tc.want, tc.wantDetail)
			}
			if tc.warnKey == "" {
				if len(r.Warnings) != 0 {
					t.Fatalf("warnings on a %s result: %v", r.Status, r.Warnings)
				}
				return
			}
			if len(r.Warnings) != 1 {
				t.Fatalf("want one warning, got %v", r.Warnings)
			}
			w := r.Warnings[0]
			if w.Kind != WarningKeyExpiredBeforeSignature || w.Key != tc.warnKey || w.Subkey != tc.subkey ||
				!w.ExpiredAt.Equal(tc.expiredAt) || !w.SignedAt.Equal(signedAt) {
				t.Fatalf("warning %+v", w)
			}
			msg := w.Message("debian/upstream/signing-key.asc")
			for _, want := range []string{tc.warnKey, "expired on " + day(tc.expiredAt), "before this signature (2024-03-21)",
				"refresh debian/upstream/signing-key.asc"} {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q lacks %q", msg, want)
				}
			}
		})
	}

	// Expired only after signing: a note, no warning.
	late := newKey(t, t0, 0)
	lateSig := signWithKey(t, late.PrivateKey, tarball, t0.Add(day1))
	setExpiry(t, late, 10*day1)
	r := VerifyDetached(bytes.NewReader(tarball), lateSig, keyring(t, publicArmored(t, late)), now)
	if r.Status != StatusValid || len(r.Warnings) != 0 || !strings.Contains(r.Detail, "key expired 2024-03-11 after signing") {
		t.Errorf("expired after signing: %v", r)
	}
}

// TestExpiredKeyringCopyGPGV checks the expiry rule against gpgv, which
// uscan runs: gpgv accepts the signature too (exit 0).
func TestExpiredKeyringCopyGPGV(t *testing.T) {
	gpgv := requireTool(t, "gpgv")
	tarball := []byte("foo-1.2.tar.xz\n")
	e := newKey(t, t0, 0)
	sig := signWithKey(t, e.PrivateKey, tarball, t0.Add(20*day1))
	setExpiry(t, e, 10*day1)

	dir := t.TempDir()
	files := map[string][]byte{"keyring.gpg": publicBinary(t, e), "foo.tar": tarball, "foo.tar.sig": sig}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(gpgv, "--homedir", dir, "--keyring", filepath.Join(dir, "keyring.gpg"),
		filepath.Join(dir, "foo.tar.sig"), filepath.Join(dir, "foo.tar"))
	out, err := cmd.CombinedOutput()
	t.Logf("gpgv: %v\n%s", err, out)
	gpgvGood := err == nil && bytes.Contains(out, []byte("Good signature"))
	r := VerifyDetached(bytes.NewReader(tarball), sig, keyring(t, publicBinary(t, e)), time.Now())
	if !gpgvGood || r.Status != StatusValid || len(r.Warnings) != 1 {
		t.Fatalf("gpgv good=%v, tarcheck %v", gpgvGood, r)
	}
}

func TestUnknownKeyReason(t *testing.T) {
	tarball := []byte("data")
	signer, other := newKey(t, t0, 0), newKey(t, t0, 0)
	sig := detachSign(t, signer, tarball, cfgAt(t0.Add(time.Hour)), true)
	r := VerifyDetached(bytes.NewReader(tarball), sig, keyring(t, publicArmored(t, other)), t0.Add(day1))
	if r.Status != StatusUnverifiable || r.Reason != ReasonUnknownKey || r.Issuer != fingerprint(signer.PrimaryKey) {
		t.Errorf("unknown key: %v issuer %q", r, r.Issuer)
	}
	r = VerifyDetached(bytes.NewReader(tarball), sig, nil, t0.Add(day1))
	if r.Status != StatusUnverifiable || r.Reason != ReasonNoTrustMaterial || r.Issuer != fingerprint(signer.PrimaryKey) {
		t.Errorf("no keyring: %v issuer %q", r, r.Issuer)
	}
	r = VerifyDetached(bytes.NewReader(tarball), sig, keyring(t, publicArmored(t, signer)), t0.Add(day1))
	if r.Status != StatusValid || r.Reason != ReasonNone || r.Issuer != fingerprint(signer.PrimaryKey) {
		t.Errorf("known key: %v issuer %q", r, r.Issuer)
	}

	// A signed tag: unknown key, and no keyring at all.
	raw := append(tagPayload("v1.2"), detachSign(t, signer, tagPayload("v1.2"), cfgAt(t0.Add(time.Hour)), true)...)
	tag, err := ParseTag(raw)
	if err != nil {
		t.Fatal(err)
	}
	r = VerifyTag(tag, TagPolicy{Name: "v1.2", Keyring: keyring(t, publicArmored(t, other))}, t0.Add(day1))
	if r.Reason != ReasonUnknownKey || r.Issuer != fingerprint(signer.PrimaryKey) {
		t.Errorf("tag, unknown key: %v", r)
	}
	r = VerifyTag(tag, TagPolicy{Name: "v1.2"}, t0.Add(day1))
	if r.Status != StatusUnverifiable || r.Reason != ReasonNoTrustMaterial || r.Issuer != fingerprint(signer.PrimaryKey) {
		t.Errorf("tag, no keyring: %v", r)
	}
}
