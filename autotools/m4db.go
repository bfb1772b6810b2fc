package autotools

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/binary"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tarcheck/tarcheck/autotools/origindb"
	"github.com/tarcheck/tarcheck/internal/limits"
)

// Limits for the known-file database.
const (
	// MaxDBFileSize is the largest file AddDir records; bigger files are skipped.
	MaxDBFileSize = limits.AutotoolsMaxDBFileSize
	// MaxM4DBBytes caps the decompressed size of a database read by LoadM4DB.
	MaxM4DBBytes = limits.AutotoolsMaxM4DBBytes
	// maxFingerprintLines caps the line fingerprints kept per m4 file.
	maxFingerprintLines = limits.AutotoolsMaxFingerprintLines
	// maxDiffLines caps the added lines a match reports as its short diff.
	maxDiffLines = limits.AutotoolsMaxDiffLines
)

// m4DBFormat names the serialised database format written by Save.
const m4DBFormat = "tarcheck.m4db/v1"

// ErrBadM4DB is returned by LoadM4DB for data that is not a valid database.
var ErrBadM4DB = errors.New("invalid m4 database")

//go:embed m4db.gob.gz
var baselineData []byte

// baselineIndex is m4db.gob.gz as an m4 index (see M4DBIndex), written
// with it by cmd/m4dbgen: the entries of one name decode on demand.
//
//go:embed m4db.idx
var baselineIndex []byte

// PackageVersion records one source of the database, e.g. Debian's gnulib
// package at version 20230209+stable-1.
type PackageVersion struct {
	Name    string
	Version string
}

// M4Entry is one known upstream file version: an m4 macro file (with its serial
// and line fingerprints) or another file copied into releases verbatim (a
// gnulib lib/ file, a build-aux helper), keyed by its base name.
type M4Entry struct {
	// Name is the file's base name ("stdlib_h.m4", "install-sh").
	Name string
	// Serial is the m4 serial number, "" for non-m4 files or when absent.
	Serial string
	// SHA256 is the hex sha256 of the exact content.
	SHA256 string
	// Origins lists where this exact content comes from ("gnulib 20230209+stable-1").
	Origins []string
	lines   []uint32
}

// M4DB is a database of known upstream files, mostly m4 macros. The zero value
// is not usable; use NewM4DB, Baseline, LoadM4DB or MergeM4DB. Lookup may be
// called concurrently; AddFile, AddDir and Merge must not run concurrently with
// anything else on the same database.
type M4DB struct {
	// Snapshot is the date of the newest source in the database; a release
	// newer than this may legitimately carry newer upstream copies.
	Snapshot time.Time
	// Packages lists the sources the database was built from, with versions
	// (Debian packages, and git repositories as "git:NAME" with the commit
	// and a digest of their refs).
	Packages []PackageVersion

	// originSnap holds the date each origin's content is current as of, when
	// known (see SetOriginSnapshot).
	originSnap map[string]time.Time
	entries    []*M4Entry
	byName     map[string][]*M4Entry
	byHash     map[string][]*M4Entry

	// origins, when set, answers exact matches by git blob id without
	// decoding anything (the embedded origin database).
	origins *origindb.DB
	// base, when set, returns the shared decoded m4 baseline; its entries
	// are merged in (before this database's own) the first time an answer
	// needs them: a file that differs from every known copy.
	base     func() *M4DB
	baseOnce sync.Once
	// index, when set with base, holds base's entries by name: a lookup
	// decodes only the entries of its name (see ensureName).
	index *m4Index
	// mu guards the maps while names are merged in lazily; full records
	// that the whole base is merged, loaded which names are.
	mu     sync.RWMutex
	full   bool
	loaded map[string]bool
}

// ensure merges the lazily decoded baseline entries in, once.
func (db *M4DB) ensure() {
	if db.base == nil {
		return
	}
	db.baseOnce.Do(func() {
		base := db.base()
		db.mu.Lock()
		defer db.mu.Unlock()
		db.full = true
		own := db.entries
		db.entries, db.byName, db.byHash = nil, map[string][]*M4Entry{}, map[string][]*M4Entry{}
		for _, e := range base.entries {
			db.add(e.Name, e.SHA256, e.Serial, nil, e.Origins, e.lines)
		}
		for _, e := range own {
			db.add(e.Name, e.SHA256, e.Serial, nil, e.Origins, e.lines)
		}
		for o, t := range base.originSnap {
			if _, ok := db.originSnap[o]; !ok {
				db.originSnap[o] = t
			}
		}
		for _, p := range base.Packages {
			if !slices.Contains(db.Packages, p) {
				db.Packages = append(db.Packages, p)
			}
		}
		if base.Snapshot.After(db.Snapshot) {
			db.Snapshot = base.Snapshot
		}
	})
}

// NewM4DB returns an empty database.
func NewM4DB() *M4DB {
	return &M4DB{byName: map[string][]*M4Entry{}, byHash: map[string][]*M4Entry{}, originSnap: map[string]time.Time{}}
}

// SetOriginSnapshot records the date an origin's content is current as of
// (a package's release date, a git repository's newest commit). The newest
// snapshot of the origins providing a name decides whether a serial above
// the known ones is suspicious: an old gettext package says nothing about
// gettext.m4 serials released after it, however new the gnulib snapshot.
// A zero t removes the record.
func (db *M4DB) SetOriginSnapshot(origin string, t time.Time) {
	if t.IsZero() {
		db.ensure()
		delete(db.originSnap, origin)
		return
	}
	db.ensure()
	db.originSnap[origin] = t.UTC().Truncate(24 * time.Hour)
}

// OriginSnapshot returns the snapshot date recorded for origin, or the zero
// time when none is.
func (db *M4DB) OriginSnapshot(origin string) time.Time {
	db.ensure()
	db.mu.RLock()
	defer db.mu.RUnlock()
	return db.originSnap[origin]
}

// NameSnapshot returns the newest snapshot date among the origins that
// provide a file of this base name. When none of them has a recorded date it
// falls back to the database's Snapshot; for an unknown name it returns the
// zero time.
func (db *M4DB) NameSnapshot(name string) time.Time {
	name = path.Base(name)
	db.ensureName(name)
	db.mu.RLock()
	defer db.mu.RUnlock()
	known := db.byName[name]
	if len(known) == 0 {
		return time.Time{}
	}
	var newest time.Time
	for _, e := range known {
		for _, o := range e.Origins {
			if t, ok := db.originSnap[o]; ok && t.After(newest) {
				newest = t
			}
		}
	}
	if newest.IsZero() {
		return db.Snapshot
	}
	return newest
}

// Len returns the number of distinct (name, content) entries.
func (db *M4DB) Len() int {
	db.ensure()
	db.mu.RLock()
	defer db.mu.RUnlock()
	return len(db.entries)
}

// Known returns the entries recorded under a base name, in insertion order.
// The entries are shared; callers must not modify them.
func (db *M4DB) Known(name string) []*M4Entry {
	name = path.Base(name)
	db.ensureName(name)
	db.mu.RLock()
	defer db.mu.RUnlock()
	return db.byName[name]
}

// isM4Name reports whether a base name is an m4 macro file.
func isM4Name(name string) bool { return strings.HasSuffix(name, ".m4") }

// AddFile records content under the base name of name as coming from origin.
// Adding the same content again only adds the origin.
func (db *M4DB) AddFile(name string, content []byte, origin string) {
	sum := sha256.Sum256(content)
	db.ensure()
	db.add(path.Base(filepath.ToSlash(name)), hex.EncodeToString(sum[:]), "", content, []string{origin}, nil)
}

func (db *M4DB) add(name, sum, serial string, content []byte, origins []string, lines []uint32) *M4Entry {
	for _, e := range db.byHash[sum] {
		if e.Name == name {
			for _, o := range origins {
				if o != "" && !slices.Contains(e.Origins, o) {
					e.Origins = append(e.Origins, o)
				}
			}
			return e
		}
	}
	e := &M4Entry{Name: name, SHA256: sum, Serial: serial}
	for _, o := range origins {
		if o != "" && !slices.Contains(e.Origins, o) {
			e.Origins = append(e.Origins, o)
		}
	}
	if content != nil && isM4Name(name) {
		if h, err := ParseM4Header(content); err == nil {
			e.Serial = h.Serial
		}
		e.lines = fingerprints(content)
	} else {
		e.lines = lines
	}
	db.entries = append(db.entries, e)
	db.byName[name] = append(db.byName[name], e)
	db.byHash[sum] = append(db.byHash[sum], e)
	return e
}

// AddDir records every regular file below dir (recursively, skipping .git and
// files larger than MaxDBFileSize) under its base name, as coming from origin.
func (db *M4DB) AddDir(dir, origin string) error {
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if info.Size() > MaxDBFileSize {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		db.AddFile(d.Name(), b, origin)
		return nil
	})
	if err != nil {
		return fmt.Errorf("adding %s to m4 database: %w", dir, err)
	}
	return nil
}

// Merge adds every entry, package and the newer snapshot of other to db.
func (db *M4DB) Merge(other *M4DB) {
	if other == nil {
		return
	}
	if other.base != nil && db.base == nil && len(db.entries) == 0 {
		// Adopt the lazy baseline instead of decoding it now; other's
		// own entries are added below (again, harmlessly, if other was
		// already decoded).
		db.base, db.origins, db.index = other.base, other.origins, other.index
	} else {
		// db's own entries stay as they are: a lazy baseline of db's is
		// merged in before them when first needed.
		other.ensure()
		if db.origins == nil {
			db.origins = other.origins
		}
	}
	for _, e := range other.entries {
		db.add(e.Name, e.SHA256, e.Serial, nil, e.Origins, e.lines)
	}
	for _, p := range other.Packages {
		if !slices.Contains(db.Packages, p) {
			db.Packages = append(db.Packages, p)
		}
	}
	if other.Snapshot.After(db.Snapshot) {
		db.Snapshot = other.Snapshot
	}
	for o, t := range other.originSnap {
		if t.After(db.originSnap[o]) {
			db.originSnap[o] = t
		}
	}
}

// MergeM4DB returns a new database holding the entries of all dbs (nil ones are
// skipped), e.g. MergeM4DB(Baseline(), extended).
func MergeM4DB(dbs ...*M4DB) *M4DB {
	out := NewM4DB()
	for _, d := range dbs {
		out.Merge(d)
	}
	return out
}

var (
	baselineOnce sync.Once
	baselineDB   *M4DB
	originsErr   error

	decodedOnce sync.Once
	decodedDB   *M4DB
	decodedErr  error
)

// decodedBaseline decodes the embedded m4 database (line fingerprints and
// serials for closest-copy diffs) once; an undecodable one gives an empty
// database and decodedErr.
func decodedBaseline() *M4DB {
	decodedOnce.Do(func() {
		decodedDB, decodedErr = LoadM4DB(bytes.NewReader(baselineData))
		if decodedErr != nil {
			decodedDB = NewM4DB()
		}
	})
	return decodedDB
}

// Baseline returns the database embedded in the binary: exact copies are
// answered from the embedded origin database (package origindb: every
// version of gnulib's lib/ m4/ build-aux/ tests/ top/ doc/ and of the files
// autoconf, automake, libtool, gettext, pkgconf/pkg-config and
// autoconf-archive install) by git blob id, without decoding anything; the
// m4 database built by cmd/m4dbgen (serials and line fingerprints for the
// closest known copy) is decoded only when an answer needs it: a file with
// a known name whose content matches no known copy, or a call to Len,
// Known, NameSnapshot or OriginSnapshot. It is shared: do not modify it
// (use MergeM4DB to extend it). If the embedded data cannot be decoded,
// Baseline answers from what it could decode and BaselineErr reports why.
func Baseline() *M4DB {
	baselineOnce.Do(func() { baselineDB, originsErr = openBaseline() })
	return baselineDB
}

// openBaseline is Baseline's first use: the m4 index and the origin
// database opened in place, nothing decoded.
func openBaseline() (*M4DB, error) {
	db := NewM4DB()
	db.base = decodedBaseline
	if x, err := openM4Index(baselineIndex); err == nil {
		db.index = x
	}
	origins, err := origindb.Embedded()
	db.origins = origins
	for _, p := range origins.Projects() {
		if p.Snapshot.After(db.Snapshot) {
			db.Snapshot = p.Snapshot
		}
	}
	return db, err
}

// BaselineErr reports whether the embedded databases failed to decode. It
// decodes the m4 database, which Baseline otherwise does only on demand.
func BaselineErr() error {
	Baseline()
	decodedBaseline()
	return errors.Join(originsErr, decodedErr)
}

// UseOrigins makes db answer exact matches from o instead (for instance an
// extended database written by `tarcheck db build`, opened with
// origindb.Open and checked with Verify); nil turns the fast path off. Do
// not call it on the shared Baseline: merge first (MergeM4DB(Baseline())).
func (db *M4DB) UseOrigins(o *origindb.DB) { db.origins = o }

// Origins returns the origin database exact matches are answered from (the
// embedded one for Baseline and databases merged with it), or nil.
func (db *M4DB) Origins() *origindb.DB { return db.origins }

// wireDB is the serialised form: gob inside gzip, line fingerprints
// deduplicated into one table ordered by frequency.
type wireDB struct {
	Format   string
	Snapshot string
	Packages []PackageVersion
	Origins  []string
	Lines    []byte // little-endian uint32 fingerprints
	Entries  []wireEntry
	// OriginSnapshots, sorted by origin, were added after the first
	// release of the format; older files simply lack them.
	OriginSnapshots []wireOriginSnapshot
}

type wireOriginSnapshot struct {
	Origin string
	Date   string // YYYY-MM-DD
}

type wireEntry struct {
	Name    string
	Serial  string
	SHA256  string
	Origins []uint32
	LineIdx []byte // uvarint indexes into Lines
}

// Save writes the database (gzip-compressed gob). The output is deterministic
// for the same content.
func (db *M4DB) Save(w io.Writer) error {
	db.ensure()
	wd := wireDB{Format: m4DBFormat, Packages: slices.Clone(db.Packages)}
	if !db.Snapshot.IsZero() {
		wd.Snapshot = db.Snapshot.UTC().Format(time.DateOnly)
	}
	slices.SortFunc(wd.Packages, func(a, b PackageVersion) int {
		return strings.Compare(a.Name+"\x00"+a.Version, b.Name+"\x00"+b.Version)
	})
	ents := slices.Clone(db.entries)
	slices.SortFunc(ents, func(a, b *M4Entry) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		if c := CompareSerials(a.Serial, b.Serial); c != 0 {
			return c
		}
		return strings.Compare(a.SHA256, b.SHA256)
	})
	originIdx := map[string]uint32{}
	freq := map[uint32]int{}
	for _, e := range ents {
		for _, o := range e.Origins {
			if _, ok := originIdx[o]; !ok {
				originIdx[o] = 0
				wd.Origins = append(wd.Origins, o)
			}
		}
		for _, l := range e.lines {
			freq[l]++
		}
	}
	slices.Sort(wd.Origins)
	for i, o := range wd.Origins {
		originIdx[o] = uint32(i)
	}
	table := make([]uint32, 0, len(freq))
	for l := range freq {
		table = append(table, l)
	}
	slices.SortFunc(table, func(a, b uint32) int {
		if freq[a] != freq[b] {
			return freq[b] - freq[a]
		}
		if a < b {
			return -1
		}
		if a > b {
			return 1
		}
		return 0
	})
	lineIdx := make(map[uint32]uint64, len(table))
	wd.Lines = make([]byte, 0, 4*len(table))
	for i, l := range table {
		lineIdx[l] = uint64(i)
		wd.Lines = binary.LittleEndian.AppendUint32(wd.Lines, l)
	}
	for _, e := range ents {
		we := wireEntry{Name: e.Name, Serial: e.Serial, SHA256: e.SHA256}
		for _, o := range e.Origins {
			we.Origins = append(we.Origins, originIdx[o])
		}
		slices.Sort(we.Origins)
		for _, l := range e.lines {
			we.LineIdx = binary.AppendUvarint(we.LineIdx, lineIdx[l])
		}
		wd.Entries = append(wd.Entries, we)
	}
	for o, t := range db.originSnap {
		wd.OriginSnapshots = append(wd.OriginSnapshots, wireOriginSnapshot{Origin: o, Date: t.UTC().Format(time.DateOnly)})
	}
	slices.SortFunc(wd.OriginSnapshots, func(a, b wireOriginSnapshot) int { return strings.Compare(a.Origin, b.Origin) })
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return fmt.Errorf("saving m4 database: %w", err)
	}
	if err := gob.NewEncoder(zw).Encode(&wd); err != nil {
		return fmt.Errorf("saving m4 database: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("saving m4 database: %w", err)
	}
	return nil
}

// LoadM4DB reads a database written by Save. It returns an error wrapping
// ErrBadM4DB when the data is malformed.
func LoadM4DB(r io.Reader) (*M4DB, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("loading m4 database: %w: %w", ErrBadM4DB, err)
	}
	var wd wireDB
	if err := gob.NewDecoder(io.LimitReader(zr, MaxM4DBBytes)).Decode(&wd); err != nil {
		return nil, fmt.Errorf("loading m4 database: %w: %w", ErrBadM4DB, err)
	}
	if wd.Format != m4DBFormat {
		return nil, fmt.Errorf("loading m4 database: %w: format %q", ErrBadM4DB, wd.Format)
	}
	if len(wd.Lines)%4 != 0 {
		return nil, fmt.Errorf("loading m4 database: %w: line table", ErrBadM4DB)
	}
	db := NewM4DB()
	db.Packages = wd.Packages
	if wd.Snapshot != "" {
		t, err := time.Parse(time.DateOnly, wd.Snapshot)
		if err != nil {
			return nil, fmt.Errorf("loading m4 database: %w: snapshot: %w", ErrBadM4DB, err)
		}
		db.Snapshot = t
	}
	for _, ws := range wd.OriginSnapshots {
		t, err := time.Parse(time.DateOnly, ws.Date)
		if err != nil {
			return nil, fmt.Errorf("loading m4 database: %w: snapshot of %s: %w", ErrBadM4DB, ws.Origin, err)
		}
		db.originSnap[ws.Origin] = t
	}
	nLines := uint64(len(wd.Lines) / 4)
	for _, we := range wd.Entries {
		var origins []string
		for _, o := range we.Origins {
			if int(o) >= len(wd.Origins) {
				return nil, fmt.Errorf("loading m4 database: %w: origin index", ErrBadM4DB)
			}
			origins = append(origins, wd.Origins[o])
		}
		var lines []uint32
		for b := we.LineIdx; len(b) > 0; {
			v, n := binary.Uvarint(b)
			if n <= 0 || v >= nLines {
				return nil, fmt.Errorf("loading m4 database: %w: line index", ErrBadM4DB)
			}
			b = b[n:]
			lines = append(lines, binary.LittleEndian.Uint32(wd.Lines[4*v:]))
		}
		db.add(we.Name, we.SHA256, we.Serial, nil, origins, lines)
	}
	return db, nil
}

// fingerprints hashes the significant lines of an m4 file: trimmed, non-blank,
// and not comments (# or dnl). Comment-only edits therefore do not count as
// content changes when choosing the closest known copy.
func fingerprints(content []byte) []uint32 {
	var out []uint32
	for len(content) > 0 && len(out) < maxFingerprintLines {
		line := content
		if i := bytes.IndexByte(content, '\n'); i >= 0 {
			line, content = content[:i], content[i+1:]
		} else {
			content = nil
		}
		if fp, ok := lineFingerprint(line); ok {
			out = append(out, fp)
		}
	}
	return out
}

func lineFingerprint(line []byte) (uint32, bool) {
	t := bytes.TrimSpace(line)
	if len(t) == 0 || t[0] == '#' || (bytes.HasPrefix(t, []byte("dnl")) && (len(t) == 3 || t[3] == ' ' || t[3] == '\t')) {
		return 0, false
	}
	h := fnv.New32a()
	h.Write(t)
	return h.Sum32(), true
}

// MatchKind says how a file relates to the database.
type MatchKind string

// Match kinds returned by Lookup.
const (
	// MatchExact: the content is byte-identical to a known upstream copy.
	MatchExact MatchKind = "exact"
	// MatchKnownName: the name is known but this content is not; its serial
	// is not above every known serial.
	MatchKnownName MatchKind = "known-name"
	// MatchSerialAbove: the name is known, the content is not, and its serial
	// is higher than every known serial of that name.
	MatchSerialAbove MatchKind = "serial-above"
	// MatchUnknownName: no file of that name is known.
	MatchUnknownName MatchKind = "unknown-name"
)

// M4Match is the result of a Lookup.
type M4Match struct {
	Kind MatchKind
	// Name is the base name looked up.
	Name string
	// Header is the file's parsed header (empty for non-m4 files).
	Header M4Header
	// Origins of the identical known copy (MatchExact only).
	Origins []string
	// KnownAs is the name of the identical copy when it was recorded under
	// another name (MatchExact only, else "").
	KnownAs string
	// MaxKnownSerial is the highest serial known for the name ("" if none).
	// KnownVersions is how many distinct contents are known for the name.
	// For an exact match both may be unset or count only the database's
	// own entries: exact matches are answered without decoding the lazy
	// m4 baseline (see Baseline); use Known for the full list.
	MaxKnownSerial string
	KnownVersions  int
	// Closest is the known copy sharing most lines with the file (nil when
	// the name is unknown or the match is exact).
	Closest *M4Entry
	// Added holds the file's significant lines missing from Closest (at most
	// maxDiffLines), Removed counts Closest's significant lines missing
	// from the file and AddedTotal counts all added lines.
	Added      []string
	AddedTotal int
	Removed    int
}

// Diff renders the short diff against the closest known copy as lines
// ("+ line", "- N upstream lines not present"), or nil without a Closest.
func (m M4Match) Diff() []string {
	if m.Closest == nil {
		return nil
	}
	var out []string
	for _, l := range m.Added {
		out = append(out, "+ "+l)
	}
	if m.AddedTotal > len(m.Added) {
		out = append(out, fmt.Sprintf("+ ... %d more added lines", m.AddedTotal-len(m.Added)))
	}
	if m.Removed > 0 {
		out = append(out, fmt.Sprintf("- %d lines of the upstream copy are not present", m.Removed))
	}
	return out
}

// Lookup matches a file (by its base name and exact content) against the
// database. For a known name with unknown content it finds the closest known
// version by shared lines and computes a short diff.
func (db *M4DB) Lookup(name string, content []byte) M4Match {
	name = path.Base(name)
	m := M4Match{Name: name}
	if isM4Name(name) {
		m.Header, _ = ParseM4Header(content)
	}
	if db.origins != nil {
		if origins := db.origins.LookupBlob(origindb.BlobID(content)); len(origins) > 0 {
			return exactOrigin(m, origins)
		}
	}
	sum := sha256.Sum256(content)
	hexSum := hex.EncodeToString(sum[:])
	db.mu.RLock()
	ownName, ownHit := len(db.byName[name]) > 0, len(db.byHash[hexSum]) > 0
	db.mu.RUnlock()
	if db.base != nil && !ownName && !db.baseHasName(name) {
		// No file of that name is known: no need to decode the m4
		// baseline to say so (the origin database may still know the
		// name, see origindb.DB.ByName).
		m.Kind = MatchUnknownName
		return m
	}
	if !ownHit {
		// Not an exact copy of this database's own entries: the lazy
		// baseline's serials and fingerprints of this name are needed.
		db.ensureName(name)
	}
	db.mu.RLock()
	defer db.mu.RUnlock()
	known := db.byName[name]
	m.KnownVersions = len(known)
	for _, e := range known {
		if e.Serial != "" && (m.MaxKnownSerial == "" || CompareSerials(e.Serial, m.MaxKnownSerial) > 0) {
			m.MaxKnownSerial = e.Serial
		}
	}
	if hits := db.byHash[hexSum]; len(hits) > 0 {
		m.Kind = MatchExact
		hit := hits[0]
		for _, e := range hits {
			if e.Name == name {
				hit = e
				break
			}
		}
		m.Origins = hit.Origins
		if hit.Name != name {
			m.KnownAs = hit.Name
		}
		return m
	}
	if len(known) == 0 {
		m.Kind = MatchUnknownName
		return m
	}
	m.Kind = MatchKnownName
	if m.Header.Serial != "" && m.MaxKnownSerial != "" && CompareSerials(m.Header.Serial, m.MaxKnownSerial) > 0 {
		m.Kind = MatchSerialAbove
	}
	closestDiff(&m, known, content)
	return m
}

// exactOrigin completes an exact match from the origin database: origins
// at a path with the same base name come first; without one, KnownAs names
// the base name it is known under. KnownVersions and MaxKnownSerial stay
// unset (filling them would decode the m4 baseline).
// StampedCopy finds the known copies of the file named name that content
// equals in every byte but the values of its version stamps
// (origindb.Stamps): their origins, same-named paths only, and how many
// stamp lines content has. ok is false when there is none.
func (db *M4DB) StampedCopy(name string, content []byte, idx *origindb.Stamps) (origins []string, stamps int, ok bool) {
	if db.origins == nil || idx == nil {
		return nil, 0, false
	}
	name = path.Base(name)
	blobs, n := idx.Lookup(content)
	for _, b := range blobs {
		for _, o := range db.origins.LookupBlob(b) {
			if path.Base(o.Path) == name {
				origins = append(origins, o.String())
			}
		}
	}
	return origins, n, len(origins) > 0
}

func exactOrigin(m M4Match, origins []origindb.Origin) M4Match {
	m.Kind = MatchExact
	var same, other []string
	for _, o := range origins {
		if path.Base(o.Path) == m.Name {
			same = append(same, o.String())
		} else {
			other = append(other, o.String())
		}
	}
	if len(same) == 0 {
		m.KnownAs = path.Base(origins[0].Path)
	}
	m.Origins = append(same, other...)
	return m
}

// closestDiff picks the known entry with the smallest symmetric difference of
// line sets and records the added lines and the removed count.
func closestDiff(m *M4Match, known []*M4Entry, content []byte) {
	type fline struct {
		fp   uint32
		text string
	}
	var lines []fline
	set := map[uint32]bool{}
	for rest := content; len(rest) > 0 && len(lines) < maxFingerprintLines; {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		if fp, ok := lineFingerprint(line); ok {
			lines = append(lines, fline{fp, string(bytes.TrimSpace(line))})
			set[fp] = true
		}
	}
	best, bestScore := (*M4Entry)(nil), 0
	for _, e := range known {
		if len(e.lines) == 0 && best != nil {
			continue
		}
		common := 0
		es := make(map[uint32]bool, len(e.lines))
		for _, l := range e.lines {
			es[l] = true
		}
		for l := range es {
			if set[l] {
				common++
			}
		}
		score := len(set) + len(es) - 2*common
		if best == nil || score < bestScore || (score == bestScore && CompareSerials(e.Serial, best.Serial) > 0) {
			best, bestScore = e, score
		}
	}
	m.Closest = best
	if best == nil || len(best.lines) == 0 {
		return
	}
	es := make(map[uint32]bool, len(best.lines))
	for _, l := range best.lines {
		es[l] = true
	}
	for _, l := range lines {
		if !es[l.fp] {
			m.AddedTotal++
			if len(m.Added) < maxDiffLines {
				m.Added = append(m.Added, truncate(l.text, 200))
			}
		}
	}
	for _, l := range best.lines {
		if !set[l] {
			m.Removed++
		}
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

//go:generate go run ./cmd/m4dbgen -o m4db.gob.gz -from-git $GNULIB_GIT
