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
	"sync"
	"time"

	"github.com/tarcheck/tarcheck/internal/limits"
	"github.com/tarcheck/tarcheck/verify/fetch"
	"github.com/tarcheck/tarcheck/verify/report"
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
	subject := trust.Subject{
		Name:   path.Base(strings.ReplaceAll(o.Sources.Tarball, "\\", "/")),
		Open:   func() (io.ReadCloser, error) { return os.Open(p.tarPath) },
		SHA256: p.tarSum.get, Tag: p.tag.Raw, TagName: p.tag.Name, TagCommit: p.tag.Commit,
		CheckingTime: time.Now()}
	if p.serial {
		sigs, findings, err := trust.Check(m, subject)
		return p.addSignatures(sigs, findings, err)
	}
	// The check (keys' self-signatures, each signature, the tarball hashed
	// for its signature) runs while the tree is listed and the archive
	// streams; the comparison takes its outcome (joinSignatures), before
	// its own.
	c := &sigCheck{done: make(chan struct{})}
	go func() {
		defer close(c.done)
		c.sigs, c.findings, c.err = trust.Check(m, subject)
	}()
	p.sigCheck = c
	return nil
}

// sigCheck is step 3's check of the signatures, running in the background.
type sigCheck struct {
	done     chan struct{}
	sigs     []report.Signature
	findings []report.Finding
	err      error
}

// addSignatures puts the check's outcome into the report, or returns its
// error.
func (p *pipeline) addSignatures(sigs []report.Signature, findings []report.Finding, err error) error {
	if err != nil {
		return WithKind(KindOf(err), err)
	}
	p.report.Signatures = append(p.report.Signatures, sigs...)
	p.report.Findings = append(p.report.Findings, findings...)
	return nil
}

// joinSignatures waits for the signature check started in step 3 and puts
// its outcome into the report, with the note that depends on it
// (allowedSignersNote); it does nothing when there is none (the serial
// pipeline checked them in step 3, or it was joined already).
func (p *pipeline) joinSignatures() error {
	c := p.sigCheck
	if c == nil {
		return nil
	}
	<-c.done
	p.sigCheck = nil
	if err := p.addSignatures(c.sigs, c.findings, c.err); err != nil {
		return err
	}
	p.allowedSignersNote()
	return nil
}

// tarballSum is the tarball's sha256, computed once for whoever needs it
// first (the signature check or the comparison) and waited for by the
// other; known is the one the download already gave.
type tarballSum struct {
	path, known string
	once        sync.Once
	sum         []byte
	err         error
}

func (t *tarballSum) get() ([]byte, error) {
	t.once.Do(func() {
		if t.known != "" {
			t.sum, t.err = hex.DecodeString(t.known)
			return
		}
		f, err := os.Open(t.path)
		if err != nil {
			t.err = Errorf(KindInput, "hashing tarball: %v", err)
			return
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			t.err = Errorf(KindInput, "hashing tarball: %v", err)
			return
		}
		t.sum = h.Sum(nil)
	})
	return t.sum, t.err
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
