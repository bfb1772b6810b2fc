package sig

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// tagTime is the tagger time of tagPayload: the time certificates are
// judged at.
var tagTime = time.Unix(1709294400, 0)

func newECDSASigner(t testing.TB) ssh.Signer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// newUserCert makes a user certificate for key, valid a day either side
// of tagTime for principal upstream@example.org, signed by ca; edit
// changes it before signing.
func newUserCert(t testing.TB, ca ssh.Signer, key ssh.PublicKey, edit func(*ssh.Certificate)) *ssh.Certificate {
	t.Helper()
	c := &ssh.Certificate{
		Key:             key,
		Serial:          42,
		CertType:        ssh.UserCert,
		KeyId:           "upstream-release-key",
		ValidPrincipals: []string{"upstream@example.org"},
		ValidAfter:      uint64(tagTime.Add(-24 * time.Hour).Unix()),
		ValidBefore:     uint64(tagTime.Add(24 * time.Hour).Unix()),
		Permissions:     ssh.Permissions{Extensions: map[string]string{"permit-pty": ""}},
	}
	if edit != nil {
		edit(c)
	}
	if err := c.SignCert(rand.Reader, ca); err != nil {
		t.Fatal(err)
	}
	return c
}

// certSigner signs with the key of cert and presents cert as its key.
func certSigner(t testing.TB, cert *ssh.Certificate, key ssh.Signer) ssh.Signer {
	t.Helper()
	s, err := ssh.NewCertSigner(cert, key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// mismatchedSigner presents pub but signs with another key.
type mismatchedSigner struct {
	ssh.Signer
	pub ssh.PublicKey
}

func (m mismatchedSigner) PublicKey() ssh.PublicKey { return m.pub }

func signedTag(t testing.TB, s ssh.Signer) []byte {
	t.Helper()
	payload := tagPayload("v2.0")
	return append(append([]byte{}, payload...), sshsign(t, s, payload, "git", "")...)
}

func TestVerifyTagSSHCert(t *testing.T) {
	ca := newSSHSignerTB(t)     // ed25519 CA
	ecCA := newECDSASigner(t)   // ecdsa CA
	user := newECDSASigner(t)   // ecdsa user key
	edUser := newSSHSignerTB(t) // ed25519 user key
	caLine := func(principals, opts string) string {
		o := "cert-authority"
		if opts != "" {
			o += "," + opts
		}
		return allowedLine(principals, o, ca.PublicKey())
	}
	tagWith := func(edit func(*ssh.Certificate)) []byte {
		return signedTag(t, certSigner(t, newUserCert(t, ca, user.PublicKey(), edit), user))
	}
	valid := tagWith(nil)

	forged := newUserCert(t, ca, user.PublicKey(), nil)
	forged.ValidPrincipals = []string{"root@example.org"} // after the CA signed
	tooMany := make([]string, MaxCertPrincipals+1)
	for i := range tooMany {
		tooMany[i] = fmt.Sprintf("p%d@example.org", i)
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsaCA, err := ssh.NewSignerFromKey(rsaKey)
	if err != nil {
		t.Fatal(err)
	}
	sha1CA, err := ssh.NewSignerWithAlgorithms(rsaCA.(ssh.AlgorithmSigner), []string{ssh.KeyAlgoRSA})
	if err != nil {
		t.Fatal(err)
	}
	sha2CA, err := ssh.NewSignerWithAlgorithms(rsaCA.(ssh.AlgorithmSigner), []string{ssh.KeyAlgoRSASHA512})
	if err != nil {
		t.Fatal(err)
	}
	other := newSSHSignerTB(t)

	tests := []struct {
		name    string
		raw     []byte
		allowed string
		want    Status
		in      string
		signer  string // for valid results
	}{
		{"valid ed25519 CA, ecdsa key", valid, caLine("upstream@example.org", `namespaces="git"`), StatusValid, "upstream-release-key", "upstream@example.org"},
		{"valid ecdsa CA, ed25519 key, wildcard line",
			signedTag(t, certSigner(t, newUserCert(t, ecCA, edUser.PublicKey(), func(c *ssh.Certificate) {
				c.ValidPrincipals = []string{"build@elsewhere.org", "upstream@example.org", "alt@example.org"}
			}), edUser)),
			allowedLine("*@example.org,!nobody@example.org", "cert-authority", ecCA.PublicKey()),
			StatusValid, ssh.FingerprintSHA256(ecCA.PublicKey()), "upstream@example.org,alt@example.org"},
		{"valid rsa-sha2-512 CA",
			signedTag(t, certSigner(t, newUserCert(t, sha2CA, user.PublicKey(), nil), user)),
			allowedLine("upstream@example.org", "cert-authority", rsaCA.PublicKey()), StatusValid, "good signature", "upstream@example.org"},
		{"second CA line accepts", valid, caLine("upstream@example.org", `namespaces="file"`) + caLine("upstream@example.org", ""), StatusValid, "good signature", "upstream@example.org"},
		{"line window around tagging", valid, caLine("upstream@example.org", `valid-after="20240101",valid-before="20250101"`), StatusValid, "good signature", "upstream@example.org"},
		{"option keyword case", valid, allowedLine("upstream@example.org", "Cert-Authority", ca.PublicKey()), StatusValid, "good signature", "upstream@example.org"},

		{"expired at tagger time", tagWith(func(c *ssh.Certificate) { c.ValidBefore = uint64(tagTime.Add(-time.Hour).Unix()) }), caLine("upstream@example.org", ""), StatusInvalid, "expired", ""},
		{"expires exactly at tagger time", tagWith(func(c *ssh.Certificate) { c.ValidBefore = uint64(tagTime.Unix()) }), caLine("upstream@example.org", ""), StatusInvalid, "expired", ""},
		{"not yet valid", tagWith(func(c *ssh.Certificate) { c.ValidAfter = uint64(tagTime.Add(time.Hour).Unix()) }), caLine("upstream@example.org", ""), StatusInvalid, "valid only after", ""},
		{"forever", tagWith(func(c *ssh.Certificate) { c.ValidAfter, c.ValidBefore = 0, ssh.CertTimeInfinity }), caLine("upstream@example.org", ""), StatusValid, "good signature", "upstream@example.org"},
		{"principal not in cert", tagWith(func(c *ssh.Certificate) { c.ValidPrincipals = []string{"someone@example.org"} }), caLine("upstream@example.org", ""), StatusInvalid, "do not match", ""},
		{"cert without principals", tagWith(func(c *ssh.Certificate) { c.ValidPrincipals = nil }), caLine("*", ""), StatusInvalid, "no principals", ""},
		{"too many principals", tagWith(func(c *ssh.Certificate) { c.ValidPrincipals = tooMany }), caLine("*@example.org", ""), StatusInvalid, "limit", ""},
		{"CA not listed", valid, allowedLine("upstream@example.org", "cert-authority", other.PublicKey()), StatusUnverifiable, "not in the allowed-signers", ""},
		{"CA listed without cert-authority", valid, allowedLine("upstream@example.org", "", ca.PublicKey()), StatusUnverifiable, "without the cert-authority", ""},
		{"cert key listed as plain key", valid, allowedLine("upstream@example.org", "", user.PublicKey()), StatusUnverifiable, "not in the allowed-signers", ""},
		{"plain key, only a cert-authority line", signedTag(t, user), allowedLine("upstream@example.org", "cert-authority", user.PublicKey()), StatusUnverifiable, "only as a cert-authority", ""},
		{"host certificate", tagWith(func(c *ssh.Certificate) { c.CertType = ssh.HostCert }), caLine("*", ""), StatusInvalid, "not a user certificate", ""},
		{"unknown critical option", tagWith(func(c *ssh.Certificate) {
			c.CriticalOptions = map[string]string{"force-command": "/bin/true", "no-such-option@example.org": ""}
		}), caLine("upstream@example.org", ""), StatusInvalid, "critical option", ""},
		{"session-only critical options", tagWith(func(c *ssh.Certificate) {
			c.CriticalOptions = map[string]string{"force-command": "/bin/true", "source-address": "10.0.0.0/8"}
		}), caLine("upstream@example.org", ""), StatusValid, "good signature", "upstream@example.org"},
		{"verify-required critical option", tagWith(func(c *ssh.Certificate) { c.CriticalOptions = map[string]string{"verify-required": ""} }), caLine("upstream@example.org", ""), StatusInvalid, "critical option", ""},
		{"namespaces other", valid, caLine("upstream@example.org", `namespaces="other"`), StatusInvalid, "namespace", ""},
		{"line valid-before before tagging", valid, caLine("upstream@example.org", `valid-before="20240101"`), StatusInvalid, "valid only before", ""},
		{"line valid-after after tagging", valid, caLine("upstream@example.org", `valid-after="20250101Z"`), StatusInvalid, "valid only after", ""},
		{"forged principals", signedTag(t, certSigner(t, forged, user)), caLine("*@example.org", ""), StatusInvalid, "signature does not verify", ""},
		{"sha1 CA signature", signedTag(t, certSigner(t, newUserCert(t, sha1CA, user.PublicKey(), nil), user)),
			allowedLine("upstream@example.org", "cert-authority", rsaCA.PublicKey()), StatusInvalid, "SHA-1", ""},
		{"signed by another key than the cert's", signedTag(t, mismatchedSigner{Signer: other, pub: newUserCert(t, ca, user.PublicKey(), nil)}),
			caLine("upstream@example.org", ""), StatusInvalid, "BAD signature", ""},
		{"tampered payload", bytes.Replace(valid, []byte("Release"), []byte("Relaese"), 1), caLine("upstream@example.org", ""), StatusInvalid, "BAD signature", ""},
	}
	userFP := ssh.FingerprintSHA256(user.PublicKey())
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := VerifyTag(mustParseTag(t, tc.raw), TagPolicy{Name: "v2.0", Object: commitID, AllowedSigners: []byte(tc.allowed)}, tagTime.Add(time.Hour))
			if r.Status != tc.want || r.Kind != KindSSH || !strings.Contains(r.Detail, tc.in) {
				t.Fatalf("got %v, want %s with %q", r, tc.want, tc.in)
			}
			switch {
			case r.Status == StatusValid && r.Signer != tc.signer:
				t.Errorf("signer %q, want %q", r.Signer, tc.signer)
			case r.Status != StatusValid && r.Signer != userFP:
				t.Errorf("signer %q, want the certified key's fingerprint %s", r.Signer, userFP)
			}
			if strings.Contains(r.Detail, "\n") {
				t.Errorf("multi-line detail %q", r.Detail)
			}
		})
	}

	t.Run("detail names CA and key id", func(t *testing.T) {
		r := VerifyTag(mustParseTag(t, valid), TagPolicy{Name: "v2.0", AllowedSigners: []byte(caLine("upstream@example.org", ""))}, tagTime)
		for _, want := range []string{userFP, ssh.FingerprintSHA256(ca.PublicKey()), `"upstream-release-key"`, "serial 42"} {
			if !strings.Contains(r.Detail, want) {
				t.Errorf("detail %q lacks %q", r.Detail, want)
			}
		}
	})
	t.Run("long key id keeps CA fingerprint", func(t *testing.T) {
		raw := tagWith(func(c *ssh.Certificate) { c.KeyId = strings.Repeat("\x1b[31mX", 500) })
		r := VerifyTag(mustParseTag(t, raw), TagPolicy{Name: "v2.0", AllowedSigners: []byte(caLine("upstream@example.org", ""))}, tagTime)
		if r.Status != StatusValid || !strings.Contains(r.Detail, ssh.FingerprintSHA256(ca.PublicKey())) || strings.ContainsRune(r.Detail, 0x1b) {
			t.Fatalf("got %v", r)
		}
	})
	t.Run("no tagger: judged at now", func(t *testing.T) {
		payload := []byte("object " + commitID + "\ntype commit\ntag v2.0\n\nRelease\n")
		raw := append(payload, sshsign(t, certSigner(t, newUserCert(t, ca, user.PublicKey(), nil), user), payload, "git", "")...)
		allowed := []byte(caLine("upstream@example.org", ""))
		if r := VerifyTag(mustParseTag(t, raw), TagPolicy{AllowedSigners: allowed}, tagTime); r.Status != StatusValid {
			t.Fatalf("within validity: %v", r)
		}
		if r := VerifyTag(mustParseTag(t, raw), TagPolicy{AllowedSigners: allowed}, tagTime.Add(48*time.Hour)); r.Status != StatusInvalid || !strings.Contains(r.Detail, "expired") {
			t.Fatalf("after validity: %v", r)
		}
	})
}

func TestParseAllowedSignersCertAuthority(t *testing.T) {
	ca := newSSHSignerTB(t)
	key := newSSHSignerTB(t)
	data := allowedLine("*@example.org", `cert-authority,namespaces="git"`, ca.PublicKey()) +
		allowedLine("upstream@example.org", "", key.PublicKey())
	got, err := ParseAllowedSigners([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d lines, want 2", len(got))
	}
	if !got[0].CertAuthority || got[0].Principals != "*@example.org" || len(got[0].Namespaces) != 1 ||
		!bytes.Equal(got[0].Key.Marshal(), ca.PublicKey().Marshal()) {
		t.Errorf("CA line: %+v", got[0])
	}
	if got[1].CertAuthority {
		t.Errorf("plain line marked cert-authority: %+v", got[1])
	}
}

// TestGitTagSSHCert cross-checks with OpenSSH and git: a tag signed with
// a certificate by `git tag -s` verifies under a cert-authority line, for
// git verify-tag and for VerifyTag, and neither accepts the CA key
// listed without cert-authority.
func TestGitTagSSHCert(t *testing.T) {
	requireTool(t, "ssh-keygen")
	dir, head := newRepo(t)
	keygen := func(args ...string) {
		t.Helper()
		out, err := exec.Command("ssh-keygen", args...).CombinedOutput()
		if err != nil {
			t.Fatalf("ssh-keygen %v: %v\n%s", args, err, out)
		}
	}
	caPath, userPath := filepath.Join(dir, "ca"), filepath.Join(dir, "user")
	keygen("-q", "-t", "ed25519", "-N", "", "-C", "ca", "-f", caPath)
	keygen("-q", "-t", "ecdsa", "-N", "", "-C", "upstream", "-f", userPath)
	keygen("-q", "-s", caPath, "-I", "upstream-id", "-n", "upstream@example.org", "-V", "-1h:+1d", userPath+".pub")
	caPub, err := os.ReadFile(caPath + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	allowed := []byte(fmt.Sprintf("*@example.org cert-authority,namespaces=\"git\" %s", caPub))
	plain := []byte(fmt.Sprintf("*@example.org %s", caPub))
	allowedPath, plainPath := write("allowed_signers", allowed), write("plain_signers", plain)

	noAgent := []string{"SSH_AUTH_SOCK="}
	gitIn(t, dir, noAgent, "-c", "gpg.format=ssh", "-c", "user.signingkey="+userPath+"-cert.pub", "tag", "-s", "v3.0", "-m", "Release 3.0")
	gitIn(t, dir, nil, "-c", "gpg.ssh.allowedSignersFile="+allowedPath, "verify-tag", "v3.0")
	raw := gitIn(t, dir, nil, "cat-file", "tag", "v3.0")
	tag := mustParseTag(t, raw)
	s, err := ParseSSHSignature(tag.Signature)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.PublicKey.(*ssh.Certificate); !ok {
		t.Fatalf("git signed with a %T, not a certificate", s.PublicKey)
	}
	r := VerifyTag(tag, TagPolicy{Name: "v3.0", Object: head, AllowedSigners: allowed}, time.Now())
	if r.Status != StatusValid || r.Signer != "upstream@example.org" || !strings.Contains(r.Detail, `"upstream-id"`) {
		t.Fatalf("certificate-signed tag: %v", r)
	}

	cmd := exec.Command("git", "-c", "gpg.ssh.allowedSignersFile="+plainPath, "verify-tag", "v3.0")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Fatalf("git verify-tag accepts the CA key without cert-authority:\n%s", out)
	}
	if r := VerifyTag(tag, TagPolicy{Name: "v3.0", AllowedSigners: plain}, time.Now()); r.Status == StatusValid {
		t.Fatalf("CA key without cert-authority: %v", r)
	}
}

// FuzzVerifySSHCert fuzzes the SSH signature and the allowed-signers file
// of an SSH-signed tag, seeded with certificate signatures and
// cert-authority lines. A valid result must not survive a change of the
// signed payload.
func FuzzVerifySSHCert(f *testing.F) {
	ca := newSSHSignerTB(f)
	user := newECDSASigner(f)
	payload := tagPayload("v2.0")
	cert := newUserCert(f, ca, user.PublicKey(), nil)
	host := newUserCert(f, ca, user.PublicKey(), func(c *ssh.Certificate) { c.CertType = ssh.HostCert })
	line := allowedLine("*@example.org", `cert-authority,namespaces="git"`, ca.PublicKey())
	f.Add(sshsign(f, certSigner(f, cert, user), payload, "git", ""), []byte(line))
	f.Add(sshsign(f, certSigner(f, host, user), payload, "git", ""), []byte(line))
	f.Add(sshsign(f, certSigner(f, cert, user), payload, "git", ""), []byte(allowedLine("*", "", ca.PublicKey())))
	f.Add(sshsign(f, user, payload, "git", ""), []byte(allowedLine("*", "cert-authority", user.PublicKey())))
	f.Add([]byte(sshsigBegin+"\nU1NIU0lHAAAAAQ==\n"+sshsigEnd+"\n"), []byte(`"a b" cert-authority,valid-before="20250101Z" ssh-ed25519 AAAA`+"\n"))
	other := append(append([]byte{}, payload...), '!')
	f.Fuzz(func(t *testing.T, signature, allowed []byte) {
		_, _ = ParseAllowedSigners(allowed)
		r := verifySSHTag(Result{}, payload, signature, allowed, false, tagTime)
		if r.Status == StatusValid {
			if r2 := verifySSHTag(Result{}, other, signature, allowed, false, tagTime); r2.Status == StatusValid {
				t.Fatalf("signature verifies two payloads: %v", r2)
			}
		}
	})
}

// BenchmarkVerifyTagSSHCert measures parsing and verifying a tag signed
// with an OpenSSH user certificate (ed25519 CA, ecdsa P-256 key).
func BenchmarkVerifyTagSSHCert(b *testing.B) {
	ca := newSSHSignerTB(b)
	user := newECDSASigner(b)
	raw := signedTag(b, certSigner(b, newUserCert(b, ca, user.PublicKey(), nil), user))
	allowed := []byte(allowedLine("*@example.org", "cert-authority", ca.PublicKey()))
	for b.Loop() {
		tag, err := ParseTag(raw)
		if err != nil {
			b.Fatal(err)
		}
		if r := VerifyTag(tag, TagPolicy{Name: "v2.0", AllowedSigners: allowed}, tagTime); r.Status != StatusValid {
			b.Fatal(r)
		}
	}
}
