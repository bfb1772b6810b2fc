package sig

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
)

// Identity is a Sigstore certificate identity policy, with the meaning of
// cosign's --certificate-identity[-regexp] and
// --certificate-oidc-issuer[-regexp] flags. A usable policy names the
// subject (SAN or SANRegexp) and the issuer (Issuer or IssuerRegexp).
type Identity struct {
	SAN, SANRegexp       string
	Issuer, IssuerRegexp string
}

// Complete reports whether id constrains both the certificate subject and
// its OIDC issuer.
func (id Identity) Complete() bool {
	return (id.SAN != "" || id.SANRegexp != "") && (id.Issuer != "" || id.IssuerRegexp != "")
}

// identityHint is the Detail of a bundle checked without identity policy.
const identityHint = "no certificate identity policy: give --certificate-identity (or -regexp) and --certificate-oidc-issuer (or -regexp)"

// VerifyBundle verifies a Sigstore bundle (JSON, v0.1 to v0.3) over an
// artifact known by its SHA-256 digest, against the trusted material of a
// trusted_root.json and the identity policy id. Nothing is fetched: TUF is
// never consulted.
//
// The bundle must carry at least one verified observer timestamp (an RFC
// 3161 signed timestamp or a transparency-log entry); when it carries
// transparency-log entries they must verify against the trusted root's
// logs. Signed certificate timestamps (SCTs) are not required.
//
// Outcomes (Subject "tarball", Kind "sigstore"):
//   - valid: everything verifies; Signer is the certificate's SAN and
//     Detail names the issuer and the verified timestamps.
//   - invalid: a malformed bundle, a signature over other bytes, an
//     identity or issuer that does not match (Reason
//     ReasonIdentityMismatch), a certificate not chaining to
//     the trusted root, a missing or bad timestamp or log entry.
//   - unverifiable: no complete identity policy (never silently accepted;
//     Signer then shows the certificate's claimed identity; Reason
//     ReasonNoTrustMaterial, as for a missing trusted root), no or an
//     unusable trusted root, or no artifact digest.
func VerifyBundle(bundleJSON, trustedRootJSON, artifactSHA256 []byte, id Identity) (res Result) {
	res = Result{Subject: SubjectTarball, Kind: KindSigstore}
	defer func() {
		if r := recover(); r != nil {
			res.Status, res.Detail = StatusInvalid, oneLine(fmt.Sprintf("bundle verifier failure: %v", r))
		}
	}()
	if len(bundleJSON) > MaxBundleSize {
		res.Status, res.Detail = StatusInvalid, fmt.Sprintf("bundle larger than %d bytes", MaxBundleSize)
		return res
	}
	var b bundle.Bundle
	if err := b.UnmarshalJSON(bundleJSON); err != nil {
		res.Status, res.Detail = StatusInvalid, oneLine("malformed bundle: "+err.Error())
		return res
	}
	claimed, claimedIssuer := bundleIdentity(&b)
	if !id.Complete() {
		res.Status, res.Signer, res.Detail, res.Reason = StatusUnverifiable, claimed, identityHint, ReasonNoTrustMaterial
		if claimed != "" {
			res.Detail += oneLine(fmt.Sprintf(" (the bundle claims %s, issuer %s)", claimed, claimedIssuer))
		}
		return res
	}
	if len(trustedRootJSON) == 0 {
		res.Status, res.Signer, res.Detail, res.Reason = StatusUnverifiable, claimed, "no trusted root given (--trusted-root)", ReasonNoTrustMaterial
		return res
	}
	if len(artifactSHA256) != 32 {
		res.Status, res.Detail = StatusUnverifiable, "no SHA-256 digest of the artifact"
		return res
	}
	tr, certID, why := trustPolicy(trustedRootJSON, id)
	if why != "" {
		res.Status, res.Detail = StatusUnverifiable, why
		return res
	}
	opts := []verify.VerifierOption{verify.WithObserverTimestamps(1)}
	if entries, err := b.TlogEntries(); err == nil && len(entries) > 0 {
		opts = append(opts, verify.WithTransparencyLog(1))
	}
	v, err := verify.NewVerifier(tr, opts...)
	if err != nil {
		res.Status, res.Detail = StatusUnverifiable, oneLine("configuring verifier: "+err.Error())
		return res
	}
	out, err := v.Verify(&b, verify.NewPolicy(
		verify.WithArtifactDigest("sha256", artifactSHA256),
		verify.WithCertificateIdentity(certID)))
	if err != nil {
		res.Signer = claimed
		res.Status = StatusInvalid
		var idErr *verify.ErrNoMatchingCertificateIdentity
		if errors.As(err, &idErr) {
			res.Reason = ReasonIdentityMismatch
			res.Detail = oneLine(fmt.Sprintf("certificate identity %s (issuer %s) does not match the policy: %v", claimed, claimedIssuer, err))
		} else {
			res.Detail = oneLine(err.Error())
		}
		return res
	}
	res.Status = StatusValid
	if out.Signature != nil && out.Signature.Certificate != nil {
		res.Signer = out.Signature.Certificate.SubjectAlternativeName
		claimedIssuer = out.Signature.Certificate.Issuer
	} else {
		res.Signer = claimed
	}
	var ts []string
	for _, t := range out.VerifiedTimestamps {
		ts = append(ts, t.Type+" "+t.Timestamp.UTC().Format("2006-01-02T15:04:05Z"))
	}
	res.Detail = oneLine("issuer " + claimedIssuer + "; verified timestamps: " + strings.Join(ts, ", "))
	return res
}

// trustPolicy parses the trusted root and the identity policy; why says
// what is unusable (the result is then unverifiable).
func trustPolicy(trustedRootJSON []byte, id Identity) (tr *root.TrustedRoot, certID verify.CertificateIdentity, why string) {
	if len(trustedRootJSON) > MaxTrustedRootSize {
		return nil, certID, fmt.Sprintf("trusted root larger than %d bytes", MaxTrustedRootSize)
	}
	tr, err := root.NewTrustedRootFromJSON(trustedRootJSON)
	if err != nil {
		return nil, certID, oneLine("reading trusted root: " + err.Error())
	}
	certID, err = verify.NewShortCertificateIdentity(id.Issuer, id.IssuerRegexp, id.SAN, id.SANRegexp)
	if err != nil {
		return nil, certID, oneLine("identity policy: " + err.Error())
	}
	return tr, certID, ""
}

// bundleIdentity returns the unverified SAN and issuer of the bundle's
// leaf certificate, for messages only.
func bundleIdentity(b *bundle.Bundle) (san, issuer string) {
	vc, err := b.VerificationContent()
	if err != nil || vc == nil {
		return "", ""
	}
	cert := vc.Certificate()
	if cert == nil {
		return "", ""
	}
	s, err := certificate.SummarizeCertificate(cert)
	if err != nil {
		return "", ""
	}
	return s.SubjectAlternativeName, s.Issuer
}
