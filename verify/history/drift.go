package history

import (
	"fmt"
	"github.com/tarcheck/tarcheck/verify/report"
	"path"
	"sort"
	"strings"

	"github.com/tarcheck/tarcheck/autotools"
	"github.com/tarcheck/tarcheck/internal/limits"
	"github.com/tarcheck/tarcheck/verify/gitsrc"
)

// BlobReader reads a git object by id; *gitsrc.Blobs implements it.
type BlobReader interface {
	Read(id string) ([]byte, error)
}

// ManyReader is a BlobReader that also reads many objects in one go, in
// order (*gitsrc.Blobs implements it): content and error per object as
// Read gives them.
type ManyReader interface {
	ReadMany(ids []string, fn func(i int, content []byte, err error) error) error
}

// MaxReferrerSize is the largest test or build file searched for
// references to binary files.
const MaxReferrerSize = limits.HistoryMaxReferrerSize

// DriftInput is what Drift compares. All of it comes from git through
// verify/gitsrc and from the scan; nothing here is trusted.
type DriftInput struct {
	// Previous and Current are the two tags compared (names, for messages).
	Previous, Current string
	// Changes is gitsrc.Repo.DiffTrees(previous tree, current tree).
	Changes []gitsrc.Change
	// Commits is gitsrc.Repo.Log(previous commit, current commit, nil):
	// every commit of the release with the paths it touched.
	Commits []gitsrc.Commit
	// Earlier is gitsrc.Repo.Log(older commit, previous commit,
	// BuildPaths(Changes)): who touched those build files in the earlier
	// releases. Used only when CheckCommitters is set.
	Earlier []gitsrc.Commit
	// CheckCommitters enables the new-committer check (set it when
	// Earlier was read, even if it came back empty).
	CheckCommitters bool
	// Tree is this tag's tree (gitsrc.Repo.ListTree), to find the test and
	// build files that may reference a binary file.
	Tree []gitsrc.TreeEntry
	// Blobs reads blobs of this tag (gitsrc.Repo.OpenBlobs). Prefetch
	// NeededBlobs first for remote sources.
	Blobs BlobReader
	// Flagged maps the paths of build logic the scan flagged (any
	// finding of severity high or critical on a build file) to a short
	// reason for the evidence.
	Flagged map[string]string
	// Selected maps a file path to the evidence of each flagged
	// selector that picks it (SelectEvidence of the scan's selector
	// evaluation), e.g. "m4/build-to-host.m4:86 grep \"#{4}…\"".
	Selected map[string][]string
	// Content, when set, is ReadDriftContent of the same Changes, Tree
	// and Blobs, read ahead (while the release's files were
	// classified); Drift then reads no blob.
	Content *DriftContent
}

// DriftContent is what the drift report takes from the blobs: which
// changed files are binary, and which test and build files of the tag
// name each. It needs no finding of the classification (Flagged,
// Selected), so it can be read before them.
type DriftContent struct {
	binaries []BinaryChange // in change order; Commits, FlaggedBy and Severity unset
	unread   []string
}

// CommitRef is report.CommitRef: the JSON shape lives in the model (verify/report).
type CommitRef = report.CommitRef

// BinaryChange is report.BinaryChange: the JSON shape lives in the model (verify/report).
type BinaryChange = report.BinaryChange

// BuildChange is report.BuildChange: the JSON shape lives in the model (verify/report).
type BuildChange = report.BuildChange

// Committer is report.Committer: the JSON shape lives in the model (verify/report).
type Committer = report.Committer

// DriftReport is report.DriftReport: the JSON shape lives in the model (verify/report).
type DriftReport = report.DriftReport

// IsBuildFile reports whether p is a build-system file whose changes the
// drift report lists: configure.ac/.in, *.m4, Makefile.am/.in, makefiles,
// CMakeLists.txt, *.cmake, meson.build and options, CI workflows, and
// bootstrap scripts.
func IsBuildFile(p string) bool {
	base := path.Base(p)
	switch base {
	case "configure.ac", "configure.in", "Makefile.am", "Makefile.in", "Makefile", "GNUmakefile",
		"CMakeLists.txt", "meson.build", "meson_options.txt", "meson.options",
		"bootstrap", "bootstrap.sh", "bootstrap.conf", "autogen.sh", ".gitlab-ci.yml", ".travis.yml":
		return true
	}
	switch path.Ext(base) {
	case ".m4", ".cmake", ".am", ".mk":
		return true
	}
	return strings.HasPrefix(p, ".github/workflows/") || strings.HasPrefix(p, ".circleci/")
}

// isReferrer reports whether p is a file that may name test data: a build
// file, or a script or source file in a test directory.
func isReferrer(p string) bool {
	if IsBuildFile(p) {
		return true
	}
	return inTestDir(p) && !isDocName(p)
}

func inTestDir(p string) bool {
	dir := path.Dir(p)
	for _, c := range strings.Split(dir, "/") {
		switch strings.ToLower(c) {
		case "test", "tests", "testsuite", "testdata", "t", "check", "checks", "regress", "fuzz", "testfiles", "files":
			if c == "files" && !strings.Contains(strings.ToLower(dir), "test") {
				continue
			}
			return true
		}
	}
	return false
}

func isDocName(p string) bool {
	b := strings.ToLower(path.Base(p))
	return strings.HasPrefix(b, "readme") || strings.HasSuffix(b, ".md") || strings.HasSuffix(b, ".txt") && b != "cmakelists.txt"
}

// docTypes are binary types that are normal documentation content.
var docTypes = map[string]bool{"png": true, "jpeg": true, "gif": true, "webp": true, "tiff": true, "ico": true,
	"bmp": true, "pdf": true, "dvi": true, "font": true, "mo": true}

// BuildPaths returns the build-system paths among changes (sorted), for
// the Log of the earlier releases.
func BuildPaths(changes []gitsrc.Change) []string {
	var out []string
	for _, c := range changes {
		if IsBuildFile(c.Path) {
			out = append(out, c.Path)
		}
	}
	sort.Strings(out)
	return out
}

// NeededBlobs returns the blob ids Drift reads: the new content of every
// added or changed file, and this tag's test and build files. Pass them to
// gitsrc.Repo.Prefetch(ctx, tree, ids) for a remote source.
func NeededBlobs(changes []gitsrc.Change, tree []gitsrc.TreeEntry) []string {
	seen := map[string]bool{}
	var out []string
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	for _, c := range changes {
		if c.Status != 'D' && isFileMode(c.NewMode) {
			add(c.NewID)
		}
	}
	for _, e := range tree {
		if e.Type == "blob" && e.Mode != 0o120000 && isReferrer(e.Path) {
			add(e.ID)
		}
	}
	return out
}

func isFileMode(m uint32) bool { return m == 0o100644 || m == 0o100755 }

func statusText(s byte) string {
	switch s {
	case 'A':
		return "added"
	case 'D':
		return "deleted"
	case 'T':
		return "type-changed"
	}
	return "modified"
}

// Drift compares the two releases and returns the drift report and its
// findings. An unreadable blob is listed in Unread, never fatal. Callers
// must still attach the findings to the report and apply the policy.
func Drift(in DriftInput) (DriftReport, []Finding) {
	d := DriftReport{From: in.Previous, To: in.Current, Binaries: []BinaryChange{}, BuildFiles: []BuildChange{},
		NewCommitters: []Committer{}, CommittersChecked: in.CheckCommitters}
	byPath := map[string][]CommitRef{}
	for _, c := range in.Commits {
		ref := commitRef(c)
		for _, p := range c.Paths {
			byPath[p] = append(byPath[p], ref)
		}
	}
	for _, c := range in.Changes {
		if IsBuildFile(c.Path) {
			d.BuildFiles = append(d.BuildFiles, BuildChange{Path: c.Path, Status: statusText(c.Status), Commits: nonNil(byPath[c.Path])})
		}
	}
	content := in.Content
	if content == nil {
		content = ReadDriftContent(in)
	}
	d.Unread = append(d.Unread, content.unread...)
	var findings []Finding
	binaryAuthors := map[string]bool{}
	for _, b := range content.binaries {
		b.Commits = nonNil(byPath[b.Path])
		for _, r := range b.ReferencedBy {
			if why, ok := in.Flagged[r]; ok {
				b.FlaggedBy = append(b.FlaggedBy, fmt.Sprintf("%s names it (%s)", r, why))
			}
		}
		for _, sel := range in.Selected[b.Path] {
			b.FlaggedBy = append(b.FlaggedBy, "selected by "+sel)
		}
		for _, cr := range b.Commits {
			binaryAuthors[cr.Author] = true
			binaryAuthors[cr.Committer] = true
		}
		if f, ok := binaryFinding(&b, in.Previous); ok {
			findings = append(findings, f)
		}
		d.Binaries = append(d.Binaries, b)
	}
	findings = groupUnreferenced(findings, in.Previous)
	if len(d.BuildFiles) > 0 {
		var paths []string
		for _, b := range d.BuildFiles {
			paths = append(paths, b.Status+" "+b.Path)
		}
		findings = append(findings, Finding{Rule: RuleBuildDrift, Severity: SevInfo,
			Message:  fmt.Sprintf("%d build-system files changed since %s", len(d.BuildFiles), in.Previous),
			Evidence: []string{listText(paths, 20)}})
	}
	if in.CheckCommitters {
		d.NewCommitters = newCommitters(in, binaryAuthors)
		for _, c := range d.NewCommitters {
			sev := SevLow
			msg := fmt.Sprintf("%s changed the build system and had not touched those files before %s", c.Identity, in.Previous)
			if c.TouchedBinaries {
				sev = SevMedium
				msg += "; they also added or changed binary files"
			}
			findings = append(findings, Finding{Rule: RuleNewCommitter, Severity: sev, Path: c.Paths[0], Message: msg,
				Evidence: []string{"paths: " + listText(c.Paths, 10), "commits: " + listText(c.Commits, 10)}})
		}
	}
	return d, findings
}

// Binaries are the paths of the changed files that are binary.
func (c *DriftContent) Binaries() []string {
	var out []string
	for _, b := range c.binaries {
		out = append(out, b.Path)
	}
	return out
}

// ReadDriftContent reads what Drift takes from the blobs: each changed
// file's new content, to tell binary files, and once one is, the tag's
// test and build files (Tree) that may name it. It uses in's Changes,
// Tree and Blobs only. An unreadable blob is listed as unread.
func ReadDriftContent(in DriftInput) *DriftContent {
	out := &DriftContent{}
	if in.Blobs == nil {
		return out
	}
	var refs []referrer
	referrersLoaded := false
	for _, c := range in.Changes {
		if c.Status == 'D' || !isFileMode(c.NewMode) {
			continue
		}
		content, err := in.Blobs.Read(c.NewID)
		if err != nil {
			out.unread = append(out.unread, c.Path)
			continue
		}
		bin, kind := autotools.IsBinary(content)
		if !bin {
			continue
		}
		if !referrersLoaded {
			refs, out.unread = loadReferrers(in.Tree, in.Blobs, out.unread)
			referrersLoaded = true
			bases := map[string]bool{}
			for _, c := range in.Changes {
				if b := path.Base(c.Path); wordIndexable(b) {
					bases[b] = true
				}
			}
			indexWords(refs, bases)
		}
		b := BinaryChange{Path: c.Path, Status: "added", Size: int64(len(content)), Type: kind, NewID: c.NewID}
		if c.Status != 'A' {
			b.Status, b.OldID = "modified", c.OldID
		}
		base := path.Base(c.Path)
		indexable := wordIndexable(base)
		for i := range refs {
			r := &refs[i]
			if r.path != c.Path && r.namesBase(base, indexable) {
				b.ReferencedBy = append(b.ReferencedBy, r.path)
			}
		}
		out.binaries = append(out.binaries, b)
	}
	return out
}

// binaryFinding rates one binary change: high when flagged build logic
// names or selects it, medium when no test or build file names it (unless
// it is documentation content outside test directories), else no finding.
func binaryFinding(b *BinaryChange, prev string) (Finding, bool) {
	ev := []string{fmt.Sprintf("%s %s, %d bytes, %s since %s", b.Type, b.Path, b.Size, b.Status, prev)}
	for _, c := range b.Commits {
		ev = append(ev, fmt.Sprintf("commit %s by %s on %s: %q", shortID(c.ID), c.Author, c.Date, c.Subject))
	}
	switch {
	case len(b.FlaggedBy) > 0:
		b.Severity = SevHigh
		ev = append(ev, b.FlaggedBy...)
		return Finding{Rule: RuleBinaryDrift, Severity: SevHigh, Path: b.Path, Evidence: ev,
			Message: fmt.Sprintf("binary file %s %s since %s is used by build logic the scan flagged", b.Path, b.Status, prev)}, true
	case len(b.ReferencedBy) == 0 && (!docTypes[b.Type] || inTestDir(b.Path)):
		b.Severity = SevMedium
		ev = append(ev, "no test script, Makefile, CMake, meson or m4 file of this tag names it")
		return Finding{Rule: RuleBinaryDrift, Severity: SevMedium, Path: b.Path, Evidence: ev,
			Message: fmt.Sprintf("binary file %s %s since %s and referenced by no test or build file", b.Path, b.Status, prev)}, true
	}
	return Finding{}, false
}

// groupUnreferenced puts the medium "referenced by no test or build file"
// findings under one top-level directory into one finding (wget's fuzz/
// adds hundreds of inputs in one directory per fuzzer, which its harness
// reads by a name it builds at run time): same rule and
// severity, the paths in the evidence; every file stays listed in the
// drift report. Findings raised by flagged build logic are never grouped.
func groupUnreferenced(fs []Finding, prev string) []Finding {
	byDir := map[string][]int{}
	for i, f := range fs {
		if f.Rule == RuleBinaryDrift && f.Severity == SevMedium {
			top, _, ok := strings.Cut(f.Path, "/")
			if !ok {
				top = "."
			}
			byDir[top] = append(byDir[top], i)
		}
	}
	drop := map[int]bool{}
	var grouped []Finding
	for dir, idx := range byDir {
		if len(idx) < 2 {
			continue
		}
		var paths []string
		for _, i := range idx {
			paths = append(paths, fs[i].Path)
			drop[i] = true
		}
		grouped = append(grouped, Finding{Rule: RuleBinaryDrift, Severity: SevMedium, Path: dir + "/",
			Message:  fmt.Sprintf("%s/: %d binary files under it added or changed since %s and referenced by no test or build file", dir, len(idx), prev),
			Evidence: []string{"no test script, Makefile, CMake, meson or m4 file of this tag names them", "files: " + listText(paths, 10)}})
	}
	if len(grouped) == 0 {
		return fs
	}
	out := fs[:0:0]
	for i, f := range fs {
		if !drop[i] {
			out = append(out, f)
		}
	}
	sort.Slice(grouped, func(i, j int) bool { return grouped[i].Path < grouped[j].Path })
	return append(out, grouped...)
}

func commitRef(c gitsrc.Commit) CommitRef {
	r := CommitRef{ID: c.ID, Author: ident(c.Author, c.AuthorEmail), Subject: c.Subject}
	if !c.AuthorTime.IsZero() {
		r.Date = c.AuthorTime.Format("2006-01-02")
	}
	if cm := ident(c.Committer, c.CommitterEmail); cm != r.Author {
		r.Committer = cm
	}
	return r
}

func ident(name, email string) string {
	if email == "" {
		return name
	}
	return name + " <" + email + ">"
}

func nonNil(c []CommitRef) []CommitRef {
	if c == nil {
		return []CommitRef{}
	}
	return c
}

// webCommitter is GitHub's web-flow identity, which commits every change
// merged through the web interface: it says nothing about who wrote it.
func webCommitter(email string) bool {
	e := strings.ToLower(email)
	return e == "noreply@github.com" || e == "noreply@gitlab.com"
}

// newCommitters lists the identities (author or committer, matched by
// email, else by name) of this release's commits to build files that do
// not occur in the earlier history of those files.
func newCommitters(in DriftInput, binaryAuthors map[string]bool) []Committer {
	known := map[string]bool{}
	key := func(name, email string) string {
		if email != "" {
			return strings.ToLower(email)
		}
		return "name:" + name
	}
	for _, c := range in.Earlier {
		known[key(c.Author, c.AuthorEmail)] = true
		known[key(c.Committer, c.CommitterEmail)] = true
	}
	build := map[string]bool{}
	for _, c := range in.Changes {
		if IsBuildFile(c.Path) {
			build[c.Path] = true
		}
	}
	found := map[string]*Committer{}
	var order []string
	for i := len(in.Commits) - 1; i >= 0; i-- { // oldest first
		c := in.Commits[i]
		var paths []string
		for _, p := range c.Paths {
			if build[p] {
				paths = append(paths, p)
			}
		}
		if len(paths) == 0 {
			continue
		}
		for _, who := range [][2]string{{c.Author, c.AuthorEmail}, {c.Committer, c.CommitterEmail}} {
			if webCommitter(who[1]) || known[key(who[0], who[1])] {
				continue
			}
			id := ident(who[0], who[1])
			nc := found[id]
			if nc == nil {
				nc = &Committer{Identity: id}
				found[id] = nc
				order = append(order, id)
			}
			nc.Commits = appendUnique(nc.Commits, shortID(c.ID))
			for _, p := range paths {
				nc.Paths = appendUnique(nc.Paths, p)
			}
			nc.TouchedBinaries = nc.TouchedBinaries || binaryAuthors[id]
		}
	}
	out := []Committer{}
	for _, id := range order {
		sort.Strings(found[id].Paths)
		out = append(out, *found[id])
	}
	return out
}

func appendUnique(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}
