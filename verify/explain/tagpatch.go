package explain

import (
	"bytes"
	"path"
	"slices"
	"strings"

	"github.com/tarcheck/tarcheck/autotools/origindb"
	"github.com/tarcheck/tarcheck/internal/limits"
	"github.com/tarcheck/tarcheck/verify/archive"
	"github.com/tarcheck/tarcheck/verify/compare"
	"github.com/tarcheck/tarcheck/verify/report"
)

// Caps on the search for a tag file patched by the tag's patches.
const (
	maxPatchBases    = limits.ExplainMaxPatchBases
	maxPatchSections = limits.ExplainMaxPatchSections
)

// tagPatch is one file's section of a patch file of the tag.
type tagPatch struct {
	file string // the patch file's path in the tag
	patchSection
}

// fromTagPatched proves a file only in the tarball that a test suite or a
// bootstrap made by applying patch files of the tag (*.patch, *.diff near
// the file, each file's section of them) to a file of the tag or a member
// of a tag archive near it named like it (meson's wraps: diff_files applied
// to the unpacked source). The patches are applied greedily, in path
// order, each once, as long as one applies; the file is proved when the
// result has its blob id. Whatever order found it, the bytes are a
// function of the tag's bytes.
func (p *Provenance) fromTagPatched(rel string, id [20]byte) *report.Origin {
	if p.tag == nil || p.blobs == nil {
		return nil
	}
	patches := p.patchesFor(rel)
	if len(patches) == 0 {
		return nil
	}
	for _, b := range p.patchBases(rel) {
		applied, ok := applyUntil(b.content, patches, id)
		if !ok {
			continue
		}
		o := b.origin
		o.Patch = strings.Join(applied, ", ")
		return &o
	}
	return nil
}

// applyUntil applies patches to content, greedily in their order and each
// at most once, until the result's blob id is id; it returns the patch
// files applied, in order.
func applyUntil(content []byte, patches []tagPatch, id [20]byte) ([]string, bool) {
	done := make([]bool, len(patches))
	var applied []string
	for progress := true; progress; {
		progress = false
		for i, tp := range patches {
			if done[i] {
				continue
			}
			out, err := ApplyPatch(content, tp.body)
			if err != nil {
				continue
			}
			done[i], progress, content = true, true, out
			applied = append(applied, tp.file)
			if [20]byte(origindb.BlobID(content)) == id {
				return applied, true
			}
		}
	}
	return nil, false
}

// patchesFor lists the sections of the tag's patch files near rel that
// patch a file at rel's path (its section's target is a suffix of rel),
// by patch path.
func (p *Provenance) patchesFor(rel string) []tagPatch {
	dir := parentDir(rel)
	var out []tagPatch
	for _, q := range p.tagPatchList() {
		qdir := parentDir(q)
		c := depth(sharedDir(dir, qdir))
		if depth(dir)-c > archiveReach || depth(qdir)-c > archiveReach {
			continue
		}
		for _, s := range p.tagPatchSections(q) {
			if s.target != "" && (rel == s.target || strings.HasSuffix(rel, "/"+s.target)) && len(out) < maxPatchSections {
				out = append(out, tagPatch{file: q, patchSection: s})
			}
		}
	}
	return out
}

// tagPatchSections reads and splits the tag's patch file q once.
func (p *Provenance) tagPatchSections(q string) []patchSection {
	if s, ok := p.patchParsed[q]; ok {
		return s
	}
	if p.patchParsed == nil {
		p.patchParsed = map[string][]patchSection{}
	}
	var s []patchSection
	if diff, ok := p.tagContent(q); ok && len(diff) <= maxPatchedCopy {
		s = patchSections(diff)
	}
	p.patchParsed[q] = s
	return s
}

// tagPatchList lists the tag's regular files named *.patch or *.diff, by
// path.
func (p *Provenance) tagPatchList() []string {
	if p.patchFiles == nil {
		p.patchFiles = []string{}
		for q := range p.tag.Match(func(q []byte, g *compare.GitFile) bool {
			return compare.IsRegular(g) && (bytes.HasSuffix(q, []byte(".patch")) || bytes.HasSuffix(q, []byte(".diff")))
		}) {
			p.patchFiles = append(p.patchFiles, q)
		}
		slices.Sort(p.patchFiles)
	}
	return p.patchFiles
}

// patchBase is a file a patched file may have been made from.
type patchBase struct {
	origin  report.Origin
	content []byte
}

// patchBases lists what rel may have been patched from: the tag's files
// of its base name near it, then the members of the tag's archives near
// it that would be unpacked at its path (extractedAs).
func (p *Provenance) patchBases(rel string) []patchBase {
	dir := parentDir(rel)
	var out []patchBase
	for _, q := range p.byBase(path.Base(rel)) {
		qdir := parentDir(q)
		c := depth(sharedDir(dir, qdir))
		if q == rel || depth(dir)-c > archiveReach || depth(qdir)-c > archiveReach || len(out) >= maxPatchBases {
			continue
		}
		if b, ok := p.tagContent(q); ok && len(b) <= maxPatchedCopy {
			out = append(out, patchBase{origin: report.Origin{Kind: report.OriginTag, Path: q}, content: b})
		}
	}
	for _, a := range p.tagArchiveList() {
		adir := parentDir(a.path)
		if depth(adir)-depth(sharedDir(dir, adir)) > archiveReach || len(out) >= maxPatchBases {
			continue
		}
		var names []string
		for _, ms := range p.openTagArchive(a) {
			for _, m := range ms {
				if path.Base(m) == path.Base(rel) && extractedAs(rel, m, adir) {
					names = append(names, m)
				}
			}
		}
		slices.Sort(names)
		for _, m := range names {
			if b, ok := p.tagArchiveMember(a, m); ok && len(out) < maxPatchBases {
				out = append(out, patchBase{origin: report.Origin{Kind: report.OriginTagArchive, Path: a.path, Member: m}, content: b})
			}
		}
	}
	return out
}

// tagArchiveMember reads the member m of the tag's archive a, walking it
// again (members are indexed by id only), within the same caps.
func (p *Provenance) tagArchiveMember(a *tagArchive, m string) ([]byte, bool) {
	var got []byte
	err := p.walkTagArchive(a, maxPatchedCopy, func(e *archive.Entry) {
		if got == nil && e.Path == m && e.Content != nil {
			got = bytes.Clone(e.Content)
		}
	})
	return got, err == nil && got != nil
}
