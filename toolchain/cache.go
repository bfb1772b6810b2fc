package toolchain

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ulikunitz/xz"

	"github.com/tarcheck/tarcheck/internal/filehash"
	"github.com/tarcheck/tarcheck/sandbox"
	"github.com/tarcheck/tarcheck/verify/fetch"
	"github.com/tarcheck/tarcheck/verify/sig"
)

// DefaultMirror is the Debian archive the packages are fetched from.
const DefaultMirror = "http://deb.debian.org/debian"

// DefaultKeyring is the Debian archive keyring (package
// debian-archive-keyring) that signs the suites' InRelease files.
const DefaultKeyring = "/usr/share/keyrings/debian-archive-keyring.gpg"

// Getter downloads a URL. *fetch.Fetcher implements it (with its own
// download cache, retries and limits); only verify/fetch speaks HTTP.
// The content is not trusted: the cache checks every byte against the
// signed indexes.
type Getter interface {
	Get(ctx context.Context, rawURL string) (*fetch.File, error)
}

// Options configures a Cache.
type Options struct {
	// Dir is the cache directory (--toolchain-dir). Required.
	Dir string
	// Getter downloads indexes and packages; nil means the cache is
	// offline: Fetch then only succeeds for packages already present.
	Getter Getter
	// Mirror is the Debian mirror root URL; "" means DefaultMirror.
	Mirror string
	// Keyring verifies InRelease files; nil means DefaultKeyring is read.
	Keyring openpgp.EntityList
	// Arch is the Debian architecture whose Packages index is read; ""
	// means the one of this machine (amd64, arm64, ...). The catalog's
	// packages are "all", listed in every architecture's index.
	Arch string
	// Now is the time signatures are checked at; nil means time.Now.
	Now func() time.Time
	// UpstreamKeyring verifies the detached signatures of upstream release
	// tarballs (--keyring: the GNU keyring, or the
	// debian/upstream/signing-key.asc of the tool's Debian source
	// package); the signature must also be by a fingerprint the catalog
	// pins. Empty: an entry that pins a signature cannot be fetched.
	UpstreamKeyring openpgp.EntityList
	// Builder is the sandbox upstream releases are built in; nil means
	// the best isolating backend of this machine (sandbox "auto"). The
	// unsafe "none" backend is refused.
	Builder sandbox.Runner
	// Progress, when set, receives one line per step of a fetch
	// ("verifying bookworm InRelease", "downloading autoconf2.69 2.69-3.1",
	// "unpacking ..."). Calls are not concurrent with each other.
	Progress func(step string)
}

// Cache is a content-addressed store of unpacked Debian packages:
//
//	DIR/deb/SHA256.deb        the verified .deb (SHA256 of the file)
//	DIR/tree/SHA256/          its data.tar, unpacked (usr/...)
//	DIR/tree/SHA256.json      the manifest: every path, mode, sha256, link target
//	DIR/src/SHA256-FILE[.sig] a verified upstream release tarball (and its signature)
//	DIR/tree/KEY/, KEY.json   the tree built from it (KEY: Upstream.BuildKey), KEY.log the build's output
//	DIR/links/ID/usr/bin/...  the symlinks a Debian install would add (alternatives)
//
// Entries are written to a temporary name and renamed into place, so a
// crash leaves no half entry under a final name. A Cache is safe for
// concurrent use; several processes may share one directory.
type Cache struct {
	dir     string
	get     Getter
	mirror  string
	keyring openpgp.EntityList
	arch    string
	now     func() time.Time
	step    func(string)

	upstreamKeys openpgp.EntityList
	builder      sandbox.Runner // guarded by mu

	mu       sync.Mutex
	releases map[string]*Release  // suite -> verified release (this Cache's lifetime)
	indexes  map[string][]Package // suite -> records of the tools' packages
	keyErr   error
	keyOnce  sync.Once
}

// Open returns the cache at opts.Dir, creating the directory if needed.
func Open(opts Options) (*Cache, error) {
	if opts.Dir == "" {
		return nil, errors.New("toolchain cache: no directory given (--toolchain-dir)")
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("toolchain cache %s: %w", opts.Dir, err)
	}
	abs, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	c := &Cache{dir: abs, get: opts.Getter, mirror: strings.TrimRight(opts.Mirror, "/"), keyring: opts.Keyring,
		arch: opts.Arch, now: opts.Now, step: opts.Progress, upstreamKeys: opts.UpstreamKeyring, builder: opts.Builder, releases: map[string]*Release{}, indexes: map[string][]Package{}}
	if c.mirror == "" {
		c.mirror = DefaultMirror
	}
	if c.arch == "" {
		c.arch = debianArch(runtime.GOARCH)
	}
	if c.now == nil {
		c.now = time.Now
	}
	for _, d := range []string{"deb", "src", "tree", "links", "tmp"} {
		if err := os.MkdirAll(filepath.Join(abs, d), 0o755); err != nil {
			return nil, fmt.Errorf("toolchain cache %s: %w", abs, err)
		}
	}
	return c, nil
}

// progress reports one step of a fetch.
func (c *Cache) progress(step string) {
	if c.step != nil {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.step(step)
	}
}

// Dir is the cache directory.
func (c *Cache) Dir() string { return c.dir }

// debianArch maps GOARCH to Debian's architecture name.
func debianArch(goarch string) string {
	switch goarch {
	case "386":
		return "i386"
	case "arm":
		return "armhf"
	case "ppc64le":
		return "ppc64el"
	case "mips64le":
		return "mips64el"
	}
	return goarch
}

func (c *Cache) keys() (openpgp.EntityList, error) {
	c.keyOnce.Do(func() {
		if c.keyring != nil {
			return
		}
		data, err := os.ReadFile(DefaultKeyring)
		if err != nil {
			c.keyErr = fmt.Errorf("reading the Debian archive keyring: %w (install debian-archive-keyring)", err)
			return
		}
		c.keyring, c.keyErr = sig.ReadKeyring(data)
	})
	return c.keyring, c.keyErr
}

// Fetch makes every package of spec present in the cache (downloading,
// verifying and unpacking what is missing) and returns the toolchain as
// [Cache.Path] does. Packages already unpacked cost no network access.
func (c *Cache) Fetch(ctx context.Context, spec Spec) (*Toolchain, error) {
	for _, t := range spec.Tools {
		for _, p := range t.Packages {
			if err := c.ensure(ctx, p); err != nil {
				return nil, fmt.Errorf("fetching %s %s (%s %s): %w", t.Name, t.Version, p.Name, p.Version, err)
			}
		}
	}
	return c.Path(spec)
}

// AddDeb imports a local .deb for p (a package of the catalog): its sha256
// must be p.SHA256. For offline preparation of a cache.
func (c *Cache) AddDeb(ctx context.Context, p Package, debPath string) error {
	if !isHex64(p.SHA256) {
		return fmt.Errorf("%s: no pinned sha256 to check %s against", p, debPath)
	}
	if c.unpacked(p.SHA256) {
		return nil
	}
	tmp, err := c.copyVerified(debPath, p)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	return c.install(ctx, p, tmp)
}

// unpacked reports whether the tree and manifest of a .deb are in place
// (not whether they are intact: Path checks that).
func (c *Cache) unpacked(sum string) bool {
	_, err1 := os.Lstat(c.treeDir(sum))
	_, err2 := os.Lstat(c.manifestPath(sum))
	return err1 == nil && err2 == nil
}

func (c *Cache) treeDir(sum string) string      { return filepath.Join(c.dir, "tree", sum) }
func (c *Cache) manifestPath(sum string) string { return filepath.Join(c.dir, "tree", sum+".json") }
func (c *Cache) debPath(sum string) string      { return filepath.Join(c.dir, "deb", sum+".deb") }

// ensure makes p present: unpacked already, or from a kept .deb, or
// downloaded.
func (c *Cache) ensure(ctx context.Context, p Package) error {
	if p.Upstream != nil {
		return c.ensureUpstream(ctx, p)
	}
	if isHex64(p.SHA256) && c.unpacked(p.SHA256) {
		return nil
	}
	if isHex64(p.SHA256) {
		if tmp, err := c.copyVerified(c.debPath(p.SHA256), p); err == nil {
			defer os.Remove(tmp)
			return c.install(ctx, p, tmp)
		}
	}
	if c.get == nil {
		return fmt.Errorf("%w (run `tarcheck toolchain fetch` with network access, or point --toolchain-dir at a prepared cache)", ErrOffline)
	}
	rec, err := c.locate(ctx, p)
	if err != nil {
		return err
	}
	c.progress("downloading " + rec.String())
	f, err := c.get.Get(ctx, c.mirror+"/"+rec.Filename)
	if err != nil {
		return fmt.Errorf("downloading %s: %w", rec.Filename, err)
	}
	tmp, err := c.copyVerified(f.Path, rec)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	return c.install(ctx, rec, tmp)
}

// locate finds p in the signed Packages index of one of its suites and
// returns the record; its sha256 must equal the pinned one when p has one.
func (c *Cache) locate(ctx context.Context, p Package) (Package, error) {
	suites := p.Suites
	if len(suites) == 0 {
		return Package{}, fmt.Errorf("%w: %s names no suite", ErrNotFound, p)
	}
	var errs []error
	for _, s := range suites {
		recs, err := c.index(ctx, s)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", s, err))
			continue
		}
		for _, r := range recs {
			if r.Name != p.Name || r.Version != p.Version || (p.Arch != "" && r.Arch != p.Arch) {
				continue
			}
			if isHex64(p.SHA256) && !strings.EqualFold(r.SHA256, p.SHA256) {
				return Package{}, fmt.Errorf("%w: the signed %s index gives %s sha256 %s, the catalog pins %s",
					ErrHashMismatch, s, p.Name, r.SHA256, p.SHA256)
			}
			r.Suites = []string{s}
			return r, nil
		}
		errs = append(errs, fmt.Errorf("%w: %s %s is not in %s", ErrNotFound, p.Name, p.Version, s))
	}
	return Package{}, errors.Join(errs...)
}

// index returns the records of the catalog tools' packages in suite's
// signed main Packages index for c.arch.
func (c *Cache) index(ctx context.Context, suite string) ([]Package, error) {
	c.mu.Lock()
	recs, ok := c.indexes[suite]
	c.mu.Unlock()
	if ok {
		return recs, nil
	}
	r, u, closeIndex, err := c.signedIndex(ctx, suite, "main/binary-"+c.arch+"/Packages")
	if err != nil {
		return nil, err
	}
	defer closeIndex()
	recs, err = ParsePackages(r, func(n string) bool { return toolOfPackage(n) != "" })
	if err != nil {
		return nil, fmt.Errorf("%s: %w", u, err)
	}
	for i := range recs {
		recs[i].Suites = []string{suite}
	}
	c.mu.Lock()
	c.indexes[suite] = recs
	c.mu.Unlock()
	return recs, nil
}

// signedIndex opens base (.xz, else plain) of suite, downloaded by the
// hash its verified InRelease signs, decompressed; u names it in errors.
// The caller calls closeIndex.
func (c *Cache) signedIndex(ctx context.Context, suite, base string) (r io.Reader, u string, closeIndex func(), err error) {
	if strings.ContainsAny(suite, "/?#%\\ ") || suite == "" || suite == "." || suite == ".." {
		return nil, "", nil, fmt.Errorf("bad suite name %q", suite)
	}
	rel, err := c.release(ctx, suite)
	if err != nil {
		return nil, "", nil, err
	}
	var name string
	var want IndexFile
	for _, ext := range []string{".xz", ""} {
		if f, ok := rel.SHA256[base+ext]; ok {
			name, want = base+ext, f
			break
		}
	}
	if name == "" {
		return nil, "", nil, fmt.Errorf("%w: %s InRelease lists no %s.xz", ErrBadIndex, suite, base)
	}
	u = c.mirror + "/dists/" + suite + "/" + name
	if rel.AcquireByHash {
		u = c.mirror + "/dists/" + suite + "/" + path.Dir(name) + "/by-hash/SHA256/" + want.SHA256
	}
	f, err := c.get.Get(ctx, u)
	if err != nil {
		return nil, "", nil, fmt.Errorf("downloading %s: %w", u, err)
	}
	if !strings.EqualFold(f.SHA256, want.SHA256) || f.Size != want.Size {
		return nil, "", nil, fmt.Errorf("%w: %s has sha256 %s (%d bytes); the signed InRelease says %s (%d bytes)",
			ErrHashMismatch, u, f.SHA256, f.Size, want.SHA256, want.Size)
	}
	fh, err := os.Open(f.Path)
	if err != nil {
		return nil, "", nil, err
	}
	r = bufio.NewReaderSize(fh, 1<<20)
	if strings.HasSuffix(name, ".xz") {
		if r, err = xz.NewReader(r); err != nil {
			fh.Close()
			return nil, "", nil, fmt.Errorf("%w: %s: %v", ErrBadIndex, u, err)
		}
	}
	return r, u, func() { fh.Close() }, nil
}

// release downloads and verifies suite's InRelease.
func (c *Cache) release(ctx context.Context, suite string) (*Release, error) {
	c.mu.Lock()
	rel, ok := c.releases[suite]
	c.mu.Unlock()
	if ok {
		return rel, nil
	}
	keys, err := c.keys()
	if err != nil {
		return nil, err
	}
	u := c.mirror + "/dists/" + suite + "/InRelease"
	c.progress("verifying the " + suite + " index (InRelease, Packages)")
	f, err := c.get.Get(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("downloading %s: %w", u, err)
	}
	if f.Size > MaxReleaseSize {
		return nil, fmt.Errorf("%w: %s is %d bytes", ErrBadIndex, u, f.Size)
	}
	data, err := os.ReadFile(f.Path)
	if err != nil {
		return nil, err
	}
	rel, err = VerifyInRelease(data, keys, c.now())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", u, err)
	}
	c.mu.Lock()
	c.releases[suite] = rel
	c.mu.Unlock()
	return rel, nil
}

// Suites returns the packages of the catalog's tools listed in the signed
// indexes of the given suites (each record's Suites names its suite), for
// building a catalog ([BuildCatalog]) or listing what the archive serves.
func (c *Cache) Suites(ctx context.Context, suites []string) ([]Package, error) {
	if c.get == nil {
		return nil, ErrOffline
	}
	var all []Package
	for _, s := range suites {
		recs, err := c.index(ctx, s)
		if err != nil {
			return nil, fmt.Errorf("suite %s: %w", s, err)
		}
		all = append(all, recs...)
	}
	return all, nil
}

// copyVerified copies src into the cache's tmp directory while hashing it
// and returns the copy's path when its sha256 and size are p's.
func (c *Cache) copyVerified(src string, p Package) (string, error) {
	return c.copyHashed(src, p.Name+"_"+p.Version+".deb", p.SHA256, p.Size, "deb-*")
}

// copyHashed copies src into the cache's tmp directory (a name made from
// pattern) while hashing it and returns the copy's path when its sha256
// is wantSHA and its size wantSize (when > 0); name names it in errors.
func (c *Cache) copyHashed(src, name, wantSHA string, wantSize int64, pattern string) (string, error) {
	in, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	out, err := os.CreateTemp(filepath.Join(c.dir, "tmp"), pattern)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), io.LimitReader(in, MaxDebSize+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out.Name())
		return "", err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if !strings.EqualFold(sum, wantSHA) || (wantSize > 0 && n != wantSize) {
		os.Remove(out.Name())
		return "", fmt.Errorf("%w: %s has sha256 %s (%d bytes); the pinned value is %s (%d bytes)",
			ErrHashMismatch, name, sum, n, wantSHA, wantSize)
	}
	return out.Name(), nil
}

// manifest is the record written next to an unpacked tree.
type manifest struct {
	Package Package         `json:"package"`
	Entries []ManifestEntry `json:"entries"`
}

// install unpacks the verified .deb at tmpDeb (sha256 p.SHA256), keeps
// it, and renames the tree into place.
func (c *Cache) install(ctx context.Context, p Package, tmpDeb string) error {
	sum := strings.ToLower(p.SHA256)
	work, err := os.MkdirTemp(filepath.Join(c.dir, "tmp"), "tree-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	c.progress("unpacking " + p.Name + " " + p.Version)
	entries, err := unpackDeb(ctx, tmpDeb, filepath.Join(work, "tree"))
	if err != nil {
		return fmt.Errorf("unpacking %s_%s.deb: %w", p.Name, p.Version, err)
	}
	data, err := json.MarshalIndent(manifest{Package: p, Entries: entries}, "", " ")
	if err != nil {
		return err
	}
	if err := os.Rename(tmpDeb, c.debPath(sum)); err != nil {
		return err
	}
	return c.placeTree(filepath.Join(work, "tree"), data, "", sum)
}

// verifyTree checks the tree of sum against its manifest: the same set of
// paths, types, modes, symlink targets and file hashes.
func (c *Cache) verifyTree(sum string) (*manifest, error) {
	data, err := os.ReadFile(c.manifestPath(sum))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, ErrNotCached
		}
		return nil, err
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil || !strings.EqualFold(m.Package.SHA256, sum) {
		return nil, fmt.Errorf("%w: %s: unreadable manifest", ErrCorruptCache, c.manifestPath(sum))
	}
	want := make(map[string]ManifestEntry, len(m.Entries))
	for _, e := range m.Entries {
		want[e.Path] = e
	}
	root := c.treeDir(sum)
	seen := 0
	bad := func(rel, why string) error {
		return fmt.Errorf("%w: %s: %s %s (remove %s and fetch again)", ErrCorruptCache, root, rel, why, root)
	}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == root {
			return nil
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, root+string(filepath.Separator)))
		e, ok := want[rel]
		if !ok {
			return bad(rel, "is not in the manifest")
		}
		seen++
		fi, err := d.Info()
		if err != nil {
			return err
		}
		switch e.Type {
		case "dir":
			if !d.IsDir() {
				return bad(rel, "is no longer a directory")
			}
		case "symlink":
			t, err := os.Readlink(p)
			if d.Type()&fs.ModeSymlink == 0 || err != nil || t != e.Target {
				return bad(rel, "is not the symlink it was")
			}
		case "file":
			if !d.Type().IsRegular() || uint32(fi.Mode().Perm()) != e.Mode || fi.Size() != e.Size {
				return bad(rel, "changed type, mode or size")
			}
			got, err := filehash.SHA256(p)
			if err != nil {
				return err
			}
			if got != e.SHA256 {
				return bad(rel, "changed content")
			}
		default:
			return bad(rel, "has an unknown manifest type")
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s is missing", ErrCorruptCache, root)
		}
		return nil, err
	}
	if seen != len(want) {
		return nil, fmt.Errorf("%w: %s: %d of %d files are missing (remove %s and fetch again)", ErrCorruptCache, root, len(want)-seen, len(want), root)
	}
	return &m, nil
}

// Entry is one unpacked package in the cache.
type Entry struct {
	Package Package
	Tree    string // the unpacked root (usr/... below it)
}

// List returns the packages unpacked in the cache, sorted by name and
// version. It does not verify them (Path does).
func (c *Cache) List() ([]Entry, error) {
	names, err := filepath.Glob(filepath.Join(c.dir, "tree", "*.json"))
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			return nil, err
		}
		var m manifest
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("%w: %s: unreadable manifest", ErrCorruptCache, n)
		}
		out = append(out, Entry{Package: m.Package, Tree: c.treeDir(strings.ToLower(m.Package.SHA256))})
	}
	slices.SortFunc(out, func(a, b Entry) int {
		if c := strings.Compare(a.Package.Name, b.Package.Name); c != 0 {
			return c
		}
		return CompareVersions(a.Package.Version, b.Package.Version)
	})
	return out, nil
}

// linkLayer writes (once) the directory holding the usr/bin symlinks of a
// toolchain and returns its root.
func (c *Cache) linkLayer(links [][2]string) (string, error) {
	if len(links) == 0 {
		return "", nil
	}
	var b bytes.Buffer
	for _, l := range links {
		fmt.Fprintf(&b, "%s %s\n", l[0], l[1])
	}
	sum := sha256.Sum256(b.Bytes())
	dir := filepath.Join(c.dir, "links", hex.EncodeToString(sum[:16]))
	if ok, err := linksIntact(dir, links); ok {
		return dir, nil
	} else if err == nil {
		if err := os.RemoveAll(dir); err != nil {
			return "", err
		}
	}
	work, err := os.MkdirTemp(filepath.Join(c.dir, "tmp"), "links-*")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(work)
	if err := os.MkdirAll(filepath.Join(work, "usr", "bin"), 0o755); err != nil {
		return "", err
	}
	for _, l := range links {
		if err := os.Symlink(l[1], filepath.Join(work, "usr", "bin", l[0])); err != nil {
			return "", err
		}
	}
	if err := os.Rename(work, dir); err != nil {
		if ok, _ := linksIntact(dir, links); ok {
			return dir, nil
		}
		return "", err
	}
	return dir, nil
}

// linksIntact reports whether dir holds exactly links. err is non-nil only
// when dir does not exist.
func linksIntact(dir string, links [][2]string) (bool, error) {
	ents, err := os.ReadDir(filepath.Join(dir, "usr", "bin"))
	if err != nil {
		if _, serr := os.Lstat(dir); serr != nil {
			return false, serr
		}
		return false, nil
	}
	if len(ents) != len(links) {
		return false, nil
	}
	for _, l := range links {
		t, err := os.Readlink(filepath.Join(dir, "usr", "bin", l[0]))
		if err != nil || t != l[1] {
			return false, nil
		}
	}
	return true, nil
}
