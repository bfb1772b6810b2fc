package verify

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/tarcheck/tarcheck/verify/compare"
	"github.com/tarcheck/tarcheck/verify/explain"
)

// crateSubtree is step 5's second pass for a crate packaged from a member
// of a Cargo workspace: its .cargo_vcs_info.json names the package's
// directory in the repository (path_in_vcs), so the tarball's root is that
// directory of the tag, not the repository root. When the tag has files
// there, the archive is compared again with that subtree and the rest of
// the pipeline sees the subtree (the release-format pass still reads the
// whole tag, for the workspace root manifest); when it has none, the
// comparison stays at the root and the release-format pass reports the
// crate's manifest missing from the tag (high).
func (p *pipeline) crateSubtree(ctx context.Context, res *compare.Result) (*compare.Result, error) {
	dir, ok := explain.CrateSubtree(res)
	if !ok {
		return res, nil
	}
	sub := p.git.Subtree(dir)
	if sub.Len() == 0 {
		p.report.Notes = append(p.report.Notes, fmt.Sprintf("the crate's .cargo_vcs_info.json names %s as its directory in the repository, but the tag has no file there: compared with the repository root", dir))
		return res, nil
	}
	again, err := res.Again(ctx, sub)
	if err != nil {
		return nil, archiveErr(ctx, "re-reading", filepath.Base(p.o.Sources.Tarball), err)
	}
	p.gitRoot, p.subtree, p.git = p.git, dir, sub
	p.report.Git.Subtree = dir
	p.report.Notes = append(p.report.Notes, fmt.Sprintf("crate of a workspace: compared with the tag's %s/ (path_in_vcs of .cargo_vcs_info.json), %d files", dir, sub.Len()))
	return again, nil
}
