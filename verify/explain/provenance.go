package explain

import (
	"bytes"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/tarcheck/tarcheck/autotools"
	"github.com/tarcheck/tarcheck/autotools/origindb"
	"github.com/tarcheck/tarcheck/releasefmt"
	"github.com/tarcheck/tarcheck/verify/compare"
	"github.com/tarcheck/tarcheck/verify/report"
)

// GnulibTree is the gnulib commit the tag pins, as read for provenance.
type GnulibTree struct {
	// Commit is the commit's hex id.
	Commit string
	// ByID maps the blob ids of the commit's files to one of their paths.
	ByID map[[20]byte]string
	// Read returns a file of the commit by path.
	Read func(path string) ([]byte, bool)
}

// Provenance is the one owner of "where does this file come from". Prove
// searches the origins in a fixed order and stops at the first that holds
// the file's exact bytes (its git blob id, computed from the tarball):
//
//  1. the tag itself: the same blob anywhere in the tag's tree (gnulib-tool
//     --local-dir copies gl/lib/x.c → lib/x.c, moved or duplicated files),
//     then a gnulib-tool local .diff of the tag (gl/lib/x.c.diff) applied
//     to the pinned gnulib file, then a here-document of the tag's
//     bootstrap scripts that writes exactly this path (cat > FILE <<EOF),
//     then a file meson writes from a wrap of the tag (fromMesonWrap),
//     then a member of an archive the tag holds near the file (a test
//     suite unpacked it before the release was made: fromTagArchive);
//  2. the pinned gnulib commit, at any path of its tree (gnulib-tool maps
//     tests/ → gnulib-tests/, top/ → the top directory, lib/ m4/
//     build-aux/ doc/ → their configured bases);
//  3. the embedded database of upstream files (origindb): every known
//     version of gnulib, autoconf, automake, libtool, gettext, pkg-config
//     and autoconf-archive files, then the other submodules the tag pins,
//     at any path of their pinned commits (SetSubmodules: a bootstrap's
//     copies, paxutils' rmt/rmt.c in tar), also a tool's copy that a
//     bootstrap patched with a proved .diff (undone, it is a known version);
//     Last, a file of the tag or a member of a tag archive near the file,
//     patched by the tag's patch files near it (fromTagPatched);
//  4. release formats (ReleaseFormats, Format): files a crate's, an
//     sdist's, makeinfo's or a pinned download's packaging wrote, proved
//     by package releasefmt against the tag.
//
// Generators, release stamping, translations and documentation come after
// it (autotools.Classify); what nothing explains stays unexplained. A
// claim in the file (serial, stamp, name) never proves anything here.
type Provenance struct {
	tag      *compare.Index
	tagByID  *compare.ByID
	byBase   func(base string) []string
	blobs    Blobs
	gnulib   *GnulibTree
	db       *origindb.DB
	dbByName map[string]bool

	gnulibBase map[string][]string
	// heredocs are the tag's bootstrap here-documents, by target path.
	heredocs map[string][]heredoc
	// tarball reads a release file (content and blob id), for the .diff
	// beside a patched copy; nil: none.
	tarball func(path string) ([]byte, [20]byte, bool)
	// formats are step d's explanations (ReleaseFormats), by tarball path.
	formats map[string]releasefmt.Explanation

	// scriptsByDir and echo cache the tag's shell scripts and their echo
	// templates (fromTagScript).
	scriptsByDir map[string][]string
	echo         map[string]autotools.EchoTemplates
	// root and subtree, when set, say the tree searched is the directory
	// subtree of the tag's whole tree root (SetTagRoot).
	root    *compare.Index
	subtree string
	// readSub reads a submodule's pinned commit (SetSubmodules); subs
	// are the tag's submodules it searches.
	readSub func(path, commit string) *GnulibTree
	subs    []pin
	subIn   map[string]map[string][]string // templates of each read submodule by base name
	// archives are the tag's archives, opened on demand (fromTagArchive).
	archives *tagArchives
	// patchFiles are the tag's *.patch and *.diff files (fromTagPatched),
	// patchParsed their sections, read on first use.
	patchFiles  []string
	patchParsed map[string][]patchSection
}

// NewProvenance is the search over the tag's tree idx (its blobs read
// through blobs, by base name through byBase, which may be nil), the
// pinned gnulib commit (nil when none was read) and the database (nil: the
// embedded one).
func NewProvenance(idx *compare.Index, blobs Blobs, byBase func(string) []string, gnulib *GnulibTree, db *origindb.DB) *Provenance {
	if db == nil {
		var err error
		if db, err = origindb.Embedded(); err != nil {
			db = origindb.Empty()
		}
	}
	if byBase == nil {
		byBase = gitByBase(idx)
	}
	return &Provenance{tag: idx, byBase: byBase, blobs: blobs, gnulib: gnulib, db: db}
}

// Prove returns what proves the bytes of the tarball file rel whose git
// blob id is id (content, when at hand, is only needed for .diff
// origins), or nil.
func (p *Provenance) Prove(rel string, id [20]byte, content []byte) *report.Origin {
	if o := p.fromTag(rel, id); o != nil {
		return o
	}
	if o := p.fromLocalDiff(rel, id); o != nil {
		return o
	}
	if o := p.fromTagHeredoc(rel, id); o != nil {
		return o
	}
	if o := p.fromMesonWrap(rel, content); o != nil {
		return o
	}
	if o := p.fromTagArchive(rel, id); o != nil {
		return o
	}
	if p.gnulib != nil {
		if gp, ok := p.gnulib.ByID[id]; ok {
			return &report.Origin{Kind: report.OriginGnulib, Commit: p.gnulib.Commit, Path: gp}
		}
	}
	// gnulib-tool's rewrites, redone on the pinned file of that name.
	if p.gnulib != nil && content != nil && slices.ContainsFunc(p.gnulibByBase(path.Base(rel)), isLibPath) && mentionsLicense(content) {
		if o := p.fromGnulibRewrite(rel, id); o != nil {
			return o
		}
	}
	if o := p.fromDB(rel, id); o != nil {
		return o
	}
	if o := p.fromSubmodule(rel, id); o != nil {
		return o
	}
	if o := p.fromSubmoduleTemplate(rel, content); o != nil {
		return o
	}
	if content != nil && p.LooksLikeGnulib(rel) && mentionsLicense(content) {
		if o := p.fromDBRewrite(rel, content); o != nil {
			return o
		}
	}
	if content != nil && installedCopy(rel) {
		if o := p.fromPatchedCopy(rel, content); o != nil {
			return o
		}
	}
	if o := p.fromTagScript(rel, content); o != nil {
		return o
	}
	if o := p.fromTagTemplate(rel, content); o != nil {
		return o
	}
	return p.fromTagPatched(rel, id)
}

// SetTarball gives the search a reader of the release's files (content
// and git blob id), for the .diff a bootstrap applied to a tool's copy.
func (p *Provenance) SetTarball(read func(path string) ([]byte, [20]byte, bool)) { p.tarball = read }

// gnulibByBase lists the pinned gnulib tree's paths by base name.
func (p *Provenance) gnulibByBase(base string) []string {
	if p.gnulibBase == nil {
		p.gnulibBase = map[string][]string{}
		for _, q := range p.gnulib.ByID {
			b := path.Base(q)
			p.gnulibBase[b] = append(p.gnulibBase[b], q)
		}
	}
	return p.gnulibBase[base]
}

// rewriteName is an origin's Transform for a license rewrite.
func rewriteName(r licenseRewrite) string {
	return "gnulib-tool license notice rewrite (" + r.name + ")"
}

// fromGnulibRewrite redoes gnulib-tool's license rewrites on the pinned
// gnulib files named like rel.
func (p *Provenance) fromGnulibRewrite(rel string, id [20]byte) *report.Origin {
	if p.gnulib == nil || p.gnulib.Read == nil {
		return nil
	}
	for _, gp := range p.gnulibByBase(path.Base(rel)) {
		orig, ok := p.gnulib.Read(gp)
		if !ok {
			continue
		}
		for _, r := range licenseRewrites {
			if [20]byte(origindb.BlobID(r.apply(orig))) == id {
				return &report.Origin{Kind: report.OriginGnulib, Commit: p.gnulib.Commit, Path: gp, Transform: rewriteName(r)}
			}
		}
	}
	return nil
}

// fromDBRewrite undoes gnulib-tool's license rewrites on content and looks
// the possible originals up in the database; an original counts only when
// redoing the rewrite on it gives content back.
func (p *Provenance) fromDBRewrite(rel string, content []byte) *report.Origin {
	var tried [][]byte // candidates hashed already: undo often yields the same bytes twice
	for _, r := range licenseRewrites {
		if r.possible != nil && !r.possible(content) {
			continue
		}
		for _, c := range r.undo(content) {
			if bytes.Equal(c, content) || slices.ContainsFunc(tried, func(t []byte) bool { return bytes.Equal(t, c) }) {
				continue
			}
			tried = append(tried, c)
			id := [20]byte(origindb.BlobID(c))
			if !p.db.Has(id[:]) || !bytes.Equal(r.apply(c), content) {
				continue
			}
			if o := p.fromDB(rel, id); o != nil {
				o.Transform = rewriteName(r)
				return o
			}
		}
	}
	return nil
}

// fromTag finds the same blob at another path of the tag.
func (p *Provenance) fromTag(rel string, id [20]byte) *report.Origin {
	if p.tag == nil {
		return nil
	}
	q, ok := p.tagIndex().First(id)
	if !ok || q == rel {
		return nil
	}
	return &report.Origin{Kind: report.OriginTag, Path: q}
}

// tagIndex is the tag's regular files by blob id (first path in git's
// order), built at the first lookup.
func (p *Provenance) tagIndex() *compare.ByID {
	if p.tagByID == nil && p.tag != nil {
		p.tagByID = p.tag.ByID(compare.IsRegular)
	}
	return p.tagByID
}

// gnulibDirs are the top-level directories of gnulib that gnulib-tool
// copies from (and that a --local-dir mirrors).
var gnulibDirs = []string{"lib/", "m4/", "build-aux/", "tests/", "top/", "doc/", "modules/"}

// localDiffTarget is the gnulib path a --local-dir .diff file patches
// ("gl/lib/foo.c.diff" → "lib/foo.c"), or "".
func localDiffTarget(diffPath string) string {
	p, ok := strings.CutSuffix(diffPath, ".diff")
	if !ok {
		return ""
	}
	for _, d := range gnulibDirs {
		if i := strings.Index(p, "/"+d); i >= 0 {
			return p[i+1:]
		}
		if strings.HasPrefix(p, d) {
			return p
		}
	}
	return ""
}

// fromLocalDiff applies the tag's gnulib-tool .diff files named after rel
// to the pinned gnulib file they patch.
func (p *Provenance) fromLocalDiff(rel string, id [20]byte) *report.Origin {
	if p.gnulib == nil || p.gnulib.Read == nil || p.blobs == nil || p.tag == nil {
		return nil
	}
	for _, dp := range p.byBase(path.Base(rel) + ".diff") {
		target := localDiffTarget(dp)
		if target == "" || path.Base(target) != path.Base(rel) {
			continue
		}
		g := p.tag.Get(dp)
		if g == nil {
			continue
		}
		orig, ok := p.gnulib.Read(target)
		if !ok {
			continue
		}
		diff, err := p.blobs.Read(g.HexID())
		if err != nil || diff == nil {
			continue
		}
		out, err := ApplyPatch(orig, diff)
		if err != nil {
			continue
		}
		if [20]byte(origindb.BlobID(out)) == id {
			return &report.Origin{Kind: report.OriginTag, Commit: p.gnulib.Commit, Path: target, Patch: dp}
		}
	}
	return nil
}

// fromDB looks the blob up in the database and picks the origin that best
// explains the file at rel: the same base name first, then a tool release
// (automake, gettext, ... installed it) over a gnulib history version.
func (p *Provenance) fromDB(rel string, id [20]byte) *report.Origin {
	origins := p.db.LookupBlob(id[:])
	if len(origins) == 0 {
		return nil
	}
	base := path.Base(rel)
	best, bestScore := -1, -1
	for i, o := range origins {
		score := 0
		if path.Base(o.Path) == base {
			score += 4
		}
		if o.FirstVersion != "" {
			score += 2
		}
		if !o.Package {
			score++
		}
		if score > bestScore {
			best, bestScore = i, score
		}
	}
	o := origins[best]
	return &report.Origin{Kind: report.OriginUpstream, Project: o.Project, Version: originVersion(o), Path: o.Path}
}

// originVersion is an origin's release ("1.16.5", "1.16.2..1.16.5") or,
// for a version between releases, its dates ("git 2021-03-01..2023-01-10").
func originVersion(o origindb.Origin) string {
	switch {
	case o.FirstVersion != "" && o.FirstVersion != o.LastVersion && o.LastVersion != "":
		return o.FirstVersion + ".." + o.LastVersion
	case o.FirstVersion != "":
		return o.FirstVersion
	case !o.First.IsZero():
		v := "git " + o.First.Format(time.DateOnly)
		if !o.Last.IsZero() && !o.Last.Equal(o.First) {
			v += ".." + o.Last.Format(time.DateOnly)
		}
		return v
	}
	return ""
}

// LooksLikeGnulib reports whether gnulib has (in any known version) a file
// named like rel that gnulib-tool copies into projects (isLibPath): an
// unproved file that only the pinned gnulib commit could prove. A
// ChangeLog or Makefile.in named like files of gnulib's own history is not.
func (p *Provenance) LooksLikeGnulib(rel string) bool {
	base := path.Base(rel)
	if v, ok := p.dbByName[base]; ok {
		return v
	}
	if p.dbByName == nil {
		p.dbByName = map[string]bool{}
	}
	v := p.db.AnyOrigin(base, func(project, path string) bool { return project == "gnulib" && isLibPath(path) })
	p.dbByName[base] = v
	return v
}

// isLibPath reports whether gnulib-tool may have copied (and so
// rewritten) the gnulib file at p: anything but the project files gnulib's
// history also has (ChangeLog, lib/Makefile.in, README, ...), which a
// release has its own of.
func isLibPath(p string) bool {
	base := path.Base(p)
	return !strings.HasPrefix(base, "ChangeLog") && !strings.HasPrefix(base, "Makefile") &&
		base != "configure" && base != "aclocal.m4" && base != "NEWS" && base != "README"
}

// Describe is the one-line reason of a proof.
func Describe(o *report.Origin) string {
	switch o.Kind {
	case report.OriginTag:
		if o.Transform == TransformEcho {
			return "written by the tag's " + o.Path + ": " + o.Transform
		}
		if o.Transform == TransformWrapRedirect || o.Transform == TransformWrapHash {
			return "written by meson from the tag's " + o.Path + ": " + o.Transform
		}
		if o.Transform == TransformTemplate {
			return "made from the tag's " + o.Path + ": " + o.Transform
		}
		if o.Submodule != "" {
			if o.Transform != "" {
				return "made from " + o.Path + " of submodule " + o.Submodule + " at the commit " + shortID(o.Commit) + " the tag pins, " + o.Transform
			}
			return "identical to " + o.Path + " of submodule " + o.Submodule + " at the commit " + shortID(o.Commit) + " the tag pins (copied to this path at bootstrap)"
		}
		if o.Patch != "" && o.Commit == "" {
			return "the tag's " + o.Path + " patched by the tag's " + o.Patch
		}
		if o.Patch != "" {
			return "gnulib's " + o.Path + " at the pinned commit " + shortID(o.Commit) + " patched by the tag's " + o.Patch
		}
		if o.Transform != "" {
			return "written by a here-document of the tag's " + o.Path + ": " + o.Transform
		}
		return "identical to " + o.Path + " in the tag"
	case report.OriginTagRule:
		return fmt.Sprintf("made byte for byte by the tag's rule %s:%d (make %s), run in the sandbox on the tag's files", o.Path, o.Line, o.Target)
	case report.OriginTagArchive:
		s := "extracted from the tag's " + o.Path + " (member " + o.Member + ")"
		if o.Patch != "" {
			s += ", patched by the tag's " + o.Patch
		}
		return s
	case report.OriginGnulib:
		return "identical to gnulib's " + o.Path + " at the commit the tag pins (" + shortID(o.Commit) + ")" + rewritten(o)
	}
	s := "identical to " + o.Project
	if o.Version != "" {
		s += " " + o.Version
	}
	if o.Patch != "" {
		s += " " + o.Path + " patched by " + o.Patch
		return s + rewritten(o)
	}
	return s + " " + o.Path + rewritten(o)
}

// rewritten is ", after <transform>" or "".
func rewritten(o *report.Origin) string {
	if o.Transform == "" {
		return ""
	}
	return ", after " + o.Transform
}

func shortID(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// stampDate is the leading date of a helper's version stamp
// ("2024-06-19.01", "2026-01-03"), or false.
func stampDate(stamp string) (time.Time, bool) {
	if len(stamp) < 10 {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, stamp[:10])
	return t, err == nil
}

// NewerThanKnown reports, for an unproved copy of a helper named like rel
// whose own version stamp is stamp, whether that stamp is later than every
// source the database was built from: the release may use a tool newer
// than the database (a claim that chooses the severity, low, never a
// proof). The reason names the newest known version.
func (p *Provenance) NewerThanKnown(rel, stamp string) (string, bool) {
	d, ok := stampDate(stamp)
	if !ok {
		return "", false
	}
	info := p.db.Name(path.Base(rel))
	if info.Versions == 0 || info.Covered.IsZero() || !d.After(info.Covered) {
		return "", false
	}
	return fmt.Sprintf("stamped %s, after the database's sources (to %s; newest known version: %s): a version newer than the database, not proved",
		d.Format(time.DateOnly), info.Covered.Format(time.DateOnly), info.Newest.String()), true
}
