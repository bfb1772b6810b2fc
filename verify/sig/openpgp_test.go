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
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// requireTool skips the test when name is not on PATH, or fails it when
// TARCHECK_REQUIRE_TOOLS=1.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("TARCHECK_REQUIRE_TOOLS") == "1" {
			t.Fatalf("%s is required (TARCHECK_REQUIRE_TOOLS=1): %v", name, err)
		}
		t.Skipf("%s not found: %v", name, err)
	}
	return p
}

var t0 = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

func cfgAt(tm time.Time) *packet.Config {
	return &packet.Config{Time: func() time.Time { return tm }, Algorithm: packet.PubKeyAlgoEdDSA}
}

// newKey makes an OpenPGP entity created at created, expiring after
// lifetime (0: never).
func newKey(t testing.TB, created time.Time, lifetime time.Duration) *openpgp.Entity {
	t.Helper()
	c := cfgAt(created)
	c.KeyLifetimeSecs = uint32(lifetime / time.Second)
	e, err := openpgp.NewEntity("Release Signer", "", "release@example.org", c)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// publicArmored exports e's public key, armored.
func publicArmored(t testing.TB, e *openpgp.Entity) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.PublicKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Serialize(w); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return buf.Bytes()
}

func publicBinary(t testing.TB, e *openpgp.Entity) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := e.Serialize(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func keyring(t *testing.T, data ...[]byte) openpgp.EntityList {
	t.Helper()
	kr, err := ReadKeyring(data...)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func detachSign(t testing.TB, e *openpgp.Entity, msg []byte, c *packet.Config, armored bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	var err error
	if armored {
		err = openpgp.ArmoredDetachSign(&buf, e, bytes.NewReader(msg), c)
	} else {
		err = openpgp.DetachSign(&buf, e, bytes.NewReader(msg), c)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestVerifyDetached(t *testing.T) {
	tarball := []byte("foo-1.2.tar.xz: the release\n")
	now := t0.Add(30 * 24 * time.Hour)

	good := newKey(t, t0, 0)
	other := newKey(t, t0, 0)
	kr := keyring(t, publicArmored(t, good))

	// Key valid for 10 days, signature on day 1, checked on day 30.
	expiring := newKey(t, t0, 10*24*time.Hour)
	expiringSig := detachSign(t, expiring, tarball, cfgAt(t0.Add(24*time.Hour)), true)

	// Signature on day 20 by a key whose (re-signed) self-signature makes
	// it expire on day 10.
	late := newKey(t, t0, 0)
	lateSig := detachSign(t, late, tarball, cfgAt(t0.Add(20*24*time.Hour)), true)
	setExpiry(t, late, 10*24*time.Hour)

	// Signing subkey.
	withSub := newKey(t, t0, 0)
	if err := withSub.AddSigningSubkey(cfgAt(t0)); err != nil {
		t.Fatal(err)
	}
	subSig := detachSign(t, withSub, tarball, cfgAt(t0.Add(time.Hour)), false)

	// SHA-1.
	sha1Sig := signWithHash(t, good, tarball, crypto.SHA1, t0.Add(time.Hour))

	// Revoked as compromised (after signing: still invalid), and retired
	// after signing (valid with a note).
	compromised := newKey(t, t0, 0)
	compromisedSig := detachSign(t, compromised, tarball, cfgAt(t0.Add(time.Hour)), true)
	if err := compromised.RevokeKey(packet.KeyCompromised, "stolen laptop", cfgAt(t0.Add(48*time.Hour))); err != nil {
		t.Fatal(err)
	}
	retired := newKey(t, t0, 0)
	retiredSig := detachSign(t, retired, tarball, cfgAt(t0.Add(time.Hour)), true)
	if err := retired.RevokeKey(packet.KeyRetired, "moved to a new key", cfgAt(t0.Add(48*time.Hour))); err != nil {
		t.Fatal(err)
	}
	retiredBefore := newKey(t, t0, 0)
	if err := retiredBefore.RevokeKey(packet.KeyRetired, "moved to a new key", cfgAt(t0.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	retiredBeforeSig := signWithHash(t, retiredBefore, tarball, crypto.SHA256, t0.Add(48*time.Hour))

	goodSig := detachSign(t, good, tarball, cfgAt(t0.Add(time.Hour)), true)
	tests := []struct {
		name       string
		data       []byte
		sig        []byte
		kr         openpgp.EntityList
		want       Status
		wantDetail string
		wantSigner *openpgp.Entity
	}{
		{"valid armored", tarball, goodSig, kr, StatusValid, "good signature", good},
		{"valid binary", tarball, detachSign(t, good, tarball, cfgAt(t0.Add(time.Hour)), false), keyring(t, publicBinary(t, good)), StatusValid, "Release Signer", good},
		{"tampered tarball", append([]byte("X"), tarball...), goodSig, kr, StatusInvalid, "BAD signature", good},
		{"wrong key", tarball, detachSign(t, other, tarball, cfgAt(t0.Add(time.Hour)), true), kr, StatusUnverifiable, "which is not in the keyring", nil},
		{"expired since signing", tarball, expiringSig, keyring(t, publicArmored(t, expiring)), StatusValid, "key expired 2024-03-11 after signing", expiring},
		{"signed after expiry", tarball, lateSig, keyring(t, publicArmored(t, late)), StatusValid, "the keyring's copy of the key expired 2024-03-11, before the signature", late},
		{"signing subkey", tarball, subSig, keyring(t, publicArmored(t, withSub)), StatusValid, "good signature", withSub},
		{"SHA-1 (accepted, as gpgv does, with a warning)", tarball, sha1Sig, kr, StatusValid, "good signature", good},
		{"revoked compromised", tarball, compromisedSig, keyring(t, publicArmored(t, compromised)), StatusInvalid, "key revoked 2024-03-03 (compromised: stolen laptop)", compromised},
		{"retired after signing", tarball, retiredSig, keyring(t, publicArmored(t, retired)), StatusValid, "key retired 2024-03-03 after signing", retired},
		{"retired before signing", tarball, retiredBeforeSig, keyring(t, publicArmored(t, retiredBefore)), StatusInvalid, "key revoked", retiredBefore},
		{"garbage signature", tarball, []byte("-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n"), kr, StatusInvalid, "malformed", nil},
		{"key block as signature", tarball, publicArmored(t, good), kr, StatusInvalid, "not a signature", nil},
		{"empty signature", tarball, nil, kr, StatusInvalid, "no OpenPGP signature packet", nil},
		{"future signature", tarball, detachSign(t, good, tarball, cfgAt(now.Add(72*time.Hour)), true), kr, StatusInvalid, "in the future", good},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := VerifyDetached(bytes.NewReader(tc.data), tc.sig, tc.kr, now)
			t.Log(r)
			if r.Status != tc.want || !strings.Contains(r.Detail, tc.wantDetail) {
				t.Fatalf("got %v, want %s with detail containing %q", r, tc.want, tc.wantDetail)
			}
			if r.Subject != SubjectTarball || r.Kind != KindOpenPGP {
				t.Errorf("subject/kind = %s/%s", r.Subject, r.Kind)
			}
			if tc.wantSigner != nil {
				primary := fingerprint(tc.wantSigner.PrimaryKey)
				if r.Signer != primary && r.Primary != primary {
					t.Errorf("signer %q primary %q, want primary %s", r.Signer, r.Primary, primary)
				}
			}
		})
	}
	// The subkey case reports both fingerprints.
	r := VerifyDetached(bytes.NewReader(tarball), subSig, keyring(t, publicArmored(t, withSub)), now)
	if r.Primary != fingerprint(withSub.PrimaryKey) || r.Signer != fingerprint(withSub.Subkeys[len(withSub.Subkeys)-1].PublicKey) {
		t.Errorf("subkey signature: signer %s primary %s", r.Signer, r.Primary)
	}
	// The unknown-key case names the issuer.
	r = VerifyDetached(bytes.NewReader(tarball), detachSign(t, other, tarball, cfgAt(t0.Add(time.Hour)), true), kr, now)
	if r.Signer != fingerprint(other.PrimaryKey) {
		t.Errorf("unknown key: signer %q, want issuer %s", r.Signer, fingerprint(other.PrimaryKey))
	}
}

// setExpiry re-signs e's identities with a key lifetime.
func setExpiry(t *testing.T, e *openpgp.Entity, lifetime time.Duration) {
	t.Helper()
	secs := uint32(lifetime / time.Second)
	for name, id := range e.Identities {
		id.SelfSignature.KeyLifetimeSecs = &secs
		if err := id.SelfSignature.SignUserId(name, e.PrimaryKey, e.PrivateKey, cfgAt(t0)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReadKeyring(t *testing.T) {
	a, b := newKey(t, t0, 0), newKey(t, t0, 0)
	// Two armored blocks in one file, plus a binary file.
	two := append(publicArmored(t, a), publicArmored(t, b)...)
	kr, err := ReadKeyring(two, publicBinary(t, newKey(t, t0, 0)))
	if err != nil {
		t.Fatal(err)
	}
	if len(kr) != 3 {
		t.Fatalf("got %d keys, want 3", len(kr))
	}
	if _, err := ReadKeyring([]byte("not a key")); err == nil {
		t.Error("garbage keyring accepted")
	}
	if _, err := ReadKeyring(); err == nil {
		t.Error("empty keyring accepted")
	}
	if _, err := ReadKeyring(make([]byte, MaxKeyringSize+1)); err == nil {
		t.Error("oversized keyring accepted")
	}
}

func TestVerifyDetachedLimits(t *testing.T) {
	kr := keyring(t, publicArmored(t, newKey(t, t0, 0)))
	r := VerifyDetached(strings.NewReader("x"), make([]byte, MaxSignatureSize+1), kr, t0)
	if r.Status != StatusInvalid || !strings.Contains(r.Detail, "limit") {
		t.Fatalf("oversized signature: %v", r)
	}
}

// gpgHome makes a throwaway GNUPGHOME with an Ed25519 signing key and
// returns a function running gpg in it.
func gpgHome(t *testing.T) (home string, gpg func(stdin []byte, args ...string) []byte) {
	t.Helper()
	bin := requireTool(t, "gpg")
	home, err := os.MkdirTemp("", "tcgpg") // short path: gpg-agent socket length limit
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		exec.Command("gpgconf", "--homedir", home, "--kill", "all").Run()
		os.RemoveAll(home)
	})
	if err := os.Chmod(home, 0o700); err != nil {
		t.Fatal(err)
	}
	gpg = func(stdin []byte, args ...string) []byte {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"--homedir", home, "--batch", "--no-tty", "--pinentry-mode", "loopback", "--passphrase", ""}, args...)...)
		cmd.Stdin = bytes.NewReader(stdin)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("gpg %v: %v\n%s", args, err, stderr.String())
		}
		return out
	}
	gpg(nil, "--quick-gen-key", "Upstream <upstream@example.org>", "ed25519", "sign", "never")
	return home, gpg
}

func TestGPGCrossCheck(t *testing.T) {
	_, gpg := gpgHome(t)
	pub := gpg(nil, "--armor", "--export", "upstream@example.org")
	kr := keyring(t, pub)
	dir := t.TempDir()
	tarball := filepath.Join(dir, "foo-1.2.tar")
	data := []byte("release bytes\r\nwith CRLF\n")
	if err := os.WriteFile(tarball, data, 0o644); err != nil {
		t.Fatal(err)
	}
	armored := gpg(nil, "--armor", "--output", "-", "--detach-sign", tarball)
	binary := gpg(nil, "--output", "-", "--detach-sign", tarball)
	text := gpg(nil, "--armor", "--textmode", "--output", "-", "--detach-sign", tarball)
	now := time.Now()
	for name, s := range map[string][]byte{"armored": armored, "binary": binary, "textmode": text} {
		r := VerifyDetached(bytes.NewReader(data), s, kr, now)
		if r.Status != StatusValid || r.Signer != fingerprint(kr[0].PrimaryKey) {
			t.Errorf("%s gpg signature: %v", name, r)
		}
		r = VerifyDetached(bytes.NewReader(append(data, '!')), s, kr, now)
		if r.Status != StatusInvalid {
			t.Errorf("%s gpg signature over tampered data: %v", name, r)
		}
	}
}

// signWithHash makes a binary detached signature with any hash, which
// go-crypto's DetachSign refuses for SHA-1.
func signWithHash(t *testing.T, e *openpgp.Entity, msg []byte, h crypto.Hash, at time.Time) []byte {
	t.Helper()
	priv := e.PrivateKey
	s := &packet.Signature{
		Version: 4, SigType: packet.SigTypeBinary, PubKeyAlgo: priv.PubKeyAlgo, Hash: h,
		CreationTime: at, IssuerKeyId: &priv.KeyId, IssuerFingerprint: priv.Fingerprint,
	}
	hh, err := s.PrepareVerify()
	if err != nil {
		t.Fatal(err)
	}
	hh.Write(msg)
	c := cfgAt(at)
	no := false
	c.NonDeterministicSignaturesViaNotation = &no
	if err := s.Sign(hh, priv, c); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := s.Serialize(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestPrimaryNameDeterministic: a key whose two user ids were certified
// at one time, neither primary, is named by the smaller of them every
// time (go-crypto's PrimaryIdentity takes whichever its map gives first);
// a user id marked primary still wins.
func TestPrimaryNameDeterministic(t *testing.T) {
	at := time.Date(2023, 2, 10, 7, 0, 0, 0, time.UTC)
	c := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, Time: func() time.Time { return at }}
	e, err := openpgp.NewEntity("Daiki Ueno", "", "ueno@unixuser.org", c)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.AddUserId("Daiki Ueno", "", "ueno@gnu.org", c); err != nil {
		t.Fatal(err)
	}
	if len(e.Identities) != 2 {
		t.Fatalf("%d identities", len(e.Identities))
	}
	for _, id := range e.Identities {
		id.SelfSignature.IsPrimaryId = nil
	}
	for i := 0; i < 100; i++ {
		if got := PrimaryName(e); got != "Daiki Ueno <ueno@gnu.org>" {
			t.Fatalf("run %d: %q, want the smaller name", i, got)
		}
	}
	yes := true
	e.Identities["Daiki Ueno <ueno@unixuser.org>"].SelfSignature.IsPrimaryId = &yes
	if got := PrimaryName(e); got != "Daiki Ueno <ueno@unixuser.org>" {
		t.Fatalf("with a primary user id: %q", got)
	}
}
