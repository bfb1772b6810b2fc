package sig

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"
	"github.com/sigstore/sigstore-go/pkg/tlog"
	"google.golang.org/protobuf/encoding/protojson"
)

// virtualBundle signs artifact with sigstore-go's VirtualSigstore and
// serialises the result as a v0.1 bundle (transparency-log entry with an
// inclusion promise, plus an RFC 3161 timestamp).
func virtualBundle(t *testing.T, vs *ca.VirtualSigstore, san, issuer string, artifact []byte) []byte {
	t.Helper()
	e, err := vs.Sign(san, issuer, artifact)
	if err != nil {
		t.Fatal(err)
	}
	vc, err := e.VerificationContent()
	if err != nil {
		t.Fatal(err)
	}
	sc, err := e.SignatureContent()
	if err != nil {
		t.Fatal(err)
	}
	ms := sc.(*bundle.MessageSignature)
	tss, err := e.Timestamps()
	if err != nil {
		t.Fatal(err)
	}
	entries, err := e.TlogEntries()
	if err != nil {
		t.Fatal(err)
	}
	var tles []*protorekor.TransparencyLogEntry
	for _, en := range entries {
		// NewEntry (used by VirtualSigstore) keeps the inclusion promise
		// and kind out of the proto: put them back, re-signing the SET.
		tle := en.TransparencyLogEntry()
		tle.KindVersion = &protorekor.KindVersion{Kind: "hashedrekord", Version: "0.0.1"}
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
		tles = append(tles, tle)
	}
	var rfc []*protocommon.RFC3161SignedTimestamp
	for _, ts := range tss {
		rfc = append(rfc, &protocommon.RFC3161SignedTimestamp{SignedTimestamp: ts})
	}
	b := &protobundle.Bundle{
		MediaType: "application/vnd.dev.sigstore.bundle+json;version=0.1",
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content:                   &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: vc.Certificate().Raw}},
			TlogEntries:               tles,
			TimestampVerificationData: &protobundle.TimestampVerificationData{Rfc3161Timestamps: rfc},
		},
		Content: &protobundle.Bundle_MessageSignature{MessageSignature: &protocommon.MessageSignature{
			MessageDigest: &protocommon.HashOutput{Algorithm: protocommon.HashAlgorithm_SHA2_256, Digest: ms.Digest()},
			Signature:     ms.Signature(),
		}},
	}
	out, err := protojson.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func virtualTrustedRoot(t testing.TB, vs *ca.VirtualSigstore) []byte {
	t.Helper()
	// VirtualSigstore's logs carry their hex key id as ID; a trusted root
	// stores raw key ids.
	rawIDs := func(logs map[string]*root.TransparencyLog) map[string]*root.TransparencyLog {
		for k, l := range logs {
			if id, err := hex.DecodeString(string(l.ID)); err == nil {
				l.ID = id
			}
			logs[k] = l
		}
		return logs
	}
	tr, err := root.NewTrustedRoot(root.TrustedRootMediaType01, vs.FulcioCertificateAuthorities(),
		rawIDs(vs.CTLogs()), vs.TimestampingAuthorities(), rawIDs(vs.RekorLogs()))
	if err != nil {
		t.Fatal(err)
	}
	j, err := tr.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func TestVerifyBundleVirtualSigstore(t *testing.T) {
	const (
		san    = "release@example.org"
		issuer = "https://token.actions.githubusercontent.com"
	)
	vs, err := ca.NewVirtualSigstore()
	if err != nil {
		t.Fatal(err)
	}
	other, err := ca.NewVirtualSigstore()
	if err != nil {
		t.Fatal(err)
	}
	artifact := []byte("foo-1.2.tar.xz")
	d := sha256.Sum256(artifact)
	od := sha256.Sum256([]byte("foo-1.3.tar.xz"))
	bj := virtualBundle(t, vs, san, issuer, artifact)
	trj := virtualTrustedRoot(t, vs)
	id := Identity{SAN: san, Issuer: issuer}
	tests := []struct {
		name   string
		root   []byte
		digest []byte
		id     Identity
		want   Status
		in     string
	}{
		{"valid", trj, d[:], id, StatusValid, "Tlog"},
		{"wrong identity", trj, d[:], Identity{SAN: "mallory@example.org", Issuer: issuer}, StatusInvalid, "does not match"},
		{"wrong issuer", trj, d[:], Identity{SAN: san, IssuerRegexp: `^https://accounts\.google\.com$`}, StatusInvalid, "does not match"},
		{"other bytes", trj, od[:], id, StatusInvalid, "digest"},
		{"no identity policy", trj, d[:], Identity{}, StatusUnverifiable, "--certificate-identity"},
		{"other sigstore", virtualTrustedRoot(t, other), d[:], id, StatusInvalid, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := VerifyBundle(bj, tc.root, tc.digest, tc.id)
			t.Log(r)
			if r.Status != tc.want || !strings.Contains(r.Detail, tc.in) {
				t.Fatalf("got %v, want %s with %q", r, tc.want, tc.in)
			}
		})
	}
}
