// Package sigtest mints Sigstore test material offline: trusted roots and
// bundles from sigstore-go's VirtualSigstore (a fake Fulcio, Rekor and
// timestamp authority held in memory), and gitsign (x509 CMS) tag
// signatures issued by it. It is test support for package sig and for the
// end-to-end scripts of cmd/tarcheck; it must not import package sig.
//
// Every helper reports failures through TB and never returns an error: the
// material is generated, so a failure is a broken test.
package sigtest

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"
	"github.com/sigstore/sigstore-go/pkg/tlog"
	"google.golang.org/protobuf/encoding/protojson"
)

// TB is the part of testing.TB the helpers use. *testing.T, *testing.B,
// *testing.F and testscript's *TestScript all satisfy it.
type TB interface {
	Fatalf(format string, args ...any)
}

// helper is implemented by testing.TB: failures are then reported at the
// caller's line.
type helper interface{ Helper() }

// NewSigstore returns a new VirtualSigstore (its own CA, TSA and logs).
func NewSigstore(tb TB) *ca.VirtualSigstore {
	if h, ok := tb.(helper); ok {
		h.Helper()
	}
	vs, err := ca.NewVirtualSigstore()
	if err != nil {
		tb.Fatalf("sigtest: new virtual sigstore: %v", err)
	}
	return vs
}

// TrustedRoot returns the trusted_root.json that trusts vs's certificate
// authority, timestamp authority, Rekor and CT logs.
func TrustedRoot(tb TB, vs *ca.VirtualSigstore) []byte {
	if h, ok := tb.(helper); ok {
		h.Helper()
	}
	return trustedRoot(tb, vs, rawLogIDs(vs.CTLogs()), rawLogIDs(vs.RekorLogs()))
}

// TrustedRootWithoutLogs returns a trusted_root.json that trusts vs's
// certificate authority and timestamp authority but none of its logs: the
// Rekor log it lists belongs to another, fresh VirtualSigstore.
func TrustedRootWithoutLogs(tb TB, vs *ca.VirtualSigstore) []byte {
	if h, ok := tb.(helper); ok {
		h.Helper()
	}
	other := NewSigstore(tb)
	return trustedRoot(tb, vs, nil, rawLogIDs(other.RekorLogs()))
}

func trustedRoot(tb TB, vs *ca.VirtualSigstore, ctLogs, rekorLogs map[string]*root.TransparencyLog) []byte {
	tr, err := root.NewTrustedRoot(root.TrustedRootMediaType01, vs.FulcioCertificateAuthorities(),
		ctLogs, vs.TimestampingAuthorities(), rekorLogs)
	if err != nil {
		tb.Fatalf("sigtest: trusted root: %v", err)
	}
	j, err := tr.MarshalJSON()
	if err != nil {
		tb.Fatalf("sigtest: trusted root: %v", err)
	}
	return j
}

// rawLogIDs rewrites VirtualSigstore's logs, which carry their hex key id
// as ID, to the raw key ids a trusted root stores.
func rawLogIDs(logs map[string]*root.TransparencyLog) map[string]*root.TransparencyLog {
	for k, l := range logs {
		if id, err := hex.DecodeString(string(l.ID)); err == nil {
			l.ID = id
		}
		logs[k] = l
	}
	return logs
}

// Bundle signs artifact with vs for the identity san issued by issuer and
// serialises the result as a v0.1 Sigstore bundle (JSON): the leaf
// certificate, a hashedrekord transparency-log entry with its inclusion
// promise, and an RFC 3161 timestamp.
func Bundle(tb TB, vs *ca.VirtualSigstore, san, issuer string, artifact []byte) []byte {
	if h, ok := tb.(helper); ok {
		h.Helper()
	}
	sg := sign(tb, vs, san, issuer, artifact)
	var tles []*protorekor.TransparencyLogEntry
	for _, en := range sg.entries {
		// NewEntry (used by VirtualSigstore) keeps the inclusion promise
		// and kind out of the proto: put them back, re-signing the SET.
		tle := en.TransparencyLogEntry()
		tle.KindVersion = &protorekor.KindVersion{Kind: "hashedrekord", Version: "0.0.1"}
		tle.InclusionPromise = &protorekor.InclusionPromise{SignedEntryTimestamp: signEntry(tb, vs, tle)}
		tles = append(tles, tle)
	}
	var rfc []*protocommon.RFC3161SignedTimestamp
	for _, ts := range sg.timestamps {
		rfc = append(rfc, &protocommon.RFC3161SignedTimestamp{SignedTimestamp: ts})
	}
	b := &protobundle.Bundle{
		MediaType: "application/vnd.dev.sigstore.bundle+json;version=0.1",
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content:                   &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: sg.cert.Raw}},
			TlogEntries:               tles,
			TimestampVerificationData: &protobundle.TimestampVerificationData{Rfc3161Timestamps: rfc},
		},
		Content: &protobundle.Bundle_MessageSignature{MessageSignature: &protocommon.MessageSignature{
			MessageDigest: &protocommon.HashOutput{Algorithm: protocommon.HashAlgorithm_SHA2_256, Digest: sg.sig.Digest()},
			Signature:     sg.sig.Signature(),
		}},
	}
	out, err := protojson.Marshal(b)
	if err != nil {
		tb.Fatalf("sigtest: bundle: %v", err)
	}
	return out
}

// signed is a VirtualSigstore signature, unpacked.
type signed struct {
	cert       *x509.Certificate
	sig        *bundle.MessageSignature
	timestamps [][]byte // RFC 3161 timestamp responses over the signature
	entries    []*tlog.Entry
}

// sign has vs sign data for the identity san issued by issuer: a leaf
// certificate, a timestamp and a hashedrekord log entry.
func sign(tb TB, vs *ca.VirtualSigstore, san, issuer string, data []byte) signed {
	e, err := vs.Sign(san, issuer, data)
	if err != nil {
		tb.Fatalf("sigtest: sign: %v", err)
	}
	vc, err1 := e.VerificationContent()
	sc, err2 := e.SignatureContent()
	tss, err3 := e.Timestamps()
	entries, err4 := e.TlogEntries()
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		tb.Fatalf("sigtest: unpacking a signature: %v", err)
	}
	ms, ok := sc.(*bundle.MessageSignature)
	if !ok || vc.Certificate() == nil || len(tss) == 0 || len(entries) == 0 {
		tb.Fatalf("sigtest: VirtualSigstore signed without certificate, timestamp or log entry")
	}
	return signed{cert: vc.Certificate(), sig: ms, timestamps: tss, entries: entries}
}

// signEntry returns vs's Rekor signed entry timestamp (inclusion promise)
// over tle's body, index, integrated time and log id.
func signEntry(tb TB, vs *ca.VirtualSigstore, tle *protorekor.TransparencyLogEntry) []byte {
	set, err := vs.RekorSignPayload(tlog.RekorPayload{
		Body:           base64.StdEncoding.EncodeToString(tle.CanonicalizedBody),
		IntegratedTime: tle.IntegratedTime,
		LogIndex:       tle.LogIndex,
		LogID:          hex.EncodeToString(tle.LogId.KeyId),
	})
	if err != nil {
		tb.Fatalf("sigtest: rekor signed entry timestamp: %v", err)
	}
	return set
}
