package attest

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"golang.org/x/crypto/ssh"

	"github.com/tarcheck/tarcheck/verify/sig"
)

// now is the verification time: the clock's, because the keys and
// signatures the tests make carry the clock's time (a fixed day made every
// signature "in the future" once a day had passed, and failed CI).
var now = time.Now()

// The example of the DSSE specification (protocol.md).
func TestPAE(t *testing.T) {
	got := PAE("http://example.com/HelloWorld", []byte("hello world"))
	want := "DSSEv1 29 http://example.com/HelloWorld 11 hello world"
	if string(got) != want {
		t.Errorf("PAE = %q, want %q", got, want)
	}
}

// sshKey is a generated SSH key: its private key file and an
// allowed-signers line for principal.
type sshKey struct {
	private        []byte
	allowedSigners []byte
}

func newSSHKey(t testing.TB, kind, principal string) sshKey {
	t.Helper()
	var priv crypto.PrivateKey
	var err error
	switch kind {
	case "ed25519":
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	case "ecdsa":
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "rsa":
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	}
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "test")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	line := principal + " " + string(ssh.MarshalAuthorizedKey(signer.PublicKey()))
	return sshKey{private: pem.EncodeToMemory(block), allowedSigners: []byte(line)}
}

// pgpKey is a generated OpenPGP key: armored secret and public keys.
func newPGPKey(t *testing.T, name string) (secret []byte, keyring openpgp.EntityList) {
	t.Helper()
	e, err := openpgp.NewEntity(name, "", name+"@example.org", nil)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	w, err := armor.Encode(&b, openpgp.PrivateKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.SerializePrivate(w, nil); err != nil {
		t.Fatal(err)
	}
	w.Close()
	var pub bytes.Buffer
	if err := e.Serialize(&pub); err != nil {
		t.Fatal(err)
	}
	kr, err := sig.ReadKeyring(pub.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), kr
}

func signStatement(t *testing.T, key []byte) ([]byte, []byte) {
	t.Helper()
	statement, _ := mustBuild(t, sampleInput(VerdictFail))
	s, err := ParseSigner(key, nil)
	if err != nil {
		t.Fatal(err)
	}
	env, err := Sign(statement, s)
	if err != nil {
		t.Fatal(err)
	}
	return statement, env
}

// mutateEnvelope decodes env, applies f, and re-encodes it.
func mutateEnvelope(t *testing.T, env []byte, f func(e *Envelope)) []byte {
	t.Helper()
	var e Envelope
	if err := json.Unmarshal(env, &e); err != nil {
		t.Fatal(err)
	}
	f(&e)
	out, err := json.Marshal(&e)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// tamperings every signature must not survive.
var tamperings = map[string]func(e *Envelope){
	"payload": func(e *Envelope) {
		e.Payload = bytes.Replace(e.Payload, []byte(`"FAILED"`), []byte(`"PASSED"`), 1)
	},
	"payload appended": func(e *Envelope) { e.Payload = append(e.Payload, ' ') },
	"signature": func(e *Envelope) {
		s := e.Signatures[0].Sig
		if bytes.HasPrefix(s, []byte("-----BEGIN SSH")) {
			// Flip a byte inside the signature blob, keeping the armor valid.
			i := bytes.LastIndex(s, []byte("\n-----END")) - 3
			s[i] ^= 0x01
			if s[i] == '\n' || s[i] == '-' {
				s[i] = 'A'
			}
		} else {
			s[len(s)-3] ^= 0x40
		}
	},
	"payloadType": func(e *Envelope) { e.PayloadType = "application/json" },
}

func TestSignVerifySSH(t *testing.T) {
	for _, kind := range []string{"ed25519", "ecdsa", "rsa"} {
		t.Run(kind, func(t *testing.T) {
			key := newSSHKey(t, kind, "release@example.org")
			statement, env := signStatement(t, key.private)
			v, err := VerifyEnvelope(env, Trust{AllowedSigners: key.allowedSigners}, now)
			if err != nil {
				t.Fatalf("VerifyEnvelope: %v\n%s", err, env)
			}
			if !bytes.Equal(v.Payload, statement) || v.Signer.Signer != "release@example.org" || v.Signer.Kind != sig.KindSSH {
				t.Errorf("verified %+v", v.Signer)
			}
			if v.Statement.Predicate.VerificationResult != ResultFailed {
				t.Errorf("statement %+v", v.Statement.Predicate)
			}
			sum := sha256.Sum256(tarballBytes)
			if err := v.CheckTarball("", hex.EncodeToString(sum[:])); err != nil {
				t.Errorf("CheckTarball(sha256 of the tarball): %v", err)
			}
			otherSum := sha256.Sum256([]byte("other"))
			if err := v.CheckTarball("", hex.EncodeToString(otherSum[:])); !errors.Is(err, ErrOtherSubject) {
				t.Errorf("CheckTarball(other bytes) = %v, want ErrOtherSubject", err)
			}
			for name, f := range tamperings {
				if _, err := VerifyEnvelope(mutateEnvelope(t, env, f), Trust{AllowedSigners: key.allowedSigners}, now); err == nil {
					t.Errorf("tampered %s: verified", name)
				}
			}
			other := newSSHKey(t, kind, "release@example.org")
			if _, err := VerifyEnvelope(env, Trust{AllowedSigners: other.allowedSigners}, now); !errors.Is(err, ErrNotTrusted) {
				t.Errorf("wrong key: %v, want ErrNotTrusted", err)
			}
		})
	}
}

func TestSignVerifyOpenPGP(t *testing.T) {
	secret, keyring := newPGPKey(t, "release")
	statement, env := signStatement(t, secret)
	v, err := VerifyEnvelope(env, Trust{Keyring: keyring}, now)
	if err != nil {
		t.Fatalf("VerifyEnvelope: %v", err)
	}
	if !bytes.Equal(v.Payload, statement) || v.Signer.Kind != sig.KindOpenPGP || v.Signer.Signer == "" || v.Signer.Subject != SignatureSubject {
		t.Errorf("verified %+v", v.Signer)
	}
	for name, f := range tamperings {
		if _, err := VerifyEnvelope(mutateEnvelope(t, env, f), Trust{Keyring: keyring}, now); err == nil {
			t.Errorf("tampered %s: verified", name)
		}
	}
	_, otherKeyring := newPGPKey(t, "mallory")
	if _, err := VerifyEnvelope(env, Trust{Keyring: otherKeyring}, now); !errors.Is(err, ErrNotTrusted) {
		t.Errorf("wrong key: %v, want ErrNotTrusted", err)
	}
	// An SSH allowed-signers file does not vouch for an OpenPGP signature.
	ssh := newSSHKey(t, "ed25519", "x")
	if _, err := VerifyEnvelope(env, Trust{AllowedSigners: ssh.allowedSigners}, now); !errors.Is(err, ErrNotTrusted) {
		t.Errorf("OpenPGP signature with only allowed signers: %v", err)
	}
}

func TestVerifyRefusals(t *testing.T) {
	key := newSSHKey(t, "ed25519", "release@example.org")
	_, env := signStatement(t, key.private)
	trust := Trust{AllowedSigners: key.allowedSigners}
	line := strings.TrimSpace(string(key.allowedSigners))
	principal, rest, _ := strings.Cut(line, " ")
	cases := map[string]struct {
		env   []byte
		trust Trust
	}{
		"no trust":       {env, Trust{}},
		"not json":       {[]byte("{"), trust},
		"trailing data":  {append(bytes.TrimSpace(env), []byte(" {}")...), trust},
		"no signatures":  {mutateEnvelope(t, env, func(e *Envelope) { e.Signatures = nil }), trust},
		"empty payload":  {mutateEnvelope(t, env, func(e *Envelope) { e.Payload = nil }), trust},
		"git namespace":  {env, Trust{AllowedSigners: []byte(principal + ` namespaces="git" ` + rest)}},
		"expired":        {env, Trust{AllowedSigners: []byte(principal + ` valid-before="20200101" ` + rest)}},
		"cert-authority": {env, Trust{AllowedSigners: []byte(principal + ` cert-authority ` + rest)}},
		"not a statement": {func() []byte {
			s, _ := ParseSigner(key.private, nil)
			e, _ := Sign([]byte(`{"_type":"https://in-toto.io/Statement/v0.1"}`), s)
			return e
		}(), trust},
		"huge": {bytes.Repeat([]byte(" "), MaxEnvelopeSize+1), trust},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if v, err := VerifyEnvelope(c.env, c.trust, now); err == nil {
				t.Errorf("verified: %+v", v.Signer)
			}
		})
	}
	// A namespaces option that allows the attestation namespace is honoured.
	ok := []byte(principal + ` namespaces="git,tarcheck-*" ` + rest)
	if _, err := VerifyEnvelope(env, Trust{AllowedSigners: ok}, now); err != nil {
		t.Errorf("namespaces=git,tarcheck-*: %v", err)
	}
}

func TestParseSignerErrors(t *testing.T) {
	for name, key := range map[string][]byte{
		"empty":   nil,
		"garbage": []byte("hello"),
		"pem":     []byte("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n"),
		"pgp":     []byte("-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nAAAA\n-----END PGP PRIVATE KEY BLOCK-----\n"),
	} {
		if _, err := ParseSigner(key, nil); !errors.Is(err, ErrKey) {
			t.Errorf("%s: %v, want ErrKey", name, err)
		}
	}
	// An encrypted SSH key needs its passphrase.
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, err := ssh.MarshalPrivateKeyWithPassphrase(priv, "", []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	enc := pem.EncodeToMemory(block)
	if _, err := ParseSigner(enc, nil); !errors.Is(err, ErrKey) || !strings.Contains(err.Error(), "passphrase") {
		t.Errorf("encrypted without passphrase: %v", err)
	}
	if _, err := ParseSigner(enc, []byte("secret")); err != nil {
		t.Errorf("encrypted with passphrase: %v", err)
	}
}

// requireTool skips when name is missing, or fails under
// TARCHECK_REQUIRE_TOOLS=1.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("TARCHECK_REQUIRE_TOOLS") == "1" {
			t.Fatalf("%s is required (TARCHECK_REQUIRE_TOOLS=1) but not installed", name)
		}
		t.Skipf("%s not installed", name)
	}
	return p
}

// A downstream checks an SSH-signed envelope with ssh-keygen alone, as
// docs/attestation.md describes.
func TestSSHSignatureVerifiesWithSSHKeygen(t *testing.T) {
	keygen := requireTool(t, "ssh-keygen")
	for _, kind := range []string{"ed25519", "ecdsa", "rsa"} {
		t.Run(kind, func(t *testing.T) {
			key := newSSHKey(t, kind, "release@example.org")
			_, env := signStatement(t, key.private)
			e, err := ParseEnvelope(env)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			write := func(name string, data []byte) string {
				p := filepath.Join(dir, name)
				if err := os.WriteFile(p, data, 0o600); err != nil {
					t.Fatal(err)
				}
				return p
			}
			allowed := write("allowed_signers", key.allowedSigners)
			sigFile := write("statement.sig", e.Signatures[0].Sig)
			check := func(pae []byte) error {
				cmd := exec.Command(keygen, "-Y", "verify", "-f", allowed, "-I", "release@example.org", "-n", SSHNamespace, "-s", sigFile)
				cmd.Stdin = bytes.NewReader(pae)
				out, err := cmd.CombinedOutput()
				if err != nil {
					return errors.New(strings.TrimSpace(string(out)))
				}
				return nil
			}
			if err := check(PAE(e.PayloadType, e.Payload)); err != nil {
				t.Errorf("ssh-keygen -Y verify: %v", err)
			}
			if err := check(PAE(e.PayloadType, append(e.Payload, ' '))); err == nil {
				t.Errorf("ssh-keygen accepted a tampered payload")
			}
		})
	}
}

func FuzzVerifyEnvelope(f *testing.F) {
	key := newSSHKey(f, "ed25519", "p")
	if s, err := ParseSigner(key.private, nil); err == nil {
		if env, err := Sign([]byte(`{"_type":"https://in-toto.io/Statement/v1"}`), s); err == nil {
			f.Add(env)
		}
	}
	f.Add([]byte(`{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[{"sig":"AAAA"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if v, err := VerifyEnvelope(data, Trust{AllowedSigners: key.allowedSigners}, now); err == nil {
			t.Fatalf("random envelope verified: %+v", v.Signer)
		}
	})
}

// A downstream checks an OpenPGP-signed envelope with gpgv alone.
func TestOpenPGPSignatureVerifiesWithGpgv(t *testing.T) {
	gpgv := requireTool(t, "gpgv")
	secret, keyring := newPGPKey(t, "release")
	_, env := signStatement(t, secret)
	e, err := ParseEnvelope(env)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var pub bytes.Buffer
	if err := keyring[0].Serialize(&pub); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"keys.gpg":      pub.Bytes(),
		"statement.sig": e.Signatures[0].Sig,
		"pae.bin":       PAE(e.PayloadType, e.Payload),
		"tampered.bin":  PAE(e.PayloadType, append(e.Payload, ' ')),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	run := func(data string) error {
		cmd := exec.Command(gpgv, "--homedir", dir, "--keyring", filepath.Join(dir, "keys.gpg"),
			filepath.Join(dir, "statement.sig"), filepath.Join(dir, data))
		out, err := cmd.CombinedOutput()
		if err != nil {
			return errors.New(strings.TrimSpace(string(out)))
		}
		return nil
	}
	if err := run("pae.bin"); err != nil {
		t.Errorf("gpgv: %v", err)
	}
	if err := run("tampered.bin"); err == nil {
		t.Errorf("gpgv accepted a tampered payload")
	}
}
