package sigtest

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"testing"

	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
)

// The material must at least load with sigstore-go's own parsers; package
// sig's tests verify it end to end.
func TestMaterialLoads(t *testing.T) {
	vs := NewSigstore(t)
	for name, j := range map[string][]byte{"full": TrustedRoot(t, vs), "without logs": TrustedRootWithoutLogs(t, vs)} {
		tr, err := root.NewTrustedRootFromJSON(j)
		if err != nil {
			t.Fatalf("%s trusted root: %v", name, err)
		}
		if len(tr.FulcioCertificateAuthorities()) != 1 || len(tr.TimestampingAuthorities()) != 1 || len(tr.RekorLogs()) != 1 {
			t.Fatalf("%s trusted root: %d CAs, %d TSAs, %d logs", name,
				len(tr.FulcioCertificateAuthorities()), len(tr.TimestampingAuthorities()), len(tr.RekorLogs()))
		}
	}
	var b bundle.Bundle
	if err := b.UnmarshalJSON(Bundle(t, vs, "a@example.org", "https://issuer.example", []byte("artifact"))); err != nil {
		t.Fatalf("bundle: %v", err)
	}
	if vc, err := b.VerificationContent(); err != nil || vc.Certificate() == nil {
		t.Fatalf("bundle certificate: %v", err)
	}
}

func TestMintGitsignShape(t *testing.T) {
	vs := NewSigstore(t)
	for _, o := range []GitsignOpts{{}, {NoTimestamp: true, InclusionProof: true}, {ByHand: true}, {CertFrom: vs}} {
		sig := MintGitsign(t, vs, "a@example.org", "https://issuer.example", []byte("payload\n"), o)
		blk, rest := pem.Decode(sig)
		if blk == nil || blk.Type != "SIGNED MESSAGE" || len(rest) != 0 {
			t.Fatalf("%+v: not one SIGNED MESSAGE block: %q", o, sig)
		}
		cert := leaf(t, blk.Bytes)
		if len(cert.EmailAddresses) != 1 || cert.EmailAddresses[0] != "a@example.org" {
			t.Fatalf("%+v: certificate for %v", o, cert.EmailAddresses)
		}
	}
}

// leaf returns the one certificate of a CMS ContentInfo holding a
// SignedData (RFC 5652).
func leaf(t *testing.T, der []byte) *x509.Certificate {
	t.Helper()
	var ci struct {
		Type    asn1.ObjectIdentifier
		Content asn1.RawValue `asn1:"explicit,tag:0"`
	}
	if rest, err := asn1.Unmarshal(der, &ci); err != nil || len(rest) != 0 || !ci.Type.Equal(cmsSignedData) {
		t.Fatalf("ContentInfo %v: %v", ci.Type, err)
	}
	var sd struct {
		Version          int
		DigestAlgorithms asn1.RawValue
		EncapContentInfo asn1.RawValue
		Certificates     asn1.RawValue `asn1:"tag:0"`
		SignerInfos      asn1.RawValue
	}
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil {
		t.Fatalf("SignedData: %v", err)
	}
	c, err := x509.ParseCertificate(sd.Certificates.Bytes)
	if err != nil {
		t.Fatalf("certificate: %v", err)
	}
	return c
}

// A *testscript.TestScript is not a testing.TB: TB needs only Fatalf.
type fatalRecorder struct{ msg string }

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic(f)
}

func TestFailureGoesThroughTB(t *testing.T) {
	rec := &fatalRecorder{}
	func() {
		defer func() {
			if r := recover(); r != rec {
				t.Fatalf("recovered %v", r)
			}
		}()
		CanonicalJSON(rec, []byte("not json"))
	}()
	if !bytes.Contains([]byte(rec.msg), []byte("sigtest: canonical json")) {
		t.Fatalf("message %q", rec.msg)
	}
}
