package origindb

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Origin is one place a known file version comes from.
type Origin struct {
	// Project is the upstream project: "gnulib", "autoconf", "automake",
	// "libtool", "gettext", "pkgconf", "pkg-config", "autoconf-archive".
	Project string
	// Path is the file's path in the project's git tree ("m4/gettext.m4"),
	// or for a package file the path it installs to
	// ("/usr/share/automake-1.16/install-sh"; gettext's autopoint archive:
	// "archive:gettext-0.19.8/m4/gettext.m4").
	Path string
	// Package is true for a file of a distribution package, false for a
	// version from the project's git history.
	Package bool
	// FirstVersion and LastVersion are the oldest and newest releases that
	// hold this version at Path: git tags, normalised ("1.16.5"), or a
	// package version ("Debian bookworm 1:1.16.5-1.3"). Both are "" when no
	// release holds it (a development version between releases).
	FirstVersion, LastVersion string
	// First is the date of the commit that put this version at Path and
	// Last the date of the commit that replaced or removed it (the
	// history's newest commit date while it is current). For a package,
	// First is the package's date and Last is zero.
	First, Last time.Time
}

// String renders the origin for a reason line: "automake 1.16.2..1.16.5
// lib/compile", "gnulib 2021-03-01..2023-01-10 m4/stdlib_h.m4",
// "gettext Debian bookworm 0.21-12 /usr/share/gettext/config.rpath".
func (o Origin) String() string {
	var b strings.Builder
	b.WriteString(o.Project)
	b.WriteByte(' ')
	switch {
	case o.FirstVersion != "" && o.FirstVersion != o.LastVersion:
		b.WriteString(o.FirstVersion + ".." + o.LastVersion)
	case o.FirstVersion != "":
		b.WriteString(o.FirstVersion)
	case !o.First.IsZero():
		b.WriteString("git " + o.First.Format(time.DateOnly))
		if !o.Last.IsZero() && !o.Last.Equal(o.First) {
			b.WriteString(".." + o.Last.Format(time.DateOnly))
		}
	default:
		b.WriteString("(unversioned)")
	}
	b.WriteByte(' ')
	b.WriteString(o.Path)
	return b.String()
}

// BlobID returns the git SHA-1 blob id of content ("blob <size>\0" then
// the bytes): the key to look up.
func BlobID(content []byte) []byte {
	h := sha1.New()
	h.Write([]byte("blob " + strconv.Itoa(len(content)) + "\x00"))
	h.Write(content)
	return h.Sum(nil)
}

// ParseBlobID decodes a hex git blob id (SHA-1, 40 digits; a SHA-256 id of
// 64 digits decodes too but matches nothing, the database holds SHA-1 ids).
func ParseBlobID(s string) ([]byte, error) {
	if len(s) != 40 && len(s) != 64 {
		return nil, fmt.Errorf("blob id %q: want 40 hex digits", s)
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("blob id %q: %v", s, err)
	}
	return b, nil
}

// find returns the index of the blob whose prefix id starts with, or -1.
func (db *DB) find(id []byte) int {
	if len(id) < PrefixLen {
		return -1
	}
	key := id[:PrefixLen]
	i := sort.Search(db.nBlobs, func(i int) bool { return bytes.Compare(db.prefix(i), key) >= 0 })
	if i < db.nBlobs && bytes.Equal(db.prefix(i), key) {
		return i
	}
	return -1
}

// Has reports whether a blob with this id (raw bytes, at least PrefixLen
// long) is known, without decoding its origins.
func (db *DB) Has(id []byte) bool { return db.find(id) >= 0 }

// LookupBlob returns every known origin of the blob with this id (raw bytes
// of a git SHA-1 blob id, see ParseBlobID) — git-history origins first, then
// package files, each by project and date — or nil. The match is on the first PrefixLen bytes of the id: the caller must
// compute id from the content it holds (git's "blob <size>\0" hash), never
// take it from an untrusted claim. A match proves the content is a byte-for-
// byte copy of that upstream version; it says nothing about whether the file
// belongs at the path the release puts it (the caller compares base names or
// path mappings) nor whether that version is the one the release's own
// pins (gnulib commit, tool version) select.
func (db *DB) LookupBlob(id []byte) []Origin {
	i := db.find(id)
	if i < 0 {
		return nil
	}
	lo, hi := db.originRange(i)
	out := make([]Origin, 0, hi-lo)
	for j := lo; j < hi; j++ {
		out = append(out, db.origin(j))
	}
	return out
}

// LookupHex is LookupBlob for a hex blob id; an invalid id gives nil.
func (db *DB) LookupHex(id string) []Origin {
	b, err := ParseBlobID(id)
	if err != nil {
		return nil
	}
	return db.LookupBlob(b)
}

func (db *DB) origin(j int) Origin {
	o := db.origins + j*originSize
	p := db.u32(o)
	proj := int(db.data[o+4])
	flags := db.data[o+5]
	out := Origin{
		Project: db.projectName(proj),
		Path:    db.pathString(p),
		Package: flags&flagPackage != 0,
		First:   dayTime(db.u16(o + 10)),
		Last:    dayTime(db.u16(o + 12)),
	}
	out.FirstVersion, _ = db.version(int(db.u16(o + 6)))
	out.LastVersion, _ = db.version(int(db.u16(o + 8)))
	return out
}

func (db *DB) projectName(i int) string {
	if i < 0 || i >= db.nProjects {
		return ""
	}
	o := db.projects + i*projectSize
	return db.str(db.u32(o), db.u32(o+4))
}

func (db *DB) version(i int) (string, time.Time) {
	if i < 0 || i >= db.nVersion {
		return "", time.Time{}
	}
	o := db.versions + i*versionSize
	return db.str(db.u32(o), db.u32(o+4)), dayTime(db.u16(o + 8))
}

// Project describes one upstream project of the database.
type Project struct {
	Name string
	// Source says what the project's entries were read from: git
	// repositories (with the commit of their newest ref) and packages.
	Source string
	// Snapshot is the newest commit date of the history read: versions
	// made after it cannot be in the database.
	Snapshot time.Time
	// Versions lists the releases known, oldest first, with their dates
	// (zero when unknown).
	Versions []Version
}

// Version is one release of a project.
type Version struct {
	Name string
	Date time.Time
}

// Projects lists the database's projects.
func (db *DB) Projects() []Project {
	var out []Project
	for i := 0; i < db.nProjects; i++ {
		o := db.projects + i*projectSize
		p := Project{Name: db.projectName(i), Source: db.str(db.u32(o+8), db.u32(o+12)), Snapshot: dayTime(db.u16(o + 22))}
		first, n := db.u32(o+16), int(db.u16(o+20))
		for v := first; v < first+n && v < db.nVersion; v++ {
			name, date := db.version(v)
			p.Versions = append(p.Versions, Version{Name: name, Date: date})
		}
		out = append(out, p)
	}
	return out
}

// FileVersion is one known version of a file: its blob id prefix and the
// origin that holds it.
type FileVersion struct {
	// BlobPrefix is the first PrefixLen bytes of the blob id, hex.
	BlobPrefix string
	Origin     Origin
}

// comparePath orders paths by base name, then full path.
func comparePath(a, b string) int {
	if c := strings.Compare(path.Base(a), path.Base(b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// pathRange returns the path indexes [lo, hi) whose base name is base.
func (db *DB) nameRange(base string) (int, int) {
	key := []byte(base)
	lo := sort.Search(db.nPaths, func(i int) bool { return bytes.Compare(db.baseBytes(i), key) >= 0 })
	hi := lo
	for hi < db.nPaths && bytes.Equal(db.baseBytes(hi), key) {
		hi++
	}
	return lo, hi
}

// baseBytes returns the base name of path i without copying (as path.Base
// does for the paths the builder stores: no trailing slash).
func (db *DB) baseBytes(i int) []byte {
	o := db.paths + i*pathSize
	off, n := db.u32(o), db.u32(o+4)
	if off > db.nStrs || n > db.nStrs-off {
		return nil
	}
	p := db.data[db.strs+off : db.strs+off+n]
	if j := bytes.LastIndexByte(p, '/'); j >= 0 && j < len(p)-1 {
		return p[j+1:]
	}
	return p
}

// blobOf returns the blob index holding origin j (origins are stored in
// blob order).
func (db *DB) blobOf(j int) int {
	i := sort.Search(db.nBlobs, func(i int) bool { return db.u32(db.blobOrig+4*(i+1)) > j })
	if i >= db.nBlobs {
		return -1
	}
	return i
}

func (db *DB) pathVersions(p int, project string, out []FileVersion) []FileVersion {
	db.pathOrigins(p, func(j, b int) bool {
		if o := db.origin(j); project == "" || o.Project == project {
			out = append(out, FileVersion{BlobPrefix: hex.EncodeToString(db.prefix(b)), Origin: o})
		}
		return true
	})
	return out
}

// pathOrigins calls fn with each origin of path p that has a blob (its
// index j and blob index b), until fn returns false; it reports whether
// fn stopped the walk.
func (db *DB) pathOrigins(p int, fn func(j, b int) bool) bool {
	lo, hi := db.u32(db.pathOrig+4*p), db.u32(db.pathOrig+4*(p+1))
	if lo > hi || hi > db.nOrigins {
		return false
	}
	for k := lo; k < hi; k++ {
		j := db.u32(db.byPath + 4*k)
		if j >= db.nOrigins {
			continue
		}
		if b := db.blobOf(j); b >= 0 && !fn(j, b) {
			return true
		}
	}
	return false
}

// VersionsOf returns every known version of one file of a project (its
// path in the project's git tree, or an installed package path), oldest
// first by date. project "" matches every project. Use it to find the
// closest known version of a copied helper or m4 file; the caller still
// reads the content of the candidates (e.g. with git from a --gnulib
// clone) to diff them, since the database keeps only blob ids.
func (db *DB) VersionsOf(project, file string) []FileVersion {
	base := path.Base(file)
	lo, hi := db.nameRange(base)
	var out []FileVersion
	for p := lo; p < hi; p++ {
		if db.pathString(p) == file {
			out = db.pathVersions(p, project, out)
		}
	}
	sortVersions(out)
	return out
}

// ByName returns every known version of every file with this base name
// ("config.guess", "gettext.m4", "Makefile.in.in") in any project and at any
// path, oldest first by date. Matching by base name is what a release's
// copies need (gnulib-tool and the autotools copy files to other
// directories); the caller must still judge whether that project's file is
// the one the release's path stands for.
func (db *DB) ByName(base string) []FileVersion {
	lo, hi := db.nameRange(path.Base(base))
	var out []FileVersion
	for p := lo; p < hi; p++ {
		out = db.pathVersions(p, "", out)
	}
	sortVersions(out)
	return out
}

func sortVersions(v []FileVersion) {
	slices.SortStableFunc(v, func(x, y FileVersion) int {
		a, b := &x.Origin, &y.Origin
		if c := a.First.Compare(b.First); c != 0 {
			return c
		}
		if c := strings.Compare(a.Project, b.Project); c != 0 {
			return c
		}
		return strings.Compare(a.Path, b.Path)
	})
}

// NameInfo summarises what the database knows about one base name.
type NameInfo struct {
	// Versions counts the distinct contents (blobs) known under the name.
	Versions int
	// NewestFirst is the newest date a known version was introduced (the
	// newest First of its git origins; of its package origins, the
	// package dates, only when no git history has the name): a helper whose own stamp (config.guess
	// timestamp, ltmain.sh VERSION date) is later than this is newer than
	// every version the database knows.
	NewestFirst time.Time
	// Covered is the newest snapshot among the projects that provide the
	// name: a version made after it cannot be in the database, so a stamp
	// between NewestFirst and Covered that matches no known content is
	// suspicious, while one after Covered may be an honest newer release.
	Covered time.Time
	// Newest is the origin with the newest First date.
	Newest Origin
}

// AnyOrigin reports whether some known version of a file with this base
// name has an origin for which keep(project, path) is true: ByName's
// versions, asked one by one without building them (keep sees each
// origin's project and path in the database's order, and may stop the walk
// by returning true).
func (db *DB) AnyOrigin(base string, keep func(project, path string) bool) bool {
	lo, hi := db.nameRange(path.Base(base))
	for p := lo; p < hi; p++ {
		if db.pathOrigins(p, func(j, _ int) bool {
			o := db.origins + j*originSize
			return !keep(db.projectName(int(db.data[o+4])), db.pathString(db.u32(o)))
		}) {
			return true
		}
	}
	return false
}

// Name returns the summary for a base name; Versions is 0 for an unknown
// name.
func (db *DB) Name(base string) NameInfo {
	var info NameInfo
	blobs := map[string]bool{}
	snap := map[string]time.Time{}
	for _, p := range db.Projects() {
		snap[p.Name] = p.Snapshot
	}
	all := db.ByName(base)
	hasGit := false
	for _, v := range all {
		hasGit = hasGit || !v.Origin.Package
	}
	for _, v := range all {
		blobs[v.BlobPrefix] = true
		if s := snap[v.Origin.Project]; s.After(info.Covered) {
			info.Covered = s
		}
		// A package's date is its upload, not its content's: use it only
		// for names no git history provides (ltmain.sh).
		if v.Origin.Package && hasGit {
			continue
		}
		if info.Newest.Project == "" || v.Origin.First.After(info.NewestFirst) {
			info.NewestFirst, info.Newest = v.Origin.First, v.Origin
		}
	}
	info.Versions = len(blobs)
	return info
}

// Verify checks the whole database: sorted unique prefixes, monotonic
// origin ranges, every index in range, paths sorted. Open does not (it must
// cost nothing); run Verify on a database from a file the user gave.
func (db *DB) Verify() error {
	for i := 1; i < db.nBlobs; i++ {
		if bytes.Compare(db.prefix(i-1), db.prefix(i)) >= 0 {
			return badf("blob ids not sorted at %d", i)
		}
	}
	if db.u32(db.blobOrig) != 0 || db.u32(db.blobOrig+4*db.nBlobs) != db.nOrigins {
		return badf("blob origin table does not cover the origins")
	}
	for i := 0; i < db.nBlobs; i++ {
		if lo, hi := db.u32(db.blobOrig+4*i), db.u32(db.blobOrig+4*(i+1)); lo >= hi {
			return badf("blob %d has no origins", i)
		}
	}
	for j := 0; j < db.nOrigins; j++ {
		o := db.origins + j*originSize
		if db.u32(o) >= db.nPaths || int(db.data[o+4]) >= db.nProjects {
			return badf("origin %d: path or project out of range", j)
		}
		for _, v := range []uint16{db.u16(o + 6), db.u16(o + 8)} {
			if v != noVersion && int(v) >= db.nVersion {
				return badf("origin %d: version out of range", j)
			}
		}
	}
	for i := 0; i < db.nPaths; i++ {
		o := db.paths + i*pathSize
		if off, n := db.u32(o), db.u32(o+4); off > db.nStrs || n > db.nStrs-off {
			return badf("path %d: string out of range", i)
		}
		if i > 0 && comparePath(db.pathString(i-1), db.pathString(i)) >= 0 {
			return badf("paths not sorted at %d", i)
		}
		if lo, hi := db.u32(db.pathOrig+4*i), db.u32(db.pathOrig+4*(i+1)); lo > hi || hi > db.nOrigins {
			return badf("path %d: origin range out of range", i)
		}
	}
	for k := 0; k < db.nOrigins; k++ {
		if db.u32(db.byPath+4*k) >= db.nOrigins {
			return badf("path index %d out of range", k)
		}
	}
	for i := 0; i < db.nProjects; i++ {
		o := db.projects + i*projectSize
		if first, n := db.u32(o+16), int(db.u16(o+20)); first+n > db.nVersion {
			return badf("project %d: versions out of range", i)
		}
	}
	return nil
}

// HasName reports whether any known file has this base name.
func (db *DB) HasName(base string) bool {
	lo, hi := db.nameRange(path.Base(base))
	return hi > lo
}
