package compare

import (
	"cmp"
	"encoding/binary"
	"encoding/hex"
	"iter"
	"slices"

	"github.com/tarcheck/tarcheck/internal/pathidx"
)

// Index is the tag's tree: the paths interned in a pathidx.Index and a
// fixed-size record per file, in ls-tree's (git's) order. A map of strings
// to pointers cost about 145 bytes a file (11 MB for a kernel-sized tree);
// this costs about 65.
type Index struct {
	paths *pathidx.Index
	files pathidx.Slice[GitFile] // by path number
}

// GitFile is one file of the tag's tree.
type GitFile struct {
	ID        [20]byte
	Mode      uint32
	Seen      bool // a tarball member has this path
	Identical bool // ... and it is identical (not in Result.Members)
}

// HexID is the object id in hex.
func (g *GitFile) HexID() string { return hex.EncodeToString(g.ID[:]) }

// NewIndex returns an empty index.
func NewIndex() *Index { return &Index{paths: pathidx.New()} }

// Add records a file; a path listed twice keeps the last id and mode.
func (x *Index) Add(path string, mode uint32, id [20]byte) {
	i, added := x.paths.Add(path)
	if added {
		x.files.Append(GitFile{})
	}
	*x.files.At(i) = GitFile{ID: id, Mode: mode}
}

// Get returns the file at path, or nil. The pointer stays valid while no
// file is added.
func (x *Index) Get(path string) *GitFile {
	if x == nil {
		return nil
	}
	i := x.paths.Lookup(path)
	if i < 0 {
		return nil
	}
	return x.files.At(i)
}

// Len is the number of files.
func (x *Index) Len() int {
	if x == nil {
		return 0
	}
	return x.files.Len()
}

// All yields every path and file in git's order.
func (x *Index) All() iter.Seq2[string, *GitFile] {
	return x.Where(func(*GitFile) bool { return true })
}

// Where yields, in git's order, the files for which keep is true, with
// their paths (built only for those).
func (x *Index) Where(keep func(*GitFile) bool) iter.Seq2[string, *GitFile] {
	return func(yield func(string, *GitFile) bool) {
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

// Match yields, in git's order, the files for which keep is true, with
// their paths: keep sees each path as bytes (valid only during the call),
// so only the kept paths are built as strings.
func (x *Index) Match(keep func(path []byte, g *GitFile) bool) iter.Seq2[string, *GitFile] {
	return func(yield func(string, *GitFile) bool) {
		if x == nil {
			return
		}
		var buf []byte
		for i := range x.files.Len() {
			g := x.files.At(i)
			buf = x.paths.AppendPath(buf[:0], i)
			if keep(buf, g) && !yield(string(buf), g) {
				return
			}
		}
	}
}

// Each calls fn for every file, in git's order, without building paths.
func (x *Index) Each(fn func(g *GitFile)) {
	if x == nil {
		return
	}
	for i := range x.files.Len() {
		fn(x.files.At(i))
	}
}

// Unseen selects files no tarball member has.
func Unseen(g *GitFile) bool { return !g.Seen }

// IsRegular selects files with content of their own: not gitlinks
// (submodules), not symlinks.
func IsRegular(g *GitFile) bool { return g.Mode != 0o160000 && g.Mode != 0o120000 }

// IsSubmodule selects gitlinks.
func IsSubmodule(g *GitFile) bool { return g.Mode == 0o160000 }

// AnyPath reports whether match is true for the path of any file; the
// buffer given to match is reused.
func (x *Index) AnyPath(match func(path []byte) bool) bool {
	var buf []byte
	for i := range x.Len() {
		buf = x.paths.AppendPath(buf[:0], i)
		if match(buf) {
			return true
		}
	}
	return false
}

// ArenaBytes is the size of the interned path names.
func (x *Index) ArenaBytes() int { return x.paths.ArenaBytes() }

// ByID finds files by blob id: a table of 16 bytes a file, sorted by the
// id's first 8 bytes, so a 640,000-file tree's lookup costs 10 MiB and no
// path strings (a map of ids to paths cost about 150 bytes a file).
type ByID struct {
	x    *Index
	keys []idKey
}

type idKey struct {
	prefix uint64 // the id's first 8 bytes
	at     uint32 // file number
}

// ByID indexes the files for which keep is true by blob id.
func (x *Index) ByID(keep func(*GitFile) bool) *ByID {
	b := &ByID{x: x}
	if x == nil {
		return b
	}
	b.keys = make([]idKey, 0, x.files.Len())
	for i := range x.files.Len() {
		if g := x.files.At(i); keep(g) {
			b.keys = append(b.keys, idKey{prefix: binary.BigEndian.Uint64(g.ID[:8]), at: uint32(i)})
		}
	}
	slices.SortFunc(b.keys, func(a, c idKey) int {
		if a.prefix != c.prefix {
			return cmp.Compare(a.prefix, c.prefix)
		}
		return cmp.Compare(a.at, c.at)
	})
	return b
}

// First returns the path of the first file, in git's order (byte order
// of the paths), whose blob id is id.
func (b *ByID) First(id [20]byte) (string, bool) {
	at := b.find(id)
	if at < 0 {
		return "", false
	}
	return b.x.paths.Path(at), true
}

// Has reports whether a file has the blob id.
func (b *ByID) Has(id [20]byte) bool { return b.find(id) >= 0 }

// find returns the number of the first file whose blob id is id, or -1.
func (b *ByID) find(id [20]byte) int {
	if b == nil || b.x == nil {
		return -1
	}
	prefix := binary.BigEndian.Uint64(id[:8])
	i, _ := slices.BinarySearchFunc(b.keys, prefix, func(k idKey, p uint64) int { return cmp.Compare(k.prefix, p) })
	for ; i < len(b.keys) && b.keys[i].prefix == prefix; i++ {
		if at := int(b.keys[i].at); b.x.files.At(at).ID == id {
			return at
		}
	}
	return -1
}
