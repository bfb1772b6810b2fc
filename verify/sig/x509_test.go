package sig

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	_ "crypto/sha1" // SHA-1 signatures are minted, to be refused
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"
	"github.com/sigstore/sigstore-go/pkg/tlog"
	"google.golang.org/protobuf/proto"
)

// gitsignOpts shapes a minted gitsign signature. The zero value is what
// gitsign writes in offline mode with a timestamp authority configured:
// ECDSA P-256, SHA-256, one signer, the leaf certificate only, an RFC 3161
// timestamp token and the Rekor entry (without its body) as unsigned
// attributes.
type gitsignOpts struct {
	noTimestamp, noRekor bool
	inclusionProof       bool                  // add an inclusion proof to the Rekor entry
	custom               bool                  // sign by hand with the leaf key (no Rekor entry)
	digest               asn1.ObjectIdentifier // non-nil: SignerInfo digest algorithm (no Rekor entry)
	hash                 crypto.Hash           // the hash of digest
	certFrom, tsaFrom    *ca.VirtualSigstore   // another CA or TSA than vs
	tsOver               []byte                // timestamp these bytes, not the signature
	rekorFrom            []byte                // embed the Rekor entry of a signature over these attributes
	signedPayload        []byte                // sign this instead of the tag payload
	twoSigners           bool
}

var (
	oidECDSAWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidECDSAWithSHA512 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
)

func mustMarshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// constructed encodes parts (DER each) inside a constructed element.
func constructed(t testing.TB, class, tag int, parts ...[]byte) []byte {
	return mustMarshal(t, asn1.RawValue{Class: class, Tag: tag, IsCompound: true, Bytes: bytes.Join(parts, nil)})
}

func cmsAttr(t testing.TB, oid asn1.ObjectIdentifier, values ...[]byte) []byte {
	return constructed(t, asn1.ClassUniversal, asn1.TagSequence, mustMarshal(t, oid), constructed(t, asn1.ClassUniversal, asn1.TagSet, values...))
}

// derSetOf sorts DER elements as a SET OF requires.
func derSetOf(els [][]byte) [][]byte {
	els = slices.Clone(els)
	slices.SortFunc(els, bytes.Compare)
	return els
}

// mintGitsign signs payload as gitsign does (detached CMS SignedData, PEM
// "SIGNED MESSAGE"), with vs as Fulcio, TSA and Rekor.
func mintGitsign(t testing.TB, vs *ca.VirtualSigstore, san, issuer string, payload []byte, o gitsignOpts) []byte {
	t.Helper()
	if o.signedPayload == nil {
		o.signedPayload = payload
	}
	if o.digest == nil {
		o.digest, o.hash = oidSHA256, crypto.SHA256
	}
	h := o.hash.New()
	h.Write(o.signedPayload)
	attrs := derSetOf([][]byte{
		cmsAttr(t, oidContentType, mustMarshal(t, oidData)),
		cmsAttr(t, asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}, mustMarshal(t, time.Now().UTC())),
		cmsAttr(t, oidMessageDigest, mustMarshal(t, h.Sum(nil))),
	})
	signedAttrs := constructed(t, asn1.ClassUniversal, asn1.TagSet, attrs...)

	var (
		cert   *x509.Certificate
		sigVal []byte
		tsr    []byte
		sigAlg = oidECDSAWithSHA256
		entry  *tlog.Entry
	)
	certFrom := vs
	if o.certFrom != nil {
		certFrom = o.certFrom
	}
	tsaFrom := vs
	if o.tsaFrom != nil {
		tsaFrom = o.tsaFrom
	}
	custom := o.custom || o.hash != crypto.SHA256 || o.certFrom != nil
	if !custom {
		// VirtualSigstore signs the signed attributes, timestamps the
		// signature and logs a hashedrekord entry for it, as gitsign's
		// offline mode has Rekor do.
		e, err := vs.Sign(san, issuer, signedAttrs)
		if err != nil {
			t.Fatal(err)
		}
		vc, _ := e.VerificationContent()
		sc, _ := e.SignatureContent()
		cert, sigVal = vc.Certificate(), sc.Signature()
		tss, _ := e.Timestamps()
		tsr = tss[0]
		entries, _ := e.TlogEntries()
		entry = entries[0]
	} else {
		c, key, err := certFrom.GenerateLeafCert(san, issuer)
		if err != nil {
			t.Fatal(err)
		}
		cert = c
		d := o.hash.New()
		d.Write(signedAttrs)
		switch k := key.(type) {
		case *ecdsa.PrivateKey:
			sigVal, err = ecdsa.SignASN1(rand.Reader, k, d.Sum(nil))
			switch o.hash {
			case crypto.SHA512:
				sigAlg = oidECDSAWithSHA512
			case crypto.SHA1:
				sigAlg = oidECPublicKey
			}
		case *rsa.PrivateKey:
			sigVal, err = rsa.SignPKCS1v15(rand.Reader, k, o.hash, d.Sum(nil))
			sigAlg = oidRSAWithSHA256
		case ed25519.PrivateKey:
			sigVal, sigAlg = ed25519.Sign(k, signedAttrs), oidEd25519
		}
		if err != nil {
			t.Fatal(err)
		}
		if tsr, err = tsaFrom.TimestampResponse(sigVal); err != nil {
			t.Fatal(err)
		}
		o.noRekor = true
	}
	if o.tsaFrom != nil || o.tsOver != nil {
		over := sigVal
		if o.tsOver != nil {
			over = o.tsOver
		}
		var err error
		if tsr, err = tsaFrom.TimestampResponse(over); err != nil {
			t.Fatal(err)
		}
	}
	if o.rekorFrom != nil {
		e, err := vs.Sign(san, issuer, o.rekorFrom)
		if err != nil {
			t.Fatal(err)
		}
		entries, _ := e.TlogEntries()
		entry = entries[0]
	}

	var unsigned [][]byte
	if !o.noTimestamp {
		// gitsign stores the TimeStampToken, not the whole response.
		var resp struct {
			Status asn1.RawValue
			Token  asn1.RawValue
		}
		if _, err := asn1.Unmarshal(tsr, &resp); err != nil {
			t.Fatal(err)
		}
		unsigned = append(unsigned, cmsAttr(t, oidTimeStampToken, resp.Token.FullBytes))
	}
	if !o.noRekor {
		unsigned = append(unsigned, cmsAttr(t, oidRekorTransparencyLogEntry, mustMarshal(t, rekorAttr(t, vs, entry, o.inclusionProof))))
	}

	issuerAndSerial := constructed(t, asn1.ClassUniversal, asn1.TagSequence, cert.RawIssuer, mustMarshal(t, cert.SerialNumber))
	si := [][]byte{
		mustMarshal(t, 1),
		issuerAndSerial,
		mustMarshal(t, pkix.AlgorithmIdentifier{Algorithm: o.digest}),
		constructed(t, asn1.ClassContextSpecific, 0, attrs...),
		mustMarshal(t, pkix.AlgorithmIdentifier{Algorithm: sigAlg}),
		mustMarshal(t, sigVal),
	}
	if len(unsigned) > 0 {
		si = append(si, constructed(t, asn1.ClassContextSpecific, 1, derSetOf(unsigned)...))
	}
	signerInfo := constructed(t, asn1.ClassUniversal, asn1.TagSequence, si...)
	signerInfos := [][]byte{signerInfo}
	if o.twoSigners {
		signerInfos = append(signerInfos, signerInfo)
	}
	signedData := constructed(t, asn1.ClassUniversal, asn1.TagSequence,
		mustMarshal(t, 1),
		constructed(t, asn1.ClassUniversal, asn1.TagSet, mustMarshal(t, pkix.AlgorithmIdentifier{Algorithm: o.digest})),
		constructed(t, asn1.ClassUniversal, asn1.TagSequence, mustMarshal(t, oidData)),
		constructed(t, asn1.ClassContextSpecific, 0, cert.Raw),
		constructed(t, asn1.ClassUniversal, asn1.TagSet, signerInfos...),
	)
	contentInfo := constructed(t, asn1.ClassUniversal, asn1.TagSequence,
		mustMarshal(t, oidSignedData), constructed(t, asn1.ClassContextSpecific, 0, signedData))
	return pem.EncodeToMemory(&pem.Block{Type: "SIGNED MESSAGE", Bytes: contentInfo})
}

// rekorAttr is the serialized TransparencyLogEntry gitsign embeds: kind,
// log id, index, integrated time and inclusion promise, body cleared.
func rekorAttr(t testing.TB, vs *ca.VirtualSigstore, entry *tlog.Entry, withProof bool) []byte {
	t.Helper()
	tle := proto.Clone(entry.TransparencyLogEntry()).(*protorekor.TransparencyLogEntry)
	tle.KindVersion = &protorekor.KindVersion{Kind: "hashedrekord", Version: "0.0.1"}
	// Rekor logs the RFC 8785 form (types.CanonicalizeEntry);
	// VirtualSigstore keeps the plain json.Marshal one.
	tle.CanonicalizedBody = canonicalJSON(t, tle.CanonicalizedBody)
	set, err := vs.RekorSignPayload(tlog.RekorPayload{
		Body:           base64.StdEncoding.EncodeToString(tle.CanonicalizedBody),
		IntegratedTime: tle.IntegratedTime,
		LogIndex:       tle.LogIndex,
		LogID:          hex.EncodeToString(tle.LogId.KeyId),
	})
	if err != nil {
		t.Fatal(err)
	}
	tle.InclusionPromise = &protorekor.InclusionPromise{SignedEntryTimestamp: set}
	if withProof {
		p, err := vs.GetInclusionProof(tle.CanonicalizedBody)
		if err != nil {
			t.Fatal(err)
		}
		var hashes [][]byte
		for _, h := range p.Hashes {
			b, _ := hex.DecodeString(h)
			hashes = append(hashes, b)
		}
		rh, _ := hex.DecodeString(*p.RootHash)
		tle.InclusionProof = &protorekor.InclusionProof{
			LogIndex: *p.LogIndex, RootHash: rh, TreeSize: *p.TreeSize, Hashes: hashes,
			Checkpoint: &protorekor.Checkpoint{Envelope: *p.Checkpoint},
		}
	}
	tle.CanonicalizedBody = nil
	b, err := proto.Marshal(tle)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// canonicalJSON re-encodes a JSON object of strings and objects in the
// RFC 8785 form: keys sorted, no insignificant space, no HTML escaping
// (enough for Rekor entry bodies, which hold no numbers).
func canonicalJSON(t testing.TB, in []byte) []byte {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(in, &v); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

func gitsignTag(payload, sigPEM []byte) []byte {
	return append(append([]byte{}, payload...), sigPEM...)
}

func TestVerifyTagGitsign(t *testing.T) {
	const (
		san    = "upstream@example.org"
		issuer = "https://github.com/login/oauth"
	)
	vs, err := ca.NewVirtualSigstore()
	if err != nil {
		t.Fatal(err)
	}
	other, err := ca.NewVirtualSigstore()
	if err != nil {
		t.Fatal(err)
	}
	trj := virtualTrustedRoot(t, vs)
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
		o       gitsignOpts
		payload []byte // tag payload when it differs from the signed one
		p       *TagPolicy
		want    Status
		in      string
	}{
		{"valid with timestamp and rekor", nil, gitsignOpts{}, nil, nil, StatusValid, "Tlog"},
		{"valid with rekor entry only", nil, gitsignOpts{noTimestamp: true}, nil, nil, StatusValid, "verified timestamps: Tlog"},
		{"valid with rekor inclusion proof", nil, gitsignOpts{noTimestamp: true, inclusionProof: true}, nil, nil, StatusValid, "Tlog"},
		{"valid with timestamp only", nil, gitsignOpts{noRekor: true}, nil, nil, StatusValid, "verified timestamps: TimestampAuthority"},
		{"valid sha512", nil, gitsignOpts{digest: oidSHA512, hash: crypto.SHA512}, nil, nil, StatusValid, "TimestampAuthority"},
		{"valid ed25519", vsEd, gitsignOpts{custom: true, digest: oidSHA512, hash: crypto.SHA512}, nil, &TagPolicy{TrustedRoot: virtualTrustedRoot(t, vsEd), Identity: id}, StatusValid, "TimestampAuthority"},
		{"valid rsa", vsRSA, gitsignOpts{custom: true}, nil, &TagPolicy{TrustedRoot: virtualTrustedRoot(t, vsRSA), Identity: id}, StatusValid, "TimestampAuthority"},
		{"payload tampered", nil, gitsignOpts{}, bytes.Replace(tagPayload("v1"), []byte("Release v1"), []byte("Release v1 (backdoored)"), 1), nil, StatusInvalid, "other bytes"},
		{"signed other payload", nil, gitsignOpts{signedPayload: tagPayload("v2")}, nil, nil, StatusInvalid, "message digest"},
		{"wrong SAN", nil, gitsignOpts{}, nil, &TagPolicy{TrustedRoot: trj, Identity: Identity{SAN: "mallory@example.org", Issuer: issuer}}, StatusInvalid, "does not match the policy"},
		{"wrong issuer", nil, gitsignOpts{}, nil, &TagPolicy{TrustedRoot: trj, Identity: Identity{SAN: san, IssuerRegexp: `^https://accounts\.google\.com$`}}, StatusInvalid, "does not match the policy"},
		{"cert from another CA", nil, gitsignOpts{certFrom: other, noRekor: true}, nil, nil, StatusInvalid, "does not chain"},
		{"other sigstore entirely", nil, gitsignOpts{}, nil, &TagPolicy{TrustedRoot: virtualTrustedRoot(t, other), Identity: id}, StatusInvalid, ""},
		{"timestamp from another TSA", nil, gitsignOpts{tsaFrom: other, noRekor: true}, nil, nil, StatusInvalid, "RFC 3161 timestamp"},
		{"timestamp from another TSA beside good rekor", nil, gitsignOpts{tsaFrom: other}, nil, nil, StatusInvalid, "RFC 3161 timestamp"},
		{"timestamp over other bytes", nil, gitsignOpts{tsOver: []byte("other"), noRekor: true}, nil, nil, StatusInvalid, "RFC 3161 timestamp"},
		{"rekor entry of another signature", nil, gitsignOpts{noTimestamp: true, rekorFrom: []byte("other attributes")}, nil, nil, StatusInvalid, "transparency-log entry"},
		{"rekor entry from an untrusted log", nil, gitsignOpts{}, nil, &TagPolicy{TrustedRoot: trustedRootWithoutLogs(t, vs), Identity: id}, StatusInvalid, "transparency-log entry"},
		{"no timestamp (online mode)", nil, gitsignOpts{noTimestamp: true, noRekor: true}, nil, nil, StatusUnverifiable, "can only be checked online"},
		{"no identity policy", nil, gitsignOpts{}, nil, &TagPolicy{TrustedRoot: trj}, StatusUnverifiable, "--trusted-root"},
		{"no trusted root", nil, gitsignOpts{}, nil, &TagPolicy{Identity: id}, StatusUnverifiable, "the certificate claims " + san},
		{"sha1 digest", nil, gitsignOpts{digest: oidSHA1, hash: crypto.SHA1}, nil, nil, StatusInvalid, "SHA-1"},
		{"two signers", nil, gitsignOpts{twoSigners: true}, nil, nil, StatusInvalid, "exactly one"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := vs
			if tc.vs != nil {
				v = tc.vs
			}
			sigPEM := mintGitsign(t, v, san, issuer, payload, tc.o)
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

// trustedRootWithoutLogs trusts vs's CA and TSA but none of its logs.
func trustedRootWithoutLogs(t *testing.T, vs *ca.VirtualSigstore) []byte {
	t.Helper()
	other, err := ca.NewVirtualSigstore()
	if err != nil {
		t.Fatal(err)
	}
	logs := other.RekorLogs()
	for k, l := range logs {
		if id, err := hex.DecodeString(string(l.ID)); err == nil {
			l.ID = id
		}
		logs[k] = l
	}
	tr, err := root.NewTrustedRoot(root.TrustedRootMediaType01, vs.FulcioCertificateAuthorities(),
		nil, vs.TimestampingAuthorities(), logs)
	if err != nil {
		t.Fatal(err)
	}
	j, err := tr.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func TestVerifyTagGitsignMalformed(t *testing.T) {
	vs, err := ca.NewVirtualSigstore()
	if err != nil {
		t.Fatal(err)
	}
	trj := virtualTrustedRoot(t, vs)
	p := TagPolicy{TrustedRoot: trj, Identity: Identity{SAN: "a@b", Issuer: "c"}}
	good := mintGitsign(t, vs, "a@b", "c", tagPayload("v1"), gitsignOpts{})
	blk, _ := pem.Decode(good)
	cases := map[string][]byte{
		"garbage body":   []byte("-----BEGIN SIGNED MESSAGE-----\nAAAA\n-----END SIGNED MESSAGE-----\n"),
		"not base64":     []byte("-----BEGIN SIGNED MESSAGE-----\n!!!!\n-----END SIGNED MESSAGE-----\n"),
		"unterminated":   []byte("-----BEGIN SIGNED MESSAGE-----\nAAAA\n"),
		"truncated DER":  pem.EncodeToMemory(&pem.Block{Type: "SIGNED MESSAGE", Bytes: blk.Bytes[:len(blk.Bytes)/2]}),
		"trailing DER":   pem.EncodeToMemory(&pem.Block{Type: "SIGNED MESSAGE", Bytes: append(slices.Clone(blk.Bytes), 0)}),
		"trailing text":  append(slices.Clone(good), "extra\n"...),
		"not SignedData": pem.EncodeToMemory(&pem.Block{Type: "SIGNED MESSAGE", Bytes: mustMarshal(t, oidData)}),
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
	vs, err := ca.NewVirtualSigstore()
	if err != nil {
		t.Fatal(err)
	}
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
	want := canonicalJSON(t, entries[0].TransparencyLogEntry().CanonicalizedBody)
	if !bytes.Equal(got, want) {
		t.Fatalf("body\n got %s\nwant %s", got, want)
	}
}

func FuzzX509TagSignature(f *testing.F) {
	vs, err := ca.NewVirtualSigstore()
	if err != nil {
		f.Fatal(err)
	}
	const san, issuer = "upstream@example.org", "https://github.com/login/oauth"
	trj := virtualTrustedRoot(f, vs)
	payload := tagPayload("v1")
	for _, o := range []gitsignOpts{{}, {noRekor: true}, {noTimestamp: true, inclusionProof: true}, {twoSigners: true}} {
		blk, _ := pem.Decode(mintGitsign(f, vs, san, issuer, payload, o))
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
	vs, err := ca.NewVirtualSigstore()
	if err != nil {
		t.Fatal(err)
	}
	dir, head := newRepo(t)
	payload := []byte("object " + head + "\ntype commit\ntag v1.0\ntagger Upstream <upstream@example.org> 1709294400 +0100\n\nRelease 1.0\n")
	sigPath, seenPath := filepath.Join(dir, "sig.pem"), filepath.Join(dir, "payload-seen")
	if err := os.WriteFile(sigPath, mintGitsign(t, vs, san, issuer, payload, gitsignOpts{}), 0o600); err != nil {
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
	p := TagPolicy{Name: "v1.0", Object: head, TrustedRoot: virtualTrustedRoot(t, vs), Identity: Identity{SAN: san, Issuer: issuer}}
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
	vs, err := ca.NewVirtualSigstore()
	if err != nil {
		b.Fatal(err)
	}
	payload := tagPayload("v1")
	tag, err := ParseTag(gitsignTag(payload, mintGitsign(b, vs, san, issuer, payload, gitsignOpts{})))
	if err != nil {
		b.Fatal(err)
	}
	p := TagPolicy{Name: "v1", TrustedRoot: virtualTrustedRoot(b, vs), Identity: Identity{SAN: san, Issuer: issuer}}
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
	vs, err := ca.NewVirtualSigstore()
	if err != nil {
		t.Fatal(err)
	}
	good := mintGitsign(t, vs, "a@b", "c", tagPayload("v1"), gitsignOpts{})
	blk, _ := pem.Decode(good)
	for name, swap := range map[string][2]asn1.ObjectIdentifier{
		"SHA3-256 digest":             {oidSHA256, {2, 16, 840, 1, 101, 3, 4, 2, 8}},
		"unknown signature algorithm": {oidECDSAWithSHA256, {1, 2, 840, 10045, 4, 3, 9}},
	} {
		t.Run(name, func(t *testing.T) {
			from, to := mustMarshal(t, swap[0]), mustMarshal(t, swap[1])
			if len(from) != len(to) || !bytes.Contains(blk.Bytes, from) {
				t.Fatalf("cannot swap %v for %v in place", swap[0], swap[1])
			}
			der := bytes.Replace(slices.Clone(blk.Bytes), from, to, -1)
			sig := pem.EncodeToMemory(&pem.Block{Type: "SIGNED MESSAGE", Bytes: der})
			tag, err := ParseTag(gitsignTag(tagPayload("v1"), sig))
			if err != nil {
				t.Fatal(err)
			}
			r := VerifyTag(tag, TagPolicy{TrustedRoot: virtualTrustedRoot(t, vs), Identity: Identity{SAN: "a@b", Issuer: "c"}}, time.Now())
			if r.Status != StatusUnverifiable || !strings.Contains(r.Detail, "unsupported") {
				t.Fatalf("got %v, want unverifiable (unsupported)", r)
			}
		})
	}
}
