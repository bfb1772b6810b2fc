package verify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"

	"github.com/tarcheck/tarcheck/verify/fetch"
	"github.com/tarcheck/tarcheck/verify/sig"
)

// Rule ids for signature findings.
const (
	RuleBadSignature     = "TC201"
	RuleMissingSignature = "TC202"
	RuleChecksumMismatch = "TC203"
	RuleTagMismatch      = "TC204"
)

// MaxSignatureFile caps the size of a signature, bundle, keyring or checksum file read.
const MaxSignatureFile = 16 << 20

// readMaterial reads a local file or downloads a URL, capped.
func (p *pipeline) readMaterial(ctx context.Context, src string) ([]byte, error) {
	file := src
	if fetch.IsURL(src) {
		f, err := p.get(ctx, src)
		if err != nil {
			return nil, err
		}
		file = f.Path
	}
	fi, err := os.Stat(file)
	if err != nil {
		return nil, Errorf(KindInput, "%v", err)
	}
	if fi.Size() > MaxSignatureFile {
		return nil, Errorf(KindInput, "%s is larger than %d bytes", src, MaxSignatureFile)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, Errorf(KindInput, "%v", err)
	}
	return b, nil
}

func (p *pipeline) keyring(ctx context.Context, files []string) (openpgp.EntityList, error) {
	if len(files) == 0 {
		return nil, nil
	}
	var data [][]byte
	for _, f := range files {
		b, err := p.readMaterial(ctx, f)
		if err != nil {
			return nil, err
		}
		data = append(data, b)
	}
	kr, err := sig.ReadKeyring(data...)
	if err != nil {
		return nil, Errorf(KindInput, "keyring: %v", err)
	}
	return kr, nil
}

// verifySignatures checks every signature given or published next to the
// tarball, and the tag's own signature.
func (p *pipeline) verifySignatures(ctx context.Context) error {
	o := &p.o
	r := p.report
	now := time.Now()
	kr, err := p.keyring(ctx, o.Trust.Keyrings)
	if err != nil {
		return err
	}
	tagKR := kr
	if len(o.Trust.TagKeyrings) > 0 {
		if tagKR, err = p.keyring(ctx, o.Trust.TagKeyrings); err != nil {
			return err
		}
	}
	var allowed []byte
	if o.Trust.AllowedSigners != "" {
		if allowed, err = p.readMaterial(ctx, o.Trust.AllowedSigners); err != nil {
			return err
		}
	}
	var trustedRoot []byte
	if o.Trust.TrustedRoot != "" {
		if trustedRoot, err = p.readMaterial(ctx, o.Trust.TrustedRoot); err != nil {
			return err
		}
	}
	id, tagID := o.Trust.Identity.sig(), o.Trust.Identity.sig()
	if o.Trust.TagIdentity.set() {
		tagID = o.Trust.TagIdentity.sig()
	}

	// Sidecars: given explicitly, or discovered next to the tarball.
	type material struct {
		name string
		data []byte
	}
	var sigs, bundles, sums []material
	if o.Trust.Signature != "" {
		b, err := p.readMaterial(ctx, o.Trust.Signature)
		if err != nil {
			return err
		}
		sigs = append(sigs, material{o.Trust.Signature, b})
	}
	if o.Trust.Bundle != "" {
		b, err := p.readMaterial(ctx, o.Trust.Bundle)
		if err != nil {
			return err
		}
		bundles = append(bundles, material{o.Trust.Bundle, b})
	}
	var side *fetch.Sidecars
	if fetch.IsURL(o.Sources.Tarball) {
		f, err := p.getFetcher()
		if err != nil {
			return err
		}
		side, err = f.Discover(ctx, o.Sources.Tarball)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			o.logf("sidecar discovery: %v", err)
		}
	} else {
		side, err = fetch.DiscoverLocal(o.Sources.Tarball)
		if err != nil {
			o.logf("sidecar discovery: %v", err)
		}
	}
	if side != nil {
		load := func(files []*fetch.File) []material {
			var out []material
			for _, f := range files {
				b, err := os.ReadFile(f.Path)
				if err != nil || len(b) > MaxSignatureFile {
					continue
				}
				name := f.URL
				if name == "" {
					name = f.Path
				}
				out = append(out, material{name, b})
			}
			return out
		}
		if o.Trust.Signature == "" {
			sigs = append(sigs, load(side.Signatures)...)
		}
		if o.Trust.Bundle == "" {
			bundles = append(bundles, load(side.Bundles)...)
		}
		sums = append(sums, load(side.Checksums)...)
	}

	addResult := func(res sig.Result, source string) {
		s := Signature{Subject: res.Subject, Kind: string(res.Kind), Status: string(res.Status), Signer: res.Signer,
			Detail: res.Detail, Source: source}
		if res.Primary != "" && res.Primary != res.Signer {
			if s.Detail != "" {
				s.Detail += "; "
			}
			s.Detail += "primary key " + res.Primary
		}
		r.Signatures = append(r.Signatures, s)
		if res.Status == sig.StatusInvalid {
			rule := RuleBadSignature
			if res.Kind == sig.KindChecksum {
				rule = RuleChecksumMismatch
			}
			msg := fmt.Sprintf("invalid %s signature over the %s", res.Kind, res.Subject)
			if res.Kind == sig.KindChecksum {
				msg = "the tarball's sha256 does not match the published checksum"
			}
			if res.Detail != "" {
				msg += ": " + res.Detail
			}
			r.Findings = append(r.Findings, Finding{Rule: rule, Severity: SevCritical, Message: msg, Evidence: []string{source}})
		}
	}

	// Tarball: OpenPGP detached signatures.
	if len(sigs) == 0 {
		r.Signatures = append(r.Signatures, Signature{Subject: sig.SubjectTarball, Kind: string(sig.KindOpenPGP),
			Status: string(sig.StatusMissing), Detail: "no detached signature given or published next to the tarball"})
	}
	for _, m := range sigs {
		if len(kr) == 0 {
			addResult(sig.Result{Subject: sig.SubjectTarball, Kind: sig.KindOpenPGP, Status: sig.StatusUnverifiable,
				Detail: "no keyring given (--keyring)"}, m.name)
			continue
		}
		f, err := os.Open(p.tarPath)
		if err != nil {
			return Errorf(KindInput, "%v", err)
		}
		res := sig.VerifyDetached(f, m.data, kr, now)
		f.Close()
		res.Subject = sig.SubjectTarball
		addResult(res, m.name)
	}
	// Tarball: Sigstore bundles.
	if len(bundles) > 0 {
		sum, err := p.tarballSHA256()
		if err != nil {
			return err
		}
		for _, m := range bundles {
			// Without a trusted root or an identity policy the bundle is
			// unverifiable, but still read for the identity it claims.
			res := sig.VerifyBundle(m.data, trustedRoot, sum, id)
			res.Subject = sig.SubjectTarball
			addResult(res, m.name)
		}
	}
	// Checksum lists.
	if len(sums) > 0 {
		sum, err := p.tarballSHA256()
		if err != nil {
			return err
		}
		name := path.Base(strings.ReplaceAll(o.Sources.Tarball, "\\", "/"))
		for _, m := range sums {
			res := sig.VerifyChecksums(m.data, name, hex.EncodeToString(sum))
			addResult(res, m.name)
			// The list's own signature: inline (clearsigned) or detached beside it.
			if cres, ok := sig.VerifyClearsigned(m.data, kr, now); ok {
				addResult(cres, m.name)
				continue
			}
			for _, ext := range []string{".asc", ".sig", ".sign"} {
				data, err := p.optionalMaterial(ctx, m.name+ext)
				if err != nil {
					return err
				}
				if data == nil {
					continue
				}
				var dres sig.Result
				if len(kr) == 0 {
					dres = sig.Result{Kind: sig.KindOpenPGP, Status: sig.StatusUnverifiable, Detail: "no keyring given (--keyring)"}
				} else {
					dres = sig.VerifyDetached(bytes.NewReader(m.data), data, kr, now)
				}
				dres.Subject = sig.SubjectChecksum
				addResult(dres, m.name+ext)
				break
			}
		}
	}
	// The tag.
	if p.tag.Raw == nil {
		r.Signatures = append(r.Signatures, Signature{Subject: sig.SubjectTag, Kind: string(sig.KindOpenPGP),
			Status: string(sig.StatusMissing), Detail: "lightweight tag: no tag object, no signature"})
	} else {
		t, err := sig.ParseTag(p.tag.Raw)
		if err != nil {
			addResult(sig.Result{Subject: sig.SubjectTag, Kind: sig.KindOpenPGP, Status: sig.StatusInvalid,
				Detail: "tag object: " + err.Error()}, "")
		} else {
			res := sig.VerifyTag(t, sig.TagPolicy{Name: p.tag.Name, Object: p.tag.Commit, Keyring: tagKR,
				AllowedSigners: allowed, TrustedRoot: trustedRoot, Identity: tagID}, now)
			res.Subject = sig.SubjectTag
			if res.Status == sig.StatusInvalid && t.Name != p.tag.Name {
				r.Findings = append(r.Findings, Finding{Rule: RuleTagMismatch, Severity: SevCritical,
					Message: fmt.Sprintf("tag object names %q but was fetched as %q (renamed or re-pointed tag)", t.Name, p.tag.Name)})
			}
			addResult(res, "")
		}
	}

	if o.Trust.RequireSignature {
		ok := false
		for _, s := range r.Signatures {
			if s.Status == string(sig.StatusValid) && s.Kind != string(sig.KindChecksum) {
				ok = true
			}
		}
		if !ok {
			r.Findings = append(r.Findings, Finding{Rule: RuleMissingSignature, Severity: SevHigh,
				Message: "--require-signature: no valid signature over the tarball or the tag"})
		}
	}
	return nil
}

// optionalMaterial reads a local file or downloads a URL that may not
// exist: nil, nil when it is not there (a 404, a missing file).
func (p *pipeline) optionalMaterial(ctx context.Context, src string) ([]byte, error) {
	if fetch.IsURL(src) {
		f, err := p.getFetcher()
		if err != nil {
			return nil, err
		}
		end := p.beginDownload(src)
		file, err := f.GetOptional(ctx, src)
		end()
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			p.o.logf("%s: %v", src, err)
			return nil, nil
		}
		if file == nil {
			return nil, nil
		}
		src = file.Path
	}
	fi, err := os.Stat(src)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > MaxSignatureFile {
		return nil, nil
	}
	return os.ReadFile(src)
}

// tarballSHA256 returns the tarball's sha256, computing it if not known yet.
func (p *pipeline) tarballSHA256() ([]byte, error) {
	if p.report.Tarball.SHA256 != "" {
		return hex.DecodeString(p.report.Tarball.SHA256)
	}
	sum, err := fileSHA256(p.tarPath)
	if err != nil {
		return nil, Errorf(KindInput, "hashing tarball: %v", err)
	}
	p.report.Tarball.SHA256 = hex.EncodeToString(sum)
	return sum, nil
}

func fileSHA256(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}
