package explain

import (
	"context"
	"errors"
	"path"
	"slices"
	"strings"

	"bytes"
	"github.com/tarcheck/tarcheck/internal/limits"
	"github.com/tarcheck/tarcheck/verify/archive"
	"github.com/tarcheck/tarcheck/verify/compare"
	"github.com/tarcheck/tarcheck/verify/report"
)

// Caps on the archives of the tag opened for provenance (untrusted bytes).
const (
	maxTagArchives        = limits.ExplainMaxTagArchives
	maxTagArchiveBytes    = limits.ExplainMaxTagArchiveBytes
	maxTagArchiveUnpacked = limits.ExplainMaxTagArchiveUnpacked
)

// archiveReach is how many directories below their common ancestor the
// archive and the directory it was extracted into may each lie: a wrap's
// subprojects/packagecache/foo.tar.xz unpacks to subprojects/foo-1.0/.
const archiveReach = 2

// tagArchiveNames are the endings of archive names a test suite or a
// bootstrap unpacks. The name only chooses what to open: the format is
// detected from the bytes.
var tagArchiveNames = []string{".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2", ".tar.zst", ".zip"}

// tagArchive is an archive of the tag, opened on first use.
type tagArchive struct {
	path   string
	opened bool
	// byID lists the regular members' paths by git blob id; nil when the
	// archive could not be read (corrupt, over a cap, not an archive).
	byID map[[20]byte][]string
}

// tagArchives are the tag's archives and what opening them has cost.
type tagArchives struct {
	list     []*tagArchive
	opened   int
	unpacked int64
}

// fromTagArchive proves a file only in the tarball by a member of an
// archive that the tag holds near it: the same git blob id, and a path
// relation — rel ends with the member's path, whole or without its top
// directory, and the directory it was extracted into and the archive lie
// at most archiveReach directories below their common ancestor (meson's
// test cases/…/subprojects/packagefiles/bar-1.0.tar.xz holds bar.c,
// unpacked to subprojects/bar-1.0/bar.c before the sdist was made). A
// member named like the file but with other bytes proves nothing.
func (p *Provenance) fromTagArchive(rel string, id [20]byte) *report.Origin {
	if p.tag == nil || p.blobs == nil {
		return nil
	}
	dir := parentDir(rel)
	for _, a := range p.tagArchiveList() {
		adir := parentDir(a.path)
		if depth(adir)-depth(sharedDir(dir, adir)) > archiveReach {
			continue
		}
		for _, m := range p.openTagArchive(a)[id] {
			if extractedAs(rel, m, adir) {
				return &report.Origin{Kind: report.OriginTagArchive, Path: a.path, Member: m}
			}
		}
	}
	return nil
}

// extractedAs reports whether rel is where the member m of an archive in
// the directory adir lands when it is unpacked near the archive, with or
// without the member's top directory.
func extractedAs(rel, m, adir string) bool {
	suffixes := []string{m}
	if _, rest, ok := strings.Cut(m, "/"); ok && rest != "" {
		suffixes = append(suffixes, rest)
	}
	for _, s := range suffixes {
		var into string
		switch {
		case rel == s:
		case strings.HasSuffix(rel, "/"+s):
			into = rel[:len(rel)-len(s)-1]
		default:
			continue
		}
		c := depth(sharedDir(into, adir))
		if depth(into)-c <= archiveReach && depth(adir)-c <= archiveReach {
			return true
		}
	}
	return false
}

// tagArchiveList lists the tag's regular files named like archives, by
// path.
func (p *Provenance) tagArchiveList() []*tagArchive {
	if p.archives == nil {
		p.archives = &tagArchives{}
		for q := range p.tag.Match(func(q []byte, g *compare.GitFile) bool {
			return compare.IsRegular(g) && slices.ContainsFunc(tagArchiveNames, func(s string) bool { return bytes.HasSuffix(q, []byte(s)) })
		}) {
			p.archives.list = append(p.archives.list, &tagArchive{path: q})
		}
		slices.SortFunc(p.archives.list, func(a, b *tagArchive) int { return strings.Compare(a.path, b.path) })
	}
	return p.archives.list
}

// openTagArchive reads the archive a of the tag once and indexes its
// regular members by blob id. An archive past a cap, corrupt or
// unreadable holds nothing.
func (p *Provenance) openTagArchive(a *tagArchive) map[[20]byte][]string {
	if a.opened {
		return a.byID
	}
	a.opened = true
	if p.archives.opened >= maxTagArchives {
		return nil
	}
	p.archives.opened++
	byID := map[[20]byte][]string{}
	if err := p.walkTagArchive(a, -1, func(e *archive.Entry) {
		if e.Path != "." && !path.IsAbs(e.Path) && e.Path != ".." && !strings.HasPrefix(e.Path, "../") {
			byID[e.BlobID] = append(byID[e.BlobID], e.Path)
		}
	}); err != nil {
		return nil
	}
	a.byID = byID
	return byID
}

// walkTagArchive walks the tag's archive a with the hardened walker,
// within the caps (what every walk unpacks counts against one budget),
// calling fn for its regular members; keep is Options.KeepBytes.
func (p *Provenance) walkTagArchive(a *tagArchive, keep int64, fn func(*archive.Entry)) error {
	s := p.archives
	if s.unpacked >= maxTagArchiveUnpacked {
		return errArchiveBudget
	}
	data, ok := p.tagContent(a.path)
	if !ok || len(data) > maxTagArchiveBytes {
		return errArchiveBudget
	}
	opts := archive.Options{KeepBytes: keep, Workers: 1, Limits: archive.Limits{
		MaxUnpackedBytes: maxTagArchiveUnpacked - s.unpacked,
		MaxEntrySize:     maxTagArchiveUnpacked - s.unpacked,
		MaxEntries:       maxInnerMembers,
	}}
	res, err := archive.WalkBytes(context.Background(), data, opts, func(e *archive.Entry) error {
		if e.Type == archive.TypeRegular {
			fn(e)
		}
		return nil
	})
	if res != nil {
		s.unpacked += res.UnpackedBytes
	}
	return err
}

// errArchiveBudget: the tag's archive is too large, unreadable, or past
// the budget of what the tag's archives may unpack.
var errArchiveBudget = errors.New("tag archive not read: over a cap")

// parentDir is the directory of a slash path, "" at the top.
func parentDir(p string) string {
	d := path.Dir(p)
	if d == "." {
		return ""
	}
	return d
}

// depth counts the components of a directory ("" is 0).
func depth(dir string) int {
	if dir == "" {
		return 0
	}
	return strings.Count(dir, "/") + 1
}

// sharedDir is the deepest directory holding both a and b ("" at the top).
func sharedDir(a, b string) string {
	for a != "" && b != a && !strings.HasPrefix(b, a+"/") {
		a = parentDir(a)
	}
	return a
}
