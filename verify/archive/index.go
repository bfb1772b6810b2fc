package archive

import (
	"bytes"
	"hash/maphash"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// memberIndex remembers every member path of a walk, compactly: the paths
// in one byte arena, a fixed-size record each, and two open-addressing
// tables of record numbers, one by path and one by folded path (lower
// case, NFC). Three maps of strings did the same job at about 300 bytes a
// member (23 MB for a kernel-sized tree); this costs the path's bytes plus
// about 56.
//
// The tables are keyed by a 32-bit hash with a per-process random seed and
// every hit is confirmed against the arena, so colliding names cannot be
// confused and cannot be crafted in advance to degrade the tables.
type memberIndex struct {
	seed   maphash.Seed
	arena  []byte
	recs   []memberRec
	byPath slotTable
	byFold slotTable
	fold   []byte // scratch: folded form of the path being looked up
	fold2  []byte // scratch: folded form of a candidate
}

// memberRec is what the walk needs to know about an earlier member: the
// type it first had (duplicates), and for the last regular file or symlink
// of that name its blob id and size (hard links to it).
type memberRec struct {
	off  uint32 // path in arena
	n    uint32
	size int64
	blob [20]byte
	typ  EntryType
	file bool // blob and size are set
}

// noRec is returned by lookups that find nothing.
const noRec = -1

func newMemberIndex() *memberIndex {
	return &memberIndex{seed: maphash.MakeSeed()}
}

// path is the path of record i.
func (x *memberIndex) path(i int) []byte {
	r := &x.recs[i]
	return x.arena[r.off : r.off+r.n]
}

// pathString is the path of record i as a string (for messages).
func (x *memberIndex) pathString(i int) string { return string(x.path(i)) }

func (x *memberIndex) hash(b []byte) uint32 { return fold32(maphash.Bytes(x.seed, b)) }

// hashString equals hash([]byte(s)) (maphash guarantees it).
func (x *memberIndex) hashString(s string) uint32 { return fold32(maphash.String(x.seed, s)) }

func fold32(h uint64) uint32 { return uint32(h) ^ uint32(h>>32) }

// lookup returns the record of path p, or noRec.
func (x *memberIndex) lookup(p string) int {
	h := x.hashString(p)
	return x.byPath.find(h, func(i int) bool { return string(x.path(i)) == p })
}

// add records a new path (not already present) and returns its record
// number. The caller caps the arena (Limits.MaxNameBytes) well below 4 GiB.
func (x *memberIndex) add(p string, typ EntryType) int {
	i := len(x.recs)
	x.recs = append(x.recs, memberRec{off: uint32(len(x.arena)), n: uint32(len(p)), typ: typ})
	x.arena = append(x.arena, p...)
	x.byPath.insert(x.hashString(p), i)
	return i
}

// setFile sets the content of record i (a regular file or symlink), for
// hard links to it.
func (x *memberIndex) setFile(i int, blob [20]byte, size int64) {
	r := &x.recs[i]
	r.blob, r.size, r.file = blob, size, true
}

// foldedOwner returns the record of an earlier path that folds to the same
// name as p (a case or normalisation collision), or noRec; when none, it
// makes record i the owner of p's folded name.
func (x *memberIndex) foldedOwner(p string, i int) int {
	x.fold = appendFolded(x.fold[:0], p)
	h := x.hash(x.fold)
	j := x.byFold.find(h, func(j int) bool {
		x.fold2 = appendFolded(x.fold2[:0], string(x.path(j)))
		return bytes.Equal(x.fold2, x.fold)
	})
	if j == noRec {
		x.byFold.insert(h, i)
	}
	return j
}

// appendFolded appends the case- and normalisation-folded form of p.
func appendFolded(dst []byte, p string) []byte {
	for i := 0; i < len(p); i++ {
		if p[i] >= utf8.RuneSelf {
			return append(dst, strings.ToLower(norm.NFC.String(p))...)
		}
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// slotTable is an open-addressing hash table of record numbers with linear
// probing. A slot holds the 32-bit hash and the record number plus one (0:
// empty); the table doubles when it is three-quarters full.
type slotTable struct {
	slots []slot
	used  int
}

type slot struct{ h, rec uint32 }

// find returns the first record whose hash is h and for which eq is true,
// or noRec.
func (t *slotTable) find(h uint32, eq func(int) bool) int {
	if len(t.slots) == 0 {
		return noRec
	}
	mask := uint32(len(t.slots) - 1)
	for k := h & mask; ; k = (k + 1) & mask {
		s := t.slots[k]
		if s.rec == 0 {
			return noRec
		}
		if s.h == h && eq(int(s.rec-1)) {
			return int(s.rec - 1)
		}
	}
}

// insert adds record i under hash h.
func (t *slotTable) insert(h uint32, i int) {
	if 4*(t.used+1) > 3*len(t.slots) {
		t.grow()
	}
	t.put(h, uint32(i)+1)
	t.used++
}

func (t *slotTable) put(h, rec uint32) {
	mask := uint32(len(t.slots) - 1)
	k := h & mask
	for t.slots[k].rec != 0 {
		k = (k + 1) & mask
	}
	t.slots[k] = slot{h: h, rec: rec}
}

func (t *slotTable) grow() {
	old := t.slots
	t.slots = make([]slot, max(1024, 2*len(old)))
	for _, s := range old {
		if s.rec != 0 {
			t.put(s.h, s.rec)
		}
	}
}
