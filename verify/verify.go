// Package verify is tarcheck's pipeline: it resolves a release tarball and a
// git tag, verifies their signatures, streams the archive once while
// comparing every member with the tag's tree, classifies each difference and
// returns a Report with a verdict.
//
// Nothing here prints or exits; the CLI in cmd/tarcheck renders the Report
// and maps errors to exit codes (see ExitCode).
package verify

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime/trace"
	"sort"
	"strings"
	"time"

	"github.com/tarcheck/tarcheck/autotools"
	"github.com/tarcheck/tarcheck/internal/pathidx"
	"github.com/tarcheck/tarcheck/internal/profile"
	"github.com/tarcheck/tarcheck/verify/archive"
	"github.com/tarcheck/tarcheck/verify/compare"
	"github.com/tarcheck/tarcheck/verify/fetch"
	"github.com/tarcheck/tarcheck/verify/gitsrc"
	"github.com/tarcheck/tarcheck/verify/report"
	"github.com/tarcheck/tarcheck/verify/trust"
)

// Run verifies one release and returns its report. An error means no report
// could be made; a failing verdict is not an error.
func Run(ctx context.Context, o Options) (*report.Report, error) {
	if o.Sources.Tarball == "" {
		return nil, Errorf(KindUsage, "no tarball given")
	}
	if o.Sources.Git == "" {
		return nil, Errorf(KindUsage, "no git repository given")
	}
	o.withPolicy()
	dir, err := cacheDir(o.Sources.CacheDir)
	if err != nil {
		return nil, err
	}
	o.Sources.CacheDir = dir
	p := &pipeline{o: o}
	return p.run(ctx)
}

// pipeline holds the state of one Run.
type pipeline struct {
	o Options

	fetcher *fetch.Fetcher
	tarPath string // local path of the tarball (maybe in the cache)
	repo    *gitsrc.Repo
	tag     *gitsrc.Tag
	report  *report.Report
	// format is the repository's object format ("sha1" or "sha256").
	format string

	git *compare.Index  // the tag's tree
	cmp *compare.Result // the archive compared with it
	// gitRoot is the tag's whole tree when git is its directory subtree
	// (a crate of a workspace, see crateSubtree).
	gitRoot *compare.Index
	subtree string

	material *trust.Material // the signature material (step 3), for step 9

	dl download // the download under way, for Progress
	// gnulibM4 holds the pinned gnulib commit's copies of the m4 files only
	// in the tarball, by base name (for --rebuild's inputs).
	gnulibM4 map[string][]byte
	// gnulibPin is the gnulib commit the tag pins when it could be read
	// (for --rebuild's gnulib bootstrap).
	gnulibPin *gnulibPin
	// releaseLibtool is the VERSION line of the tarball's ltmain.sh
	// (read while classifying, for --rebuild).
	releaseLibtool string
	// ahead is the previous-release git work running in the background
	// (nil when not started); serial starts none (tests compare both).
	ahead   *previousAhead
	attrs   *attributesAhead
	index   *indexAhead
	sandbox *sandboxAhead
	// sigCheck is step 3's check running while the archive streams (nil
	// once joined, or when serial); tarSum is the tarball's sha256, the one
	// owner of it (step 1 sets it up): computed once for that check and
	// the report.
	sigCheck *sigCheck
	tarSum   *tarballSum
	// opened is the tarball opened in step 1 with its decoding started
	// (nil when serial or not openable), for the comparison to walk.
	opened *archive.File
	// endBlobs ends the cat-file process the run's readers share
	// (gitsrc.Repo.ShareBlobs), once the work in the background is over.
	endBlobs func() error
	// prescan scans the differing build scripts the comparison keeps as
	// they arrive (autotools.FlowPrescan.Early), on the core the decoder
	// leaves idle; step 7 gives it the rest. earlyPhase ends the scans'
	// GC setting (profile.ScanPhase) begun with the first. Nil when serial
	// or on one core.
	prescan    *autotools.FlowPrescan
	earlyPhase func()
	// decodeBuffers is what the archive's decoder holds while it is
	// walked (archive.File.DecodeBuffers), for the early scans' memory;
	// earlyLarge: build scripts over autotools.MaxPrescanBytes are also
	// scanned while the archive is read (its decoder holds little).
	decodeBuffers int64
	earlyLarge    bool
	serial        bool
}

func (p *pipeline) run(ctx context.Context) (*report.Report, error) {
	p.report = newReport(&p.o)
	// Each step is a region of --exectrace's trace (bench/), under its name.
	steps := []struct {
		name string
		run  func(context.Context) error
	}{
		{"1 tarball", p.resolveTarball}, // the tarball: a local file, or downloaded into the cache
		{"2 tag", p.resolveTag},         // the repository and the tag (inferred when not given)
		{"3 signatures", p.signatures},  // material gathered, then checked (verify/trust)
		{"4 index", p.indexGit},         // the tag's tree
		{"5 compare", p.compare},        // 5, 6. one pass over the archive against the tree (verify/compare)
		{"7 explain", p.explain},        // every difference classified (verify/explain)
		{"8 rebuild", p.rebuild},        // --rebuild: the generated files regenerated (verify/rebuild)
		{"9 previous", p.previous},      // the previous release: drift and signers since (verify/history)
	}
	defer func() {
		if c := p.sigCheck; c != nil {
			<-c.done // a step before the comparison failed
		}
		if p.opened != nil {
			p.opened.Close() // a step before the comparison failed
		}
		p.index.wait()
		p.sandbox.wait()
		p.prescan.Close() // a step before the classification failed
		if p.earlyPhase != nil {
			p.earlyPhase()
		}
		p.ahead.stop()
		p.attrs.stop()
		if p.endBlobs != nil {
			_ = p.endBlobs()
		}
	}()
	for _, step := range steps {
		region := trace.StartRegion(ctx, step.name)
		err := step.run(ctx)
		region.End()
		if err != nil {
			return nil, err
		}
	}
	// 10. Policy and verdict.
	r := p.report
	if p.o.Policy != nil {
		p.o.Policy.Apply(r)
	}
	r.Findings = report.FoldSignerFindings(r.Findings)
	sortReport(r)
	r.Decide()
	return r, nil
}

// newReport is the report before any step: its sources, and a note for
// each one fetched without authentication.
func newReport(o *Options) *report.Report {
	r := &report.Report{
		Schema:     report.Schema,
		Tool:       report.Tool{Name: "tarcheck", Version: o.Output.ToolVersion},
		Signatures: []report.Signature{},
		Files:      []report.FileDiff{},
		Findings:   []report.Finding{},
		FailOn:     o.Output.FailOn,
	}
	r.Tarball.Source = o.Sources.Tarball
	r.Git.Source = o.Sources.Git
	for _, in := range []struct{ what, src string }{{"tarball", o.Sources.Tarball}, {"git repository", o.Sources.Git}} {
		if strings.HasPrefix(in.src, "http://") || strings.HasPrefix(in.src, "git://") {
			r.Notes = append(r.Notes, fmt.Sprintf("the %s is fetched over an unauthenticated transport (%s): only the signatures vouch for it",
				in.what, strings.SplitN(in.src, ":", 2)[0]))
		}
	}
	return r
}

// resolveTag opens the repository and resolves the tag (step 2).
func (p *pipeline) resolveTag(ctx context.Context) error {
	o, r := &p.o, p.report
	repo, err := gitsrc.Open(ctx, o.Sources.Git, gitsrc.Options{CacheDir: o.Sources.CacheDir, Offline: o.Sources.Offline, Logf: o.Output.Logf})
	if err != nil {
		return gitErr(err)
	}
	p.repo = repo
	p.endBlobs = repo.ShareBlobs(ctx)
	name := o.Sources.Tag
	if name == "" {
		if name, err = p.inferTag(ctx); err != nil {
			return err
		}
		o.logf("inferred tag %s", name)
	}
	tag, err := repo.Resolve(ctx, name)
	if err != nil {
		if o.Sources.Tag != "" && errors.Is(err, ErrTagNotFound) {
			if guess, ierr := p.inferTag(ctx); ierr == nil && guess != name {
				return Errorf(KindInput, "--tag %s: %w in %s; this release's tag looks like %s (omit --tag to infer it)", name, ErrTagNotFound, o.Sources.Git, guess)
			}
		}
		return gitErr(err)
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
	p.startIndexAhead(ctx)    // step 4's git ls-tree, while step 3 checks the signatures
	p.startPreviousAhead(ctx) // step 9's git work, while the archive streams
	return nil
}

func (p *pipeline) resolveTarball(ctx context.Context) error {
	o := &p.o
	if fetch.IsURL(o.Sources.Tarball) {
		f, err := p.get(ctx, o.Sources.Tarball)
		if err != nil {
			return err
		}
		p.tarPath = f.Path
		p.report.Tarball.SHA256 = f.SHA256
		p.report.Tarball.Size = f.Size
		p.tarballResolved()
		return nil
	}
	fi, err := os.Stat(o.Sources.Tarball)
	if err != nil {
		return fileError(KindInput, "tarball", err)
	}
	if !fi.Mode().IsRegular() {
		return Errorf(KindInput, "%s is not a regular file", o.Sources.Tarball)
	}
	p.tarPath = o.Sources.Tarball
	p.report.Tarball.Size = fi.Size()
	p.tarballResolved()
	return nil
}

// tarballResolved sets up what the local tarball gives the later steps: its
// sha256, computed once for the signature check (step 3) and the report
// (step 5), whichever asks first (the download's when it was fetched), and
// its decoding begun (openAhead).
func (p *pipeline) tarballResolved() {
	p.tarSum = &tarballSum{path: p.tarPath, known: p.report.Tarball.SHA256}
	p.openAhead()
}

// openAhead opens the tarball and starts decoding it (an .xz file's
// decoder runs ahead into the buffers the walk will read), so that
// resolving the tag and listing its tree overlap the decompression, the
// comparison's critical path: grep 3.11's one-block .xz was decoding only
// 49 ms into the comparison step, after the tree listing (24 ms) and with
// both cores taken by the work started in the background. A tarball that
// cannot be opened is left to the comparison, which reports it.
func (p *pipeline) openAhead() {
	if p.serial {
		return
	}
	a, err := archive.OpenFile(p.tarPath, archive.Options{Limits: p.o.Limits.archive()})
	if err != nil {
		return
	}
	a.StartDecoding()
	p.opened = a
}

func (p *pipeline) getFetcher() (*fetch.Fetcher, error) {
	if p.fetcher != nil {
		return p.fetcher, nil
	}
	opts := fetch.Options{CacheDir: p.o.Sources.CacheDir, MaxSize: p.o.Limits.MaxDownload, Offline: p.o.Sources.Offline,
		UserAgent: "tarcheck/" + p.o.Output.ToolVersion, Logf: p.o.Output.Logf}
	if p.o.Output.Progress != nil {
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
	pr := p.o.Output.Progress
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
	pr, d := p.o.Output.Progress, &p.dl
	if !d.started || done < d.last {
		pr.Start(d.name, total)
		d.started, d.last = true, 0
	}
	if done > d.last {
		pr.Add(done - d.last)
		d.last = done
	}
}

// indexGit lists the tag's tree.
func (p *pipeline) indexGit(ctx context.Context) error {
	var format string
	var idx *compare.Index
	var err error
	if a := p.index.wait(); a != nil {
		format, idx, err = a.format, a.idx, a.err
	} else {
		format, idx, err = listTag(ctx, p.repo, p.tag)
	}
	if err != nil {
		if serr := p.joinSignatures(); serr != nil {
			return serr // step 3's error first, as when it ran alone
		}
		return err
	}
	p.format = format
	p.git = idx
	p.report.Summary.GitFiles = p.git.Len()
	if p.sigCheck == nil {
		p.allowedSignersNote() // else once the check is joined
	}
	p.startAttributesAhead(ctx) // read into an index while the archive streams
	p.startSandboxAhead(ctx)    // the tag rules' sandbox probed meanwhile
	return nil
}

// listTag is step 4's git work: the repository's object format and the
// tag's tree as a comparison index.
func listTag(ctx context.Context, repo *gitsrc.Repo, tag *gitsrc.Tag) (string, *compare.Index, error) {
	format, err := repo.ObjectFormat(ctx)
	if err != nil {
		return "", nil, gitErr(err)
	}
	idx, err := treeIndex(ctx, repo, tag)
	return format, idx, err
}

// treeIndex lists the tree of tag into a comparison index. The index holds
// the first 20 bytes of an id: all of a sha1 id, a prefix of a sha256 one
// (the archive side computes the same).
func treeIndex(ctx context.Context, repo *gitsrc.Repo, tag *gitsrc.Tag) (*compare.Index, error) {
	idx := compare.NewIndex()
	err := repo.ListTree(ctx, tag.Tree, func(e gitsrc.TreeEntry) error {
		var id [20]byte
		if len(e.ID) != 40 && len(e.ID) != 64 {
			return fmt.Errorf("ls-tree: bad object id %q", e.ID)
		}
		if _, err := hex.Decode(id[:], []byte(e.ID[:40])); err != nil {
			return fmt.Errorf("ls-tree: bad object id %q", e.ID)
		}
		if idx.ArenaBytes()+len(e.Path) > pathidx.MaxArena {
			return fmt.Errorf("ls-tree: more than %d bytes of path names", pathidx.MaxArena)
		}
		idx.Add(e.Path, e.Mode, id)
		return nil
	})
	if err != nil {
		return nil, gitErr(fmt.Errorf("listing tree of %s: %w", tag.Name, err))
	}
	return idx, nil
}

// allowedSignersNote says, when the tag's SSH signature could not be
// checked for want of an allowed-signers file, that the tag's tree has one.
func (p *pipeline) allowedSignersNote() {
	if p.o.Trust.AllowedSigners != "" {
		return
	}
	unverified := false
	for _, s := range p.report.Signatures {
		unverified = unverified || s.Subject == "tag" && s.Kind == "ssh" && s.Status == "unverifiable"
	}
	if !unverified {
		return
	}
	for _, name := range []string{".git_allowed_signers", "allowed_signers", ".github/allowed_signers"} {
		if p.git.Get(name) != nil {
			p.report.Notes = append(p.report.Notes, fmt.Sprintf("the tag's tree has %s: after checking it with upstream (it comes with the release, so it cannot vouch for it), pass it as --allowed-signers to verify the tag's SSH signature", name))
			return
		}
	}
}

// compare streams the archive once, comparing every member with the tag.
func (p *pipeline) compare(ctx context.Context) error {
	r := p.report
	if !p.serial {
		// Hashed beside the walk, once for the report and the signature
		// check, whichever asks first.
		go p.tarSum.get()
	}
	var kept func(rel string, content []byte, mode uint32, inTag bool)
	if !p.serial {
		p.prescan = autotools.NewFlowPrescan(0)
	}
	if p.prescan != nil {
		kept = p.scanEarly
		// A large script's syntax tree (tens of MiB for a 2 MB configure)
		// held beside the decoder's buffers (a one-block .xz holds its
		// whole block: coreutils 9.7's 60 MiB) would raise the peak above
		// the classification's (coreutils: 170 -> 195-220 MiB); there it
		// waits for the walk's end, as before.
		p.decodeBuffers = archive.DefaultBlockMemory
		if p.opened != nil {
			p.decodeBuffers = p.opened.DecodeBuffers()
		}
		p.earlyLarge = p.decodeBuffers <= earlyLargeScanBuffers
	}
	res, err := compare.Run(ctx, p.tarPath, p.git, compare.Options{Limits: p.o.Limits.archive(), KeepBytes: p.o.Limits.KeepBytes,
		Size: r.Tarball.Size, Progress: p.o.Output.Progress, Logf: p.o.Output.Logf,
		ObjectFormat: p.format, Opened: p.opened, Kept: kept})
	p.opened = nil // compare.Run closed it
	if serr := p.joinSignatures(); serr != nil {
		return serr // step 3's outcome before the comparison's
	}
	if err != nil {
		return archiveErr(ctx, "reading", filepath.Base(p.o.Sources.Tarball), err)
	}
	if res, err = p.crateSubtree(ctx, res); err != nil {
		return err
	}
	p.cmp = res
	r.Summary = res.Summary
	if s := res.Summary; max(s.TarballFiles, s.GitFiles) >= 10 && s.Identical*10 < max(s.TarballFiles, s.GitFiles) {
		r.Notes = append(r.Notes, fmt.Sprintf("only %d of %d files match the tag %s: this is probably not the source of this tarball (check --git and --tag)",
			s.Identical, max(s.TarballFiles, s.GitFiles), r.Git.Tag))
	}
	r.Tarball.Format = string(res.Archive.Format)
	r.Tarball.UnpackedBytes = res.Archive.UnpackedBytes
	if res.Archive.HasRoot {
		root := res.Archive.Root
		r.Tarball.Root = &root
	}
	if r.Tarball.SHA256 == "" {
		sum, err := p.tarSum.get()
		if err != nil {
			return err
		}
		r.Tarball.SHA256 = hex.EncodeToString(sum)
	}
	p.gitArchive()
	return nil
}

// earlyLargeScanBuffers is the most the decoder may hold in buffers for
// the large build scripts to be scanned during the walk (grep 3.11's
// one-block .xz: 13.5 MiB, same peak RSS either way).
const earlyLargeScanBuffers = 16 << 20

// scanEarly queues a differing member the comparison kept for its
// build-script scan while the archive is still read (compare.Options.Kept,
// on the walk's goroutine). The first scan queued raises the GC target
// (profile.ScanPhase: a shell parse makes garbage at a rate the walk's
// tight target would collect every few MiB) and the soft memory limit
// only as far as the decoder's buffers leave room under the
// classification's, so that heap and buffers together stay within it.
func (p *pipeline) scanEarly(rel string, content []byte, mode uint32, inTag bool) {
	if !p.earlyLarge && len(content) > autotools.MaxPrescanBytes {
		return
	}
	status := report.OnlyInTarball
	if inTag {
		status = report.ContentDiffers
	}
	in := autotools.Input{Path: rel, Status: string(status), Tarball: content, TarballMode: mode}
	if p.prescan.Early(in, p.o.Sources.M4DB) && p.earlyPhase == nil {
		p.earlyPhase = profile.ScanPhase(p.decodeBuffers)
	}
}

// gitArchive records the commit a git archive tarball embeds: the tag's
// (a line in the report) or another one (a critical finding).
func (p *pipeline) gitArchive() {
	r, c := p.report, p.cmp.Archive.GitCommit
	if c == "" {
		return
	}
	r.GitArchive = &report.GitArchiveInfo{Commit: c, MatchesTag: strings.EqualFold(c, p.tag.Commit)}
	if !r.GitArchive.MatchesTag {
		r.Findings = append(r.Findings, report.Finding{Rule: report.RuleGitArchiveOtherCommit, Severity: report.SevCritical,
			Message: fmt.Sprintf("tarball is a git archive of commit %s, not the tag's commit %s", c, p.tag.Commit)})
	}
}

// sortReport orders files by path and findings by severity (highest first), then path.
func sortReport(r *report.Report) {
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

// cacheDirName is dir, or the user's cache directory when dir is "".
func cacheDirName(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	d, err := fetch.DefaultCacheDir()
	if err != nil {
		return "", Errorf(KindEnvironment, "no cache directory: %v", err)
	}
	return d, nil
}

// cacheDir is cacheDirName(dir), created.
func cacheDir(dir string) (string, error) {
	dir, err := cacheDirName(dir)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", Errorf(KindEnvironment, "cache directory: %v", err)
	}
	return dir, nil
}

// Tags lists the tags of the repository o.Sources.Git, opened as Run opens it (in
// o.Sources.CacheDir, offline when o.Sources.Offline).
func Tags(ctx context.Context, o Options) ([]string, error) {
	dir, err := cacheDir(o.Sources.CacheDir)
	if err != nil {
		return nil, err
	}
	repo, err := gitsrc.Open(ctx, o.Sources.Git, gitsrc.Options{CacheDir: dir, Offline: o.Sources.Offline, Logf: o.Output.Logf})
	if err != nil {
		return nil, gitErr(err)
	}
	tags, err := repo.Tags(ctx)
	return tags, gitErr(err)
}
