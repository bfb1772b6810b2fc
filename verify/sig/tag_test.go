package sig

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

const commitID = "0123456789abcdef0123456789abcdef01234567"

func tagPayload(name string) []byte {
	return []byte("object " + commitID + "\ntype commit\ntag " + name +
		"\ntagger Upstream <upstream@example.org> 1709294400 +0100\n\nRelease " + name + "\n")
}

// sshsign makes an armored SSHSIG over msg in namespace ns.
func sshsign(t testing.TB, signer ssh.Signer, msg []byte, ns, algo string) []byte {
	t.Helper()
	d := sha512.Sum512(msg)
	var signed bytes.Buffer
	signed.WriteString(sshsigMagic)
	sshString(&signed, []byte(ns))
	sshString(&signed, nil)
	sshString(&signed, []byte("sha512"))
	sshString(&signed, d[:])
	var s *ssh.Signature
	var err error
	if algo != "" {
		s, err = signer.(ssh.AlgorithmSigner).SignWithAlgorithm(rand.Reader, signed.Bytes(), algo)
	} else {
		s, err = signer.Sign(rand.Reader, signed.Bytes())
	}
	if err != nil {
		t.Fatal(err)
	}
	var blob bytes.Buffer
	blob.WriteString(sshsigMagic)
	blob.Write([]byte{0, 0, 0, 1})
	sshString(&blob, signer.PublicKey().Marshal())
	sshString(&blob, []byte(ns))
	sshString(&blob, nil)
	sshString(&blob, []byte("sha512"))
	sshString(&blob, ssh.Marshal(s))
	b64 := base64.StdEncoding.EncodeToString(blob.Bytes())
	var out strings.Builder
	out.WriteString(sshsigBegin + "\n")
	for len(b64) > 70 {
		out.WriteString(b64[:70] + "\n")
		b64 = b64[70:]
	}
	out.WriteString(b64 + "\n" + sshsigEnd + "\n")
	return []byte(out.String())
}

func newSSHSigner(t *testing.T) ssh.Signer { return newSSHSignerTB(t) }

func newSSHSignerTB(t testing.TB) ssh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func allowedLine(principal, options string, k ssh.PublicKey) string {
	line := principal + " "
	if options != "" {
		line += options + " "
	}
	return line + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k))) + "\n"
}

func mustParseTag(t *testing.T, raw []byte) *Tag {
	t.Helper()
	tag, err := ParseTag(raw)
	if err != nil {
		t.Fatal(err)
	}
	return tag
}

func TestVerifyTagOpenPGP(t *testing.T) {
	key := newKey(t, t0, 0)
	kr := keyring(t, publicArmored(t, key))
	now := t0.Add(24 * time.Hour)
	payload := tagPayload("v1.2")
	raw := append(append([]byte{}, payload...), detachSign(t, key, payload, cfgAt(t0.Add(time.Hour)), true)...)

	tag := mustParseTag(t, raw)
	if tag.Name != "v1.2" || tag.Object != commitID || tag.Type != "commit" || tag.SigFormat != SigFormatOpenPGP ||
		tag.Tagger != "Upstream <upstream@example.org>" || tag.TaggerTime.Unix() != 1709294400 ||
		tag.Message != "Release v1.2\n" || !bytes.Equal(tag.Payload, payload) {
		t.Fatalf("parsed tag: %+v", tag)
	}

	tampered := bytes.Replace(raw, []byte("Release v1.2"), []byte("Release v1.3"), 1)
	unsigned := tagPayload("v1.2")
	tests := []struct {
		name string
		raw  []byte
		p    TagPolicy
		want Status
		in   string
	}{
		{"valid", raw, TagPolicy{Name: "v1.2", Object: commitID, Keyring: kr}, StatusValid, "good signature"},
		{"renamed tag", raw, TagPolicy{Name: "v1.3", Object: commitID, Keyring: kr}, StatusInvalid, "renamed"},
		{"re-pointed tag", raw, TagPolicy{Name: "v1.2", Object: strings.Repeat("f", 40), Keyring: kr}, StatusInvalid, "re-pointed"},
		{"tampered message", tampered, TagPolicy{Name: "v1.2", Keyring: kr}, StatusInvalid, "BAD signature"},
		{"wrong key", raw, TagPolicy{Name: "v1.2", Keyring: keyring(t, publicArmored(t, newKey(t, t0, 0)))}, StatusUnverifiable, "not in the keyring"},
		{"no keyring", raw, TagPolicy{Name: "v1.2"}, StatusUnverifiable, "no keyring"},
		{"unsigned", unsigned, TagPolicy{Name: "v1.2", Keyring: kr}, StatusMissing, "not signed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := VerifyTag(mustParseTag(t, tc.raw), tc.p, now)
			if r.Status != tc.want || !strings.Contains(r.Detail, tc.in) || r.Subject != SubjectTag {
				t.Fatalf("got %v, want %s with %q", r, tc.want, tc.in)
			}
		})
	}
}

func TestVerifyTagSSH(t *testing.T) {
	signer := newSSHSigner(t)
	payload := tagPayload("v2.0")
	raw := append(append([]byte{}, payload...), sshsign(t, signer, payload, "git", "")...)
	rawFile := append(append([]byte{}, payload...), sshsign(t, signer, payload, "file", "")...)
	pub := signer.PublicKey()
	allowed := []byte("# maintainers\n" + allowedLine("upstream@example.org", `namespaces="git"`, pub))
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsaSigner, err := ssh.NewSignerFromKey(rsaKey)
	if err != nil {
		t.Fatal(err)
	}
	rawSHA1 := append(append([]byte{}, payload...), sshsign(t, rsaSigner, payload, "git", ssh.KeyAlgoRSA)...)
	rawRSA256 := append(append([]byte{}, payload...), sshsign(t, rsaSigner, payload, "git", ssh.KeyAlgoRSASHA256)...)
	rsaAllowed := []byte(allowedLine("rsa@example.org", "", rsaSigner.PublicKey()))

	now := time.Unix(1709294400, 0).Add(time.Hour)
	tests := []struct {
		name    string
		raw     []byte
		allowed []byte
		want    Status
		in      string
	}{
		{"valid", raw, allowed, StatusValid, "good signature"},
		{"rsa-sha2-256", rawRSA256, rsaAllowed, StatusValid, "good signature"},
		{"rsa sha1", rawSHA1, rsaAllowed, StatusInvalid, "SHA-1"},
		{"tampered", bytes.Replace(raw, []byte("Release"), []byte("Relaese"), 1), allowed, StatusInvalid, "BAD signature"},
		{"namespace file", rawFile, allowed, StatusInvalid, "namespace"},
		{"not allowed", raw, []byte(allowedLine("other@example.org", "", newSSHSigner(t).PublicKey())), StatusUnverifiable, "not in the allowed-signers"},
		{"no allowed signers", raw, nil, StatusUnverifiable, "--allowed-signers"},
		{"namespaces option refuses git", raw, []byte(allowedLine("upstream@example.org", `namespaces="file,mail"`, pub)), StatusInvalid, "namespace"},
		{"valid-before before tagging", raw, []byte(allowedLine("upstream@example.org", `valid-before="20240101"`, pub)), StatusInvalid, "valid only before"},
		{"valid-after after tagging", raw, []byte(allowedLine("upstream@example.org", `valid-after="20250101Z"`, pub)), StatusInvalid, "valid only after"},
		{"window around tagging", raw, []byte(allowedLine("upstream@example.org", `valid-after="20240101",valid-before="20250101"`, pub)), StatusValid, ""},
		{"cert-authority skipped", raw, []byte(allowedLine("*@example.org", `cert-authority`, pub)), StatusUnverifiable, "not in the allowed-signers"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tag := mustParseTag(t, tc.raw)
			if tag.SigFormat != SigFormatSSH {
				t.Fatalf("format %q", tag.SigFormat)
			}
			r := VerifyTag(tag, TagPolicy{Name: "v2.0", Object: commitID, AllowedSigners: tc.allowed}, now)
			if r.Status != tc.want || !strings.Contains(r.Detail, tc.in) || r.Kind != KindSSH {
				t.Fatalf("got %v, want %s with %q", r, tc.want, tc.in)
			}
			if r.Status == StatusValid && !strings.HasSuffix(r.Signer, "@example.org") {
				t.Errorf("signer %q is not the principal", r.Signer)
			}
		})
	}
}

func TestParseTag(t *testing.T) {
	payload := tagPayload("v1")
	pgp := "-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n"
	sshs := "-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n"
	tests := []struct {
		name    string
		raw     string
		wantErr error
		format  string
	}{
		{"unsigned", string(payload), nil, ""},
		{"openpgp", string(payload) + pgp, nil, SigFormatOpenPGP},
		{"ssh", string(payload) + sshs, nil, SigFormatSSH},
		{"x509", string(payload) + "-----BEGIN SIGNED MESSAGE-----\nAAAA\n-----END SIGNED MESSAGE-----\n", nil, SigFormatX509},
		{"two signature blocks", string(payload) + pgp + pgp, ErrMultipleSignatures, ""},
		{"pgp and ssh blocks", string(payload) + sshs + pgp, ErrMultipleSignatures, ""},
		{"signature in message then signature", "object " + commitID + "\ntype commit\ntag v1\n\n" + pgp + "text\n" + pgp, ErrMultipleSignatures, ""},
		{"gpgsig header", "object " + commitID + "\ntype commit\ntag v1\ngpgsig-sha256 x\n\nmsg\n", ErrMultipleSignatures, ""},
		{"no message", "object " + commitID + "\ntype commit\ntag v1\ntagger A <a@b> 1 +0000\n", nil, ""},
		{"header order", "type commit\nobject " + commitID + "\ntag v1\n\nm\n", ErrMalformedTag, ""},
		{"bad object", "object xyz\ntype commit\ntag v1\n\nm\n", ErrMalformedTag, ""},
		{"missing tag", "object " + commitID + "\ntype commit\n\nm\n", ErrMalformedTag, ""},
		{"empty", "", ErrMalformedTag, ""},
		{"too large", strings.Repeat("x", MaxTagSize+1), ErrTooLarge, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tag, err := ParseTag([]byte(tc.raw))
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tag.SigFormat != tc.format {
				t.Errorf("format %q, want %q", tag.SigFormat, tc.format)
			}
			if !bytes.Equal(append(append([]byte{}, tag.Payload...), tag.Signature...), []byte(tc.raw)) {
				t.Error("payload + signature != raw")
			}
		})
	}
}

func TestVerifyTagX509(t *testing.T) {
	// A garbage CMS body is demonstrably not a signature, trust material
	// or not; gitsign signatures proper are in x509_test.go.
	raw := string(tagPayload("v1")) + "-----BEGIN SIGNED MESSAGE-----\nAAAA\n-----END SIGNED MESSAGE-----\n"
	r := VerifyTag(mustParseTag(t, []byte(raw)), TagPolicy{Name: "v1"}, t0)
	if r.Status != StatusInvalid || r.Kind != KindX509 || !strings.Contains(r.Detail, "malformed") {
		t.Fatalf("got %v", r)
	}
}

// git runs git in dir with a clean, throwaway configuration.
func gitIn(t *testing.T, dir string, env []string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "HOME="+dir,
		"GIT_AUTHOR_NAME=Upstream", "GIT_AUTHOR_EMAIL=upstream@example.org",
		"GIT_COMMITTER_NAME=Upstream", "GIT_COMMITTER_EMAIL=upstream@example.org")
	cmd.Env = append(cmd.Env, env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

func newRepo(t *testing.T) (string, string) {
	t.Helper()
	requireTool(t, "git")
	dir := t.TempDir()
	gitIn(t, dir, nil, "init", "-q")
	if err := os.WriteFile(filepath.Join(dir, "README"), []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gitIn(t, dir, nil, "add", "README")
	gitIn(t, dir, nil, "commit", "-q", "-m", "init")
	head := strings.TrimSpace(string(gitIn(t, dir, nil, "rev-parse", "HEAD")))
	return dir, head
}

func TestGitTagGPG(t *testing.T) {
	home, gpg := gpgHome(t)
	kr := keyring(t, gpg(nil, "--armor", "--export", "upstream@example.org"))
	dir, head := newRepo(t)
	env := []string{"GNUPGHOME=" + home}
	gitIn(t, dir, env, "-c", "user.signingkey=upstream@example.org", "tag", "-s", "v1.0", "-m", "Release 1.0")
	raw := gitIn(t, dir, nil, "cat-file", "tag", "v1.0")
	tag := mustParseTag(t, raw)
	now := time.Now()
	if r := VerifyTag(tag, TagPolicy{Name: "v1.0", Object: head, Keyring: kr}, now); r.Status != StatusValid {
		t.Fatalf("git tag -s (gpg): %v", r)
	}
	if r := VerifyTag(tag, TagPolicy{Name: "v1.1", Object: head, Keyring: kr}, now); r.Status != StatusInvalid {
		t.Fatalf("renamed: %v", r)
	}
	// A tag "v1.1" that is a copy of the v1.0 object: git itself accepts
	// the ref; tarcheck must not.
	id := strings.TrimSpace(string(gitIn(t, dir, nil, "rev-parse", "v1.0")))
	gitIn(t, dir, nil, "update-ref", "refs/tags/v1.1", id)
	raw11 := gitIn(t, dir, nil, "cat-file", "tag", "v1.1")
	if r := VerifyTag(mustParseTag(t, raw11), TagPolicy{Name: "v1.1", Object: head, Keyring: kr}, now); r.Status != StatusInvalid || !strings.Contains(r.Detail, "renamed") {
		t.Fatalf("copied tag ref: %v", r)
	}
}

func TestGitTagSSH(t *testing.T) {
	requireTool(t, "ssh-keygen")
	dir, head := newRepo(t)
	keyPath := filepath.Join(dir, "id_ed25519")
	out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "upstream", "-f", keyPath).CombinedOutput()
	if err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	pubLine, err := os.ReadFile(keyPath + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	allowed := []byte(fmt.Sprintf("upstream@example.org namespaces=\"git\" %s", pubLine))
	allowedPath := filepath.Join(dir, "allowed_signers")
	if err := os.WriteFile(allowedPath, allowed, 0o644); err != nil {
		t.Fatal(err)
	}
	gitIn(t, dir, nil, "-c", "gpg.format=ssh", "-c", "user.signingkey="+keyPath+".pub", "tag", "-s", "v2.0", "-m", "Release 2.0")
	// git agrees the tag verifies with this allowed-signers file.
	gitIn(t, dir, nil, "-c", "gpg.ssh.allowedSignersFile="+allowedPath, "verify-tag", "v2.0")
	raw := gitIn(t, dir, nil, "cat-file", "tag", "v2.0")
	tag := mustParseTag(t, raw)
	r := VerifyTag(tag, TagPolicy{Name: "v2.0", Object: head, AllowedSigners: allowed}, time.Now())
	if r.Status != StatusValid || r.Signer != "upstream@example.org" {
		t.Fatalf("git tag -s (ssh): %v", r)
	}
	other := []byte(allowedLine("upstream@example.org", "", newSSHSigner(t).PublicKey()))
	if r := VerifyTag(tag, TagPolicy{Name: "v2.0", AllowedSigners: other}, time.Now()); r.Status != StatusUnverifiable {
		t.Fatalf("unknown ssh key: %v", r)
	}
}
