package origindb

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/binary"
	"fmt"
	"slices"
	"sort"
	"sync"
)

// A line vocabulary answers "was this line ever in any known version of
// this copied helper?" for the helpers the autotools copy into releases
// (config.guess, config.sub, install-sh, ltmain.sh, depcomp, ...). The
// origin database knows versions by blob id only: a helper whose bytes
// match none of them could be a harmless recombination of known versions
// (a development snapshot) or carry lines no upstream ever wrote. The
// vocabulary tells the two apart without storing the helpers: for each
// helper it keeps the sorted 8-byte hashes of every normalised significant
// line (not blank, not a comment) of every known version.
//
// Format (little-endian), searched in place:
//
//	magic    "TCVOCAB1"
//	u32      helpers
//	helpers× { u8 name length, name, u32 first hash index, u32 hashes, u32 versions }
//	padding  to a multiple of 8
//	hashes   u64 each, sorted per helper
//
// A hash is the first 8 bytes of SHA-256 of the normalised line: finding
// an attacker's line that collides with one of a helper's ~10^4 hashes
// costs about 2^50 SHA-256 evaluations.

// vocabMagic starts a vocabulary file.
const vocabMagic = "TCVOCAB1"

// embeddedVocab is built by autotools/cmd/m4dbgen -vocab (README.md).
//
//go:embed vocab.bin
var embeddedVocab []byte

var (
	vocabOnce sync.Once
	vocabDB   *Vocab
	vocabErr  error
)

// EmbeddedVocab returns the line vocabulary compiled into the binary,
// opened in place (no copy, no decoding). If the embedded data is corrupt
// it returns an empty vocabulary and the error.
func EmbeddedVocab() (*Vocab, error) {
	vocabOnce.Do(func() {
		vocabDB, vocabErr = OpenVocab(embeddedVocab)
		if vocabErr != nil {
			vocabDB = &Vocab{}
		}
	})
	return vocabDB, vocabErr
}

// Vocab is an opened line vocabulary. The zero value is empty.
type Vocab struct {
	data    []byte
	helpers []vocabHelper
	hashOff int
}

type vocabHelper struct {
	name               string
	first, n, versions int
}

// OpenVocab opens an encoded vocabulary without copying it; it checks the
// header and the bounds of every helper's hash range.
func OpenVocab(data []byte) (*Vocab, error) {
	if len(data) < 12 || string(data[:8]) != vocabMagic {
		return nil, fmt.Errorf("line vocabulary: bad magic")
	}
	nh := int(binary.LittleEndian.Uint32(data[8:]))
	off := 12
	v := &Vocab{data: data}
	if nh > 4096 {
		return nil, fmt.Errorf("line vocabulary: %d helpers is too many", nh)
	}
	for i := 0; i < nh; i++ {
		if off >= len(data) {
			return nil, fmt.Errorf("line vocabulary: truncated helper table")
		}
		l := int(data[off])
		if off+1+l+12 > len(data) {
			return nil, fmt.Errorf("line vocabulary: truncated helper table")
		}
		h := vocabHelper{name: string(data[off+1 : off+1+l])}
		off += 1 + l
		h.first = int(binary.LittleEndian.Uint32(data[off:]))
		h.n = int(binary.LittleEndian.Uint32(data[off+4:]))
		h.versions = int(binary.LittleEndian.Uint32(data[off+8:]))
		off += 12
		if i > 0 && v.helpers[i-1].name >= h.name {
			return nil, fmt.Errorf("line vocabulary: helper table not sorted at %q", h.name)
		}
		v.helpers = append(v.helpers, h)
	}
	off = (off + 7) &^ 7
	v.hashOff = off
	total := (len(data) - off) / 8
	if off > len(data) || (len(data)-off)%8 != 0 {
		return nil, fmt.Errorf("line vocabulary: hash area is not a whole number of hashes")
	}
	for _, h := range v.helpers {
		if h.first < 0 || h.n < 0 || h.first > total || h.n > total-h.first {
			return nil, fmt.Errorf("line vocabulary: hashes of %q out of range", h.name)
		}
	}
	return v, nil
}

// Size is the encoded size in bytes.
func (v *Vocab) Size() int { return len(v.data) }

// Helpers lists the helper names the vocabulary covers, sorted.
func (v *Vocab) Helpers() []string {
	out := make([]string, len(v.helpers))
	for i, h := range v.helpers {
		out[i] = h.name
	}
	return out
}

func (v *Vocab) helper(name string) (vocabHelper, bool) {
	i := sort.Search(len(v.helpers), func(i int) bool { return v.helpers[i].name >= name })
	if i < len(v.helpers) && v.helpers[i].name == name {
		return v.helpers[i], true
	}
	return vocabHelper{}, false
}

// Versions returns how many distinct versions of helper the vocabulary was
// built from (0 when it does not cover helper).
func (v *Vocab) Versions(helper string) int {
	h, _ := v.helper(helper)
	return h.versions
}

// Lines returns how many distinct line hashes helper has.
func (v *Vocab) Lines(helper string) int {
	h, _ := v.helper(helper)
	return h.n
}

// Contains reports whether line (normalised as VocabLineHash does) was in
// some known version of helper. Lines that are not significant (blank,
// comments) are always contained.
func (v *Vocab) Contains(helper string, line []byte) bool {
	k, ok := VocabLineHash(line)
	if !ok {
		return true
	}
	return v.ContainsHash(helper, k)
}

// ContainsHash reports whether the line hash k is in helper's vocabulary.
func (v *Vocab) ContainsHash(helper string, k uint64) bool {
	h, ok := v.helper(helper)
	if !ok {
		return false
	}
	base := v.hashOff + 8*h.first
	i := sort.Search(h.n, func(i int) bool { return binary.LittleEndian.Uint64(v.data[base+8*i:]) >= k })
	return i < h.n && binary.LittleEndian.Uint64(v.data[base+8*i:]) == k
}

// NormalizeLine trims a line and folds runs of blanks to one space;
// ok is false for lines that cannot act: blank lines and comments (#, dnl,
// and TeX's %).
func NormalizeLine(line []byte) ([]byte, bool) {
	t := bytes.TrimSpace(line)
	if len(t) == 0 || t[0] == '#' || t[0] == '%' || bytes.HasPrefix(t, []byte("dnl")) && (len(t) == 3 || t[3] == ' ' || t[3] == '\t') {
		return nil, false
	}
	if bytes.IndexAny(t, "\t\r\v\f") < 0 && !bytes.Contains(t, []byte("  ")) {
		return t, true
	}
	out := make([]byte, 0, len(t))
	space := false
	for _, c := range t {
		switch c {
		case ' ', '\t', '\r', '\v', '\f':
			space = true
			continue
		}
		if space {
			out = append(out, ' ')
			space = false
		}
		out = append(out, c)
	}
	return out, true
}

// VocabLineHash is the vocabulary key of a line: the first 8 bytes of the
// SHA-256 of its normalised form. ok is false for lines NormalizeLine drops.
func VocabLineHash(line []byte) (uint64, bool) {
	t, ok := NormalizeLine(line)
	if !ok {
		return 0, false
	}
	s := sha256.Sum256(t)
	return binary.LittleEndian.Uint64(s[:8]), true
}

// VocabBuilder collects the lines of helper versions.
type VocabBuilder struct {
	lines    map[string]map[uint64]struct{}
	versions map[string]map[[32]byte]struct{}
	// base counts the versions of vocabularies merged in with AddVocab.
	base map[string]int
}

// NewVocabBuilder returns an empty builder.
func NewVocabBuilder() *VocabBuilder {
	return &VocabBuilder{lines: map[string]map[uint64]struct{}{}, versions: map[string]map[[32]byte]struct{}{}, base: map[string]int{}}
}

// AddVocab merges an existing vocabulary into b: its line hashes, and its
// version counts added to the versions b sees (extending a vocabulary with
// new sources without re-reading the old ones).
func (b *VocabBuilder) AddVocab(v *Vocab) {
	for _, h := range v.helpers {
		set := b.lines[h.name]
		if set == nil {
			set = map[uint64]struct{}{}
			b.lines[h.name] = set
		}
		base := v.hashOff + 8*h.first
		for i := 0; i < h.n; i++ {
			set[binary.LittleEndian.Uint64(v.data[base+8*i:])] = struct{}{}
		}
		b.base[h.name] += h.versions
	}
}

// AddFile adds every significant line of one version of helper.
func (b *VocabBuilder) AddFile(helper string, content []byte) {
	if len(helper) == 0 || len(helper) > 255 {
		return
	}
	vs := b.versions[helper]
	if vs == nil {
		vs = map[[32]byte]struct{}{}
		b.versions[helper] = vs
	}
	vs[sha256.Sum256(content)] = struct{}{}
	b.AddLines(helper, bytes.Split(content, []byte("\n")))
}

// AddLines adds lines to helper's vocabulary without counting a version
// (the added lines of a patch that a tool applies to a helper).
func (b *VocabBuilder) AddLines(helper string, lines [][]byte) {
	if len(helper) == 0 || len(helper) > 255 {
		return
	}
	set := b.lines[helper]
	if set == nil {
		set = map[uint64]struct{}{}
		b.lines[helper] = set
	}
	for _, l := range lines {
		if k, ok := VocabLineHash(l); ok {
			set[k] = struct{}{}
		}
	}
}

// Bytes encodes the vocabulary.
func (b *VocabBuilder) Bytes() []byte {
	names := make([]string, 0, len(b.lines))
	for n := range b.lines {
		names = append(names, n)
	}
	sort.Strings(names)
	var head bytes.Buffer
	head.WriteString(vocabMagic)
	head.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(names))))
	var hashes []byte
	first := 0
	for _, n := range names {
		ks := make([]uint64, 0, len(b.lines[n]))
		for k := range b.lines[n] {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		head.WriteByte(byte(len(n)))
		head.WriteString(n)
		head.Write(binary.LittleEndian.AppendUint32(nil, uint32(first)))
		head.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(ks))))
		head.Write(binary.LittleEndian.AppendUint32(nil, uint32(b.base[n]+len(b.versions[n]))))
		for _, k := range ks {
			hashes = binary.LittleEndian.AppendUint64(hashes, k)
		}
		first += len(ks)
	}
	for head.Len()%8 != 0 {
		head.WriteByte(0)
	}
	return append(head.Bytes(), hashes...)
}
