package verify

import (
	"bytes"
	"encoding/hex"
	"iter"
	"slices"
	"strings"
)

// gitIndex is the tag's tree, compactly: every path in one byte arena and a
// fixed-size record per file, sorted by path (git's order), looked up by
// binary search. A map of strings to pointers cost about 145 bytes a file
// (11 MB for a kernel-sized tree); this costs the path's bytes plus 40.
type gitIndex struct {
	arena []byte
	files []gitFile
}

type gitFile struct {
	id        [20]byte
	mode      uint32
	off, n    uint32 // path in gitIndex.arena
	seen      bool   // a tarball member has this path
	identical bool   // ... and it is identical (not stored in pipeline.tar)
}

// hexID is the object id in hex.
func (g *gitFile) hexID() string { return hex.EncodeToString(g.id[:]) }

// add appends a file; call sortPaths once all are added.
func (x *gitIndex) add(path string, mode uint32, id [20]byte) {
	x.files = append(x.files, gitFile{id: id, mode: mode, off: uint32(len(x.arena)), n: uint32(len(path))})
	x.arena = append(x.arena, path...)
}

// pathBytes is g's path; it must not be modified.
func (x *gitIndex) pathBytes(g *gitFile) []byte { return x.arena[g.off : g.off+g.n] }

// path is g's path.
func (x *gitIndex) path(g *gitFile) string { return string(x.pathBytes(g)) }

// sortPaths sorts the files by path (git ls-tree already lists them in
// this order, so this is normally a check) and drops duplicate paths,
// keeping the last.
func (x *gitIndex) sortPaths() {
	cmp := func(a, b gitFile) int { return bytes.Compare(x.pathBytes(&a), x.pathBytes(&b)) }
	if !slices.IsSortedFunc(x.files, cmp) {
		slices.SortStableFunc(x.files, cmp)
	}
	out := x.files[:0]
	for i, g := range x.files {
		if i+1 < len(x.files) && cmp(g, x.files[i+1]) == 0 {
			continue
		}
		out = append(out, g)
	}
	x.files = slices.Clip(out)
}

// get returns the file at path, or nil. The pointer stays valid: files is
// not appended to once sorted.
func (x *gitIndex) get(path string) *gitFile {
	if x == nil {
		return nil
	}
	i, ok := slices.BinarySearchFunc(x.files, path, func(g gitFile, p string) int {
		return strings.Compare(string(x.pathBytes(&g)), p)
	})
	if !ok {
		return nil
	}
	return &x.files[i]
}

// len is the number of files.
func (x *gitIndex) len() int {
	if x == nil {
		return 0
	}
	return len(x.files)
}

// all yields every path and file in git's order.
func (x *gitIndex) all() iter.Seq2[string, *gitFile] {
	return func(yield func(string, *gitFile) bool) {
		if x == nil {
			return
		}
		for i := range x.files {
			g := &x.files[i]
			if !yield(x.path(g), g) {
				return
			}
		}
	}
}
