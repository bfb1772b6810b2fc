package explain

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/tarcheck/tarcheck/autotools"
	"github.com/tarcheck/tarcheck/internal/limits"
	"github.com/tarcheck/tarcheck/verify/archive"
	"github.com/tarcheck/tarcheck/verify/compare"
	"github.com/tarcheck/tarcheck/verify/report"
)

// Classes of files proved by provenance.
const (
	// ClassTagCopy is a file only in the tarball whose bytes are in the
	// tag at another path (or a gnulib file patched by the tag's .diff).
	ClassTagCopy = "tag-copy"
)

// proved explains a regular file only in the tarball (or an installed
// helper replaced at release) by its provenance; false when nothing
// proves it.
func (x *explainer) proved(rel string, t *compare.Member, in autotools.Input) bool {
	if t.Type != archive.TypeRegular || (t.Status != report.OnlyInTarball && t.Status != report.ContentDiffers) {
		return false
	}
	o := x.prov.Prove(rel, t.ID, t.Content)
	if o == nil {
		return false
	}
	sev, reason := report.SevInfo, Describe(o)
	if t.Status == report.ContentDiffers {
		// A tracked file may be replaced at release only by a tool's
		// copy (autopoint, libtoolize, automake --add-missing): never a
		// source file, never by another file of the tag.
		if o.Kind == report.OriginTag || o.Kind == report.OriginTagArchive || !installedCopy(rel) {
			return false
		}
		sev, reason = report.SevLow, "differs from the tag's copy, replaced at release by a tool's copy: "+reason
	}
	// A patch of the tag's own (not gnulib's pinned file) made the bytes.
	tagPatched := o.Patch != "" && o.Commit == "" && (o.Kind == report.OriginTag || o.Kind == report.OriginTagArchive)
	if o.Kind == report.OriginTag && o.Patch == "" && o.Transform != TransformEcho && o.Transform != TransformTemplate ||
		o.Kind == report.OriginTagArchive || tagPatched {
		// The tag's bytes were not scanned: a copy at a place the build
		// reads is scanned as any tarball file would be.
		if loud(autotools.Classify(in, x.actx)) {
			return false
		}
	}
	if o.Kind == report.OriginTagArchive || tagPatched {
		// Bytes a reader of the tag sees only packed or as a patch:
		// proved, and listed.
		sev = report.SevLow
	}
	class := map[string]string{report.OriginTag: ClassTagCopy, report.OriginTagArchive: ClassTagCopy, report.OriginGnulib: autotools.ClassGnulibCopy}[o.Kind]
	if class == "" {
		class = autotools.ClassUpstreamCopy
	}
	fd := report.FileDiff{Path: rel, Status: t.Status, Class: class, Severity: sev, Reason: reason, Origin: o}
	var res autotools.Result
	if t.Content != nil && o.Kind == report.OriginUpstream && o.Project != "gnulib" {
		// A tool's copy (ltmain.sh, install-sh) names the tool in the
		// generators summary through its stamp (a claim, so it chooses
		// nothing here: the proof is the origin).
		if g, ok := autotools.DetectGenerator(rel, t.Content); ok {
			res.Generator, res.GeneratorVersion = g.Generator, g.Version
		}
	}
	x.add(fd, res)
	return true
}

// installedCopy reports a path where release tools install their copies
// over tracked files (m4/, build-aux/, top-level helpers).
func installedCopy(rel string) bool {
	base := path.Base(rel)
	if strings.HasSuffix(base, ".m4") && base != "aclocal.m4" {
		return true
	}
	dir := path.Dir(rel)
	if path.Base(dir) == "build-aux" || path.Base(dir) == "m4" {
		return true
	}
	switch base {
	case "config.rpath", "config.guess", "config.sub", "install-sh", "ltmain.sh", "missing", "depcomp", "compile",
		"ar-lib", "mkinstalldirs", "texinfo.tex", "mdate-sh", "test-driver", "ylwrap", "py-compile", "Makefile.in.in",
		"remove-potcdate.sin", "Rules-quot", "quot.sed", "boldquot.sed", "insert-header.sin", "en@quot.header",
		"en@boldquot.header", "Makevars.template":
		return true
	}
	return false
}

// groupMin is the number of alike findings in one directory that become
// one grouped finding.
const groupMin = 3

// group replaces per-file findings that say the same thing by one finding
// per group, so that what stands alone is seen: the files only an unread
// (or absent) gnulib commit could prove, and alike findings of one
// directory (files in git but not in the tarball, documentation built at
// release). Severities are kept; each file stays in Files.
func (x *explainer) group() {
	x.groupGnulib()
	x.groupSubmodules()
	x.groupReleaseWritten()
	x.groupAlike()
}

// releaseCategory names the group of an unproved file only in the tarball
// that a release process writes without a generator stamp: documentation
// built at release, files the GNU bootstrap writes. "" for anything else
// (build content keeps a finding of its own).
func releaseCategory(rel string) string {
	base := path.Base(rel)
	switch base {
	case "LINGUAS", "Makevars", "POTFILES", "POTFILES.in", ".tarball-version", ".version", ".prev-version", "THANKS-to-translators":
		return "files the GNU bootstrap or make dist writes (translation lists, po/Makevars from gettext's template, version stamps)"
	}
	switch strings.ToLower(path.Ext(base)) {
	case ".texi", ".texinfo", ".txt", ".html", ".htm", ".info", ".pdf", ".ps", ".dvi", ".css", ".png", ".svg", ".md", ".rst":
		return "documentation files built at release"
	}
	if base == strings.ToUpper(base) && !strings.Contains(base, ".") || strings.HasPrefix(base, "ChangeLog") || strings.HasPrefix(base, "README") {
		return "documentation files built at release" // THANKS, AUTHORS, NEWS
	}
	for _, d := range strings.Split(path.Dir(rel), "/") {
		if d == "doc" || d == "docs" || d == "man" {
			return "documentation files built at release"
		}
	}
	return ""
}

// groupReleaseWritten makes one finding per release category of the
// unproved, unstamped files only in the tarball (their severity kept).
func (x *explainer) groupReleaseWritten() {
	other := map[string]bool{}
	for _, f := range x.res.Findings {
		if f.Rule != report.RuleUnexplainedTarballOnlyFile {
			other[f.Path] = true
		}
	}
	for _, ps := range x.unreadSubs { // already grouped under their submodule
		for p := range ps {
			other[p] = true
		}
	}
	groups := map[string]map[string]bool{}
	sev := map[string]report.Severity{}
	for _, fd := range x.res.Files {
		if fd.Status != report.OnlyInTarball || fd.Origin != nil || fd.Class != autotools.ClassOther || fd.Severity < report.SevLow ||
			fd.Severity > report.SevMedium || other[fd.Path] || x.executable(fd.Path) {
			continue
		}
		c := releaseCategory(fd.Path)
		if c == "" {
			continue
		}
		if groups[c] == nil {
			groups[c] = map[string]bool{}
		}
		groups[c][fd.Path] = true
		sev[c] = max(sev[c], fd.Severity)
	}
	if len(groups) == 0 {
		return
	}
	x.dropFindings(func(f report.Finding) bool {
		if f.Rule != report.RuleUnexplainedTarballOnlyFile {
			return false
		}
		for _, ps := range groups {
			if ps[f.Path] {
				return true
			}
		}
		return false
	})
	cats := make([]string, 0, len(groups))
	for c := range groups {
		cats = append(cats, c)
	}
	sort.Strings(cats)
	for _, c := range cats {
		ps := groups[c]
		x.res.Findings = append(x.res.Findings, report.Finding{Rule: report.RuleUnexplainedTarballOnlyFile, Severity: sev[c], Path: commonDir(ps),
			Message:  fmt.Sprintf("%d %s only in the tarball, matching no origin: %s (not proved; --rebuild with make dist can)", len(ps), plural(len(ps), "file", "files"), c),
			Evidence: evidence(ps)})
	}
}

// gnulibLike reports a file's explanation as "an unproved file that gnulib
// has under its name", medium: what only the gnulib commit could prove.
func (x *explainer) gnulibLike(fd *report.FileDiff) bool {
	return fd.Status == report.OnlyInTarball && fd.Severity == report.SevMedium && fd.Origin == nil && fd.Generator == "" &&
		(fd.Class == autotools.ClassUpstreamUnknownVersion || fd.Class == autotools.ClassOther) &&
		!strings.HasSuffix(fd.Path, ".m4") && x.prov.LooksLikeGnulib(fd.Path) && x.usesGnulib()
}

// gnulibMarkers are files every project that imports gnulib has (in the
// tag or the tarball): without one, a file named like one of gnulib's
// (opus's doc/TODO, a meson test's foo.c) is no gnulib copy.
var gnulibMarkers = []string{"gnulib-comp.m4", "gnulib-cache.m4", "bootstrap.conf", "gnulib.mk"}

// usesGnulib reports whether the release imports gnulib: the tag pins a
// gnulib commit or either side has one of gnulibMarkers.
func (x *explainer) usesGnulib() bool {
	if x.gnulibUser != nil {
		return *x.gnulibUser
	}
	v := x.in.GnulibTree != nil || x.in.GnulibUnread != ""
	for _, m := range gnulibMarkers {
		v = v || len(x.prov.byBase(m)) > 0
	}
	for i := 0; !v && i < len(x.res.Files); i++ {
		v = slices.Contains(gnulibMarkers, path.Base(x.res.Files[i].Path))
	}
	x.gnulibUser = &v
	return v
}

// groupGnulib makes one medium finding of the unproved gnulib look-alikes.
func (x *explainer) groupGnulib() {
	other := map[string]bool{} // paths with a finding of their own
	for _, f := range x.res.Findings {
		if f.Rule != report.RuleUnexplainedTarballOnlyFile && f.Severity >= report.SevMedium {
			other[f.Path] = true
		}
	}
	paths := map[string]bool{}
	for i := range x.res.Files {
		fd := &x.res.Files[i]
		if !other[fd.Path] && x.gnulibLike(fd) {
			paths[fd.Path] = true
			fd.Severity = report.SevLow
			fd.Reason += " (grouped: see " + report.RuleOriginNotConsulted + ")"
		}
	}
	if len(paths) == 0 {
		return
	}
	x.dropFindings(func(f report.Finding) bool { return paths[f.Path] && f.Rule == report.RuleUnexplainedTarballOnlyFile })
	var msg string
	switch g := x.in.GnulibTree; {
	case x.in.GnulibUnread != "":
		msg = fmt.Sprintf("%d %s look like gnulib copies; gnulib commit %s %s", len(paths),
			plural(len(paths), "file", "files"), shortID(x.in.GnulibUnread), report.OriginUnread)
	case g != nil:
		msg = fmt.Sprintf("%d %s named like gnulib files match neither the pinned gnulib commit %s nor any known gnulib version (gnulib-tool rewrites some as it copies them, e.g. license notices)",
			len(paths), plural(len(paths), "file", "files"), shortID(g.Commit))
	default:
		msg = fmt.Sprintf("%d %s look like gnulib copies of a version not in the database; the tag pins no gnulib commit to compare them with",
			len(paths), plural(len(paths), "file", "files"))
	}
	x.res.Findings = append(x.res.Findings, report.Finding{Rule: report.RuleOriginNotConsulted, Severity: report.SevMedium,
		Path: commonDir(paths), Message: msg, Evidence: evidence(paths)})
}

// groupAlike merges findings of one rule, severity (medium or lower) and
// message whose paths share a directory, then those whose paths share a
// base name, when there are groupMin or more.
func (x *explainer) groupAlike() {
	x.groupBy(path.Dir, func(dir string, ps map[string]bool) (string, string) {
		where := dir
		if dir == "." {
			where = "(top directory)"
		}
		return dir + "/", "in " + where
	})
	// What the directories left apart: files of one name in several
	// directories (libarchive's five generated test/list.h).
	x.groupBy(path.Base, func(base string, ps map[string]bool) (string, string) {
		return commonDir(ps), "named " + base
	})
}

// groupBy merges findings of one rule, severity (medium or lower) and
// message whose paths share part(path), when there are groupMin or more;
// label gives the group's path and the words after its count.
func (x *explainer) groupBy(part func(string) string, label func(part string, paths map[string]bool) (string, string)) {
	type key struct {
		rule, msg, part string
		sev             report.Severity
	}
	groups := map[key]map[string]bool{}
	for _, f := range x.res.Findings {
		if f.Severity > report.SevMedium || f.Path == "" || len(f.Evidence) > 0 {
			continue
		}
		k := key{f.Rule, f.Message, part(f.Path), f.Severity}
		if groups[k] == nil {
			groups[k] = map[string]bool{}
		}
		groups[k][f.Path] = true
	}
	var keys []key
	for k, ps := range groups {
		if len(ps) >= groupMin {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].part+keys[i].rule+keys[i].msg < keys[j].part+keys[j].rule+keys[j].msg
	})
	grouped := func(f report.Finding) bool {
		k := key{f.Rule, f.Message, part(f.Path), f.Severity}
		ps := groups[k]
		return len(ps) >= groupMin && len(f.Evidence) == 0 && ps[f.Path]
	}
	x.dropFindings(grouped)
	for _, k := range keys {
		ps := groups[k]
		at, words := label(k.part, ps)
		x.res.Findings = append(x.res.Findings, report.Finding{Rule: k.rule, Severity: k.sev, Path: at,
			Message: fmt.Sprintf("%d files %s: %s", len(ps), words, k.msg), Evidence: evidence(ps)})
	}
}

// dropFindings removes the findings drop selects.
func (x *explainer) dropFindings(drop func(report.Finding) bool) {
	kept := x.res.Findings[:0]
	for _, f := range x.res.Findings {
		if !drop(f) {
			kept = append(kept, f)
		}
	}
	x.res.Findings = kept
}

// maxEvidence is how many paths a grouped finding lists.
const maxEvidence = limits.ExplainMaxEvidence

// evidence lists the first paths of a group, sorted, and how many more.
func evidence(paths map[string]bool) []string {
	var ps []string
	for p := range paths {
		ps = append(ps, p)
	}
	sort.Strings(ps)
	if len(ps) > maxEvidence {
		more := len(ps) - maxEvidence
		ps = append(ps[:maxEvidence:maxEvidence], report.MorePaths(more))
	}
	return ps
}

// commonDir is the longest directory (with a trailing slash) holding every
// path, or "" when they share none.
func commonDir(paths map[string]bool) string {
	var dir string
	first := true
	for p := range paths {
		d := path.Dir(p) + "/"
		if first {
			dir, first = d, false
			continue
		}
		for !strings.HasPrefix(d, dir) && dir != "" {
			dir = strings.TrimSuffix(dir, "/")
			if i := strings.LastIndexByte(dir, '/'); i >= 0 {
				dir = dir[:i+1]
			} else {
				dir = ""
			}
		}
	}
	if dir == "./" {
		return ""
	}
	return dir
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// executable reports a tarball member with an execute bit.
func (x *explainer) executable(rel string) bool {
	m := x.cmp.Members[rel]
	return m != nil && m.GitMode == 0o100755
}
