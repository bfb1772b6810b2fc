package verify

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"

	"github.com/tarcheck/tarcheck/autotools"
	"github.com/tarcheck/tarcheck/internal/scratch"
	"github.com/tarcheck/tarcheck/sandbox"
	"github.com/tarcheck/tarcheck/toolchain"
	"github.com/tarcheck/tarcheck/verify/gitsrc"
	"github.com/tarcheck/tarcheck/verify/rebuild"
	"github.com/tarcheck/tarcheck/verify/report"
)

// newSandbox opens the sandbox backend when the caller gave no runner; tests replace it.
var newSandbox = sandbox.NewContext

// rebuild exports the tag into a scratch directory under the cache and
// regenerates its autotools outputs in the sandbox (step 8).
func (p *pipeline) rebuild(ctx context.Context) error {
	o, r := &p.o, p.report
	if o.Rebuild.Mode == "" {
		return nil
	}
	runner := o.Rebuild.Runner
	if a := p.sandbox.probed(sandbox.BackendAuto); runner == nil && a != nil && a.err == nil {
		runner = a.runner // probed while the archive streamed
	}
	if runner == nil {
		var err error
		if runner, err = newSandbox(ctx, sandbox.BackendAuto); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return WithKind(KindOf(err), err)
		}
	}
	in := rebuild.Input{Mode: o.Rebuild.Mode, Script: o.Rebuild.Script, Runner: runner, Sandbox: runner.Name(), Compare: p.cmp,
		Files: r.Files, Generators: r.Generators, Format: r.Tarball.Format, CommitTime: p.tag.CommitTime,
		ReleaseLibtool: p.releaseLibtool, Logf: o.Output.Logf, ObjectFormat: p.format, Progress: o.Output.Progress, NewRunner: newSandbox,
		TagTree: p.tag.Tree, ResultCache: filepath.Join(o.Sources.CacheDir, "rebuild-results")}
	db := o.Sources.M4DB
	if db == nil {
		db = autotools.Baseline()
	}
	in.Upstream = upstreamCopies{db: db, gnulib: p.gnulibM4}
	in.Gnulib = p.rebuildGnulib()
	res := rebuild.Skipped(in)
	if rebuild.Needed(p.git, o.Rebuild.Script) {
		var getter toolchain.Getter
		if o.Rebuild.Toolchains.Fetch && !o.Sources.Offline {
			f, err := p.getFetcher()
			if err != nil {
				return err
			}
			getter = f
		}
		tcs, err := openToolchains(o.Rebuild.Toolchains, o.Sources.CacheDir, getter, o.Output.Logf)
		if err != nil {
			return err
		}
		in.Toolchains = rebuildToolchains{c: tcs, fetch: getter != nil}
		dir, cleanup, err := p.exportTag(ctx)
		if err != nil {
			return err
		}
		defer cleanup()
		in.Dir = dir
		in.Git = p.rebuildGitMeta(ctx)
		if res, err = rebuild.Run(ctx, in); err != nil {
			return rebuildErr(ctx, filepath.Base(o.Sources.Tarball), err)
		}
	}
	r.Files = res.Files
	r.Findings = dropReproduced(r.Findings, res.Files)
	r.Findings = append(r.Findings, res.Findings...)
	r.Rebuild = res.Info
	return nil
}

// exportTag writes the tag's files (raw blobs) into a scratch directory
// under the cache and returns it with its remover.
func (p *pipeline) exportTag(ctx context.Context) (string, func(), error) {
	base := filepath.Join(p.o.Sources.CacheDir, "rebuild")
	if err := os.MkdirAll(base, 0o700); err != nil {
		return "", nil, Errorf(KindEnvironment, "rebuild directory: %v", err)
	}
	tmp, err := os.MkdirTemp(base, "tag-")
	if err != nil {
		return "", nil, Errorf(KindEnvironment, "rebuild directory: %v", err)
	}
	cleanup := func() { scratch.Remove(tmp) }
	dir := filepath.Join(tmp, "src")
	p.o.logf("rebuild: exporting %s into %s", p.tag.Name, dir)
	if err := p.repo.Export(ctx, p.tag.Tree, dir); err != nil {
		cleanup()
		switch {
		case ctx.Err() != nil:
			return "", nil, ctx.Err()
		case errors.Is(err, gitsrc.ErrUnsafeTree):
			return "", nil, Errorf(KindInput, "tag %s: %w", p.tag.Name, err)
		}
		return "", nil, gitErr(Errorf(KindInput, "exporting tag %s: %w", p.tag.Name, err))
	}
	return dir, cleanup, nil
}

// rebuildGitMeta is the tagged commit for the rebuild's minimal .git; nil
// when its object cannot be read (the rebuild then runs without .git).
func (p *pipeline) rebuildGitMeta(ctx context.Context) *rebuild.GitMeta {
	raw, err := p.repo.CommitObject(ctx, p.tag.Commit)
	if err != nil {
		p.o.logf("rebuild: reading commit %s: %v", p.tag.Commit, err)
		return nil
	}
	abbrev, err := p.repo.AbbrevLen(ctx, p.tag.Commit)
	if err != nil {
		p.o.logf("rebuild: short id of %s: %v", p.tag.Commit, err)
	}
	return &rebuild.GitMeta{Tag: p.tag.Name, TagObject: p.tag.Object, TagRaw: p.tag.Raw, Commit: p.tag.Commit,
		CommitRaw: raw, ObjectFormat: p.format, Abbrev: abbrev}
}

// rebuildGnulib is the pinned gnulib submodule for the rebuild's gnulib
// bootstrap; nil when the tag pins none as a submodule or it was not read.
func (p *pipeline) rebuildGnulib() *rebuild.Gnulib {
	pin := p.gnulibPin
	if pin == nil || pin.path == "autogen.sh" || pin.path == "bootstrap.conf" {
		return nil
	}
	return &rebuild.Gnulib{Commit: pin.commit, Path: pin.path, Export: func(ctx context.Context, dir string) ([]string, error) {
		repo, err := gitsrc.Open(ctx, pin.source, gitsrc.Options{CacheDir: p.o.Sources.CacheDir, Offline: p.o.Sources.Offline, Logf: p.o.Output.Logf})
		if err != nil {
			return nil, err
		}
		tree, err := repo.ResolveCommit(ctx, pin.commit)
		if err != nil {
			return nil, err
		}
		return repo.ExportSkippingMissing(ctx, tree, dir)
	}}
}

// dropReproduced removes the classification findings of files the rebuild
// reproduced byte for byte from the tag: regeneration is a proof.
func dropReproduced(findings []report.Finding, files []report.FileDiff) []report.Finding {
	repro := map[string]bool{}
	for _, f := range files {
		if f.Rebuild == report.RebuildReproduced {
			repro[f.Path] = true
		}
	}
	if len(repro) == 0 {
		return findings
	}
	return slices.DeleteFunc(findings, func(f report.Finding) bool { return f.Path != "" && repro[f.Path] })
}
