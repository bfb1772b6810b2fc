package explain

import (
	"sort"
	"strings"

	"github.com/tarcheck/tarcheck/verify/report"
)

// Copies of a submodule's files at other paths: a bootstrap copies files
// from the submodules the tag pins into the release's own tree (tar's
// bootstrap takes lib/paxerror.c, rmt/rmt.c and tests/genfile.c from
// paxutils; gnutls' takes lib/minitasn1/ from devel/libtasn1's lib/).
// Such a file is proved when its exact bytes (its git blob id) are a file
// of a pinned submodule at the commit the tag pins, at any path.

// pin is a gitlink of the tag: a submodule's path and pinned commit.
type pin struct{ path, commit string }

// SetSubmodules gives the search a reader of the commit the tag pins for
// a submodule (Input.Submodule; nil when it cannot be read), so that a
// file copied from a submodule to another path is proved by its blob at
// the pinned commit. gnulib is not searched here: it has its own step.
func (p *Provenance) SetSubmodules(read func(path, commit string) *GnulibTree) {
	p.readSub = read
	p.subs = nil
}

// submodules are the tag's gitlinks other than gnulib, by path.
func (p *Provenance) submodules() []pin {
	if p.subs != nil || p.tag == nil {
		return p.subs
	}
	p.subs = []pin{}
	for rel, g := range p.tag.All() {
		if g.Mode != 0o160000 || rel == "gnulib" || strings.HasSuffix(rel, "/gnulib") ||
			(p.gnulib != nil && g.HexID() == p.gnulib.Commit) {
			continue
		}
		p.subs = append(p.subs, pin{rel, g.HexID()})
	}
	sort.Slice(p.subs, func(i, j int) bool { return p.subs[i].path < p.subs[j].path })
	return p.subs
}

// fromSubmodule finds the blob id in the tree of a submodule at the
// commit the tag pins, in the order of the submodules' paths. Only the
// submodules' readers are consulted, each once (the reader caches).
func (p *Provenance) fromSubmodule(rel string, id [20]byte) *report.Origin {
	if p.readSub == nil {
		return nil
	}
	for _, s := range p.submodules() {
		if strings.HasPrefix(rel, s.path+"/") {
			continue // below the submodule: submoduleFile's case, at its own path only
		}
		t := p.readSub(s.path, s.commit)
		if t == nil || t.Commit != s.commit {
			continue
		}
		q, ok := t.ByID[id]
		if !ok {
			continue
		}
		return &report.Origin{Kind: report.OriginTag, Submodule: s.path, Commit: s.commit, Path: s.path + "/" + q}
	}
	return nil
}
