package explain

import (
	"github.com/tarcheck/tarcheck/autotools"
	"github.com/tarcheck/tarcheck/verify/archive"
)

// wireClaims gives the classifier what checks claims across files need
// (issue 15): the tarball's content of any path (the .po beside a .gmo,
// the sources whose references OmittedReferenceKinds follows) and the set of
// files the tag's build or sources refer to but the tarball leaves out.
func (x *explainer) wireClaims() {
	cmp := x.cmp
	tarballFile := func(path string) ([]byte, bool) {
		if m := cmp.Member(path); m != nil && m.Content != nil {
			return m.Content, m.Type == archive.TypeRegular
		}
		// A file identical to the tag has no member content: the tag's
		// blob holds the same bytes (an omitted header pulled in by
		// __has_include from an identical source must be seen).
		if g := cmp.Index.Get(path); g != nil && g.Identical && x.in.Blobs != nil {
			c, err := x.in.Blobs.Read(g.HexID())
			return c, err == nil && c != nil
		}
		return nil, false
	}
	x.actx.TarballFile = tarballFile
	x.actx.TagFile = func(path string) ([]byte, bool) {
		g := cmp.Index.Get(path)
		if g == nil || g.Mode == 0o120000 || g.Mode == 0o160000 || x.in.Blobs == nil {
			return nil, false
		}
		c, err := x.in.Blobs.Read(g.HexID())
		return c, err == nil && c != nil
	}
	var tagFiles, tarFiles []string
	for rel, g := range cmp.Index.All() {
		if g.Mode != 0o160000 && g.Mode != 0o120000 {
			tagFiles = append(tagFiles, rel)
		}
		if g.Identical {
			tarFiles = append(tarFiles, rel)
		}
	}
	for rel, m := range cmp.Members {
		if !m.Stray {
			tarFiles = append(tarFiles, rel)
		}
	}
	inTarball := func(rel string) bool {
		if cmp.Member(rel) != nil {
			return true
		}
		g := cmp.Index.Get(rel)
		return g != nil && g.Identical
	}
	x.actx.TagPaths = func() []string { return tagFiles }
	omitted := autotools.OmittedReferenceKinds(tagFiles, tarFiles, inTarball, tarballFile)
	x.actx.Omitted = func(rel string) autotools.OmitKind { return omitted[rel] }
	x.actx.BuildGlobs = x.tagBuildGlobs()
}

// tagBuildGlobs reads the tag's build and test files that can hold globs
// (autotools.IsGlobBuildFile) and indexes their globs, so that a
// tarball-side file one of them picks up is judged as build input.
func (x *explainer) tagBuildGlobs() *autotools.GlobIndex {
	if x.in.Blobs == nil {
		return nil
	}
	var globs []autotools.BuildGlob
	for rel, g := range x.cmp.Index.All() {
		if g.Mode == 0o160000 || g.Mode == 0o120000 || !autotools.IsGlobBuildFile(rel) {
			continue
		}
		c, err := x.in.Blobs.Read(g.HexID())
		if err != nil || c == nil {
			continue
		}
		globs = append(globs, autotools.FindBuildGlobs(rel, c)...)
	}
	return autotools.NewGlobIndex(globs)
}
