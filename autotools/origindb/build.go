package origindb

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Builder collects origins and writes a database. It is not safe for
// concurrent use. The output is deterministic for the same input.
type Builder struct {
	projects map[string]*bproject
	blobs    map[[PrefixLen]byte]map[borigin]bool
	// Built, when set, is recorded as the build date.
	Built time.Time
}

type bproject struct {
	source   string
	snapshot time.Time
	versions map[string]time.Time
}

type borigin struct {
	project, path     string
	pkg               bool
	firstVer, lastVer string
	firstDay, lastDay uint16
}

// NewBuilder returns an empty builder.
func NewBuilder() *Builder {
	return &Builder{projects: map[string]*bproject{}, blobs: map[[PrefixLen]byte]map[borigin]bool{}}
}

// AddProject declares a project (or adds to its source description and
// moves its snapshot date later).
func (b *Builder) AddProject(name, source string, snapshot time.Time) {
	p := b.project(name)
	if source != "" && !strings.Contains(p.source, source) {
		if p.source != "" {
			p.source += "; "
		}
		p.source += source
	}
	if snapshot.After(p.snapshot) {
		p.snapshot = snapshot
	}
}

func (b *Builder) project(name string) *bproject {
	p := b.projects[name]
	if p == nil {
		p = &bproject{versions: map[string]time.Time{}}
		b.projects[name] = p
	}
	return p
}

// AddVersion declares a release of a project with its date (zero if
// unknown); origins name releases by these names.
func (b *Builder) AddVersion(project, name string, date time.Time) {
	p := b.project(project)
	if old, ok := p.versions[name]; !ok || (old.IsZero() || (!date.IsZero() && date.Before(old))) {
		if ok && date.IsZero() {
			return
		}
		p.versions[name] = date
	}
}

// Add records that the blob with this id (raw bytes, at least PrefixLen
// long) comes from o. The project and o's versions are declared when
// missing. Adding the same origin twice records it once.
func (b *Builder) Add(id []byte, o Origin) error {
	if len(id) < PrefixLen {
		return fmt.Errorf("origin database: blob id of %d bytes, want %d or more", len(id), PrefixLen)
	}
	if o.Project == "" || o.Path == "" {
		return fmt.Errorf("origin database: origin without project or path: %+v", o)
	}
	p := b.project(o.Project)
	for _, v := range []string{o.FirstVersion, o.LastVersion} {
		if _, ok := p.versions[v]; v != "" && !ok {
			p.versions[v] = time.Time{}
		}
	}
	var k [PrefixLen]byte
	copy(k[:], id)
	set := b.blobs[k]
	if set == nil {
		set = map[borigin]bool{}
		b.blobs[k] = set
	}
	set[borigin{project: o.Project, path: o.Path, pkg: o.Package, firstVer: o.FirstVersion, lastVer: o.LastVersion,
		firstDay: timeDay(o.First), lastDay: timeDay(o.Last)}] = true
	return nil
}

// Has reports whether blob id is already recorded from project's git
// history (not a package) at path.
func (b *Builder) Has(id []byte, project, path string) bool {
	if len(id) < PrefixLen {
		return false
	}
	var k [PrefixLen]byte
	copy(k[:], id)
	for o := range b.blobs[k] {
		if !o.pkg && o.project == project && o.path == path {
			return true
		}
	}
	return false
}

// Merge adds every project, version and origin of db.
func (b *Builder) Merge(db *DB) {
	for _, p := range db.Projects() {
		b.AddProject(p.Name, p.Source, p.Snapshot)
		for _, v := range p.Versions {
			b.AddVersion(p.Name, v.Name, v.Date)
		}
	}
	for i := 0; i < db.nBlobs; i++ {
		lo, hi := db.originRange(i)
		for j := lo; j < hi; j++ {
			b.Add(db.prefix(i), db.origin(j))
		}
	}
}

// Len returns the number of distinct blobs added.
func (b *Builder) Len() int { return len(b.blobs) }

// Bytes encodes the database.
func (b *Builder) Bytes() ([]byte, error) {
	// Projects and their versions, oldest first.
	names := make([]string, 0, len(b.projects))
	for n := range b.projects {
		names = append(names, n)
	}
	slices.Sort(names)
	if len(names) > 0xff {
		return nil, fmt.Errorf("origin database: %d projects, at most 255", len(names))
	}
	var strs bytes.Buffer
	strIdx := map[string]int{}
	str := func(s string) (int, int) {
		if o, ok := strIdx[s]; ok {
			return o, len(s)
		}
		o := strs.Len()
		strs.WriteString(s)
		strIdx[s] = o
		return o, len(s)
	}
	projIdx := map[string]int{}
	verIdx := map[[2]string]int{}
	var projRecs, verRecs []byte
	nVer := 0
	for i, n := range names {
		projIdx[n] = i
		p := b.projects[n]
		vers := make([]string, 0, len(p.versions))
		for v := range p.versions {
			vers = append(vers, v)
		}
		slices.SortFunc(vers, func(x, y string) int {
			dx, dy := p.versions[x], p.versions[y]
			if dx.IsZero() != dy.IsZero() {
				// Undated versions (from a package archive) last.
				if dx.IsZero() {
					return 1
				}
				return -1
			}
			if c := dx.Compare(dy); c != 0 {
				return c
			}
			return strings.Compare(x, y)
		})
		if nVer+len(vers) >= noVersion || len(vers) > 0xffff {
			return nil, fmt.Errorf("origin database: too many versions")
		}
		no, nl := str(n)
		so, sl := str(p.source)
		projRecs = binary.LittleEndian.AppendUint32(projRecs, uint32(no))
		projRecs = binary.LittleEndian.AppendUint32(projRecs, uint32(nl))
		projRecs = binary.LittleEndian.AppendUint32(projRecs, uint32(so))
		projRecs = binary.LittleEndian.AppendUint32(projRecs, uint32(sl))
		projRecs = binary.LittleEndian.AppendUint32(projRecs, uint32(nVer))
		projRecs = binary.LittleEndian.AppendUint16(projRecs, uint16(len(vers)))
		projRecs = binary.LittleEndian.AppendUint16(projRecs, timeDay(p.snapshot))
		for _, v := range vers {
			verIdx[[2]string{n, v}] = nVer
			nVer++
			vo, vl := str(v)
			verRecs = binary.LittleEndian.AppendUint32(verRecs, uint32(vo))
			verRecs = binary.LittleEndian.AppendUint32(verRecs, uint32(vl))
			verRecs = binary.LittleEndian.AppendUint16(verRecs, timeDay(p.versions[v]))
			verRecs = binary.LittleEndian.AppendUint16(verRecs, 0)
		}
	}
	// Paths, sorted by (base name, path).
	pathSet := map[string]bool{}
	for _, set := range b.blobs {
		for o := range set {
			pathSet[o.path] = true
		}
	}
	paths := make([]string, 0, len(pathSet))
	for p := range pathSet {
		paths = append(paths, p)
	}
	slices.SortFunc(paths, comparePath)
	pathIdx := make(map[string]int, len(paths))
	var pathRecs []byte
	for i, p := range paths {
		pathIdx[p] = i
		o, l := str(p)
		pathRecs = binary.LittleEndian.AppendUint32(pathRecs, uint32(o))
		pathRecs = binary.LittleEndian.AppendUint32(pathRecs, uint32(l))
	}
	// Blobs, sorted, and their origins.
	keys := make([][PrefixLen]byte, 0, len(b.blobs))
	for k := range b.blobs {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y [PrefixLen]byte) int { return bytes.Compare(x[:], y[:]) })
	ver := func(project, v string) uint16 {
		if v == "" {
			return noVersion
		}
		return uint16(verIdx[[2]string{project, v}])
	}
	var prefixes, blobOrig, origins []byte
	byPathLists := make([][]uint32, len(paths))
	nOrig := 0
	for _, k := range keys {
		prefixes = append(prefixes, k[:]...)
		blobOrig = binary.LittleEndian.AppendUint32(blobOrig, uint32(nOrig))
		list := make([]borigin, 0, len(b.blobs[k]))
		for o := range b.blobs[k] {
			list = append(list, o)
		}
		slices.SortFunc(list, compareBOrigin)
		for _, o := range list {
			pi := pathIdx[o.path]
			origins = binary.LittleEndian.AppendUint32(origins, uint32(pi))
			var flags byte
			if o.pkg {
				flags |= flagPackage
			}
			origins = append(origins, byte(projIdx[o.project]), flags)
			origins = binary.LittleEndian.AppendUint16(origins, ver(o.project, o.firstVer))
			origins = binary.LittleEndian.AppendUint16(origins, ver(o.project, o.lastVer))
			origins = binary.LittleEndian.AppendUint16(origins, o.firstDay)
			origins = binary.LittleEndian.AppendUint16(origins, o.lastDay)
			byPathLists[pi] = append(byPathLists[pi], uint32(nOrig))
			nOrig++
		}
	}
	blobOrig = binary.LittleEndian.AppendUint32(blobOrig, uint32(nOrig))
	var pathOrig, byPath []byte
	n := 0
	for _, l := range byPathLists {
		pathOrig = binary.LittleEndian.AppendUint32(pathOrig, uint32(n))
		for _, j := range l {
			byPath = binary.LittleEndian.AppendUint32(byPath, j)
		}
		n += len(l)
	}
	pathOrig = binary.LittleEndian.AppendUint32(pathOrig, uint32(n))

	out := make([]byte, 0, headerSize+len(prefixes)+len(blobOrig)+len(origins)+len(pathRecs)+len(pathOrig)+len(byPath)+len(projRecs)+len(verRecs)+strs.Len())
	out = append(out, magic...)
	for _, v := range []int{len(keys), nOrig, len(paths), len(names), nVer, strs.Len(), int(timeDay(b.Built)), 0} {
		out = binary.LittleEndian.AppendUint32(out, uint32(v))
	}
	for _, s := range [][]byte{prefixes, blobOrig, origins, pathRecs, pathOrig, byPath, projRecs, verRecs, strs.Bytes()} {
		out = append(out, s...)
	}
	return out, nil
}

func compareBOrigin(x, y borigin) int {
	if x.pkg != y.pkg {
		if !x.pkg {
			return -1
		}
		return 1
	}
	if c := strings.Compare(x.project, y.project); c != 0 {
		return c
	}
	if x.firstDay != y.firstDay {
		return int(x.firstDay) - int(y.firstDay)
	}
	if c := strings.Compare(x.path, y.path); c != 0 {
		return c
	}
	if c := strings.Compare(x.firstVer, y.firstVer); c != 0 {
		return c
	}
	if c := strings.Compare(x.lastVer, y.lastVer); c != 0 {
		return c
	}
	return int(x.lastDay) - int(y.lastDay)
}
