package fetch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"path/filepath"
	"strings"
	"sync"
)

// sidecarKind says which list of Sidecars a candidate belongs to.
type sidecarKind int

const (
	kindSignature sidecarKind = iota
	kindBundle
	kindChecksum
)

// candidate is a sidecar name: a suffix appended to the tarball's name, or
// (dirLevel) a fixed file name in the tarball's directory.
type candidate struct {
	name     string
	dirLevel bool
	kind     sidecarKind
}

// candidates lists the sidecars looked for, in the order they are reported.
var candidates = []candidate{
	{".asc", false, kindSignature},
	{".sig", false, kindSignature},
	{".sign", false, kindSignature},
	{".sigstore.json", false, kindBundle},
	{".sigstore", false, kindBundle},
	{".sha256", false, kindChecksum},
	{".sha256sum", false, kindChecksum},
	{"SHA256SUMS", true, kindChecksum},
	{"sha256sums.txt", true, kindChecksum},
}

// maxDiscoverParallel bounds concurrent sidecar requests.
const maxDiscoverParallel = 4

// Sidecars are the files published next to a release tarball. Finding a file
// says nothing about its validity: the signature and checksum code must
// verify each one.
type Sidecars struct {
	// Signatures are detached signatures (.asc, .sig, .sign).
	Signatures []*File
	// Bundles are Sigstore bundles (.sigstore.json, .sigstore).
	Bundles []*File
	// Checksums are checksum lists (.sha256, .sha256sum, SHA256SUMS,
	// sha256sums.txt).
	Checksums []*File
	// NotPublished lists the URLs (or paths) looked for and not found.
	NotPublished []string
	// NotChecked lists URLs that could not be looked for because the
	// Fetcher is offline and the cache has no answer for them.
	NotChecked []string
}

func (s *Sidecars) add(k sidecarKind, f *File) {
	switch k {
	case kindSignature:
		s.Signatures = append(s.Signatures, f)
	case kindBundle:
		s.Bundles = append(s.Bundles, f)
	case kindChecksum:
		s.Checksums = append(s.Checksums, f)
	}
}

// sidecarURLs returns the candidate URLs for a tarball URL, in candidates
// order. The query string is kept; the fragment is dropped.
func sidecarURLs(tarballURL string) ([]string, error) {
	p, err := parseURL(tarballURL)
	if err != nil {
		return nil, err
	}
	u := *p.u
	if u.Path == "" || strings.HasSuffix(u.Path, "/") {
		return nil, fmt.Errorf("%w: %q does not name a file", ErrBadURL, u.Redacted())
	}
	out := make([]string, len(candidates))
	for i, c := range candidates {
		v := u
		v.RawPath = ""
		if c.dirLevel {
			v.Path = path.Join(path.Dir(u.Path), c.name)
		} else {
			v.Path = u.Path + c.name
		}
		out[i] = v.String()
	}
	return out, nil
}

// Discover looks for the sidecars of a tarball URL: the tarball's URL plus
// .asc, .sig, .sign, .sigstore.json, .sigstore, .sha256 and .sha256sum, and
// SHA256SUMS and sha256sums.txt in the same directory. A 404 or 410 is "not
// published"; any other failure is returned, joined, alongside the
// Sidecars found so far (which is never nil unless the URL is invalid).
// Each sidecar is capped at MaxSidecarSize.
func (f *Fetcher) Discover(ctx context.Context, tarballURL string) (*Sidecars, error) {
	urls, err := sidecarURLs(tarballURL)
	if err != nil {
		return nil, err
	}
	type result struct {
		file *File
		err  error
	}
	results := make([]result, len(urls))
	sem := make(chan struct{}, maxDiscoverParallel)
	var wg sync.WaitGroup
	for i, u := range urls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				results[i].err = ctx.Err()
				return
			}
			defer func() { <-sem }()
			file, err := f.get(ctx, u, request{maxSize: MaxSidecarSize, optional: true})
			results[i] = result{file, err}
		}()
	}
	wg.Wait()

	s := &Sidecars{}
	var errs []error
	for i, r := range results {
		switch {
		case r.err == nil && r.file == nil:
			s.NotPublished = append(s.NotPublished, redactString(urls[i]))
		case r.err == nil:
			s.add(candidates[i].kind, r.file)
		case errors.Is(r.err, ErrOffline):
			s.NotChecked = append(s.NotChecked, redactString(urls[i]))
		default:
			errs = append(errs, fmt.Errorf("sidecar %s: %w", redactString(urls[i]), r.err))
		}
	}
	if ctx.Err() != nil {
		return s, fmt.Errorf("discovering sidecars: %w", ctx.Err())
	}
	return s, errors.Join(errs...)
}

// DiscoverLocal looks for the same sidecar names as Discover next to a local
// tarball. Missing names are listed in NotPublished; unreadable or oversized
// files are returned, joined, as the error alongside the Sidecars found.
// Symbolic links are followed; directories and other non-regular files are
// errors.
func DiscoverLocal(tarballPath string) (*Sidecars, error) {
	dir, base := filepath.Split(tarballPath)
	if base == "" {
		return nil, fmt.Errorf("%q does not name a file", tarballPath)
	}
	s := &Sidecars{}
	var errs []error
	for _, c := range candidates {
		p := tarballPath + c.name
		if c.dirLevel {
			p = filepath.Join(dir, c.name)
		}
		file, err := hashLocalFile(p, MaxSidecarSize)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			s.NotPublished = append(s.NotPublished, p)
		case err != nil:
			errs = append(errs, fmt.Errorf("sidecar %s: %w", p, err))
		default:
			s.add(c.kind, file)
		}
	}
	return s, errors.Join(errs...)
}

func redactString(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	return u.Redacted()
}
