package verify

import (
	"encoding/hex"
	"iter"

	"github.com/tarcheck/tarcheck/internal/pathidx"
)

// gitIndex is the tag's tree: the paths interned in a pathidx.Index and a
// fixed-size record per file, in ls-tree's (git's) order. A map of strings
// to pointers cost about 145 bytes a file (11 MB for a kernel-sized tree);
// this costs about 65.
type gitIndex struct {
	paths *pathidx.Index
	files pathidx.Slice[gitFile] // by path number
}

type gitFile struct {
	id        [20]byte
	mode      uint32
	seen      bool // a tarball member has this path
	identical bool // ... and it is identical (not stored in pipeline.tar)
}

// hexID is the object id in hex.
func (g *gitFile) hexID() string { return hex.EncodeToString(g.id[:]) }

func newGitIndex() *gitIndex { return &gitIndex{paths: pathidx.New()} }

// add records a file; a path listed twice keeps the last id and mode.
func (x *gitIndex) add(path string, mode uint32, id [20]byte) {
	i, added := x.paths.Add(path)
	if added {
		x.files.Append(gitFile{})
	}
	*x.files.At(i) = gitFile{id: id, mode: mode}
}

// get returns the file at path, or nil. The pointer stays valid while no
// file is added.
func (x *gitIndex) get(path string) *gitFile {
	if x == nil {
		return nil
	}
	i := x.paths.Lookup(path)
	if i < 0 {
		return nil
	}
	return x.files.At(i)
}

// len is the number of files.
func (x *gitIndex) len() int {
	if x == nil {
		return 0
	}
	return x.files.Len()
}

// all yields every path and file in git's order.
func (x *gitIndex) all() iter.Seq2[string, *gitFile] {
	return x.where(func(*gitFile) bool { return true })
}

// where yields, in git's order, the files for which keep is true, with
// their paths (built only for those).
func (x *gitIndex) where(keep func(*gitFile) bool) iter.Seq2[string, *gitFile] {
	return func(yield func(string, *gitFile) bool) {
		if x == nil {
			return
		}
		for i := range x.files.Len() {
			if g := x.files.At(i); keep(g) && !yield(x.paths.Path(i), g) {
				return
			}
		}
	}
}

// each calls fn for every file, in git's order, without building paths.
func (x *gitIndex) each(fn func(g *gitFile)) {
	if x == nil {
		return
	}
	for i := range x.files.Len() {
		fn(x.files.At(i))
	}
}

// unseen selects files no tarball member has.
func unseen(g *gitFile) bool { return !g.seen }

// isSubmodule selects gitlinks.
func isSubmodule(g *gitFile) bool { return g.mode == 0o160000 }
