package verify

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/tarcheck/tarcheck/autotools"
	"github.com/tarcheck/tarcheck/internal/profile"
	"github.com/tarcheck/tarcheck/verify/compare"
	"github.com/tarcheck/tarcheck/verify/explain"
	"github.com/tarcheck/tarcheck/verify/gitsrc"
	"github.com/tarcheck/tarcheck/verify/report"
)

// explain gathers what classification reads from the repository (the
// tag's blobs, its .gitattributes, the pinned gnulib) and explains every
// difference (step 7).
func (p *pipeline) explain(ctx context.Context) error {
	defer profile.ClassifyPhase()()
	if p.earlyPhase != nil {
		defer p.earlyPhase() // the early scans' end with the classification
	}
	// The build-script scans the comparison did not start already start
	// now, on the other core, rather than once the attributes and the
	// pinned gnulib are read: those wait on git processes (grep 3.11:
	// 46 ms before the scans began).
	var prescan *autotools.FlowPrescan
	if !p.serial {
		prescan = explain.StartPrescan(p.prescan, p.cmp, p.o.Sources.M4DB)
		defer prescan.Close() // Explain closes it too; here for the errors before it
	}
	blobs, err := p.repo.OpenBlobs(ctx)
	if err != nil {
		return gitErr(err)
	}
	defer blobs.Close()
	// Git-side content of differing files, fetched in one batch for remote repos.
	var need []string
	for rel, t := range p.cmp.Members {
		if t.Status == report.ContentDiffers || t.Status == report.TypeDiffers {
			if g := p.git.Get(rel); g != nil && g.Mode != 0o160000 {
				need = append(need, g.HexID())
			}
		}
	}
	if err := p.repo.Prefetch(ctx, p.tag.Tree, need); err != nil {
		return gitErr(err)
	}
	in := explain.Input{Compare: p.cmp, Blobs: tagBlobs{blobs}, M4DB: p.o.Sources.M4DB, Version: p.version(),
		TagTime: p.tag.CommitTime, Commit: p.tag.Commit, KeepBytes: p.cmp.KeepBytes(), TagRoot: p.gitRoot, Subtree: p.subtree}
	if p.o.Sources.M4DB != nil {
		in.Origins = p.o.Sources.M4DB.Origins() // the cache's origins.bin when built (LoadM4DB)
	}
	if in.ExportIgnore, in.ExportSubst, err = p.attributes(ctx); err != nil {
		return err
	}
	tree, unread, closeGnulib, err := p.gnulib(ctx, blobs)
	if err != nil {
		return err
	}
	defer closeGnulib()
	if tree != nil {
		in.Gnulib, in.GnulibTree = tree.Read, tree
	}
	in.GnulibUnread = unread
	sub, closeSubs := p.submoduleReader(ctx, blobs)
	defer closeSubs()
	in.Submodule = func(path, commit string) *explain.GnulibTree {
		if tree != nil && tree.Commit == commit {
			return tree // the pinned gnulib, already read
		}
		return sub(path, commit)
	}
	in.Reproduce = p.tagRules(blobs)
	in.Prescan = prescan
	p.gnulibM4 = gnulibM4(p.cmp, in.Gnulib, p.o.Rebuild.Mode != "")
	var endPhase func()
	in.Progress, endPhase = p.itemCounter("classify and prove origins")
	res, err := explain.Explain(ctx, in)
	endPhase()
	if err != nil {
		var be *explain.BlobError
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.As(err, &be):
			return gitErr(err)
		}
		return archiveErr(ctx, "re-reading", filepath.Base(p.o.Sources.Tarball), err)
	}
	r := p.report
	r.Files = append(r.Files, res.Files...)
	r.Findings = append(r.Findings, res.Findings...)
	r.Classes, r.Generators = res.Classes, res.Generators
	p.releaseLibtool = res.ReleaseLibtool
	return nil
}

// tagBlobs reads the tag's blobs for explain: a blob too large to read is
// not inspected.
type tagBlobs struct{ b *gitsrc.Blobs }

func (t tagBlobs) Read(id string) ([]byte, error) {
	c, err := t.b.Read(id)
	if errors.Is(err, gitsrc.ErrObjectTooLarge) {
		return nil, nil
	}
	return c, err
}

// ReadMany is Read for many blobs in one request to git (explain.ManyBlobs).
func (t tagBlobs) ReadMany(ids []string, fn func(i int, content []byte, err error) error) error {
	return t.b.ReadMany(ids, func(i int, c []byte, err error) error {
		if errors.Is(err, gitsrc.ErrObjectTooLarge) {
			c, err = nil, nil
		}
		return fn(i, c, err)
	})
}

// attributes reads export-ignore and export-subst for the paths that differ
// or exist only in the tag, when the tag has a .gitattributes. A git that
// could not run or was killed is an error (the attributes would silently
// be missing); any other failure is logged and the attributes left out.
func (p *pipeline) attributes(ctx context.Context) (ignore, subst map[string]bool, _ error) {
	if !explain.HasGitattributes(p.git) {
		return nil, nil, nil
	}
	var paths []string
	for rel := range p.git.Where(compare.Unseen) {
		paths = append(paths, rel)
	}
	for rel, t := range p.cmp.Members {
		if t.Status != "" && p.git.Get(rel) != nil {
			paths = append(paths, rel)
		}
	}
	var err error
	switch idx, perr := p.attrs.wait(); {
	case p.attrs == nil:
		ignore, subst, err = p.repo.Attributes(ctx, p.tag.Tree, p.o.Sources.CacheDir, paths)
	case len(paths) == 0:
		ignore, subst = map[string]bool{}, map[string]bool{} // Attributes asks git nothing
	case perr != nil:
		err = perr // Attributes's own error
	default:
		ignore, subst, err = idx.Check(ctx, paths)
	}
	if err != nil && (errors.Is(err, gitsrc.ErrGitKilled) || errors.Is(err, gitsrc.ErrGitMissing) || ctx.Err() != nil) {
		return nil, nil, gitErr(err)
	}
	if err != nil {
		p.o.logf("%v", err)
	}
	return ignore, subst, nil
}

// gnulib opens the gnulib commit the tag pins, when it pins one and its
// repository is known, and says in the report's notes what it did. unread
// is the pinned commit when it could not be read.
func (p *pipeline) gnulib(ctx context.Context, blobs *gitsrc.Blobs) (tree *explain.GnulibTree, unread string, closeFn func(), err error) {
	none := func() {}
	pin := p.findGnulibPin(blobs)
	switch {
	case pin == nil:
		if p.o.Sources.Gnulib != "" {
			p.report.Notes = append(p.report.Notes, "--gnulib given, but the tag pins no gnulib submodule: nothing to compare with")
		}
		return nil, "", none, nil
	case pin.source == "":
		p.report.Notes = append(p.report.Notes, fmt.Sprintf("the tag pins gnulib commit %s at %s, but no gnulib repository is known: pass --gnulib to compare the copies", pin.commit[:12], pin.path))
		return nil, pin.commit, none, nil
	}
	end := p.itemPhase("read gnulib commit " + pin.commit[:12])
	tree, closeFn, err = p.gnulibFiles(ctx, pin)
	end()
	if err != nil {
		if ctx.Err() != nil {
			return nil, "", none, ctx.Err()
		}
		p.report.Notes = append(p.report.Notes, fmt.Sprintf("gnulib commit %s could not be read from %s: %v", pin.commit[:12], pin.source, err))
		return nil, pin.commit, none, nil
	}
	p.gnulibPin = pin
	return tree, "", closeFn, nil
}

// version is the release version, from the archive root or file name.
func (p *pipeline) version() string {
	name := p.cmp.Root
	if name == "" {
		name = baseName(p.o.Sources.Tarball)
	}
	_, v := splitNameVersion(name)
	return v
}
