package explain

import (
	"fmt"
	"path"
	"sort"
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
	return x.underGitlink(target)
}

// submoduleLinked proves rel, a symlink in git into a submodule that the
// tarball holds dereferenced, when its bytes equal the link target's at
// the commit the tag pins for that submodule (read through
// Input.Submodule). A link into an unread submodule is left for one
// grouped finding.
func (x *explainer) submoduleLinked(rel string, t *compare.Member, gitMode uint32, link []byte) bool {
	sub, commit, inner, ok := x.intoSubmodule(rel, t, gitMode, link)
	if !ok {
		return false
	}
	tree, read := x.submoduleTree(sub, commit, rel, t)
	if !read {
		return true
	}
	if tree.Read == nil || tree.Commit != commit {
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

// underGitlink reports the submodule of the tag (a gitlink's path and the
// commit it pins) that the release path rel lies below, and rel's path
// inside it: the nearest directory of rel the tag has must be a gitlink.
func (x *explainer) underGitlink(rel string) (sub, commit, inner string, ok bool) {
	for dir := path.Dir(rel); dir != "." && dir != "/"; dir = path.Dir(dir) {
		if g := x.cmp.Index.Get(dir); g != nil {
			if g.Mode != 0o160000 {
				return "", "", "", false
			}
			return dir, g.HexID(), strings.TrimPrefix(rel, dir+"/"), true
		}
	}
	return "", "", "", false
}

// submoduleFile explains rel, a regular file only in the tarball below a
// submodule of the tag (make dist copies a submodule's files: gnutls'
// cligen/): it is proved when its bytes are the blob at the same path of
// the commit the tag pins. When that commit cannot be read, rel is left
// for one grouped finding (groupSubmodules), low on its own; when it is
// read and the bytes differ, rel is classified as any other file.
func (x *explainer) submoduleFile(rel string, t *compare.Member) bool {
	if t.Status != report.OnlyInTarball || t.Type != archive.TypeRegular {
		return false
	}
	sub, commit, inner, ok := x.underGitlink(rel)
	if !ok {
		return false
	}
	tree, read := x.submoduleTree(sub, commit, rel, t)
	if !read {
		return true
	}
	if tree.Commit != commit {
		return false
	}
	if p, ok := tree.ByID[t.ID]; !ok || p != inner {
		return false
	}
	x.add(report.FileDiff{Path: rel, Status: t.Status, Class: ClassTagCopy, Severity: report.SevInfo,
		Reason: fmt.Sprintf("a file of submodule %s, identical to %s at the commit %s the tag pins", sub, inner, shortID(commit)),
		Origin: &report.Origin{Kind: report.OriginTag, Path: rel, Commit: commit}}, autotools.Result{})
	return true
}

// submoduleTree reads submodule sub at the commit the tag pins; when it
// cannot be read, rel is left for the grouped finding (unreadSubmodule)
// and read is false.
func (x *explainer) submoduleTree(sub, commit, rel string, t *compare.Member) (tree *GnulibTree, read bool) {
	if x.in.Submodule != nil {
		tree = x.in.Submodule(sub, commit)
	}
	if tree == nil {
		x.unreadSubmodule(sub, commit, rel, t)
		return nil, false
	}
	return tree, true
}

// unreadSubmodule leaves rel, which only submodule sub's pinned commit
// could prove, for one grouped finding (groupSubmodules): low on its own.
func (x *explainer) unreadSubmodule(sub, commit, rel string, t *compare.Member) {
	if x.unreadSubs == nil {
		x.unreadSubs = map[string]map[string]bool{}
	}
	if x.unreadSubs[sub] == nil {
		x.unreadSubs[sub] = map[string]bool{}
	}
	x.unreadSubs[sub][rel] = true
	x.add(report.FileDiff{Path: rel, Status: t.Status, Class: autotools.ClassOther, Severity: report.SevLow,
		Reason: fmt.Sprintf("only submodule %s's pinned commit %s could prove it, and it could not be read: not compared (grouped: see %s)", sub, shortID(commit), report.RuleOriginNotConsulted)},
		autotools.Result{})
}

// groupSubmodules makes one medium finding per submodule whose pinned
// commit could not be read, listing the files only it could prove.
func (x *explainer) groupSubmodules() {
	subs := make([]string, 0, len(x.unreadSubs))
	for s := range x.unreadSubs {
		subs = append(subs, s)
	}
	sort.Strings(subs)
	for _, s := range subs {
		ps := x.unreadSubs[s]
		commit := ""
		if g := x.cmp.Index.Get(s); g != nil {
			commit = shortID(g.HexID())
		}
		x.res.Findings = append(x.res.Findings, report.Finding{Rule: report.RuleOriginNotConsulted, Severity: report.SevMedium, Path: s,
			Message:  fmt.Sprintf("%d %s of submodule %s not compared: %s at commit %s", len(ps), plural(len(ps), "file", "files"), s, report.SubmoduleUnread, commit),
			Evidence: evidence(ps)})
	}
}
