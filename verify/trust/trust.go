// Package trust is step 3 of a verification: it gathers the trust material
// (keyrings, allowed signers, trusted root, identity policies) and the
// signature material (detached signatures given or published next to the
// tarball, Sigstore bundles, checksum lists and their signatures) with
// Gather, which does the reading through a Reader, and checks it all in
// Check, which is pure: signatures and findings out.
//
// New signature kinds and warnings (a weak key, an expiring certificate)
// are findings made in Check.
package trust

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"

	"github.com/tarcheck/tarcheck/internal/limits"
	"github.com/tarcheck/tarcheck/verify/fetch"
	"github.com/tarcheck/tarcheck/verify/report"
	"github.com/tarcheck/tarcheck/verify/sig"
)

// maxSignatureFile caps the size of a signature, bundle, keyring or checksum file read.
const maxSignatureFile = limits.MaxSignatureFile

// Reader reads material for Gather: local paths or URLs, each capped.
type Reader interface {
	// Read returns the bytes of src, or an error.
	Read(ctx context.Context, src string) ([]byte, error)
	// ReadOptional returns the bytes of src, or nil, nil when it does not
	// exist (a 404, a missing file).
	ReadOptional(ctx context.Context, src string) ([]byte, error)
	// Sidecars lists the signatures, bundles and checksum lists published
	// next to the tarball (nil when discovery failed; that is not an error).
	Sidecars(ctx context.Context, tarball string) (*fetch.Sidecars, error)
}

// Request is what the caller gave.
type Request struct {
	// Tarball is the tarball's source (path or URL), for sidecar discovery.
	Tarball string
	// Keyrings (OpenPGP) for the tarball and the tag; TagKeyrings replace
	// them for the tag when given.
	Keyrings, TagKeyrings []string
	// Signature and Bundle, when given, replace discovered ones.
	Signature, Bundle string
	// AllowedSigners (SSH) and TrustedRoot (Sigstore) files.
	AllowedSigners, TrustedRoot string
	// Identity is the Sigstore identity required; TagIdentity, when set,
	// replaces it for an x509 (gitsign) tag.
	Identity, TagIdentity sig.Identity
	// RequireSignature: a valid signature over the tarball or the tag is required.
	RequireSignature bool
	// Logf receives verbose messages; nil discards them.
	Logf func(format string, args ...any)
}

// File is one piece of signature material and where it came from.
type File struct {
	Name string
	Data []byte
}

// Material is everything Check checks.
type Material struct {
	Keyring, TagKeyring openpgp.EntityList
	// KeyringNames and TagKeyringNames are the keyring files, as given,
	// named in the findings that ask to refresh them.
	KeyringNames, TagKeyringNames []string
	// OwnTagKeyring is set when the tag has keyrings of its own
	// (Request.TagKeyrings), not the tarball's.
	OwnTagKeyring    bool
	AllowedSigners   []byte
	TrustedRoot      []byte
	Identity         sig.Identity
	TagIdentity      sig.Identity
	RequireSignature bool
	// Signatures are detached OpenPGP signatures over the tarball.
	Signatures []File
	// Bundles are Sigstore bundles over the tarball.
	Bundles []File
	// Checksums are checksum lists; each may have a detached signature in
	// ChecksumSigs (keyed by the list's name).
	Checksums    []File
	ChecksumSigs map[string]File
}

// Gather reads the material the request names or the tarball's location
// publishes.
func Gather(ctx context.Context, rd Reader, req Request) (*Material, error) {
	m := &Material{Identity: req.Identity, TagIdentity: req.Identity, RequireSignature: req.RequireSignature,
		ChecksumSigs: map[string]File{}}
	if req.TagIdentity != (sig.Identity{}) {
		m.TagIdentity = req.TagIdentity
	}
	var err error
	if m.Keyring, err = keyring(ctx, rd, req.Keyrings); err != nil {
		return nil, err
	}
	m.TagKeyring, m.KeyringNames, m.TagKeyringNames = m.Keyring, req.Keyrings, req.Keyrings
	if len(req.TagKeyrings) > 0 {
		if m.TagKeyring, err = keyring(ctx, rd, req.TagKeyrings); err != nil {
			return nil, err
		}
		m.TagKeyringNames = req.TagKeyrings
		m.OwnTagKeyring = true
	}
	for _, f := range []struct {
		src string
		dst *[]byte
	}{{req.AllowedSigners, &m.AllowedSigners}, {req.TrustedRoot, &m.TrustedRoot}} {
		if f.src != "" {
			if *f.dst, err = rd.Read(ctx, f.src); err != nil {
				return nil, err
			}
		}
	}
	for _, f := range []struct {
		src string
		dst *[]File
	}{{req.Signature, &m.Signatures}, {req.Bundle, &m.Bundles}} {
		if f.src != "" {
			b, err := rd.Read(ctx, f.src)
			if err != nil {
				return nil, err
			}
			*f.dst = append(*f.dst, File{f.src, b})
		}
	}
	if err := m.sidecars(ctx, rd, req); err != nil {
		return nil, err
	}
	return m, m.checksumSignatures(ctx, rd)
}

// sidecars adds the material published next to the tarball.
func (m *Material) sidecars(ctx context.Context, rd Reader, req Request) error {
	side, err := rd.Sidecars(ctx, req.Tarball)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if req.Logf != nil {
			req.Logf("sidecar discovery: %v", err)
		}
	}
	if side == nil {
		return nil
	}
	if req.Signature == "" {
		m.Signatures = append(m.Signatures, load(side.Signatures)...)
	}
	if req.Bundle == "" {
		m.Bundles = append(m.Bundles, load(side.Bundles)...)
	}
	m.Checksums = append(m.Checksums, load(side.Checksums)...)
	return nil
}

// checksumSignatures finds the detached signature beside each checksum
// list that is not clearsigned.
func (m *Material) checksumSignatures(ctx context.Context, rd Reader) error {
	for _, f := range m.Checksums {
		if _, ok := sig.VerifyClearsigned(f.Data, m.Keyring, time.Now()); ok {
			continue
		}
		for _, ext := range []string{".asc", ".sig", ".sign"} {
			data, err := rd.ReadOptional(ctx, f.Name+ext)
			if err != nil {
				return err
			}
			if data != nil {
				m.ChecksumSigs[f.Name] = File{f.Name + ext, data}
				break
			}
		}
	}
	return nil
}

// load reads discovered sidecar files, skipping unreadable or oversized ones.
func load(files []*fetch.File) []File {
	var out []File
	for _, f := range files {
		b, err := os.ReadFile(f.Path)
		if err != nil || len(b) > maxSignatureFile {
			continue
		}
		name := f.URL
		if name == "" {
			name = f.Path
		}
		out = append(out, File{name, b})
	}
	return out
}

// HasTrust reports whether any trust material was given: a keyring,
// allowed signers, a trusted root or an identity policy. Without any, no
// signature can be authenticated and the release is checked for content
// only.
func (m *Material) HasTrust() bool {
	return len(m.Keyring) > 0 || len(m.TagKeyring) > 0 || len(m.AllowedSigners) > 0 || len(m.TrustedRoot) > 0 ||
		m.Identity != (sig.Identity{}) || m.TagIdentity != (sig.Identity{})
}

// keyring reads and parses OpenPGP keyrings. A file that yields no key is
// an error wrapping a *sig.KeyringError that names it.
func keyring(ctx context.Context, rd Reader, files []string) (openpgp.EntityList, error) {
	if len(files) == 0 {
		return nil, nil
	}
	var kf []sig.KeyringFile
	for _, f := range files {
		b, err := rd.Read(ctx, f)
		if err != nil {
			return nil, err
		}
		kf = append(kf, sig.KeyringFile{Name: f, Data: b})
	}
	kr, err := sig.ReadKeyringFiles(kf...)
	if err != nil {
		return nil, fmt.Errorf("keyring %w", err)
	}
	return kr, nil
}

// Subject is what the signatures are over.
type Subject struct {
	// Name is the tarball's file name, looked up in checksum lists.
	Name string
	// Open opens the tarball's bytes.
	Open func() (io.ReadCloser, error)
	// SHA256 returns the tarball's digest (computed once by the caller).
	SHA256 func() ([]byte, error)
	// Tag is the tag object (nil for a lightweight tag), its name and the
	// commit it was resolved to.
	Tag          []byte
	TagName      string
	TagCommit    string
	CheckingTime time.Time
}

// Check verifies every signature of m over s: the tarball's detached
// signatures and bundles, the checksum lists and their signatures, the
// tag's signature, and the requirement of a valid one. An error means the
// tarball could not be read.
func Check(m *Material, s Subject) ([]report.Signature, []report.Finding, error) {
	c := &checker{m: m, s: s}
	if err := c.tarball(); err != nil {
		return nil, nil, err
	}
	if err := c.checksums(); err != nil {
		return nil, nil, err
	}
	c.tag()
	c.required()
	return c.sigs, c.findings, nil
}

// checker accumulates one Check's signatures and findings.
type checker struct {
	// outdated indexes the TC206 finding of each set of expired keys
	// (keyringOutdated).
	outdated map[string]int
	m        *Material
	s        Subject
	sigs     []report.Signature
	findings []report.Finding
}

// add records one result, and a finding when it is invalid.
func (c *checker) add(res sig.Result, source string) {
	s := report.Signature{Subject: res.Subject, Kind: string(res.Kind), Status: string(res.Status), Signer: res.Signer,
		Detail: res.Detail, Source: source}
	if res.Primary != "" && res.Primary != res.Signer {
		if s.Detail != "" {
			s.Detail += "; "
		}
		s.Detail += "primary key " + res.Primary
	}
	c.sigs = append(c.sigs, s)
	keyrings := c.m.KeyringNames
	if res.Subject == sig.SubjectTag {
		keyrings = c.m.TagKeyringNames
	}
	var expired []sig.Warning
	for _, w := range res.Warnings {
		if w.Kind == sig.WarningKeyExpiredBeforeSignature {
			expired = append(expired, w)
			continue
		}
		rule := report.RuleKeyringOutdated
		if w.Kind == sig.WarningSHA1Signature {
			rule = report.RuleWeakSignatureHash
		}
		c.findings = append(c.findings, report.Finding{Rule: rule, Severity: report.SevMedium,
			Message: w.Message(strings.Join(keyrings, ", ")), Evidence: evidence(source)})
	}
	c.keyringOutdated(res.Subject, expired, strings.Join(keyrings, ", "), source)
	if res.Reason == sig.ReasonUnknownKey {
		who := res.Issuer
		if who == "" {
			who = res.Signer
		}
		msg := fmt.Sprintf("the %s's %s signature is by %s, a key outside the trust material given", res.Subject, res.Kind, who)
		if res.Kind == sig.KindOpenPGP && len(keyrings) > 0 {
			msg = fmt.Sprintf("the %s's %s signature is by %s, which is not in %s", res.Subject, res.Kind, who, strings.Join(keyrings, ", "))
		} else if res.Kind == sig.KindSSH {
			msg = fmt.Sprintf("the %s's %s signature is by %s, which the allowed-signers file does not list", res.Subject, res.Kind, who)
		}
		sev := report.SevHigh
		if res.Subject == sig.SubjectTag && res.Kind == sig.KindOpenPGP && !c.m.OwnTagKeyring && c.validSignature(sig.SubjectTarball) {
			// The keyring was given for the tarball (uscan's
			// signing-key.asc) and vouches for it; the tag, made by
			// another maintainer, is shown, not failed. A keyring of
			// the tag's own keeps this high.
			sev = report.SevMedium
			msg += "; the tarball's signature is valid against that keyring, which was not given for the tag alone"
		}
		c.findings = append(c.findings, report.Finding{Rule: report.RuleUnknownSigner, Severity: sev,
			Message: msg, Evidence: evidence(source), Subject: string(res.Subject), Signer: who})
	}
	if res.Status != sig.StatusInvalid {
		return
	}
	rule := report.RuleInvalidSignature
	msg := fmt.Sprintf("invalid %s signature over the %s", res.Kind, res.Subject)
	if res.Kind == sig.KindChecksum {
		rule = report.RuleChecksumMismatch
		msg = "the tarball's sha256 does not match the published checksum"
	}
	if res.Detail != "" {
		msg += ": " + res.Detail
	}
	c.findings = append(c.findings, report.Finding{Rule: rule, Severity: report.SevCritical, Message: msg, Evidence: []string{source}})
}

// keyringOutdated reports the expiry warnings of one signature (the
// primary key's and the signing subkey's) as one TC206 finding, and a
// signature of another subject made with the same keys as evidence of
// that finding, not a finding of its own: one stale keyring copy is one
// thing to fix.
func (c *checker) keyringOutdated(subject string, expired []sig.Warning, keyring, source string) {
	if len(expired) == 0 {
		return
	}
	keys := make([]string, len(expired))
	for i, w := range expired {
		keys[i] = w.Key
	}
	id := strings.Join(keys, " ")
	ev := fmt.Sprintf("the %s's signature, made %s", subject, expired[0].SignedAt.UTC().Format("2006-01-02"))
	if source != "" {
		ev += " [" + source + "]"
	}
	if i, ok := c.outdated[id]; ok {
		c.findings[i].Evidence = append(c.findings[i].Evidence, ev)
		return
	}
	msg := expired[0].Message(keyring)
	if len(expired) > 1 {
		var also []string
		for _, w := range expired[1:] {
			what := "key"
			if w.Subkey {
				what = "signing subkey"
			}
			also = append(also, fmt.Sprintf("its %s %s expired on %s too", what, w.Key, w.ExpiredAt.UTC().Format("2006-01-02")))
		}
		msg += " (" + strings.Join(also, "; ") + ")"
	}
	if c.outdated == nil {
		c.outdated = map[string]int{}
	}
	c.outdated[id] = len(c.findings)
	c.findings = append(c.findings, report.Finding{Rule: report.RuleKeyringOutdated, Severity: report.SevMedium, Message: msg, Evidence: []string{ev}})
}

// validSignature reports whether a signature (not a checksum) over
// subject, or over any subject when subject is "", verified so far.
func (c *checker) validSignature(subject string) bool {
	for _, s := range c.sigs {
		if (subject == "" || s.Subject == subject) && s.Status == string(sig.StatusValid) && s.Kind != string(sig.KindChecksum) {
			return true
		}
	}
	return false
}

// evidence is the source of a signature as a finding's evidence.
func evidence(source string) []string {
	if source == "" {
		return nil
	}
	return []string{source}
}

// tarball checks the detached signatures and the bundles over the tarball.
func (c *checker) tarball() error {
	m := c.m
	if len(m.Signatures) == 0 {
		c.sigs = append(c.sigs, report.Signature{Subject: sig.SubjectTarball, Kind: string(sig.KindOpenPGP),
			Status: string(sig.StatusMissing), Detail: "no detached signature given or published next to the tarball"})
	}
	results, err := m.VerifyDetached(c.s.Open, m.Signatures, c.s.CheckingTime)
	if err != nil {
		return err
	}
	for i, res := range results {
		c.add(res, m.Signatures[i].Name)
	}
	if len(m.Bundles) == 0 {
		return nil
	}
	sum, err := c.s.SHA256()
	if err != nil {
		return err
	}
	for _, f := range m.Bundles {
		// Without a trusted root or an identity policy the bundle is
		// unverifiable, but still read for the identity it claims.
		res := sig.VerifyBundle(f.Data, m.TrustedRoot, sum, m.Identity)
		res.Subject = sig.SubjectTarball
		c.add(res, f.Name)
	}
	return nil
}

// VerifyDetached checks each detached OpenPGP signature of sigs over the
// bytes open returns (a tarball) with m's keyring, as Check checks the
// tarball's own: one result per signature, in order, each with subject
// tarball; without a keyring every result is unverifiable. open is called
// once per signature; its error is returned.
func (m *Material) VerifyDetached(open func() (io.ReadCloser, error), sigs []File, now time.Time) ([]sig.Result, error) {
	out := make([]sig.Result, 0, len(sigs))
	for _, f := range sigs {
		if len(m.Keyring) == 0 {
			out = append(out, sig.Result{Subject: sig.SubjectTarball, Kind: sig.KindOpenPGP, Status: sig.StatusUnverifiable,
				Detail: "no keyring given (--keyring)"})
			continue
		}
		r, err := open()
		if err != nil {
			return nil, err
		}
		res := sig.VerifyDetached(r, f.Data, m.Keyring, now)
		r.Close()
		res.Subject = sig.SubjectTarball
		out = append(out, res)
	}
	return out, nil
}

// TarballSignatures reads the detached signatures over another tarball
// (a previous release's): signature when given, else the .asc, .sig or
// .sign files published next to tarball. None found is not an error: the
// result is empty.
func TarballSignatures(ctx context.Context, rd Reader, tarball, signature string) ([]File, error) {
	if signature != "" {
		b, err := rd.Read(ctx, signature)
		if err != nil {
			return nil, err
		}
		return []File{{signature, b}}, nil
	}
	side, err := rd.Sidecars(ctx, tarball)
	if err != nil || side == nil {
		return nil, ctx.Err()
	}
	return load(side.Signatures), nil
}

// checksums checks the checksum lists and their own signatures.
func (c *checker) checksums() error {
	m := c.m
	if len(m.Checksums) == 0 {
		return nil
	}
	sum, err := c.s.SHA256()
	if err != nil {
		return err
	}
	for _, f := range m.Checksums {
		c.add(sig.VerifyChecksums(f.Data, c.s.Name, fmt.Sprintf("%x", sum)), f.Name)
		// The list's own signature: inline (clearsigned) or detached beside it.
		if cres, ok := sig.VerifyClearsigned(f.Data, m.Keyring, c.s.CheckingTime); ok {
			c.add(cres, f.Name)
			continue
		}
		d, ok := m.ChecksumSigs[f.Name]
		if !ok {
			continue
		}
		var res sig.Result
		if len(m.Keyring) == 0 {
			res = sig.Result{Kind: sig.KindOpenPGP, Status: sig.StatusUnverifiable, Detail: "no keyring given (--keyring)"}
		} else {
			res = sig.VerifyDetached(bytes.NewReader(f.Data), d.Data, m.Keyring, c.s.CheckingTime)
		}
		res.Subject = sig.SubjectChecksum
		c.add(res, d.Name)
	}
	return nil
}

// tag checks the tag's own signature.
func (c *checker) tag() {
	m, s := c.m, c.s
	if s.Tag == nil {
		c.sigs = append(c.sigs, report.Signature{Subject: sig.SubjectTag, Kind: string(sig.KindOpenPGP),
			Status: string(sig.StatusMissing), Detail: "lightweight tag: no tag object, no signature"})
		return
	}
	t, err := sig.ParseTag(s.Tag)
	if err != nil {
		c.add(sig.Result{Subject: sig.SubjectTag, Kind: sig.KindOpenPGP, Status: sig.StatusInvalid,
			Detail: "tag object: " + err.Error()}, "")
		return
	}
	res := sig.VerifyTag(t, sig.TagPolicy{Name: s.TagName, Object: s.TagCommit, Keyring: m.TagKeyring,
		AllowedSigners: m.AllowedSigners, TrustedRoot: m.TrustedRoot, Identity: m.TagIdentity}, s.CheckingTime)
	res.Subject = sig.SubjectTag
	if res.Status == sig.StatusInvalid && t.Name != s.TagName {
		c.findings = append(c.findings, report.Finding{Rule: report.RuleTagNameMismatch, Severity: report.SevCritical,
			Message: fmt.Sprintf("tag object names %q but was fetched as %q (renamed or re-pointed tag)", t.Name, s.TagName)})
	}
	c.add(res, "")
}

// required adds a finding when a valid signature was required and none is.
func (c *checker) required() {
	if !c.m.RequireSignature || c.validSignature("") {
		return
	}
	c.findings = append(c.findings, report.Finding{Rule: report.RuleSignatureMissing, Severity: report.SevHigh,
		Message: "--require-signature: no valid signature over the tarball or the tag"})
}
