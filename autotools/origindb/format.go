// Package origindb is a compact, zero-copy database of known upstream file
// versions, keyed by git blob id: every version of gnulib's lib/ m4/
// build-aux/ tests/ top/ doc/ in its git history, and the files that
// autoconf, automake, libtool, gettext/autopoint, pkg-config/pkgconf,
// autoconf-archive and gtk-doc (gtkdocize's gtk-doc.make) install, from
// their git histories and from Debian's packages of several suites.
//
// The database is one byte slice (embedded with go:embed, see Embedded) that
// is searched in place: Open checks only its header and section sizes, so
// loading costs no decoding, and each lookup is a binary search over sorted
// 12-byte blob-id prefixes. What a match proves, and what the caller must
// still check, is documented on each lookup.
//
// Layout (little-endian), all sections back to back after a 40-byte header:
//
//	header   magic "TCORIGN1", then u32 counts: blobs, origins, paths,
//	         projects, versions, string bytes, u32 build date (days since 1970),
//	         u32 reserved
//	prefixes blobs × 12 bytes, sorted ascending, unique
//	blobOrig (blobs+1) × u32: origins of blob i are [blobOrig[i], blobOrig[i+1])
//	origins  origins × 14 bytes: path u32, project u8, flags u8,
//	         first-version u16, last-version u16, first-date u16, last-date u16
//	paths    paths × 8 bytes: string offset u32, length u32; sorted by
//	         (base name, path)
//	pathOrig (paths+1) × u32 into byPath
//	byPath   origins × u32: origin indexes grouped by path
//	projects projects × 24 bytes: name offset u32, name length u32,
//	         source offset u32, source length u32, first version u32,
//	         version count u16, snapshot date u16
//	versions versions × 12 bytes: name offset u32, name length u32,
//	         date u16, flags u16
//	strings  string bytes
//
// Dates are days since 1970-01-01 (0 = unknown); version indexes are global
// into versions, noVersion when the origin is no release.
package origindb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/tarcheck/tarcheck/internal/limits"
)

const (
	magic = "TCORIGN1"
	// PrefixLen is how many leading bytes of a blob id the database keeps.
	// 12 bytes (96 bits) keep a chance match of an arbitrary file below
	// 2^-60 for a million entries, and a deliberate second preimage of a
	// known file as hard as one of SHA-1 truncated to 96 bits.
	PrefixLen   = 12
	headerSize  = 40
	originSize  = 14
	pathSize    = 8
	projectSize = 24
	versionSize = 12
	noVersion   = 0xffff
	// MaxSize caps the database size Open accepts.
	MaxSize = limits.OriginDBMaxSize
)

// Flags of an origin.
const (
	// flagPackage: the origin is an installed file of a distribution package
	// (Path is the installed path, the version the package's).
	flagPackage = 1 << 0
)

// ErrBadDB is wrapped by every error for data that is not a valid database.
var ErrBadDB = errors.New("invalid origin database")

// DB is an opened origin database. Its methods only read the underlying
// bytes and are safe for concurrent use.
type DB struct {
	data                                          []byte
	nBlobs, nOrigins, nPaths, nProjects, nVersion int
	built                                         time.Time
	// section offsets
	prefixes, blobOrig, origins, paths, pathOrig, byPath, projects, versions, strs int
	nStrs                                                                          int
}

func badf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadDB, fmt.Sprintf(format, args...))
}

// Open returns the database held in data without copying or decoding it:
// it checks the header and that the sections fit the data exactly. The
// per-entry indexes are checked when read, so a corrupt database gives
// wrong or empty answers but never a panic; Verify checks everything.
// data must not be modified while the DB is in use.
func Open(data []byte) (*DB, error) {
	if len(data) < headerSize {
		return nil, badf("%d bytes, shorter than the %d-byte header", len(data), headerSize)
	}
	if string(data[:8]) != magic {
		return nil, badf("bad magic %q (want %q): not an origin database or a newer format", data[:8], magic)
	}
	if len(data) > MaxSize {
		return nil, badf("%d bytes, over the %d-byte limit", len(data), MaxSize)
	}
	u := func(i int) int { return int(binary.LittleEndian.Uint32(data[8+4*i:])) }
	db := &DB{data: data, nBlobs: u(0), nOrigins: u(1), nPaths: u(2), nProjects: u(3), nVersion: u(4), nStrs: u(5)}
	if d := u(6); d > 0 {
		db.built = dayTime(uint16(min(d, 0xffff)))
	}
	for _, n := range []int{db.nBlobs, db.nOrigins, db.nPaths, db.nProjects, db.nVersion, db.nStrs} {
		if n < 0 || n > MaxSize {
			return nil, badf("count %d out of range", n)
		}
	}
	if db.nProjects > 0xff || db.nVersion >= noVersion {
		return nil, badf("%d projects, %d versions: too many", db.nProjects, db.nVersion)
	}
	off := headerSize
	next := func(size int) int { o := off; off += size; return o }
	db.prefixes = next(db.nBlobs * PrefixLen)
	db.blobOrig = next((db.nBlobs + 1) * 4)
	db.origins = next(db.nOrigins * originSize)
	db.paths = next(db.nPaths * pathSize)
	db.pathOrig = next((db.nPaths + 1) * 4)
	db.byPath = next(db.nOrigins * 4)
	db.projects = next(db.nProjects * projectSize)
	db.versions = next(db.nVersion * versionSize)
	db.strs = next(db.nStrs)
	if off != len(data) {
		return nil, badf("sections add up to %d bytes but the data has %d (truncated or corrupt)", off, len(data))
	}
	return db, nil
}

// Size returns the database's size in bytes.
func (db *DB) Size() int { return len(db.data) }

// Blobs returns the number of distinct blob ids and Origins the number of
// (blob, project, path, version) records.
func (db *DB) Blobs() int { return db.nBlobs }

// Origins returns the number of origin records.
func (db *DB) Origins() int { return db.nOrigins }

// Built returns the date the database was built (zero if not recorded).
func (db *DB) Built() time.Time { return db.built }

func (db *DB) u32(off int) int    { return int(binary.LittleEndian.Uint32(db.data[off:])) }
func (db *DB) u16(off int) uint16 { return binary.LittleEndian.Uint16(db.data[off:]) }

// str returns a string of the string section; a range outside it gives "".
func (db *DB) str(off, n int) string {
	if off < 0 || n < 0 || off > db.nStrs || n > db.nStrs-off {
		return ""
	}
	return string(db.data[db.strs+off : db.strs+off+n])
}

func (db *DB) prefix(i int) []byte {
	o := db.prefixes + i*PrefixLen
	return db.data[o : o+PrefixLen]
}

// originRange returns the origins of blob i, clamped to the valid range.
func (db *DB) originRange(i int) (lo, hi int) {
	lo, hi = db.u32(db.blobOrig+4*i), db.u32(db.blobOrig+4*(i+1))
	if lo > db.nOrigins || hi > db.nOrigins || lo > hi {
		return 0, 0
	}
	return lo, hi
}

func (db *DB) pathString(i int) string {
	if i < 0 || i >= db.nPaths {
		return ""
	}
	o := db.paths + i*pathSize
	return db.str(db.u32(o), db.u32(o+4))
}

// epoch is day 0 of the database's dates.
var epoch = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

func dayTime(d uint16) time.Time {
	if d == 0 {
		return time.Time{}
	}
	return epoch.AddDate(0, 0, int(d))
}

func timeDay(t time.Time) uint16 {
	if t.IsZero() || t.Before(epoch) {
		return 0
	}
	d := int(t.Sub(epoch).Hours() / 24)
	return uint16(min(max(d, 1), 0xfffe))
}
