package autotools

import (
	"bytes"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/tarcheck/tarcheck/autotools/origindb"
)

// Classes returned by Classify.
const (
	ClassGenerated              = "generated"
	ClassUpstreamCopy           = "upstream-copy"
	ClassUpstreamUnknownVersion = "upstream-unknown-version"
	ClassGnulibCopy             = "gnulib-copy"
	ClassGnulibModified         = "gnulib-modified"
	ClassM4Upstream             = "m4-upstream"
	ClassM4Modified             = "m4-modified"
	ClassM4SerialBump           = "m4-serial-bump"
	ClassM4Unknown              = "m4-unknown"
	ClassVCSMetadata            = "vcs-metadata"
	ClassExportIgnore           = "export-ignore"
	ClassExportSubst            = "export-subst"
	ClassReleaseStamped         = "release-stamped"
	ClassLineEndings            = "line-endings"
	ClassTranslation            = "translation"
	ClassChangeLog              = "changelog"
	ClassBinaryDoc              = "binary-doc"
	ClassBinaryData             = "binary-data"
	ClassSourceModified         = "source-modified"
	ClassSuspicious             = "suspicious-build-logic"
	ClassModeChanged            = "mode-changed"
	ClassTypeChanged            = "type-changed"
	ClassNotDistributed         = "not-distributed"
	ClassNotInspected           = "not-inspected"
	ClassOther                  = "other"
)

// classifyRule is one step of the classification table. apply returns ok
// when the rule explains the input; later rules are then not tried.
type classifyRule struct {
	name  string
	apply func(c *classification) (Result, bool)
}

// classifyRules is tried in order. To teach Classify something new, insert a
// rule at the right place; the suspicious-logic scan runs after whichever
// rule matched.
var classifyRules = []classifyRule{
	{"mode-differs", ruleModeDiffers},
	{"export-ignore", ruleExportIgnore},
	{"vcs-metadata", ruleVCSMetadata},
	{"only-in-git", ruleOnlyInGit},
	{"symlink", ruleSymlink},
	{"empty", ruleEmpty},
	{"not-inspected", ruleNotInspected},
	{"binary", ruleBinary},
	{"gnulib-pinned", ruleGnulibPinned},
	{"known-upstream-copy", ruleKnownCopy},
	{"m4-provenance", ruleM4},
	{"export-subst", ruleExportSubst},
	{"line-endings", ruleLineEndings},
	{"generated", ruleGenerated},
	{"pytest-cache", rulePytestCache},
	{"translation", ruleTranslation},
	{"changelog", ruleChangeLog},
	{"release-stamped", ruleReleaseStamped},
	{"instantiated", ruleInstantiated},
	{"type-differs", ruleTypeDiffers},
	{"source-modified", ruleSourceModified},
	{"upstream-name", ruleUpstreamName},
	{"other", ruleOther},
}

// classification carries the input and lazily computed facts between rules.
type classification struct {
	in   *Input
	ctx  *Context
	db   *M4DB
	base string
	ext  string

	tarBinary bool
	tarKind   string
	gitBinary bool
	gitKind   string

	m4           *M4Match // set by ruleKnownCopy for m4 files that are not exact copies
	upstreamName *M4Match // set by ruleKnownCopy for other known names with unknown content
	skipScan     bool     // the tarball content is a trusted upstream copy
	flows        FlowScan // the data-flow scan of the tarball side, when scanned
}

// Classify explains one non-identical path: a class, a severity, a one-line
// reason, the generator when known, and signals (suspicious build logic, m4
// serial bumps) with evidence. It is pure and safe for concurrent use; ctx may
// be nil. Severities follow DESIGN.md; a caller's policy may override them.
func Classify(in Input, ctx *Context) Result {
	if ctx == nil {
		ctx = &Context{}
	}
	c := &classification{in: &in, ctx: ctx, db: ctx.DB, base: path.Base(in.Path), ext: strings.ToLower(path.Ext(in.Path))}
	if c.db == nil {
		c.db = Baseline()
	}
	if in.Tarball != nil && in.TarballMode != ModeSymlink {
		c.tarBinary, c.tarKind = IsBinary(in.Tarball)
	}
	if in.Git != nil && in.GitMode != ModeSymlink {
		c.gitBinary, c.gitKind = IsBinary(in.Git)
	}
	if !c.gitBinary && in.Git == nil && ctx.IsBinaryInGit != nil && in.GitMode != 0 && in.GitMode != ModeSymlink && in.GitMode != ModeGitlink {
		c.gitBinary = ctx.IsBinaryInGit(in.Path)
	}
	var res Result
	for _, r := range classifyRules {
		if out, ok := r.apply(c); ok {
			res = out
			break
		}
	}
	c.scan(&res)
	c.ruleBuildGlob(&res)
	return res
}

func tarSide(in *Input) bool {
	return in.Status == StatusOnlyInTarball || in.Status == StatusContentDiffers || in.Status == StatusTypeDiffers
}

func ruleModeDiffers(c *classification) (Result, bool) {
	if c.in.Status != StatusModeDiffers {
		return Result{}, false
	}
	c.skipScan = true
	if c.in.GitMode == ModeFile && c.in.TarballMode == ModeExec && runnableByHarness(c.in.Path, c.in.Tarball) {
		return Result{Class: ClassModeChanged, Severity: SevHigh,
			Reason: fmt.Sprintf("exec bit added: mode %o in git, %o in the tarball, on a file a test harness or build glob runs when executable", c.in.GitMode, c.in.TarballMode)}, true
	}
	return Result{Class: ClassModeChanged, Severity: SevLow,
		Reason: fmt.Sprintf("content identical; mode %o in git, %o in the tarball", c.in.GitMode, c.in.TarballMode)}, true
}

func ruleExportIgnore(c *classification) (Result, bool) {
	if !c.in.ExportIgnore || c.in.Status != StatusOnlyInGit {
		return Result{}, false
	}
	return Result{Class: ClassExportIgnore, Severity: SevLow, Reason: "marked export-ignore in .gitattributes, so not in release archives"}, true
}

// vcsNames are repository metadata that releases do not ship.
var (
	vcsNames = map[string]bool{".gitignore": true, ".gitattributes": true, ".gitmodules": true, ".mailmap": true,
		".travis.yml": true, ".gitlab-ci.yml": true, ".cirrus.yml": true, ".appveyor.yml": true, "appveyor.yml": true,
		".editorconfig": true, ".clang-format": true, ".git-blame-ignore-revs": true, ".pre-commit-config.yaml": true,
		".readthedocs.yml": true, ".readthedocs.yaml": true, ".codecov.yml": true, "codecov.yml": true, ".cvsignore": true,
		".hgignore": true, ".hgtags": true, ".bzrignore": true, ".lgtm.yml": true, ".dir-locals.el": true,
		".prev-version": true, ".x-update-copyright": true, ".clang-tidy": true, ".cirrus.star": true, ".mergify.yml": true,
		".packit.yaml": true, ".coveralls.yml": true, ".golangci.yml": true, ".yamllint": true, ".gitpod.yml": true, ".dockerignore": true}
	vcsDirs = []string{".github/", ".gitlab/", ".circleci/", ".ci/", ".azure-pipelines/", ".buildkite/", ".devcontainer/", ".vscode/", ".builds/", ".woodpecker/", ".forgejo/", ".gitea/", ".reuse/", ".tx/", ".hooks/", ".husky/"}
)

func isVCSMetadata(p string) bool {
	if vcsNames[path.Base(p)] {
		return true
	}
	for _, d := range vcsDirs {
		if strings.HasPrefix(p, d) || strings.Contains(p, "/"+d) {
			return true
		}
	}
	return false
}

func ruleVCSMetadata(c *classification) (Result, bool) {
	if c.in.Status != StatusOnlyInGit || !isVCSMetadata(c.in.Path) {
		return Result{}, false
	}
	return Result{Class: ClassVCSMetadata, Severity: SevInfo, Reason: "repository metadata (VCS/CI configuration), not shipped in releases"}, true
}

func ruleOnlyInGit(c *classification) (Result, bool) {
	if c.in.Status != StatusOnlyInGit {
		return Result{}, false
	}
	if c.in.GitMode == ModeGitlink {
		return Result{Class: ClassNotDistributed, Severity: SevLow, Reason: "submodule (gitlink) in git; its files are compared separately when copied into the tarball"}, true
	}
	var kind OmitKind
	if c.ctx.Omitted != nil {
		kind = c.ctx.Omitted(c.in.Path)
	}
	switch kind {
	case OmitSilent:
		return Result{Class: ClassNotDistributed, Severity: SevHigh, Reason: "in git and referenced by the tarball's sources or build files, but left out of the tarball: the build silently changes"}, true
	case OmitConditional:
		return Result{Class: ClassNotDistributed, Severity: SevLow, Reason: "in git but left out of the tarball; named only by #include lines inside preprocessor conditionals (another platform or an optional feature): a configuration that takes them stops at the missing file"}, true
	case OmitPlain:
		// A plain #include or build rule naming it: a build that reaches
		// the reference stops, unless a file of that name lies on the
		// include path (a system header), so it is shown, not failed.
		return Result{Class: ClassNotDistributed, Severity: SevMedium, Reason: "in git and named by a plain #include or build rule of the tarball, but left out of the tarball: a build that reaches the reference stops, or picks up a system file of that name"}, true
	}
	return Result{Class: ClassNotDistributed, Severity: SevLow, Reason: "in git but not distributed in the tarball; nothing from it ships"}, true
}

// ruleEmpty explains an empty regular file only in the tarball (touch-ed
// placeholders such as NEWS or stamp files): nothing in it can run.
func ruleEmpty(c *classification) (Result, bool) {
	if c.in.Status != StatusOnlyInTarball || c.in.TarballSize != 0 || len(c.in.Tarball) != 0 || c.in.TarballMode == ModeSymlink {
		return Result{}, false
	}
	c.skipScan = true
	return Result{Class: ClassOther, Severity: SevLow, Reason: "empty file only in the tarball"}, true
}

// ruleNotInspected handles a tarball side whose content was not kept.
func ruleNotInspected(c *classification) (Result, bool) {
	if !tarSide(c.in) || c.in.Tarball != nil || c.in.TarballMode == ModeSymlink || c.in.TarballSize == 0 {
		return Result{}, false
	}
	if c.ctx.IsBinaryInTarball != nil && c.ctx.IsBinaryInTarball(c.in.Path) {
		c.tarBinary, c.tarKind = true, "data"
		return Result{}, false // ruleBinary decides
	}
	c.skipScan = true
	return Result{Class: ClassNotInspected, Severity: SevMedium,
		Reason: fmt.Sprintf("tarball content (%d bytes) too large to inspect; review it by hand", c.in.TarballSize)}, true
}

func ruleBinary(c *classification) (Result, bool) {
	if !tarSide(c.in) || !c.tarBinary {
		return Result{}, false
	}
	c.skipScan = true
	cat := binaryCategory(c.tarKind)
	changed := c.in.Status == StatusContentDiffers
	switch {
	case cat == "translation" && (c.ext == ".gmo" || c.ext == ".mo") && c.in.Tarball != nil:
		return c.ruleCompiledCatalog(), true
	case cat == "doc" && c.in.Tarball != nil:
		if n, ok := TrailingData(c.tarKind, c.in.Tarball); ok && n > 0 {
			return Result{Class: ClassBinaryData, Severity: SevHigh, Signals: []Signal{{Rule: RuleTrailingData, Severity: SevHigh,
				Message: fmt.Sprintf("%d bytes after the end of the %s data", n, c.tarKind)}},
				Reason: fmt.Sprintf("binary documentation (%s) with %d bytes after its end marker: data no viewer shows", c.tarKind, n)}, true
		}
		fallthrough
	case cat == "doc":
		what := "only in the tarball"
		if changed {
			what = "differs from git"
		}
		return Result{Class: ClassBinaryDoc, Severity: SevLow, Reason: fmt.Sprintf("binary documentation (%s) %s", c.tarKind, what)}, true
	}
	what := "only in the tarball"
	if changed {
		what = "differs from the tag's copy"
	}
	desc := map[string]string{"compressed": "compressed data", "archive": "an archive", "object": "an object file or executable", "data": "binary data", "translation": "a message catalog"}[cat]
	return Result{Class: ClassBinaryData, Severity: SevHigh, Reason: fmt.Sprintf("%s (%s) %s: nothing in git explains it", desc, c.tarKind, what)}, true
}

// gnulibPath maps a release path to the gnulib repository path it would be
// copied from, or "" when the path is not a gnulib copy location.
func gnulibPath(p string) string {
	for _, pre := range []string{"lib/", "m4/", "build-aux/"} {
		if strings.HasPrefix(p, pre) {
			return p
		}
	}
	if rest, ok := strings.CutPrefix(p, "gnulib-tests/"); ok {
		return "tests/" + rest
	}
	return ""
}

// gnulibRewritten are files gnulib-tool writes rather than copies.
var gnulibRewritten = map[string]bool{"Makefile.am": true, "Makefile.in": true, "gnulib.mk": true, "gnulib-comp.m4": true, "gnulib-cache.m4": true, ".gitignore": true, "Makefile.gnulib": true}

func ruleGnulibPinned(c *classification) (Result, bool) {
	if c.ctx.Gnulib == nil || c.in.Status != StatusOnlyInTarball || c.in.Tarball == nil || gnulibRewritten[c.base] {
		return Result{}, false
	}
	gp := gnulibPath(c.in.Path)
	if gp == "" {
		return Result{}, false
	}
	up, ok := c.ctx.Gnulib(gp)
	if !ok {
		return Result{}, false
	}
	if string(up) == string(c.in.Tarball) {
		c.skipScan = true
		return Result{Class: ClassGnulibCopy, Severity: SevInfo, Reason: "identical to " + gp + " at the gnulib commit the tag pins"}, true
	}
	return Result{Class: ClassGnulibModified, Severity: SevHigh, Reason: "differs from " + gp + " at the gnulib commit the tag pins"}, true
}

func ruleKnownCopy(c *classification) (Result, bool) {
	if !tarSide(c.in) || c.in.Tarball == nil || c.in.TarballMode == ModeSymlink {
		return Result{}, false
	}
	m := c.db.Lookup(c.in.Path, c.in.Tarball)
	if m.Kind != MatchExact && copiedHelpers[c.base] {
		if r, ok := c.stampedCopy(); ok {
			return r, true
		}
	}
	if m.Kind != MatchExact || (m.KnownAs != "" && len(c.in.Tarball) < 64) {
		if isM4Name(c.base) {
			c.m4 = &m
		} else if m.KnownVersions > 0 && c.in.Status == StatusOnlyInTarball && (gnulibPath(c.in.Path) != "" || copiedHelpers[c.base]) {
			c.upstreamName = &m
		} else if m.Kind == MatchUnknownName && copiedHelpers[c.base] && c.in.Status == StatusOnlyInTarball && c.db.origins != nil && c.db.origins.HasName(c.base) {
			// A helper the origin database knows by name (every
			// published version) though the m4 baseline holds no
			// content of it: its content matched none of them.
			m.KnownVersions = len(c.db.origins.ByName(c.base))
			c.upstreamName = &m
		}
		return Result{}, false
	}
	c.skipScan = true
	class := ClassUpstreamCopy
	what := "copy of a known upstream file"
	if isM4Name(c.base) {
		class = ClassM4Upstream
		what = "m4 macro file identical to a known upstream copy"
		if m.Header.Serial != "" {
			what += " (serial " + m.Header.Serial + ")"
		}
	}
	reason := fmt.Sprintf("%s from %s", what, originSummary(m.Origins))
	if m.KnownAs != "" {
		reason += " (known as " + m.KnownAs + ")"
	}
	sev := SevInfo
	if c.in.Status != StatusOnlyInTarball {
		sev = SevLow
		reason = "replaced at release by a " + reason
	}
	r := Result{Class: class, Severity: sev, Reason: reason}
	if g, ok := DetectGenerator(c.in.Path, c.in.Tarball); ok {
		// Helpers copied by libtoolize, autopoint, automake --add-missing:
		// the tool and its version still matter for a rebuild.
		r.Generator, r.GeneratorVersion = g.Generator, g.Version
	}
	return r, true
}

// stampedCopy proves a copied helper that is a known upstream copy in
// every byte but its version stamps: a distribution's rebuild of the tool
// (Ubuntu's "2.4.6 Debian-2.4.6-15build2" ltmain.sh is Debian 2.4.6-15's).
// Only literal stamp values differ (origindb.StampLine): low.
func (c *classification) stampedCopy() (Result, bool) {
	idx := c.ctx.HelperStamps
	if idx == nil {
		idx, _ = origindb.EmbeddedStamps()
	}
	origins, n, ok := c.db.StampedCopy(c.in.Path, c.in.Tarball, idx)
	if !ok {
		return Result{}, false
	}
	c.skipScan = true
	r := Result{Class: ClassUpstreamCopy, Severity: SevLow,
		Reason: fmt.Sprintf("copy of a known upstream file from %s in every byte but the values of its %d version stamp line%s%s: the same code under another version string (a distribution's rebuild of the tool)",
			originSummary(origins), n, plural(n), stampValues(c.in.Tarball))}
	if c.in.Status != StatusOnlyInTarball {
		r.Reason = "replaced at release by a " + r.Reason
	}
	if g, ok := DetectGenerator(c.in.Path, c.in.Tarball); ok {
		r.Generator, r.GeneratorVersion = g.Generator, g.Version
	}
	return r, true
}

// stampValues quotes the first version stamp line of content (" (VERSION=...)"),
// or nothing.
func stampValues(content []byte) string {
	for _, l := range splitLines(content) {
		if _, ok := origindb.StampLine(l); ok && bytes.Contains(l, []byte("=")) {
			return " (" + truncate(string(bytes.TrimSpace(l)), 80) + ")"
		}
	}
	return ""
}

func originSummary(origins []string) string {
	switch len(origins) {
	case 0:
		return "the database"
	case 1, 2:
		return strings.Join(origins, ", ")
	}
	return fmt.Sprintf("%s, %s and %d more", origins[0], origins[1], len(origins)-2)
}

// ruleM4 traces an m4 file only in the tarball (not identical to any known
// copy, see ruleKnownCopy) through the database. Git-tracked m4 files that
// differ fall through to release-stamp and source rules, carrying the match
// as a signal.
func ruleM4(c *classification) (Result, bool) {
	if c.m4 == nil || generatedM4[c.base] {
		return Result{}, false
	}
	m := *c.m4
	sig := c.m4Signal(m)
	if c.in.Status != StatusOnlyInTarball {
		return Result{}, false
	}
	if (m.Kind == MatchSerialAbove || m.Kind == MatchKnownName) && m.Closest != nil && len(m.Closest.lines) > 0 && m.AddedTotal > 0 &&
		(c.dbCovers(c.db.NameSnapshot(m.Name), m.Header) || serialJump(m.Header.Serial, m.MaxKnownSerial)) {
		// The database holds every version up to the release: a serial,
		// kept or bumped, explains nothing when lines are added.
		sig.Severity = SevHigh
		sig.Message = fmt.Sprintf("matches no known version of %s and adds %d line%s to the closest known copy, whatever its serial: %s", m.Name, m.AddedTotal, plural(m.AddedTotal), sig.Message)
		class := ClassM4Modified
		if m.Kind == MatchSerialAbove {
			class = ClassM4SerialBump
		}
		return Result{Class: class, Severity: SevHigh, Reason: sig.Message, Signals: []Signal{sig}}, true
	}
	switch m.Kind {
	case MatchSerialAbove:
		return Result{Class: ClassM4SerialBump, Severity: sig.Severity, Reason: sig.Message, Signals: []Signal{sig}}, true
	case MatchKnownName:
		return Result{Class: ClassM4Modified, Severity: SevMedium, Reason: sig.Message, Signals: []Signal{sig}}, true
	}
	if name := m4DefinesAutotoolsMacro(c.in.Tarball); name != "" {
		msg := "m4 file of no known upstream origin defines or overrides " + name + ", a macro of the autotools' namespaces"
		return Result{Class: ClassM4Unknown, Severity: SevHigh, Reason: msg,
			Signals: []Signal{{Rule: RuleM4OverridesAutotools, Severity: SevHigh, Message: msg}}}, true
	}
	r := Result{Class: ClassM4Unknown, Severity: SevLow, Reason: "m4 file of no known upstream origin"}
	if m.Header.Serial != "" {
		r.Reason += " (serial " + m.Header.Serial + ")"
	}
	return r, true
}

// m4Signal describes a non-exact m4 match as a signal with the short diff as
// evidence; for serial bumps it decides high vs medium.
func (c *classification) m4Signal(m M4Match) Signal {
	closest := ""
	if m.Closest != nil {
		closest = fmt.Sprintf("; closest known copy: serial %s from %s", orDash(m.Closest.Serial), originSummary(m.Closest.Origins))
	}
	ev := m.Diff()
	switch m.Kind {
	case MatchSerialAbove:
		sev, hint := SevMedium, ""
		jump := serialJump(m.Header.Serial, m.MaxKnownSerial)
		snap := c.db.NameSnapshot(m.Name)
		newEnough := c.dbCovers(snap, m.Header)
		switch {
		case jump:
			sev = SevHigh
			hint = "; the serial jumps far beyond the known history"
		case newEnough:
			sev = SevHigh
			hint = fmt.Sprintf("; the database's newest source of %s (%s) is at least as new as the release", m.Name, snap.Format("2006-01-02"))
		default:
			hint = "; the release may be newer than the database's sources of " + m.Name
			if !snap.IsZero() {
				hint += " (" + snap.Format("2006-01-02") + ")"
			}
			hint += ": extend it with `tarcheck m4db build`"
		}
		ev = append([]string{fmt.Sprintf("serial %s, highest known upstream serial %s", m.Header.Serial, m.MaxKnownSerial)}, ev...)
		return Signal{Rule: RuleM4SerialAbove, Severity: sev, Evidence: ev,
			Message: fmt.Sprintf("claims serial %s but the highest known upstream serial of %s is %s%s%s", m.Header.Serial, m.Name, m.MaxKnownSerial, closest, hint)}
	default:
		return Signal{Rule: RuleM4UnknownBody, Severity: SevMedium, Evidence: ev,
			Message: fmt.Sprintf("known m4 name %s with content matching none of %d known versions (serial %s)%s", m.Name, m.KnownVersions, orDash(m.Header.Serial), closest)}
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// serialJump reports a serial far beyond the known maximum: more than double
// it and at least 10 above (gnulib's build-to-host.m4 was at 3 when xz's
// copy claimed 30).
func serialJump(serial, maxKnown string) bool {
	s, k := serialMajor(serial), serialMajor(maxKnown)
	if s < 0 || k < 0 {
		return false
	}
	return s-k >= 10 && s > 2*k
}

// dbCovers reports whether snap, the snapshot date of the database's newest
// source of a macro file (see M4DB.NameSnapshot), is at least as new as the
// release: not older than the tag date or, without one, from a later year
// than the file's last copyright year. Unknown dates make it false.
func (c *classification) dbCovers(snap time.Time, h M4Header) bool {
	if snap.IsZero() {
		return false
	}
	if !c.ctx.TagTime.IsZero() {
		return !snap.Before(c.ctx.TagTime)
	}
	if y := h.MaxYear(); y > 0 {
		return y < snap.Year()
	}
	return false
}

func ruleExportSubst(c *classification) (Result, bool) {
	if !c.in.ExportSubst || c.in.Status != StatusContentDiffers || c.in.Git == nil || c.in.Tarball == nil || !exportSubstOnly(c.in.Git, c.in.Tarball) {
		// Anything beyond git's own expansion is a content change.
		return Result{}, false
	}
	c.skipScan = true
	return Result{Class: ClassExportSubst, Severity: SevLow, Reason: "export-subst in .gitattributes: only the tag's $Format:...$ placeholders are expanded, as git archive does"}, true
}

func ruleLineEndings(c *classification) (Result, bool) {
	if c.in.Status != StatusContentDiffers || c.in.Git == nil || c.in.Tarball == nil || !crlfOnly(c.in.Git, c.in.Tarball) {
		return Result{}, false
	}
	c.skipScan = true
	return Result{Class: ClassLineEndings, Severity: SevLow, Reason: "only line endings differ (CRLF vs LF)"}, true
}

func ruleGenerated(c *classification) (Result, bool) {
	if !tarSide(c.in) || c.in.Tarball == nil || c.in.TarballMode == ModeSymlink {
		return Result{}, false
	}
	g, ok := DetectGenerator(c.in.Path, c.in.Tarball)
	if !ok && c.in.Status == StatusOnlyInTarball {
		if src, ok := manTextSource(c.in.Path, c.in.Tarball, c.ctx); ok {
			return Result{Class: ClassGenerated, Severity: SevInfo, Generator: "man (rendered to text)",
				Reason: "man page " + src + " rendered to text at release (starts with its NAME header)"}, true
		}
	}
	if !ok {
		if (c.base == ".tarball-version" || c.base == ".version") && c.in.Status == StatusOnlyInTarball && len(c.in.Tarball) < 256 {
			return Result{Class: ClassReleaseStamped, Severity: SevInfo, Reason: "version stamp file written by make dist"}, true
		}
		return Result{}, false
	}
	if c.upstreamName != nil && copiedHelpers[c.base] {
		// Copied verbatim by automake --add-missing, libtoolize or
		// autopoint, never generated per project: a stamp is not enough
		// when the content matches no known copy (an edit that trips no
		// scan rule must not pass as "generated").
		sev, why, ev := c.helperClaim(c.upstreamName)
		r := Result{Class: ClassUpstreamUnknownVersion, Severity: sev, Generator: g.Generator, GeneratorVersion: g.Version,
			Reason: fmt.Sprintf("helper copied from %s by the autotools, but its content matches none of %d known copies; %s",
				strings.TrimSpace(g.Generator+" "+g.Version), c.upstreamName.KnownVersions, why)}
		if sev.Rank() >= SevHigh.Rank() {
			r.Signals = append(r.Signals, Signal{Rule: RuleHelperClaim, Severity: sev, Message: why, Evidence: ev})
		}
		return r, true
	}
	r := Result{Class: ClassGenerated, Severity: SevInfo, Generator: g.Generator, GeneratorVersion: g.Version}
	by := g.Generator
	if g.Version != "" {
		by += " " + g.Version
	}
	switch c.in.Status {
	case StatusOnlyInTarball:
		r.Reason = "generated by " + by
	default:
		// The tag carries its own copy: only a regeneration by the same
		// kind of tool explains the difference.
		if c.in.Git != nil && c.in.GitMode != ModeSymlink {
			if gg, ok := DetectGenerator(c.in.Path, c.in.Git); !ok || gg.Generator != g.Generator {
				return Result{}, false
			}
		}
		r.Severity = SevLow
		r.Reason = "regenerated at release by " + by + "; the tag's copy was generated too"
	}
	return r, true
}

func ruleTranslation(c *classification) (Result, bool) {
	if c.ext != ".po" && c.ext != ".pot" {
		return Result{}, false
	}
	switch c.in.Status {
	case StatusOnlyInTarball:
		c.skipScan = true
		return Result{Class: ClassTranslation, Severity: SevLow, Reason: "translation catalog only in the tarball (fetched or generated at release)"}, true
	case StatusContentDiffers:
		if c.in.Git == nil || c.in.Tarball == nil {
			break
		}
		u, ok := poMsgmergeOnly(c.in.Git, c.in.Tarball)
		if ok && !poObsoleteOK(c.in.Git, c.in.Tarball) {
			return Result{Class: ClassTranslation, Severity: SevHigh,
				Reason: "catalog differs from the tag's copy in obsolete (#~) entries msgmerge cannot have made: a translation the tag never had"}, true
		}
		if ok {
			c.skipScan = true
			reason := "catalog updated by msgmerge/po4a at release: only source references, flags, comments, header dates and line wrapping differ"
			if u.added > 0 || u.dropped > 0 {
				reason = fmt.Sprintf("catalog updated by msgmerge/po4a at release: %d new untranslated or fuzzy message%s, %d dropped; no translation of a kept message changed", u.added, plural(u.added), u.dropped)
			}
			return Result{Class: ClassTranslation, Severity: SevLow, Reason: reason}, true
		}
	}
	return Result{}, false
}

func ruleChangeLog(c *classification) (Result, bool) {
	if c.in.Tarball == nil || !tarSide(c.in) || c.in.TarballMode == ModeSymlink {
		return Result{}, false
	}
	switch {
	case strings.HasPrefix(c.base, "ChangeLog") && looksGeneratedChangeLog(c.in.Tarball):
	case (c.base == "CHANGES" || c.base == "ChangeLog" || c.base == "CHANGELOG") && looksVersionedChangeLog(c.in.Tarball, c.ctx.Version):
	default:
		return Result{}, false
	}
	c.skipScan = true
	return Result{Class: ClassChangeLog, Severity: SevLow, Reason: "ChangeLog generated from the git history at release"}, true
}

func ruleReleaseStamped(c *classification) (Result, bool) {
	if c.in.Status != StatusContentDiffers || c.in.Git == nil || c.in.Tarball == nil || c.gitBinary {
		return Result{}, false
	}
	n, ok := stampOnly(c.in.Git, c.in.Tarball, c.ctx.Version)
	if !ok {
		return Result{}, false
	}
	c.skipScan = true
	return Result{Class: ClassReleaseStamped, Severity: SevLow,
		Reason: fmt.Sprintf("only the release version or dates differ (%d line%s)", n, plural(n))}, true
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func ruleTypeDiffers(c *classification) (Result, bool) {
	if c.in.Status != StatusTypeDiffers {
		return Result{}, false
	}
	sev := SevMedium
	if isSourcePath(c.in.Path, c.in.Tarball) {
		sev = SevHigh
	}
	return Result{Class: ClassTypeChanged, Severity: sev,
		Reason: fmt.Sprintf("file type differs: %s in git, %s in the tarball", modeName(c.in.GitMode), modeName(c.in.TarballMode))}, true
}

func modeName(m uint32) string {
	switch m {
	case ModeSymlink:
		return "symlink"
	case ModeGitlink:
		return "submodule"
	case ModeExec:
		return "executable file"
	case 0:
		return "nothing"
	}
	return "regular file"
}

// sourceExts are files people write (not generated): a content change in the
// tarball is a change the tag does not vouch for.
var (
	sourceExts = map[string]bool{".c": true, ".h": true, ".cc": true, ".cpp": true, ".cxx": true, ".hh": true, ".hpp": true, ".hxx": true,
		".m": true, ".mm": true, ".s": true, ".S": true, ".asm": true, ".go": true, ".rs": true, ".py": true, ".pl": true, ".pm": true,
		".rb": true, ".java": true, ".js": true, ".ts": true, ".lua": true, ".tcl": true, ".sh": true, ".bash": true, ".zsh": true,
		".m4": true, ".ac": true, ".am": true, ".mk": true, ".cmake": true, ".y": true, ".yy": true, ".l": true, ".ll": true,
		".def": true, ".sym": true, ".map": true, ".inc": true, ".in": true, ".awk": true, ".sed": true, ".php": true, ".swift": true,
		".kt": true, ".cs": true, ".f": true, ".f90": true, ".d": true, ".zig": true, ".vala": true, ".ps1": true, ".bat": true, ".cmd": true}
	sourceNames = map[string]bool{"configure.ac": true, "configure.in": true, "Makefile": true, "GNUmakefile": true, "makefile": true,
		"CMakeLists.txt": true, "meson.build": true, "meson_options.txt": true, "meson.options": true, "bootstrap": true, "autogen.sh": true,
		"Kconfig": true, "SConstruct": true, "BUILD": true, "BUILD.bazel": true, "WORKSPACE": true, "build.zig": true, "Cargo.toml": true,
		"go.mod": true, "setup.py": true, "pyproject.toml": true, "configure": true, "libtool": true}
)

// isSourcePath reports whether a path (with optional content for shebang
// detection) is source code or build logic.
func isSourcePath(p string, content []byte) bool {
	base := path.Base(p)
	if sourceNames[base] || sourceExts[path.Ext(base)] {
		return true
	}
	return len(content) > 2 && content[0] == '#' && content[1] == '!'
}

// isBuildScript reports whether a file can run at build time: m4, configure,
// Makefiles, shell, CMake, meson, libtool, build-aux helpers, shebang scripts.
func isBuildScript(p string, content []byte) bool {
	base := path.Base(p)
	switch path.Ext(base) {
	case ".m4", ".ac", ".am", ".in", ".sh", ".bash", ".mk", ".mak", ".cmake", ".sin", ".sed", ".awk":
		return true
	}
	switch base {
	case "configure", "Makefile", "GNUmakefile", "makefile", "CMakeLists.txt", "meson.build", "libtool", "bootstrap", "autogen.sh", "testsuite":
		return true
	}
	if strings.HasPrefix(p, "build-aux/") || strings.Contains(p, "/build-aux/") {
		return true
	}
	return len(content) > 2 && content[0] == '#' && content[1] == '!'
}

func ruleSourceModified(c *classification) (Result, bool) {
	if c.in.Status != StatusContentDiffers || !isSourcePath(c.in.Path, c.in.Tarball) {
		return Result{}, false
	}
	r := Result{Class: ClassSourceModified, Severity: SevHigh, Reason: "source file differs from the tag's copy"}
	if c.m4 != nil && !generatedM4[c.base] {
		sig := c.m4Signal(*c.m4)
		r.Reason = "m4 file tracked in git differs from the tag's copy: " + sig.Message
		r.Signals = append(r.Signals, sig)
	}
	return r, true
}

// ruleUpstreamName explains a file only in the tarball whose name is a known
// upstream file (a gnulib lib/ or build-aux/ file) but whose content matches
// no known version: most likely a different upstream version.
func ruleUpstreamName(c *classification) (Result, bool) {
	m := c.upstreamName
	if m == nil {
		return Result{}, false
	}
	var origins []string
	for _, e := range c.db.Known(m.Name) {
		origins = append(origins, e.Origins...)
	}
	r := Result{Class: ClassUpstreamUnknownVersion, Severity: SevMedium,
		Reason: fmt.Sprintf("name matches a file from %s but the content matches none of %d known versions; compare with the pinned gnulib commit (--gnulib) or extend the database", originSummary(origins), m.KnownVersions)}
	if copiedHelpers[c.base] {
		sev, why, ev := c.helperClaim(m)
		r.Severity, r.Reason = sev, r.Reason+"; "+why
		if sev.Rank() >= SevHigh.Rank() {
			r.Signals = append(r.Signals, Signal{Rule: RuleHelperClaim, Severity: sev, Message: why, Evidence: ev})
		}
	}
	return r, true
}

// manPageRe finds the title line of a roff man page.
var manPageRe = lazyRegexp(`(?m)^\.TH[ \t]+\S+[ \t]+"?[1-9n]`)

// isManPage reports a roff man page by name (section extension) and content
// (a .TH title line near the top).
func isManPage(p string, content []byte) bool {
	ext := path.Ext(p)
	if len(ext) < 2 || ext[1] < '1' || ext[1] > '9' || len(ext) > 4 {
		return false
	}
	head := content
	if len(head) > stampSniffLen {
		head = head[:stampSniffLen]
	}
	return manPageRe().Match(head)
}

func ruleOther(c *classification) (Result, bool) {
	switch c.in.Status {
	case StatusOnlyInTarball:
		if c.in.Tarball != nil && isManPage(c.in.Path, c.in.Tarball) {
			return Result{Class: ClassOther, Severity: SevLow, Reason: "man page only in the tarball (documentation generated at release, no generator stamp)"}, true
		}
		if tool, ok := toolFragments[c.base]; ok && c.in.Tarball != nil && toolFragmentStamp().Match(c.in.Tarball[:min(len(c.in.Tarball), 2048)]) {
			why := "no published copy to compare with"
			if toolFragmentsKnown[tool] {
				// The provenance search ran first: a known copy would
				// have proved the file.
				why = "matching none of the copies of its releases in the database of upstream files"
			}
			return Result{Class: ClassOther, Severity: SevMedium, Generator: tool,
				Reason: "build fragment written by " + tool + " at bootstrap (" + why + "); not proved (run --rebuild)"}, true
		}
		if c.ctx.GitByBase != nil && len(c.ctx.GitByBase(c.base+".dist")) > 0 {
			// curl's maketgz copies Makefile.dist to Makefile: the tag's
			// copy, under another name (proved when identical to it).
			return Result{Class: ClassOther, Severity: SevMedium,
				Reason: "only in the tarball; the tag holds " + c.base + ".dist, which release scripts copy to this name (compare the two)"}, true
		}
		if script, ok := c.generatedByTagScript(); ok {
			return Result{Class: ClassOther, Severity: SevMedium, Generator: script,
				Reason: "build fragment stamped as generated by " + script + ", a script of the tag, at bootstrap; not reproduced in this run (run --rebuild)"}, true
		}
		if execOrBuildContent(c.in.Path, c.in.Tarball, c.in.TarballMode) {
			return Result{Class: ClassOther, Severity: SevHigh, Reason: "build or executable content only in the tarball (script, build fragment, exec bit or CI file); no generator or upstream origin explains it"}, true
		}
		return Result{Class: ClassOther, Severity: SevMedium, Reason: "only in the tarball; no generator or upstream origin recognised"}, true
	case StatusContentDiffers:
		return Result{Class: ClassOther, Severity: SevMedium, Reason: "content differs from the tag's copy; not explained by stamping or regeneration"}, true
	}
	return Result{Class: ClassOther, Severity: SevMedium, Reason: "difference not explained"}, true
}

// quietGeneratedNetwork lowers a lone network-access signal in a file
// recognised as generated (configure, Makefile.in) to info: projects such as
// curl name curl and wget in their own configure. Combined with any other
// signal it stays as it is.
func quietGeneratedNetwork(res *Result) {
	if res.Class != ClassGenerated {
		return
	}
	net := -1
	for i, s := range res.Signals {
		switch {
		case s.Rule == RuleNetworkFetch && s.Severity == SevMedium:
			net = i
		case s.Severity.Rank() > SevInfo.Rank():
			return
		}
	}
	if net >= 0 {
		res.Signals[net].Severity = SevInfo
		res.Signals[net].Message += " (alone in a generated file: informational)"
	}
}

// scanRuleIDs are the rule ids ScanBuildScript emits (TC503–TC511): a high
// one of them makes the class suspicious-build-logic.
var scanRuleIDs = func() map[string]bool {
	m := map[string]bool{RuleDataFlow: true}
	for _, r := range scanRules {
		m[r.id] = true
	}
	return m
}()

// isScanRule reports whether rule is one of the build-logic scan signals
// (not the binary-reference or m4 provenance signals).
func isScanRule(rule string) bool { return scanRuleIDs[rule] }

// scan runs the build-script scan on the tarball side of any non-identical
// build script that is not a trusted upstream copy, adds binary-data
// references, and escalates: one high signal raises the result to high;
// two, or one plus a reference to binary data, make it critical.
func (c *classification) scan(res *Result) {
	in := c.in
	if !c.skipScan && tarSide(in) && in.Tarball != nil && in.TarballMode != ModeSymlink && !c.tarBinary && isBuildScript(in.Path, in.Tarball) {
		sigs, flows := c.ctx.scanFlows(in.Path, in.Tarball)
		c.flows = flows
		sigs = c.proveAutotest(sigs)
		for _, sig := range sigs {
			// The finding carries the path already.
			sig.Message = strings.TrimPrefix(sig.Message, in.Path+": ")
			res.Signals = append(res.Signals, sig)
		}
		if sig, ok := c.binaryRefs(); ok {
			res.Signals = append(res.Signals, sig)
		}
		quietGeneratedNetwork(res)
	}
	c.addSelections(res)
	high, binRef, scanHigh := 0, false, []string(nil)
	keywordHigh := false
	for _, s := range res.Signals {
		keywordHigh = keywordHigh || (isScanRule(s.Rule) && s.Rule != RuleDataFlow && s.Severity.Rank() >= SevHigh.Rank())
	}
	seen := map[string]bool{}
	for _, s := range res.Signals {
		if s.Rule == RuleBinaryReference {
			binRef = true
		}
		// A high data flow confirms the keyword signals of the same lines
		// rather than adding to them; alone it counts, and a critical one
		// is critical by itself.
		if s.Severity.Rank() >= SevHigh.Rank() && !seen[s.Rule] && !(s.Rule == RuleDataFlow && s.Severity != SevCritical && keywordHigh) {
			seen[s.Rule] = true
			high++
			if isScanRule(s.Rule) || s.Rule == RuleBinaryReference {
				scanHigh = append(scanHigh, s.Message)
			}
		}
		res.Severity = maxSev(res.Severity, s.Severity)
	}
	if high >= 2 || (high == 1 && binRef) {
		res.Severity = SevCritical
	}
	if len(scanHigh) > 0 {
		res.Reason = "suspicious build logic (" + strings.Join(scanHigh, "; ") + "); " + res.Reason
		res.Class = ClassSuspicious
		res.Signals = append(res.Signals, Signal{Rule: RuleSuspicious, Severity: res.Severity, Message: res.Reason,
			Evidence: suspiciousEvidence(res.Signals)})
	}
}

// addSelections evaluates the file-selecting patterns of the scanned
// script (grep -l/-r, find, globs) over Context.Files and names what they
// select in the data-flow signal (the selectors its flows came through) or,
// without a flow, in the grep-over-the-tree signal: "selects
// tests/files/bad-3-corrupt_lzma2.xz (binary data in git)".
func (c *classification) addSelections(res *Result) {
	if len(c.flows.Selectors) == 0 || c.ctx.Files == nil {
		return
	}
	target := -1
	var sels []Selector
	for i, s := range res.Signals {
		if s.Rule == RuleDataFlow {
			target = i
			for _, f := range c.flows.Flows {
				sels = append(sels, f.Selectors...)
			}
			break
		}
	}
	if target < 0 {
		for i, s := range res.Signals {
			if s.Rule == RuleGrepBinaryTree {
				target, sels = i, c.flows.Selectors
				break
			}
		}
	}
	if target < 0 || len(sels) == 0 {
		return
	}
	files := c.ctx.Files()
	sig := &res.Signals[target]
	var lines []string
	for _, sel := range sels {
		got, err := sel.Select(files)
		if err != nil {
			lines = append(lines, fmt.Sprintf("line %d: %s not evaluated: %v", sel.Line, sel, err))
			continue
		}
		for _, p := range got {
			if !slices.Contains(sig.Selects, p) {
				sig.Selects = append(sig.Selects, p)
				lines = append(lines, fmt.Sprintf("line %d: selects %s", sel.Line, c.describeSelected(p)))
			}
		}
	}
	// The selections go first: they link the finding to its payload.
	ev := append(lines, sig.Evidence...)
	if len(ev) > maxEvidence {
		ev = ev[:maxEvidence]
	}
	sig.Evidence = ev
}

// describeSelected names a selected file and what is known of it.
func (c *classification) describeSelected(p string) string {
	switch {
	case c.ctx.IsBinaryInGit != nil && c.ctx.IsBinaryInGit(p):
		return p + " (binary data in git)"
	case c.ctx.IsBinaryInTarball != nil && c.ctx.IsBinaryInTarball(p):
		return p + " (binary data in the tarball)"
	case c.ctx.InGit != nil && !c.ctx.InGit(p):
		return p + " (only in the tarball)"
	}
	return p
}

// suspiciousEvidence gathers, for the combined TC501 finding, the matching
// lines of the high build-logic signals, then those of the binary-data
// references, without repeats and capped at maxCombinedEvidence lines: the
// first finding of a report must show what was found, not only name it.
func suspiciousEvidence(signals []Signal) []string {
	var out []string
	seen := map[string]bool{}
	take := func(keep func(Signal) bool) {
		for _, s := range signals {
			if !keep(s) {
				continue
			}
			for _, e := range s.Evidence {
				if len(out) < maxCombinedEvidence && !seen[e] {
					seen[e] = true
					out = append(out, e)
				}
			}
		}
	}
	take(func(s Signal) bool { return isScanRule(s.Rule) && s.Severity.Rank() >= SevHigh.Rank() })
	take(func(s Signal) bool { return s.Rule == RuleBinaryReference })
	return out
}

// copiedHelpers are files the autotools copy verbatim into a project
// (automake --add-missing, libtoolize, autopoint, gettextize): their content
// is the same in every project for a given tool version.
var copiedHelpers = map[string]bool{
	"install-sh": true, "ltmain.sh": true, "config.guess": true, "config.sub": true, "depcomp": true,
	"missing": true, "compile": true, "test-driver": true, "ar-lib": true, "ylwrap": true, "mdate-sh": true,
	"texinfo.tex": true, "py-compile": true, "tap-driver.sh": true, "config.rpath": true, "mkinstalldirs": true,
	"Makefile.in.in": true, "Rules-quot": true, "boldquot.sed": true, "quot.sed": true, "en@quot.header": true,
	"en@boldquot.header": true, "insert-header.sin": true, "remove-potcdate.sin": true,
}
