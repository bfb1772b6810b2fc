package verify

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"github.com/tarcheck/tarcheck/internal/scratch"
	"github.com/tarcheck/tarcheck/sandbox"
	"github.com/tarcheck/tarcheck/verify/compare"
	"github.com/tarcheck/tarcheck/verify/explain"
	"github.com/tarcheck/tarcheck/verify/gitsrc"
	"github.com/tarcheck/tarcheck/verify/rebuild"
	"github.com/tarcheck/tarcheck/verify/report"
	"github.com/tarcheck/tarcheck/verify/tagrules"
)

// tagRules is explain's Input.Reproduce: the files only in the tarball
// that a rule of the tag's makefiles makes are made again in the sandbox
// (package tagrules), in a goroutine with its own blob reader while the
// classification goes on; the returned function waits for the proofs.
// Nil when turned off (--tag-rules=false) or the comparison is a crate's
// subtree.
func (p *pipeline) tagRules(blobs *gitsrc.Blobs) func(context.Context, []explain.RuleCandidate) func() map[string]*report.Origin {
	if p.o.Rebuild.NoTagRules || p.subtree != "" {
		return nil
	}
	return func(ctx context.Context, cands []explain.RuleCandidate) func() map[string]*report.Origin {
		exec := map[string]bool{}
		tag := tagrules.Tag{Read: blobReader(p.git, blobs)}
		for path, g := range p.git.All() {
			if g.Mode == 0o100644 || g.Mode == 0o100755 {
				tag.Files = append(tag.Files, path)
				exec[path] = g.Mode == 0o100755
			}
		}
		in := make([]tagrules.Candidate, len(cands))
		for i, c := range cands {
			in[i] = tagrules.Candidate{Path: c.Path, ID: c.ID}
		}
		jobs := tagrules.Plan(tag, in)
		if len(jobs) == 0 {
			return nil
		}
		own, err := p.repo.OpenBlobs(ctx)
		if err != nil {
			p.o.logf("tag rules: %v", err)
			return nil
		}
		tag.Read, tag.ReadMany = blobReader(p.git, own), blobReadMany(p.git, own)
		done := make(chan map[string]*report.Origin, 1)
		go func() {
			defer own.Close()
			outs, err := p.runTagRules(ctx, tagrules.Input{Tag: tag, Jobs: jobs, Executable: func(path string) bool { return exec[path] },
				BlobID: func(c []byte) [20]byte { return rebuild.BlobID(c, p.format) }, Vars: map[string]string{"VERSION": p.version()},
				Epoch: p.tag.CommitTime.Unix(), Logf: p.o.Output.Logf})
			if err != nil {
				p.o.logf("tag rules: %v", err)
			}
			proofs := map[string]*report.Origin{}
			for _, o := range outs {
				if o.Reproduced {
					proofs[o.Path] = &report.Origin{Kind: report.OriginTagRule, Path: o.Makefile, Line: o.Line, Target: o.Target}
				}
			}
			done <- proofs
		}()
		return func() map[string]*report.Origin { return <-done }
	}
}

// blobReadMany reads the tag's regular files through blobs in one go
// (tagrules.Tag.ReadMany); a path that is no regular file of the tag is
// not read (ok false).
func blobReadMany(idx *compare.Index, blobs *gitsrc.Blobs) func([]string, func(int, []byte, bool) bool) {
	return func(paths []string, fn func(int, []byte, bool) bool) {
		var ids []string
		var at []int // at[k]: the index in paths of ids[k]
		for i, path := range paths {
			if id, ok := regularBlob(idx, path); ok {
				ids, at = append(ids, id), append(at, i)
			}
		}
		next := 0 // the next path fn is called for
		stopped := errors.New("stopped")
		err := blobs.ReadMany(ids, func(k int, c []byte, err error) error {
			for ; next < at[k]; next++ {
				if !fn(next, nil, false) {
					return stopped
				}
			}
			next++
			if !fn(at[k], c, err == nil && c != nil) {
				return stopped
			}
			return nil
		})
		if err != nil {
			return
		}
		for ; next < len(paths); next++ {
			if !fn(next, nil, false) {
				return
			}
		}
	}
}

// blobReader reads the tag's regular files through blobs.
func blobReader(idx *compare.Index, blobs *gitsrc.Blobs) func(string) ([]byte, bool) {
	return func(path string) ([]byte, bool) {
		id, ok := regularBlob(idx, path)
		if !ok {
			return nil, false
		}
		c, err := blobs.Read(id)
		return c, err == nil && c != nil
	}
}

// regularBlob is the blob id of path when it is a file of the tag that is
// neither a submodule nor a symlink: what blobReader and blobReadMany read.
func regularBlob(idx *compare.Index, path string) (string, bool) {
	g := idx.Get(path)
	if g == nil || !compare.IsRegular(g) {
		return "", false
	}
	return g.HexID(), true
}

// runTagRules opens the sandbox (the rebuild's, or the backend --sandbox
// names) and a scratch directory under the cache, and runs the jobs. A
// sandbox that cannot isolate is not used unless asked for by name.
func (p *pipeline) runTagRules(ctx context.Context, in tagrules.Input) ([]tagrules.Outcome, error) {
	in.Runner = p.o.Rebuild.Runner
	if in.Runner == nil {
		backend := p.o.Rebuild.Sandbox
		if backend == "" {
			backend = sandbox.BackendAuto
		}
		// Probed while the archive streamed (sandboxAhead), else while
		// the tag's files are packed (tagrules.Run).
		in.OpenRunner = func(ctx context.Context) (sandbox.Runner, error) {
			var r sandbox.Runner
			var err error
			if a := p.sandbox.probed(backend); a != nil {
				r, err = a.runner, a.err
			} else {
				r, err = newSandbox(ctx, backend)
			}
			if err == nil {
				p.o.logf("tag rules: %d files, in the %s sandbox", len(in.Jobs), r.Name())
			}
			return r, err
		}
	} else {
		p.o.logf("tag rules: %d files, in the %s sandbox", len(in.Jobs), in.Runner.Name())
	}
	base := filepath.Join(p.o.Sources.CacheDir, "tagrules")
	if err := os.MkdirAll(base, 0o700); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(base, "run-")
	if err != nil {
		return nil, err
	}
	defer scratch.Remove(dir)
	in.Dir = dir
	in.CacheDir = filepath.Join(base, "proved")
	return tagrules.Run(ctx, in)
}
