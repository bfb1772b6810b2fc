// Package verify is tarcheck's pipeline: it resolves a release tarball and a
// git tag, verifies their signatures, streams the archive once while
// comparing every member with the tag's tree, classifies each difference and
// returns a Report with a verdict.
//
// Nothing here prints or exits; the CLI in cmd/tarcheck renders the Report
// and maps errors to exit codes (see ExitCode).
package verify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/tarcheck/tarcheck/autotools"
	"github.com/tarcheck/tarcheck/internal/pathidx"
	"github.com/tarcheck/tarcheck/verify/archive"
	"github.com/tarcheck/tarcheck/verify/fetch"
	"github.com/tarcheck/tarcheck/verify/gitsrc"
	"github.com/tarcheck/tarcheck/verify/report"
	"github.com/tarcheck/tarcheck/verify/sig"
)

// Limits on what the compare step keeps in memory.
const (
	// DefaultKeepBytes is the largest differing member whose content is kept
	// for classification (a configure script is typically 0.5–3 MiB).
	DefaultKeepBytes = 8 << 20
	// MaxKeptTotal caps the contents of differing files held at once; past
	// it, contents are gathered in further passes over the archive.
	MaxKeptTotal = 96 << 20
	// MaxDiffBytes caps the size of text files for which a diff excerpt is made.
	MaxDiffBytes = 256 << 10
)

// Memory for huge trees. The per-path indexes cost about 130 bytes a file
// (tarball and tag together); past HugeTreeFiles files in the tag, the xz
// decoder keeps one 24 MiB block in flight instead of two, trading about
// 1.7x decoding time for 24 MiB, so that peak RSS stays below 150 MiB up to
// about 600,000 files (bench/run.sh).
const (
	HugeTreeFiles       = 400_000
	HugeTreeBlockMemory = 32 << 20
)

// Options are the inputs of one verification.
type Options struct {
	// Tarball is a local path or an http(s) URL.
	Tarball string
	// Git is a repository URL, a local path (work tree or bare) or a bundle file.
	Git string
	// Tag is the tag to compare with; "" infers it from the archive's version.
	Tag string

	// Signatures.
	Keyrings       []string
	TagKeyrings    []string
	Signature      string
	AllowedSigners string
	Bundle         string
	TrustedRoot    string
	Identity       Identity
	// TagIdentity, when any field is set, replaces Identity for an x509
	// (gitsign) tag signature: a developer signs the tag, a CI workflow
	// the release bundle.
	TagIdentity      Identity
	RequireSignature bool

	// Rebuild is "" (off), "autoreconf" or "dist".
	Rebuild       string
	Sandbox       string
	RebuildScript string

	// Policy, if non-nil, is applied to the findings.
	Policy *Policy
	// FailOn is the lowest severity that fails.
	FailOn Severity

	Offline  bool
	CacheDir string
	// MaxDownload caps a download's size (0: fetch's default).
	MaxDownload int64
	// KeepBytes overrides DefaultKeepBytes.
	KeepBytes int64
	// Limits caps what the archive may make tarcheck do (zero fields: defaults).
	Limits archive.Limits
	// M4DB, when non-nil, replaces the embedded m4 baseline.
	M4DB *autotools.M4DB
	// Gnulib is a gnulib repository (path or URL) to compare gnulib copies with.
	Gnulib string

	// ToolVersion goes into the report and the HTTP User-Agent.
	ToolVersion string
	// Logf receives verbose messages; nil discards them.
	Logf func(format string, args ...any)
	// Progress, when set, is told about downloads and the archive pass.
	Progress Progress
	// Fetcher, when set, replaces the fetcher built from these options (tests, batch runs sharing one).
	Fetcher *fetch.Fetcher
}

// Identity is a Sigstore certificate identity policy.
type Identity struct {
	SAN, SANRegexp, Issuer, IssuerRegexp string
}

// set reports whether any field is given.
func (id Identity) set() bool { return id != Identity{} }

func (id Identity) sig() sig.Identity {
	return sig.Identity{SAN: id.SAN, SANRegexp: id.SANRegexp, Issuer: id.Issuer, IssuerRegexp: id.IssuerRegexp}
}

// Progress receives progress updates; implementations must be cheap.
type Progress interface {
	// Start begins a phase ("download foo.tar.xz", "archive") of total bytes (-1 unknown).
	Start(phase string, total int64)
	// Add reports n more bytes done in the current phase.
	Add(n int64)
	// Done ends the current phase.
	Done()
}

func (o *Options) logf(format string, args ...any) {
	if o.Logf != nil {
		o.Logf(format, args...)
	}
}

// Run verifies one release and returns its report. An error means no report
// could be made; a failing verdict is not an error.
func Run(ctx context.Context, o Options) (*Report, error) {
	if o.Tarball == "" {
		return nil, Errorf(KindUsage, "no tarball given")
	}
	if o.Git == "" {
		return nil, Errorf(KindUsage, "no git repository given (--git)")
	}
	if o.KeepBytes <= 0 {
		o.KeepBytes = DefaultKeepBytes
	}
	dir, err := cacheDir(o.CacheDir)
	if err != nil {
		return nil, err
	}
	o.CacheDir = dir
	p := &pipeline{o: o, start: time.Now()}
	return p.run(ctx)
}

// pipeline holds the state of one Run.
type pipeline struct {
	o     Options
	start time.Time

	fetcher *fetch.Fetcher
	tarPath string // local path of the tarball (maybe in the cache)
	repo    *gitsrc.Repo
	tag     *gitsrc.Tag
	report  *Report

	git       *gitIndex
	tar       map[string]*tarFile // members not identical to the tag
	identical int                 // members identical to the tag (not in tar)
	arch      *archive.Result
	root      string // root assumed while streaming

	binaryPaths map[string]string // path (root stripped) -> binary kind, either side
	dl          download          // the download under way, for Progress
	// releaseLibtool is the VERSION line of the tarball's ltmain.sh
	// (read while classifying, for --rebuild).
	releaseLibtool string
}

type tarFile struct {
	typ     archive.EntryType
	gitMode uint32
	id      [20]byte
	size    int64
	link    string
	content []byte // kept for differing files
	status  Status // "" = identical
	missing bool   // content needed but not kept
	stray   bool   // outside the release's top-level directory
}

// strayPrefix marks, in pipeline.tar, members outside the release's
// top-level directory; a NUL never occurs in a real path.
const strayPrefix = "\x00"

// displayPath is the path a member key is reported under.
func displayPath(key string) string { return strings.TrimPrefix(key, strayPrefix) }

// archiveOptions are the archive walk options of this run.
func (p *pipeline) archiveOptions(keep int64) archive.Options {
	o := archive.Options{KeepBytes: keep, Limits: p.o.Limits}
	if p.git.len() > HugeTreeFiles {
		o.BlockMemory = HugeTreeBlockMemory
	}
	return o
}

// memberKey is the key of an archive member: its path with the root
// stripped, or strayPrefix + its full path when it lies outside the root.
func memberKey(root, name string) string {
	rel, ok := strip(root, name)
	if !ok {
		return strayPrefix + name
	}
	return rel
}

func (p *pipeline) run(ctx context.Context) (*Report, error) {
	o := &p.o
	r := &Report{
		Schema:     report.Schema,
		Tool:       report.Tool{Name: "tarcheck", Version: o.ToolVersion},
		Signatures: []Signature{},
		Files:      []FileDiff{},
		Findings:   []Finding{},
		FailOn:     o.FailOn,
	}
	p.report = r
	r.Tarball.Source = o.Tarball
	r.Git.Source = o.Git
	for _, in := range []struct{ what, src string }{{"tarball", o.Tarball}, {"git repository", o.Git}} {
		if strings.HasPrefix(in.src, "http://") || strings.HasPrefix(in.src, "git://") {
			r.Notes = append(r.Notes, fmt.Sprintf("the %s is fetched over an unauthenticated transport (%s): only the signatures vouch for it",
				in.what, strings.SplitN(in.src, ":", 2)[0]))
		}
	}

	// 1. Resolve inputs (download when a URL).
	if err := p.resolveTarball(ctx); err != nil {
		return nil, err
	}
	// 2. Open the git side and resolve the tag.
	repo, err := gitsrc.Open(ctx, o.Git, gitsrc.Options{CacheDir: o.CacheDir, Offline: o.Offline, Logf: o.Logf})
	if err != nil {
		return nil, gitErr(err)
	}
	p.repo = repo
	tagName := o.Tag
	if tagName == "" {
		tagName, err = p.inferTag(ctx)
		if err != nil {
			return nil, err
		}
		o.logf("inferred tag %s", tagName)
	}
	tag, err := repo.Resolve(ctx, tagName)
	if err != nil {
		return nil, gitErr(err)
	}
	p.tag = tag
	r.Git.Tag = tag.Name
	if tag.Object != "" {
		obj := tag.Object
		r.Git.TagObject = &obj
	}
	r.Git.Commit, r.Git.Tree = tag.Commit, tag.Tree
	if !tag.CommitTime.IsZero() {
		r.Git.CommitTime = tag.CommitTime.Format(time.RFC3339)
	}

	// 3. Signatures (pure, over fetched bytes).
	if err := p.verifySignatures(ctx); err != nil {
		return nil, err
	}

	// 4. Index the git side.
	if err := p.indexGit(ctx); err != nil {
		return nil, err
	}
	// 5+6. Stream the archive once, comparing as we go.
	if err := p.walk(ctx); err != nil {
		return nil, err
	}
	// 7. Classify every difference.
	if err := p.classify(ctx); err != nil {
		return nil, err
	}
	// 8. Rebuild.
	if o.Rebuild != "" {
		if err := p.rebuild(ctx); err != nil {
			return nil, err
		}
	}
	// 9. Policy, verdict.
	if o.Policy != nil {
		o.Policy.Apply(r)
	}
	sortReport(r)
	r.Decide()
	return r, nil
}

func (p *pipeline) resolveTarball(ctx context.Context) error {
	o := &p.o
	if fetch.IsURL(o.Tarball) {
		f, err := p.get(ctx, o.Tarball)
		if err != nil {
			return err
		}
		p.tarPath = f.Path
		p.report.Tarball.SHA256 = f.SHA256
		p.report.Tarball.Size = f.Size
		return nil
	}
	fi, err := os.Stat(o.Tarball)
	if err != nil {
		return Errorf(KindInput, "%v", err)
	}
	if !fi.Mode().IsRegular() {
		return Errorf(KindInput, "%s is not a regular file", o.Tarball)
	}
	p.tarPath = o.Tarball
	p.report.Tarball.Size = fi.Size()
	return nil
}

func (p *pipeline) getFetcher() (*fetch.Fetcher, error) {
	if p.fetcher != nil {
		return p.fetcher, nil
	}
	if p.o.Fetcher != nil {
		p.fetcher = p.o.Fetcher
		return p.fetcher, nil
	}
	opts := fetch.Options{CacheDir: p.o.CacheDir, MaxSize: p.o.MaxDownload, Offline: p.o.Offline,
		UserAgent: "tarcheck/" + p.o.ToolVersion, Logf: p.o.Logf}
	if p.o.Progress != nil {
		opts.Progress = p.onDownload
	}
	f, err := fetch.New(opts)
	if err != nil {
		return nil, Errorf(KindEnvironment, "%v", err)
	}
	p.fetcher = f
	return f, nil
}

func (p *pipeline) get(ctx context.Context, url string) (*fetch.File, error) {
	f, err := p.getFetcher()
	if err != nil {
		return nil, err
	}
	defer p.beginDownload(url)()
	file, err := f.Get(ctx, url)
	if err != nil {
		return nil, fetchErr(err)
	}
	return file, nil
}

// download is the progress of the download under way.
type download struct {
	name    string
	started bool
	last    int64
}

// beginDownload names the progress bar of a download of url (shown once
// bytes arrive: a cache hit shows none); call the result when it ends.
func (p *pipeline) beginDownload(url string) func() {
	pr := p.o.Progress
	if pr == nil {
		return func() {}
	}
	p.dl = download{name: "download " + path.Base(url)}
	return func() {
		if p.dl.started {
			pr.Done()
		}
		p.dl = download{}
	}
}

// onDownload is fetch's progress callback: it starts the bar on the first
// bytes and again when the download restarts (a retry).
func (p *pipeline) onDownload(done, total int64) {
	pr, d := p.o.Progress, &p.dl
	if !d.started || done < d.last {
		pr.Start(d.name, total)
		d.started, d.last = true, 0
	}
	if done > d.last {
		pr.Add(done - d.last)
		d.last = done
	}
}

// progressAdder turns running totals into Progress.Add increments.
func progressAdder(pr Progress) func(done int64) {
	var last int64
	return func(done int64) {
		if done > last {
			pr.Add(done - last)
			last = done
		}
	}
}

// indexGit lists the tag's tree.
func (p *pipeline) indexGit(ctx context.Context) error {
	p.git = newGitIndex()
	err := p.repo.ListTree(ctx, p.tag.Tree, func(e gitsrc.TreeEntry) error {
		var id [20]byte
		if _, err := hex.Decode(id[:], []byte(e.ID)); err != nil && len(e.ID) == 40 {
			return fmt.Errorf("ls-tree: bad object id %q", e.ID)
		}
		if p.git.paths.ArenaBytes()+len(e.Path) > pathidx.MaxArena {
			return fmt.Errorf("ls-tree: more than %d bytes of path names", pathidx.MaxArena)
		}
		p.git.add(e.Path, e.Mode, id)
		return nil
	})
	if err != nil {
		return gitErr(fmt.Errorf("listing tree of %s: %w", p.tag.Name, err))
	}
	p.report.Summary.GitFiles = p.git.len()
	return nil
}

// strip removes the assumed root from an archive path.
func strip(root, name string) (string, bool) {
	if root == "" {
		return name, true
	}
	if len(name) > len(root) && name[len(root)] == '/' && name[:len(root)] == root {
		return name[len(root)+1:], true
	}
	return name, false
}

// walk streams the archive once, compares each member with the git tree and
// keeps the content of differing members (bounded by MaxKeptTotal). Members
// identical to the tag leave nothing behind but a count, so memory does not
// grow with the release. If the root guessed from the first member turns
// out wrong (no single top-level directory), the archive is walked again.
func (p *pipeline) walk(ctx context.Context) error {
	o := &p.o
	hasher := sha256.New()
	needSHA := p.report.Tarball.SHA256 == ""
	shaDone := make(chan error, 1)
	if needSHA {
		go func() {
			f, err := os.Open(p.tarPath)
			if err != nil {
				shaDone <- err
				return
			}
			defer f.Close()
			_, err = io.Copy(hasher, f)
			shaDone <- err
		}()
	}
	res, err := p.walkOnce(ctx, "", false)
	if err == nil {
		actualRoot := ""
		if res.HasRoot {
			actualRoot = res.Root
		}
		if actualRoot != p.root {
			o.logf("archive root is %q, not %q as its first member suggested; reading it again", actualRoot, p.root)
			res, err = p.walkOnce(ctx, actualRoot, true)
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, archive.ErrCorrupt) || errors.Is(err, archive.ErrLimit) || errors.Is(err, archive.ErrNeedFile) {
			return Errorf(KindInput, "%s: %w", filepath.Base(p.o.Tarball), err)
		}
		return Errorf(KindInput, "reading %s: %w", filepath.Base(p.o.Tarball), err)
	}
	p.arch = res
	r := p.report
	r.Tarball.Format = string(res.Format)
	r.Tarball.UnpackedBytes = res.UnpackedBytes
	if res.HasRoot {
		root := res.Root
		r.Tarball.Root = &root
	}
	if needSHA {
		if err := <-shaDone; err != nil {
			return Errorf(KindInput, "hashing tarball: %v", err)
		}
		r.Tarball.SHA256 = hex.EncodeToString(hasher.Sum(nil))
	}
	p.compareAll()
	return nil
}

// walkOnce is one pass over the archive. With rootKnown, root is the
// release root; otherwise it is guessed from the first member.
func (p *pipeline) walkOnce(ctx context.Context, root string, rootKnown bool) (*archive.Result, error) {
	o := &p.o
	p.tar = make(map[string]*tarFile, 1024)
	p.binaryPaths = map[string]string{}
	p.identical = 0
	p.git.each(func(g *gitFile) { g.seen, g.identical = false, false })
	p.root = root
	var kept int64
	if pr := o.Progress; pr != nil {
		pr.Start("archive", p.report.Tarball.Size)
		defer pr.Done()
	}
	aopts := p.archiveOptions(o.KeepBytes)
	if pr := o.Progress; pr != nil {
		aopts.Progress = progressAdder(pr)
	}
	return archive.WalkFile(ctx, p.tarPath, aopts, func(e *archive.Entry) error {
		if e.Type == archive.TypeDir || e.Type == archive.TypeOther {
			if !rootKnown {
				p.root, rootKnown = firstComponent(e.Path, e.Type == archive.TypeDir), true
			}
			return nil
		}
		if !rootKnown {
			p.root, rootKnown = firstComponent(e.Path, false), true
		}
		rel := memberKey(p.root, e.Path)
		if e.Content != nil && e.Type != archive.TypeSymlink {
			if kind := binaryKind(e.Content); kind != "" {
				p.binaryPaths[rel] = kind
			}
		}
		g := p.git.get(rel)
		t := p.tar[rel]
		if t == nil && g != nil && !g.seen && g.id == e.BlobID && g.mode == e.GitMode && !strings.HasPrefix(rel, strayPrefix) {
			g.seen, g.identical = true, true // identical: nothing kept
			p.identical++
			return nil
		}
		if g != nil && g.identical {
			// A duplicate of a member counted identical: the last one wins.
			g.identical = false
			p.identical--
		}
		if t == nil {
			t = &tarFile{stray: strings.HasPrefix(rel, strayPrefix)}
			p.tar[rel] = t
		} else if t.content != nil {
			kept -= int64(len(t.content))
			t.content = nil
		}
		t.typ, t.gitMode, t.id, t.size, t.link = e.Type, e.GitMode, e.BlobID, e.Size, e.LinkTarget
		t.status, t.missing = "", false
		if g != nil && g.id == t.id && g.mode == t.gitMode && !t.stray {
			return nil // a duplicate that is identical after all; compareAll counts it
		}
		// Differs (or only in the tarball): keep content for classification.
		if e.Content != nil {
			if kept+int64(len(e.Content)) <= MaxKeptTotal {
				t.content = bytes.Clone(e.Content)
				kept += int64(len(e.Content))
			} else {
				t.missing = true
			}
		}
		return nil
	})
}

// firstComponent guesses the release root from the first member.
func firstComponent(name string, isDir bool) string {
	if i := strings.IndexByte(name, '/'); i > 0 {
		return name[:i]
	}
	if isDir && name != "." && name != "" {
		return name
	}
	return ""
}

// tarMember returns the tarball member at rel, including members identical
// to the tag (which pipeline.tar does not hold), or nil.
func (p *pipeline) tarMember(rel string) *tarFile {
	if t := p.tar[rel]; t != nil {
		return t
	}
	if g := p.git.get(rel); g != nil && g.identical {
		return &tarFile{id: g.id, gitMode: g.mode, typ: archive.TypeRegular}
	}
	return nil
}

// compareAll assigns a status to every member not already counted
// identical, and counts both sides.
func (p *pipeline) compareAll() {
	s := &p.report.Summary
	s.TarballFiles = p.identical + len(p.tar)
	if p.arch != nil && p.arch.Entries > s.TarballFiles {
		// Duplicate members are entries too (counting rule: as tar lists them).
		s.TarballFiles = p.arch.Entries
	}
	s.Identical = p.identical
	for rel, t := range p.tar {
		g := p.git.get(rel)
		switch {
		case g == nil || t.stray:
			t.status = OnlyInTarball
			s.OnlyInTarball++
			continue
		}
		g.seen = true
		tarLink := t.gitMode == archive.GitModeSymlink
		gitLink := g.mode == 0o120000
		switch {
		case g.mode == 0o160000 || tarLink != gitLink:
			t.status = TypeDiffers
			s.TypeDiffers++
		case g.id != t.id:
			t.status = ContentDiffers
			s.ContentDiffers++
		case g.mode != t.gitMode:
			t.status = ModeDiffers
			s.ModeDiffers++
		default:
			t.status = ""
			s.Identical++
		}
	}
	p.git.each(func(g *gitFile) {
		if !g.seen {
			s.OnlyInGit++
		}
	})
}

// gatherBatch re-reads the archive for the contents of the given members
// that were not kept in the first pass, up to MaxKeptTotal bytes (at least
// one member), and returns how many it found.
func (p *pipeline) gatherBatch(ctx context.Context, rels []string) (int, error) {
	want := make(map[string]*tarFile, len(rels))
	for _, rel := range rels {
		want[rel] = p.tar[rel]
	}
	var kept int64
	got := 0
	_, err := archive.WalkFile(ctx, p.tarPath, p.archiveOptions(p.o.KeepBytes), func(e *archive.Entry) error {
		if e.Content == nil {
			return nil
		}
		rel := memberKey(p.root, e.Path)
		t := want[rel]
		if t == nil || t.id != e.BlobID || t.content != nil {
			return nil
		}
		if got > 0 && kept+int64(len(e.Content)) > MaxKeptTotal {
			return nil
		}
		t.content = bytes.Clone(e.Content)
		kept += int64(len(e.Content))
		got++
		return nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return 0, Errorf(KindInput, "re-reading %s: %w", filepath.Base(p.o.Tarball), err)
	}
	return got, nil
}

// binaryKind reports whether content looks like binary data (NUL bytes or a
// known magic number) and names the kind.
func binaryKind(content []byte) string {
	if len(content) == 0 {
		return ""
	}
	head := content
	if len(head) > 8000 {
		head = head[:8000]
	}
	if bytes.IndexByte(head, 0) < 0 && !hasMagic(head) {
		return ""
	}
	if ok, kind := autotools.IsBinary(content); ok {
		if kind == "" {
			kind = "binary"
		}
		return kind
	}
	return ""
}

func hasMagic(b []byte) bool {
	for _, m := range [][]byte{{0xfd, '7', 'z', 'X', 'Z', 0}, {0x1f, 0x8b}, {'B', 'Z', 'h'}, {0x28, 0xb5, 0x2f, 0xfd}, {0x5d, 0, 0}, {0x7f, 'E', 'L', 'F'}, {'P', 'K', 3, 4}, {'7', 'z', 0xbc, 0xaf}} {
		if bytes.HasPrefix(b, m) {
			return true
		}
	}
	return false
}

// sortReport orders files by path and findings by severity (highest first), then path.
func sortReport(r *Report) {
	sort.Slice(r.Files, func(i, j int) bool { return r.Files[i].Path < r.Files[j].Path })
	sort.SliceStable(r.Findings, func(i, j int) bool {
		a, b := r.Findings[i], r.Findings[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		// Macro inputs before what is generated from them: in an xz-style
		// release the tampered m4 file is the cause, configure the effect.
		if ai, bi := isMacroInput(a.Path), isMacroInput(b.Path); ai != bi {
			return ai
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Rule < b.Rule
	})
}

// isMacroInput reports an m4 macro file other than the generated aclocal.m4.
func isMacroInput(p string) bool {
	return strings.HasSuffix(p, ".m4") && path.Base(p) != "aclocal.m4"
}

// cacheDir is dir, or the user's cache directory when dir is "", created.
func cacheDir(dir string) (string, error) {
	if dir == "" {
		d, err := fetch.DefaultCacheDir()
		if err != nil {
			return "", Errorf(KindEnvironment, "no cache directory: %v", err)
		}
		dir = d
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", Errorf(KindEnvironment, "cache directory: %v", err)
	}
	return dir, nil
}

// Tags lists the tags of the repository o.Git, opened as Run opens it (in
// o.CacheDir, offline when o.Offline).
func Tags(ctx context.Context, o Options) ([]string, error) {
	dir, err := cacheDir(o.CacheDir)
	if err != nil {
		return nil, err
	}
	repo, err := gitsrc.Open(ctx, o.Git, gitsrc.Options{CacheDir: dir, Offline: o.Offline, Logf: o.Logf})
	if err != nil {
		return nil, gitErr(err)
	}
	tags, err := repo.Tags(ctx)
	return tags, gitErr(err)
}
