package archive

import (
	"bytes"
	"hash/maphash"
	"strings"
	"unicode/utf8"

	"github.com/tarcheck/tarcheck/internal/pathidx"
	"golang.org/x/text/unicode/norm"
)

// memberIndex remembers every member path of a walk: the paths interned
// in a pathidx.Index, a fixed-size record each, and a table of folded
// names (lower case, NFC) for collisions. Three maps of strings did the
// same job at about 300 bytes a member (23 MB for a kernel-sized tree);
// this costs about 70.
type memberIndex struct {
	paths  *pathidx.Index
	recs   pathidx.Slice[memberRec] // by path number
	big    map[int]int64            // sizes of 1 TiB and more, by path number
	seed   maphash.Seed
	byFold pathidx.Table
	fold   []byte // scratch: folded form of the path being looked up
	fold2  []byte // scratch: a candidate's path, then its folded form
}

// memberRec is what the walk needs to know about an earlier member: the
// type it first had (duplicates), and for the last regular file or symlink
// of that name its blob id and size (hard links to it). 26 bytes.
type memberRec struct {
	blob [20]byte
	size [5]byte // little endian; all ones: see memberIndex.big
	typ  uint8   // EntryType
}

// recFile marks, in memberRec.typ, that blob and size are set.
const recFile = 0x80

// maxRecSize is the largest size a memberRec holds itself.
const maxRecSize = 1<<40 - 1

// noRec is returned by lookups that find nothing.
const noRec = -1

func newMemberIndex() *memberIndex {
	return &memberIndex{paths: pathidx.New(), seed: maphash.MakeSeed()}
}

// nameBytes is the memory the names take, for Limits.MaxNameBytes.
func (x *memberIndex) nameBytes() int64 { return int64(x.paths.ArenaBytes()) }

// lookup returns the record of path p, or noRec.
func (x *memberIndex) lookup(p string) int { return x.paths.Lookup(p) }

// typ is the type record i was first seen with.
func (x *memberIndex) typ(i int) EntryType { return EntryType(x.recs.At(i).typ &^ recFile) }

// pathString is the path of record i.
func (x *memberIndex) pathString(i int) string { return x.paths.Path(i) }

// add records a new path (not already present) and returns its record
// number. The caller caps the names (Limits.MaxNameBytes) below
// pathidx.MaxArena.
func (x *memberIndex) add(p string, typ EntryType) int {
	i, _ := x.paths.Add(p)
	x.recs.Append(memberRec{typ: uint8(typ)})
	return i
}

// setFile sets the content of record i (a regular file or symlink), for
// hard links to it.
func (x *memberIndex) setFile(i int, blob [20]byte, size int64) {
	r := x.recs.At(i)
	r.blob = blob
	r.typ |= recFile
	s := uint64(min(max(size, 0), maxRecSize))
	if s == maxRecSize {
		if x.big == nil {
			x.big = map[int]int64{}
		}
		x.big[i] = size
	}
	for k := range r.size {
		r.size[k] = byte(s >> (8 * k))
	}
}

// file returns the blob id and size of record i if it is a file or
// symlink.
func (x *memberIndex) file(i int) (blob [20]byte, size int64, ok bool) {
	r := x.recs.At(i)
	var s uint64
	for k := range r.size {
		s |= uint64(r.size[k]) << (8 * k)
	}
	if s == maxRecSize {
		return r.blob, x.big[i], r.typ&recFile != 0
	}
	return r.blob, int64(s), r.typ&recFile != 0
}

// foldedOwner returns the record of an earlier path that folds to the same
// name as p (a case or normalisation collision), or noRec; when none, it
// makes record i the owner of p's folded name.
func (x *memberIndex) foldedOwner(p string, i int) int {
	x.fold = appendFolded(x.fold[:0], p)
	h := pathidx.Fold(maphash.Bytes(x.seed, x.fold))
	j := x.byFold.Find(h, func(j int) bool { return bytes.Equal(x.foldedPath(j), x.fold) })
	if j == noRec {
		x.byFold.Insert(h, i, x.foldKey)
	}
	return j
}

// foldedPath is the folded form of record j's path (in a scratch buffer).
func (x *memberIndex) foldedPath(j int) []byte {
	x.fold2 = x.paths.AppendPath(x.fold2[:0], j)
	x.fold2 = appendFolded(x.fold2[:0], string(x.fold2))
	return x.fold2
}

// foldKey is the byFold key of record j.
func (x *memberIndex) foldKey(j int) uint32 {
	return pathidx.Fold(maphash.Bytes(x.seed, x.foldedPath(j)))
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
