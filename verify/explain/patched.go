package explain

import (
	"bytes"
	"github.com/tarcheck/tarcheck/internal/limits"
	"path"
	"sort"
	"strings"

	"github.com/tarcheck/tarcheck/autotools/origindb"
	"github.com/tarcheck/tarcheck/verify/archive"
	"github.com/tarcheck/tarcheck/verify/report"
)

// maxPatchedCopy caps the size of a file tried as a tool's copy patched by
// a .diff.
const maxPatchedCopy = limits.ExplainMaxPatchedCopy

// patchSource is a .diff that may have been applied to a tool's copy.
type patchSource struct {
	name    string // how the origin names it
	content []byte
}

// fromPatchedCopy proves a tool's copy that a bootstrap patched with a
// proved .diff (gettext's libtextstyle/autogen.sh installs automake's
// test-driver, then runs patch build-aux/test-driver <
// build-aux/test-driver.diff, gnulib's diff): the .diff, undone on
// content (patch -R), gives bytes the database knows, and redone on them
// gives content back. The .diff must itself be proved: the release's
// copy beside the file (rel.diff, proved by an origin), or gnulib's
// build-aux/<name>.diff or <name>-*.diff at the pinned commit.
func (p *Provenance) fromPatchedCopy(rel string, content []byte) *report.Origin {
	if len(content) == 0 || len(content) > maxPatchedCopy || strings.HasSuffix(rel, ".diff") {
		return nil
	}
	for _, d := range p.patchSources(rel) {
		orig, err := ApplyPatchReverse(content, d.content)
		if err != nil {
			continue
		}
		again, err := ApplyPatch(orig, d.content)
		if err != nil || string(again) != string(content) {
			continue
		}
		id := [20]byte(origindb.BlobID(orig))
		o := p.fromDB(rel, id)
		if o == nil || path.Base(o.Path) != path.Base(rel) {
			continue
		}
		o.Patch = d.name
		return o
	}
	return nil
}

// patchSources lists the proved .diff files that may patch rel.
func (p *Provenance) patchSources(rel string) []patchSource {
	var out []patchSource
	if p.tarball != nil {
		dp := rel + ".diff"
		if c, id, ok := p.tarball(dp); ok {
			inTag := p.tagIndex().Has(id)
			if o := p.Prove(dp, id, c); inTag || o != nil {
				name := "the release's " + dp
				if o != nil {
					name += " (" + Describe(o) + ")"
				}
				out = append(out, patchSource{name: name, content: c})
			}
		}
	}
	if p.gnulib != nil && p.gnulib.Read != nil {
		base := path.Base(rel)
		var names []string
		for _, q := range p.gnulib.ByID {
			if b := path.Base(q); path.Dir(q) == "build-aux" && (b == base+".diff" || strings.HasPrefix(b, base+"-") && strings.HasSuffix(b, ".diff")) {
				names = append(names, q)
			}
		}
		sort.Strings(names)
		for _, q := range names {
			if c, ok := p.gnulib.Read(q); ok {
				out = append(out, patchSource{name: "gnulib's " + q + " at the pinned commit " + shortID(p.gnulib.Commit), content: c})
			}
		}
	}
	return out
}

// tarballFile reads a release file whose content the search needs (the
// .diff beside a patched copy): from the tag when identical to it, from
// the kept content, else in one more pass over the archive.
func (x *explainer) tarballFile(p string) ([]byte, [20]byte, bool) {
	m := x.cmp.Member(p)
	if m == nil || m.Stray || m.Type != archive.TypeRegular || m.Size > maxPatchedCopy {
		return nil, [20]byte{}, false
	}
	if g := x.cmp.Index.Get(p); g != nil && g.Identical {
		c, err := x.in.Blobs.Read(g.HexID())
		return c, g.ID, err == nil && c != nil
	}
	if m.Content != nil {
		return m.Content, m.ID, true
	}
	var c []byte
	err := x.cmp.Read(x.ctx, maxPatchedCopy, func(key string, e *archive.Entry) bool {
		return key == p && e.BlobID == m.ID && e.Content != nil && c == nil
	}, func(_ string, e *archive.Entry) error {
		c = bytes.Clone(e.Content)
		return nil
	})
	return c, m.ID, err == nil && c != nil
}
