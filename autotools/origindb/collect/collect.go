// Package collect fills an origin database (package origindb) from git
// histories, read through verify/gitsrc's hardened git runner, and from
// directories of unpacked distribution packages. It is what
// `go run ./autotools/cmd/m4dbgen -origins …` and `tarcheck db build` use.
package collect

import (
	"archive/tar"
	"bufio"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tarcheck/tarcheck/autotools/origindb"
	"github.com/tarcheck/tarcheck/internal/limits"
	"github.com/tarcheck/tarcheck/verify/gitsrc"
	"github.com/ulikunitz/xz"
)

// MaxFileSize is the largest file recorded from a package directory or
// archive; bigger files are not copied into releases verbatim.
const MaxFileSize = limits.OriginCollectMaxFileSize

// Selection says which files of a project's tree are recorded.
type Selection struct {
	// Dirs are path prefixes ("lib/", "m4/"); empty selects every path
	// that Names allows.
	Dirs []string
	// Names are base-name patterns (path.Match syntax, "*.m4",
	// "config.guess"); a path under Dirs is selected too.
	Names []string
	// Exclude are path prefixes left out ("lib/Automake/").
	Exclude []string
}

// Match reports whether p is selected.
func (s Selection) Match(p string) bool {
	for _, e := range s.Exclude {
		if strings.HasPrefix(p, e) {
			return false
		}
	}
	for _, d := range s.Dirs {
		if strings.HasPrefix(p, d) {
			return true
		}
	}
	base := path.Base(p)
	for _, n := range s.Names {
		if ok, _ := path.Match(n, base); ok {
			return true
		}
	}
	return len(s.Dirs) == 0 && len(s.Names) == 0
}

// pathspecs turns the selection into git pathspecs (a superset; Match
// filters exactly).
func (s Selection) pathspecs() []string {
	var out []string
	for _, d := range s.Dirs {
		out = append(out, ":(top)"+strings.TrimSuffix(d, "/"))
	}
	for _, n := range s.Names {
		out = append(out, ":(glob)**/"+n)
	}
	return out
}

// Repo describes one project's git history to read.
type Repo struct {
	// Project names the upstream project ("automake").
	Project string
	// Dir is a local clone (bare or with a work tree).
	Dir string
	// Select chooses the files recorded.
	Select Selection
	// Tags: record which release tags hold each version (normalised by
	// VersionFromTag); off for repositories whose tags are no releases
	// (gnulib).
	Tags bool
}

// tagVersionRe is what a normalised release tag looks like.
var tagVersionRe = regexp.MustCompile(`^[0-9]+(\.[0-9]+)*[a-z]?[0-9]*$`)

// VersionFromTag normalises a release tag ("v1.16.5", "Release-1-10-1",
// "AUTOCONF-2.52a", "pkg-config-0.29.2", "pkgconf-1.8.1") to its version
// ("1.16.5"), or "" for a tag that names no release.
func VersionFromTag(project, tag string) string {
	t := tag
	lower := strings.ToLower(t)
	for _, p := range []string{project + "-", "release-", "autoconf-", "automake-", "pkg-config-", "pkgconf-", "libtool-", "gettext-", "v"} {
		if strings.HasPrefix(lower, p) {
			t, lower = t[len(p):], lower[len(p):]
		}
	}
	if strings.Count(t, ".") == 0 {
		t = strings.NewReplacer("-", ".", "_", ".").Replace(t)
	}
	if !tagVersionRe.MatchString(t) {
		return ""
	}
	return t
}

// Stats counts what one source added.
type Stats struct {
	Source   string
	Blobs    int // distinct blobs
	Origins  int // (blob, path) pairs
	Versions []string
	Newest   time.Time
}

type key struct{ blob, path string }

type span struct {
	first, last time.Time
	lo, hi      int // tag indexes, -1 when none
}

// GitHistory adds every version of every selected file in the history of
// r (all refs), with the dates it was current at its path and the release
// tags that hold it, to b under r.Project.
func GitHistory(ctx context.Context, b *origindb.Builder, r Repo) (Stats, error) {
	st := Stats{Source: r.Dir}
	repo, err := gitsrc.Open(ctx, r.Dir, gitsrc.Options{Offline: true})
	if err != nil {
		return st, fmt.Errorf("opening %s: %w", r.Dir, err)
	}
	newest, err := repo.NewestCommitTime(ctx)
	if err != nil {
		return st, fmt.Errorf("reading %s: %w", r.Dir, err)
	}
	st.Newest = newest
	// Changes, newest first: each path's version is current from its
	// commit until the next newer change of that path.
	spans := map[key]*span{}
	lastChange := map[string]time.Time{}
	err = repo.HistoryChanges(ctx, r.Select.pathspecs(), func(c gitsrc.HistoryChange) error {
		if !r.Select.Match(c.Path) {
			return nil
		}
		until, ok := lastChange[c.Path]
		if !ok || until.Before(c.Time) {
			until = newest
		}
		lastChange[c.Path] = c.Time
		if c.Status == 'D' || c.Mode&0o170000 != 0o100000 {
			return nil
		}
		k := key{c.Blob, c.Path}
		s := spans[k]
		if s == nil {
			s = &span{first: c.Time, last: until, lo: -1, hi: -1}
			spans[k] = s
		}
		if c.Time.Before(s.first) {
			s.first = c.Time
		}
		if until.After(s.last) {
			s.last = until
		}
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("reading the history of %s: %w", r.Dir, err)
	}
	var versions []origindb.Version
	if r.Tags {
		versions, err = tagVersions(ctx, repo, r, spans)
		if err != nil {
			return st, err
		}
	}
	b.AddProject(r.Project, fmt.Sprintf("git history to %s", newest.Format(time.DateOnly)), newest)
	for _, v := range versions {
		b.AddVersion(r.Project, v.Name, v.Date)
		st.Versions = append(st.Versions, v.Name)
	}
	blobs := map[string]bool{}
	for k, s := range spans {
		id, err := origindb.ParseBlobID(k.blob)
		if err != nil {
			continue
		}
		o := origindb.Origin{Project: r.Project, Path: k.path, First: s.first, Last: s.last}
		if s.lo >= 0 {
			o.FirstVersion, o.LastVersion = versions[s.lo].Name, versions[s.hi].Name
		}
		if err := b.Add(id, o); err != nil {
			return st, err
		}
		blobs[k.blob] = true
	}
	st.Blobs, st.Origins = len(blobs), len(spans)
	return st, nil
}

// tagVersions resolves the release tags, oldest first, and records in spans
// which tags hold each selected (blob, path); versions only a tag holds
// (introduced by a merge) are added with the tag's date.
func tagVersions(ctx context.Context, repo *gitsrc.Repo, r Repo, spans map[key]*span) ([]origindb.Version, error) {
	names, err := repo.Tags(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing tags of %s: %w", r.Dir, err)
	}
	type tagv struct {
		tag  *gitsrc.Tag
		name string
	}
	var tags []tagv
	seen := map[string]bool{}
	for _, n := range names {
		v := VersionFromTag(r.Project, n)
		if v == "" || seen[v] {
			continue
		}
		t, err := repo.Resolve(ctx, n)
		if err != nil {
			continue
		}
		seen[v] = true
		tags = append(tags, tagv{t, v})
	}
	slices.SortStableFunc(tags, func(a, b tagv) int { return a.tag.CommitTime.Compare(b.tag.CommitTime) })
	out := make([]origindb.Version, len(tags))
	for i, t := range tags {
		out[i] = origindb.Version{Name: t.name, Date: t.tag.CommitTime}
		err := repo.ListTree(ctx, t.tag.Tree, func(e gitsrc.TreeEntry) error {
			if e.Type != "blob" || e.Mode&0o170000 != 0o100000 || !r.Select.Match(e.Path) {
				return nil
			}
			k := key{e.ID, e.Path}
			s := spans[k]
			if s == nil {
				s = &span{first: t.tag.CommitTime, last: t.tag.CommitTime, lo: -1, hi: -1}
				spans[k] = s
			}
			if s.lo < 0 {
				s.lo = i
			}
			s.hi = i
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("listing tag %s of %s: %w", t.tag.Name, r.Dir, err)
		}
	}
	return out, nil
}

// BlobID returns the git SHA-1 blob id of content (origindb.BlobID).
func BlobID(content []byte) []byte { return origindb.BlobID(content) }

// Package describes one unpacked distribution package.
type Package struct {
	// Project is the upstream project ("gettext" for gettext and autopoint).
	Project string
	// Version labels it ("Debian bookworm 0.21-12").
	Version string
	// Date is the package's date (its changelog's newest entry), zero if
	// unknown.
	Date time.Time
	// Root is the directory the package was unpacked into (dpkg-deb -x).
	Root string
}

// packageDirs are the installed directories whose files releases copy.
var packageDirs = []string{"usr/share/aclocal", "usr/share/autoconf", "usr/share/automake", "usr/share/libtool",
	"usr/share/gettext", "usr/share/gnulib", "usr/share/pkgconfig", "usr/share/autoconf-archive", "usr/share/gtk-doc/data/gtk-doc."}

// packageFile reports whether the installed file rel is one releases copy:
// below packageDirs, and of gtk-doc's data only the makefiles gtkdocize
// copies (gtk-doc.make, gtk-doc.flat.make, ...), not its stylesheets.
func packageFile(rel string) bool {
	if strings.HasPrefix(rel, "usr/share/gtk-doc/") {
		return strings.HasSuffix(rel, ".make")
	}
	return slices.ContainsFunc(packageDirs, func(dir string) bool { return strings.HasPrefix(rel, dir) })
}

// PackageFiles adds every regular file (up to MaxFileSize) below the
// package's /usr/share/{aclocal,autoconf,automake-*,libtool,gettext,gnulib,...}
// to b (a gnulib file that gnulib's git history already has at the same
// path is left out: add the git history first), and every member of gettext's autopoint archive (archive.dir.tar.xz)
// as the gettext release it belongs to.
func PackageFiles(b *origindb.Builder, p Package) (Stats, error) {
	st := Stats{Source: p.Root}
	b.AddProject(p.Project, "", time.Time{})
	b.AddVersion(p.Project, p.Version, p.Date)
	blobs := map[string]bool{}
	add := func(id []byte, o origindb.Origin) error {
		blobs[string(id)] = true
		st.Origins++
		return b.Add(id, o)
	}
	err := filepath.WalkDir(p.Root, func(f string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(p.Root, f)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			return nil
		}
		if !packageFile(rel) || !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil || info.Size() > MaxFileSize {
			return err
		}
		if strings.HasSuffix(rel, "/archive.dir.tar.xz") {
			return autopointArchive(f, add)
		}
		content, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		id := BlobID(content)
		if gitPath, ok := strings.CutPrefix(rel, "usr/share/gnulib/"); ok && p.Project == "gnulib" && b.Has(id, "gnulib", gitPath) {
			// Debian's gnulib is a snapshot of gnulib's git: the history
			// already dates this version, and the package adds 45,000
			// records for nothing.
			return nil
		}
		return add(id, origindb.Origin{Project: p.Project, Path: "/" + rel, Package: true,
			FirstVersion: p.Version, LastVersion: p.Version, First: p.Date})
	})
	if err != nil {
		return st, fmt.Errorf("reading package %s: %w", p.Root, err)
	}
	st.Blobs = len(blobs)
	st.Versions = []string{p.Version}
	return st, nil
}

// DirFiles adds every regular file below d.Dir (up to MaxFileSize; .git
// directories skipped) to b as d.Project at "d.Label/REL", version d.Label.
func DirFiles(b *origindb.Builder, d DirSource) (Stats, error) {
	st := Stats{Source: d.Dir}
	if d.Project == "" || d.Label == "" {
		return st, fmt.Errorf("directory %s: a project and a label are required", d.Dir)
	}
	b.AddProject(d.Project, "directory "+d.Label, time.Time{})
	b.AddVersion(d.Project, d.Label, time.Time{})
	blobs := map[string]bool{}
	err := filepath.WalkDir(d.Dir, func(f string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			if e.Name() == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		info, err := e.Info()
		if err != nil || !e.Type().IsRegular() || info.Size() > MaxFileSize {
			return err
		}
		content, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(d.Dir, f)
		id := BlobID(content)
		blobs[string(id)] = true
		st.Origins++
		return b.Add(id, origindb.Origin{Project: d.Project, Path: d.Label + "/" + filepath.ToSlash(rel), Package: true, FirstVersion: d.Label, LastVersion: d.Label})
	})
	if err != nil {
		return st, fmt.Errorf("reading directory %s: %w", d.Dir, err)
	}
	st.Blobs = len(blobs)
	return st, nil
}

// autopointArchive adds the members of gettext's archive.dir.tar.xz, each
// as the gettext release of its top directory ("gettext-0.19.8/m4/po.m4").
func autopointArchive(file string, add func([]byte, origindb.Origin) error) error {
	return AutopointArchive(file, func(version, name string, content []byte) error {
		return add(BlobID(content), origindb.Origin{Project: "gettext", Path: "archive:" + name, Package: true, FirstVersion: version, LastVersion: version})
	})
}

// AutopointArchive calls fn with every regular member (up to MaxFileSize)
// of gettext's autopoint archive (archive.dir.tar.xz) below a
// "gettext-VERSION/" directory: the version, the member's name
// ("gettext-0.19.8/m4/po.m4") and its content.
func AutopointArchive(file string, fn func(version, name string, content []byte) error) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	xr, err := xz.NewReader(bufio.NewReader(f))
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	tr := tar.NewReader(xr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		if h.Typeflag != tar.TypeReg || h.Size > MaxFileSize {
			continue
		}
		name := strings.TrimPrefix(h.Name, "./")
		top, _, ok := strings.Cut(name, "/")
		ver, isGettext := strings.CutPrefix(top, "gettext-")
		if !ok || !isGettext {
			continue
		}
		content, err := io.ReadAll(tr)
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		if err := fn(ver, name, content); err != nil {
			return err
		}
	}
}

// changelogDateRe finds the date of a Debian changelog's trailer line.
var changelogDateRe = regexp.MustCompile(`(?m)^ -- .*>  (.+)$`)

// DebianDate returns the date of the newest entry of a Debian changelog
// (the text of changelog.Debian, uncompressed), or zero.
func DebianDate(changelog []byte) time.Time {
	m := changelogDateRe.FindSubmatch(changelog)
	if m == nil {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC1123Z, strings.TrimSpace(string(m[1])))
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// UpstreamVersion strips a Debian version to its upstream part
// ("1:1.16.5-1.3" → "1.16.5").
func UpstreamVersion(v string) string {
	if _, after, ok := strings.Cut(v, ":"); ok {
		if _, err := strconv.Atoi(v[:strings.Index(v, ":")]); err == nil {
			v = after
		}
	}
	if i := strings.LastIndex(v, "-"); i > 0 {
		v = v[:i]
	}
	return v
}
