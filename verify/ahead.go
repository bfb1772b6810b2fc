package verify

import (
	"bytes"
	"context"
	"sync"

	"github.com/tarcheck/tarcheck/sandbox"
	"github.com/tarcheck/tarcheck/verify/compare"
	"github.com/tarcheck/tarcheck/verify/explain"
	"github.com/tarcheck/tarcheck/verify/gitsrc"
	"github.com/tarcheck/tarcheck/verify/history"
)

// previousAhead is the git work of the previous-release analysis (step 9),
// started as soon as the tag is resolved so that it runs while the archive
// streams and the differences are classified: which tag is the previous
// release, and what changed in git since (driftGit). Step 9 takes the
// results; what depends on the findings stays in step 9. Only for a local
// repository (gitsrc.Repo.Twin): a remote one fetches as it resolves.
type previousAhead struct {
	done   chan struct{}
	cancel context.CancelFunc

	prev    *gitsrc.Tag
	prevErr error
	git     driftGit
	gitErr  error
	// blobs is a cat-file process started for drift's blob reads (nil when
	// it could not start: drift then starts its own), until taken.
	blobs *gitsrc.Blobs
	// content is what drift reads from the blobs (nil when the tag's
	// index was not listed ahead with whole ids, or the blobs did not
	// open: drift then reads it).
	content *history.DriftContent
}

// startPreviousAhead starts the previous-release git work in the
// background, when step 9 will run and the repository allows it.
func (p *pipeline) startPreviousAhead(ctx context.Context) {
	spec := p.o.History.Previous
	if spec == gitsrc.PreviousNone || p.serial || p.repo == nil || p.tag == nil {
		return
	}
	repo, ok := p.repo.Twin()
	if !ok {
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	a := &previousAhead{done: make(chan struct{}), cancel: cancel}
	tag, index := p.tag, p.index
	go func() {
		defer close(a.done)
		a.prev, a.prevErr = previousTagOf(ctx, repo, tag, spec)
		if a.prevErr == nil && a.prev != nil {
			a.git, a.gitErr = readDriftGitConcurrently(ctx, repo, a.prev, tag)
		}
		if a.gitErr == nil && a.prev != nil {
			a.blobs, _ = repo.OpenBlobs(ctx)
		}
		// The blob reads of the drift (gawk 5.2.1: 1,600 test and build
		// files, once a binary file changed) need no finding: they run
		// now, beside the comparison and the classification, rather than
		// after them.
		if ia := index.wait(); a.blobs != nil && ia != nil && ia.err == nil && ia.format == "sha1" && ctx.Err() == nil {
			a.content = history.ReadDriftContent(history.DriftInput{Changes: a.git.changes, Tree: treeEntries(ia.idx), Blobs: a.blobs})
		}
	}()
	p.ahead = a
}

// driftContent hands over the drift's blob reads made ahead for prev,
// nil when there are none.
func (a *previousAhead) driftContent(prev *gitsrc.Tag) *history.DriftContent {
	if a = a.wait(); a == nil || a.prev != prev {
		return nil
	}
	return a.content
}

// wait returns the finished work, nil when none was started.
func (a *previousAhead) wait() *previousAhead {
	if a == nil {
		return nil
	}
	<-a.done
	return a
}

// takeBlobs hands over the blob reader started for prev's drift (nil when
// there is none); the caller closes it.
func (a *previousAhead) takeBlobs(prev *gitsrc.Tag) *gitsrc.Blobs {
	if a = a.wait(); a == nil || a.prev != prev {
		return nil
	}
	b := a.blobs
	a.blobs = nil
	return b
}

// stop cancels the work if it still runs and waits for it to end, and
// closes a blob reader not taken (nothing outlives the run).
func (a *previousAhead) stop() {
	if a == nil {
		return
	}
	a.cancel()
	<-a.done
	if a.blobs != nil {
		_ = a.blobs.Close()
	}
}

// attributesAhead is the tag's tree read into a throwaway index for git
// check-attr (gitsrc.PrepareAttributes), started once the tree is listed so
// that it runs while the archive streams; explain then asks only about the
// paths that differ. Only for a local repository with a .gitattributes.
type attributesAhead struct {
	done chan struct{}
	idx  *gitsrc.AttrIndex
	err  error
}

// startAttributesAhead prepares the attribute index in the background.
func (p *pipeline) startAttributesAhead(ctx context.Context) {
	if p.serial || !explain.HasGitattributes(p.git) {
		return
	}
	repo, ok := p.repo.Twin()
	if !ok {
		return
	}
	a := &attributesAhead{done: make(chan struct{})}
	tree, dir := p.tag.Tree, p.o.Sources.CacheDir
	go func() {
		defer close(a.done)
		a.idx, a.err = repo.PrepareAttributes(ctx, tree, dir)
	}()
	p.attrs = a
}

// wait returns the prepared index (nil and the error when it failed); nil,
// nil when none was started.
func (a *attributesAhead) wait() (*gitsrc.AttrIndex, error) {
	if a == nil {
		return nil, nil
	}
	<-a.done
	return a.idx, a.err
}

// stop waits for the preparation and removes the index.
func (a *attributesAhead) stop() {
	if idx, _ := a.wait(); idx != nil {
		_ = idx.Close()
	}
}

// readDriftGitConcurrently is readDriftGit with its three independent git
// reads at once, each on its own twin of repo: the tree diff, the log
// between the tags, and the releases before prev (earlier needs them only
// when a build file changed; reading them anyway costs a few merge-bases).
// Its result and its error are readDriftGit's: errors are taken in
// readDriftGit's order, and one that readDriftGit would not have met
// (the older releases, when no build file changed) is dropped.
func readDriftGitConcurrently(ctx context.Context, repo *gitsrc.Repo, prev, tag *gitsrc.Tag) (driftGit, error) {
	twin := func() *gitsrc.Repo {
		t, ok := repo.Twin()
		if !ok {
			return nil
		}
		return t
	}
	diffRepo, logRepo := twin(), twin()
	if diffRepo == nil || logRepo == nil {
		return readDriftGit(ctx, repo, prev, tag)
	}
	var g driftGit
	var diffErr, logErr, olderErr error
	var from string
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		g.changes, diffErr = diffRepo.DiffTrees(ctx, prev.Tree, tag.Tree)
	}()
	go func() {
		defer wg.Done()
		g.commits, logErr = logRepo.Log(ctx, prev.Commit, tag.Commit, nil)
	}()
	from, olderErr = olderCommit(ctx, repo, prev)
	wg.Wait()
	if diffErr != nil {
		return driftGit{}, diffErr
	}
	if logErr != nil {
		return driftGit{}, logErr
	}
	paths := history.BuildPaths(g.changes)
	if len(paths) == 0 {
		return g, nil
	}
	if olderErr != nil {
		return driftGit{}, olderErr
	}
	var err error
	if g.earlier, err = repo.Log(ctx, from, prev.Commit, paths); err != nil {
		return driftGit{}, err
	}
	return g, nil
}

// indexAhead is the tag's tree listed (step 4's git ls-tree) while the
// signatures are checked (step 3), on a twin of a local repository:
// two independent waits, one on git and one on the CPU, side by side.
// Step 4 takes the result, so an error still surfaces there, after the
// signatures' own.
type indexAhead struct {
	done   chan struct{}
	format string
	idx    *compare.Index
	err    error
}

// startIndexAhead lists the tree in the background once the tag is
// resolved, when the repository allows it.
func (p *pipeline) startIndexAhead(ctx context.Context) {
	if p.serial {
		return
	}
	repo, ok := p.repo.Twin()
	if !ok {
		return
	}
	a := &indexAhead{done: make(chan struct{})}
	tag := p.tag
	go func() {
		defer close(a.done)
		a.format, a.idx, a.err = listTag(ctx, repo, tag)
	}()
	p.index = a
}

// wait returns the finished listing, nil when none was started.
func (a *indexAhead) wait() *indexAhead {
	if a == nil {
		return nil
	}
	<-a.done
	return a
}

// sandboxAhead is the sandbox the tag rules will run in, probed (a
// sandboxed `true`: 25 ms alone, 160 ms beside the classification of a
// GNU release, on two cores) while the archive streams, when the tag has
// a makefile whose rules may be asked for; the tag rules take it.
type sandboxAhead struct {
	done    chan struct{}
	backend string
	runner  sandbox.Runner
	err     error
}

// startSandboxAhead probes the tag rules' sandbox backend in the
// background once the tag's tree is listed.
func (p *pipeline) startSandboxAhead(ctx context.Context) {
	if p.serial || p.o.Rebuild.NoTagRules || p.o.Rebuild.Runner != nil || !hasMakefile(p.git) {
		return
	}
	a := &sandboxAhead{done: make(chan struct{}), backend: p.o.Rebuild.Sandbox}
	if a.backend == "" {
		a.backend = sandbox.BackendAuto
	}
	go func() {
		defer close(a.done)
		a.runner, a.err = newSandbox(ctx, a.backend)
	}()
	p.sandbox = a
}

// wait returns the finished probe, nil when none was started.
func (a *sandboxAhead) wait() *sandboxAhead {
	if a == nil {
		return nil
	}
	<-a.done
	return a
}

// probed returns the finished probe when it was of backend, else nil: the
// tag rules and the rebuild take it instead of probing again.
func (a *sandboxAhead) probed(backend string) *sandboxAhead {
	if a = a.wait(); a == nil || a.backend != backend {
		return nil
	}
	return a
}

// hasMakefile reports whether the tag has a file the tag rules read
// (tagrules: Makefile.am, GNUmakefile or Makefile).
func hasMakefile(idx *compare.Index) bool {
	return idx.AnyPath(func(p []byte) bool {
		base := p[bytes.LastIndexByte(p, '/')+1:]
		return string(base) == "Makefile.am" || string(base) == "GNUmakefile" || string(base) == "Makefile"
	})
}
