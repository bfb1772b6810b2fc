package toolchain

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"

	"github.com/tarcheck/tarcheck/internal/limits"
	"github.com/tarcheck/tarcheck/verify/sig"
)

// Limits on archive indexes.
const (
	// MaxReleaseSize caps an InRelease file (Debian's are about 200 KB).
	MaxReleaseSize = limits.ToolchainMaxReleaseSize
	// MaxPackagesSize caps a decompressed Packages index (Debian's are about 60 MB).
	MaxPackagesSize int64 = limits.ToolchainMaxPackagesSize
	// maxFieldLine caps one line of a Packages or Release paragraph.
	maxFieldLine = limits.ToolchainMaxFieldLine
)

// Release is the signed part of a suite's InRelease file that tarcheck
// uses.
type Release struct {
	Suite, Codename string
	Date            time.Time // zero when absent or unparsable
	AcquireByHash   bool
	// SHA256 maps an index path ("main/binary-amd64/Packages.xz") to its
	// hash and size.
	SHA256 map[string]IndexFile
}

// IndexFile is one line of a Release file's SHA256 field.
type IndexFile struct {
	SHA256 string
	Size   int64
}

// VerifyInRelease checks the OpenPGP clearsignature of an InRelease file
// against keyring (the Debian archive keyring) and returns the parsed
// release. A signature by a key outside the keyring, a bad signature or an
// unsigned file is an error wrapping ErrBadSignature. Valid-Until is not
// enforced: tarcheck pins exact package versions, whose hashes a stale but
// genuine index still proves.
func VerifyInRelease(data []byte, keyring openpgp.EntityList, now time.Time) (*Release, error) {
	if len(data) > MaxReleaseSize {
		return nil, fmt.Errorf("%w: InRelease is %d bytes (limit %d)", ErrBadIndex, len(data), MaxReleaseSize)
	}
	block, _ := clearsign.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%w: InRelease is not a clearsigned message", ErrBadSignature)
	}
	res, ok := sig.VerifyClearsigned(data, keyring, now)
	if !ok || res.Status != sig.StatusValid {
		return nil, fmt.Errorf("%w: InRelease: %s", ErrBadSignature, res.Detail)
	}
	return ParseRelease(block.Plaintext)
}

// ParseRelease parses the (already verified) text of a Release file.
func ParseRelease(text []byte) (*Release, error) {
	var rel *Release
	err := paragraphs(bytes.NewReader(text), func(p paragraph) error {
		if rel != nil {
			return nil // only the first paragraph counts
		}
		rel = &Release{Suite: p.get("Suite"), Codename: p.get("Codename"), SHA256: map[string]IndexFile{},
			AcquireByHash: strings.EqualFold(p.get("Acquire-By-Hash"), "yes")}
		if d := p.get("Date"); d != "" {
			if t, err := time.Parse(time.RFC1123, strings.Replace(d, "UTC", "GMT", 1)); err == nil {
				rel.Date = t
			}
		}
		for _, line := range strings.Split(p.get("SHA256"), "\n") {
			f := strings.Fields(line)
			if len(f) == 0 {
				continue
			}
			if len(f) != 3 || !isHex64(f[0]) {
				return fmt.Errorf("%w: Release: bad SHA256 line %q", ErrBadIndex, clip(line))
			}
			n, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil || n < 0 {
				return fmt.Errorf("%w: Release: bad size in %q", ErrBadIndex, clip(line))
			}
			rel.SHA256[f[2]] = IndexFile{SHA256: strings.ToLower(f[0]), Size: n}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if rel == nil || len(rel.SHA256) == 0 {
		return nil, fmt.Errorf("%w: Release has no SHA256 list", ErrBadIndex)
	}
	return rel, nil
}

// Package is one Debian binary package, as named in a Packages index.
type Package struct {
	Name     string   `json:"package"`
	Version  string   `json:"version"` // Debian version, epoch included ("1:1.16.5-1.3")
	Arch     string   `json:"architecture"`
	Suites   []string `json:"suites,omitempty"` // suites that list it, preferred first
	Filename string   `json:"filename"`         // pool path below the mirror root
	Size     int64    `json:"size"`
	SHA256   string   `json:"sha256"`
	Source   string   `json:"source,omitempty"`
	// Upstream, when set, makes this entry an upstream release built in
	// the sandbox (Arch ArchUpstream): Filename is the tarball's pool
	// path, Size its size, and SHA256 the build key ([Upstream.BuildKey])
	// that names the built tree in the cache.
	Upstream *Upstream `json:"upstream,omitempty"`
}

// String is "name version (suite)".
func (p Package) String() string {
	if p.Upstream != nil {
		return p.Name + " " + p.Version + " (upstream release " + p.Upstream.File + ", built in the sandbox)"
	}
	if len(p.Suites) == 0 {
		return p.Name + " " + p.Version
	}
	return p.Name + " " + p.Version + " (" + strings.Join(p.Suites, ", ") + ")"
}

// ParsePackages reads a decompressed Packages index and returns the
// records for which keep(name) is true (all when keep is nil). A record
// without Package, Version, Filename, Size or a sha256 is an error, as is a
// filename that is absolute or climbs with "..".
func ParsePackages(r io.Reader, keep func(name string) bool) ([]Package, error) {
	var out []Package
	err := paragraphs(io.LimitReader(r, MaxPackagesSize+1), func(p paragraph) error {
		name := p.get("Package")
		if keep != nil && !keep(name) {
			return nil
		}
		pkg := Package{Name: name, Version: p.get("Version"), Arch: p.get("Architecture"),
			Filename: p.get("Filename"), SHA256: strings.ToLower(p.get("SHA256")), Source: p.get("Source")}
		size, err := strconv.ParseInt(p.get("Size"), 10, 64)
		if pkg.Name == "" || pkg.Version == "" || err != nil || size < 0 || !isHex64(pkg.SHA256) {
			return fmt.Errorf("%w: Packages: incomplete record for %q", ErrBadIndex, clip(name))
		}
		if !safePoolPath(pkg.Filename) {
			return fmt.Errorf("%w: Packages: bad Filename %q for %s", ErrBadIndex, clip(pkg.Filename), clip(name))
		}
		pkg.Size = size
		out = append(out, pkg)
		return nil
	})
	return out, err
}

// safePoolPath accepts a relative slash path without "..", empty or "."
// components, control characters or a query.
func safePoolPath(p string) bool {
	if p == "" || strings.HasPrefix(p, "/") || strings.ContainsAny(p, "?#%\\ ") {
		return false
	}
	for part := range strings.SplitSeq(p, "/") {
		if part == "" || part == "." || part == ".." {
			return false
		}
	}
	for _, c := range []byte(p) {
		if c < 0x21 || c == 0x7f {
			return false
		}
	}
	return true
}

// paragraph is one deb822 stanza: field name (as written) -> value, with
// continuation lines joined by "\n".
type paragraph map[string]string

func (p paragraph) get(k string) string { return strings.TrimSpace(p[k]) }

// paragraphs calls fn for each deb822 paragraph of r. Field names are
// case-sensitive as Debian writes them; a line that is neither a field nor
// a continuation is an error.
func paragraphs(r io.Reader, fn func(paragraph) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxFieldLine)
	p := paragraph{}
	last := ""
	var total int64
	flush := func() error {
		if len(p) == 0 {
			return nil
		}
		err := fn(p)
		p, last = paragraph{}, ""
		return err
	}
	for sc.Scan() {
		line := sc.Text()
		total += int64(len(line)) + 1
		if total > MaxPackagesSize {
			return fmt.Errorf("%w: index larger than %d bytes", ErrBadIndex, MaxPackagesSize)
		}
		switch {
		case strings.TrimSpace(line) == "":
			if err := flush(); err != nil {
				return err
			}
		case line[0] == ' ' || line[0] == '\t':
			if last == "" {
				return fmt.Errorf("%w: continuation line without a field: %q", ErrBadIndex, clip(line))
			}
			p[last] += "\n" + line
		case line[0] == '#':
			// comment
		default:
			k, v, ok := strings.Cut(line, ":")
			if !ok || k == "" || strings.ContainsAny(k, " \t") {
				return fmt.Errorf("%w: not a field: %q", ErrBadIndex, clip(line))
			}
			last = k
			p[k] = v
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("%w: a line longer than %d bytes", ErrBadIndex, maxFieldLine)
		}
		return err
	}
	return flush()
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// clip shortens untrusted text for an error message.
func clip(s string) string {
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}
