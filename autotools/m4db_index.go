package autotools

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"time"

	"github.com/tarcheck/tarcheck/internal/limits"
)

// The m4 index holds the same entries as an m4 database, one flate-compressed
// chunk per base name behind a sorted name index, so that the entries of one
// name are decoded on demand in microseconds instead of the whole database.
//
//	header  "TCM4IX01", u32 names, u32 entries, u32 name bytes, u32 chunk bytes
//	index   names × (u32 name offset, u32 name length, u32 chunk offset, u32 chunk length)
//	names   name bytes (sorted)
//	chunks  flate data of: uvarint entries, then per entry uvarint-prefixed
//	        serial, 32-byte sha256, uvarint origins (uvarint-prefixed origin,
//	        uvarint snapshot day since 1970 or 0), uvarint lines, lines × u32
const (
	m4IndexMagic  = "TCM4IX01"
	m4IndexHeader = 24
	// maxChunkBytes caps one name's decompressed chunk.
	maxChunkBytes = limits.AutotoolsMaxChunkBytes
)

// errBadIndex is wrapped by errors for a malformed m4 index.
var errBadIndex = errors.New("invalid m4 index")

// M4DBIndex encodes db as an m4 index (the m4db.idx file cmd/m4dbgen writes
// beside m4db.gob.gz). The output is deterministic.
func M4DBIndex(db *M4DB) []byte {
	db.ensure()
	db.mu.RLock()
	defer db.mu.RUnlock()
	names := make([]string, 0, len(db.byName))
	for n := range db.byName {
		names = append(names, n)
	}
	slices.Sort(names)
	var index, strs, chunks bytes.Buffer
	entries := 0
	for _, n := range names {
		var raw []byte
		ents := db.byName[n]
		entries += len(ents)
		raw = binary.AppendUvarint(raw, uint64(len(ents)))
		for _, e := range ents {
			raw = binary.AppendUvarint(raw, uint64(len(e.Serial)))
			raw = append(raw, e.Serial...)
			sum, err := hex.DecodeString(e.SHA256)
			if err != nil || len(sum) != 32 {
				sum = make([]byte, 32)
			}
			raw = append(raw, sum...)
			raw = binary.AppendUvarint(raw, uint64(len(e.Origins)))
			for _, o := range e.Origins {
				raw = binary.AppendUvarint(raw, uint64(len(o)))
				raw = append(raw, o...)
				var day uint64
				if t, ok := db.originSnap[o]; ok {
					day = uint64(t.Unix() / 86400)
				}
				raw = binary.AppendUvarint(raw, day)
			}
			raw = binary.AppendUvarint(raw, uint64(len(e.lines)))
			for _, l := range e.lines {
				raw = binary.LittleEndian.AppendUint32(raw, l)
			}
		}
		var z bytes.Buffer
		zw, _ := flate.NewWriter(&z, flate.BestCompression)
		zw.Write(raw)
		zw.Close()
		for _, v := range []int{strs.Len(), len(n), chunks.Len(), z.Len()} {
			index.Write(binary.LittleEndian.AppendUint32(nil, uint32(v)))
		}
		strs.WriteString(n)
		chunks.Write(z.Bytes())
	}
	out := []byte(m4IndexMagic)
	for _, v := range []int{len(names), entries, strs.Len(), chunks.Len()} {
		out = binary.LittleEndian.AppendUint32(out, uint32(v))
	}
	out = append(out, index.Bytes()...)
	out = append(out, strs.Bytes()...)
	return append(out, chunks.Bytes()...)
}

// m4Index is an opened m4 index; it reads data in place.
type m4Index struct {
	data                                []byte
	names, entries                      int
	index, strs, chunks, nStrs, nChunks int
}

func openM4Index(data []byte) (*m4Index, error) {
	if len(data) < m4IndexHeader || string(data[:8]) != m4IndexMagic {
		return nil, fmt.Errorf("%w: bad header", errBadIndex)
	}
	u := func(i int) int { return int(binary.LittleEndian.Uint32(data[8+4*i:])) }
	x := &m4Index{data: data, names: u(0), entries: u(1), nStrs: u(2), nChunks: u(3)}
	x.index = m4IndexHeader
	x.strs = x.index + 16*x.names
	x.chunks = x.strs + x.nStrs
	if x.names > len(data) || x.nStrs > len(data) || x.nChunks > len(data) || x.chunks+x.nChunks != len(data) {
		return nil, fmt.Errorf("%w: sections do not fit its %d bytes", errBadIndex, len(data))
	}
	return x, nil
}

func (x *m4Index) field(i, f int) int {
	return int(binary.LittleEndian.Uint32(x.data[x.index+16*i+4*f:]))
}

func (x *m4Index) name(i int) []byte {
	off, n := x.field(i, 0), x.field(i, 1)
	if off > x.nStrs || n > x.nStrs-off {
		return nil
	}
	return x.data[x.strs+off : x.strs+off+n]
}

// find returns the index of name, or -1.
func (x *m4Index) find(name string) int {
	key := []byte(name)
	i := sort.Search(x.names, func(i int) bool { return bytes.Compare(x.name(i), key) >= 0 })
	if i < x.names && bytes.Equal(x.name(i), key) {
		return i
	}
	return -1
}

// indexEntry is one decoded entry with its origins' snapshot dates.
type indexEntry struct {
	serial, sum string
	origins     []string
	snaps       []time.Time
	lines       []uint32
}

// load decodes the entries of name i.
func (x *m4Index) load(i int) ([]indexEntry, error) {
	if i < 0 || i >= x.names {
		return nil, fmt.Errorf("%w: no name %d", errBadIndex, i)
	}
	off, n := x.field(i, 2), x.field(i, 3)
	if off > x.nChunks || n > x.nChunks-off {
		return nil, fmt.Errorf("%w: chunk out of range", errBadIndex)
	}
	raw, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(x.data[x.chunks+off:x.chunks+off+n])), maxChunkBytes))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errBadIndex, err)
	}
	r := &chunkReader{b: raw}
	count := r.uvarint()
	var out []indexEntry
	for k := uint64(0); k < count && r.err == nil; k++ {
		var e indexEntry
		e.serial = string(r.bytes(r.uvarint()))
		e.sum = hex.EncodeToString(r.bytes(32))
		for no := r.uvarint(); no > 0 && r.err == nil; no-- {
			e.origins = append(e.origins, string(r.bytes(r.uvarint())))
			var t time.Time
			if d := r.uvarint(); d > 0 && d < 1<<20 {
				t = time.Unix(int64(d)*86400, 0).UTC()
			}
			e.snaps = append(e.snaps, t)
		}
		nl := r.uvarint()
		b := r.bytes(4 * nl)
		for j := 0; j+4 <= len(b); j += 4 {
			e.lines = append(e.lines, binary.LittleEndian.Uint32(b[j:]))
		}
		out = append(out, e)
	}
	if r.err != nil {
		return nil, r.err
	}
	return out, nil
}

// chunkReader reads a decompressed chunk, remembering the first error.
type chunkReader struct {
	b   []byte
	err error
}

func (r *chunkReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = fmt.Errorf("%w: truncated chunk", errBadIndex)
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *chunkReader) bytes(n uint64) []byte {
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.err = fmt.Errorf("%w: truncated chunk", errBadIndex)
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

// ensureName merges the lazy baseline's entries of one base name in, once,
// from the m4 index; without an index (or on a bad chunk) it decodes the
// whole baseline.
func (db *M4DB) ensureName(name string) {
	if db.base == nil {
		return
	}
	if db.index == nil {
		db.ensure()
		return
	}
	db.mu.RLock()
	done := db.full || db.loaded[name]
	db.mu.RUnlock()
	if done {
		return
	}
	var ents []indexEntry
	if i := db.index.find(name); i >= 0 {
		var err error
		if ents, err = db.index.load(i); err != nil {
			db.ensure()
			return
		}
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.full || db.loaded[name] {
		return
	}
	for _, e := range ents {
		db.add(name, e.sum, e.serial, nil, e.origins, e.lines)
		for k, o := range e.origins {
			if _, ok := db.originSnap[o]; !ok && !e.snaps[k].IsZero() {
				db.originSnap[o] = e.snaps[k]
			}
		}
	}
	if db.loaded == nil {
		db.loaded = map[string]bool{}
	}
	db.loaded[name] = true
}

// baseHasName reports whether the lazy baseline knows the base name, without
// decoding it (true when it cannot tell).
func (db *M4DB) baseHasName(name string) bool {
	if db.base == nil {
		return false
	}
	if db.index == nil {
		return true
	}
	return db.index.find(name) >= 0
}
