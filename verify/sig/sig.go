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
	return b.String()
}

// Limits on untrusted input. Inputs above a limit are refused, never
// truncated.
const (
	// MaxSignatureSize caps a detached signature file (armored or binary).
	MaxSignatureSize = 1 << 20
	// MaxSignaturePackets caps the number of packets read from one
	// detached OpenPGP signature.
	MaxSignaturePackets = 32
	// MaxKeyringSize caps one keyring file (armored or binary).
	MaxKeyringSize = 32 << 20
	// MaxTagSize caps a raw git tag object.
	MaxTagSize = 4 << 20
	// MaxAllowedSignersSize caps an OpenSSH allowed-signers file.
	MaxAllowedSignersSize = 4 << 20
	// MaxBundleSize caps a Sigstore bundle.
	MaxBundleSize = 16 << 20
	// MaxTrustedRootSize caps a Sigstore trusted_root.json.
	MaxTrustedRootSize = 16 << 20
	// MaxChecksumListSize caps a checksum list (SHA256SUMS and the like).
	MaxChecksumListSize = 16 << 20
	// MaxClockSkew is how far in the future a signature's creation time
	// may lie before the signature is refused.
	MaxClockSkew = 24 * time.Hour
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
