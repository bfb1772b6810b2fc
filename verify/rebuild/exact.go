package rebuild

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tarcheck/tarcheck/autotools"
	"github.com/tarcheck/tarcheck/sandbox"
	"github.com/tarcheck/tarcheck/toolchain"
	"github.com/tarcheck/tarcheck/verify/report"
)

// Toolchains provides the exact toolchain a release's stamps select. The
// spine implements it over a toolchain.Cache (from the cache, or fetched
// when it may use the network).
type Toolchains interface {
	// Toolchain returns spec ready to lay over the sandbox's /usr, or an
	// error (toolchain.ErrNotCached, ErrOffline, ...) when it is not available.
	Toolchain(ctx context.Context, spec toolchain.Spec) (*toolchain.Toolchain, error)
}

// Toolchain key names of autotoolChain, as toolchain.Select names tools.
var toolchainTools = map[string]string{"autoconf": toolchain.ToolAutoconf, "automake": toolchain.ToolAutomake,
	"libtool": toolchain.ToolLibtool, "gettext": toolchain.ToolGettext}

// chooseToolchain selects, from the stamps the host does not match, the
// exact toolchain (toolchain.Select) and gets it. The stamps only choose: a
// toolchain that is not available is recorded (b.missing) so that the
// files it feeds are reported as not proved, never excused.
func (b *rebuilder) chooseToolchain(ctx context.Context) error {
	stamps := b.toolchainStamps(true)
	if len(stamps) == 0 {
		return nil
	}
	spec, missing := toolchain.Select(stamps)
	for _, m := range missing {
		b.missing[strings.Replace(m, "=", " ", 1)] = "no Debian package of it is known (see `tarcheck toolchain list`)"
	}
	for _, n := range spec.Nearest {
		// A snapshot build: the nearest release is laid, and what it
		// does not reproduce stays not proved (the versions differ).
		b.missing[n.Tool+" "+n.Stamped] = "a snapshot build; the nearest release in the catalog, " + n.Version + ", was used (not exact)"
		b.info.Notes = append(b.info.Notes, fmt.Sprintf("%s %s is a snapshot build: the toolchain has the nearest release, %s; files it does not reproduce are not proved", n.Tool, n.Stamped, n.Version))
	}
	spec.Tools = slices.DeleteFunc(spec.Tools, func(t toolchain.Tool) bool { return t.Name == toolchain.ToolAutotoolsDev && len(spec.Tools) == 1 })
	if len(spec.Tools) == 0 {
		return nil
	}
	unavailable := func(why string) {
		for _, t := range spec.Tools {
			if t.Name != toolchain.ToolAutotoolsDev {
				b.missing[t.Name+" "+t.Version] = why
				req := t.Name + "=" + t.Version
				if slices.ContainsFunc(t.Packages, toolchain.Package.IsUpstream) {
					req += toolchain.UpstreamSuffix // the Debian build would not be the release's
				}
				b.fetch = append(b.fetch, req)
			}
		}
	}
	if b.in.Toolchains == nil {
		unavailable("no toolchain cache")
		return nil
	}
	b.progress("rebuild: toolchain " + spec.String())
	tc, err := b.in.Toolchains.Toolchain(ctx, spec)
	if err != nil && ctx.Err() == nil && slices.ContainsFunc(spec.Tools, isUpstreamTool) {
		// The upstream build is not at hand: fall back to Debian's builds
		// (patchedBuilds and debianAutomake then name what is not proved)
		// rather than to the host's tools for every generator.
		b.logf("rebuild: toolchain %s: %v", spec, err)
		b.info.Notes = append(b.info.Notes, "upstream build not available: "+err.Error())
		for _, t := range spec.Tools {
			if isUpstreamTool(t) {
				b.fetch = append(b.fetch, t.Name+"="+t.Version+toolchain.UpstreamSuffix)
			}
		}
		fallback, _ := toolchain.Select(b.toolchainStamps(false))
		fallback.Tools = slices.DeleteFunc(fallback.Tools, func(t toolchain.Tool) bool {
			return t.Name == toolchain.ToolAutotoolsDev && len(fallback.Tools) == 1 || isUpstreamTool(t)
		})
		if len(fallback.Tools) == 0 {
			return nil
		}
		spec = fallback
		b.progress("rebuild: toolchain " + spec.String())
		tc, err = b.in.Toolchains.Toolchain(ctx, spec)
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		b.logf("rebuild: toolchain %s: %v", spec, err)
		unavailable("not in the toolchain cache")
		b.info.Notes = append(b.info.Notes, "toolchain not available: "+err.Error())
		return nil
	}
	if spec.Version(toolchain.ToolPkgConfig) != "" {
		b.choosePkgM4(tc)
	}
	if len(tc.Layers) > 0 && !sandbox.SupportsOverlays(b.runner) {
		r, why := b.overlayRunner(ctx)
		if r == nil {
			unavailable(why)
			b.info.Notes = append(b.info.Notes, "toolchain "+spec.String()+" not used: "+why)
			return nil
		}
		b.runner = r
		b.info.Sandbox = r.Name()
	}
	b.tc = tc
	b.patchedBuilds(tc.Spec) // the builds laid, as the cache gave them
	b.distributionAutomake(tc.Spec)
	laid := "exact toolchain laid over /usr: "
	if len(spec.Nearest) > 0 {
		var near []string
		for _, n := range spec.Nearest {
			near = append(near, n.Tool+" "+n.Version+" for the snapshot "+n.Stamped)
		}
		laid = "toolchain laid over /usr (nearest release, not exact: " + strings.Join(near, ", ") + "): "
	}
	b.info.Notes = append(b.info.Notes, laid+strings.Join(tc.Describe(), "; "))
	b.info.Toolchain = tc.Describe()
	b.info.ToolchainID = tc.Spec.ID()
	b.info.HostTools = nil
	return b.probeTools(ctx) // the versions the toolchain provides
}

// overlayRunner returns the namespaces backend, which mounts the
// toolchain's overlays, or nil and why not.
func (b *rebuilder) overlayRunner(ctx context.Context) (sandbox.Runner, string) {
	if sandbox.Unsafe(b.runner) {
		return nil, "--sandbox none cannot lay a toolchain over /usr"
	}
	open := b.in.NewRunner
	if open == nil {
		open = sandbox.NewContext
	}
	r, err := open(ctx, sandbox.BackendNamespaces)
	if err != nil {
		return nil, "the namespaces sandbox backend (needed for toolchain overlays) is unavailable: " + err.Error()
	}
	return r, ""
}

// releaseLibtoolBuild is the release's libtool "2.4.7 Debian-2.4.7-7~deb12u1"
// when ltmain.sh names a distribution build, else "".
func (b *rebuilder) releaseLibtoolBuild() string {
	if strings.ContainsRune(b.in.ReleaseLibtool, ' ') {
		return b.in.ReleaseLibtool
	}
	return ""
}

// versionMatches compares a stamped version with the one the sandbox has
// (the toolchain's, else the host's). gettext's stamp is the macro series
// of po/Makefile.in.in (GETTEXT_MACRO_VERSION), compared with the macro
// series of the installed po/Makefile.in.in, not the package version.
func (b *rebuilder) versionMatches(key, release string) bool {
	if key == "gettext" && b.gettextMacro != "" {
		return release == b.gettextMacro
	}
	return versionMatches(key, release, b.host[key])
}

// notProved records a differing file that the toolchain used cannot prove:
// the grouped finding names it.
func (b *rebuilder) notProved(rel string, need []string) {
	for _, n := range need {
		b.unproved[n] = append(b.unproved[n], rel)
	}
}

// groupNotProved adds the one grouped finding for the files not proved for
// lack of a toolchain: "autoconf 2.69 not available: 4 generated files not
// proved; `tarcheck toolchain fetch autoconf=2.69`".
func (b *rebuilder) groupNotProved() {
	if len(b.unproved) == 0 {
		return
	}
	tools := slices.Sorted(func(yield func(string) bool) {
		for k := range b.unproved {
			if !yield(k) {
				return
			}
		}
	})
	files := map[string]bool{}
	var ev []string
	for _, t := range tools {
		why := b.missing[t]
		if why == "" {
			why = "not available"
		}
		ev = append(ev, fmt.Sprintf("%s (%s): %s", t, why, listSome(b.unproved[t])))
		for _, f := range b.unproved[t] {
			files[f] = true
		}
	}
	msg := fmt.Sprintf("%s not available: %s not proved", strings.Join(tools, ", "), plural(len(files), "generated file", "generated files"))
	var fetch []string
	for _, t := range tools {
		r := strings.Replace(strings.TrimSuffix(t, " (upstream build)"), " ", "=", 1)
		for _, req := range []string{r, r + toolchain.UpstreamSuffix} {
			if slices.Contains(b.fetch, req) {
				fetch = append(fetch, req)
			}
		}
	}
	if len(fetch) > 0 {
		cmd := "tarcheck toolchain fetch " + strings.Join(fetch, " ")
		if slices.ContainsFunc(fetch, toolchain.DefaultCatalog().NeedsKeyring) {
			cmd += " --keyring FILE"
		}
		msg += "; `" + cmd + "`"
	}
	b.findings = append(b.findings, report.Finding{Rule: report.RuleNotReproducible, Severity: report.SevMedium, Message: msg, Evidence: ev})
}

// shellSplitRE cuts a line into simple commands. A brace opens a group
// only as a word of its own ("{ cmd; }"), never in a parameter expansion
// ("${BASH_VERSION+set}").
var shellSplitRE = lazyRegexp("&&|\\|\\||[;|`&()]|(?:^|\\s)[{}](?:\\s|$)|\\$\\(|\\b(?:then|do|else|elif)\\b")

// leadingAssignmentsRE matches the assignments before a command, with
// quoted values that may hold spaces (VERSION="2.4.7 Debian-2.4.7-5").
var leadingAssignmentsRE = lazyRegexp(`^\s*(?:[A-Za-z_][A-Za-z0-9_]*=(?:"(?:[^"\\]|\\.)*"|'[^']*'|[^\s"']*)+\s*)*`)

// wordKeywords are keywords after which the next word is not a command
// (a case subject, a loop variable).
var wordKeywords = map[string]bool{"case": true, "for": true, "select": true}

// shellWordRE is a command name.
var shellWordRE = lazyRegexp(`^[A-Za-z_][A-Za-z0-9_.+/-]*$|^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$`)

// pipeToShellRE is output fed to a shell or eval.
var pipeToShellRE = lazyRegexp(`\|\s*(?:/bin/)?(?:sh|bash|dash|eval|\$\{?SHELL\}?|\$\{?CONFIG_SHELL\}?)\b`)

var shellKeywords = map[string]bool{"if": true, "then": true, "else": true, "elif": true, "fi": true, "for": true, "while": true,
	"until": true, "do": true, "done": true, "case": true, "esac": true, "in": true, "!": true, "function": true, "test": false}

// commandWords returns the command names of a shell line (the first word of
// each simple command, after assignments and keywords).
func commandWords(line string) []string {
	t := strings.TrimSpace(line)
	if t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "dnl") {
		return nil
	}
	var out []string
	for _, seg := range shellSplitRE().Split(t, -1) {
		seg = seg[len(leadingAssignmentsRE().FindString(seg)):]
		for _, w := range strings.Fields(seg) {
			w = strings.Trim(w, `"'\`)
			if wordKeywords[w] {
				break
			}
			if shellKeywords[w] || strings.Contains(w, "=") && !strings.HasPrefix(w, "=") {
				continue
			}
			if shellWordRE().MatchString(w) {
				out = append(out, w)
			}
			break
		}
	}
	return out
}

// addedCommands classifies the hunks of a file that differs from its copy
// regenerated with the nearest available toolchain: it returns the
// tarball's added lines that bring a command the regenerated file never
// runs, or feed output to a shell. Comments and lines the regenerated file
// also has are not counted.
func addedCommands(regen, tarContent []byte) []string {
	return addedCommandsKnown(diffLines(regen, tarContent), tarContent, nil)
}

// addedCommandsKnown is addedCommands where the command words of extra are
// known too.
func addedCommandsKnown(d *lineDiff, tarContent []byte, extra map[string]bool) []string {
	if d == nil {
		return nil
	}
	lines, known := regeneratedWords(d.regen, commandWords)
	vars := &assignedVars{file: tarContent}
	var out []string
	for _, op := range d.ops {
		if op.Kind != '+' || lines[strings.TrimSpace(op.Text)] {
			continue
		}
		text := evidenceLine(op.Text)
		if pipeToShellRE().MatchString(op.Text) && len(commandWords(op.Text)) > 0 {
			out = append(out, "+"+text)
			continue
		}
		if casePatternLine(op.Text) || vars.listLine(op.Text) {
			continue
		}
		for _, w := range commandWords(op.Text) {
			if !known[w] && !extra[w] {
				out = append(out, fmt.Sprintf("+%s   (runs %s)", text, w))
				break
			}
		}
	}
	return out
}

// casePatternAltRE is one alternative of a case pattern: a single word.
var casePatternAltRE = lazyRegexp(`^\s*[^\s()\x60;&|<>]+\s*$`)

// casePatternLine reports whether a line is a case pattern list of
// several alternatives ("x86_64 | alpha | arm64 )"): it runs nothing.
func casePatternLine(line string) bool {
	t := strings.TrimSpace(line)
	body, ok := strings.CutSuffix(t, ")")
	if !ok || !strings.Contains(body, "|") || strings.ContainsAny(body, "()") || strings.Contains(body, "||") {
		return false
	}
	for _, alt := range strings.Split(body, "|") {
		if !casePatternAltRE().MatchString(alt) {
			return false
		}
	}
	return true
}

// shellNameLineRE is a line of one shell variable name.
var shellNameLineRE = lazyRegexp(`^\s*([A-Za-z_][A-Za-z0-9_]*)\s*$`)

// variableListLine reports whether a line is one variable name that the
// file assigns (or an option variable of ac_user_opts): a line of configure's multi-line lists of substituted
// variables (ac_subst_vars='...'), not a command.
func variableListLine(line string, file []byte) bool {
	return (&assignedVars{file: file}).listLine(line)
}

// assignedVars answers variableListLine for one file, reading the file
// once: the names it assigns at the start of a line, and whether it holds
// configure's ac_user_opts list.
type assignedVars struct {
	file     []byte
	names    map[string]bool // nil until the first line that needs them
	userOpts bool
}

// assignLineRE is a line that assigns a shell variable: its name.
var assignLineRE = lazyRegexp(`(?m)^[ \t]*([A-Za-z_][A-Za-z0-9_]*)=`)

func (v *assignedVars) listLine(line string) bool {
	m := shellNameLineRE().FindStringSubmatch(line)
	if m == nil || shellKeywords[m[1]] {
		return false
	}
	if v.names == nil {
		v.names = map[string]bool{}
		for _, a := range assignLineRE().FindAllSubmatch(v.file, -1) {
			v.names[string(a[1])] = true
		}
		v.userOpts = bytes.Contains(v.file, []byte(acUserOpts))
	}
	if (strings.HasPrefix(m[1], "with_") || strings.HasPrefix(m[1], "enable_")) && v.userOpts {
		// configure's ac_user_opts list: the variables of
		// AC_ARG_WITH/AC_ARG_ENABLE, set by the option parser's eval.
		return true
	}
	return v.names[m[1]]
}

// acUserOpts opens configure's multi-line list of option variables.
const acUserOpts = "ac_user_opts='"

// regeneratedWords returns the trimmed lines of a regenerated file and the
// command words (by words) its lines run.
func regeneratedWords(regen []string, words func(string) []string) (lines, known map[string]bool) {
	lines, known = map[string]bool{}, map[string]bool{}
	for _, l := range regen {
		lines[strings.TrimSpace(l)] = true
		for _, w := range words(l) {
			known[w] = true
		}
	}
	return lines, known
}

// largefileCacheVar is the cache variable of autoconf 2.72's
// AC_SYS_LARGEFILE (also of gnulib's override of it).
const largefileCacheVar = "ac_cv_sys_largefile_opts"

// debianLargefileMarker is what Debian's autoconf 2.72-3.1 writes for
// AC_SYS_LARGEFILE (its patch for #852617); upstream 2.72 checks for a
// "$CC option to enable large file support" (gnulib's override: "to
// support large files").
const debianLargefileMarker = "checking for $CPPFLAGS option for large files"

// upstreamLargefile reports whether a configure has autoconf 2.72's
// large-file checks as upstream (or gnulib) writes them, not Debian's.
func upstreamLargefile(configure []byte) bool {
	return bytes.Contains(configure, []byte(largefileCacheVar)) && !bytes.Contains(configure, []byte(debianLargefileMarker))
}

// debianPatchedBuilds are catalog builds whose output differs from the
// upstream release's in some macros, with what tells the two apart.
var debianPatchedBuilds = []struct {
	tool, pkgVersion string
	upstream         func(b *rebuilder) bool // the release shows the upstream output
	why              string
}{
	{toolchain.ToolAutoconf, "2.72-3.1", func(b *rebuilder) bool { return b.upstreamLargefile },
		"upstream used GNU Autoconf 2.72 as released; the toolchain has Debian's autoconf 2.72-3.1, " +
			"whose AC_SYS_LARGEFILE is patched (Debian #852617): configure's large-file checks differ"},
	{toolchain.ToolAutomake, "1:1.16.5-1.3", func(b *rebuilder) bool { return b.releaseUpstreamPython },
		"upstream used GNU Automake 1.16.5 as released; the toolchain has Debian's automake 1.16.5-1.3, " +
			"whose AM_PATH_PYTHON is patched (python3.10+, the posix_local scheme)"},
}

// toolchainStamps are the stamps the host does not match, with the hints
// that choose among builds of one version. With upstream, a release that
// shows a tool's upstream build asks for it (HintUpstream), even at the
// host's version (the host's is Debian's patched build).
func (b *rebuilder) toolchainStamps(upstream bool) []toolchain.Stamp {
	var stamps []toolchain.Stamp
	for _, t := range autotoolChain {
		for _, v := range b.release[t.key] {
			shows := upstream && b.showsUpstreamBuild(toolchainTools[t.key], v)
			if b.versionMatches(t.key, v) && !shows {
				continue
			}
			st := toolchain.Stamp{Generator: toolchainTools[t.key], Version: v}
			if t.key == "autoconf" && b.runstatedir {
				st.Hints = []string{toolchain.HintRunstatedir}
			}
			if shows {
				st.Hints = append(st.Hints, toolchain.HintUpstream)
			}
			if t.key == "libtool" && b.releaseLibtoolBuild() != "" {
				st.Version = b.releaseLibtoolBuild()
			}
			stamps = append(stamps, st)
		}
	}
	if b.releaseGettext != "" && b.tcNeedsGettextArchive(stamps) {
		// autopoint's archive holds the system gettext macros the release
		// embeds (gettextM4Layer).
		stamps = append(stamps, toolchain.Stamp{Generator: "gettext", Version: b.releaseGettext})
	}
	if v := pkgM4Version(b.releaseAclocal); v != "" && b.pkgM4Foreign {
		// The release's pkg.m4 is not the sandbox's: the pkg-config
		// release its serial line names provides one to try.
		stamps = append(stamps, toolchain.Stamp{Generator: toolchain.ToolPkgConfig, Version: v})
	}
	return stamps
}

func isUpstreamTool(t toolchain.Tool) bool {
	return slices.ContainsFunc(t.Packages, toolchain.Package.IsUpstream)
}

// showsUpstreamBuild reports whether the release shows the upstream build
// of tool at version where the catalog's Debian build is patched
// (debianPatchedBuilds): the upstream release entry is then selected.
func (b *rebuilder) showsUpstreamBuild(tool, version string) bool {
	for _, d := range debianPatchedBuilds {
		if d.tool == tool && toolchain.UpstreamVersion(d.pkgVersion) == version && d.upstream(b) {
			return true
		}
	}
	return false
}

// pkgM4SerialRE is pkg.m4's serial line, naming the pkg-config release.
var pkgM4SerialRE = lazyRegexp(`(?m)^# serial [0-9]+ \(pkg-config-([0-9][0-9.]*)\)`)

// pkgM4Version is the pkg-config release the pkg.m4 embedded in aclocal
// names ("0.29.2"), or "".
func pkgM4Version(aclocal []byte) string {
	if m := pkgM4SerialRE().FindSubmatch(aclocal); m != nil && hasPkgM4(aclocal) {
		return string(m[1])
	}
	return ""
}

// choosePkgM4 keeps the toolchain's pkg.m4 (the pkg-config release the
// embedded copy's serial line names) only when the release's aclocal.m4
// embeds it byte for byte: the serial line is shared by other pkg.m4
// texts (pkgconf's), so it only proposes; otherwise the layer is dropped
// and the sandbox keeps this machine's pkg.m4, reported as before.
func (b *rebuilder) choosePkgM4(tc *toolchain.Toolchain) {
	for i, l := range tc.Layers {
		m4 := filepath.Join(l, "share", "aclocal", "pkg.m4")
		if !fileExists(m4) {
			continue
		}
		if !foreignPkgM4(b.releaseAclocal, m4) {
			b.pkgM4Foreign = false
			return
		}
		v := tc.Spec.Version(toolchain.ToolPkgConfig)
		tc.Layers = slices.Delete(slices.Clone(tc.Layers), i, i+1)
		tc.Spec.Tools = slices.DeleteFunc(slices.Clone(tc.Spec.Tools), func(t toolchain.Tool) bool { return t.Name == toolchain.ToolPkgConfig })
		b.info.Notes = append(b.info.Notes, "pkg-config "+v+"'s pkg.m4 is not the one the release's aclocal.m4 embeds (same serial line): the sandbox keeps "+hostPkgM4Path)
		return
	}
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// patchedBuilds marks the tools of spec whose Debian build patches output
// the release shows unpatched: the version matches but the build is not
// the release's, so what it feeds is not proved (never excused).
func (b *rebuilder) patchedBuilds(spec toolchain.Spec) {
	for _, t := range spec.Tools {
		for _, p := range t.Packages {
			for _, d := range debianPatchedBuilds {
				if t.Name == d.tool && p.Version == d.pkgVersion && d.upstream(b) {
					b.inexact[t.Name] = d.why
					b.missing[t.Name+" "+t.Version+" (upstream build)"] = "Debian serves only its patched " + p.Version
				}
			}
		}
	}
}

// gettextMacroRE is po/Makefile.in.in's macro series line.
var gettextMacroRE = lazyRegexp(`(?m)^GETTEXT_MACRO_VERSION = *([0-9][0-9.]*)\s*$`)

// regeneratedGettextMacro takes the sandbox's gettext macro series from
// the po/Makefile.in.in autopoint wrote, when it wrote one: autopoint
// installs the infrastructure of the version AM_GNU_GETTEXT_VERSION asks
// for (0.19 from autopoint 0.21), not its own series.
func (b *rebuilder) regeneratedGettextMacro() {
	const rel = "po/Makefile.in.in"
	if !b.regenerated(rel) {
		return
	}
	if m := gettextMacroRE().FindSubmatch(readAt(b.root, rel)); m != nil {
		b.gettextMacro = string(m[1])
	}
}

// hostPkgM4Path is the pkg.m4 aclocal finds in the sandbox: the host's, as
// no toolchain package provides one.
var hostPkgM4Path = "/usr/share/aclocal/pkg.m4"

// pkgM4Header opens pkg-config's pkg.m4, which aclocal copies verbatim
// into aclocal.m4 from the system macro directory.
const pkgM4Header = "# pkg.m4 - Macros to locate and use pkg-config."

// pkgM4HeaderUtilise is the same line in pkg-config 0.29.2's own pkg.m4
// (pkgconf's says "use").
const pkgM4HeaderUtilise = "# pkg.m4 - Macros to locate and utilise pkg-config."

// hasPkgM4 reports whether aclocal embeds a pkg.m4.
func hasPkgM4(aclocal []byte) bool {
	return bytes.Contains(aclocal, []byte(pkgM4Header)) || bytes.Contains(aclocal, []byte(pkgM4HeaderUtilise))
}

// pkgM4Tool names the missing pkg.m4 in grouped findings.
const pkgM4Tool = "pkg.m4 of the release"

// foreignPkgM4 reports whether aclocal (the release's aclocal.m4) embeds a
// pkg.m4 whose bytes are not those of the file at host: the release was
// made with other pkg-config macros than the sandbox has (pkgconf 1.8 and
// 2.x both say "serial 12"), so the stamp cannot select them and what they
// feed is not proved by this rebuild.
func foreignPkgM4(aclocal []byte, host string) bool {
	if !hasPkgM4(aclocal) {
		return false
	}
	mine, err := os.ReadFile(host)
	return err != nil || len(mine) == 0 || !bytes.Contains(aclocal, mine)
}

// debianPythonMarker is a comment Debian's automake 1.16.5-1.3 patch of
// AM_PATH_PYTHON writes into configure; upstream automake never does.
const debianPythonMarker = "# Debian's default scheme installs to /usr/local/ but we want to find headers in /usr/"

// distributionAutomake marks the toolchain's upstream automake as not the
// release's build when a helper automake copied into the release matches
// no upstream copy (class upstream-unknown-version: a distribution patched
// it, findutils 4.9.0's test-driver): what automake writes and differs is
// then not proved by it (commands a hunk adds stay high), while what it
// reproduces byte for byte is proved.
func (b *rebuilder) distributionAutomake(spec toolchain.Spec) {
	if b.inexact["automake"] != "" || !slices.ContainsFunc(spec.Tools, func(t toolchain.Tool) bool {
		return t.Name == toolchain.ToolAutomake && isUpstreamTool(t)
	}) {
		return
	}
	for _, f := range b.in.Files {
		if f.Class == autotools.ClassUpstreamUnknownVersion && strings.HasPrefix(f.Generator, "GNU Automake ") {
			if b.inexactLabel == nil {
				b.inexactLabel = map[string]string{}
			}
			b.inexact["automake"] = "the release's automake is a distribution's build: its " + f.Path +
				" matches no upstream copy, so the upstream build in the toolchain is not the release's"
			b.inexactLabel["automake"] = "distribution build"
			for _, v := range b.release["automake"] {
				b.missing["automake "+v+" (distribution build)"] = "only the upstream build is in the toolchain"
			}
			return
		}
	}
}

// amPathPythonMarker is in every configure that expands AM_PATH_PYTHON.
const amPathPythonMarker = "am_cv_python_version"

// debianAutomake marks the sandbox's automake as not the release's build
// when the regenerated configure (or aclocal.m4) carries Debian's
// AM_PATH_PYTHON patch and the release's configure does not: every file
// automake writes is then not proved by it, never excused.
func (b *rebuilder) debianAutomake() {
	if b.releaseDebianPython || b.inexact["automake"] != "" {
		return
	}
	for _, rel := range []string{"configure", "aclocal.m4"} {
		if b.regenerated(rel) && bytes.Contains(readAt(b.root, rel), []byte(debianPythonMarker)) {
			b.inexact["automake"] = "the sandbox's automake is Debian's build, whose AM_PATH_PYTHON is patched " +
				"(python3.10+, the posix_local scheme); the release was made with another build of automake"
			for _, v := range b.release["automake"] {
				b.missing["automake "+v+" (upstream build)"] = "the toolchain has only Debian's patched build"
			}
			return
		}
	}
}
