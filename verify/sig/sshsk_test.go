package sig

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"io"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// skSigner is a software FIDO authenticator: it signs as OpenSSH's
// sk-ssh-ed25519 / sk-ecdsa-sha2-nistp256 keys do (PROTOCOL.u2f), with
// chosen flags and counter.
type skSigner struct {
	pub     ssh.PublicKey
	ed      ed25519.PrivateKey
	ec      *ecdsa.PrivateKey
	app     string
	flags   byte
	counter uint32
}

func (s *skSigner) PublicKey() ssh.PublicKey { return s.pub }

func (s *skSigner) Sign(_ io.Reader, data []byte) (*ssh.Signature, error) {
	appDigest := sha256.Sum256([]byte(s.app))
	dataDigest := sha256.Sum256(data)
	rest := []byte{s.flags, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(rest[1:], s.counter)
	signed := append(append(append([]byte{}, appDigest[:]...), rest...), dataDigest[:]...)
	if s.ed != nil {
		return &ssh.Signature{Format: ssh.KeyAlgoSKED25519, Blob: ed25519.Sign(s.ed, signed), Rest: rest}, nil
	}
	d := sha256.Sum256(signed)
	r, ss, err := ecdsa.Sign(rand.Reader, s.ec, d[:])
	if err != nil {
		return nil, err
	}
	blob := ssh.Marshal(struct{ R, S *big.Int }{r, ss})
	return &ssh.Signature{Format: ssh.KeyAlgoSKECDSA256, Blob: blob, Rest: rest}, nil
}

// newSKSigner makes a software security key of type algo
// (ssh.KeyAlgoSKED25519 or ssh.KeyAlgoSKECDSA256) for application "ssh:".
func newSKSigner(t testing.TB, algo string, flags byte) *skSigner {
	t.Helper()
	s := &skSigner{app: "ssh:", flags: flags, counter: 7}
	var blob []byte
	if algo == ssh.KeyAlgoSKED25519 {
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		s.ed = priv
		blob = ssh.Marshal(struct {
			Name, Key, App string
		}{algo, string(pub), s.app})
	} else {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		s.ec = k
		point, err := k.PublicKey.ECDH()
		if err != nil {
			t.Fatal(err)
		}
		blob = ssh.Marshal(struct {
			Name, Curve, Key, App string
		}{algo, "nistp256", string(point.Bytes()), s.app})
	}
	pub, err := ssh.ParsePublicKey(blob)
	if err != nil {
		t.Fatal(err)
	}
	s.pub = pub
	return s
}

var skAlgos = []string{ssh.KeyAlgoSKED25519, ssh.KeyAlgoSKECDSA256}

func TestSecurityKeyTag(t *testing.T) {
	payload := tagPayload("v1.2")
	for _, algo := range skAlgos {
		t.Run(algo, func(t *testing.T) {
			touched := newSKSigner(t, algo, SKFlagUserPresence)
			untouched := &skSigner{pub: touched.pub, ed: touched.ed, ec: touched.ec, app: touched.app, flags: 0, counter: 9}
			pinned := &skSigner{pub: touched.pub, ed: touched.ed, ec: touched.ec, app: touched.app,
				flags: SKFlagUserPresence | SKFlagUserVerification, counter: 10}
			fp := ssh.FingerprintSHA256(touched.pub)
			tag := func(s ssh.Signer) *Tag {
				return mustParseTag(t, append(append([]byte{}, payload...), sshsign(t, s, payload, "git", "")...))
			}
			line := func(opts string) []byte { return []byte(allowedLine("upstream@example.org", opts, touched.pub)) }
			other := []byte(allowedLine("upstream@example.org", "", newSKSigner(t, algo, 1).pub))
			tests := []struct {
				name       string
				tag        *Tag
				allowed    []byte
				touch      bool
				want       Status
				reason     Reason
				wantDetail string
			}{
				{"touched", tag(touched), line(""), false, StatusValid, ReasonNone, "security key, touch, no user verification, counter 7"},
				{"untouched (as ssh-keygen)", tag(untouched), line(""), false, StatusValid, ReasonNone, "no touch"},
				{"untouched, touch required", tag(untouched), line(""), true, StatusInvalid, ReasonSecurityKeyFlags, "lacks no-touch-required"},
				{"untouched, no-touch-required", tag(untouched), line("no-touch-required"), true, StatusValid, ReasonNone, "no touch"},
				{"touched, touch required", tag(touched), line(""), true, StatusValid, ReasonNone, "good signature by " + fp},
				{"verify-required without PIN", tag(touched), line("verify-required"), false, StatusInvalid, ReasonSecurityKeyFlags, "verify-required"},
				{"verify-required with PIN", tag(pinned), line("verify-required"), false, StatusValid, ReasonNone, "user verification, counter 10"},
				{"no allowed signers", tag(untouched), nil, false, StatusUnverifiable, ReasonNoTrustMaterial, "FIDO security key " + fp},
				{"key not allowed", tag(touched), other, false, StatusUnverifiable, ReasonUnknownKey, "not in the allowed-signers file"},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					r := VerifyTag(tc.tag, TagPolicy{Name: "v1.2", AllowedSigners: tc.allowed, RequireSecurityKeyTouch: tc.touch}, tagTime)
					t.Log(r)
					if r.Status != tc.want || r.Reason != tc.reason || !strings.Contains(r.Detail, tc.wantDetail) {
						t.Fatalf("got %v, want %s [%s] with %q", r, tc.want, tc.reason, tc.wantDetail)
					}
					if r.Issuer != fp || r.SecurityKey == nil || r.SecurityKey.Application != "ssh:" {
						t.Errorf("issuer %q, security key %+v", r.Issuer, r.SecurityKey)
					}
				})
			}

			// Tampered payload: invalid whatever the trust material.
			bad := tag(touched)
			bad.Payload = append(append([]byte{}, bad.Payload...), '!')
			for _, allowed := range [][]byte{nil, line("")} {
				if r := VerifyTag(bad, TagPolicy{AllowedSigners: allowed}, tagTime); r.Status != StatusInvalid {
					t.Errorf("tampered payload: %v", r)
				}
			}
			// golang.org/x/crypto agrees on a touched signature.
			s, err := ParseSSHSignature(tag(touched).Signature)
			if err != nil {
				t.Fatal(err)
			}
			if info := s.SecurityKey(); info == nil || !info.UserPresent() || info.Counter != 7 {
				t.Errorf("SecurityKey() = %+v", info)
			}
		})
	}
}

// TestSecurityKeyAuthenticatorData: authenticator data that is not
// exactly flags and counter is refused.
func TestSecurityKeyAuthenticatorData(t *testing.T) {
	s := newSKSigner(t, ssh.KeyAlgoSKED25519, SKFlagUserPresence)
	sig, err := s.Sign(rand.Reader, []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verifySecurityKey(s.pub, []byte("x"), sig); err != nil {
		t.Fatalf("good signature: %v", err)
	}
	for name, edit := range map[string]func(*ssh.Signature){
		"long rest":   func(g *ssh.Signature) { g.Rest = append(g.Rest, 0) },
		"short rest":  func(g *ssh.Signature) { g.Rest = g.Rest[:4] },
		"flags":       func(g *ssh.Signature) { g.Rest = []byte{0, 0, 0, 0, 7} },
		"format":      func(g *ssh.Signature) { g.Format = ssh.KeyAlgoSKECDSA256 },
		"short blob":  func(g *ssh.Signature) { g.Blob = g.Blob[:10] },
		"other bytes": func(g *ssh.Signature) { g.Blob = append([]byte{g.Blob[0] ^ 1}, g.Blob[1:]...) },
	} {
		g := *sig
		g.Rest = append([]byte{}, sig.Rest...)
		edit(&g)
		if _, err := verifySecurityKey(s.pub, []byte("x"), &g); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestSecurityKeySSHKeygen cross-checks with OpenSSH: ssh-keygen -Y
// verify accepts software-made security-key signatures whatever their
// flags, and so does VerifyTag with the same allowed-signers file (and
// both refuse a tampered message and a key that is not listed).
func TestSecurityKeySSHKeygen(t *testing.T) {
	requireTool(t, "ssh-keygen")
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	payload := tagPayload("v1.2")
	payloadPath := write("payload", payload)
	tamperedPath := write("tampered", append(append([]byte{}, payload...), '!'))
	keygen := func(allowed, sigPath, msgPath string) bool {
		t.Helper()
		f, err := os.Open(msgPath)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cmd := exec.Command("ssh-keygen", "-Y", "verify", "-f", allowed, "-I", "upstream@example.org", "-n", "git", "-s", sigPath)
		cmd.Stdin = f
		out, err := cmd.CombinedOutput()
		t.Logf("ssh-keygen: %v: %s", err, strings.TrimSpace(string(out)))
		return err == nil
	}
	for _, algo := range skAlgos {
		for _, flags := range []byte{0, SKFlagUserPresence, SKFlagUserPresence | SKFlagUserVerification} {
			s := newSKSigner(t, algo, flags)
			armored := sshsign(t, s, payload, "git", "")
			sigPath := write("sig", armored)
			allowed := []byte(allowedLine("upstream@example.org", "", s.pub))
			allowedPath := write("allowed", allowed)
			otherPath := write("other", []byte(allowedLine("upstream@example.org", "", newSKSigner(t, algo, 1).pub)))
			tag := mustParseTag(t, append(append([]byte{}, payload...), armored...))
			for _, c := range []struct {
				name    string
				allowed []byte
				path    string
				msg     string
				tamper  bool
			}{
				{"listed", allowed, allowedPath, payloadPath, false},
				{"tampered", allowed, allowedPath, tamperedPath, true},
				{"not listed", nil, otherPath, payloadPath, false},
			} {
				okKeygen := keygen(c.path, sigPath, c.msg)
				tg := *tag
				as := c.allowed
				if c.allowed == nil {
					as, _ = os.ReadFile(otherPath)
				}
				if c.tamper {
					tg.Payload = append(append([]byte{}, payload...), '!')
				}
				r := VerifyTag(&tg, TagPolicy{AllowedSigners: as}, tagTime)
				if okKeygen != (r.Status == StatusValid) {
					t.Errorf("%s flags %#x %s: ssh-keygen ok=%v, tarcheck %v", algo, flags, c.name, okKeygen, r)
				}
			}
		}
	}
}

// TestAllowedSignersFIDOOptions: the FIDO options parse.
func TestAllowedSignersFIDOOptions(t *testing.T) {
	k := newSKSigner(t, ssh.KeyAlgoSKED25519, 1).pub
	got, err := ParseAllowedSigners([]byte(allowedLine("a@b", `no-touch-required,verify-required,namespaces="git"`, k)))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !got[0].NoTouchRequired || !got[0].VerifyRequired || len(got[0].Namespaces) != 1 {
		t.Fatalf("%+v", got)
	}
}

// TestSSHUnknownKeyReason: with an allowed-signers file, a key (or a
// certificate's CA) outside it is ReasonUnknownKey with the key's (the
// CA's) fingerprint as Issuer; a key listed only as a CA too.
func TestSSHUnknownKeyReason(t *testing.T) {
	ca, user, stranger := newSSHSignerTB(t), newECDSASigner(t), newSSHSignerTB(t)
	listed := []byte(allowedLine("*@example.org", "", stranger.PublicKey()))
	certTag := mustParseTag(t, signedTag(t, certSigner(t, newUserCert(t, ca, user.PublicKey(), nil), user)))
	plainTag := mustParseTag(t, signedTag(t, user))
	caOnly := []byte(allowedLine("*@example.org", "cert-authority", user.PublicKey()))
	for _, tc := range []struct {
		name    string
		tag     *Tag
		allowed []byte
		issuer  string
	}{
		{"plain key", plainTag, listed, ssh.FingerprintSHA256(user.PublicKey())},
		{"certificate", certTag, listed, ssh.FingerprintSHA256(ca.PublicKey())},
		{"key listed as CA only", plainTag, caOnly, ssh.FingerprintSHA256(user.PublicKey())},
	} {
		r := VerifyTag(tc.tag, TagPolicy{AllowedSigners: tc.allowed}, tagTime)
		if r.Status != StatusUnverifiable || r.Reason != ReasonUnknownKey || r.Issuer != tc.issuer || r.SecurityKey != nil {
			t.Errorf("%s: %v issuer %q, want %s", tc.name, r, r.Issuer, tc.issuer)
		}
		r = VerifyTag(tc.tag, TagPolicy{}, tagTime)
		if r.Status != StatusUnverifiable || r.Reason != ReasonNoTrustMaterial || r.Issuer != tc.issuer {
			t.Errorf("%s, no allowed signers: %v", tc.name, r)
		}
	}
}
