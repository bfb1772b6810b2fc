package sig

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	"golang.org/x/crypto/ssh"
)

func secretKey(t *testing.T, e *openpgp.Entity, armored bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser = nopCloser{&buf}
	if armored {
		aw, err := armor.Encode(&buf, openpgp.PrivateKeyType, nil)
		if err != nil {
			t.Fatal(err)
		}
		w = aw
	}
	if err := e.SerializePrivate(w, nil); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return buf.Bytes()
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

func TestKeyringErrors(t *testing.T) {
	key := newKey(t, t0, 0)
	msg := []byte("data")
	sshSigner := newSSHSigner(t)
	sshPub := ssh.MarshalAuthorizedKey(sshSigner.PublicKey())
	_, edPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sshPrivBlock, err := ssh.MarshalPrivateKey(edPriv, "")
	if err != nil {
		t.Fatal(err)
	}
	var clear bytes.Buffer
	cw, err := clearsign.Encode(&clear, key.PrivateKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	cw.Write([]byte("abc  foo.tar.gz\n"))
	cw.Close()
	pub := publicBinary(t, key)
	armoredPub := publicArmored(t, key)
	corrupt := bytes.Replace(armoredPub, []byte("\n\n"), []byte("\n\n!!!!"), 1)

	tests := []struct {
		name    string
		data    []byte
		problem KeyringProblem
		armored bool
		want    string
	}{
		{"armored signature", detachSign(t, key, msg, cfgAt(t0), true), KeyringIsSignature, true, "upstream.asc holds an OpenPGP signature, not a key"},
		{"binary signature", detachSign(t, key, msg, cfgAt(t0), false), KeyringIsSignature, false, "upstream.asc holds an OpenPGP signature, not a key"},
		{"empty", nil, KeyringEmpty, false, "upstream.asc is empty"},
		{"blank", []byte(" \n\n"), KeyringEmpty, false, "upstream.asc is empty"},
		{"armored secret key", secretKey(t, key, true), KeyringIsSecretKey, true, "holds an OpenPGP secret key; refusing"},
		{"binary secret key", secretKey(t, key, false), KeyringIsSecretKey, false, "give the public key only"},
		{"SSH public key", sshPub, KeyringIsSSH, false, "upstream.asc holds an SSH public key, not an OpenPGP key"},
		{"allowed signers", []byte("# signers\n" + allowedLine("dev@example.org", "", sshSigner.PublicKey())), KeyringIsSSH, false, "an SSH allowed-signers file"},
		{"SSH private key", pem.EncodeToMemory(sshPrivBlock), KeyringIsSSH, false, "an SSH private key"},
		{"SSH signature", sshsign(t, sshSigner, msg, "git", ""), KeyringIsSSH, false, "an SSH signature"},
		{"clearsigned", clear.Bytes(), KeyringIsMessage, true, "holds a clearsigned OpenPGP message, not a key"},
		{"text", []byte("hello\n"), KeyringNotOpenPGP, false, "neither ASCII armor nor binary OpenPGP packets"},
		{"HTML", []byte("<!DOCTYPE html><html>404</html>"), KeyringNotOpenPGP, false, "looks like an HTML or XML document"},
		{"truncated binary key", pub[:len(pub)/3], KeyringMalformed, false, "upstream.asc: binary OpenPGP key data does not parse"},
		{"corrupt armor", corrupt, KeyringMalformed, true, "upstream.asc: armored OpenPGP key data does not parse"},
		{"too large", make([]byte, MaxKeyringSize+1), KeyringTooLarge, false, "larger than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadKeyringFiles(KeyringFile{Name: "good.asc", Data: armoredPub}, KeyringFile{Name: "upstream.asc", Data: tc.data})
			t.Log(err)
			ke, ok := errors.AsType[*KeyringError](err)
			if !ok {
				t.Fatalf("got %v (%T), want a *KeyringError", err, err)
			}
			if ke.File != "upstream.asc" || ke.Problem != tc.problem || ke.Armored != tc.armored || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %+v %q, want %s armored=%v %q", ke, err, tc.problem, tc.armored, tc.want)
			}
			if ke.IsSignature() != (tc.problem == KeyringIsSignature) {
				t.Error("IsSignature")
			}
			wantBase := ErrNoKeys
			if tc.problem == KeyringTooLarge {
				wantBase = ErrTooLarge
			}
			if !errors.Is(err, wantBase) {
				t.Errorf("error does not wrap %v", wantBase)
			}
			if strings.Contains(err.Error(), "--") && !strings.Contains(err.Error(), "gpg --export") {
				t.Errorf("library error names a flag: %q", err)
			}
			if tc.problem != KeyringTooLarge && tc.problem != KeyringIsSecretKey {
				// The lenient ReadKeyring skips the bad file.
				if kr, err := ReadKeyring(armoredPub, tc.data); err != nil || len(kr) != 1 {
					t.Errorf("ReadKeyring: %v, %d keys", err, len(kr))
				}
			} else if _, err := ReadKeyring(armoredPub, tc.data); err == nil {
				t.Error("ReadKeyring accepts it")
			}
		})
	}

	// Good files: binary, armored, several blocks, and a key block
	// followed by a signature block.
	kr, err := ReadKeyringFiles(
		KeyringFile{"a.gpg", pub},
		KeyringFile{"b.asc", append(publicArmored(t, newKey(t, t0, 0)), publicArmored(t, newKey(t, t0, 0))...)},
		KeyringFile{"c.asc", append(publicArmored(t, newKey(t, t0, 0)), detachSign(t, key, msg, cfgAt(t0), true)...)},
	)
	if err != nil || len(kr) != 4 {
		t.Fatalf("good keyrings: %v, %d keys", err, len(kr))
	}
	if _, err := ReadKeyringFiles(); !errors.Is(err, ErrNoKeys) {
		t.Errorf("no files: %v", err)
	}
	// ReadKeyring names files by position.
	if _, err := ReadKeyring([]byte("hello")); err == nil || !strings.Contains(err.Error(), "keyring 1 is not an OpenPGP keyring") {
		t.Errorf("ReadKeyring garbage: %v", err)
	}
}
