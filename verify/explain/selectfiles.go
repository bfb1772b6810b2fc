package explain

import (
	"sort"

	"github.com/tarcheck/tarcheck/autotools"
	"github.com/tarcheck/tarcheck/verify/archive"
	"github.com/tarcheck/tarcheck/verify/compare"
	"github.com/tarcheck/tarcheck/verify/report"
)

// selectFiles lists the release's regular files for the scan's selector
// evaluation (autotools.Context.Files): what build logic can grep or glob
// over once the tarball is unpacked. Content comes from the kept member
// when the tarball's copy differs from the tag, else from the tag's blob.
func (x *explainer) selectFiles() []autotools.SelectFile {
	cmp := x.cmp
	var out []autotools.SelectFile
	for rel, g := range cmp.Index.All() {
		if !g.Seen || !compare.IsRegular(g) {
			continue
		}
		if m := cmp.Member(rel); m != nil && m.Status != "" {
			continue // listed from the members below
		}
		id := g.HexID()
		out = append(out, autotools.SelectFile{Path: rel, Read: func(limit int64) ([]byte, error) {
			return x.blobPrefix(id, limit)
		}})
	}
	for rel, m := range cmp.Members {
		if m.Stray || m.Type != archive.TypeRegular || m.Status == report.OnlyInGit {
			continue
		}
		content := m.Content
		out = append(out, autotools.SelectFile{Path: rel, Read: func(limit int64) ([]byte, error) {
			if int64(len(content)) > limit {
				return content[:limit], nil
			}
			return content, nil
		}})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// blobPrefix reads at most limit bytes of a tag blob.
func (x *explainer) blobPrefix(id string, limit int64) ([]byte, error) {
	c, err := x.in.Blobs.Read(id)
	if err != nil {
		return nil, err
	}
	if int64(len(c)) > limit {
		c = c[:limit]
	}
	return c, nil
}
