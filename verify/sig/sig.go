// Package sig verifies the signatures tarcheck meets around a release:
// OpenPGP detached signatures over the tarball, signed git tag objects
// (OpenPGP, SSH and x509/gitsign), Sigstore bundles and
// checksum lists.
//
// The package is pure: callers pass bytes and trusted material, and get a
// Result back. Nothing here touches the network, the file system, a clock
// (the time of verification is an argument) or an external program.
//
// Every verifier returns a Result rather than an error for verdicts about
// the signature: a bad signature is an answer, not a failure. Only malformed
// trusted material (a keyring that does not parse) is reported as an error.
package sig

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tarcheck/tarcheck/internal/limits"
)

// Status is the outcome of one signature check, as written in the report.
type Status string

// Statuses, as in DESIGN.md's JSON report.
const (
	// StatusValid: the signature verifies with trusted material and
	// every policy check (tag name, identity, ...) passed.
	StatusValid Status = "valid"
	// StatusInvalid: the signature is present and demonstrably wrong
	// (other bytes, revoked key, weak hash, renamed tag, ...).
	StatusInvalid Status = "invalid"
	// StatusMissing: there is nothing to check (an unsigned tag).
	StatusMissing Status = "missing"
	// StatusUnverifiable: a signature is present but cannot be judged with
	// the material given (unknown key, no identity policy, unsupported format).
	StatusUnverifiable Status = "unverifiable"
	// StatusNotChecked: the caller chose not to check.
	StatusNotChecked Status = "not-checked"
)

// Kind is the signature technology.
type Kind string

// Kinds, as in DESIGN.md's JSON report.
const (
	KindOpenPGP  Kind = "openpgp"
	KindSSH      Kind = "ssh"
	KindSigstore Kind = "sigstore"
	KindX509     Kind = "x509"
	KindChecksum Kind = "checksum"
)

// Subjects of a Result.
const (
	SubjectTarball  = "tarball"
	SubjectTag      = "tag"
	SubjectChecksum = "checksum"
)

// Result is the outcome of one signature check; it maps one-to-one onto an
// entry of the report's "signatures" list. Callers must still turn an
// invalid Result into a critical finding and decide what "missing" means
// under --require-signature.
type Result struct {
	Subject string // "tarball" | "tag" | "checksum"
	Kind    Kind
	Status  Status
	Signer  string // signing (sub)key fingerprint, SSH principal or certificate identity
	Primary string // primary key fingerprint, when it differs from Signer
	Detail  string // one line: why

	// Reason says, machine-readably, why Status is not valid (or
	// ReasonNone). Callers map it to findings: ReasonUnknownKey is a
	// signature by a key outside the given trust material (high, as gpgv
	// fails there), ReasonNoTrustMaterial means nothing was given to check
	// against (the release is unauthenticated, not failed).
	Reason Reason
	// Issuer identifies the key the signature claims to be made by, as
	// the signature itself says (unverified): the OpenPGP issuer
	// fingerprint (or "key id XXXXXXXXXXXXXXXX" when the packet carries
	// only a key id), or the SHA256 fingerprint of the SSH signing key
	// (of the certificate's CA for an SSH certificate). Set whenever the
	// signature could be parsed, whatever the Status.
	Issuer string
	// Warnings are facts about a signature that do not change its Status
	// but that the user should act on (e.g. a keyring's outdated copy of
	// a key). Each is reported as its own finding.
	Warnings []Warning
	// SecurityKey holds the authenticator data of an SSH signature made
	// with a FIDO security key (sk-ssh-ed25519, sk-ecdsa-sha2-nistp256);
	// nil otherwise.
	SecurityKey *SecurityKeyInfo
}

// Reason is a machine-readable cause attached to a Result.
type Reason string

// Reasons. A Result's Status stays the verdict; the Reason refines it.
const (
	// ReasonNone: nothing to add (valid signatures, or a cause that has
	// no reason of its own yet; read Detail).
	ReasonNone Reason = ""
	// ReasonUnknownKey (unverifiable): trust material was given, but the
	// signing key is not in it: an OpenPGP issuer absent from the keyring,
	// an SSH key (or certificate CA) absent from the allowed-signers file,
	// or listed there only with the wrong role. Issuer names the key.
	// gpgv and ssh-keygen -Y verify fail here.
	ReasonUnknownKey Reason = "unknown-key"
	// ReasonNoTrustMaterial (unverifiable): no keyring, allowed-signers
	// file, trusted root or identity policy was given for this kind of
	// signature. Issuer and Signer say who signed, unverified.
	ReasonNoTrustMaterial Reason = "no-trust-material"
	// ReasonIdentityMismatch (invalid): a Sigstore bundle or x509
	// (gitsign) tag whose certificate chains to the trusted root but whose
	// identity (SAN or OIDC issuer) does not match the policy.
	ReasonIdentityMismatch Reason = "identity-mismatch"
	// ReasonSecurityKeyFlags (invalid): a FIDO security-key signature
	// lacks the user-presence or user-verification flag that its
	// allowed-signers line requires.
	ReasonSecurityKeyFlags Reason = "security-key-flags"
)

// WarningKind names a Warning.
type WarningKind string

// Warning kinds.
const (
	// WarningKeyExpiredBeforeSignature: the keyring's copy of the signing
	// key (or subkey) says it had expired when the signature was made.
	// gpgv accepts such a signature ("Note: This key has expired!") since
	// the key's holder can always extend the expiry; the keyring copy is
	// probably older than the extension. The Result stays valid.
	WarningKeyExpiredBeforeSignature WarningKind = "key-expired-before-signature"
	// WarningSHA1Signature: an OpenPGP document signature made over a
	// SHA-1 digest. gpgv accepts it (its default --weak-digest is MD5
	// only), so the Result stays valid; SHA-1 is open to chosen-prefix
	// collisions, so the caller reports it (medium).
	WarningSHA1Signature WarningKind = "sha1-signature"
)

// Warning is a note attached to a Result; see Result.Warnings.
type Warning struct {
	Kind WarningKind
	// Key is the fingerprint of the key the warning is about (the
	// signing subkey when Subkey is set, else the primary key).
	Key    string
	Subkey bool
	// ExpiredAt and SignedAt, for WarningKeyExpiredBeforeSignature.
	ExpiredAt time.Time
	SignedAt  time.Time
}

// Message renders w on one line. keyring names the keyring file the user
// should refresh (e.g. "debian/upstream/signing-key.asc"); empty says
// "the keyring".
func (w Warning) Message(keyring string) string {
	switch w.Kind {
	case WarningKeyExpiredBeforeSignature:
		if keyring == "" {
			keyring = "the keyring"
		}
		what := "key"
		if w.Subkey {
			what = "signing subkey"
		}
		return oneLine(fmt.Sprintf("the keyring's copy of %s %s expired on %s, before this signature (%s); the key was probably extended later: refresh %s",
			what, w.Key, day(w.ExpiredAt), day(w.SignedAt), keyring))
	}
	if w.Kind == WarningSHA1Signature {
		return oneLine("the signature by " + w.Key + " uses a SHA-1 digest, which gpgv accepts but which is open to collision attacks: ask upstream to sign with SHA-256 or better")
	}
	return oneLine(string(w.Kind) + " " + w.Key)
}

// String renders r on one line, for logs and test failures.
func (r Result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s", r.Subject, r.Kind, r.Status)
	if r.Signer != "" {
		fmt.Fprintf(&b, " by %s", r.Signer)
	}
	if r.Primary != "" {
		fmt.Fprintf(&b, " (primary %s)", r.Primary)
	}
	if r.Detail != "" {
		fmt.Fprintf(&b, " (%s)", r.Detail)
	}
	if r.Reason != ReasonNone {
		fmt.Fprintf(&b, " [%s]", r.Reason)
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(&b, " [warning: %s]", w.Message(""))
	}
	return b.String()
}

// Limits on untrusted input. Inputs above a limit are refused, never
// truncated.
const (
	// MaxSignatureSize caps a detached signature file (armored or binary).
	MaxSignatureSize = limits.SigMaxSignatureSize
	// MaxSignaturePackets caps the number of packets read from one
	// detached OpenPGP signature.
	MaxSignaturePackets = limits.SigMaxSignaturePackets
	// MaxKeyringSize caps one keyring file (armored or binary).
	MaxKeyringSize = limits.SigMaxKeyringSize
	// MaxTagSize caps a raw git tag object.
	MaxTagSize = limits.SigMaxTagSize
	// MaxAllowedSignersSize caps an OpenSSH allowed-signers file.
	MaxAllowedSignersSize = limits.SigMaxAllowedSignersSize
	// MaxBundleSize caps a Sigstore bundle.
	MaxBundleSize = limits.SigMaxBundleSize
	// MaxTrustedRootSize caps a Sigstore trusted_root.json.
	MaxTrustedRootSize = limits.SigMaxTrustedRootSize
	// MaxChecksumListSize caps a checksum list (SHA256SUMS and the like).
	MaxChecksumListSize = limits.SigMaxChecksumListSize
	// MaxClockSkew is how far in the future a signature's creation time
	// may lie before the signature is refused.
	MaxClockSkew = limits.SigMaxClockSkew
)

// Errors returned for unusable trusted material or unparseable objects.
var (
	// ErrTooLarge: an input exceeds one of the Max* limits.
	ErrTooLarge = errors.New("input exceeds size limit")
	// ErrNoKeys: a keyring contained no usable OpenPGP key.
	ErrNoKeys = errors.New("no usable OpenPGP public key found")
	// ErrMalformedTag: a tag object does not have git's tag format.
	ErrMalformedTag = errors.New("malformed tag object")
	// ErrMultipleSignatures: a tag object carries more than one signature block.
	ErrMultipleSignatures = errors.New("tag object carries more than one signature block")
)

// oneLine makes s safe for Result.Detail: a single line of bounded length
// without control characters (it may quote attacker-controlled text).
func oneLine(s string) string {
	const maxDetail = 300
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= maxDetail {
			b.WriteString("...")
			break
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			b.WriteByte(' ')
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
