// Package debian reads a Debian packaging directory for what a verification
// of its orig tarball needs: the upstream version (debian/changelog), the
// orig tarball and its signature, the upstream signing key, the upstream
// repository (DEP-12 debian/upstream/metadata) and the tag (debian/gbp.conf's
// upstream-vcs-tag, expanded as git-buildpackage does, with DEP-14 escaping;
// else inferred from the repository's tags). Packaging files may come from
// merge requests: they are read capped and parsed strictly.
package debian

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/tarcheck/tarcheck/internal/limits"
	"github.com/tarcheck/tarcheck/verify"
)

// maxDebianFile caps what is read of debian/changelog, debian/gbp.conf and
// debian/upstream/metadata: packaging files come from merge requests too.
const maxDebianFile = limits.DebianMaxFile

// Version is the head of debian/changelog.
type Version struct {
	Source string // source package name
	Full   string // the whole version, epoch and revision included
	// Upstream is the upstream version as in the orig tarball's name
	// (epoch and Debian revision removed, repack suffix kept: 1.2+dfsg).
	Upstream string
	// Release is Upstream without a repack suffix (+dfsg, +ds, +repack,
	// ~dfsg, ...): the version upstream released and tagged.
	Release string
}

var (
	// changelogHead is dpkg's first-line syntax: `source (version) dists; options`.
	changelogHead = regexp.MustCompile(`^(\S+) \(([^() \t]+)\)((?:\s+[-+0-9a-zA-Z./]+)*)\s*;(.*)$`)
	sourceName    = regexp.MustCompile(`^[a-z0-9][a-z0-9+.-]+$`)
	// upstreamVer follows Debian policy 5.6.12: starts with a digit; no colon
	// (epoch removed) and no hyphen would be ambiguous only with a revision.
	upstreamVer = regexp.MustCompile(`^[0-9][A-Za-z0-9.+~-]*$`)
	epochRe     = regexp.MustCompile(`^[0-9]+:`)
	repackRe    = regexp.MustCompile(`[+~.](?:dfsg|ds|repack)[0-9.]*$`)
)

// ParseChangelog reads the first entry's heading of a debian/changelog.
func ParseChangelog(data []byte) (Version, error) {
	var v Version
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	line := ""
	for sc.Scan() {
		l := strings.TrimRight(sc.Text(), " \t\r")
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		line = l
		break
	}
	if line == "" {
		return v, errors.New("no entry")
	}
	m := changelogHead.FindStringSubmatch(line)
	if m == nil {
		return v, fmt.Errorf("first line %q is not `source (version) distribution; urgency=...`", clip(line, 80))
	}
	v.Source, v.Full = m[1], m[2]
	if !sourceName.MatchString(v.Source) {
		return v, fmt.Errorf("%q is not a valid source package name", clip(v.Source, 80))
	}
	up := epochRe.ReplaceAllString(v.Full, "")
	i := strings.LastIndexByte(up, '-')
	if i < 0 {
		return v, fmt.Errorf("version %s has no Debian revision: a native package has no upstream tarball to verify", v.Full)
	}
	up = up[:i]
	if !upstreamVer.MatchString(up) {
		return v, fmt.Errorf("upstream version %q of %s is not a valid Debian upstream version", clip(up, 80), v.Full)
	}
	v.Upstream = up
	v.Release = repackRe.ReplaceAllString(up, "")
	if v.Release == "" {
		v.Release = up
	}
	return v, nil
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// releaseVersions are the spellings an upstream may have used for a Debian
// upstream version: 1.2~rc1 was released as 1.2-rc1, 1.2rc1, 1.2.rc1 or 1.2_rc1.
func releaseVersions(release string) []string {
	out := []string{release}
	if strings.Contains(release, "~") {
		for _, r := range []string{"-", "", ".", "_"} {
			out = append(out, strings.ReplaceAll(release, "~", r))
		}
	}
	return out
}

// ParseUpstreamMetadata reads DEP-12 debian/upstream/metadata and returns
// its Repository (a URL, with anything after white space dropped, as in
// `URL -b branch`) and Name fields.
func ParseUpstreamMetadata(data []byte) (repo, name string, err error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return "", "", fmt.Errorf("not valid YAML: %s", strings.Join(strings.Fields(err.Error()), " "))
	}
	if len(doc.Content) == 0 {
		return "", "", nil
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return "", "", errors.New("not a YAML mapping of fields")
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, val := top.Content[i], top.Content[i+1]
		switch k.Value {
		case "Repository":
			if val.Kind != yaml.ScalarNode {
				return "", "", fmt.Errorf("line %d: Repository is not a single URL", val.Line)
			}
			if f := strings.Fields(val.Value); len(f) > 0 {
				repo = f[0]
			}
		case "Name":
			if val.Kind == yaml.ScalarNode {
				name = strings.TrimSpace(val.Value)
			}
		}
	}
	return repo, name, nil
}

// repoURL accepts the URL forms git fetches over the network, and nothing
// that could be an option or a transport helper (ext::, fd::).
var repoURL = regexp.MustCompile(`^(?:(?:https?|git|ssh|file)://[^\s]+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s:][^\s]*)$`)

// GbpConf is a parsed debian/gbp.conf: section -> key -> value, keys
// lowercased with '_' read as '-', as git-buildpackage reads them.
type GbpConf map[string]map[string]string

// ParseGbpConf parses the INI dialect of Python's configparser that
// git-buildpackage uses: [section], key = value or key: value, # and ;
// comments, indented continuation lines.
func ParseGbpConf(data []byte) (GbpConf, error) {
	conf := GbpConf{}
	sec := "DEFAULT"
	var lastKey string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	n := 0
	for sc.Scan() {
		n++
		raw := sc.Text()
		line := strings.TrimSpace(raw)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if raw[0] == ' ' || raw[0] == '\t' {
			if lastKey == "" {
				return nil, fmt.Errorf("line %d: continuation line without a key", n)
			}
			conf[sec][lastKey] += "\n" + line
			continue
		}
		if line[0] == '[' {
			end := strings.IndexByte(line, ']')
			if end < 0 {
				return nil, fmt.Errorf("line %d: unterminated section header", n)
			}
			sec = strings.TrimSpace(line[1:end])
			lastKey = ""
			continue
		}
		i := strings.IndexAny(line, "=:")
		if i <= 0 {
			return nil, fmt.Errorf("line %d: want key = value", n)
		}
		key := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(line[:i])), "_", "-")
		if conf[sec] == nil {
			conf[sec] = map[string]string{}
		}
		conf[sec][key] = strings.TrimSpace(line[i+1:])
		lastKey = key
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %v", n+1, err)
	}
	return conf, nil
}

// upstreamVCSTag is the upstream-vcs-tag format: from [import-orig]
// (or the legacy [git-import-orig]), else [DEFAULT].
func (c GbpConf) UpstreamVCSTag() string {
	for _, s := range []string{"import-orig", "git-import-orig", "DEFAULT"} {
		if v, ok := c[s]["upstream-vcs-tag"]; ok && v != "" {
			return v
		}
	}
	return ""
}

// VersionToTag expands a git-buildpackage tag format as gbp's
// DebianGitRepository.version_to_tag does: %(version)s is the version made
// safe for git (DEP-14: ~ -> _, : -> %, a '.' before '.', "lock" or the end
// gets '#'), %(hversion)s the same with '.' -> '-', %(version%A%B)s the
// version with character A replaced by B before that ('%' in B written
// \%), and %% a literal '%'.
func VersionToTag(format, version string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(format); {
		c := format[i]
		if c != '%' {
			b.WriteByte(c)
			i++
			continue
		}
		rest := format[i:]
		switch {
		case strings.HasPrefix(rest, "%%"):
			b.WriteByte('%')
			i += 2
		case strings.HasPrefix(rest, "%(version)s"):
			b.WriteString(dep14(version))
			i += len("%(version)s")
		case strings.HasPrefix(rest, "%(hversion)s"):
			b.WriteString(strings.ReplaceAll(dep14(version), ".", "-"))
			i += len("%(hversion)s")
		case strings.HasPrefix(rest, "%(version%"):
			// %(version%A%B)s: A one character other than '%', B one or more.
			body := rest[len("%(version%"):]
			end := strings.Index(body, ")s")
			if end < 0 {
				return "", fmt.Errorf("unterminated %%(version%%...)s in %q", format)
			}
			from, to, err := parseMangle(body[:end])
			if err != nil {
				return "", fmt.Errorf("%v in %q: want %%(version%%A%%B)s", err, format)
			}
			b.WriteString(dep14(strings.ReplaceAll(version, from, to)))
			i += len("%(version%") + end + len(")s")
		default:
			return "", fmt.Errorf("unsupported %% sequence at %q in %q: want %%(version)s, %%(hversion)s or %%(version%%A%%B)s", clip(rest, 12), format)
		}
	}
	return b.String(), nil
}

// parseMangle splits the A%B of %(version%A%B)s: A is one character other
// than '%'; B is one or more characters, a '%' in it written \%.
func parseMangle(spec string) (from, to string, err error) {
	r, size := utf8.DecodeRuneInString(spec)
	if spec == "" || r == '%' || r == utf8.RuneError {
		return "", "", fmt.Errorf("bad substitution %q", spec)
	}
	from, rest := spec[:size], spec[size:]
	if !strings.HasPrefix(rest, "%") || len(rest) < 2 {
		return "", "", fmt.Errorf("bad substitution %q", spec)
	}
	rest = rest[1:]
	var b strings.Builder
	for rest != "" {
		switch {
		case strings.HasPrefix(rest, `\%`):
			b.WriteByte('%')
			rest = rest[2:]
		case rest[0] == '%':
			return "", "", fmt.Errorf("bad substitution %q (write %% as \\%%)", spec)
		default:
			b.WriteByte(rest[0])
			rest = rest[1:]
		}
	}
	return from, b.String(), nil
}

var dep14Dots = regexp.MustCompile(`\.(\.|$|lock$)`)

// dep14 makes a version usable in a git tag name as DEP-14 says.
func dep14(v string) string {
	// Go's regexp has no look-ahead: repeat until stable for runs of dots.
	for {
		n := dep14Dots.ReplaceAllString(v, ".#$1")
		if n == v {
			break
		}
		v = n
	}
	return strings.NewReplacer("~", "_", ":", "%").Replace(v)
}

// readCapped reads at most maxDebianFile bytes of a file.
func readCapped(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxDebianFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxDebianFile {
		return nil, fmt.Errorf("larger than %d bytes", maxDebianFile)
	}
	return data, nil
}

// Inputs is what `tarcheck debian` found in a packaging directory.
type Inputs struct {
	Version   Version
	Orig      string   // the orig tarball
	Signature string   // its detached signature, "" when none
	Keyrings  []string // upstream signing keys
	Git       string
	Tag       string // "" when left to inference
	TagFrom   string // where Tag came from
	Name      string // upstream name (metadata Name, else the source name)
}

// Request is what the caller fixed; Resolve finds the rest.
type Request struct {
	// Dir is the packaging directory (holding debian/).
	Dir string
	// Orig, Signature, Git and Tag, when set, are used as given.
	Orig, Signature, Git, Tag string
	// Keyrings are added to the packaging's upstream signing key.
	Keyrings []string
	// Unsigned says upstream does not sign releases: no key or signature is needed.
	Unsigned bool
}

// Override names the input a caller can give instead of what Resolve
// looked for; the CLI turns it into the flag to pass.
type Override int

// Overrides.
const (
	// OverrideNone: the packaging itself must be fixed.
	OverrideNone Override = iota
	// OverrideOrig: the orig tarball was not found.
	OverrideOrig
	// ChooseOrig: several orig tarballs were found.
	ChooseOrig
	// OverrideKeyring: no upstream signing key (or say it is unsigned).
	OverrideKeyring
	// OverrideSignature: no signature next to the orig tarball (or say it is unsigned).
	OverrideSignature
	// OverrideGit: no usable upstream repository.
	OverrideGit
)

// Error is a missing or broken piece of the packaging (kind usage). Its
// message names the file to add or fix; Override says what the caller could
// give instead.
type Error struct {
	Msg      string
	Override Override
}

func (e *Error) Error() string { return e.Msg }

// Is makes an Error match verify.ErrUsage.
func (e *Error) Is(target error) bool { return target == verify.ErrUsage }

// Resolve gathers the inputs of a verification from a packaging directory;
// every missing piece is an *Error that names the file to add.
func Resolve(req Request) (*Inputs, error) {
	in := &Inputs{}
	dir := req.Dir
	missing := func(format string, args ...any) error {
		return &Error{Msg: fmt.Sprintf(format, args...)}
	}
	instead := func(o Override, format string, args ...any) error {
		return &Error{Msg: fmt.Sprintf(format, args...), Override: o}
	}
	deb := filepath.Join(dir, "debian")
	if fi, err := os.Stat(deb); err != nil || !fi.IsDir() {
		return nil, missing("%s has no debian/ directory: give the packaging directory (tarcheck debian DIR)", dir)
	}
	rel := func(p string) string { return filepath.Join(dir, p) }

	// Version.
	data, err := readCapped(rel("debian/changelog"))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, missing("debian/changelog not found in %s: add one (dch --create)", dir)
		}
		return nil, missing("debian/changelog: %v", err)
	}
	if in.Version, err = ParseChangelog(data); err != nil {
		return nil, missing("debian/changelog: %v", err)
	}
	v := in.Version
	in.Name = v.Source

	// The orig tarball, next to the packaging directory.
	if req.Orig != "" {
		in.Orig = req.Orig
	} else {
		parent := filepath.Dir(filepath.Clean(dir))
		if abs, err := filepath.Abs(dir); err == nil {
			parent = filepath.Dir(abs)
		}
		base := v.Source + "_" + v.Upstream + ".orig.tar."
		var found []string
		for _, ext := range []string{"gz", "xz", "bz2", "zst", "lzma", "lz"} {
			p := filepath.Join(parent, base+ext)
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
				found = append(found, p)
			}
		}
		switch len(found) {
		case 0:
			return nil, instead(OverrideOrig, "../%s* not found (looked in %s): download it (uscan --download-current-version, or origtargz)", base, parent)
		case 1:
			in.Orig = found[0]
		default:
			return nil, instead(ChooseOrig, "several orig tarballs for %s %s: %s", v.Source, v.Upstream, strings.Join(found, ", "))
		}
	}

	// Keys and signature.
	for _, k := range []string{"debian/upstream/signing-key.asc", "debian/upstream/signing-key.pgp"} {
		if fi, err := os.Stat(rel(k)); err == nil && fi.Mode().IsRegular() {
			in.Keyrings = append(in.Keyrings, rel(k))
			break
		}
	}
	in.Keyrings = append(in.Keyrings, req.Keyrings...)
	if len(in.Keyrings) == 0 && !req.Unsigned {
		return nil, instead(OverrideKeyring, "debian/upstream/signing-key.asc not found: add upstream's OpenPGP public key there (uscan uses it too)")
	}
	switch {
	case req.Signature != "":
		in.Signature = req.Signature
	default:
		for _, ext := range []string{".asc", ".sig", ".sign"} {
			if fi, err := os.Stat(in.Orig + ext); err == nil && fi.Mode().IsRegular() {
				in.Signature = in.Orig + ext
				break
			}
		}
		// No signature next to the orig tarball is not an error: with
		// the upstream key given a signature is still required, and a
		// valid signature over the tag satisfies it (issue 17).
	}

	// Repository.
	meta, metaErr := readCapped(rel("debian/upstream/metadata"))
	var metaRepo string
	switch {
	case metaErr == nil:
		repo, name, err := ParseUpstreamMetadata(meta)
		if err != nil && req.Git == "" {
			return nil, missing("debian/upstream/metadata: %v", err)
		}
		metaRepo = repo
		if name != "" && sourceName.MatchString(strings.ToLower(name)) {
			in.Name = name
		}
	case !errors.Is(metaErr, os.ErrNotExist) && req.Git == "":
		return nil, missing("debian/upstream/metadata: %v", metaErr)
	}
	switch {
	case req.Git != "":
		in.Git = req.Git
	case metaErr != nil:
		return nil, instead(OverrideGit, "debian/upstream/metadata not found: add it with a Repository field (DEP-12)")
	case metaRepo == "":
		return nil, instead(OverrideGit, "debian/upstream/metadata has no Repository field: add one")
	case !repoURL.MatchString(metaRepo):
		return nil, instead(OverrideGit, "debian/upstream/metadata: Repository %q is not a git URL (https://, git://, ssh://, file:// or user@host:path): fix it", clip(metaRepo, 120))
	default:
		in.Git = metaRepo
	}

	// Tag.
	switch {
	case req.Tag != "":
		in.Tag, in.TagFrom = req.Tag, "given"
	default:
		data, err := readCapped(rel("debian/gbp.conf"))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, missing("debian/gbp.conf: %v", err)
		}
		if err == nil {
			conf, err := ParseGbpConf(data)
			if err != nil {
				return nil, missing("debian/gbp.conf: %v", err)
			}
			if f := conf.UpstreamVCSTag(); f != "" {
				tag, err := VersionToTag(f, v.Upstream)
				if err != nil {
					return nil, missing("debian/gbp.conf: upstream-vcs-tag: %v", err)
				}
				in.Tag, in.TagFrom = tag, "debian/gbp.conf upstream-vcs-tag"
			}
		}
	}
	return in, nil
}

// TagError is a tag inference that found no tag, or several (it matches
// verify.ErrAmbiguousTag).
type TagError struct {
	Err error
	// Several is true when several tags matched, false when none did.
	Several bool
}

func (e *TagError) Error() string { return e.Err.Error() }
func (e *TagError) Unwrap() error { return e.Err }

// InferTag picks the one tag among tags (the repository's) that matches the
// upstream version in one of its usual spellings, under the upstream name or
// the source package's.
func InferTag(in *Inputs, tags []string) (string, error) {
	var tried []string
	seen := map[string]bool{}
	names := []string{in.Name}
	if in.Name != in.Version.Source {
		names = append(names, in.Version.Source)
	}
	for _, rv := range releaseVersions(in.Version.Release) {
		for _, name := range names {
			for _, c := range verify.TagCandidates(name, rv) {
				if !seen[c] {
					seen[c] = true
					tried = append(tried, c)
				}
			}
		}
	}
	found := verify.MatchTags(tags, tried)
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return "", &TagError{Err: verify.Errorf(verify.KindInput, "%w: no tag of %s matches upstream version %s (tried %s)",
			verify.ErrAmbiguousTag, in.Git, in.Version.Release, verify.ListTried(tried))}
	}
	sort.Strings(found)
	return "", &TagError{Err: verify.Errorf(verify.KindInput, "%w: several tags match upstream version %s: %s",
		verify.ErrAmbiguousTag, in.Version.Release, strings.Join(found, ", ")), Several: true}
}

// Options gives base (the caller's options for the orig tarball) the
// inputs found: the repository and tag, the keys and the signature, and a
// required signature when an upstream key is there (unless unsigned). An
// empty tag is inferred from the repository's tags (InferTag).
func (in *Inputs) Options(ctx context.Context, base verify.Options, unsigned bool) (verify.Options, error) {
	o := base
	o.Sources.Tarball, o.Sources.Git, o.Sources.Tag = in.Orig, in.Git, in.Tag
	o.Trust.Keyrings, o.Trust.Signature = in.Keyrings, in.Signature
	if len(in.Keyrings) > 0 && !unsigned {
		o.Trust.RequireSignature = true
	}
	if o.Sources.Tag == "" {
		tags, err := verify.Tags(ctx, o)
		if err != nil {
			return o, err
		}
		if o.Sources.Tag, err = InferTag(in, tags); err != nil {
			return o, err
		}
		in.TagFrom = "inferred"
	}
	if o.Output.Logf != nil {
		o.Output.Logf("debian: %s %s, orig %s, repository %s, tag %s (%s)",
			in.Version.Source, in.Version.Full, in.Orig, in.Git, o.Sources.Tag, in.TagFrom)
	}
	return o, nil
}
