package verify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path"
	"strings"
	"time"

	"github.com/tarcheck/tarcheck/internal/limits"
	"github.com/tarcheck/tarcheck/verify/fetch"
	"github.com/tarcheck/tarcheck/verify/sig"
	"github.com/tarcheck/tarcheck/verify/trust"
)

// maxSignatureFile caps the size of a signature, bundle, keyring or checksum file read.
const maxSignatureFile = limits.MaxSignatureFile

// signatures gathers the trust and signature material (I/O) and checks it
// (step 3).
func (p *pipeline) signatures(ctx context.Context) error {
	o, r := &p.o, p.report
	m, err := trust.Gather(ctx, materialReader{p}, trust.Request{Tarball: o.Sources.Tarball,
		Keyrings: o.Trust.Keyrings, TagKeyrings: o.Trust.TagKeyrings, Signature: o.Trust.Signature, Bundle: o.Trust.Bundle,
		AllowedSigners: o.Trust.AllowedSigners, TrustedRoot: o.Trust.TrustedRoot,
		Identity: o.Trust.Identity.sig(), TagIdentity: o.Trust.TagIdentity.sig(),
		RequireSignature: o.Trust.RequireSignature, Logf: o.Output.Logf})
	if err != nil {
		return keyringErr(err)
	}
	if !m.HasTrust() {
		r.Unauthenticated = "no keyring"
	}
	p.material = m
	sigs, findings, err := trust.Check(m, trust.Subject{
		Name:   path.Base(strings.ReplaceAll(o.Sources.Tarball, "\\", "/")),
		Open:   func() (io.ReadCloser, error) { return os.Open(p.tarPath) },
		SHA256: p.tarballSHA256, Tag: p.tag.Raw, TagName: p.tag.Name, TagCommit: p.tag.Commit,
		CheckingTime: time.Now()})
	if err != nil {
		return WithKind(KindOf(err), err)
	}
	r.Signatures = append(r.Signatures, sigs...)
	r.Findings = append(r.Findings, findings...)
	return nil
}

// keyringErr gives an error of gathering the material its kind; a keyring
// file that holds no key (input) gets the hint of what to do instead.
func keyringErr(err error) error {
	ke, ok := errors.AsType[*sig.KeyringError](err)
	if !ok {
		return WithKind(KindOf(err), err)
	}
	switch {
	case ke.IsSignature():
		return Errorf(KindInput, "--keyring %w: pass it as --signature", ke)
	case ke.Problem == sig.KeyringIsSSH:
		return Errorf(KindInput, "--keyring %w: give SSH keys as an allowed-signers file with --allowed-signers", ke)
	case ke.Problem == sig.KeyringIsSecretKey, ke.Problem == sig.KeyringTooLarge:
		return Errorf(KindInput, "--keyring %w", ke)
	}
	return Errorf(KindInput, "--keyring %w: export the public key: gpg --armor --export KEYID > keyring.asc", ke)
}

// materialReader reads signature material for trust.Gather: local files,
// or downloads through the run's fetcher.
type materialReader struct{ p *pipeline }

// Read reads a local file or downloads a URL, capped.
func (m materialReader) Read(ctx context.Context, src string) ([]byte, error) {
	file := src
	if fetch.IsURL(src) {
		f, err := m.p.get(ctx, src)
		if err != nil {
			return nil, err
		}
		file = f.Path
	}
	fi, err := os.Stat(file)
	if err != nil {
		return nil, fileError(KindInput, "trust material (--keyring, --signature, --bundle, ...)", err)
	}
	if fi.Size() > maxSignatureFile {
		return nil, Errorf(KindInput, "%s is larger than %d bytes", src, maxSignatureFile)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, Errorf(KindInput, "%v", err)
	}
	return b, nil
}

// ReadOptional reads a local file or downloads a URL that may not exist:
// nil, nil when it is not there (a 404, a missing file).
func (m materialReader) ReadOptional(ctx context.Context, src string) ([]byte, error) {
	p := m.p
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
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > maxSignatureFile {
		return nil, nil
	}
	return os.ReadFile(src)
}

// Sidecars discovers the material published next to the tarball.
func (m materialReader) Sidecars(ctx context.Context, tarball string) (*fetch.Sidecars, error) {
	if !fetch.IsURL(tarball) {
		return fetch.DiscoverLocal(tarball)
	}
	f, err := m.p.getFetcher()
	if err != nil {
		return nil, err
	}
	return f.Discover(ctx, tarball)
}

// tarballSHA256 returns the tarball's sha256, computing it if not known yet.
func (p *pipeline) tarballSHA256() ([]byte, error) {
	if p.report.Tarball.SHA256 != "" {
		return hex.DecodeString(p.report.Tarball.SHA256)
	}
	f, err := os.Open(p.tarPath)
	if err != nil {
		return nil, Errorf(KindInput, "hashing tarball: %v", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, Errorf(KindInput, "hashing tarball: %v", err)
	}
	sum := h.Sum(nil)
	p.report.Tarball.SHA256 = hex.EncodeToString(sum)
	return sum, nil
}
