package explain

import (
	"path"

	"github.com/tarcheck/tarcheck/releasefmt"
	"github.com/tarcheck/tarcheck/verify/compare"
	"github.com/tarcheck/tarcheck/verify/report"
)

// ClassReleaseFormat is the class of a file a release format's packaging
// tool wrote and releasefmt proved (step d of the provenance search).
const ClassReleaseFormat = "release-format"

// ReleaseFormats runs step d of the provenance search, release formats
// (crates, sdists, makeinfo output, pinned downloads), once per release on
// the comparison cmp of the tag's commit at version. Its explanations are
// then returned by Format for paths steps a-c do not prove; its findings
// are returned for the caller to report. A crate packaged from a subtree
// of the repository (path_in_vcs set) is explained when the comparison
// was made against that subtree (SetTagRoot names the whole tree and the
// subtree); compared against the repository root, its manifest is looked
// for under path_in_vcs and found different or missing (high).
func (p *Provenance) ReleaseFormats(cmp *compare.Result, commit, version string) []releasefmt.Finding {
	p.formats = map[string]releasefmt.Explanation{}
	tarContent := p.memberContent(cmp)
	in := releasefmt.Input{TagContent: p.tagContent, TarContent: tarContent, Commit: commit, Version: version}
	tree := cmp.Index
	if p.root != nil && p.subtree != "" {
		// The comparison is against the subtree: releasefmt reads the whole
		// tag (the workspace root manifest lies above the crate).
		tree, in.Subtree = p.root, p.subtree
		in.TagContent = func(q string) ([]byte, bool) { return p.blobAt(p.root, q) }
	}
	in.TagPaths = func(yield func(string) bool) {
		for q := range tree.All() {
			if !yield(q) {
				return
			}
		}
	}
	for rel, t := range cmp.Members {
		if t.Stray || (t.Status != report.OnlyInTarball && t.Status != report.ContentDiffers) {
			continue
		}
		in.TarFiles = append(in.TarFiles, releasefmt.TarFile{Path: rel, InTag: t.Status == report.ContentDiffers})
	}
	res := releasefmt.Explain(in)
	for _, e := range res.Explained {
		p.formats[e.Path] = e
	}
	return res.Findings
}

// memberContent reads a tarball file of cmp by its path under the root:
// its kept content, or the tag's blob when it is identical to the tag.
func (p *Provenance) memberContent(cmp *compare.Result) func(rel string) ([]byte, bool) {
	return func(rel string) ([]byte, bool) {
		t := cmp.Member(rel)
		if t == nil || t.Stray {
			return nil, false
		}
		if t.Content != nil {
			return t.Content, true
		}
		if t.Status == "" || t.Status == report.ModeDiffers {
			// Identical to the tag's file: read its blob.
			return p.blobAt(cmp.Index, rel)
		}
		return nil, false
	}
}

// SetTagRoot tells the search that the comparison's tree is the directory
// subtree of the tag's whole tree root (a crate packaged from a workspace
// member): release formats then read the whole tag.
func (p *Provenance) SetTagRoot(root *compare.Index, subtree string) {
	p.root, p.subtree = root, subtree
}

// CrateSubtree reports whether the tarball compared in cmp is a crate
// made by `cargo package` whose .cargo_vcs_info.json names a package
// directory (path_in_vcs) other than the repository root, and returns that
// directory. The caller compares the tarball with that subtree of the tag
// (compare.Index.Subtree, Result.Again); the release-format pass then
// checks that the crate's manifest is the subtree's.
func CrateSubtree(cmp *compare.Result) (string, bool) {
	content := func(rel string) ([]byte, bool) {
		if t := cmp.Members[rel]; t != nil && !t.Stray && t.Content != nil {
			return t.Content, true
		}
		return nil, false
	}
	vcs, ok, err := releasefmt.DetectCrate(content)
	if !ok || err != nil || vcs.PathInVCS == "" {
		return "", false
	}
	return vcs.PathInVCS, true
}

// tagContent reads a tag file by path (false when absent or unreadable).
func (p *Provenance) tagContent(rel string) ([]byte, bool) {
	return p.blobAt(p.tag, rel)
}

// blobAt reads the file at rel of the tree idx.
func (p *Provenance) blobAt(idx *compare.Index, rel string) ([]byte, bool) {
	if idx == nil || p.blobs == nil {
		return nil, false
	}
	g := idx.Get(rel)
	if g == nil || g.Mode == 0o160000 {
		return nil, false
	}
	b, err := p.blobs.Read(g.HexID())
	if err != nil || b == nil {
		return nil, false
	}
	return b, true
}

// Format is step d's proof of the tarball file rel: its origin, severity
// and reason, or false when no release format explains it.
func (p *Provenance) Format(rel string) (*report.Origin, report.Severity, string, bool) {
	e, ok := p.formats[rel]
	if !ok {
		return nil, 0, "", false
	}
	o := &report.Origin{Kind: e.Origin.Kind, Path: e.Origin.Source, Commit: e.Origin.Commit,
		Transform: e.Origin.Detail, URL: e.Origin.URL, Hash: e.Origin.Hash}
	sev, err := report.ParseSeverity(string(e.Severity))
	if err != nil {
		sev = report.SevMedium
	}
	return o, sev, e.Reason, true
}

// formatFinding is a releasefmt finding as a report finding.
func formatFinding(f releasefmt.Finding) report.Finding {
	sev, err := report.ParseSeverity(string(f.Severity))
	if err != nil {
		sev = report.SevMedium
	}
	rf := report.Finding{Rule: f.Rule, Severity: sev, Path: path.Clean(f.Path), Message: f.Message}
	if f.Evidence != "" {
		rf.Evidence = []string{f.Evidence}
	}
	return rf
}
