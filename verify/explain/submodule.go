package explain

import (
	"fmt"
	"path"
	"strings"

	"github.com/tarcheck/tarcheck/autotools"
	"github.com/tarcheck/tarcheck/autotools/origindb"
	"github.com/tarcheck/tarcheck/verify/archive"
	"github.com/tarcheck/tarcheck/verify/compare"
	"github.com/tarcheck/tarcheck/verify/report"
)

// intoSubmodule reports the submodule (its path and pinned commit) that
// rel's git symlink, whose target is link, points into, and the target's
// path inside it: bison links data/m4sugar/foreach.m4 to
// ../../submodules/autoconf/lib/m4sugar/foreach.m4, and make dist
// dereferences the link.
func (x *explainer) intoSubmodule(rel string, t *compare.Member, gitMode uint32, link []byte) (sub, commit, inner string, ok bool) {
	if t.Status != report.TypeDiffers || t.Type != archive.TypeRegular || gitMode != 0o120000 || len(link) == 0 || path.IsAbs(string(link)) {
		return "", "", "", false
	}
	target := path.Join(path.Dir(rel), string(link))
	if target == ".." || strings.HasPrefix(target, "../") {
		return "", "", "", false
	}
	for dir := path.Dir(target); dir != "." && dir != "/"; dir = path.Dir(dir) {
		if g := x.cmp.Index.Get(dir); g != nil {
			if g.Mode != 0o160000 {
				return "", "", "", false
			}
			return dir, g.HexID(), strings.TrimPrefix(target, dir+"/"), true
		}
	}
	return "", "", "", false
}

// submoduleLinked proves rel, a symlink in git into a submodule that the
// tarball holds dereferenced, when its bytes equal the link target's at
// the commit the tag pins for that submodule (read through
// Input.Submodule). An unread submodule proves nothing.
func (x *explainer) submoduleLinked(rel string, t *compare.Member, gitMode uint32, link []byte) bool {
	sub, commit, inner, ok := x.intoSubmodule(rel, t, gitMode, link)
	if !ok || x.in.Submodule == nil {
		return false
	}
	tree := x.in.Submodule(sub, commit)
	if tree == nil || tree.Read == nil || tree.Commit != commit {
		return false
	}
	c, ok := tree.Read(inner)
	if !ok || [20]byte(origindb.BlobID(c)) != t.ID {
		return false
	}
	target := sub + "/" + inner
	x.add(report.FileDiff{Path: rel, Status: t.Status, Class: ClassTagCopy, Severity: report.SevLow,
		Reason: fmt.Sprintf("a symlink to %s in git; the tarball holds that file's content, identical to it at the submodule's pinned commit %s (make dist dereferences links)", target, shortID(commit)),
		Origin: &report.Origin{Kind: report.OriginTag, Path: target, Commit: commit}}, autotools.Result{})
	return true
}
