package sig

import (
	"bytes"
	"crypto"
	"encoding/asn1"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"

	"github.com/tarcheck/tarcheck/verify/sig/sigtest"
)

func gitsignTag(payload, sigPEM []byte) []byte {
	return append(append([]byte{}, payload...), sigPEM...)
}

func TestVerifyTagGitsign(t *testing.T) {
	const (
		san    = "upstream@example.org"
		issuer = "https://github.com/login/oauth"
	)
	vs := sigtest.NewSigstore(t)
	other := sigtest.NewSigstore(t)
	trj := sigtest.TrustedRoot(t, vs)
	payload := tagPayload("v1")
	id := Identity{SAN: san, Issuer: issuer}
	policy := TagPolicy{Name: "v1", Object: commitID, TrustedRoot: trj, Identity: id}
	vsEd, err := ca.NewVirtualSigstoreWithSigningAlg(protocommon.PublicKeyDetails_PKIX_ED25519)
	if err != nil {
		t.Fatal(err)
	}
	vsRSA, err := ca.NewVirtualSigstoreWithSigningAlg(protocommon.PublicKeyDetails_PKIX_RSA_PKCS1V15_2048_SHA256)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		vs      *ca.VirtualSigstore
		o       sigtest.GitsignOpts
		payload []byte // tag payload when it differs from the signed one
		p       *TagPolicy
		want    Status
		in      string
	}{
		{"valid with timestamp and rekor", nil, sigtest.GitsignOpts{}, nil, nil, StatusValid, "Tlog"},
		{"valid with rekor entry only", nil, sigtest.GitsignOpts{NoTimestamp: true}, nil, nil, StatusValid, "verified timestamps: Tlog"},
		{"valid with rekor inclusion proof", nil, sigtest.GitsignOpts{NoTimestamp: true, InclusionProof: true}, nil, nil, StatusValid, "Tlog"},
		{"valid with timestamp only", nil, sigtest.GitsignOpts{NoRekor: true}, nil, nil, StatusValid, "verified timestamps: TimestampAuthority"},
		{"valid sha512", nil, sigtest.GitsignOpts{Hash: crypto.SHA512}, nil, nil, StatusValid, "TimestampAuthority"},
		{"valid ed25519", vsEd, sigtest.GitsignOpts{ByHand: true, Hash: crypto.SHA512}, nil, &TagPolicy{TrustedRoot: sigtest.TrustedRoot(t, vsEd), Identity: id}, StatusValid, "TimestampAuthority"},
		{"valid rsa", vsRSA, sigtest.GitsignOpts{ByHand: true}, nil, &TagPolicy{TrustedRoot: sigtest.TrustedRoot(t, vsRSA), Identity: id}, StatusValid, "TimestampAuthority"},
		{"payload tampered", nil, sigtest.GitsignOpts{}, bytes.Replace(tagPayload("v1"), []byte("Release v1"), []byte("Release v1 (backdoored)"), 1), nil, StatusInvalid, "other bytes"},
		{"signed other payload", nil, sigtest.GitsignOpts{SignedPayload: tagPayload("v2")}, nil, nil, StatusInvalid, "message digest"},
		{"wrong SAN", nil, sigtest.GitsignOpts{}, nil, &TagPolicy{TrustedRoot: trj, Identity: Identity{SAN: "mallory@example.org", Issuer: issuer}}, StatusInvalid, "does not match the policy"},
		{"wrong issuer", nil, sigtest.GitsignOpts{}, nil, &TagPolicy{TrustedRoot: trj, Identity: Identity{SAN: san, IssuerRegexp: `^https://accounts\.google\.com$`}}, StatusInvalid, "does not match the policy"},
		{"cert from another CA", nil, sigtest.GitsignOpts{CertFrom: other, NoRekor: true}, nil, nil, StatusInvalid, "does not chain"},
		{"other sigstore entirely", nil, sigtest.GitsignOpts{}, nil, &TagPolicy{TrustedRoot: sigtest.TrustedRoot(t, other), Identity: id}, StatusInvalid, ""},
		{"timestamp from another TSA", nil, sigtest.GitsignOpts{TSAFrom: other, NoRekor: true}, nil, nil, StatusInvalid, "RFC 3161 timestamp"},
		{"timestamp from another TSA beside good rekor", nil, sigtest.GitsignOpts{TSAFrom: other}, nil, nil, StatusInvalid, "RFC 3161 timestamp"},
		{"timestamp over other bytes", nil, sigtest.GitsignOpts{TimestampOver: []byte("other"), NoRekor: true}, nil, nil, StatusInvalid, "RFC 3161 timestamp"},
		{"rekor entry of another signature", nil, sigtest.GitsignOpts{NoTimestamp: true, RekorFrom: []byte("other attributes")}, nil, nil, StatusInvalid, "transparency-log entry"},
		{"rekor entry from an untrusted log", nil, sigtest.GitsignOpts{}, nil, &TagPolicy{TrustedRoot: sigtest.TrustedRootWithoutLogs(t, vs), Identity: id}, StatusInvalid, "transparency-log entry"},
		{"no timestamp (online mode)", nil, sigtest.GitsignOpts{NoTimestamp: true, NoRekor: true}, nil, nil, StatusUnverifiable, "can only be checked online"},
		{"no identity policy", nil, sigtest.GitsignOpts{}, nil, &TagPolicy{TrustedRoot: trj}, StatusUnverifiable, "--trusted-root"},
		{"no trusted root", nil, sigtest.GitsignOpts{}, nil, &TagPolicy{Identity: id}, StatusUnverifiable, "the certificate claims " + san},
		{"sha1 digest", nil, sigtest.GitsignOpts{Hash: crypto.SHA1}, nil, nil, StatusInvalid, "SHA-1"},
		{"two signers", nil, sigtest.GitsignOpts{TwoSigners: true}, nil, nil, StatusInvalid, "exactly one"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := vs
			if tc.vs != nil {
				v = tc.vs
			}
			sigPEM := sigtest.MintGitsign(t, v, san, issuer, payload, tc.o)
			pl := payload
			if tc.payload != nil {
				pl = tc.payload
			}
			tag, err := ParseTag(gitsignTag(pl, sigPEM))
			if err != nil {
				t.Fatal(err)
			}
			if tag.SigFormat != SigFormatX509 || !bytes.Equal(tag.Payload, pl) {
				t.Fatalf("ParseTag split: format %q, payload %q", tag.SigFormat, tag.Payload)
			}
			p := policy
			if tc.p != nil {
				p = *tc.p
			}
			r := VerifyTag(tag, p, time.Now())
			t.Log(r)
			if r.Status != tc.want || r.Kind != KindX509 || r.Subject != SubjectTag || !strings.Contains(r.Detail, tc.in) {
				t.Fatalf("got %v, want %s with %q", r, tc.want, tc.in)
			}
			if (r.Status == StatusValid || r.Status == StatusUnverifiable) && r.Signer != san {
				t.Fatalf("signer %q, want %q", r.Signer, san)
			}
		})
	}
}

func TestVerifyTagGitsignMalformed(t *testing.T) {
	vs := sigtest.NewSigstore(t)
	trj := sigtest.TrustedRoot(t, vs)
	p := TagPolicy{TrustedRoot: trj, Identity: Identity{SAN: "a@b", Issuer: "c"}}
	good := sigtest.MintGitsign(t, vs, "a@b", "c", tagPayload("v1"), sigtest.GitsignOpts{})
	blk, _ := pem.Decode(good)
	data, err := asn1.Marshal(oidData)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string][]byte{
		"garbage body":   []byte("-----BEGIN SIGNED MESSAGE-----\nAAAA\n-----END SIGNED MESSAGE-----\n"),
		"not base64":     []byte("-----BEGIN SIGNED MESSAGE-----\n!!!!\n-----END SIGNED MESSAGE-----\n"),
		"unterminated":   []byte("-----BEGIN SIGNED MESSAGE-----\nAAAA\n"),
		"truncated DER":  pem.EncodeToMemory(&pem.Block{Type: "SIGNED MESSAGE", Bytes: blk.Bytes[:len(blk.Bytes)/2]}),
		"trailing DER":   pem.EncodeToMemory(&pem.Block{Type: "SIGNED MESSAGE", Bytes: append(slices.Clone(blk.Bytes), 0)}),
		"trailing text":  append(slices.Clone(good), "extra\n"...),
		"not SignedData": pem.EncodeToMemory(&pem.Block{Type: "SIGNED MESSAGE", Bytes: data}),
	}
	for name, sig := range cases {
		t.Run(name, func(t *testing.T) {
			tag, err := ParseTag(gitsignTag(tagPayload("v1"), sig))
			if err != nil {
				t.Fatal(err)
			}
			for _, pol := range []TagPolicy{p, {}} {
				r := VerifyTag(tag, pol, time.Now())
				t.Log(r)
				if r.Status != StatusInvalid || !strings.Contains(r.Detail, "malformed") {
					t.Fatalf("got %v, want invalid (malformed)", r)
				}
			}
		})
	}
}

// TestGitsignRekorBody checks the hashedrekord body rebuilt from a
// signature against the one Rekor's own code builds (through
// VirtualSigstore) in the RFC 8785 form Rekor logs, byte for byte.
func TestGitsignRekorBody(t *testing.T) {
	vs := sigtest.NewSigstore(t)
	artifact := []byte("signed attributes")
	e, err := vs.Sign("a@b", "c", artifact)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := e.TlogEntries()
	vc, _ := e.VerificationContent()
	sc, _ := e.SignatureContent()
	d := sc.MessageSignatureContent().Digest()
	got, err := hashedRekordBody(d, sc.Signature(), vc.Certificate())
	if err != nil {
		t.Fatal(err)
	}
	want := sigtest.CanonicalJSON(t, entries[0].TransparencyLogEntry().CanonicalizedBody)
	if !bytes.Equal(got, want) {
		t.Fatalf("body\n got %s\nwant %s", got, want)
	}
}

func FuzzX509TagSignature(f *testing.F) {
	vs := sigtest.NewSigstore(f)
	const san, issuer = "upstream@example.org", "https://github.com/login/oauth"
	trj := sigtest.TrustedRoot(f, vs)
	payload := tagPayload("v1")
	for _, o := range []sigtest.GitsignOpts{{}, {NoRekor: true}, {NoTimestamp: true, InclusionProof: true}, {TwoSigners: true}} {
		blk, _ := pem.Decode(sigtest.MintGitsign(f, vs, san, issuer, payload, o))
		f.Add(blk.Bytes)
	}
	p := TagPolicy{Name: "v1", TrustedRoot: trj, Identity: Identity{SAN: san, Issuer: issuer}}
	now := time.Now()
	f.Fuzz(func(t *testing.T, der []byte) {
		raw := gitsignTag(payload, pem.EncodeToMemory(&pem.Block{Type: "SIGNED MESSAGE", Bytes: der}))
		tag, err := ParseTag(raw)
		if err != nil {
			return
		}
		r := VerifyTag(tag, p, now)
		if strings.Contains(r.Detail, "verifier failure") {
			t.Fatalf("panic in verification: %v", r)
		}
		if r.Status == StatusValid {
			if r.Signer != san {
				t.Fatalf("valid with signer %q", r.Signer)
			}
			tag.Payload = append(slices.Clone(tag.Payload), 'x')
			if r2 := VerifyTag(tag, p, now); r2.Status == StatusValid {
				t.Fatalf("signature verifies two payloads: %v", r2)
			}
		}
	})
}

// TestGitTagX509 has git itself create an x509-signed tag: the
// gpg.x509.program is a script that records the payload git asks it to
// sign and returns a gitsign signature minted in advance for exactly that
// payload. What `git cat-file tag` prints must then verify.
func TestGitTagX509(t *testing.T) {
	requireTool(t, "sh")
	const san, issuer = "upstream@example.org", "https://github.com/login/oauth"
	vs := sigtest.NewSigstore(t)
	dir, head := newRepo(t)
	payload := []byte("object " + head + "\ntype commit\ntag v1.0\ntagger Upstream <upstream@example.org> 1709294400 +0100\n\nRelease 1.0\n")
	sigPath, seenPath := filepath.Join(dir, "sig.pem"), filepath.Join(dir, "payload-seen")
	if err := os.WriteFile(sigPath, sigtest.MintGitsign(t, vs, san, issuer, payload, sigtest.GitsignOpts{}), 0o600); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "fake-gpgsm")
	body := "#!/bin/sh\ncat > '" + seenPath + "'\necho '[GNUPG:] SIG_CREATED ' >&2\ncat '" + sigPath + "'\n"
	if err := os.WriteFile(script, []byte(body), 0o700); err != nil {
		t.Fatal(err)
	}
	gitIn(t, dir, []string{"GIT_COMMITTER_DATE=1709294400 +0100"}, "-c", "gpg.format=x509", "-c", "gpg.x509.program="+script,
		"-c", "user.signingkey=upstream@example.org", "tag", "-s", "v1.0", "-m", "Release 1.0")
	if seen, err := os.ReadFile(seenPath); err != nil || !bytes.Equal(seen, payload) {
		t.Fatalf("git asked to sign %q (%v), minted for %q", seen, err, payload)
	}
	raw := gitIn(t, dir, nil, "cat-file", "tag", "v1.0")
	tag := mustParseTag(t, raw)
	p := TagPolicy{Name: "v1.0", Object: head, TrustedRoot: sigtest.TrustedRoot(t, vs), Identity: Identity{SAN: san, Issuer: issuer}}
	if r := VerifyTag(tag, p, time.Now()); r.Status != StatusValid || r.Signer != san {
		t.Fatalf("git tag -s (x509): %v", r)
	}
	p.Name = "v1.1"
	if r := VerifyTag(tag, p, time.Now()); r.Status != StatusInvalid {
		t.Fatalf("renamed: %v", r)
	}
}

func BenchmarkVerifyTagX509(b *testing.B) {
	const san, issuer = "upstream@example.org", "https://github.com/login/oauth"
	vs := sigtest.NewSigstore(b)
	payload := tagPayload("v1")
	tag, err := ParseTag(gitsignTag(payload, sigtest.MintGitsign(b, vs, san, issuer, payload, sigtest.GitsignOpts{})))
	if err != nil {
		b.Fatal(err)
	}
	p := TagPolicy{Name: "v1", TrustedRoot: sigtest.TrustedRoot(b, vs), Identity: Identity{SAN: san, Issuer: issuer}}
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if r := VerifyTag(tag, p, now); r.Status != StatusValid {
			b.Fatal(r)
		}
	}
}

// TestX509UnsupportedAlgorithms: an algorithm tarcheck does not implement
// (gpgsm may use SHA-3, or others) makes the signature unverifiable,
// not invalid: nothing shows it is bad.
func TestX509UnsupportedAlgorithms(t *testing.T) {
	vs := sigtest.NewSigstore(t)
	good := sigtest.MintGitsign(t, vs, "a@b", "c", tagPayload("v1"), sigtest.GitsignOpts{})
	blk, _ := pem.Decode(good)
	for name, swap := range map[string][2]asn1.ObjectIdentifier{
		"SHA3-256 digest":             {oidSHA256, {2, 16, 840, 1, 101, 3, 4, 2, 8}},
		"unknown signature algorithm": {append(slices.Clone(oidECDSAWithSHA2), 2), {1, 2, 840, 10045, 4, 3, 9}},
	} {
		t.Run(name, func(t *testing.T) {
			from, _ := asn1.Marshal(swap[0]) // an empty result fails the check below
			to, _ := asn1.Marshal(swap[1])
			if len(from) != len(to) || !bytes.Contains(blk.Bytes, from) {
				t.Fatalf("cannot swap %v for %v in place", swap[0], swap[1])
			}
			der := bytes.Replace(slices.Clone(blk.Bytes), from, to, -1)
			sig := pem.EncodeToMemory(&pem.Block{Type: "SIGNED MESSAGE", Bytes: der})
			tag, err := ParseTag(gitsignTag(tagPayload("v1"), sig))
			if err != nil {
				t.Fatal(err)
			}
			r := VerifyTag(tag, TagPolicy{TrustedRoot: sigtest.TrustedRoot(t, vs), Identity: Identity{SAN: "a@b", Issuer: "c"}}, time.Now())
			if r.Status != StatusUnverifiable || !strings.Contains(r.Detail, "unsupported") {
				t.Fatalf("got %v, want unverifiable (unsupported)", r)
			}
		})
	}
}
