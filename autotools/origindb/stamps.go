package origindb

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/binary"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"sync"
)

// A stamp index answers "is this helper a known upstream copy in every
// byte except its version stamps?". Distributions rebuild a tool without
// changing its code and only its version string moves: Ubuntu's libtool
// 2.4.6-15build2 installs Debian 2.4.6-15's ltmain.sh with
// VERSION="2.4.6 Debian-2.4.6-15build2". Such a copy matches no known blob,
// yet every line that can run is a known copy's, at the same place.
//
// The index keys each known helper version by its stamp-normalised hash:
// the SHA-256 of its content with the value of every literal version stamp
// (StampLine) blanked, the stamp's name and the line's place kept. A file
// with the same key is that version with other stamp literals: the names
// of the variables assigned, the number and order of the lines and every
// other byte are the known copy's.
//
// Format (little-endian), searched in place:
//
//	magic    "TCSTAMP1"
//	u32      entries
//	u32      reserved (0)
//	entries× { u64 key, 12-byte blob id prefix of the known copy }
//
// sorted by key, then blob id. The key is the first 8 bytes of the
// SHA-256: finding another file with one of ~10^4 keys costs about 2^50
// SHA-256 evaluations, and such a file must still hold only stamp lines
// where the known copy has them.

const (
	stampsMagic     = "TCSTAMP1"
	stampsEntrySize = 8 + PrefixLen
	// maxStampEntries bounds a stamp index a user could give (the
	// embedded one holds a few thousand entries).
	maxStampEntries = 1 << 22
)

// embeddedStamps is built by autotools/cmd/m4dbgen -stamps (README.md).
//
//go:embed stamps.bin
var embeddedStamps []byte

var (
	stampsOnce sync.Once
	stampsDB   *Stamps
	stampsErr  error
)

// EmbeddedStamps returns the stamp index compiled into the binary, opened
// in place. If the embedded data is corrupt it returns an empty index and
// the error.
func EmbeddedStamps() (*Stamps, error) {
	stampsOnce.Do(func() {
		stampsDB, stampsErr = OpenStamps(embeddedStamps)
		if stampsErr != nil {
			stampsDB = &Stamps{}
		}
	})
	return stampsDB, stampsErr
}

// Stamps is an opened stamp index. The zero value is empty.
type Stamps struct {
	entries []byte
}

// OpenStamps opens an encoded stamp index without copying it; it checks
// the header, the size and the order of the entries.
func OpenStamps(data []byte) (*Stamps, error) {
	if len(data) < 16 || string(data[:8]) != stampsMagic {
		return nil, fmt.Errorf("stamp index: bad magic")
	}
	n := int(binary.LittleEndian.Uint32(data[8:]))
	if n > maxStampEntries {
		return nil, fmt.Errorf("stamp index: %d entries is too many", n)
	}
	if len(data) != 16+n*stampsEntrySize {
		return nil, fmt.Errorf("stamp index: %d bytes for %d entries", len(data), n)
	}
	s := &Stamps{entries: data[16:]}
	for i := 1; i < n; i++ {
		if bytes.Compare(s.entry(i-1), s.entry(i)) > 0 {
			return nil, fmt.Errorf("stamp index: entries not sorted at %d", i)
		}
	}
	return s, nil
}

func (s *Stamps) entry(i int) []byte {
	return s.entries[i*stampsEntrySize : (i+1)*stampsEntrySize]
}

// Len is the number of known versions in the index.
func (s *Stamps) Len() int { return len(s.entries) / stampsEntrySize }

// Lookup returns the blob id prefixes (12 bytes) of the known copies that
// content equals in every byte but the values of its version stamps, and
// how many stamp lines content has. It returns nothing for content with no
// stamp line (an exact copy is found by its blob id).
func (s *Stamps) Lookup(content []byte) (blobs [][]byte, stamps int) {
	key, n := StampKey(content)
	if n == 0 || s == nil {
		return nil, n
	}
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], key)
	i := sort.Search(s.Len(), func(i int) bool { return bytes.Compare(s.entry(i)[:8], k[:]) >= 0 })
	for ; i < s.Len() && bytes.Equal(s.entry(i)[:8], k[:]); i++ {
		blobs = append(blobs, s.entry(i)[8:])
	}
	return blobs, n
}

// stampLineRe is a line that only states a version: a literal assignment
// to a version variable (no expansion, no command: a double-quoted value
// holds no $, ` or \, an unquoted one no blank), or the version line of a
// usage text. Group 1 is what stays when the value is blanked.
var stampLineRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[ \t]*((?:VERSION|scriptversion|timestamp|package_revision)=)(?:"[0-9A-Za-z.:()_ ~+\-]+"|'[0-9A-Za-z.:()_ ~+\-]+'|[0-9A-Za-z.:_~+\-]+);?(?: *# *UTC)?[ \t]*$|^[ \t]*(version: +\$progname (?:\(GNU [a-z]+\)|\$scriptversion) )[0-9A-Za-z.~+\-]+(?: Debian-[0-9A-Za-z.~+\-]+)?[ \t]*$`)
})

// StampLine reports whether line only states a version (VERSION="2.4.6
// Debian-2.4.6-15", timestamp='2021-01-01', scriptversion=2018-03-07.03;
// a usage text's "version: $progname $scriptversion 2.4.6"), and returns
// the line with the version blanked: the variable or text that carries it
// stays.
func StampLine(line []byte) ([]byte, bool) {
	m := stampLineRe().FindSubmatchIndex(line)
	if m == nil {
		return nil, false
	}
	for g := 1; g <= 2; g++ {
		if m[2*g] >= 0 {
			return line[m[2*g]:m[2*g+1]], true
		}
	}
	return nil, false
}

// StampKey is the stamp-normalised key of content and the number of stamp
// lines in it: the first 8 bytes of the SHA-256 of content with every
// stamp line replaced by its blanked form and a NUL marker.
func StampKey(content []byte) (uint64, int) {
	h := sha256.New()
	n := 0
	rest := content
	for len(rest) > 0 {
		line := rest
		nl := bytes.IndexByte(rest, '\n')
		if nl >= 0 {
			line, rest = rest[:nl], rest[nl+1:]
		} else {
			rest = nil
		}
		// Only lines that could be a stamp go through the regexp.
		if len(line) < 256 && (bytes.Contains(line, []byte("=")) || bytes.Contains(line, []byte("version:"))) {
			if keep, ok := StampLine(line); ok {
				h.Write(keep)
				h.Write([]byte{0})
				n++
				if nl >= 0 {
					h.Write([]byte{'\n'})
				}
				continue
			}
		}
		h.Write(line)
		if nl >= 0 {
			h.Write([]byte{'\n'})
		}
	}
	var sum [sha256.Size]byte
	return binary.BigEndian.Uint64(h.Sum(sum[:0])[:8]), n
}

// StampsBuilder collects known helper versions into a stamp index.
type StampsBuilder struct {
	entries map[[stampsEntrySize]byte]struct{}
}

// NewStampsBuilder returns an empty builder.
func NewStampsBuilder() *StampsBuilder {
	return &StampsBuilder{entries: map[[stampsEntrySize]byte]struct{}{}}
}

// AddFile adds one known version of a helper; a version with no stamp
// line adds nothing (its blob id finds it). The helper name is not part
// of the key: it only documents the call.
func (b *StampsBuilder) AddFile(_ string, content []byte) {
	key, n := StampKey(content)
	if n == 0 {
		return
	}
	var e [stampsEntrySize]byte
	binary.BigEndian.PutUint64(e[:8], key)
	copy(e[8:], BlobID(content)[:PrefixLen])
	b.entries[e] = struct{}{}
}

// AddLines does nothing: patch lines are not versions of a helper (it lets
// the builder take the vocabulary's sources).
func (b *StampsBuilder) AddLines(string, [][]byte) {}

// Len is the number of entries collected.
func (b *StampsBuilder) Len() int { return len(b.entries) }

// Bytes encodes the index.
func (b *StampsBuilder) Bytes() []byte {
	es := make([][stampsEntrySize]byte, 0, len(b.entries))
	for e := range b.entries {
		es = append(es, e)
	}
	slices.SortFunc(es, func(x, y [stampsEntrySize]byte) int { return bytes.Compare(x[:], y[:]) })
	out := make([]byte, 16, 16+len(es)*stampsEntrySize)
	copy(out, stampsMagic)
	binary.LittleEndian.PutUint32(out[8:], uint32(len(es)))
	for _, e := range es {
		out = append(out, e[:]...)
	}
	return out
}
