package autotools

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"golang.org/x/text/encoding/ianaindex"
	"io"
	"iter"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/tarcheck/tarcheck/autotools/origindb"
)

// This file holds the rules of issue 15, "trust no claim": a file's stamp,
// serial or attribute only chooses what to compare it with; it never
// explains the file by itself.

// Rule ids of the claim checks.
const (
	// RuleM4OverridesAutotools: a new m4 file defines a macro of autoconf,
	// automake, libtool or gettext.
	RuleM4OverridesAutotools = "TC411"
	// RuleHelperClaim: a copied helper's stamp or content contradicts every
	// published version.
	RuleHelperClaim = "TC412"
	// RuleTrailingData: data after a container's end marker.
	RuleTrailingData = "TC413"
)

// autotoolsMacroRe finds the definition of a macro in the namespaces of
// autoconf, automake, libtool and gettext (AC_, AM_, LT_, AS_, AH_, AU_,
// m4_ and their underscore-prefixed internals), by any defining macro.
var autotoolsMacroRe = lazyRegexp(`(?m)(?:^|[^A-Za-z0-9_])(?:AC_DEFUN(?:_ONCE)?|AU_DEFUN|AU_ALIAS|AC_DEFUN_ONCE|m4_define(?:_default)?|m4_defun(?:_once|_init)?|m4_pushdef|m4_copy(?:_force)?|m4_rename(?:_force)?|m4_append(?:_uniq)?|define|pushdef)\(\s*\[*\s*((?:_*(?:AC|AM|LT|LTDL|AS|AH|AU|m4)_|_LT_|lt_)[A-Za-z0-9_]*)`)

// m4DefinesAutotoolsMacro returns the first autotools macro name the m4
// text defines or overrides, or "".
func m4DefinesAutotoolsMacro(content []byte) string {
	for _, m := range autotoolsMacroRe().FindAllSubmatch(content, -1) {
		name := string(m[1])
		if strings.HasPrefix(name, "AM_PATH_") && name != "AM_PATH_PYTHON" && name != "AM_PATH_LISPDIR" {
			// Third-party libraries name their own macros AM_PATH_LIB
			// (gpg-error.m4, libgcrypt.m4).
			continue
		}
		return name
	}
	return ""
}

// ruleSymlink: a symbolic link used as build logic (an m4 file, a script,
// a Makefile fragment) redirects what the build reads to another file, which
// no copy of the macro does: a hazard whatever the target holds. The
// target is classified by the caller as what the link is used as (see
// ResolveSymlink).
func ruleSymlink(c *classification) (Result, bool) {
	if c.in.TarballMode != ModeSymlink || !tarSide(c.in) || c.in.GitMode == ModeSymlink && c.in.Status != StatusTypeDiffers {
		return Result{}, false
	}
	if !isM4Name(c.base) && !isBuildScript(c.in.Path, nil) {
		return Result{}, false
	}
	c.skipScan = true
	target := string(c.in.Tarball)
	return Result{Class: ClassTypeChanged, Severity: SevHigh,
		Reason: fmt.Sprintf("build file is a symbolic link to %q in the tarball: the build reads the target as %s", target, c.base)}, true
}

// ResolveSymlink resolves the target of the symbolic link at linkPath
// (release-relative, slash-separated) to a release-relative path. ok is
// false when the target is absolute or leaves the release. The middle
// classifies the target's content as what the link is used as:
// Classify(Input{Path: linkPath, Status: StatusOnlyInTarball, Tarball:
// targetContent, ...}, ctx).
func ResolveSymlink(linkPath, target string) (string, bool) {
	if target == "" || strings.HasPrefix(target, "/") {
		return "", false
	}
	p := path.Clean(path.Join(path.Dir(linkPath), target))
	if p == ".." || strings.HasPrefix(p, "../") || p == "." {
		return "", false
	}
	return p, true
}

// helperStampRes read the date a copied helper claims for itself.
var helperStampRes = sync.OnceValue(func() []*regexp.Regexp {
	return []*regexp.Regexp{
		regexp.MustCompile(`(?m)^timestamp='([0-9]{4}-[0-9]{2}-[0-9]{2})`),
		regexp.MustCompile(`(?m)^scriptversion=['"]?([0-9]{4}-[0-9]{2}-[0-9]{2})`),
		regexp.MustCompile(`\\def\\texinfoversion\{([0-9]{4}-[0-9]{2}-[0-9]{2})`),
	}
})

// helperVersionRes read the version a copied helper claims, when it has no
// date stamp.
var helperVersionRes = sync.OnceValue(func() []*regexp.Regexp {
	return []*regexp.Regexp{
		regexp.MustCompile(`gettext-([0-9]+\.[0-9]+(?:\.[0-9]+)?)`),
		regexp.MustCompile(`\(GNU libtool\) ([0-9][0-9a-z.\-]*)`),
		regexp.MustCompile(`(?m)^VERSION=['"]?([0-9][0-9a-z.\-]*)`),
	}
})

// helperStamp returns the stamp (date or version) a copied helper claims
// in its head, or "".
func helperStamp(content []byte) string {
	head := content
	if len(head) > 16<<10 {
		head = head[:16<<10]
	}
	for _, re := range append(append([]*regexp.Regexp(nil), helperStampRes()...), helperVersionRes()...) {
		if m := re.FindSubmatch(head); m != nil {
			return string(m[1])
		}
	}
	return ""
}

// helperVersion returns the release version line a copied helper claims
// (libtool's VERSION=, gettext-X.Y), or "".
func helperVersion(content []byte) string {
	head := content
	if len(head) > 16<<10 {
		head = head[:16<<10]
	}
	for _, re := range helperVersionRes() {
		if m := re.FindSubmatch(head); m != nil {
			return string(m[1])
		}
	}
	return ""
}

// releaseOf is the numeric release of a helper version: "2.4.7" of
// "2.4.7-dirty" and of "2.4.7 Debian-2.4.7-7", "2.5.4.1" of
// "2.5.4.1-baa1-dirty" (local and distribution builds of one release
// compare with each other).
func releaseOf(v string) string {
	end := 0
	for end < len(v) && (v[end] == '.' || v[end] >= '0' && v[end] <= '9') {
		end++
	}
	return strings.TrimRight(v[:end], ".")
}

// helperStampDate returns the date stamp (timestamp=, scriptversion=,
// texinfoversion) in the head of a copied helper.
func helperStampDate(content []byte) (time.Time, bool) {
	head := content
	if len(head) > 16<<10 {
		head = head[:16<<10]
	}
	for _, re := range helperStampRes() {
		if m := re.FindSubmatch(head); m != nil {
			t, err := time.Parse("2006-01-02", string(m[1]))
			if err == nil {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

// helperClaim checks a copied helper whose content matches no known
// version: a date stamp later than the tag is impossible, and lines added
// to the closest known version (the database's, or an installed copy) are
// unexplained executable content. It returns the severity and a reason
// suffix with the evidence.
func (c *classification) helperClaim(m *M4Match) (Severity, string, []string) {
	content := c.in.Tarball
	if d, ok := helperStampDate(content); ok && !c.ctx.TagTime.IsZero() && d.After(c.ctx.TagTime.Add(24*time.Hour)) {
		return SevHigh, fmt.Sprintf("its stamp %s is later than the tag (%s): no published version can carry it", d.Format("2006-01-02"), c.ctx.TagTime.UTC().Format("2006-01-02")),
			[]string{"stamp " + d.Format("2006-01-02")}
	}
	if sev, why, ev, ok := c.helperVocabClaim(content); ok {
		return sev, why, ev
	}
	if m != nil && m.Closest != nil && len(m.Closest.lines) > 0 {
		if m.AddedTotal > 0 {
			return SevHigh, fmt.Sprintf("it adds %d line%s to the closest known version (%s)", m.AddedTotal, plural(m.AddedTotal), originSummary(m.Closest.Origins)), m.Diff()
		}
		return SevMedium, "it adds no line to the closest known version", m.Diff()
	}
	copies := c.ctx.HelperCopies
	if copies == nil {
		copies = InstalledHelperCopies
	}
	avail := copies(c.base)
	if stamp := helperStamp(content); stamp != "" {
		// Compare only with a copy of the version the file claims: a
		// different version adds lines honestly. A shared date stamp is
		// not enough when both name a release (libtool's ltmain.sh keeps
		// one scriptversion from 2.4.7 to 2.5.x).
		ver := releaseOf(helperVersion(content))
		var same [][2]string
		for _, cp := range avail {
			cv := releaseOf(helperVersion([]byte(cp[1])))
			if helperStamp([]byte(cp[1])) == stamp && (ver == "" || cv == "" || cv == ver) {
				same = append(same, cp)
			}
		}
		avail = same
	}
	added, from, ok := closestAdded(content, avail)
	if !ok {
		return SevMedium, "not compared: no content of the version it claims is available", nil
	}
	added = dropDistroDelta(c.base, added)
	if len(added) > 0 {
		ev := plusLines(added, "more added lines")
		return SevHigh, fmt.Sprintf("it adds %d line%s to the closest installed version (%s)", len(added), plural(len(added)), from), ev
	}
	return SevMedium, "it adds no line to the closest installed version (" + from + ")", nil
}

// plusLines is lines as "+ " evidence, at most maxDiffLines of them and
// then one line counting the rest ("+ ... N more").
func plusLines(lines []string, more string) []string {
	ev := make([]string, 0, maxDiffLines+1)
	for i, l := range lines {
		if i == maxDiffLines {
			return append(ev, fmt.Sprintf("+ ... %d %s", len(lines)-i, more))
		}
		ev = append(ev, "+ "+truncate(l, 200))
	}
	return ev
}

// helperVocab returns the line vocabulary of copied helpers: the
// context's, else the embedded one (nil when that is unusable).
func (c *classification) helperVocab() *origindb.Vocab {
	if c.ctx.HelperVocab != nil {
		return c.ctx.HelperVocab
	}
	v, err := origindb.EmbeddedVocab()
	if err != nil {
		return nil
	}
	return v
}

// helperVocabClaim judges a copied helper whose bytes match no known
// version by its lines: a significant line that no known version of the
// helper ever held (and that does not only restate a version stamp) is
// unexplained executable content, high with those lines as evidence; a
// helper made only of known lines is a version the database lacks or a
// recombination of known versions, medium. ok is false when the
// vocabulary does not cover the helper (or the file is another tool's
// file of the same name, intltool's po/Makefile.in.in).
func (c *classification) helperVocabClaim(content []byte) (Severity, string, []string, bool) {
	v := c.helperVocab()
	if v == nil || v.Versions(c.base) == 0 {
		return "", "", nil, false
	}
	if c.base == "Makefile.in.in" && bytes.Contains(content[:min(len(content), 4096)], []byte("intltool")) {
		return "", "", nil, false
	}
	novel, at := novelHelperLines(v, c.base, content)
	known := fmt.Sprintf("%d known version%s", v.Versions(c.base), plural(v.Versions(c.base)))
	if len(novel) == 0 {
		return SevMedium, "every line it holds is in some known version of " + c.base + " (" + known + "): a version the database lacks or a recombination of known versions", nil, true
	}
	ev := plusLines(novel, "more lines in no known version")
	if inertAdditions(c.base, content, at) {
		return SevMedium, fmt.Sprintf("it has %d line%s found in no known version of %s (%s), all inert: they run no command but shift/test, write nothing and only route values the helper already has (a distribution's patch?); read them", len(novel), plural(len(novel)), c.base, known), ev, true
	}
	return SevHigh, fmt.Sprintf("it has %d line%s found in no known version of %s (%s)", len(novel), plural(len(novel)), c.base, known), ev, true
}

// inertMakeRuleRe is a make rule with neither prerequisites nor recipe
// ("install-dvi:;", which gnulib's bootstrap.conf appends to gettext's
// po/Makefile.in.in): it runs nothing.
var inertMakeRuleRe = lazyRegexp(`^[A-Za-z0-9_.\-]+:[ \t]*;?[ \t]*$`)

// novelHelperLines returns, once each and in order, the significant lines
// of content that no version of helper in v holds, leaving out lines that
// only state a version, and the 1-based numbers of every line holding one.
func novelHelperLines(v *origindb.Vocab, helper string, content []byte) ([]string, map[int]bool) {
	var out []string
	at := map[int]bool{}
	seen := map[uint64]bool{}
	for i, l := range splitLines(content) {
		k, ok := origindb.VocabLineHash(l)
		if !ok || v.ContainsHash(helper, k) {
			continue
		}
		tb := bytes.TrimSpace(l)
		t := string(tb)
		if _, stamp := origindb.StampLine(tb); stamp || inertMakeRuleRe().MatchString(t) && (helper == "Makefile.in.in" || strings.HasSuffix(helper, ".header")) {
			continue
		}
		at[i+1] = true
		if !seen[k] {
			seen[k] = true
			out = append(out, t)
		}
	}
	return out, at
}

// installedHelperDirs are where Debian installs the helpers automake,
// libtool and gettext copy into projects.
var installedHelperDirs = []string{"/usr/share/automake-*", "/usr/share/libtool/build-aux", "/usr/share/gettext", "/usr/share/gettext/po", "/usr/share/misc", "/usr/share/texmf/tex/texinfo"}

// InstalledHelperCopies returns the contents of the helper named base as
// installed on this system (automake, libtool, gettext, config.guess from
// /usr/share), each labelled with its path. It is the default of
// Context.HelperCopies.
func InstalledHelperCopies(base string) [][2]string {
	if base == "" || strings.ContainsAny(base, "/*?[") {
		return nil
	}
	var out [][2]string
	for _, d := range installedHelperDirs {
		ms, _ := filepath.Glob(filepath.Join(d, base))
		for _, p := range ms {
			fi, err := os.Stat(p)
			if err != nil || !fi.Mode().IsRegular() || fi.Size() > 4<<20 {
				continue
			}
			b, err := os.ReadFile(p)
			if err == nil {
				out = append(out, [2]string{p, string(b)})
			}
		}
	}
	// gnulib-tool patches some helpers it copies (build-aux/test-driver
	// with test-driver.diff): the patched copy is a published version too.
	diffs, _ := filepath.Glob(filepath.Join("/usr/share/gnulib/build-aux", base+"*.diff"))
	for _, d := range diffs {
		b, err := os.ReadFile(d)
		if err != nil {
			continue
		}
		var plus strings.Builder
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "+") && !strings.HasPrefix(l, "+++") {
				plus.WriteString(l[1:] + "\n")
			}
		}
		for i, n := 0, len(out); i < n; i++ {
			out = append(out, [2]string{out[i][0] + " patched by " + d, out[i][1] + plus.String()})
		}
	}
	return out
}

// significantLines returns the trimmed lines that can act: not blank, not
// a comment.
func significantLines(b []byte) []string {
	var out []string
	for _, l := range splitLines(b) {
		if _, ok := lineFingerprint(l); ok {
			out = append(out, string(bytes.TrimSpace(l)))
		}
	}
	return out
}

// closestAdded picks the copy sharing most significant lines with content
// and returns content's significant lines missing from it.
func closestAdded(content []byte, copies [][2]string) ([]string, string, bool) {
	if len(copies) == 0 {
		return nil, "", false
	}
	mine := significantLines(content)
	var best []string
	bestFrom, bestScore := "", -1
	for _, cp := range copies {
		set := map[string]bool{}
		for _, l := range significantLines([]byte(cp[1])) {
			set[l] = true
		}
		var added []string
		for _, l := range mine {
			if !set[l] {
				added = append(added, l)
			}
		}
		if bestScore < 0 || len(added) < bestScore {
			best, bestFrom, bestScore = added, cp[0], len(added)
		}
	}
	return best, bestFrom, true
}

// execOrBuildContent reports whether a file only in the tarball can run or
// steer the build: build scripts and fragments, shebang or exec bit, CI
// workflows, CMake/meson files.
func execOrBuildContent(p string, content []byte, mode uint32) bool {
	base := path.Base(p)
	if inner, ok := strings.CutSuffix(base, ".in"); ok && !strings.HasPrefix(base, "Makefile") && path.Ext(inner) != "" {
		// A template (foo.sh.in, bar.html.in) is what it instantiates.
		return execOrBuildContent(path.Join(path.Dir(p), inner), content, mode)
	}
	switch strings.ToLower(path.Ext(base)) {
	case ".cmake", ".mk", ".mak", ".make", ".py", ".pl", ".pm", ".rb", ".ps1", ".bat", ".cmd", ".bash", ".zsh", ".ksh", ".test", ".tcl", ".lua", ".exp":
		return true
	}
	switch base {
	case "meson.build", "meson_options.txt", "meson.options", "CMakeLists.txt", "Makefile.am", "GNUmakefile", "Kbuild", "Kconfig":
		return true
	}
	if mode == ModeExec || isBuildScript(p, content) {
		return true
	}
	return strings.HasPrefix(p, ".github/workflows/") || strings.Contains(p, "/.github/workflows/") || isVCSMetadata(p)
}

// runnableByHarness reports whether an exec bit on p lets a harness or a
// build glob run it: scripts, tests, build helpers.
func runnableByHarness(p string, content []byte) bool {
	if execOrBuildContent(p, content, 0) {
		return true
	}
	for _, d := range []string{"tests/", "test/", "t/", "testsuite/", "scripts/", "build-aux/", "tools/"} {
		if strings.HasPrefix(p, d) || strings.Contains(p, "/"+d) {
			return true
		}
	}
	return path.Ext(p) == ""
}

// exportSubstPlaceholderRe matches git's $Format:...$ placeholders.
var exportSubstPlaceholderRe = lazyRegexp(`\$Format:([^$\n]*)\$`)

// exportSubstOnly reports whether tarball is the tag's blob git with only
// its $Format:...$ placeholders expanded, as git archive does.
func exportSubstOnly(git, tarball []byte) bool {
	locs := exportSubstPlaceholderRe().FindAllIndex(git, 256)
	if len(locs) == 0 {
		return false
	}
	var b strings.Builder
	b.WriteString(`\A`)
	prev := 0
	for _, l := range locs {
		b.WriteString(regexp.QuoteMeta(string(git[prev:l[0]])))
		if bytes.Contains(git[l[0]:l[1]], []byte("%B")) || bytes.Contains(git[l[0]:l[1]], []byte("%b")) || bytes.Contains(git[l[0]:l[1]], []byte("%n")) {
			b.WriteString(`(?s:.*?)`)
		} else {
			b.WriteString(`[^\n]*?`)
		}
		prev = l[1]
	}
	b.WriteString(regexp.QuoteMeta(string(git[prev:])))
	b.WriteString(`\z`)
	re, err := regexp.Compile(b.String())
	if err != nil {
		return false
	}
	return re.Match(tarball)
}

// CommitMeta is what git archive's export-subst expansion knows of the
// archived commit.
type CommitMeta struct {
	// Hash is the full commit id; Tree the tree id.
	Hash, Tree string
	// Parents are the parent commit ids.
	Parents []string
	// AuthorName, AuthorEmail, CommitterName, CommitterEmail as recorded.
	AuthorName, AuthorEmail, CommitterName, CommitterEmail string
	// AuthorTime and CommitTime with their recorded zones.
	AuthorTime, CommitTime time.Time
	// Subject and Body of the commit message.
	Subject, Body string
	// Refs are the ref names pointing at the commit ("HEAD -> main",
	// "tag: v1.2"), as %D prints them.
	Refs []string
}

// ExpandExportSubst expands the $Format:...$ placeholders of content as
// `git archive` does for a file with the export-subst attribute, given the
// archived commit. Placeholders it does not know are kept as written (git
// prints unknown %x verbatim too). Abbreviated ids use abbrev hex digits
// (git's default is the shortest unique prefix, at least 7: pass what the
// tag's repository uses).
func ExpandExportSubst(content []byte, c CommitMeta, abbrev int) []byte {
	if abbrev <= 0 {
		abbrev = 7
	}
	short := func(s string) string {
		if len(s) > abbrev {
			return s[:abbrev]
		}
		return s
	}
	return exportSubstPlaceholderRe().ReplaceAllFunc(content, func(m []byte) []byte {
		f := string(m[len("$Format:") : len(m)-1])
		var b strings.Builder
		for i := 0; i < len(f); i++ {
			if f[i] != '%' || i+1 >= len(f) {
				b.WriteByte(f[i])
				continue
			}
			i++
			two := ""
			if i+1 < len(f) {
				two = f[i : i+2]
			}
			switch {
			case f[i] == 'H':
				b.WriteString(c.Hash)
			case f[i] == 'h':
				b.WriteString(short(c.Hash))
			case f[i] == 'T':
				b.WriteString(c.Tree)
			case f[i] == 't':
				b.WriteString(short(c.Tree))
			case f[i] == 'P':
				b.WriteString(strings.Join(c.Parents, " "))
			case f[i] == 'p':
				ps := make([]string, len(c.Parents))
				for j, p := range c.Parents {
					ps[j] = short(p)
				}
				b.WriteString(strings.Join(ps, " "))
			case f[i] == 's':
				b.WriteString(c.Subject)
			case f[i] == 'b':
				b.WriteString(c.Body)
			case f[i] == 'B':
				b.WriteString(c.Subject + "\n\n" + c.Body)
			case f[i] == 'n':
				b.WriteByte('\n')
			case f[i] == '%':
				b.WriteByte('%')
			case f[i] == 'D':
				b.WriteString(strings.Join(c.Refs, ", "))
			case f[i] == 'd':
				if len(c.Refs) > 0 {
					b.WriteString(" (" + strings.Join(c.Refs, ", ") + ")")
				}
			case (f[i] == 'a' || f[i] == 'c') && two != "" && len(two) == 2:
				name, email, t := c.AuthorName, c.AuthorEmail, c.AuthorTime
				if f[i] == 'c' {
					name, email, t = c.CommitterName, c.CommitterEmail, c.CommitTime
				}
				if s, ok := personField(two[1], name, email, t); ok {
					b.WriteString(s)
					i++
				} else {
					b.WriteString("%" + string(f[i]))
				}
			default:
				b.WriteByte('%')
				b.WriteByte(f[i])
			}
		}
		return []byte(b.String())
	})
}

// personField renders git's %a?/%c? fields.
func personField(k byte, name, email string, t time.Time) (string, bool) {
	switch k {
	case 'n':
		return name, true
	case 'e':
		return email, true
	case 'l':
		l, _, _ := strings.Cut(email, "@")
		return l, true
	case 'd':
		return t.Format("Mon Jan 2 15:04:05 2006 -0700"), true
	case 'D':
		return t.Format("Mon, 2 Jan 2006 15:04:05 -0700"), true
	case 'i':
		return t.Format("2006-01-02 15:04:05 -0700"), true
	case 'I':
		return t.Format("2006-01-02T15:04:05-07:00"), true
	case 't':
		return fmt.Sprint(t.Unix()), true
	case 's':
		return t.Format("2006-01-02"), true
	}
	return "", false
}

// TrailingData returns how many bytes follow the end marker of a container
// of the given kind ("png", "pdf", "gzip", "xz", "zip"), and whether the
// end could be found. Trailing data is where payloads hide in files that
// viewers and decompressors accept.
func TrailingData(kind string, b []byte) (int, bool) {
	switch kind {
	case "png":
		i := bytes.LastIndex(b, []byte("IEND\xaeB`\x82"))
		if i < 0 {
			return 0, false
		}
		return len(b) - (i + 8), true
	case "pdf":
		i := bytes.LastIndex(b, []byte("%%EOF"))
		if i < 0 {
			return 0, false
		}
		return len(bytes.TrimSpace(b[i+5:])), true
	case "gzip":
		r := bytes.NewReader(b)
		for first := true; ; first = false {
			if !first && (r.Len() < 2 || !bytes.HasPrefix(b[len(b)-r.Len():], []byte("\x1f\x8b"))) {
				return len(bytes.TrimRight(b[len(b)-r.Len():], "\x00")), true
			}
			z, err := gzip.NewReader(r)
			if err != nil {
				return 0, false
			}
			z.Multistream(false)
			if _, err := io.Copy(io.Discard, io.LimitReader(z, 1<<30)); err != nil {
				return 0, false
			}
			if r.Len() == 0 {
				return 0, true
			}
		}
	case "xz":
		// A stream ends with the footer magic "YZ"; stream padding is
		// zero bytes in multiples of four.
		t := bytes.TrimRight(b, "\x00")
		pad := len(b) - len(t)
		if bytes.HasSuffix(t, []byte("YZ")) && pad%4 == 0 {
			return 0, true
		}
		if i := bytes.LastIndex(b, []byte("YZ")); i >= 0 {
			return len(b) - (i + 2), true
		}
		return 0, false
	case "zip":
		i := bytes.LastIndex(b, []byte("PK\x05\x06"))
		if i < 0 || len(b) < i+22 {
			return 0, false
		}
		n := int(binary.LittleEndian.Uint16(b[i+20:]))
		return max(0, len(b)-(i+22+n)), true
	}
	return 0, false
}

// moMessages parses a GNU .mo catalog into msgid (with msgctxt\x04 prefix
// and \x00-joined plural) -> msgstr (\x00-joined plural forms). It never
// panics on malformed input.
func moMessages(b []byte) (map[string]string, error) {
	if len(b) < 28 {
		return nil, fmt.Errorf("mo: too short")
	}
	var bo binary.ByteOrder
	switch binary.LittleEndian.Uint32(b) {
	case 0x950412de:
		bo = binary.LittleEndian
	case 0xde120495:
		bo = binary.BigEndian
	default:
		return nil, fmt.Errorf("mo: bad magic")
	}
	if rev := bo.Uint32(b[4:]) >> 16; rev > 1 {
		return nil, fmt.Errorf("mo: unknown major revision %d", rev)
	}
	n := uint64(bo.Uint32(b[8:]))
	oo, to := uint64(bo.Uint32(b[12:])), uint64(bo.Uint32(b[16:]))
	size := uint64(len(b))
	if n > size/8 || oo+n*8 > size || to+n*8 > size {
		return nil, fmt.Errorf("mo: string tables out of range")
	}
	str := func(tab, i uint64) (string, error) {
		l := uint64(bo.Uint32(b[tab+i*8:]))
		off := uint64(bo.Uint32(b[tab+i*8+4:]))
		if off > size || l > size-off {
			return "", fmt.Errorf("mo: string %d out of range", i)
		}
		return string(b[off : off+l]), nil
	}
	out := make(map[string]string, n)
	for i := uint64(0); i < n; i++ {
		k, err := str(oo, i)
		if err != nil {
			return nil, err
		}
		v, err := str(to, i)
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// poUnescape decodes the C escapes of a PO string as written.
func poUnescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch c := s[i]; c {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case 'x':
			v, j := 0, i+1
			for ; j < len(s) && j < i+3 && isHex(s[j]); j++ {
				v = v*16 + hexVal(s[j])
			}
			b.WriteByte(byte(v))
			i = j - 1
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v, j := 0, i
			for ; j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7'; j++ {
				v = v*8 + int(s[j]-'0')
			}
			b.WriteByte(byte(v))
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexVal(c byte) int {
	switch {
	case c >= 'a':
		return int(c-'a') + 10
	case c >= 'A':
		return int(c-'A') + 10
	}
	return int(c - '0')
}

// catalogCharsetRe finds the charset a catalog's header declares.
var catalogCharsetRe = lazyRegexp(`(?i)content-type:[^\n"]*charset=([A-Za-z0-9_.:-]+)`)

// catalogDecoders returns the functions that decode the .po's and the
// .mo's strings (moHeader: the .mo's header entry) to UTF-8, from the
// charsets their headers declare; the .mo's is nil when both declare the
// same charset (nothing to decode). UTF-8, ASCII, CHARSET (the template's
// placeholder) and no declaration decode as themselves; a charset neither
// side can be decoded from is an error when the two differ.
func catalogDecoders(po []byte, moHeader string) (func(string) string, func(string) string, error) {
	charset := func(header string) string {
		if m := catalogCharsetRe().FindStringSubmatch(header); m != nil {
			return strings.ToUpper(m[1])
		}
		return ""
	}
	poCS := charset(string(po[:min(len(po), 8192)]))
	moCS := charset(moHeader)
	if poCS == moCS {
		return identity, nil, nil
	}
	poDec, err := charsetDecoder(poCS)
	if err != nil {
		return nil, nil, err
	}
	moDec, err := charsetDecoder(moCS)
	if err != nil {
		return nil, nil, err
	}
	return poDec, moDec, nil
}

func identity(s string) string { return s }

// charsetDecoder returns a decoder of cs to UTF-8.
func charsetDecoder(cs string) (func(string) string, error) {
	switch cs {
	case "", "UTF-8", "UTF8", "ASCII", "US-ASCII", "CHARSET":
		return identity, nil
	}
	enc, err := ianaindex.MIME.Encoding(cs)
	if err != nil || enc == nil {
		if enc, err = ianaindex.IANA.Encoding(cs); err != nil || enc == nil {
			return nil, fmt.Errorf("charset %s of the catalogs is unknown", cs)
		}
	}
	return func(s string) string {
		out, err := enc.NewDecoder().String(s)
		if err != nil {
			return s
		}
		return out
	}, nil
}

// decodeMessages returns msgs with keys and values decoded by dec.
func decodeMessages(msgs map[string]string, dec func(string) string) map[string]string {
	out := make(map[string]string, len(msgs))
	for k, v := range msgs {
		out[dec(k)] = dec(v)
	}
	return out
}

// moMatchesPO reports whether the .mo catalog holds exactly the non-fuzzy
// translated messages of the .po catalog (the header aside), as msgfmt
// compiles them. It returns a description of the first difference.
func moMatchesPO(mo, po []byte) (string, bool) {
	msgs, err := moMessages(mo)
	if err != nil {
		return err.Error(), false
	}
	cat, ok := parsePO(po)
	if !ok {
		return "the .po catalog does not parse", false
	}
	// A catalog may be compiled from the .po converted to another charset
	// (gettext's and wget's po/Makefile compile ISO-8859-x and EUC-JP
	// catalogs into UTF-8 .gmo files): both sides are compared as UTF-8.
	poDec, moDec, err := catalogDecoders(po, msgs[""])
	if err != nil {
		return err.Error(), false
	}
	if moDec != nil {
		msgs = decodeMessages(msgs, moDec)
	}
	want := make(map[string]string, len(cat.order))
	optional := map[string]bool{} // glibc instantiations: msgfmt may omit them
	for _, k := range cat.order {
		e := cat.entries[k]
		if !e.compiled() {
			continue
		}
		key := poDec(poUnescape(e.id))
		if e.hasCtxt {
			key = poDec(poUnescape(e.ctxt)) + "\x04" + key
		}
		if e.plural != "" {
			key += "\x00" + poDec(poUnescape(e.plural))
		}
		vals := make([]string, len(e.strs))
		for i, s := range e.strs {
			vals[i] = poDec(poUnescape(s))
		}
		want[key] = strings.Join(vals, "\x00")
		if sysdepMessage(key) {
			// msgfmt also writes the glibc instantiations (LP64 and ILP32)
			// of a message with <inttypes.h> segments into the main table;
			// a plural message's key keeps its msgid_plural as written
			// (datamash 1.9's catalogs), which is accepted too.
			for _, lp64 := range []bool{true, false} {
				v := instantiateSysdep(want[key], lp64)
				k := instantiateSysdep(key, lp64)
				want[k], optional[k] = v, true
				if id, plural, ok := strings.Cut(key, "\x00"); ok {
					k = instantiateSysdep(id, lp64) + "\x00" + plural
					want[k], optional[k] = v, true
				}
			}
		}
	}
	// The reason names the smallest differing key: it must not depend on
	// map order (the report is the same on every run), and finding the
	// minimum needs no sort of every key.
	first, why := "", ""
	for k, v := range msgs {
		if k == "" || why != "" && k >= first {
			continue
		}
		if w, ok := want[k]; !ok {
			first, why = k, fmt.Sprintf("message %q is not a translated message of the .po", truncate(k, 60))
		} else if w != v {
			first, why = k, fmt.Sprintf("translation of %q differs from the .po", truncate(k, 60))
		}
	}
	if why != "" {
		return why, false
	}
	for k := range want {
		if why != "" && k >= first {
			continue
		}
		if _, ok := msgs[k]; !ok && !sysdepMessage(k) && !optional[k] {
			first, why = k, fmt.Sprintf("message %q of the .po is missing", truncate(k, 60))
		}
	}
	return why, why == ""
}

// readTarball returns the tarball content of p through the context.
func (c *classification) readTarball(p string) ([]byte, bool) {
	if c.ctx.TarballFile != nil {
		return c.ctx.TarballFile(p)
	}
	if c.ctx.Files == nil {
		return nil, false
	}
	for _, f := range c.ctx.Files() {
		if f.Path == p && f.Read != nil {
			b, err := f.Read(64 << 20)
			return b, err == nil
		}
	}
	return nil, false
}

// ruleCompiledCatalog compares a .gmo/.mo with the .po beside it.
func (c *classification) ruleCompiledCatalog() Result {
	po := strings.TrimSuffix(c.in.Path, path.Ext(c.in.Path)) + ".po"
	if c.ctx.TarballFile == nil && c.ctx.Files == nil {
		// The caller gave no access to the tarball's other files (see
		// Context.TarballFile): the catalog is not compared.
		return Result{Class: ClassGenerated, Severity: SevInfo, Generator: "GNU gettext (msgfmt)",
			Reason: "compiled message catalog (" + c.ext + "), not compared with " + po + " (no access to the tarball's catalogs)"}
	}
	src, ok := c.readTarball(po)
	if !ok && c.ctx.InTarball != nil && c.ctx.InTarball(po) {
		// The catalog is there but its bytes were not kept for
		// inspection: not compared, said so.
		return Result{Class: ClassGenerated, Severity: SevInfo, Generator: "GNU gettext (msgfmt)",
			Reason: "compiled message catalog (" + c.ext + "), not compared with " + po + " (its content was not kept for inspection)"}
	}
	if !ok {
		return Result{Class: ClassBinaryData, Severity: SevHigh, Reason: "compiled message catalog (" + c.ext + ") without " + po + " in the tarball: nothing explains its messages"}
	}
	if why, ok := moMatchesPO(c.in.Tarball, src); !ok {
		// High: a catalog is code's data (its translations are format
		// strings the program prints with), and every honest mismatch the
		// corpus showed was a charset conversion, which the comparison
		// now decodes (wget 1.25.0 he/sl, gettext 0.23.1's ISO-8859-x and
		// EUC-JP catalogs).
		return Result{Class: ClassBinaryData, Severity: SevHigh, Reason: "compiled message catalog (" + c.ext + ") is not compiled from " + po + ": " + why}
	}
	return Result{Class: ClassGenerated, Severity: SevInfo, Generator: "GNU gettext (msgfmt)",
		Reason: "compiled message catalog (" + c.ext + ") holding exactly the translated messages of " + po}
}

// poObsoleteOK reports whether every translated obsolete (#~) entry of the
// tarball's catalog is a translation the tag's copy holds for the same
// message (active or obsolete): msgmerge only moves messages there.
func poObsoleteOK(git, tarball []byte) bool {
	tObs, ok := parsePO(obsoleteBlock(tarball))
	if !ok {
		return false
	}
	if len(tObs.order) == 0 {
		return true
	}
	gAct, ok1 := parsePO(git)
	gObs, ok2 := parsePO(obsoleteBlock(git))
	if !ok1 || !ok2 {
		return false
	}
	for _, k := range tObs.order {
		te := tObs.entries[k]
		if !te.translated() {
			continue
		}
		same := func(cat poCatalog) bool {
			ge, ok := cat.entries[k]
			return ok && strings.Join(ge.strs, "\x00") == strings.Join(te.strs, "\x00")
		}
		if !same(gAct) && !same(gObs) {
			return false
		}
	}
	return true
}

// obsoleteBlock returns the obsolete entries of a catalog (#~ lines, not
// the #~| previous msgids) with the prefix removed.
func obsoleteBlock(b []byte) []byte {
	var out bytes.Buffer
	for _, l := range splitLines(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))) {
		t := bytes.TrimSpace(l)
		if !bytes.HasPrefix(t, []byte("#~")) || bytes.HasPrefix(t, []byte("#~|")) {
			if len(t) == 0 {
				out.WriteByte('\n')
			}
			continue
		}
		out.Write(bytes.TrimSpace(t[2:]))
		out.WriteByte('\n')
	}
	return out.Bytes()
}

// cSourceExts are the files whose #include lines are followed.
var cSourceExts = map[string]bool{".c": true, ".h": true, ".cc": true, ".cpp": true, ".cxx": true, ".hh": true, ".hpp": true, ".hxx": true, ".m": true, ".mm": true, ".inc": true, ".def": true, ".in": true, ".y": true, ".l": true, ".S": true, ".s": true}

// isBuildFile reports the files whose path references are followed.
func isBuildFile(p string) bool {
	base := path.Base(p)
	switch base {
	case "Makefile.am", "CMakeLists.txt", "meson.build", "configure.ac", "configure.in", "GNUmakefile", "Makefile":
		return true
	}
	switch path.Ext(base) {
	case ".am", ".mk", ".cmake":
		return true
	}
	return false
}

// referencable reports the omitted files OmittedReferenceKinds can report: C
// sources and headers (what #include and build files name) and CMake
// modules. Omissions of any other file are left to the caller as low, so
// nothing is read for them.
func referencable(p string) bool {
	ext := path.Ext(p)
	return cSourceExts[ext] || ext == ".cmake"
}

// OmittedReferenceKinds returns the files of the tag (tagFiles,
// release-relative) that are not in the tarball (inTarball false) but that
// a file the tarball ships refers to: #include / __has_include in C
// sources, or a path token in Makefile.am, CMakeLists.txt, meson.build,
// configure.ac, *.mk, *.cmake. tarballFiles lists the tarball's paths;
// read returns the tarball content of one of them. Includes are resolved
// against the including file's directory, the release root, and any
// directory holding a file of that name (include paths are unknown).
//
// Each file maps to the strongest kind of its references: OmitSilent when
// its absence changes the build silently (a __has_include probe, or a
// build-file line that includes it only if it exists: CMake OPTIONAL or
// EXISTS, make's -include/sinclude or $(wildcard), meson's fs.exists);
// OmitPlain for a plain #include or a build rule, which stops the build
// instead ("No such file"); OmitConditional when only #include lines
// inside preprocessor conditionals name it.
//
// tagFiles need not list the tag files known to be in the tarball (the
// caller may pass only those not identical to it); tarballFiles is walked
// only when some tag file is missing from the tarball, so a release
// without omissions never lists its files.
func OmittedReferenceKinds(tagFiles []string, tarballFiles iter.Seq[string], inTarball func(string) bool, read func(string) ([]byte, bool)) map[string]OmitKind {
	omitted := map[string]bool{}
	byBase := map[string][]string{}
	for _, f := range tagFiles {
		if !referencable(f) {
			// Only sources and CMake modules are reported (see the
			// token filter below): other omissions need no read.
			continue
		}
		if !inTarball(f) {
			omitted[f] = true
			byBase[path.Base(f)] = append(byBase[path.Base(f)], f)
		}
	}
	if len(omitted) == 0 {
		return nil
	}
	found := map[string]OmitKind{} // path -> the strongest of its references
	mark := func(p string, k OmitKind) { found[p] = max(found[p], k) }
	tarByBase := map[string][]string{}
	for f := range tarballFiles {
		tarByBase[path.Base(f)] = append(tarByBase[path.Base(f)], f)
	}
	resolve := func(dir, ref string, kind func() OmitKind) {
		ref = strings.TrimPrefix(ref, "./")
		for _, p := range tarByBase[path.Base(ref)] {
			if p == ref || strings.HasSuffix(p, "/"+ref) {
				// The tarball holds a file of that name where an
				// include path can find it (gnulib's gl/lib -> lib).
				return
			}
		}
		for _, p := range []string{path.Join(dir, ref), path.Clean(ref)} {
			if omitted[p] {
				mark(p, kind())
				return
			}
		}
		if !strings.Contains(ref, "/") {
			// A bare name resolves only beside the includer or at the
			// root: elsewhere it is as likely a system header
			// (<iconv.h> is not gettext's os2/iconv/iconv.h).
			return
		}
		for _, p := range byBase[path.Base(ref)] {
			if strings.HasSuffix(p, "/"+ref) || p == ref {
				mark(p, kind())
			}
		}
	}
	for f := range tarballFiles {
		ext := path.Ext(f)
		build := isBuildFile(f)
		if !build && !cSourceExts[ext] {
			continue
		}
		b, ok := read(f)
		if !ok {
			continue
		}
		dir := path.Dir(f)
		if dir == "." {
			dir = ""
		}
		if cSourceExts[ext] && !build {
			refs, probe := includeRefKinds(b)
			for i, ref := range refs {
				resolve(dir, ref, func() OmitKind {
					switch {
					case probe[i]:
						return OmitSilent
					case conditionalInclude(b, ref):
						return OmitConditional
					}
					return OmitPlain
				})
			}
			continue
		}
		text := string(b)
		for _, pre := range []string{"$(top_srcdir)/", "${top_srcdir}/", "@top_srcdir@/", "${CMAKE_SOURCE_DIR}/", "${PROJECT_SOURCE_DIR}/", "@0@/"} {
			text = strings.ReplaceAll(text, pre, " /")
		}
		for _, pre := range []string{"$(srcdir)/", "${srcdir}/", "@srcdir@/", "${CMAKE_CURRENT_SOURCE_DIR}/", "${CMAKE_CURRENT_LIST_DIR}/"} {
			text = strings.ReplaceAll(text, pre, " ")
		}
		text = strings.ReplaceAll(text, "\\\n", " ")
		for _, line := range strings.Split(text, "\n") {
			markBuildLine(line, dir, omitted, mark)
		}
	}
	return found
}

// markBuildLine marks the omitted files a build-file line names (mark's
// silent true when the line includes them only if they exist).
func markBuildLine(line, dir string, omitted map[string]bool, mark func(string, OmitKind)) {
	// The two regexps are asked only once a token names an omitted file
	// (most lines name none): the marks are the same as asking first.
	kind := OmitKind(0)
	for rest := line; ; {
		var t string
		if t, rest = nextBuildToken(rest); t == "" {
			break
		}
		if !strings.Contains(t, ".") && strings.Trim(t, "/") != "" {
			// No extension, whatever the directory: not a source.
			continue
		}
		p := path.Join(dir, t)
		if rest, ok := strings.CutPrefix(t, "/"); ok {
			p = rest
		}
		if !cSourceExts[path.Ext(p)] && path.Ext(p) != ".cmake" || path.Ext(p) == ".in" {
			// Other names in build files are mostly programs,
			// data and maintainer files (bootstrap.conf, cfg.mk)
			// that rules use, not inputs of the build; a
			// template (gawk's doc/gawktexi.in) is the input of a
			// file the release ships already built.
			continue
		}
		if !omitted[p] {
			continue
		}
		if kind == 0 {
			if nodistRe().MatchString(line) {
				// automake's nodist_ sources: the build file itself
				// says they are not distributed (generated, or a
				// maintainer's test).
				return
			}
			kind = OmitPlain
			if optionalRefRe().MatchString(line) {
				kind = OmitSilent
			}
		}
		mark(p, kind)
	}
}

// nextBuildToken returns the first path-like token of s (a maximal run
// of [A-Za-z0-9_.+\-/]) and what follows it; "" when there is none.
func nextBuildToken(s string) (tok, rest string) {
	i := 0
	for i < len(s) && !isBuildTokenByte(s[i]) {
		i++
	}
	j := i
	for j < len(s) && isBuildTokenByte(s[j]) {
		j++
	}
	return s[i:j], s[j:]
}

// isBuildTokenByte reports whether c may be part of a build token.
func isBuildTokenByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '_' || c == '.' || c == '+' || c == '-' || c == '/'
}

// nodistRe is an automake assignment of sources it must not distribute.
var nodistRe = lazyRegexp(`^\s*nodist_[A-Za-z0-9_@]+\s*\+?=`)

// OmitKind says how a file the tarball leaves out is referenced.
type OmitKind uint8

// The kinds, weakest first (a file takes its strongest reference's).
const (
	// OmitConditional: only by plain #include lines inside preprocessor
	// conditionals (#ifdef __riscos__): only a configuration that takes
	// them stops at the missing file.
	OmitConditional OmitKind = iota + 1
	// OmitPlain: by a plain #include or build rule, which stops the
	// build when reached.
	OmitPlain
	// OmitSilent: by a probe whose answer changes silently when the file
	// is missing (__has_include, an optional include).
	OmitSilent
)

// conditionalInclude reports that every #include of ref in the C source
// b lies inside a preprocessor conditional, not counting an include
// guard (a leading #ifndef X / #define X around the whole file).
func conditionalInclude(b []byte, ref string) bool {
	var dirs [][]string
	for _, l := range strings.Split(string(b), "\n") {
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "#") {
			if d := strings.Fields(strings.TrimSpace(t[1:])); len(d) > 0 {
				dirs = append(dirs, d)
			}
		}
	}
	guarded := len(dirs) > 1 && dirs[0][0] == "ifndef" && len(dirs[0]) > 1 &&
		dirs[1][0] == "define" && len(dirs[1]) > 1 && dirs[1][1] == dirs[0][1]
	depth, seen := 0, false
	for i, d := range dirs {
		switch d[0] {
		case "if", "ifdef", "ifndef":
			if i > 0 || !guarded {
				depth++
			}
		case "endif":
			depth--
		case "include", "include_next", "import":
			if len(d) > 1 && strings.Trim(d[1], "\"<>") == ref {
				if depth <= 0 {
					return false
				}
				seen = true
			}
		}
	}
	return seen
}

// optionalRefRe is a build-file line that uses a file only if it exists.
var optionalRefRe = lazyRegexp(`\bOPTIONAL\b|\bEXISTS\b|^\s*-include\s|^\s*sinclude\s|\$[({]wildcard\s|\bfs\.(exists|is_file)\(`)

// sysdepMessage reports a message msgfmt stores in the system-dependent
// segment of a .mo (an <inttypes.h> format such as %<PRIuMAX>), which the
// main string table does not hold.
func sysdepMessage(k string) bool {
	return strings.Contains(k, "%<PRI") || strings.Contains(k, "%<SCN") || strings.Contains(k, "<PRI") && strings.Contains(k, ">")
}

// sysdepSegmentRe is a system-dependent segment of a message: an ISO C 99
// <inttypes.h> format macro name in angle brackets ("%<PRIuMAX>").
var sysdepSegmentRe = lazyRegexp(`<PRI([diouxX])(8|16|32|64|LEAST8|LEAST16|LEAST32|LEAST64|FAST8|FAST16|FAST32|FAST64|MAX|PTR)>`)

// instantiateSysdep expands the <PRI...> segments of s as glibc defines
// them on an LP64 system (lp64) or an ILP32 one: the instantiations msgfmt
// writes for glibc beside the system-dependent table.
func instantiateSysdep(s string, lp64 bool) string {
	return sysdepSegmentRe().ReplaceAllStringFunc(s, func(m string) string {
		sub := sysdepSegmentRe().FindStringSubmatch(m)
		conv, size := sub[1], sub[2]
		switch size {
		case "64", "LEAST64", "FAST64", "MAX":
			if lp64 {
				return "l" + conv
			}
			return "ll" + conv
		case "FAST16", "FAST32", "PTR":
			if lp64 {
				return "l" + conv
			}
		}
		return conv
	})
}

// tagScriptStampRe finds "generated by gen-foo.sh" in a file's first lines.
var tagScriptStampRe = lazyRegexp(`(?i)generated(?: automatically)? by (?:\S*/)?([A-Za-z0-9_.\-]+\.(?:sh|pl|py|awk|sed))\b`)

// generatedByTagScript reports a tarball-only build fragment whose first
// lines name, as its generator, a script present in the tag's tree
// (coreutils' src/cu-progs.mk from build-aux/gen-lists-of-programs.sh).
// The stamp is a claim: it lowers such a file to medium, never to info,
// and only when the tag does hold that script.
func (c *classification) generatedByTagScript() (string, bool) {
	if c.in.Tarball == nil || c.ctx.GitByBase == nil {
		return "", false
	}
	switch path.Ext(c.base) {
	case ".mk", ".am", ".cmake", ".h", ".c", ".def", ".inc":
	default:
		return "", false
	}
	head := c.in.Tarball
	if len(head) > 512 {
		head = head[:512]
	}
	m := tagScriptStampRe().FindSubmatch(head)
	if m == nil || len(c.ctx.GitByBase(string(m[1]))) == 0 {
		return "", false
	}
	return string(m[1]), true
}

// toolFragments are build fragments third-party bootstrap tools write into
// a release; unproved (no known copy matched), with their usual header
// they stay medium, as a generated file not reproduced.
var toolFragments = map[string]string{
	"gtk-doc.make":        "gtkdocize",
	"aminclude_static.am": "autoconf-archive AX_AM_MACROS_STATIC",
	"aminclude.am":        "autoconf-archive AX_ADD_AM_MACRO",
}

// toolFragmentsKnown are the tools of toolFragments whose copies the
// database of upstream files (origindb) holds: gtk-doc's gtk-doc*.make, as
// Debian's gtk-doc-tools installs them.
var toolFragmentsKnown = map[string]bool{"gtkdocize": true}

// toolFragmentStamp is the header those tools write.
var toolFragmentStamp = lazyRegexp(`(?i)gtk-doc\.make|generated automatically by Autoconf|AX_AM_MACROS|AX_ADD_AM_MACRO|-\*- mode: makefile -\*-`)

// debianLtmainDelta are lines of upstream libtool's ltmain.sh that
// Debian's patches change (the XSI/bash feature probes, -specs flags,
// link_all_deplibs): an installed Debian copy lacks them, so a release's
// upstream copy "adds" them without any edit.
var debianLtmainDelta = map[string]bool{
	`if test set = "${BASH_VERSION+set}${ZSH_VERSION+set}"; then`: true,
	`: ${_G_HAVE_ARITH_OP="yes"}`:                                 true,
	`: ${_G_HAVE_XSI_OPS="yes"}`:                                  true,
	`case $BASH_VERSION in`:                                       true,
	`[12].* | 3.0 | 3.0*) ;;`:                                     true,
	`: ${_G_HAVE_PLUSEQ_OP="yes"}`:                                true,
	`test -z "$_G_HAVE_PLUSEQ_OP" \`:                              true,
	`&& (eval 'x=a; x+=" b"; test "a b" = "$x"') 2>/dev/null \`:   true,
	`&& _G_HAVE_PLUSEQ_OP=yes`:                                    true,
	`-specs=*|-fsanitize=*|-fuse-ld=*|-Wa,*)`:                     true,
	`link) libs="$deplibs %DEPLIBS% $dependency_libs" ;;`:         true,
}

// dropDistroDelta removes, from the lines a helper adds to an installed
// copy, the lines that only restate its own version stamp and, for
// ltmain.sh, the upstream lines Debian's patches change.
func dropDistroDelta(base string, added []string) []string {
	out := added[:0]
	for _, l := range added {
		if _, stamp := origindb.StampLine([]byte(l)); stamp {
			continue
		}
		if base == "ltmain.sh" && debianLtmainDelta[l] {
			continue
		}
		out = append(out, l)
	}
	return out
}
