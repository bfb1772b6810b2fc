// Package batch verifies many releases listed in a manifest: it parses the
// manifest (YAML or JSON, untrusted: it may come from a merge request),
// selects a shard, and runs a verification per release on a pool of
// workers, handing the results back in manifest order. What a verification
// is and how its result is rendered are the caller's (Options.Verify,
// Options.Render); batch does no output of its own.
package batch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/tarcheck/tarcheck/internal/limits"
	"github.com/tarcheck/tarcheck/verify"
)

// Limits on a batch manifest, which may come from a merge request and is
// therefore untrusted.
const (
	// maxManifestSize caps the manifest file.
	maxManifestSize = limits.BatchMaxManifestSize
	// maxReleases caps the number of releases in one manifest.
	maxReleases = limits.BatchMaxReleases
	// maxReleaseName caps a release name, in bytes.
	maxReleaseName = limits.BatchMaxReleaseName

	// maxShards caps N in --shard K/N.
	maxShards = limits.BatchMaxShards
)

// manifest is a batch manifest: `releases: [...]`, in YAML or JSON.
type manifest struct {
	Releases []Release `yaml:"releases" json:"releases"`
}

// Release is one release of a batch manifest (issue 7 fixes the
// names; new keys may be added, none renamed). Relative paths are relative to
// the manifest's directory.
type Release struct {
	Name                  string     `yaml:"name" json:"name"`
	Tarball               string     `yaml:"tarball" json:"tarball"`
	Git                   string     `yaml:"git" json:"git"`
	Tag                   string     `yaml:"tag" json:"tag"`
	Keyring               StringList `yaml:"keyring" json:"keyring"`
	TagKeyring            StringList `yaml:"tag-keyring" json:"tag-keyring"`
	Signature             string     `yaml:"signature" json:"signature"`
	AllowedSigners        string     `yaml:"allowed-signers" json:"allowed-signers"`
	Bundle                string     `yaml:"bundle" json:"bundle"`
	TrustedRoot           string     `yaml:"trusted-root" json:"trusted-root"`
	CertificateIdentity   string     `yaml:"certificate-identity" json:"certificate-identity"`
	CertificateOIDCIssuer string     `yaml:"certificate-oidc-issuer" json:"certificate-oidc-issuer"`
	TagIdentity           string     `yaml:"tag-certificate-identity" json:"tag-certificate-identity"`
	TagOIDCIssuer         string     `yaml:"tag-certificate-oidc-issuer" json:"tag-certificate-oidc-issuer"`
	RequireSignature      bool       `yaml:"require-signature" json:"require-signature"`
	Policy                string     `yaml:"policy" json:"policy"`
	// Debian is a Debian packaging directory (holding debian/): the
	// orig tarball, upstream key, repository, tag and policy are found
	// there as `tarcheck debian DIR` finds them; tarball, git, tag,
	// keyring, signature and policy, when set, are used instead.
	Debian string `yaml:"debian" json:"debian"`
	// Unsigned says upstream does not sign releases (debian entries: no
	// debian/upstream/signing-key.asc is needed).
	Unsigned bool `yaml:"unsigned" json:"unsigned"`
}

// StringList is a YAML/JSON value that is either one string or a list of strings.
type StringList []string

// UnmarshalYAML accepts a string or a sequence of strings.
func (s *StringList) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			*s = nil
			return nil
		}
		var one string
		if err := n.Decode(&one); err != nil {
			return err
		}
		*s = StringList{one}
		return nil
	case yaml.SequenceNode:
		var many []string
		if err := n.Decode(&many); err != nil {
			return err
		}
		*s = many
		return nil
	}
	return fmt.Errorf("line %d: want a string or a list of strings", n.Line)
}

// UnmarshalJSON accepts a string or an array of strings.
func (s *StringList) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		*s = nil
		return nil
	}
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = StringList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("want a string or a list of strings")
	}
	*s = many
	return nil
}

// ParseManifest decodes a manifest (JSON when it starts with '{', else
// YAML), rejects unknown keys, fills in default names, checks that names are
// unique and resolves relative paths against baseDir.
func ParseManifest(name string, data []byte, baseDir string) ([]Release, error) {
	bad := func(format string, args ...any) error {
		return verify.Errorf(verify.KindUsage, "manifest %s: %s", name, fmt.Sprintf(format, args...))
	}
	if len(data) > maxManifestSize {
		return nil, bad("larger than %d bytes", maxManifestSize)
	}
	var m manifest
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&m); err != nil {
			return nil, bad("%s", oneLineErr(err))
		}
		if dec.More() {
			return nil, bad("trailing data after the JSON object")
		}
	} else {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return nil, bad("empty: want `releases:` with a list of releases")
			}
			return nil, bad("%s", oneLineErr(err))
		}
		var extra yaml.Node
		if err := dec.Decode(&extra); err == nil {
			return nil, bad("more than one YAML document")
		}
	}
	if len(m.Releases) == 0 {
		return nil, bad("no releases: want `releases:` with a list of releases")
	}
	if len(m.Releases) > maxReleases {
		return nil, bad("%d releases, more than the limit of %d", len(m.Releases), maxReleases)
	}
	seen := make(map[string]int, len(m.Releases))
	for i := range m.Releases {
		r := &m.Releases[i]
		debianDir := strings.TrimSpace(r.Debian) != ""
		if r.Debian != "" && !debianDir {
			return nil, bad("releases[%d]: debian is empty: give the packaging directory", i)
		}
		if strings.TrimSpace(r.Tarball) == "" && !debianDir {
			return nil, bad("releases[%d]: tarball is required (or debian: DIR, a packaging directory)", i)
		}
		if strings.TrimSpace(r.Git) == "" && !debianDir {
			return nil, bad("releases[%d]: git is required (or debian: DIR, a packaging directory)", i)
		}
		if r.Unsigned && !debianDir {
			return nil, bad("releases[%d]: unsigned applies only to debian entries", i)
		}
		switch {
		case r.Name != "":
		case r.Tarball != "":
			r.Name = verify.ReleaseName(r.Tarball)
		default:
			r.Name = filepath.Base(filepath.Clean(r.Debian))
		}
		if err := checkReleaseName(r.Name); err != nil {
			return nil, bad("releases[%d]: name: %v", i, err)
		}
		if j, dup := seen[r.Name]; dup {
			return nil, bad("releases[%d] and releases[%d] are both named %q: names must be unique", j, i, r.Name)
		}
		seen[r.Name] = i
		for _, k := range append(append([]string{}, r.Keyring...), r.TagKeyring...) {
			if strings.TrimSpace(k) == "" {
				return nil, bad("releases[%d] (%s): an empty keyring file name", i, r.Name)
			}
		}
		r.Tarball = resolveMaterial(baseDir, r.Tarball)
		if r.Git != "" {
			r.Git = resolveRepo(baseDir, r.Git)
		}
		r.Debian = resolvePath(baseDir, r.Debian)
		for k := range r.Keyring {
			r.Keyring[k] = resolveMaterial(baseDir, r.Keyring[k])
		}
		for k := range r.TagKeyring {
			r.TagKeyring[k] = resolveMaterial(baseDir, r.TagKeyring[k])
		}
		r.Signature = resolveMaterial(baseDir, r.Signature)
		r.AllowedSigners = resolveMaterial(baseDir, r.AllowedSigners)
		r.Bundle = resolveMaterial(baseDir, r.Bundle)
		r.TrustedRoot = resolveMaterial(baseDir, r.TrustedRoot)
		r.Policy = resolvePath(baseDir, r.Policy)
	}
	return m.Releases, nil
}

func oneLineErr(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// checkReleaseName accepts printable, single-line names of bounded length.
func checkReleaseName(name string) error {
	if strings.TrimSpace(name) == "" {
		return errors.New("empty")
	}
	if len(name) > maxReleaseName {
		return fmt.Errorf("longer than %d bytes", maxReleaseName)
	}
	if !utf8.ValidString(name) {
		return errors.New("not valid UTF-8")
	}
	for _, r := range name {
		if !unicode.IsPrint(r) {
			return fmt.Errorf("contains the non-printable character %U", r)
		}
	}
	return nil
}

// resolvePath makes a relative local path relative to base.
func resolvePath(base, p string) string {
	if p == "" || p == "-" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(base, p)
}

// resolveMaterial is resolvePath for inputs that may also be URLs.
func resolveMaterial(base, p string) string {
	if verify.IsURL(p) {
		return p
	}
	return resolvePath(base, p)
}

// resolveRepo is resolvePath for git sources, which may be URLs or
// scp-like user@host:path addresses.
func resolveRepo(base, p string) string {
	if strings.Contains(p, "://") {
		return p
	}
	local := resolvePath(base, p)
	if _, err := os.Stat(local); err == nil {
		return local
	}
	if verify.IsRemoteRepo(p) {
		return p
	}
	return local
}

// Shard is K/N: release i (0-based, manifest order) belongs to
// shard (i mod N)+1, so the N shards partition the manifest and each gets
// every N-th release (balanced even when the manifest is sorted by size).
type Shard struct{ K, N int }

// ParseShard parses "K/N" ("" is 1/1, everything). The error does not name
// the flag: the caller does.
func ParseShard(s string) (Shard, error) {
	if s == "" {
		return Shard{1, 1}, nil
	}
	ks, ns, ok := strings.Cut(s, "/")
	k, err1 := strconv.Atoi(strings.TrimSpace(ks))
	n, err2 := strconv.Atoi(strings.TrimSpace(ns))
	if !ok || err1 != nil || err2 != nil || n < 1 || n > maxShards || k < 1 || k > n {
		return Shard{}, verify.Errorf(verify.KindUsage, "%q: want K/N with 1 <= K <= N <= %d, e.g. 2/8", s, maxShards)
	}
	return Shard{k, n}, nil
}

// Has reports whether release i (0-based, manifest order) is in the shard.
func (s Shard) Has(i int) bool { return i%s.N == s.K-1 }

// Select returns the indices of the shard's releases among n, in order.
func (s Shard) Select(n int) []int {
	var sel []int
	for i := range n {
		if s.Has(i) {
			sel = append(sel, i)
		}
	}
	return sel
}

// ReadManifest reads and parses the manifest file name ("-" reads stdin);
// relative paths in it are relative to its directory.
func ReadManifest(name string, stdin io.Reader) ([]Release, error) {
	var data []byte
	var err error
	base := "."
	if name == "-" {
		data, err = io.ReadAll(io.LimitReader(stdin, maxManifestSize+1))
	} else {
		var f *os.File
		if f, err = os.Open(name); err == nil {
			data, err = io.ReadAll(io.LimitReader(f, maxManifestSize+1))
			f.Close()
		}
		base = filepath.Dir(name)
	}
	if err != nil {
		return nil, verify.Errorf(verify.KindUsage, "reading manifest: %v", err)
	}
	return ParseManifest(name, data, base)
}
