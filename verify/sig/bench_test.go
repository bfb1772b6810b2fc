package sig

import (
	"bytes"
	"crypto/sha256"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// BenchmarkVerifyDetached measures hashing throughput of a 16 MiB
// "tarball" through an Ed25519 detached-signature check.
func BenchmarkVerifyDetached(b *testing.B) {
	key := newKey(b, t0, 0)
	kr, err := ReadKeyring(publicArmored(b, key))
	if err != nil {
		b.Fatal(err)
	}
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<20)
	s := detachSign(b, key, data, cfgAt(t0), true)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		if r := VerifyDetached(bytes.NewReader(data), s, kr, t0.Add(time.Hour)); r.Status != StatusValid {
			b.Fatal(r)
		}
	}
}

func BenchmarkParseVerifyTagSSH(b *testing.B) {
	signer := newSSHSignerTB(b)
	payload := tagPayload("v2.0")
	raw := append(append([]byte{}, payload...), sshsign(b, signer, payload, "git", "")...)
	allowed := []byte(allowedLine("upstream@example.org", "", signer.PublicKey()))
	for b.Loop() {
		tag, err := ParseTag(raw)
		if err != nil {
			b.Fatal(err)
		}
		if r := VerifyTag(tag, TagPolicy{Name: "v2.0", AllowedSigners: allowed}, t0); r.Status != StatusValid {
			b.Fatal(r)
		}
	}
}

func BenchmarkVerifyBundle(b *testing.B) {
	f := newFakeSigstore(b)
	artifact := []byte("artifact")
	bundle := f.sign(b, "a@example.org", "https://issuer.example.org", artifact)
	d := sha256.Sum256(artifact)
	id := Identity{SAN: "a@example.org", Issuer: "https://issuer.example.org"}
	for b.Loop() {
		if r := VerifyBundle(bundle, f.trustedRootJSON, d[:], id); r.Status != StatusValid {
			b.Fatal(r)
		}
	}
}

// BenchmarkParseVerifyTagSecurityKey is BenchmarkParseVerifyTagSSH with a
// FIDO security key (sk-ecdsa-sha2-nistp256, as OpenSSH's release tags).
func BenchmarkParseVerifyTagSecurityKey(b *testing.B) {
	signer := newSKSigner(b, ssh.KeyAlgoSKECDSA256, 0)
	payload := tagPayload("v2.0")
	raw := append(append([]byte{}, payload...), sshsign(b, signer, payload, "git", "")...)
	allowed := []byte(allowedLine("upstream@example.org", "", signer.PublicKey()))
	for b.Loop() {
		tag, err := ParseTag(raw)
		if err != nil {
			b.Fatal(err)
		}
		if r := VerifyTag(tag, TagPolicy{Name: "v2.0", AllowedSigners: allowed}, t0); r.Status != StatusValid {
			b.Fatal(r)
		}
	}
}

// BenchmarkReadKeyringFiles reads a typical armored upstream keyring of
// three keys.
func BenchmarkReadKeyringFiles(b *testing.B) {
	var data []byte
	for range 3 {
		data = append(data, publicArmored(b, newKey(b, t0, 0))...)
	}
	for b.Loop() {
		if kr, err := ReadKeyringFiles(KeyringFile{Name: "signing-key.asc", Data: data}); err != nil || len(kr) != 3 {
			b.Fatal(err)
		}
	}
}
