package sig

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

func FuzzParseTag(f *testing.F) {
	payload := tagPayload("v1")
	f.Add(payload)
	f.Add(append(append([]byte{}, payload...), "-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n"...))
	f.Add(append(append([]byte{}, payload...), "-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAQ==\n-----END SSH SIGNATURE-----\n"...))
	f.Add([]byte("object " + commitID + "\ntype commit\ntag v1\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		tag, err := ParseTag(raw)
		if err != nil {
			return
		}
		if !bytes.Equal(append(append([]byte{}, tag.Payload...), tag.Signature...), raw) {
			t.Fatal("payload + signature != raw")
		}
		r := VerifyTag(tag, TagPolicy{Name: "v1", AllowedSigners: []byte("a@b ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGZ2r1C9vN0T6vHh3G0Uu5d2Vd4w2mY6Q2y1tqzJ3gQd\n")}, time.Unix(0, 0))
		if r.Status == StatusValid {
			t.Fatalf("fuzzed tag verified: %v", r)
		}
	})
}

func FuzzArmoredSignature(f *testing.F) {
	key := newKey(f, t0, 0)
	kr, err := ReadKeyring(publicArmored(f, key))
	if err != nil {
		f.Fatal(err)
	}
	msg := []byte("data")
	f.Add(detachSign(f, key, msg, cfgAt(t0), true))
	f.Add(detachSign(f, key, msg, cfgAt(t0), false))
	f.Add([]byte("-----BEGIN PGP SIGNATURE-----\n\nwsBcBAABCAAQBQJm\n=abcd\n-----END PGP SIGNATURE-----\n"))
	f.Fuzz(func(t *testing.T, sig []byte) {
		r := VerifyDetached(bytes.NewReader(msg), sig, kr, t0)
		if r.Status == StatusValid {
			// Only a real signature by key over msg may verify.
			r2 := VerifyDetached(bytes.NewReader(append(msg, 'x')), sig, kr, t0)
			if r2.Status == StatusValid {
				t.Fatalf("signature verifies two different messages: %v", r2)
			}
		}
		_, _ = ParseSSHSignature(sig)
	})
}

func FuzzReadKeyring(f *testing.F) {
	key := newKey(f, t0, 0)
	f.Add(publicArmored(f, key))
	f.Add(publicBinary(f, key))
	f.Add(detachSign(f, key, []byte("x"), cfgAt(t0), true))
	f.Add(detachSign(f, key, []byte("x"), cfgAt(t0), false))
	f.Add(ssh.MarshalAuthorizedKey(newSSHSignerTB(f).PublicKey()))
	f.Add([]byte("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nx\n-----BEGIN PGP SIGNATURE-----\n\n-----END PGP SIGNATURE-----\n"))
	f.Add([]byte("<html>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ReadKeyring(data)
		kr, err := ReadKeyringFiles(KeyringFile{Name: "k.asc", Data: data})
		if err != nil {
			ke, ok := errors.AsType[*KeyringError](err)
			if !ok || ke.File != "k.asc" || !errors.Is(err, ErrNoKeys) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error %v (%T) is not a *KeyringError for k.asc", err, err)
			}
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		if len(kr) == 0 || hasSecretKey(kr) {
			t.Fatalf("no error but %d keys (secret: %v)", len(kr), hasSecretKey(kr))
		}
	})
}

// FuzzSecurityKeyTag fuzzes SSHSIG blobs of FIDO security keys: only a
// real signature over the payload may verify.
func FuzzSecurityKeyTag(f *testing.F) {
	payload := tagPayload("v1")
	other := append(append([]byte{}, payload...), '!')
	var allowed []byte
	for _, algo := range skAlgos {
		for _, flags := range []byte{0, SKFlagUserPresence, SKFlagUserPresence | SKFlagUserVerification} {
			s := newSKSigner(f, algo, flags)
			allowed = append(allowed, allowedLine("*", "", s.pub)...)
			f.Add(sshsign(f, s, payload, "git", ""), false)
		}
	}
	f.Fuzz(func(t *testing.T, signature []byte, touch bool) {
		if s, err := ParseSSHSignature(signature); err == nil {
			_ = s.SecurityKey()
		}
		r := verifySSHTag(Result{}, payload, signature, allowed, touch, tagTime)
		if r.Status == StatusValid {
			if r2 := verifySSHTag(Result{}, other, signature, allowed, touch, tagTime); r2.Status == StatusValid {
				t.Fatalf("signature verifies two payloads: %v", r2)
			}
		}
	})
}

func FuzzAllowedSigners(f *testing.F) {
	f.Add([]byte("a@b namespaces=\"git\",valid-after=\"20240101\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGZ2r1C9vN0T6vHh3G0Uu5d2Vd4w2mY6Q2y1tqzJ3gQd c\n"))
	f.Add([]byte("\"a b\" cert-authority ssh-ed25519 AAAA\n"))
	f.Add([]byte("a@b no-touch-required,verify-required sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIElSYahCw60CGct39Eg9EY8OLV9Ppr7tsudvSiMyNHOhAAAABHNzaDo=\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ParseAllowedSigners(data)
	})
}

func FuzzChecksums(f *testing.F) {
	f.Add([]byte("SHA256 (f) = " + string(bytes.Repeat([]byte("a"), 64)) + "\n"))
	f.Add([]byte(`\` + string(bytes.Repeat([]byte("a"), 64)) + "  f\\\\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = VerifyChecksums(data, "f", string(bytes.Repeat([]byte("a"), 64)))
	})
}

func FuzzBundle(f *testing.F) {
	f.Add([]byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := VerifyBundle(data, nil, make([]byte, 32), Identity{SAN: "a", Issuer: "b"})
		if r.Status == StatusValid {
			t.Fatal("bundle valid without trusted root")
		}
	})
}
