package explain

import (
	"bytes"
	"sync"

	"github.com/tarcheck/tarcheck/autotools"
	"github.com/tarcheck/tarcheck/verify/archive"
	"github.com/tarcheck/tarcheck/verify/compare"
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
		if g == nil || !compare.IsRegular(g) || x.in.Blobs == nil {
			return nil, false
		}
		c, err := x.in.Blobs.Read(g.HexID())
		return c, err == nil && c != nil
	}
	inTarball := func(rel string) bool {
		if cmp.Member(rel) != nil {
			return true
		}
		g := cmp.Index.Get(rel)
		return g != nil && g.Identical
	}
	// The tag's paths are listed only when asked (an Autotest suite to
	// prove): a 640,000-file tree's list is tens of MiB.
	x.actx.TagPaths = sync.OnceValue(func() []string {
		var paths []string
		for rel := range cmp.Index.Where(compare.IsRegular) {
			paths = append(paths, rel)
		}
		return paths
	})
	// Only a tag file not identical to the tarball's can be missing from
	// it; the tarball's files are listed only when one is.
	var maybeOmitted []string
	for rel := range cmp.Index.Where(func(g *compare.GitFile) bool { return compare.IsRegular(g) && !g.Identical }) {
		maybeOmitted = append(maybeOmitted, rel)
	}
	tarFiles := func(yield func(string) bool) {
		for rel := range cmp.Index.Where(func(g *compare.GitFile) bool { return g.Identical }) {
			if !yield(rel) {
				return
			}
		}
		for rel, m := range cmp.Members {
			if !m.Stray && !yield(rel) {
				return
			}
		}
	}
	omitted := autotools.OmittedReferenceKinds(maybeOmitted, tarFiles, inTarball, tarballFile)
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
	// The test sees each path as bytes: only build files' paths are made
	// strings (a 640,000-file tree's paths are 50 MiB of garbage).
	build := func(p []byte, g *compare.GitFile) bool {
		return compare.IsRegular(g) && autotools.IsGlobBuildFile(string(p[bytes.LastIndexByte(p, '/')+1:]))
	}
	for rel, g := range x.cmp.Index.Match(build) {
		c, err := x.in.Blobs.Read(g.HexID())
		if err != nil || c == nil {
			continue
		}
		globs = append(globs, autotools.FindBuildGlobs(rel, c)...)
	}
	return autotools.NewGlobIndex(globs)
}
