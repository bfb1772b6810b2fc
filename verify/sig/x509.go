package sig

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/tlog"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"google.golang.org/protobuf/proto"

	"github.com/tarcheck/tarcheck/internal/limits"
)

// Limits on an x509 (gitsign) CMS signature. The whole PEM block is also
// capped by MaxSignatureSize.
const (
	// MaxCMSCertificates caps the certificates bundled in one CMS signature
	// (gitsign embeds only the leaf).
	MaxCMSCertificates = limits.SigMaxCMSCertificates
	// MaxCMSAttributes caps the signed plus the unsigned attributes of the
	// signer.
	MaxCMSAttributes = limits.SigMaxCMSAttributes
	// MaxCMSTimestamps caps the RFC 3161 timestamp tokens of the signer.
	MaxCMSTimestamps = limits.SigMaxCMSTimestamps
	// MaxRekorEntrySize caps the serialized Rekor TransparencyLogEntry
	// that gitsign's offline mode embeds.
	MaxRekorEntrySize = limits.SigMaxRekorEntrySize
	// maxASN1Elements caps the elements split out of one ASN.1 SET or
	// SEQUENCE while parsing.
	maxASN1Elements = limits.SigMaxASN1Elements
)

// Object identifiers of the CMS signatures gitsign writes (RFC 5652,
// RFC 3161, and Sigstore's private arc).
var (
	oidSignedData     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidData           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidContentType    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidTimeStampToken = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
	// oidRekorTransparencyLogEntry is gitsign's unsigned attribute holding
	// a serialized dev.sigstore.rekor.v1.TransparencyLogEntry (without its
	// canonicalized body) in an OCTET STRING (gitsign internal/rekor/oid).
	oidRekorTransparencyLogEntry = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 3, 1}

	oidSHA1   = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidMD5    = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 5}
	oidSHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}

	oidECPublicKey   = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidECDSAWithSHA1 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}
	oidECDSAWithSHA2 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3} // .2 SHA-256, .3 SHA-384, .4 SHA-512
	oidRSAEncryption = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidRSAWithSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}
	oidRSAWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidRSAWithSHA384 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	oidRSAWithSHA512 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	oidEd25519       = asn1.ObjectIdentifier{1, 3, 101, 112}

	oidSubjectAltName = asn1.ObjectIdentifier{2, 5, 29, 17}
)

// errWeakDigest marks a CMS signature whose digest algorithm is SHA-1 or
// MD5: demonstrably unsafe, hence invalid rather than unsupported.
var errWeakDigest = errors.New("weak digest algorithm")

// errUnsupportedAlg marks an algorithm tarcheck does not implement (gpgsm
// may use others than gitsign): the signature cannot be judged, so it is
// unverifiable rather than invalid.
var errUnsupportedAlg = errors.New("unsupported")

// cmsSignature is the part of a gitsign CMS SignedData that verification
// needs, parsed but not yet verified.
type cmsSignature struct {
	leaf          *x509.Certificate
	hash          crypto.Hash // SignerInfo digest algorithm
	sigAlg        asn1.ObjectIdentifier
	signedAttrs   []byte // DER of the signed attributes as a SET OF (what is signed)
	signature     []byte
	messageDigest []byte
	timestamps    [][]byte // RFC 3161 TimeStampTokens (ContentInfo DER)
	rekorEntry    []byte   // serialized TransparencyLogEntry, nil when absent
}

// x509Hint is the Detail of an x509 tag checked without complete trust
// material.
const x509Hint = "x509 (gitsign) tag signature: give --trusted-root and a certificate identity policy"

// verifyX509Tag verifies the gitsign signature sigPEM over payload (see
// VerifyTag). It never panics: a failure inside a third-party parser is
// reported as invalid.
func verifyX509Tag(res Result, payload, sigPEM, trustedRootJSON []byte, id Identity, now time.Time) (out Result) {
	defer func() {
		if r := recover(); r != nil {
			out = res
			out.Status, out.Detail = StatusInvalid, oneLine(fmt.Sprintf("x509 signature verifier failure: %v", r))
		}
	}()
	s, err := parseGitsignSignature(sigPEM)
	if err != nil {
		res.Status, res.Detail = StatusInvalid, oneLine("malformed x509 (gitsign) signature: "+err.Error())
		switch {
		case errors.Is(err, errWeakDigest):
			res.Detail = oneLine("x509 (gitsign) signature: " + err.Error())
		case errors.Is(err, errUnsupportedAlg):
			res.Status, res.Detail = StatusUnverifiable, oneLine("x509 signature: "+err.Error())
		}
		return res
	}
	claimed, claimedIssuer := "", ""
	if sum, err := certificate.SummarizeCertificate(s.leaf); err == nil {
		claimed, claimedIssuer = sum.SubjectAlternativeName, sum.Issuer
	}
	res.Signer = oneLine(claimed)

	if !checkX509Payload(&res, s, payload) {
		return res
	}

	if !id.Complete() || len(trustedRootJSON) == 0 {
		res.Status, res.Detail, res.Reason = StatusUnverifiable, x509Hint, ReasonNoTrustMaterial
		if claimed != "" {
			res.Detail += oneLine(fmt.Sprintf(" (the certificate claims %s, issuer %s)", claimed, claimedIssuer))
		}
		return res
	}
	tr, certID, why := trustPolicy(trustedRootJSON, id)
	if why != "" {
		res.Status, res.Detail = StatusUnverifiable, why
		return res
	}
	if len(s.timestamps) == 0 && s.rekorEntry == nil {
		res.Status = StatusUnverifiable
		res.Detail = "x509 (gitsign) signature carries no RFC 3161 timestamp or transparency-log entry; its Rekor entry can only be checked online"
		return res
	}

	times, ok := x509Timestamps(&res, s, tr)
	if !ok {
		return res
	}
	leaf, stamps, ok := x509LeafAt(&res, s, times, tr, now)
	if !ok {
		return res
	}

	sum, err := certificate.SummarizeCertificate(leaf)
	if err != nil {
		res.Status, res.Detail = StatusInvalid, oneLine("reading certificate identity: "+err.Error())
		return res
	}
	if err := certID.Verify(sum); err != nil {
		res.Status, res.Reason = StatusInvalid, ReasonIdentityMismatch
		res.Detail = oneLine(fmt.Sprintf("certificate identity %s (issuer %s) does not match the policy: %v", claimed, claimedIssuer, err))
		return res
	}
	res.Status, res.Signer = StatusValid, oneLine(sum.SubjectAlternativeName)
	res.Detail = oneLine("issuer " + sum.Issuer + "; verified timestamps: " + strings.Join(stamps, ", "))
	return res
}

// checkX509Payload makes the checks that need no trusted material: the
// signature is over payload and verifies with its certificate. On failure it
// sets res and returns false.
func checkX509Payload(res *Result, s *cmsSignature, payload []byte) bool {
	d := s.hash.New()
	d.Write(payload)
	if !bytes.Equal(d.Sum(nil), s.messageDigest) {
		res.Status, res.Detail = StatusInvalid, "x509 signature is over other bytes (message digest does not match the tag payload)"
		return false
	}
	if err := checkCMSSignature(s); err != nil {
		res.Status, res.Detail = StatusInvalid, oneLine("x509 signature does not verify with its certificate: "+err.Error())
		if errors.Is(err, errUnsupportedAlg) {
			res.Status, res.Detail = StatusUnverifiable, oneLine("x509 signature: "+err.Error())
		}
		return false
	}
	return true
}

// x509Timestamps returns the verified observer times of s: its embedded
// transparency-log entry and every embedded RFC 3161 timestamp. On failure,
// or with none, it sets res and returns false.
func x509Timestamps(res *Result, s *cmsSignature, tr *root.TrustedRoot) ([]verify.TimestampVerificationResult, bool) {
	ent, err := newGitsignEntity(s)
	if err != nil {
		res.Status, res.Detail = StatusInvalid, oneLine("embedded transparency-log entry: "+err.Error())
		return nil, false
	}
	var times []verify.TimestampVerificationResult
	if len(ent.entries) > 0 {
		ts, err := verify.VerifyTlogEntry(ent, tr, 1, true)
		if err != nil {
			res.Status, res.Detail = StatusInvalid, oneLine("embedded transparency-log entry: "+err.Error())
			return nil, false
		}
		for _, t := range ts {
			times = append(times, verify.TimestampVerificationResult{Type: "Tlog", URI: t.URI, Timestamp: t.Time})
		}
	}
	if len(s.timestamps) > 0 {
		// Every embedded timestamp must verify: a forged one is not
		// outweighed by a good one.
		ts, err := verify.VerifySignedTimestampWithThreshold(ent, tr, len(s.timestamps))
		if err != nil {
			res.Status, res.Detail = StatusInvalid, oneLine("RFC 3161 timestamp: "+err.Error())
			return nil, false
		}
		for _, t := range ts {
			times = append(times, verify.TimestampVerificationResult{Type: "TimestampAuthority", URI: t.URI, Timestamp: t.Time})
		}
	}
	if len(times) == 0 {
		res.Status, res.Detail = StatusUnverifiable, "x509 (gitsign) signature: no verified observer timestamp (log entry without inclusion promise)"
		return nil, false
	}
	return times, true
}

// x509LeafAt checks that s's leaf certificate chains to the trusted root's
// Fulcio CAs at every verified time, none in the future; it returns the leaf
// (its SAN extension handled) and the times as text. On failure it sets res
// and returns false.
func x509LeafAt(res *Result, s *cmsSignature, times []verify.TimestampVerificationResult, tr *root.TrustedRoot, now time.Time) (*x509.Certificate, []string, bool) {
	// Go's x509 does not handle Fulcio's OtherName SANs; sigstore-go drops
	// the critical SAN extension from the unhandled list the same way.
	leaf := *s.leaf
	leaf.UnhandledCriticalExtensions = slices.DeleteFunc(slices.Clone(leaf.UnhandledCriticalExtensions),
		func(o asn1.ObjectIdentifier) bool { return o.Equal(oidSubjectAltName) })
	var stamps []string
	for _, t := range times {
		if !now.IsZero() && t.Timestamp.After(now.Add(MaxClockSkew)) {
			res.Status, res.Detail = StatusInvalid, oneLine(fmt.Sprintf("x509 signature timestamp %s lies in the future", t.Timestamp.UTC().Format(time.RFC3339)))
			return nil, nil, false
		}
		if _, err := verify.VerifyLeafCertificate(t.Timestamp, &leaf, tr); err != nil {
			res.Status = StatusInvalid
			res.Detail = oneLine(fmt.Sprintf("certificate does not chain to the trusted root's Fulcio CAs at %s: %v", t.Timestamp.UTC().Format(time.RFC3339), err))
			return nil, nil, false
		}
		stamps = append(stamps, t.Type+" "+t.Timestamp.UTC().Format("2006-01-02T15:04:05Z"))
	}
	return &leaf, stamps, true
}

// parseGitsignSignature parses the PEM "SIGNED MESSAGE" block of a gitsign
// tag: a detached CMS SignedData (RFC 5652) with exactly one SignerInfo
// carrying content-type and message-digest signed attributes, and the
// signer's certificate in the certificate set.
func parseGitsignSignature(sigPEM []byte) (*cmsSignature, error) {
	if len(sigPEM) > MaxSignatureSize {
		return nil, fmt.Errorf("%w (%d bytes, limit %d)", ErrTooLarge, len(sigPEM), MaxSignatureSize)
	}
	blk, rest := pem.Decode(sigPEM)
	if blk == nil {
		return nil, errors.New("no PEM block")
	}
	if blk.Type != "SIGNED MESSAGE" {
		return nil, fmt.Errorf("PEM block type %q, want \"SIGNED MESSAGE\"", blk.Type)
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, errors.New("data after the PEM block")
	}
	return parseCMS(blk.Bytes)
}

// parseCMS parses a DER ContentInfo holding a detached SignedData.
func parseCMS(der []byte) (*cmsSignature, error) {
	var ci struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue // [0] EXPLICIT
	}
	if err := unmarshalExact(der, &ci); err != nil {
		return nil, fmt.Errorf("reading ContentInfo: %w", err)
	}
	if !ci.ContentType.Equal(oidSignedData) {
		return nil, fmt.Errorf("content type %v is not SignedData", ci.ContentType)
	}
	explicit, err := elementsOf(ci.Content, asn1.ClassContextSpecific, 0)
	if err != nil || len(explicit) != 1 {
		return nil, errors.New("reading ContentInfo: content is not one [0] EXPLICIT value")
	}
	sd, err := elementsOf(explicit[0], asn1.ClassUniversal, asn1.TagSequence)
	if err != nil {
		return nil, fmt.Errorf("reading SignedData: %w", err)
	}
	// version, digestAlgorithms, encapContentInfo, [0] certificates,
	// [1] crls, signerInfos.
	if len(sd) < 4 {
		return nil, errors.New("reading SignedData: too few fields")
	}
	if err := checkEncapContent(sd[2]); err != nil {
		return nil, err
	}
	var certsRaw []asn1.RawValue
	i := 3
	if i < len(sd) && sd[i].Class == asn1.ClassContextSpecific && sd[i].Tag == 0 {
		if certsRaw, err = elementsOf(sd[i], asn1.ClassContextSpecific, 0); err != nil {
			return nil, fmt.Errorf("reading certificates: %w", err)
		}
		i++
	}
	if i < len(sd) && sd[i].Class == asn1.ClassContextSpecific && sd[i].Tag == 1 {
		i++ // CRLs are not used
	}
	if i != len(sd)-1 {
		return nil, errors.New("reading SignedData: unexpected fields")
	}
	sis, err := elementsOf(sd[i], asn1.ClassUniversal, asn1.TagSet)
	if err != nil {
		return nil, fmt.Errorf("reading SignerInfos: %w", err)
	}
	if len(sis) != 1 {
		return nil, fmt.Errorf("%d signers, want exactly one", len(sis))
	}
	if len(certsRaw) > MaxCMSCertificates {
		return nil, fmt.Errorf("%w: %d certificates (limit %d)", ErrTooLarge, len(certsRaw), MaxCMSCertificates)
	}
	var certs []*x509.Certificate
	for _, c := range certsRaw {
		if c.Class != asn1.ClassUniversal || c.Tag != asn1.TagSequence {
			continue // other CertificateChoices: not X.509 certificates
		}
		cert, err := x509.ParseCertificate(c.FullBytes)
		if err != nil {
			return nil, fmt.Errorf("reading certificate: %w", err)
		}
		certs = append(certs, cert)
	}
	return parseSignerInfo(sis[0], certs)
}

// checkEncapContent requires a detached id-data content: git signs the
// payload outside the signature.
func checkEncapContent(v asn1.RawValue) error {
	var eci struct {
		EContentType asn1.ObjectIdentifier
		EContent     asn1.RawValue `asn1:"optional"`
	}
	if err := unmarshalExact(v.FullBytes, &eci); err != nil {
		return fmt.Errorf("reading encapsulated content: %w", err)
	}
	if !eci.EContentType.Equal(oidData) {
		return fmt.Errorf("encapsulated content type %v is not id-data", eci.EContentType)
	}
	if len(eci.EContent.FullBytes) != 0 {
		return errors.New("signature embeds its content; a git signature must be detached")
	}
	return nil
}

// parseSignerInfo parses the one SignerInfo and finds its certificate.
func parseSignerInfo(v asn1.RawValue, certs []*x509.Certificate) (*cmsSignature, error) {
	f, err := elementsOf(v, asn1.ClassUniversal, asn1.TagSequence)
	if err != nil {
		return nil, fmt.Errorf("reading SignerInfo: %w", err)
	}
	// version, sid, digestAlgorithm, [0] signedAttrs, signatureAlgorithm,
	// signature, [1] unsignedAttrs.
	if len(f) < 5 {
		return nil, errors.New("reading SignerInfo: too few fields")
	}
	s := &cmsSignature{}
	var digestAlg pkix.AlgorithmIdentifier
	if err := unmarshalExact(f[2].FullBytes, &digestAlg); err != nil {
		return nil, fmt.Errorf("reading digest algorithm: %w", err)
	}
	if s.hash, err = cmsDigest(digestAlg.Algorithm); err != nil {
		return nil, err
	}
	if f[3].Class != asn1.ClassContextSpecific || f[3].Tag != 0 || !f[3].IsCompound {
		return nil, errors.New("signer has no signed attributes")
	}
	// What was signed is the DER of the attributes with the SET OF tag
	// in place of the [0] IMPLICIT tag (RFC 5652, section 5.4).
	s.signedAttrs = append([]byte{0x31}, f[3].FullBytes[1:]...)
	var sigAlg pkix.AlgorithmIdentifier
	if err := unmarshalExact(f[4].FullBytes, &sigAlg); err != nil {
		return nil, fmt.Errorf("reading signature algorithm: %w", err)
	}
	s.sigAlg = sigAlg.Algorithm
	if len(f) < 6 {
		return nil, errors.New("reading SignerInfo: no signature")
	}
	if err := unmarshalExact(f[5].FullBytes, &s.signature); err != nil {
		return nil, fmt.Errorf("reading signature value: %w", err)
	}
	switch {
	case len(f) == 6:
	case len(f) == 7 && f[6].Class == asn1.ClassContextSpecific && f[6].Tag == 1:
		if err := s.readUnsignedAttrs(f[6]); err != nil {
			return nil, err
		}
	default:
		return nil, errors.New("reading SignerInfo: unexpected fields")
	}
	if err := s.readSignedAttrs(f[3]); err != nil {
		return nil, err
	}
	if s.leaf, err = findSignerCert(f[1], certs); err != nil {
		return nil, err
	}
	return s, nil
}

// readSignedAttrs requires exactly one content-type (id-data) and one
// message-digest attribute; others (signing time, ...) are ignored.
func (s *cmsSignature) readSignedAttrs(v asn1.RawValue) error {
	attrs, err := parseAttributes(v)
	if err != nil {
		return fmt.Errorf("reading signed attributes: %w", err)
	}
	seen := map[string]bool{}
	for _, a := range attrs {
		key := a.oid.String()
		if seen[key] {
			return fmt.Errorf("signed attribute %v repeated", a.oid)
		}
		seen[key] = true
		switch {
		case a.oid.Equal(oidContentType):
			var ct asn1.ObjectIdentifier
			if len(a.values) != 1 || unmarshalExact(a.values[0].FullBytes, &ct) != nil {
				return errors.New("malformed content-type attribute")
			}
			if !ct.Equal(oidData) {
				return fmt.Errorf("signed content type %v is not id-data", ct)
			}
		case a.oid.Equal(oidMessageDigest):
			if len(a.values) != 1 || unmarshalExact(a.values[0].FullBytes, &s.messageDigest) != nil {
				return errors.New("malformed message-digest attribute")
			}
		}
	}
	if !seen[oidContentType.String()] || !seen[oidMessageDigest.String()] {
		return errors.New("signed attributes lack content-type or message-digest")
	}
	return nil
}

// readUnsignedAttrs collects RFC 3161 timestamp tokens and gitsign's
// embedded Rekor entry.
func (s *cmsSignature) readUnsignedAttrs(v asn1.RawValue) error {
	attrs, err := parseAttributes(v)
	if err != nil {
		return fmt.Errorf("reading unsigned attributes: %w", err)
	}
	for _, a := range attrs {
		switch {
		case a.oid.Equal(oidTimeStampToken):
			for _, val := range a.values {
				s.timestamps = append(s.timestamps, val.FullBytes)
			}
		case a.oid.Equal(oidRekorTransparencyLogEntry):
			if s.rekorEntry != nil || len(a.values) != 1 {
				return errors.New("more than one embedded Rekor entry")
			}
			var b []byte
			if err := unmarshalExact(a.values[0].FullBytes, &b); err != nil {
				return fmt.Errorf("reading embedded Rekor entry: %w", err)
			}
			if len(b) > MaxRekorEntrySize {
				return fmt.Errorf("%w: embedded Rekor entry of %d bytes (limit %d)", ErrTooLarge, len(b), MaxRekorEntrySize)
			}
			s.rekorEntry = append([]byte{}, b...)
		}
	}
	if len(s.timestamps) > MaxCMSTimestamps {
		return fmt.Errorf("%w: %d timestamps (limit %d)", ErrTooLarge, len(s.timestamps), MaxCMSTimestamps)
	}
	return nil
}

// findSignerCert returns the certificate that the SignerIdentifier names:
// by issuer and serial number, or by subject key identifier ([0]).
func findSignerCert(sid asn1.RawValue, certs []*x509.Certificate) (*x509.Certificate, error) {
	switch {
	case sid.Class == asn1.ClassUniversal && sid.Tag == asn1.TagSequence:
		var ias struct {
			Issuer asn1.RawValue
			Serial *big.Int
		}
		if err := unmarshalExact(sid.FullBytes, &ias); err != nil {
			return nil, fmt.Errorf("reading signer identifier: %w", err)
		}
		for _, c := range certs {
			if bytes.Equal(c.RawIssuer, ias.Issuer.FullBytes) && c.SerialNumber.Cmp(ias.Serial) == 0 {
				return c, nil
			}
		}
	case sid.Class == asn1.ClassContextSpecific && sid.Tag == 0 && !sid.IsCompound:
		for _, c := range certs {
			if len(sid.Bytes) > 0 && bytes.Equal(c.SubjectKeyId, sid.Bytes) {
				return c, nil
			}
		}
	default:
		return nil, errors.New("malformed signer identifier")
	}
	return nil, errors.New("the signer's certificate is not in the signature")
}

// cmsDigest maps a digest algorithm to a hash, refusing weak ones.
func cmsDigest(o asn1.ObjectIdentifier) (crypto.Hash, error) {
	switch {
	case o.Equal(oidSHA256):
		return crypto.SHA256, nil
	case o.Equal(oidSHA384):
		return crypto.SHA384, nil
	case o.Equal(oidSHA512):
		return crypto.SHA512, nil
	case o.Equal(oidSHA1):
		return 0, fmt.Errorf("%w SHA-1 (collisions are practical)", errWeakDigest)
	case o.Equal(oidMD5):
		return 0, fmt.Errorf("%w MD5 (collisions are practical)", errWeakDigest)
	}
	return 0, fmt.Errorf("%w digest algorithm %v", errUnsupportedAlg, o)
}

// cmsSigAlgs are the signature algorithms accepted in a SignerInfo.
var cmsSigAlgs = []cmsSigAlg{
	{oidECPublicKey, "ECDSA", 0},
	{append(slices.Clone(oidECDSAWithSHA2), 2), "ECDSA", crypto.SHA256},
	{append(slices.Clone(oidECDSAWithSHA2), 3), "ECDSA", crypto.SHA384},
	{append(slices.Clone(oidECDSAWithSHA2), 4), "ECDSA", crypto.SHA512},
	{oidRSAEncryption, "RSA", 0},
	{oidRSAWithSHA256, "RSA", crypto.SHA256},
	{oidRSAWithSHA384, "RSA", crypto.SHA384},
	{oidRSAWithSHA512, "RSA", crypto.SHA512},
	{oidEd25519, "Ed25519", 0},
}

// cmsSigAlg is one accepted SignerInfo signature algorithm.
type cmsSigAlg struct {
	oid  asn1.ObjectIdentifier
	key  string      // "ECDSA", "RSA" or "Ed25519"
	hash crypto.Hash // 0: the SignerInfo's digest algorithm
}

// checkCMSSignature verifies s.signature over s.signedAttrs with the leaf
// certificate's key, the SignerInfo's digest algorithm and a signature
// algorithm consistent with both.
func checkCMSSignature(s *cmsSignature) error {
	if s.sigAlg.Equal(oidECDSAWithSHA1) || s.sigAlg.Equal(oidRSAWithSHA1) {
		return fmt.Errorf("%w SHA-1 in the signature algorithm", errWeakDigest)
	}
	i := slices.IndexFunc(cmsSigAlgs, func(a cmsSigAlg) bool { return a.oid.Equal(s.sigAlg) })
	if i < 0 {
		return fmt.Errorf("%w signature algorithm %v", errUnsupportedAlg, s.sigAlg)
	}
	alg := cmsSigAlgs[i]
	if alg.hash != 0 && alg.hash != s.hash {
		return fmt.Errorf("signature algorithm %v disagrees with digest algorithm %v", s.sigAlg, s.hash)
	}
	h := s.hash.New()
	h.Write(s.signedAttrs)
	digest := h.Sum(nil)
	var key string
	ok := false
	switch pub := s.leaf.PublicKey.(type) {
	case *ecdsa.PublicKey:
		key, ok = "ECDSA", ecdsa.VerifyASN1(pub, digest, s.signature)
	case *rsa.PublicKey:
		key, ok = "RSA", rsa.VerifyPKCS1v15(pub, s.hash, digest, s.signature) == nil
	case ed25519.PublicKey:
		// RFC 8419: pure Ed25519 over the signed attributes themselves.
		key, ok = "Ed25519", ed25519.Verify(pub, s.signedAttrs, s.signature)
	default:
		return fmt.Errorf("%w public key type %T", errUnsupportedAlg, pub)
	}
	if key != alg.key {
		return fmt.Errorf("signature algorithm %v does not fit the certificate's %s key", s.sigAlg, key)
	}
	if !ok {
		return fmt.Errorf("%s signature does not verify", key)
	}
	return nil
}

// gitsignEntity presents a gitsign CMS signature to sigstore-go as a
// signed entity: the "artifact" is the DER of the signed attributes, the
// message signature is the CMS signature value, and the verification
// material is the leaf certificate. It is only handed to sigstore-go's
// timestamp and transparency-log checks; the signature itself is checked
// by checkCMSSignature.
type gitsignEntity struct {
	sig        *cmsSignature
	content    *bundle.MessageSignature
	entries    []*tlog.Entry
	timestamps [][]byte
}

func newGitsignEntity(s *cmsSignature) (*gitsignEntity, error) {
	attrsDigest := sha256.Sum256(s.signedAttrs)
	e := &gitsignEntity{
		sig:     s,
		content: bundle.NewMessageSignature(attrsDigest[:], "SHA2_256", s.signature),
	}
	for _, tok := range s.timestamps {
		// sigstore-go expects a TimeStampResp; gitsign stores the token.
		resp, err := asn1.Marshal(struct {
			Status struct{ Status int }
			Token  asn1.RawValue
		}{Token: asn1.RawValue{FullBytes: tok}})
		if err != nil {
			return nil, fmt.Errorf("wrapping timestamp token: %w", err)
		}
		e.timestamps = append(e.timestamps, resp)
	}
	if s.rekorEntry == nil {
		return e, nil
	}
	var tle protorekor.TransparencyLogEntry
	if err := proto.Unmarshal(s.rekorEntry, &tle); err != nil {
		return nil, fmt.Errorf("decoding: %w", err)
	}
	if kv := tle.GetKindVersion(); kv.GetKind() != "hashedrekord" || kv.GetVersion() != "0.0.1" {
		return nil, fmt.Errorf("entry kind %s/%s, want hashedrekord/0.0.1", kv.GetKind(), kv.GetVersion())
	}
	// gitsign clears the body before embedding; rebuild it from this very
	// signature so that the log's promise binds it.
	body, err := hashedRekordBody(attrsDigest[:], s.signature, s.leaf)
	if err != nil {
		return nil, err
	}
	tle.CanonicalizedBody = body
	entry, err := tlog.ParseTransparencyLogEntry(&tle)
	if err != nil {
		return nil, fmt.Errorf("parsing: %w", err)
	}
	e.entries = []*tlog.Entry{entry}
	return e, nil
}

// hashedRekordBody is the canonical JSON (RFC 8785) of the Rekor
// hashedrekord v0.0.1 entry that gitsign's offline mode logs: the SHA-256
// of the signed attributes, the signature value and the PEM certificate.
func hashedRekordBody(sha256Digest, signature []byte, cert *x509.Certificate) ([]byte, error) {
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	if certPEM == nil {
		return nil, errors.New("encoding certificate")
	}
	// Keys in code-point order, values free of characters JSON escapes
	// (hex and standard base64), so this is already canonical.
	return []byte(`{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{"data":{"hash":{"algorithm":"sha256","value":"` +
		hex.EncodeToString(sha256Digest) + `"}},"signature":{"content":"` +
		base64.StdEncoding.EncodeToString(signature) + `","publicKey":{"content":"` +
		base64.StdEncoding.EncodeToString(certPEM) + `"}}}}`), nil
}

// SignedEntity methods (sigstore-go verify.SignedEntity).

func (e *gitsignEntity) HasInclusionPromise() bool {
	return slices.ContainsFunc(e.entries, (*tlog.Entry).HasInclusionPromise)
}

func (e *gitsignEntity) HasInclusionProof() bool {
	return slices.ContainsFunc(e.entries, (*tlog.Entry).HasInclusionProof)
}

func (e *gitsignEntity) SignatureContent() (verify.SignatureContent, error) {
	return e.content, nil
}

func (e *gitsignEntity) Timestamps() ([][]byte, error) { return e.timestamps, nil }

func (e *gitsignEntity) TlogEntries() ([]*tlog.Entry, error) { return e.entries, nil }

func (e *gitsignEntity) VerificationContent() (verify.VerificationContent, error) {
	return bundle.NewCertificate(e.sig.leaf), nil
}

func (e *gitsignEntity) Version() (string, error) { return "v0.3", nil }

var _ verify.SignedEntity = (*gitsignEntity)(nil)

// attribute is one CMS Attribute: a type and its SET OF values.
type attribute struct {
	oid    asn1.ObjectIdentifier
	values []asn1.RawValue
}

// parseAttributes parses a [0] or [1] IMPLICIT SET OF Attribute.
func parseAttributes(v asn1.RawValue) ([]attribute, error) {
	els, err := elementsOf(v, v.Class, v.Tag)
	if err != nil {
		return nil, err
	}
	if len(els) > MaxCMSAttributes {
		return nil, fmt.Errorf("%w: %d attributes (limit %d)", ErrTooLarge, len(els), MaxCMSAttributes)
	}
	var out []attribute
	for _, el := range els {
		f, err := elementsOf(el, asn1.ClassUniversal, asn1.TagSequence)
		if err != nil || len(f) != 2 {
			return nil, errors.New("malformed attribute")
		}
		var a attribute
		if err := unmarshalExact(f[0].FullBytes, &a.oid); err != nil {
			return nil, fmt.Errorf("attribute type: %w", err)
		}
		if a.values, err = elementsOf(f[1], asn1.ClassUniversal, asn1.TagSet); err != nil {
			return nil, fmt.Errorf("attribute %v values: %w", a.oid, err)
		}
		out = append(out, a)
	}
	return out, nil
}

// elementsOf checks that v is a constructed value with the given class and
// tag and splits its contents into elements (at most maxASN1Elements).
func elementsOf(v asn1.RawValue, class, tag int) ([]asn1.RawValue, error) {
	if v.Class != class || v.Tag != tag || !v.IsCompound {
		return nil, fmt.Errorf("unexpected ASN.1 element (class %d, tag %d)", v.Class, v.Tag)
	}
	var out []asn1.RawValue
	for rest := v.Bytes; len(rest) > 0; {
		if len(out) == maxASN1Elements {
			return nil, fmt.Errorf("%w: more than %d ASN.1 elements", ErrTooLarge, maxASN1Elements)
		}
		var el asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &el); err != nil {
			return nil, err
		}
		out = append(out, el)
	}
	return out, nil
}

// unmarshalExact is asn1.Unmarshal refusing trailing bytes, with short
// errors (encoding/asn1's structural errors dump their parameters).
func unmarshalExact(b []byte, v any) error {
	rest, err := asn1.Unmarshal(b, v)
	if se := (asn1.StructuralError{}); errors.As(err, &se) {
		return errors.New("unexpected ASN.1 structure")
	}
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return errors.New("trailing data after ASN.1 value")
	}
	return nil
}
