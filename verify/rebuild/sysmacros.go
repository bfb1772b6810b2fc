package rebuild

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/tarcheck/tarcheck/autotools"
	"github.com/tarcheck/tarcheck/toolchain"
	"github.com/tarcheck/tarcheck/verify/report"
)

// A release's aclocal.m4 may embed macros from the maintainer's system
// macro directory that match no known upstream copy (gpgme.m4 from
// libgpgme-dev in wget 1.25.0): the rebuild cannot have them, so it cannot
// claim the exact toolchain for the files they feed. lackedSystemMacros
// finds them after the regeneration; the files are then judged like those
// of an unavailable toolchain (grouped TC602, commands a hunk adds stay
// high), never excused.

// m4DefRE is a macro definition in aclocal.m4.
var m4DefRE = lazyRegexp(`(?m)^\s*(?:AC_DEFUN_ONCE|AC_DEFUN|AU_DEFUN)\(\s*\[?([A-Za-z_][A-Za-z0-9_]*)\]?`)

// m4WordRE is a macro name as configure.ac may use it.
var m4WordRE = lazyRegexp(`[A-Za-z_][A-Za-z0-9_]*`)

// m4FileNameRE names the m4 file a region of aclocal.m4 was copied from
// ("# gpgme.m4 - autoconf macro to detect GPGME.").
var m4FileNameRE = lazyRegexp(`^(?:#+|dnl)\s*([A-Za-z0-9_+.-]+\.m4)\b`)

// probeCallRE is a path search for a library's configuration script
// (AC_PATH_PROG(GPGME_CONFIG, gpgme-config, no)): configure then runs
// $GPGME_CONFIG, the program the user's system provides.
var probeCallRE = lazyRegexp(`\b(?:AC_PATH_PROGS?|AC_PATH_TOOL|AC_CHECK_PROGS?|AC_CHECK_TOOL)\(\s*\[?([A-Za-z_][A-Za-z0-9_]*)\]?\s*,\s*\[?([A-Za-z0-9_.+-]+-config)\]?\s*(?:,([^)]*))?\)`)

// probePathUnsafeRE is a search path that can reach the build tree or run
// a command: a probe with one is not a system program.
var probePathUnsafeRE = lazyRegexp("srcdir|builddir|pwd|PWD|`|\\$\\(|(?:^|[:\\[\\s,])\\.")

// lackedSection is a region of the release's aclocal.m4 that defines
// macros configure.ac uses and that the regenerated aclocal.m4 lacks.
type lackedSection struct {
	file   string   // "gpgme.m4", or "aclocal.m4 lines 557-967"
	macros []string // the lacked macros configure.ac names
	probes []string // "$GPGME_CONFIG": configuration scripts it searches for
}

// lackedSystemMacros returns the regions of release (the release's
// aclocal.m4) outside known upstream copies that define a macro that
// configureAC names and that neither regen (the regenerated aclocal.m4)
// nor the m4 files it includes (included) define. Only such regions can
// explain a difference: a region defining nothing configure.ac uses, or
// macros the sandbox has, explains none.
func lackedSystemMacros(release, regen, configureAC []byte, included [][]byte, db originLookup) []lackedSection {
	if len(release) == 0 || len(configureAC) == 0 {
		return nil
	}
	have := map[string]bool{}
	for _, src := range append([][]byte{regen}, included...) {
		for _, m := range m4DefRE().FindAllSubmatch(src, -1) {
			have[string(m[1])] = true
		}
	}
	uses := map[string]bool{}
	for _, w := range m4WordRE().FindAll(configureAC, -1) {
		uses[string(w)] = true
	}
	lines := strings.Split(strings.TrimSuffix(string(release), "\n"), "\n")
	// Regions: each known upstream copy (named by its file), and each
	// run of lines between them. A known copy counts too: it lacks when
	// it was not laid (no overlay, or the layer cap).
	type region struct {
		first, end int
		file       string
	}
	var regions []region
	at := 0
	for _, s := range knownM4Sections(lines, db) {
		if s.first > at {
			regions = append(regions, region{at, s.first, ""})
		}
		regions = append(regions, region{s.first, s.end, s.file})
		at = s.end
	}
	if at < len(lines) {
		regions = append(regions, region{at, len(lines), ""})
	}
	var out []lackedSection
	for _, r := range regions {
		text := strings.Join(lines[r.first:r.end], "\n")
		var macros []string
		for _, m := range m4DefRE().FindAllStringSubmatch(text, -1) {
			name := m[1]
			if !have[name] && !slices.Contains(macros, name) && uses[name] {
				macros = append(macros, name)
			}
		}
		if len(macros) == 0 {
			continue
		}
		file := r.file
		if file == "" {
			file = regionFileName(lines, r.first, r.end)
		}
		out = append(out, lackedSection{file: file, macros: macros, probes: regionProbes(text)})
	}
	return out
}

// regionFileName names the m4 file a region of aclocal.m4 holds: the
// first "# NAME.m4" line in it, else the line range.
func regionFileName(lines []string, first, end int) string {
	for k := first; k < end; k++ {
		if m := m4FileNameRE().FindStringSubmatch(lines[k]); m != nil && m[1] != "aclocal.m4" {
			return m[1]
		}
	}
	return fmt.Sprintf("aclocal.m4 lines %d-%d", first+1, end)
}

// regionProbes returns the configuration scripts ("$GPGME_CONFIG") a
// region searches for on the user's system, without a search path that
// reaches the build tree.
func regionProbes(region string) []string {
	var out []string
	for _, m := range probeCallRE().FindAllStringSubmatch(region, -1) {
		if probePathUnsafeRE().MatchString(m[3]) {
			continue
		}
		for _, w := range []string{"$" + m[1], "${" + m[1] + "}"} {
			if !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	return out
}

// systemMacrosTool names the lacked system macros in grouped findings:
// "system macros AM_PATH_GPGME (gpgme.m4)".
func systemMacrosTool(lacked []lackedSection) string {
	var parts []string
	for _, l := range lacked {
		parts = append(parts, strings.Join(l.macros, ", ")+" ("+l.file+")")
	}
	return "system macros " + strings.Join(parts, "; ")
}

// noteLackedSystemMacros finds, after the regeneration, the system macros
// the release's aclocal.m4 embeds that the rebuild lacked (unproved, not
// laid): the outputs that expand configure.ac's macros (aclocal.m4,
// configure, config.h.in, automake's Makefile.in) are then not proved by
// it (mismatches), and their hunks are judged by what they run.
func (b *rebuilder) noteLackedSystemMacros() {
	if len(b.releaseAclocal) == 0 || !b.regenerated("aclocal.m4") {
		return
	}
	regen := readAt(b.root, "aclocal.m4")
	var included [][]byte
	for _, rel := range m4Includes(regen) {
		included = append(included, readAt(b.root, rel))
	}
	var configureAC []byte
	for _, rel := range []string{"configure.ac", "configure.in"} {
		if c := readAt(b.root, rel); len(c) > 0 {
			configureAC = c
			break
		}
	}
	b.lacked = lackedSystemMacros(b.releaseAclocal, regen, configureAC, included, embeddedOrigins())
	if len(b.lacked) == 0 {
		return
	}
	tool := systemMacrosTool(b.lacked)
	b.missing[tool] = "the release's aclocal.m4 embeds them from the maintainer's system macro directory and they match no known upstream copy, " +
		"so the rebuild does not use them"
	b.info.Notes = append(b.info.Notes, tool+": the release's aclocal.m4 embeds these macros (configure.ac uses them), which match no known upstream copy "+
		"and which the sandbox lacks; the files they feed are not proved, and a hunk adding a command is still high")
}

// systemMacroFed reports whether rel expands configure.ac's macros:
// aclocal.m4, configure, a config header template, automake's Makefile.in.
func (b *rebuilder) systemMacroFed(rel string) bool {
	base := path.Base(rel)
	if base == "aclocal.m4" || base == "configure" || strings.HasSuffix(base, ".h.in") {
		return true
	}
	if i, ok := b.byPath[rel]; ok && strings.HasSuffix(base, ".in") && strings.HasPrefix(b.files[i].Generator, "GNU Automake") {
		return true
	}
	return strings.HasSuffix(base, "Makefile.in")
}

// lackedProbes are the configuration scripts the lacked sections search
// for: a hunk that runs one runs what the user's system provides, as the
// macro does.
func (b *rebuilder) lackedProbes() map[string]bool {
	out := map[string]bool{}
	for _, l := range b.lacked {
		for _, p := range l.probes {
			out[p] = true
		}
	}
	return out
}

// gettextAutopointM4 finds the release's gettext m4 files that its
// aclocal.m4 includes, that are known upstream copies of a gettext release
// (the maintainer's autopoint) and that the rebuild wrote otherwise or not
// at all (the sandbox's autopoint is another release; a gnulib bootstrap
// takes no m4 input from the tarball): wget 1.25.0's m4/build-to-host.m4
// and po.m4 are gettext 0.22.5's. The outputs that expand them are then not
// proved for lack of that autopoint ("gettext 0.22.5 (the release's
// autopoint)"), never excused.
func (b *rebuilder) gettextAutopointM4() {
	pending := map[string]bool{}
	for _, d := range b.pending {
		pending[d.rel] = true
	}
	version := ""
	var files []string
	for _, rel := range b.releaseIncludes {
		i, ok := b.byPath[rel]
		if !ok {
			continue
		}
		f := b.files[i]
		if f.Class != autotools.ClassUpstreamCopy || f.Origin == nil || f.Origin.Kind != report.OriginUpstream || f.Origin.Project != "gettext" {
			continue
		}
		if !pending[rel] && b.regenerated(rel) || b.copied[rel] {
			continue // reproduced, or used as a proved input
		}
		files = append(files, rel)
		if version == "" || toolchain.CompareVersions(f.Origin.Version, version) > 0 {
			version = f.Origin.Version
		}
	}
	if version == "" || b.host["gettext"] == version {
		return // none, or the sandbox's gettext is that release: no excuse
	}
	b.autopointTool = "gettext " + version + " (the release's autopoint)"
	b.missing[b.autopointTool] = "the release's " + listSome(files) + " are gettext " + version +
		"'s (known upstream copies); the sandbox's autopoint and gnulib write other versions"
}
