// Package pathidx stores a large set of slash-separated paths compactly
// and numbers them, for the per-file indexes of a release (the archive's
// members, the tag's tree) whose memory must not grow much with the
// release.
//
// Paths are interned as a tree: each directory and each path is a 12-byte
// node naming its parent directory and its last component, whose bytes
// live once in a shared arena. A kernel-sized tree (80,000 files in 5,000
// directories, paths of 45 bytes on average) costs about 35 bytes a path
// instead of the 120 to 150 of a map from strings. Lookups go through
// open-addressing hash tables keyed with a per-process random seed, and
// every hit is confirmed byte for byte, so colliding names can neither be
// confused nor crafted in advance to slow the tables down.
//
// Any string is a valid path: it is split at every '/', and empty
// components (a leading '/', "a//b") are components like any other.
package pathidx

import "hash/maphash"

// MaxArena is the most name bytes an Index holds (its offsets are 32
// bits); callers cap their input well below it.
const MaxArena = 1 << 31

// Index is a set of paths numbered 0, 1, ... in the order they were
// added. The zero value is not usable: call New.
type Index struct {
	seed  maphash.Seed
	arena []byte
	dirs  []node // dirs[0] is the root
	paths []node
	dirT  Table
	pathT Table
}

type node struct {
	parent uint32 // a directory number
	off, n uint32 // last component in arena
}

// New returns an empty Index.
func New() *Index {
	return &Index{seed: maphash.MakeSeed(), dirs: []node{{}}}
}

// Len is the number of paths.
func (x *Index) Len() int { return len(x.paths) }

// ArenaBytes is the number of name bytes stored.
func (x *Index) ArenaBytes() int { return len(x.arena) }

// MemBytes is the memory the Index holds (slice capacities included).
func (x *Index) MemBytes() int {
	const nodeSize, slotSize = 12, 8
	return cap(x.arena) + nodeSize*(cap(x.dirs)+cap(x.paths)) + slotSize*(len(x.dirT.slots)+len(x.pathT.slots))
}

func (x *Index) key(parent uint32, name string) uint32 {
	return Fold(maphash.String(x.seed, name) ^ (uint64(parent)+1)*0x9e3779b97f4a7c15)
}

func (x *Index) name(n *node) string { return string(x.arena[n.off : n.off+n.n]) }

// Fold turns a 64-bit hash into a table key.
func Fold(h uint64) uint32 { return uint32(h) ^ uint32(h>>32) }

// findDir returns the directory named name in parent, or -1.
func (x *Index) findDir(parent uint32, name string) int {
	return x.dirT.Find(x.key(parent, name), func(i int) bool {
		d := &x.dirs[i]
		return d.parent == parent && x.name(d) == name
	})
}

// Lookup returns the number of path p, or -1.
func (x *Index) Lookup(p string) int {
	dir := uint32(0)
	rest := p
	for {
		i := indexSlash(rest)
		if i < 0 {
			break
		}
		d := x.findDir(dir, rest[:i])
		if d < 0 {
			return -1
		}
		dir, rest = uint32(d), rest[i+1:]
	}
	return x.pathT.Find(x.key(dir, rest), func(i int) bool {
		f := &x.paths[i]
		return f.parent == dir && x.name(f) == rest
	})
}

// Add adds p and returns its number, and whether it is new (a path
// already present keeps its number). The caller keeps ArenaBytes below
// MaxArena.
func (x *Index) Add(p string) (int, bool) {
	dir := uint32(0)
	rest := p
	for {
		i := indexSlash(rest)
		if i < 0 {
			break
		}
		comp := rest[:i]
		d := x.findDir(dir, comp)
		if d < 0 {
			d = len(x.dirs)
			x.dirs = append(x.dirs, x.store(dir, comp))
			x.dirT.Insert(x.key(dir, comp), d)
		}
		dir, rest = uint32(d), rest[i+1:]
	}
	k := x.key(dir, rest)
	if i := x.pathT.Find(k, func(i int) bool {
		f := &x.paths[i]
		return f.parent == dir && x.name(f) == rest
	}); i >= 0 {
		return i, false
	}
	i := len(x.paths)
	x.paths = append(x.paths, x.store(dir, rest))
	x.pathT.Insert(k, i)
	return i, true
}

func (x *Index) store(parent uint32, name string) node {
	n := node{parent: parent, off: uint32(len(x.arena)), n: uint32(len(name))}
	x.arena = append(x.arena, name...)
	return n
}

// Path returns path number i.
func (x *Index) Path(i int) string { return string(x.AppendPath(nil, i)) }

// AppendPath appends path number i to dst.
func (x *Index) AppendPath(dst []byte, i int) []byte {
	f := &x.paths[i]
	size := int(f.n)
	for d := f.parent; d != 0; d = x.dirs[d].parent {
		size += int(x.dirs[d].n) + 1
	}
	start := len(dst)
	dst = append(dst, make([]byte, size)...)
	out := dst[start:]
	end := size
	end -= copy(out[end-int(f.n):end], x.arena[f.off:f.off+f.n])
	for d := f.parent; d != 0; d = x.dirs[d].parent {
		end--
		out[end] = '/'
		dn := &x.dirs[d]
		end -= copy(out[end-int(dn.n):end], x.arena[dn.off:dn.off+dn.n])
	}
	return dst
}

func indexSlash(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '/' {
			return i
		}
	}
	return -1
}

// Table is an open-addressing hash table of numbers with linear probing,
// for callers that keep their own keys: a slot holds a 32-bit key and the
// number plus one (0: empty), and the table doubles when three-quarters
// full. Keys must come from a seeded hash so that input cannot choose
// them.
type Table struct {
	slots []slot
	used  int
}

type slot struct{ key, num uint32 }

// Find returns the first number stored under key for which eq is true, or
// -1.
func (t *Table) Find(key uint32, eq func(int) bool) int {
	if len(t.slots) == 0 {
		return -1
	}
	mask := uint32(len(t.slots) - 1)
	for k := key & mask; ; k = (k + 1) & mask {
		s := t.slots[k]
		if s.num == 0 {
			return -1
		}
		if s.key == key && eq(int(s.num-1)) {
			return int(s.num - 1)
		}
	}
}

// Insert stores number i under key.
func (t *Table) Insert(key uint32, i int) {
	if 4*(t.used+1) > 3*len(t.slots) {
		t.grow()
	}
	t.put(key, uint32(i)+1)
	t.used++
}

func (t *Table) put(key, num uint32) {
	mask := uint32(len(t.slots) - 1)
	k := key & mask
	for t.slots[k].num != 0 {
		k = (k + 1) & mask
	}
	t.slots[k] = slot{key: key, num: num}
}

func (t *Table) grow() {
	old := t.slots
	t.slots = make([]slot, max(256, 2*len(old)))
	for _, s := range old {
		if s.num != 0 {
			t.put(s.key, s.num)
		}
	}
}
