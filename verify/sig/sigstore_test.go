package sig

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/digitorus/timestamp"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	"github.com/sigstore/sigstore-go/pkg/root"
	"google.golang.org/protobuf/encoding/protojson"
)

// fakeSigstore is an offline Sigstore: a Fulcio-like CA and an RFC 3161
// timestamp authority, with the trusted_root.json that trusts them. Its
// bundles carry a signed timestamp and no transparency-log entry, the
// path sigstore-go's VirtualSigstore (virtual_sigstore_test.go) does not
// exercise. It needs only the standard library and digitorus/timestamp.
type fakeSigstore struct {
	rootCert, fulcioCert, tsaInterCert, tsaLeafCert *x509.Certificate
	fulcioKey, tsaLeafKey                           *ecdsa.PrivateKey
	trustedRootJSON                                 []byte
}

func newFakeSigstore(t testing.TB) *fakeSigstore {
	t.Helper()
	now := time.Now()
	mk := func(tmpl, parent *x509.Certificate, pub *ecdsa.PublicKey, priv *ecdsa.PrivateKey) *x509.Certificate {
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, priv)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	key := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	f := &fakeSigstore{}
	rootKey := key()
	rootTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fake-sigstore"},
		NotBefore: now.Add(-5 * time.Hour), NotAfter: now.Add(5 * time.Hour),
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, BasicConstraintsValid: true, IsCA: true,
	}
	f.rootCert = mk(rootTmpl, rootTmpl, &rootKey.PublicKey, rootKey)
	f.fulcioKey = key()
	f.fulcioCert = mk(&x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "fake-fulcio"},
		NotBefore: now.Add(-2 * time.Hour), NotAfter: now.Add(2 * time.Hour),
		KeyUsage:    x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}, BasicConstraintsValid: true, IsCA: true,
	}, f.rootCert, &f.fulcioKey.PublicKey, rootKey)
	tsaInterKey := key()
	f.tsaInterCert = mk(&x509.Certificate{
		SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "fake-tsa-intermediate"},
		NotBefore: now.Add(-2 * time.Hour), NotAfter: now.Add(2 * time.Hour),
		KeyUsage:    x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}, BasicConstraintsValid: true, IsCA: true,
	}, f.rootCert, &tsaInterKey.PublicKey, rootKey)
	ekuTimestamping, _ := asn1.Marshal([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 8}})
	f.tsaLeafKey = key()
	f.tsaLeafCert = mk(&x509.Certificate{
		SerialNumber: big.NewInt(4), Subject: pkix.Name{CommonName: "fake-tsa"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		KeyUsage:        x509.KeyUsageDigitalSignature,
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: ekuTimestamping}},
	}, f.tsaInterCert, &f.tsaLeafKey.PublicKey, tsaInterKey)

	tr, err := root.NewTrustedRoot(root.TrustedRootMediaType01,
		[]root.CertificateAuthority{&root.FulcioCertificateAuthority{
			Root: f.rootCert, Intermediates: []*x509.Certificate{f.fulcioCert},
			ValidityPeriodStart: now.Add(-5 * time.Hour), ValidityPeriodEnd: now.Add(5 * time.Hour),
			URI: "https://fulcio.invalid",
		}},
		map[string]*root.TransparencyLog{},
		[]root.TimestampingAuthority{&root.SigstoreTimestampingAuthority{
			Root: f.rootCert, Intermediates: []*x509.Certificate{f.tsaInterCert}, Leaf: f.tsaLeafCert,
			ValidityPeriodStart: now.Add(-5 * time.Hour), ValidityPeriodEnd: now.Add(5 * time.Hour),
			URI: "https://tsa.invalid",
		}},
		map[string]*root.TransparencyLog{})
	if err != nil {
		t.Fatal(err)
	}
	f.trustedRootJSON, err = tr.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// sign returns a v0.3 bundle JSON: a message signature over artifact by
// a fresh certificate for (san, issuer), with a signed timestamp.
func (f *fakeSigstore) sign(t testing.TB, san, issuer string, artifact []byte) []byte {
	t.Helper()
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()), EmailAddresses: []string{san},
		NotBefore: now.Add(-time.Minute), NotAfter: now.Add(10 * time.Minute),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
		ExtraExtensions: []pkix.Extension{{
			Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 1}, Value: []byte(issuer),
		}},
	}, f.fulcioCert, &leafKey.PublicKey, f.fulcioKey)
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256(artifact)
	sigBytes, err := ecdsa.SignASN1(rand.Reader, leafKey, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	tsq, err := timestamp.CreateRequest(bytes.NewReader(sigBytes), &timestamp.RequestOptions{Hash: crypto.SHA256})
	if err != nil {
		t.Fatal(err)
	}
	req, err := timestamp.ParseRequest(tsq)
	if err != nil {
		t.Fatal(err)
	}
	ts := timestamp.Timestamp{
		HashAlgorithm: req.HashAlgorithm, HashedMessage: req.HashedMessage, Time: now,
		Policy: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 2},
	}
	tsr, err := ts.CreateResponseWithOpts(f.tsaLeafCert, f.tsaLeafKey, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	b := &protobundle.Bundle{
		MediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content: &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: der}},
			TimestampVerificationData: &protobundle.TimestampVerificationData{
				Rfc3161Timestamps: []*protocommon.RFC3161SignedTimestamp{{SignedTimestamp: tsr}},
			},
		},
		Content: &protobundle.Bundle_MessageSignature{MessageSignature: &protocommon.MessageSignature{
			MessageDigest: &protocommon.HashOutput{Algorithm: protocommon.HashAlgorithm_SHA2_256, Digest: digest[:]},
			Signature:     sigBytes,
		}},
	}
	out, err := protojson.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestVerifyBundle(t *testing.T) {
	const (
		san    = "release@example.org"
		issuer = "https://issuer.example.org"
	)
	f := newFakeSigstore(t)
	other := newFakeSigstore(t)
	artifact := []byte("foo-1.2.tar.xz contents")
	digest := sha256.Sum256(artifact)
	otherDigest := sha256.Sum256([]byte("something else"))
	good := f.sign(t, san, issuer, artifact)
	id := Identity{SAN: san, Issuer: issuer}
	noTimestamp := stripTimestamps(t, good)

	tests := []struct {
		name       string
		bundle     []byte
		root       []byte
		digest     []byte
		id         Identity
		want       Status
		wantDetail string
	}{
		{"valid", good, f.trustedRootJSON, digest[:], id, StatusValid, "TimestampAuthority"},
		{"valid regexp", good, f.trustedRootJSON, digest[:], Identity{SANRegexp: `^release@example\.org$`, IssuerRegexp: `^https://issuer\.`}, StatusValid, ""},
		{"wrong identity", good, f.trustedRootJSON, digest[:], Identity{SAN: "mallory@example.org", Issuer: issuer}, StatusInvalid, "does not match"},
		{"wrong issuer", good, f.trustedRootJSON, digest[:], Identity{SAN: san, Issuer: "https://accounts.example.com"}, StatusInvalid, "does not match"},
		{"other bytes", good, f.trustedRootJSON, otherDigest[:], id, StatusInvalid, ""},
		{"no identity policy", good, f.trustedRootJSON, digest[:], Identity{}, StatusUnverifiable, "--certificate-identity"},
		{"identity without issuer", good, f.trustedRootJSON, digest[:], Identity{SAN: san}, StatusUnverifiable, "--certificate-oidc-issuer"},
		{"no timestamp nor log entry", noTimestamp, f.trustedRootJSON, digest[:], id, StatusInvalid, "timestamp"},
		{"untrusted root", good, other.trustedRootJSON, digest[:], id, StatusInvalid, ""},
		{"no trusted root", good, nil, digest[:], id, StatusUnverifiable, "trusted root"},
		{"malformed bundle", []byte(`{"mediaType": 3}`), f.trustedRootJSON, digest[:], id, StatusInvalid, "malformed"},
		{"bad trusted root", good, []byte(`{}`), digest[:], id, StatusUnverifiable, "trusted root"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := VerifyBundle(tc.bundle, tc.root, tc.digest, tc.id)
			if r.Status != tc.want || !strings.Contains(r.Detail, tc.wantDetail) {
				t.Fatalf("got %v, want %s with detail containing %q", r, tc.want, tc.wantDetail)
			}
			if r.Subject != SubjectTarball || r.Kind != KindSigstore {
				t.Errorf("subject/kind = %s/%s", r.Subject, r.Kind)
			}
			if r.Status == StatusValid && r.Signer != san {
				t.Errorf("signer = %q, want %q", r.Signer, san)
			}
		})
	}
}

// stripTimestamps removes the RFC 3161 timestamps from a bundle.
func stripTimestamps(t *testing.T, bundleJSON []byte) []byte {
	t.Helper()
	var b protobundle.Bundle
	if err := protojson.Unmarshal(bundleJSON, &b); err != nil {
		t.Fatal(err)
	}
	b.VerificationMaterial.TimestampVerificationData = nil
	out, err := protojson.Marshal(&b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
