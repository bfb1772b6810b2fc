package verify

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tarcheck/tarcheck/internal/capread"
	"github.com/tarcheck/tarcheck/internal/filehash"
	"github.com/tarcheck/tarcheck/verify/attest"
	"github.com/tarcheck/tarcheck/verify/render"
	"github.com/tarcheck/tarcheck/verify/report"
	"github.com/tarcheck/tarcheck/verify/sig"
)

// Attestation asks for an in-toto statement about a report (see
// docs/attestation.md): written to File, its predicate alone to
// PredicateFile, signed as a DSSE envelope when KeyFile is set.
type Attestation struct {
	// File receives the statement (or the envelope, with KeyFile).
	File string
	// PredicateFile receives the predicate only (for cosign attest-blob).
	PredicateFile string
	// KeyFile is an OpenSSH private key or an armored OpenPGP secret key.
	KeyFile string
	// PassphraseFile holds the key's passphrase; Passphrase is used when
	// it is empty (the CLI passes TARCHECK_ATTEST_PASSPHRASE).
	PassphraseFile string
	Passphrase     []byte
	// VerifierID replaces the VSA verifier.id.
	VerifierID string
}

// Wanted reports whether any output is asked for.
func (a Attestation) Wanted() bool { return a.File != "" || a.PredicateFile != "" }

// Check validates the request before a run: a key needs a
// file to sign, and the key must parse (so a typo costs no verification).
func (a Attestation) Check() error {
	if a.KeyFile != "" && a.File == "" {
		return Errorf(KindUsage, "--attest-key needs --attest FILE (the envelope is written there)")
	}
	if a.KeyFile != "" {
		_, err := a.signer()
		return err
	}
	return nil
}

// signer reads and parses the signing key.
func (a Attestation) signer() (attest.Signer, error) {
	key, err := os.ReadFile(a.KeyFile)
	if err != nil {
		return nil, Errorf(KindUsage, "--attest-key: %v", err)
	}
	pass := a.Passphrase
	if a.PassphraseFile != "" {
		b, err := os.ReadFile(a.PassphraseFile)
		if err != nil {
			return nil, Errorf(KindUsage, "--attest-key-passphrase-file: %v", err)
		}
		pass = bytes.TrimRight(b, "\r\n")
	}
	s, err := attest.ParseSigner(key, pass)
	if err != nil {
		return nil, Errorf(KindUsage, "--attest-key %s: %v (an encrypted key needs --attest-key-passphrase-file or TARCHECK_ATTEST_PASSPHRASE)", a.KeyFile, err)
	}
	return s, nil
}

// WriteAttestation writes the statement about r that a asks for, made at
// now. The report's verdict does not matter: a failing run is attested too.
func WriteAttestation(r *report.Report, a Attestation, now time.Time) error {
	if !a.Wanted() {
		return nil
	}
	var js bytes.Buffer
	if err := render.JSON(&js, r); err != nil {
		return err
	}
	in, err := attest.FromReportJSON(js.Bytes())
	if err != nil {
		return Errorf(KindInput, "attestation: %v", err)
	}
	in.Time, in.VerifierID = now, a.VerifierID
	if r.Policy != nil && r.Policy.File != "" {
		if in.Policy, err = os.ReadFile(r.Policy.File); err != nil {
			return Errorf(KindInput, "attestation: reading the policy: %v", err)
		}
		in.PolicyURI = "file:" + filepath.Base(r.Policy.File)
	}
	st, err := attest.Build(in)
	if err != nil {
		return Errorf(KindInput, "attestation: %v", err)
	}
	if a.PredicateFile != "" {
		b, err := st.MarshalPredicate()
		if err != nil {
			return Errorf(KindInput, "attestation: %v", err)
		}
		if err := WriteFileAtomic(a.PredicateFile, b); err != nil {
			return err
		}
	}
	if a.File == "" {
		return nil
	}
	out, err := st.Marshal()
	if err != nil {
		return Errorf(KindInput, "attestation: %v", err)
	}
	if a.KeyFile != "" {
		s, err := a.signer()
		if err != nil {
			return err
		}
		if out, err = attest.Sign(out, s); err != nil {
			return Errorf(KindInput, "--attest-key: signing: %v", err)
		}
	}
	return WriteFileAtomic(a.File, out)
}

// AttestationCheck is what `tarcheck verify-attestation` checks: the DSSE
// envelope, the tarball it must be about, and the trust material.
type AttestationCheck struct {
	Envelope       string
	Tarball        string
	AllowedSigners string
	Keyrings       []string
	// AllowFailed accepts an authentic FAILED summary.
	AllowFailed bool
}

// AttestationResult is the outcome of CheckAttestation.
type AttestationResult struct {
	// Accepted: authentic, about the tarball, and PASSED (or AllowFailed).
	Accepted bool
	// Problem says why not, on one line ("" when accepted).
	Problem string
	// Signer is who signed (SSH principals or OpenPGP fingerprint), when
	// a signature verified.
	Signer string
	// Statement is the verified statement (nil when none verified) and
	// Payload its bytes.
	Statement *attest.Statement
	Payload   []byte
}

// CheckAttestation verifies an attestation envelope. An error means the
// input could not be read or is malformed (kind input or usage); a
// rejected attestation is a result with Accepted false.
func CheckAttestation(c AttestationCheck) (*AttestationResult, error) {
	if c.AllowedSigners == "" && len(c.Keyrings) == 0 {
		return nil, Errorf(KindUsage, "verify-attestation needs --allowed-signers FILE or --keyring FILE")
	}
	if c.Tarball == "" {
		return nil, Errorf(KindUsage, "verify-attestation needs --tarball FILE (the attested tarball)")
	}
	var trust attest.Trust
	var err error
	if c.AllowedSigners != "" {
		if trust.AllowedSigners, err = capread.File(c.AllowedSigners, maxSignatureFile); err != nil {
			return nil, Errorf(KindInput, "--allowed-signers: %v", err)
		}
	}
	if len(c.Keyrings) > 0 {
		var files []sig.KeyringFile
		for _, k := range c.Keyrings {
			b, err := capread.File(k, sig.MaxKeyringSize)
			if err != nil {
				return nil, Errorf(KindInput, "--keyring: %v", err)
			}
			files = append(files, sig.KeyringFile{Name: k, Data: b})
		}
		if trust.Keyring, err = sig.ReadKeyringFiles(files...); err != nil {
			return nil, keyringErr(fmt.Errorf("keyring %w", err))
		}
	}
	env, err := capread.File(c.Envelope, attest.MaxEnvelopeSize)
	if err != nil {
		return nil, Errorf(KindInput, "%v", err)
	}
	sum, err := filehash.SHA256(c.Tarball)
	if err != nil {
		return nil, Errorf(KindInput, "--tarball: %v", err)
	}
	v, err := attest.VerifyEnvelope(env, trust, time.Now())
	switch {
	case errors.Is(err, attest.ErrNotTrusted):
		return &AttestationResult{Problem: c.Envelope + ": " + err.Error()}, nil
	case err != nil:
		return nil, Errorf(KindInput, "%s: %v", c.Envelope, err)
	}
	res := &AttestationResult{Signer: v.Signer.Signer, Statement: v.Statement, Payload: v.Payload}
	if err := v.CheckTarball("", sum); err != nil {
		res.Problem = fmt.Sprintf("%s is about another file than %s: %v", c.Envelope, c.Tarball, err)
		return res, nil
	}
	if r := v.Statement.Predicate.VerificationResult; r != "PASSED" && !c.AllowFailed {
		res.Problem = fmt.Sprintf("%s is authentic but its verification result is %s (--allow-failed accepts it)", c.Envelope, r)
		return res, nil
	}
	res.Accepted = true
	return res, nil
}

// Summary renders an accepted or rejected result for people: signer, tag,
// commit and result, one per line.
func (r *AttestationResult) Summary() string {
	var b strings.Builder
	if r.Statement != nil {
		d := r.Statement.Predicate.Details
		fmt.Fprintf(&b, "signer   %s\n", r.Signer)
		fmt.Fprintf(&b, "tarball  %s sha256 %s\n", d.Tarball.Name, d.Tarball.SHA256)
		fmt.Fprintf(&b, "source   %s tag %s commit %s\n", d.Source.Repository, d.Source.Tag, d.Source.Commit)
		fmt.Fprintf(&b, "result   %s (%s, %s)\n", r.Statement.Predicate.VerificationResult, d.Tool.Name, r.Statement.Predicate.TimeVerified)
	}
	if r.Accepted {
		b.WriteString("attestation OK\n")
	} else {
		fmt.Fprintf(&b, "attestation REJECTED: %s\n", r.Problem)
	}
	return b.String()
}

// Write writes the result as `tarcheck verify-attestation --format` asks:
// json writes the verified statement (when there is one) on one line, text
// (and json without a statement) the Summary.
func (r *AttestationResult) Write(w io.Writer, format string) error {
	var err error
	if format == "json" && r.Payload != nil {
		_, err = fmt.Fprintf(w, "%s\n", r.Payload)
	} else {
		_, err = io.WriteString(w, r.Summary())
	}
	return err
}
