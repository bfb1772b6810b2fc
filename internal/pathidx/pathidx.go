// Package pathidx stores a large set of slash-separated paths compactly
// and numbers them, for the per-file indexes of a release (the archive's
// members, the tag's tree) whose memory must not grow much with the
// release.
//
// Paths are interned as a tree: each directory and each path is a 12-byte
// node naming its parent directory and its last component, whose bytes
// live once in a shared arena. Lookups go through open-addressing hash
// tables of 5 bytes a slot, keyed with a per-process random seed, and
// every hit is confirmed byte for byte, so colliding names can neither be
// confused nor crafted in advance to slow the tables down. Nodes and names
// are stored in fixed-size chunks that are never copied or over-allocated
// as the index grows. A kernel-sized tree (80,000 files in 5,000
// directories, paths of 45 bytes on average) costs about 30 bytes a path
// instead of the 120 to 150 of a map from strings.
//
// Any string is a valid path: it is split at every '/', and empty
// components (a leading '/', "a//b") are components like any other.
package pathidx

import (
	"hash/maphash"
	"slices"
	"strings"
)

// MaxArena is the most name bytes an Index holds; callers cap their input
// below it (Add panics beyond it).
const MaxArena = 512 << 20

const (
	arenaChunk = 64 << 10 // bytes of names per arena chunk
	bigName    = 16 << 10 // longer names get a chunk of their own
)

// Index is a set of paths numbered 0, 1, ... in the order they were
// added. The zero value is not usable: call New.
type Index struct {
	seed   maphash.Seed
	arena  [][]byte // chunks; a name never spans two
	nbytes int      // name bytes stored
	dirs   Slice[node]
	paths  Slice[node]
	dirT   Table
	pathT  Table
}

type node struct {
	parent uint32 // a directory number (0: the root)
	off    uint32 // arena chunk << 16 | position in it
	n      uint32 // name length
}

// New returns an empty Index.
func New() *Index {
	x := &Index{seed: maphash.MakeSeed()}
	x.dirs.Append(node{}) // the root
	return x
}

// Len is the number of paths.
func (x *Index) Len() int { return x.paths.Len() }

// ArenaBytes is the number of name bytes stored.
func (x *Index) ArenaBytes() int { return x.nbytes }

// MemBytes is the memory the Index holds.
func (x *Index) MemBytes() int {
	const nodeSize = 12
	n := x.dirs.MemBytes(nodeSize) + x.paths.MemBytes(nodeSize) + x.dirT.MemBytes() + x.pathT.MemBytes()
	for _, c := range x.arena {
		n += cap(c)
	}
	return n
}

func (x *Index) key(parent uint32, name string) uint32 {
	return Fold(maphash.String(x.seed, name) ^ (uint64(parent)+1)*0x9e3779b97f4a7c15)
}

func (x *Index) name(n *node) []byte {
	c := x.arena[n.off>>16]
	p := n.off & 0xffff
	return c[p : p+n.n]
}

func (x *Index) dirKey(i int) uint32 {
	d := x.dirs.At(i)
	return x.key(d.parent, string(x.name(d)))
}

func (x *Index) pathKey(i int) uint32 {
	f := x.paths.At(i)
	return x.key(f.parent, string(x.name(f)))
}

// Fold turns a 64-bit hash into a table key.
func Fold(h uint64) uint32 { return uint32(h) ^ uint32(h>>32) }

// findDir returns the directory named name in parent, or -1.
func (x *Index) findDir(parent uint32, name string) int {
	return x.dirT.Find(x.key(parent, name), func(i int) bool {
		d := x.dirs.At(i)
		return d.parent == parent && string(x.name(d)) == name
	})
}

func (x *Index) findPath(k, dir uint32, name string) int {
	return x.pathT.Find(k, func(i int) bool {
		f := x.paths.At(i)
		return f.parent == dir && string(x.name(f)) == name
	})
}

// parent walks the directories of p and returns the directory its last
// component is in, and that component. With create, missing directories
// are added; without, ok is false when one is missing.
func (x *Index) parent(p string, create bool) (dir uint32, name string, ok bool) {
	for {
		i := strings.IndexByte(p, '/')
		if i < 0 {
			return dir, p, true
		}
		comp := p[:i]
		d := x.findDir(dir, comp)
		if d < 0 {
			if !create {
				return 0, "", false
			}
			d = x.dirs.Append(x.store(dir, comp))
			x.dirT.Insert(x.key(dir, comp), d, x.dirKey)
		}
		dir, p = uint32(d), p[i+1:]
	}
}

// Lookup returns the number of path p, or -1.
func (x *Index) Lookup(p string) int {
	dir, name, ok := x.parent(p, false)
	if !ok {
		return -1
	}
	return x.findPath(x.key(dir, name), dir, name)
}

// Add adds p and returns its number, and whether it is new (a path
// already present keeps its number). It panics if the names would exceed
// MaxArena: callers cap their input.
func (x *Index) Add(p string) (int, bool) {
	dir, name, _ := x.parent(p, true)
	k := x.key(dir, name)
	if i := x.findPath(k, dir, name); i >= 0 {
		return i, false
	}
	i := x.paths.Append(x.store(dir, name))
	x.pathT.Insert(k, i, x.pathKey)
	return i, true
}

// store copies name into the arena.
func (x *Index) store(parent uint32, name string) node {
	if x.nbytes+len(name) > MaxArena {
		panic("pathidx: more than MaxArena bytes of names")
	}
	x.nbytes += len(name)
	last := len(x.arena) - 1
	if len(name) > bigName {
		x.arena = append(x.arena, []byte(name))
		return node{parent: parent, off: uint32(last+1) << 16, n: uint32(len(name))}
	}
	if last < 0 || len(x.arena[last])+len(name) > arenaChunk || cap(x.arena[last]) != arenaChunk {
		x.arena = append(x.arena, make([]byte, 0, arenaChunk))
		last++
	}
	c := x.arena[last]
	pos := len(c)
	x.arena[last] = append(c, name...)
	return node{parent: parent, off: uint32(last)<<16 | uint32(pos), n: uint32(len(name))}
}

// Path returns path number i.
func (x *Index) Path(i int) string { return string(x.AppendPath(nil, i)) }

// AppendPath appends path number i to dst.
func (x *Index) AppendPath(dst []byte, i int) []byte {
	f := x.paths.At(i)
	size := int(f.n)
	for d := f.parent; d != 0; d = x.dirs.At(int(d)).parent {
		size += int(x.dirs.At(int(d)).n) + 1
	}
	start := len(dst)
	// Grown in place, not append(dst, make(...)...): the race detector's
	// build allocates for that form at every call.
	dst = slices.Grow(dst, size)[:start+size]
	out := dst[start:]
	end := size
	end -= copy(out[end-int(f.n):end], x.name(f))
	for d := f.parent; d != 0; {
		dn := x.dirs.At(int(d))
		end--
		out[end] = '/'
		end -= copy(out[end-int(dn.n):end], x.name(dn))
		d = dn.parent
	}
	return dst
}

// chunkShift sets the elements per Slice chunk (4096).
const chunkShift = 12

// Slice is an append-only sequence stored in chunks of 4096 elements:
// growing it never copies or over-allocates more than one chunk, and
// pointers to its elements stay valid.
type Slice[T any] struct {
	chunks [][]T
	n      int
}

// Len is the number of elements.
func (s *Slice[T]) Len() int { return s.n }

// At returns a pointer to element i.
func (s *Slice[T]) At(i int) *T { return &s.chunks[i>>chunkShift][i&(1<<chunkShift-1)] }

// Append adds v and returns its index.
func (s *Slice[T]) Append(v T) int {
	c := s.n >> chunkShift
	if c == len(s.chunks) {
		s.chunks = append(s.chunks, make([]T, 0, 1<<chunkShift))
	}
	s.chunks[c] = append(s.chunks[c], v)
	s.n++
	return s.n - 1
}

// MemBytes is the memory held, given the size of an element.
func (s *Slice[T]) MemBytes(elemSize int) int { return len(s.chunks) << chunkShift * elemSize }

// Table is an open-addressing hash table of numbers with linear probing,
// for callers that keep their own keys: a slot holds the number plus one
// (0: empty) and one byte of the key that screens out most mismatches.
// The table doubles when three-quarters full, asking the caller for the
// keys of the numbers it holds. Keys must come from a seeded hash so that
// input cannot choose them.
type Table struct {
	nums []uint32
	tags []uint8
	used int
}

func tagOf(key uint32) uint8 { return uint8(key >> 24) }

// Find returns the first number stored under key for which eq is true, or
// -1.
func (t *Table) Find(key uint32, eq func(int) bool) int {
	if len(t.nums) == 0 {
		return -1
	}
	mask := uint32(len(t.nums) - 1)
	tag := tagOf(key)
	for k := key & mask; ; k = (k + 1) & mask {
		n := t.nums[k]
		if n == 0 {
			return -1
		}
		if t.tags[k] == tag && eq(int(n-1)) {
			return int(n - 1)
		}
	}
}

// Insert stores number i under key; keyOf gives the key of any number
// already stored.
func (t *Table) Insert(key uint32, i int, keyOf func(int) uint32) {
	if 4*(t.used+1) > 3*len(t.nums) {
		t.grow(keyOf)
	}
	t.put(key, uint32(i)+1)
	t.used++
}

func (t *Table) put(key, num uint32) {
	mask := uint32(len(t.nums) - 1)
	k := key & mask
	for t.nums[k] != 0 {
		k = (k + 1) & mask
	}
	t.nums[k], t.tags[k] = num, tagOf(key)
}

func (t *Table) grow(keyOf func(int) uint32) {
	old := t.nums
	size := max(256, 2*len(old))
	t.nums, t.tags = make([]uint32, size), make([]uint8, size)
	for _, n := range old {
		if n != 0 {
			t.put(keyOf(int(n-1)), n)
		}
	}
}

// MemBytes is the memory the table holds.
func (t *Table) MemBytes() int { return 5 * len(t.nums) }
