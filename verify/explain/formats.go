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
// of the repository (path_in_vcs set) is not explained: the comparison
// maps tarball paths onto the repository root only.
func (p *Provenance) ReleaseFormats(cmp *compare.Result, commit, version string) []releasefmt.Finding {
	p.formats = map[string]releasefmt.Explanation{}
	tarContent := func(rel string) ([]byte, bool) {
		t := cmp.Member(rel)
		if t == nil || t.Stray {
			return nil, false
		}
		if t.Content != nil {
			return t.Content, true
		}
		if t.Status == "" || t.Status == report.ModeDiffers {
			// Identical to the tag's file: read its blob.
			return p.tagContent(rel)
		}
		return nil, false
	}
	if vcs, ok, err := releasefmt.DetectCrate(tarContent); err == nil && ok && vcs.PathInVCS != "" {
		return nil
	}
	in := releasefmt.Input{TagContent: p.tagContent, TarContent: tarContent, Commit: commit, Version: version}
	for q, g := range cmp.Index.All() {
		in.TagFiles = append(in.TagFiles, releasefmt.TagFile{Path: q, Blob: g.HexID(), Mode: g.Mode})
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

// tagContent reads a tag file by path (false when absent or unreadable).
func (p *Provenance) tagContent(rel string) ([]byte, bool) {
	if p.tag == nil || p.blobs == nil {
		return nil, false
	}
	g := p.tag.Get(rel)
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
