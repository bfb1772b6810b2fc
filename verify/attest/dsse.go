package attest

import (
	"bytes"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"golang.org/x/crypto/ssh"

	"github.com/tarcheck/tarcheck/internal/limits"
	"github.com/tarcheck/tarcheck/verify/sig"
)

// PayloadType is the DSSE payloadType of an in-toto statement.
const PayloadType = "application/vnd.in-toto+json"

// SSHNamespace is the SSHSIG namespace of attestation signatures; use it
// with ssh-keygen -Y verify -n. It differs from "git" so that a tag
// signature can never pass for an attestation signature or the reverse.
const SSHNamespace = "tarcheck-attestation"

// SignatureSubject is the Subject of the sig.Result of an envelope check.
const SignatureSubject = "attestation"

// Limits on untrusted input.
const (
	// MaxEnvelopeSize caps an envelope file.
	MaxEnvelopeSize = limits.AttestMaxEnvelopeSize
	// MaxEnvelopeSignatures caps the signatures of one envelope.
	MaxEnvelopeSignatures = limits.AttestMaxEnvelopeSignatures
)

// Envelope is a DSSE envelope. Payload and Sig are raw bytes; encoding/json
// writes them in standard base64 as DSSE requires.
type Envelope struct {
	PayloadType string              `json:"payloadType"`
	Payload     []byte              `json:"payload"`
	Signatures  []EnvelopeSignature `json:"signatures"`
}

// EnvelopeSignature is one DSSE signature. For an SSH key Sig is an armored
// SSHSIG ("-----BEGIN SSH SIGNATURE-----", namespace SSHNamespace, hash
// sha512) over the PAE; for an OpenPGP key it is a binary detached OpenPGP
// signature over the PAE. KeyID is informational (SSH: SHA256 fingerprint;
// OpenPGP: key fingerprint in hex) and never used to choose a key.
type EnvelopeSignature struct {
	KeyID string `json:"keyid,omitempty"`
	Sig   []byte `json:"sig"`
}

// PAE is the DSSE v1 pre-authentication encoding of a payload, the bytes
// that are actually signed:
//
//	"DSSEv1" SP len(type) SP type SP len(payload) SP payload
//
// with lengths as ASCII decimal.
func PAE(payloadType string, payload []byte) []byte {
	var b bytes.Buffer
	b.WriteString("DSSEv1 ")
	b.WriteString(strconv.Itoa(len(payloadType)))
	b.WriteByte(' ')
	b.WriteString(payloadType)
	b.WriteByte(' ')
	b.WriteString(strconv.Itoa(len(payload)))
	b.WriteByte(' ')
	b.Write(payload)
	return b.Bytes()
}

// Signer makes one DSSE signature over a PAE.
type Signer interface {
	// KeyID is recorded as the signature's keyid.
	KeyID() string
	// Sign returns the signature bytes over pae.
	Sign(pae []byte) ([]byte, error)
}

// ErrKey means a signing key could not be used.
var ErrKey = errors.New("unusable attestation signing key")

// ParseSigner reads a private key file: an OpenSSH private key
// ("-----BEGIN OPENSSH PRIVATE KEY-----", or PEM RSA/EC/PKCS#8: ed25519,
// ecdsa or rsa) or an armored OpenPGP secret key ("-----BEGIN PGP PRIVATE
// KEY BLOCK-----"). passphrase decrypts an encrypted key; nil means none.
func ParseSigner(key, passphrase []byte) (Signer, error) {
	trimmed := bytes.TrimSpace(key)
	if bytes.HasPrefix(trimmed, []byte("-----BEGIN PGP PRIVATE KEY BLOCK-----")) {
		return parseOpenPGPSigner(trimmed, passphrase)
	}
	if bytes.HasPrefix(trimmed, []byte("-----BEGIN ")) {
		return parseSSHSigner(trimmed, passphrase)
	}
	return nil, fmt.Errorf("%w: neither an OpenSSH nor an armored OpenPGP private key", ErrKey)
}

// sshSigner makes SSHSIG signatures.
type sshSigner struct{ s ssh.Signer }

func parseSSHSigner(key, passphrase []byte) (Signer, error) {
	var (
		s   ssh.Signer
		err error
	)
	if passphrase != nil {
		s, err = ssh.ParsePrivateKeyWithPassphrase(key, passphrase)
	} else {
		s, err = ssh.ParsePrivateKey(key)
	}
	var missing *ssh.PassphraseMissingError
	if errors.As(err, &missing) {
		return nil, fmt.Errorf("%w: the SSH key is encrypted and no passphrase was given", ErrKey)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	return sshSigner{s}, nil
}

func (s sshSigner) KeyID() string { return ssh.FingerprintSHA256(s.s.PublicKey()) }

// Sign makes an SSHSIG (OpenSSH PROTOCOL.sshsig) over pae in SSHNamespace
// with hash sha512, armored as ssh-keygen -Y sign writes it.
func (s sshSigner) Sign(pae []byte) ([]byte, error) {
	const hashAlg = "sha512"
	digest := sha512.Sum512(pae)
	var signed bytes.Buffer
	signed.WriteString("SSHSIG")
	putSSHString(&signed, []byte(SSHNamespace))
	putSSHString(&signed, nil)
	putSSHString(&signed, []byte(hashAlg))
	putSSHString(&signed, digest[:])
	var (
		signature *ssh.Signature
		err       error
	)
	if as, ok := s.s.(ssh.AlgorithmSigner); ok && s.s.PublicKey().Type() == ssh.KeyAlgoRSA {
		// ssh-rsa (SHA-1) signatures are refused by verifiers.
		signature, err = as.SignWithAlgorithm(rand.Reader, signed.Bytes(), ssh.KeyAlgoRSASHA512)
	} else {
		signature, err = s.s.Sign(rand.Reader, signed.Bytes())
	}
	if err != nil {
		return nil, fmt.Errorf("signing attestation with SSH key: %w", err)
	}
	var blob bytes.Buffer
	blob.WriteString("SSHSIG")
	_ = binary.Write(&blob, binary.BigEndian, uint32(1))
	putSSHString(&blob, s.s.PublicKey().Marshal())
	putSSHString(&blob, []byte(SSHNamespace))
	putSSHString(&blob, nil)
	putSSHString(&blob, []byte(hashAlg))
	putSSHString(&blob, ssh.Marshal(signature))
	b64 := base64.StdEncoding.EncodeToString(blob.Bytes())
	var out bytes.Buffer
	out.WriteString("-----BEGIN SSH SIGNATURE-----\n")
	for len(b64) > 70 {
		out.WriteString(b64[:70] + "\n")
		b64 = b64[70:]
	}
	out.WriteString(b64 + "\n-----END SSH SIGNATURE-----\n")
	return out.Bytes(), nil
}

func putSSHString(b *bytes.Buffer, s []byte) {
	_ = binary.Write(b, binary.BigEndian, uint32(len(s)))
	b.Write(s)
}

// openPGPSigner makes binary detached OpenPGP signatures.
type openPGPSigner struct{ e *openpgp.Entity }

func parseOpenPGPSigner(key, passphrase []byte) (Signer, error) {
	els, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(key))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	if len(els) != 1 {
		return nil, fmt.Errorf("%w: the OpenPGP key file holds %d keys, want 1", ErrKey, len(els))
	}
	e := els[0]
	if e.PrivateKey == nil {
		return nil, fmt.Errorf("%w: the OpenPGP key has no secret key", ErrKey)
	}
	if e.PrivateKey.Encrypted || anySubkeyEncrypted(e) {
		if passphrase == nil {
			return nil, fmt.Errorf("%w: the OpenPGP key is encrypted and no passphrase was given", ErrKey)
		}
		if err := e.DecryptPrivateKeys(passphrase); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrKey, err)
		}
	}
	return openPGPSigner{e}, nil
}

func anySubkeyEncrypted(e *openpgp.Entity) bool {
	for _, s := range e.Subkeys {
		if s.PrivateKey != nil && s.PrivateKey.Encrypted {
			return true
		}
	}
	return false
}

func (s openPGPSigner) KeyID() string { return fmt.Sprintf("%X", s.e.PrimaryKey.Fingerprint) }

func (s openPGPSigner) Sign(pae []byte) ([]byte, error) {
	var out bytes.Buffer
	if err := openpgp.DetachSign(&out, s.e, bytes.NewReader(pae), &packet.Config{}); err != nil {
		return nil, fmt.Errorf("signing attestation with OpenPGP key: %w", err)
	}
	return out.Bytes(), nil
}

// Sign wraps a statement (as from Statement.Marshal) in a DSSE envelope
// signed by s and returns the envelope as JSON followed by a newline.
func Sign(statement []byte, s Signer) ([]byte, error) {
	sigBytes, err := s.Sign(PAE(PayloadType, statement))
	if err != nil {
		return nil, err
	}
	env := Envelope{
		PayloadType: PayloadType,
		Payload:     statement,
		Signatures:  []EnvelopeSignature{{KeyID: s.KeyID(), Sig: sigBytes}},
	}
	return marshal(&env)
}

// Trust is the material an envelope is verified against; at least one
// field must be set.
type Trust struct {
	// AllowedSigners is an OpenSSH allowed-signers file. A line must name
	// the key itself (cert-authority lines are not accepted for
	// attestations) and, if it has a namespaces option, allow SSHNamespace.
	AllowedSigners []byte
	// Keyring holds accepted OpenPGP keys (see sig.ReadKeyring).
	Keyring openpgp.EntityList
}

// Verified is a verified envelope.
type Verified struct {
	// Statement is the decoded payload.
	Statement *Statement
	// Payload is the raw signed statement.
	Payload []byte
	// Signer is the accepted signature: Signer holds the SSH principals
	// or the OpenPGP fingerprint.
	Signer sig.Result
}

// Verification errors.
var (
	// ErrEnvelope means the file is not a well-formed DSSE envelope of an
	// in-toto statement.
	ErrEnvelope = errors.New("malformed attestation envelope")
	// ErrNotTrusted means no signature verifies with the trusted material.
	ErrNotTrusted = errors.New("no trusted signature on the attestation")
)

// ParseEnvelope decodes a DSSE envelope (JSON) without verifying it.
func ParseEnvelope(data []byte) (*Envelope, error) {
	if len(data) > MaxEnvelopeSize {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrEnvelope, len(data), MaxEnvelopeSize)
	}
	var env Envelope
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&env); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEnvelope, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data after the envelope", ErrEnvelope)
	}
	switch {
	case env.PayloadType != PayloadType:
		return nil, fmt.Errorf("%w: payloadType %q, want %q", ErrEnvelope, env.PayloadType, PayloadType)
	case len(env.Payload) == 0:
		return nil, fmt.Errorf("%w: empty payload", ErrEnvelope)
	case len(env.Signatures) == 0:
		return nil, fmt.Errorf("%w: no signatures", ErrEnvelope)
	case len(env.Signatures) > MaxEnvelopeSignatures:
		return nil, fmt.Errorf("%w: %d signatures, limit %d", ErrEnvelope, len(env.Signatures), MaxEnvelopeSignatures)
	}
	return &env, nil
}

// VerifyEnvelope checks that some signature of the envelope in data
// verifies over the PAE with a key of trust at time now, and decodes the
// statement. The caller must still check that the statement is about the
// tarball it has (Statement.Subject digest) and act on its result
// (Predicate.VerificationResult): a FAILED summary verifies like a PASSED
// one.
func VerifyEnvelope(data []byte, trust Trust, now time.Time) (*Verified, error) {
	if len(trust.AllowedSigners) == 0 && len(trust.Keyring) == 0 {
		return nil, errors.New("verifying attestation: no allowed-signers file or OpenPGP keyring given")
	}
	env, err := ParseEnvelope(data)
	if err != nil {
		return nil, err
	}
	pae := PAE(env.PayloadType, env.Payload)
	var reasons []string
	for i, es := range env.Signatures {
		res := verifyOne(pae, es.Sig, trust, now)
		res.Subject = SignatureSubject
		if res.Status == sig.StatusValid {
			st, err := ParseStatement(env.Payload)
			if err != nil {
				return nil, err
			}
			return &Verified{Statement: st, Payload: env.Payload, Signer: res}, nil
		}
		reasons = append(reasons, fmt.Sprintf("signature %d: %s: %s", i+1, res.Status, res.Detail))
	}
	return nil, fmt.Errorf("%w: %s", ErrNotTrusted, strings.Join(reasons, "; "))
}

// verifyOne judges one signature.
func verifyOne(pae, sigBytes []byte, trust Trust, now time.Time) sig.Result {
	if bytes.HasPrefix(bytes.TrimSpace(sigBytes), []byte("-----BEGIN SSH SIGNATURE-----")) {
		return verifySSH(pae, sigBytes, trust.AllowedSigners, now)
	}
	if len(trust.Keyring) == 0 {
		return sig.Result{Kind: sig.KindOpenPGP, Status: sig.StatusUnverifiable, Detail: "OpenPGP signature but no keyring given"}
	}
	return sig.VerifyDetached(bytes.NewReader(pae), sigBytes, trust.Keyring, now)
}

// verifySSH checks an SSHSIG over pae against an allowed-signers file.
func verifySSH(pae, sigBytes, allowedSigners []byte, now time.Time) sig.Result {
	res := sig.Result{Kind: sig.KindSSH}
	s, err := sig.ParseSSHSignature(sigBytes)
	if err != nil {
		res.Status, res.Detail = sig.StatusInvalid, err.Error()
		return res
	}
	if _, isCert := s.PublicKey.(*ssh.Certificate); isCert {
		res.Status, res.Detail = sig.StatusUnverifiable, "SSH certificates are not accepted for attestations"
		return res
	}
	fp := ssh.FingerprintSHA256(s.PublicKey)
	res.Signer = fp
	if err := s.Verify(pae, SSHNamespace); err != nil {
		res.Status, res.Detail = sig.StatusInvalid, "BAD signature: "+err.Error()
		return res
	}
	if len(allowedSigners) == 0 {
		res.Status, res.Detail = sig.StatusUnverifiable, "SSH signature but no allowed-signers file given"
		return res
	}
	signers, err := sig.ParseAllowedSigners(allowedSigners)
	if err != nil {
		res.Status, res.Detail = sig.StatusUnverifiable, err.Error()
		return res
	}
	want := s.PublicKey.Marshal()
	for _, a := range signers {
		if a.CertAuthority || !bytes.Equal(a.Key.Marshal(), want) {
			continue
		}
		if len(a.Namespaces) > 0 && !namespaceAllowed(a.Namespaces) {
			continue
		}
		if !a.ValidAfter.IsZero() && now.Before(a.ValidAfter) || !a.ValidBefore.IsZero() && now.After(a.ValidBefore) {
			continue
		}
		res.Signer, res.Status, res.Detail = a.Principals, sig.StatusValid, "good signature by "+fp
		return res
	}
	res.Status, res.Detail = sig.StatusUnverifiable, "key "+fp+" is not in the allowed-signers file for namespace "+SSHNamespace
	return res
}

// namespaceAllowed applies an allowed-signers namespaces= list (wildcards
// * and ?, "!" negates) to SSHNamespace.
func namespaceAllowed(patterns []string) bool {
	ok := false
	for _, p := range patterns {
		neg := strings.HasPrefix(p, "!")
		if m, _ := path.Match(strings.TrimPrefix(p, "!"), SSHNamespace); m {
			if neg {
				return false
			}
			ok = true
		}
	}
	return ok
}

// ParseStatement decodes a statement written by this package and checks
// its _type and predicateType.
func ParseStatement(data []byte) (*Statement, error) {
	var st Statement
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("%w: statement: %w", ErrEnvelope, err)
	}
	switch {
	case st.Type != StatementType:
		return nil, fmt.Errorf("%w: statement _type %q, want %q", ErrEnvelope, st.Type, StatementType)
	case st.PredicateType != PredicateTypeVSA:
		return nil, fmt.Errorf("%w: predicateType %q, want %q", ErrEnvelope, st.PredicateType, PredicateTypeVSA)
	case len(st.Subject) == 0:
		return nil, fmt.Errorf("%w: statement has no subject", ErrEnvelope)
	}
	return &st, nil
}

// SubjectSHA256 returns the sha256 digest of the statement's subject named
// name, or of its only subject when name is empty; "" if there is none.
func (s *Statement) SubjectSHA256(name string) string {
	for _, d := range s.Subject {
		if name == "" && len(s.Subject) == 1 || d.Name == name {
			return d.Digest["sha256"]
		}
	}
	return ""
}

// ErrOtherSubject means a verified attestation is about other bytes than
// the tarball at hand.
var ErrOtherSubject = errors.New("attestation is about another file")

// CheckTarball returns ErrOtherSubject unless the statement's only subject
// (or the one named name, when name is not empty) has sha256 sha256hex,
// the digest of the tarball the caller holds.
func (v *Verified) CheckTarball(name, sha256hex string) error {
	got := v.Statement.SubjectSHA256(name)
	if got == "" || got != strings.ToLower(sha256hex) {
		return fmt.Errorf("%w: subject sha256 %q, the tarball's is %s", ErrOtherSubject, got, sha256hex)
	}
	return nil
}
