// Package rebuild is step 8 of a verification (--rebuild): it regenerates
// the autotools outputs of the exported tag inside a sandbox (autoreconf -fi
// or the project's bootstrap script, then with "dist" ./configure && make
// dist), and judges every generated file of the release: reproduced,
// differs (high: same tool versions, different content) or not
// reproducible (medium: other tool versions, and which would reproduce it).
//
// Besides the tag's files, the regeneration sees only what is proved: the
// tagged commit as a minimal .git (GitMeta, for version scripts that ask
// git), inputs from the tarball identical to known upstream copies, and
// the system gettext macros the release embeds, taken from autopoint's
// archive (gettextm4.go).
//
// The sandbox runner comes from the caller; upstream code only ever runs
// inside it. A toolchain matching the release's stamps would be chosen by
// the caller too, as the runner it passes.
package rebuild

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tarcheck/tarcheck/autotools"
	"github.com/tarcheck/tarcheck/internal/limits"
	"github.com/tarcheck/tarcheck/sandbox"
	"github.com/tarcheck/tarcheck/toolchain"
	"github.com/tarcheck/tarcheck/verify/archive"
	"github.com/tarcheck/tarcheck/verify/compare"
	"github.com/tarcheck/tarcheck/verify/explain"
	"github.com/tarcheck/tarcheck/verify/internal/linediff"
	"github.com/tarcheck/tarcheck/verify/report"
)

// Limits and timeouts of --rebuild.
const (
	// rebuildTimeout is the wall-time limit of autoreconf (or the rebuild script).
	rebuildTimeout = 20 * time.Minute
	// bootstrapTimeout is the limit of a gnulib bootstrap: gnulib-tool (a
	// shell script before gnulib 2024) imports hundreds of modules and took
	// 18 minutes for findutils on a machine with a load of 35.
	bootstrapTimeout = 60 * time.Minute
	// distTimeout is the wall-time limit of ./configure && make dist.
	distTimeout = 30 * time.Minute
	// toolProbeTimeout bounds the host tool version probe.
	toolProbeTimeout = 2 * time.Minute
	// maxRebuildCompareBytes is the largest file for which a regenerated copy
	// and the tarball's are diffed; larger ones are compared by blob id only.
	maxRebuildCompareBytes = limits.RebuildMaxCompareBytes
	// maxRebuildDiffLines caps the lines per side given to the line diff.
	maxRebuildDiffLines = limits.RebuildMaxDiffLines
	// maxRebuildHeldBytes caps the contents of `make dist` members kept
	// in memory for diffing at once.
	maxRebuildHeldBytes = limits.RebuildMaxHeldBytes
	// maxReleaseInputBytes caps one m4 input copied from the tarball.
	maxReleaseInputBytes = limits.RebuildMaxReleaseInputBytes
	// maxEvidenceRows caps the diff rows put in a finding's evidence.
	maxEvidenceRows = limits.RebuildMaxEvidenceRows
	// maxDiffRows caps the rows of a rebuild diff kept in FileDiff.Diff.
	maxDiffRows = limits.RebuildMaxDiffRows
	// maxEvidenceLine caps one evidence row.
	maxEvidenceLine = limits.RebuildMaxEvidenceLine
	// maxListed caps the paths named in one note.
	maxListed = limits.RebuildMaxListed
)

// NoteInputs is the sentence that keeps a rebuild from being read as a
// clearance of the m4 inputs taken from the tarball.
const NoteInputs = "a rebuild proves that configure, Makefile.in, aclocal.m4 and config.h.in follow from the tag " +
	"plus the m4 inputs taken from the tarball; it does not show that those inputs are clean: " +
	"only their provenance check (their own entries in this report) vouches for them"

// NoteNoInputs replaces NoteInputs when no input came from the tarball.
const NoteNoInputs = "a rebuild proves that configure, Makefile.in, aclocal.m4 and config.h.in follow from the tag " +
	"and this machine's autotools; no m4 input was taken from the tarball"

// NoteUnsafe is stated whenever --sandbox none was used.
const NoteUnsafe = "--sandbox none: upstream code (autoreconf, configure, make) ran on this machine WITHOUT isolation"

// copiedStamp is the modification time given to every file present before
// the regeneration, so that a file the generators rewrote is recognised even
// when its content did not change.
var copiedStamp = time.Date(1980, 1, 2, 0, 0, 0, 0, time.UTC)

// releaseInputs are files only in the tarball, besides m4 macros, that the
// regeneration reads: git-version-gen takes the version from them when there
// is no .git directory.
var releaseInputs = map[string]bool{".tarball-version": true, ".version": true}

// autotool is one tool of the autotools chain whose version matters.
type autotool struct {
	key   string   // short name, also the host probe's label
	name  string   // generator name as stamped
	gens  []string // autotools generator names it writes
	probe string   // program asked for --version on the host
}

var autotoolChain = []autotool{
	{"autoconf", "GNU Autoconf", []string{"GNU Autoconf", "Autoheader"}, "autoconf"},
	{"automake", "GNU Automake", []string{"GNU Automake", "aclocal"}, "automake"},
	{"libtool", "GNU Libtool", []string{"GNU Libtool"}, "libtoolize"},
	{"gettext", "GNU gettext", []string{"GNU gettext"}, "autopoint"},
}

// toolVersionRE matches a release number (2.71, 1.16.5, 2.4.7, 0.21), also
// of a local build (2.4.7-dirty, 2.4.6.42-b88ce), not a helper script's
// date stamp (2020-11-14.01).
var toolVersionRE = lazyRegexp(`^[0-9]+(?:\.[0-9]+)+[a-z]?(?:-[0-9A-Za-z][0-9A-Za-z.+~-]*)?$`)

// m4Tools maps m4 files that bootstrap tools install to the tool.
var m4Tools = map[string]string{
	"libtool.m4": "libtool", "ltoptions.m4": "libtool", "ltsugar.m4": "libtool", "ltversion.m4": "libtool", "lt~obsolete.m4": "libtool",
	"gettext.m4": "gettext", "iconv.m4": "gettext", "lib-ld.m4": "gettext", "lib-link.m4": "gettext", "lib-prefix.m4": "gettext",
	"nls.m4": "gettext", "po.m4": "gettext", "progtest.m4": "gettext", "intlmacosx.m4": "gettext", "host-cpu-c-abi.m4": "gettext",
}

// rebuilder holds the state of one --rebuild.
type rebuilder struct {
	in       Input
	cmp      *compare.Result
	runner   sandbox.Runner
	dir      string // exported tag = the sandbox's work directory
	root     *os.Root
	env      []string
	info     *report.RebuildInfo
	files    []report.FileDiff
	findings []report.Finding

	host    map[string]string   // tool key -> host version ("" = not installed)
	release map[string][]string // tool key -> versions the tarball's stamps claim
	// hostLibtool and releaseLibtool are ltmain.sh's VERSION lines, which
	// name a distribution's build ("2.4.7 Debian-2.4.7-7~deb12u1"): its
	// libtool files carry the distribution's patches.
	hostLibtool, releaseLibtool string

	byPath  map[string]int  // report.Files index by path
	copied  map[string]bool // inputs written from the tarball
	present map[string]bool // candidate paths present before the regeneration
	judged  map[string]bool // paths given a rebuild status
	pending []pendingDiff   // differing files awaiting the tarball's content

	tc           *toolchain.Toolchain // exact toolchain laid over /usr, nil = the host's tools
	gettextMacro string               // GETTEXT_MACRO_VERSION of the sandbox's po/Makefile.in.in
	runstatedir  bool                 // the release's configure has --runstatedir
	// upstreamLargefile: the release's configure has upstream autoconf
	// 2.72's AC_SYS_LARGEFILE, which Debian's 2.72-3.1 patches.
	upstreamLargefile bool
	// releaseDebianPython: the release's configure has Debian's automake
	// AM_PATH_PYTHON patch.
	releaseDebianPython bool
	// releaseUpstreamPython: the release's configure expands automake's
	// AM_PATH_PYTHON without Debian's patch.
	releaseUpstreamPython bool
	inexact               map[string]string // tool key -> why the toolchain's build is not the release's
	inexactLabel          map[string]string // tool key -> the release's build, when not "upstream build"
	// pkgM4Foreign: the release's aclocal.m4 embeds a pkg.m4 other than
	// the sandbox's (pkg-config's macros are not in the toolchain cache).
	pkgM4Foreign bool
	missing      map[string]string   // "autoconf 2.69" -> why that toolchain is not available
	fetch        []string            // "autoconf=2.69": what `tarcheck toolchain fetch` would add
	unproved     map[string][]string // "autoconf 2.69" -> differing files it would prove
	inputIDs     []string            // inputs written into the export, for the result cache key
	bootstrap    bool                // the tag's gnulib bootstrap runs with the pinned gnulib
	probeOut     []byte              // the tool probe's output, for the result cache key

	// releaseIncludes are the m4_include files of the release's
	// aclocal.m4; absentIncludes those of them the tarball has and the
	// regenerated tree lacks (noteAbsentIncludes).
	releaseIncludes, absentIncludes []string
	// releaseAclocal is the release's aclocal.m4; releaseGettextM4 the
	// gettext m4 files it embeds from the system aclocal directory
	// (gettextEmbedded), and releaseGettext the newest gettext they name.
	releaseAclocal   []byte
	releaseGettextM4 []string
	releaseGettext   string
	// systemLaid are the proved system m4 files laid over
	// /usr/share/aclocal (systemM4Layer); lacked the system macro regions
	// of the release's aclocal.m4 the rebuild lacked (noteLackedSystemMacros);
	// autopointTool the release's autopoint when its gettext m4 files are
	// not the sandbox's (gettextAutopointM4).
	systemLaid    []string
	lacked        []lackedSection
	autopointTool string
}

// pendingDiff is a regenerated file whose blob differs from the tarball's.
type pendingDiff struct {
	rel string
	by  string // what produced it ("autoreconf -fi", "make dist")
	// content is the regenerated copy when held in memory (make dist);
	// nil means read it from the work directory.
	content []byte
	held    bool
	size    int64
	// src is where the regenerated content is when rel is a symlink into
	// the work directory (gnulib-tool --symlink): make dist copies the
	// target, so the target is compared.
	src string
}

// Input is what a rebuild needs. The tag is already exported into Dir, the
// sandbox runner built by the caller (upstream code only ever runs in it).
type Input struct {
	// Mode is "autoreconf" or "dist" (autoreconf, then ./configure && make dist).
	Mode string
	// Script, when set, replaces autoreconf -fi (the project's bootstrap).
	Script string
	// Runner runs the scripts; Sandbox names it in the report.
	Runner  sandbox.Runner
	Sandbox string
	// Dir is the tag exported with raw blobs: the sandbox's work directory.
	Dir string
	// Compare is the comparison of the release with the tag.
	Compare *compare.Result
	// Files are the classified files; the rebuild works on a copy.
	Files []report.FileDiff
	// Generators are the generators the release's stamps name.
	Generators []report.Generator
	// Format is the release archive's format ("tar.gz").
	Format string
	// CommitTime is the tagged commit's time (SOURCE_DATE_EPOCH).
	CommitTime time.Time
	// ReleaseLibtool is the VERSION line of the release's ltmain.sh.
	ReleaseLibtool string
	// Logf receives verbose messages; nil discards them.
	Logf func(format string, args ...any)
	// ObjectFormat is the repository's git object format ("sha1" or "",
	// or "sha256"): blob ids are the first 20 bytes of its hash, as in
	// the comparison.
	ObjectFormat string
	// Progress, when set, is told about each step (toolchain, inputs,
	// autoreconf, make dist).
	Progress compare.Progress
	// Toolchains provides the exact toolchains the stamps select; nil
	// means only the host's tools (every other version is not available).
	Toolchains Toolchains
	// NewRunner opens a sandbox backend by name when a toolchain needs
	// overlays the given Runner cannot mount; nil means sandbox.NewContext.
	NewRunner func(ctx context.Context, backend string) (sandbox.Runner, error)
	// Upstream proves the inputs only in the tarball; nil proves none
	// (every such m4 file is left out).
	Upstream Upstream
	// ResultCache, when set, is a directory where regenerated files are
	// kept by (tag tree, inputs, toolchain, tool versions, script).
	ResultCache string
	// TagTree is the tag's tree id, part of the result cache key.
	TagTree string
	// Gnulib, when set and the tag has a gnulib bootstrap (bootstrap and
	// bootstrap.conf) and no Script is given, makes the rebuild run that
	// bootstrap with the pinned gnulib instead of autoreconf -fi; nil
	// keeps autoreconf -fi.
	Gnulib *Gnulib
	// Git, when set, is written into the export as a minimal .git (the
	// tagged commit and tag) before the regeneration, for version scripts
	// that ask git (see GitMeta); nil leaves the export without one.
	Git *GitMeta
}

// Result is what the rebuild found.
type Result struct {
	// Files are Input.Files with their rebuild status, severity and reason.
	Files []report.FileDiff
	// Findings are the rebuild's own findings (TC601-TC603).
	Findings []report.Finding
	Info     *report.RebuildInfo
}

// SandboxError is a failure of the sandbox itself (not of the scripts run in it).
type SandboxError struct{ Err error }

func (e *SandboxError) Error() string { return e.Err.Error() }
func (e *SandboxError) Unwrap() error { return e.Err }

// ArchiveError is a failure to re-read the release archive.
type ArchiveError struct{ Err error }

func (e *ArchiveError) Error() string { return "re-reading the archive: " + e.Err.Error() }
func (e *ArchiveError) Unwrap() error { return e.Err }

// Needed reports whether there is anything to regenerate: a configure.ac
// (or configure.in) in the tag, or a bootstrap script to run.
func Needed(idx *compare.Index, script string) bool {
	return strings.TrimSpace(script) != "" || idx.Get("configure.ac") != nil || idx.Get("configure.in") != nil
}

// Skipped is the result of a rebuild with nothing to regenerate.
func Skipped(in Input) *Result {
	info := newInfo(in)
	info.Notes = append(info.Notes, "the tag has no configure.ac or configure.in: nothing for autoreconf to regenerate "+
		"(--rebuild-script runs another bootstrap)")
	b := &rebuilder{in: in, info: info, files: slices.Clone(in.Files)}
	b.finish()
	return &Result{Files: b.files, Info: info}
}

func newInfo(in Input) *report.RebuildInfo {
	info := &report.RebuildInfo{Mode: in.Mode, Sandbox: in.Sandbox, Commands: []string{}}
	if sandbox.Unsafe(in.Runner) {
		info.Sandbox = "none (unsafe)"
		info.Notes = append(info.Notes, NoteUnsafe)
	}
	return info
}

// Run regenerates the autotools outputs of the exported tag in the sandbox
// and compares them with the release's copies (DESIGN.md step 8).
func Run(ctx context.Context, in Input) (*Result, error) {
	root, err := os.OpenRoot(in.Dir)
	if err != nil {
		return nil, &SandboxError{err}
	}
	defer root.Close()
	b := &rebuilder{in: in, cmp: in.Compare, runner: in.Runner, dir: in.Dir, root: root, info: newInfo(in),
		files: slices.Clone(in.Files), host: map[string]string{}, release: map[string][]string{}, byPath: map[string]int{},
		copied: map[string]bool{}, present: map[string]bool{}, judged: map[string]bool{}, missing: map[string]string{},
		unproved: map[string][]string{}, inexact: map[string]string{}, inexactLabel: map[string]string{}}
	b.env = []string{"LC_ALL=C", "TZ=UTC"}
	if !in.CommitTime.IsZero() && in.CommitTime.Unix() > 0 {
		b.env = append(b.env, "SOURCE_DATE_EPOCH="+strconv.FormatInt(in.CommitTime.Unix(), 10))
	}
	for i := range b.files {
		b.byPath[b.files[i].Path] = i
	}
	if err := b.run(ctx); err != nil {
		return nil, err
	}
	b.finish()
	return &Result{Files: b.files, Findings: b.findings, Info: b.info}, nil
}

func (b *rebuilder) logf(format string, args ...any) {
	if b.in.Logf != nil {
		b.in.Logf(format, args...)
	}
}

// run does the work of rebuild once the tag is exported.
func (b *rebuilder) run(ctx context.Context) error {
	b.bootstrap = b.useGnulibBootstrap()
	keyed := b.writeGit()
	b.progress("rebuild: inputs from the tarball")
	if err := b.copyInputs(ctx); err != nil {
		return err
	}
	b.progress("rebuild: probing the tools")
	if err := b.probeTools(ctx); err != nil {
		return err
	}
	b.releaseVersions()
	if err := b.chooseToolchain(ctx); err != nil {
		return err
	}
	keyed += b.gettextM4Layer()
	keyed += b.systemM4Layer(embeddedOrigins())
	b.noteVersionMismatch()
	b.stampCandidates()

	script, label := "autoreconf -fi", "autoreconf -fi"
	gnulib := b.bootstrap
	if s := strings.TrimSpace(b.in.Script); s != "" {
		script, label = s, s
	} else if gnulib {
		script, label = bootstrapScript(b.in.Gnulib.Path), bootstrapLabel(b.in.Gnulib)
		keyed += "\ngnulib " + b.in.Gnulib.Commit
	}
	b.info.Commands = append(b.info.Commands, label)
	key := b.cacheKey(script + keyed)
	if !b.restoreResult(key) {
		if gnulib {
			if err := b.exportGnulib(ctx); err != nil {
				return err
			}
		}
		b.progress("rebuild: " + label)
		timeout := rebuildTimeout
		if gnulib {
			timeout = bootstrapTimeout
		}
		ok, err := b.step(ctx, label, script, timeout)
		if err != nil || !ok {
			return err
		}
		b.storeResult(key)
	}
	b.noteAbsentIncludes()
	b.regeneratedGettextMacro()
	b.debianAutomake()
	b.libtoolBuilds()
	b.compareWorkDir()
	b.noteLackedSystemMacros()
	b.gettextAutopointM4()
	if err := b.secondAutomakePass(ctx, key); err != nil {
		return err
	}
	if err := b.resolvePending(ctx); err != nil {
		return err
	}
	if b.in.Mode == "dist" {
		if err := b.dist(ctx); err != nil {
			return err
		}
		if err := b.resolvePending(ctx); err != nil {
			return err
		}
	}
	return nil
}

// step runs one script in the sandbox. It returns false (with notes and a
// finding) when the script failed or timed out, and an error only when the
// sandbox itself failed or ctx ended.
func (b *rebuilder) step(ctx context.Context, label, script string, timeout time.Duration) (bool, error) {
	start := time.Now()
	res, err := b.runScript(ctx, script, timeout)
	if err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		return false, &SandboxError{fmt.Errorf("running %s in the %s sandbox: %w", label, b.runner.Name(), err)}
	}
	b.logf("rebuild: %s: exit %d in %s", label, res.ExitCode, time.Since(start).Round(time.Millisecond))
	if res.ExitCode == 0 && !res.TimedOut {
		return true, nil
	}
	what := fmt.Sprintf("exit status %d", res.ExitCode)
	if res.TimedOut {
		what = "timed out after " + timeout.String()
	}
	tail := tailLines(res.Output, 12)
	b.logf("rebuild: %s failed (%s):\n%s", label, what, strings.Join(tail, "\n"))
	msg := fmt.Sprintf("%s failed in the sandbox (%s): the generated files could not be regenerated from the tag", label, what)
	b.info.Notes = append(b.info.Notes, msg)
	b.findings = append(b.findings, report.Finding{Rule: report.RuleNotReproducible, Severity: report.SevMedium,
		Message: msg, Evidence: tail})
	return false, nil
}

// writeNoFollow creates rel below root with content, creating missing parent
// directories as real directories and refusing to go through a symlink or
// to replace anything.
func writeNoFollow(root *os.Root, rel string, content []byte, mode fs.FileMode) error {
	if err := mkdirParents(root, rel); err != nil {
		return err
	}
	f, err := root.OpenFile(rel, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, mode)
	if err != nil {
		return fmt.Errorf("exists in the tag")
	}
	_, err = f.Write(content)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// mkdirParents creates the missing parent directories of rel below root
// as real directories, refusing to go through a symlink or a file.
func mkdirParents(root *os.Root, rel string) error {
	if !filepath.IsLocal(rel) {
		return fmt.Errorf("unsafe path")
	}
	parts := strings.Split(rel, "/")
	for i := 1; i < len(parts); i++ {
		p := strings.Join(parts[:i], "/")
		fi, err := root.Lstat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if err := root.Mkdir(p, 0o755); err != nil {
				return err
			}
		case err != nil:
			return err
		case !fi.IsDir():
			return fmt.Errorf("%s is not a directory in the tag", p)
		}
	}
	return nil
}

// toolProbe prints each tool's first --version line under a label.
const toolProbe = `for t in autoconf automake libtoolize autopoint; do
  printf '== %s\n' "$t"
  if command -v "$t" >/dev/null 2>&1; then "$t" --version 2>/dev/null | head -n 1 || true; fi
done
printf '== gettext-macro\n'
for f in /usr/share/gettext/po/Makefile.in.in /usr/share/gettext-*/po/Makefile.in.in; do
  if [ -f "$f" ]; then sed -n 's/^GETTEXT_MACRO_VERSION = *//p' "$f" | head -n 1; break; fi
done
`

// gettextMacroProbe labels the macro series of the sandbox's gettext.
const gettextMacroProbe = "gettext-macro"

// runScript runs script in the sandbox, with the toolchain over /usr.
func (b *rebuilder) runScript(ctx context.Context, script string, timeout time.Duration) (*sandbox.Result, error) {
	spec := sandbox.ScriptSpec(b.dir, script, b.env, timeout)
	if b.tc != nil {
		b.tc.Apply(&spec)
	}
	return b.runner.Run(ctx, spec)
}

// progress shows one step of the rebuild.
func (b *rebuilder) progress(step string) {
	b.logf("%s", step)
	if p := b.in.Progress; p != nil {
		p.Start(step, -1)
		p.Done()
	}
}

// probeTools asks the sandbox which autotools versions this machine has.
func (b *rebuilder) probeTools(ctx context.Context) error {
	res, err := b.runScript(ctx, toolProbe, toolProbeTimeout)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &SandboxError{fmt.Errorf("probing autotools in the %s sandbox: %w", b.runner.Name(), err)}
	}
	b.probeOut = res.Output
	versions := parseToolVersions(res.Output)
	b.gettextMacro = versions[gettextMacroProbe]
	for _, t := range autotoolChain {
		v := versions[t.probe]
		b.host[t.key] = v
		if v == "" {
			b.info.HostTools = append(b.info.HostTools, t.key+" (not installed)")
		} else {
			b.info.HostTools = append(b.info.HostTools, t.key+" "+v)
		}
	}
	return nil
}

// parseToolVersions reads toolProbe's output: the version is the last field
// of the first line after each "== name" label.
func parseToolVersions(out []byte) map[string]string {
	m := map[string]string{}
	cur := ""
	for _, line := range strings.Split(string(out), "\n") {
		line = strings.TrimSpace(line)
		if name, ok := strings.CutPrefix(line, "== "); ok {
			cur = name
			continue
		}
		if cur == "" || line == "" {
			continue
		}
		f := strings.Fields(line)
		v := f[len(f)-1]
		if len(v) > 0 && v[0] >= '0' && v[0] <= '9' && len(v) < 40 {
			m[cur] = v
		}
		cur = ""
	}
	return m
}

// releaseVersions collects the tool versions the tarball's stamps claim.
func (b *rebuilder) releaseVersions() {
	for _, g := range b.in.Generators {
		if !toolVersionRE().MatchString(g.Version) {
			continue
		}
		for _, t := range autotoolChain {
			for _, name := range t.gens {
				if g.Name == name && !containsString(b.release[t.key], g.Version) {
					b.release[t.key] = append(b.release[t.key], g.Version)
				}
			}
		}
	}
}

// noteVersionMismatch says which tools differ from the tarball's stamps.
func (b *rebuilder) noteVersionMismatch() {
	var diff []string
	for _, t := range autotoolChain {
		for _, v := range b.release[t.key] {
			if !b.versionMatches(t.key, v) {
				host := b.host[t.key]
				if host == "" {
					host = "not installed"
				}
				diff = append(diff, fmt.Sprintf("%s %s (here %s)", t.name, v, host))
			}
		}
	}
	if len(diff) > 0 {
		b.info.Notes = append(b.info.Notes, "the tarball's stamps name other tool versions than this machine's: "+
			strings.Join(diff, ", ")+"; files they feed cannot be reproduced exactly")
	}
}

// stampCandidates gives every file the regeneration could rewrite a known
// old modification time, so that a rewrite is seen even when it produced
// the same bytes.
func (b *rebuilder) stampCandidates() {
	for rel, t := range b.cmp.Members {
		if t.Status == "" || t.Status == report.ModeDiffers {
			continue
		}
		fi, err := b.root.Lstat(rel)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		if err := b.root.Chtimes(rel, copiedStamp, copiedStamp); err == nil {
			b.present[rel] = true
		}
	}
}

// regenerated reports whether the regeneration wrote rel.
func (b *rebuilder) regenerated(rel string) bool {
	fi, err := b.root.Lstat(rel)
	if err != nil {
		return false
	}
	if !fi.Mode().IsRegular() && fi.Mode()&fs.ModeSymlink == 0 {
		return false
	}
	if !b.present[rel] {
		return true // did not exist before
	}
	return !fi.ModTime().Equal(copiedStamp) || fi.Mode()&fs.ModeSymlink != 0
}

// compareWorkDir compares every file the regeneration wrote with the
// tarball's copy, by blob id; differing ones wait for their diff.
func (b *rebuilder) compareWorkDir() {
	by := b.info.Commands[len(b.info.Commands)-1]
	for _, rel := range slices.Sorted(maps.Keys(b.cmp.Members)) {
		t := b.cmp.Members[rel]
		if t.Status != report.OnlyInTarball && t.Status != report.ContentDiffers && t.Status != report.TypeDiffers {
			continue
		}
		if _, listed := b.byPath[rel]; !listed || !b.regenerated(rel) {
			if b.copied[rel] && !b.regenerated(rel) && strings.HasSuffix(rel, ".m4") {
				b.info.M4Inputs = append(b.info.M4Inputs, rel)
			}
			continue
		}
		src := rel
		if l := b.linkInWorkDir(rel); l != "" {
			src = l
		}
		id, size, err := blobIDAt(b.root, src, b.in.ObjectFormat)
		if err != nil {
			b.logf("rebuild: reading regenerated %s: %v", rel, err)
			continue
		}
		if size == 0 && t.Size > 0 {
			// A placeholder (bootstrap's `touch ChangeLog`), not an output
			// of a generator: nothing is proved or disproved.
			continue
		}
		if id == t.ID {
			b.set(rel, report.RebuildReproduced, "", report.SevInfo)
			continue
		}
		b.pending = append(b.pending, pendingDiff{rel: rel, by: by, size: size, src: src})
	}
}

// set records a rebuild outcome on a listed file.
func (b *rebuilder) set(rel, status, reason string, sev report.Severity) {
	i, ok := b.byPath[rel]
	if !ok {
		return
	}
	fd := &b.files[i]
	fd.Rebuild = status
	if reason != "" {
		fd.Reason = fd.Reason + "; rebuild: " + reason
	}
	if sev > fd.Severity {
		fd.Severity = sev
	}
	if status == report.RebuildReproduced && fd.Severity > report.SevInfo {
		// Regenerated byte for byte from the tag (and the pinned gnulib)
		// by the sandbox's toolchain: proved, whatever the static
		// classification could not explain (gnulib-tool's gl/Makefile.am).
		fd.Severity = report.SevInfo
		fd.Reason += "; proved by the rebuild"
	}
	b.judged[rel] = true
}

// resolvePending reads the tarball's copies of the differing files in one
// pass and judges each: differs (high) or not reproducible (medium).
func (b *rebuilder) resolvePending(ctx context.Context) error {
	if len(b.pending) == 0 {
		return nil
	}
	want := map[string]int{}
	for i, d := range b.pending {
		want[d.rel] = i
	}
	found := map[string]bool{}
	err := b.cmp.Read(ctx, maxRebuildCompareBytes, func(rel string, e *archive.Entry) bool {
		_, w := want[rel]
		return w && b.cmp.Members[rel].ID == e.BlobID
	}, func(rel string, e *archive.Entry) error {
		found[rel] = true
		tarContent := e.Content
		if e.Type == archive.TypeSymlink {
			tarContent = []byte(e.LinkTarget)
		}
		b.judge(b.pending[want[rel]], tarContent, e.Size)
		return nil
	})
	if err != nil {
		return archiveError(ctx, err)
	}
	for _, d := range b.pending {
		if !found[d.rel] {
			b.judge(d, nil, b.cmp.Members[d.rel].Size) // e.g. a hard link: judged without a diff
		}
	}
	b.pending = nil
	return nil
}

// judge decides one differing file. tarContent is nil when too large.
func (b *rebuilder) judge(d pendingDiff, tarContent []byte, tarSize int64) {
	regen := d.content
	if !d.held {
		if d.size <= maxRebuildCompareBytes {
			src := d.rel
			if d.src != "" {
				src = d.src
			}
			regen = readAt(b.root, src)
		}
	}
	ld := diffLines(regen, tarContent)
	rows, removed, added := rebuildDiff(d.rel, ld)
	size := fmt.Sprintf("%d bytes regenerated, %d in the tarball", d.size, tarSize)
	if rows != nil {
		size = fmt.Sprintf("%s (-%d +%d), %s", plural(removed+added, "line differs", "lines differ"), removed, added, size)
	}
	mismatch := b.mismatches(d.rel, regen, tarContent)
	if i, ok := b.byPath[d.rel]; ok && b.files[i].Diff == "" && rows != nil {
		b.files[i].Diff = strings.Join(rows, "\n") + "\n"
	}
	if sameAutomakeOutput(regen, tarContent) {
		b.set(d.rel, report.RebuildNotReproducible, "reproduced except for automake's strictness option and the list of auxiliary scripts, "+
			"which change when make's rebuild rules rerun automake at release", report.SevLow)
		return
	}
	if i, ok := b.byPath[d.rel]; ok && b.bootstrap && !toolchainWritten[b.files[i].Class] {
		// A gnulib bootstrap also runs project hooks (gtkdocize, or the
		// fallback a hook writes when the sandbox lacks it): what they
		// write is not an output of the pinned toolchain or gnulib, so a
		// difference proves nothing either way; the file keeps its own
		// classification.
		b.missing[bootstrapHookTool] = "written by a bootstrap hook, not by the pinned autotools or gnulib"
		b.notProved(d.rel, []string{bootstrapHookTool})
		b.set(d.rel, report.RebuildNotReproducible, "the bootstrap wrote a different copy, not by an autotools or gnulib step", report.SevInfo)
		return
	}
	if i, ok := b.byPath[d.rel]; ok && b.files[i].Class == autotools.ClassUpstreamCopy {
		// Proved by its content (identical to a known upstream copy): the
		// toolchain installs another version of the same helper.
		b.set(d.rel, report.RebuildNotReproducible, fmt.Sprintf("%s installs another version of this helper; the tarball's is a known upstream copy", d.by), report.SevLow)
		return
	}
	if len(mismatch) == 0 {
		msg := fmt.Sprintf("regenerated from the tag by %s with the exact toolchain its stamps select, but the tarball's copy differs (%s): edited after generation?%s", d.by, size, b.absentIncludesHint(d.rel))
		ev := headRows(rows, maxEvidenceRows)
		if len(ev) == 0 {
			ev = []string{size}
		}
		b.findings = append(b.findings, report.Finding{Rule: report.RuleRegeneratedFileDiffers, Severity: report.SevHigh, Path: d.rel,
			Message: msg, Evidence: ev})
		b.set(d.rel, report.RebuildDiffers, fmt.Sprintf("%s gives different content with the exact toolchain", d.by), report.SevHigh)
		return
	}
	// The toolchain the stamps select is not available: the stamps never
	// excuse the difference. Hunks that add commands the nearest
	// regeneration does not run are high; the rest is not proved.
	var need []string
	for _, m := range mismatch {
		need = append(need, m.tool)
	}
	why := "not proved: " + strings.Join(mismatchReasons(mismatch), "; ")
	verdict := judgeNearestHunksProbes(d.rel, ld, tarContent, embeddedOrigins(), b.lackedProbes())
	if len(verdict.explained) > 0 {
		why += "; added lines inside known upstream m4 copies: " + listSome(verdict.explained)
	}
	if added := verdict.added; len(added) > 0 {
		msg := fmt.Sprintf("regenerated from the tag by %s with the nearest available toolchain (%s), the tarball's copy adds shell commands it does not have (%s)",
			d.by, strings.Join(need, ", ")+" not available", size)
		b.findings = append(b.findings, report.Finding{Rule: report.RuleRegeneratedFileDiffers, Severity: report.SevHigh, Path: d.rel,
			Message: msg, Evidence: headRows(added, maxEvidenceRows)})
		b.set(d.rel, report.RebuildDiffers, "adds shell commands that the regenerated copy does not have; "+why, report.SevHigh)
		return
	}
	b.notProved(d.rel, need)
	b.set(d.rel, report.RebuildNotReproducible, why, report.SevInfo)
}

// mismatch is one generator version the sandbox does not have.
type mismatch struct {
	tool   string // "autoconf 2.69", "GNU Bison 3.8.2"
	reason string // "upstream used GNU Autoconf 2.69, this machine has 2.71"
}

func mismatchReasons(ms []mismatch) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.reason)
	}
	return out
}

// mismatches lists the generator versions the file was stamped with (its
// own stamp, then the tools that feed it) that the sandbox does not have.
func (b *rebuilder) mismatches(rel string, regen, tarContent []byte) []mismatch {
	var out []mismatch
	add := func(tool, reason string) {
		for _, m := range out {
			if m.tool == tool {
				return
			}
		}
		out = append(out, mismatch{tool, reason})
	}
	var tg, rg autotools.Generated
	var tok, rok bool
	if tarContent != nil {
		tg, tok = autotools.DetectGenerator(rel, tarContent)
	}
	if regen != nil {
		rg, rok = autotools.DetectGenerator(rel, regen)
	}
	stamped := ""
	if tok && rok && tg.Generator == rg.Generator && tg.Version != "" && rg.Version != "" && tg.Version != rg.Version {
		key := tg.Generator
		for _, t := range autotoolChain {
			if containsString(t.gens, tg.Generator) {
				key = t.key
			}
		}
		if !(key == "gettext" && b.versionMatches("gettext", tg.Version)) {
			stamped = tg.Generator
			add(key+" "+tg.Version, fmt.Sprintf("upstream used %s %s, this machine has %s", tg.Generator, tg.Version, rg.Version))
		}
	}
	if base := path.Base(rel); b.pkgM4Foreign && (base == "aclocal.m4" || base == "configure") {
		b.missing[pkgM4Tool] = "pkg.m4 is not in the toolchain cache; the sandbox has this machine's " + hostPkgM4Path
		add(pkgM4Tool, "the release's aclocal.m4 embeds another pkg.m4 (pkg-config's macros, same serial line) than this machine's "+hostPkgM4Path)
	}
	if b.systemMacroFed(rel) {
		if len(b.lacked) > 0 {
			add(systemMacrosTool(b.lacked), "the release's aclocal.m4 embeds system macros configure.ac uses that match no known upstream copy and that the sandbox lacks")
		}
		if b.autopointTool != "" {
			add(b.autopointTool, "the release's gettext m4 files are another gettext release's than the sandbox's autopoint writes")
		}
	}
	if b.hostLibtool != b.releaseLibtool && strings.ContainsRune(b.hostLibtool, ' ') && b.releaseLibtool != "" && b.relevant(rel, "libtool") {
		add("libtool "+b.releaseLibtool, fmt.Sprintf("upstream used GNU Libtool %s, this machine has the distribution build %s (with its patches)", b.releaseLibtool, b.hostLibtool))
	}
	for _, t := range autotoolChain {
		if !b.relevant(rel, t.key) || containsString(t.gens, stamped) {
			continue
		}
		if why := b.inexact[t.key]; why != "" {
			// autoconf's build differs in configure's checks only; an
			// automake build in everything automake writes.
			if base := path.Base(rel); t.key != "autoconf" || base == "configure" || strings.HasSuffix(base, ".h.in") {
				label := b.inexactLabel[t.key]
				if label == "" {
					label = "upstream build"
				}
				for _, v := range b.release[t.key] {
					add(t.key+" "+v+" ("+label+")", why)
				}
			}
			continue
		}
		host := b.host[t.key]
		for _, v := range b.release[t.key] {
			if b.versionMatches(t.key, v) {
				continue
			}
			if host == "" {
				host = "none"
			}
			add(t.key+" "+v, fmt.Sprintf("upstream used %s %s, this machine has %s", t.name, v, host))
		}
	}
	return out
}

// relevant reports whether tool key feeds the file rel: the aggregating
// outputs (configure, aclocal.m4, config.h.in, Makefile.in) take macros from
// every tool; helpers come from one.
func (b *rebuilder) relevant(rel, key string) bool {
	base := path.Base(rel)
	if t, ok := m4Tools[base]; ok {
		return t == key
	}
	i, listed := b.byPath[rel]
	gen := ""
	if listed {
		gen = b.files[i].Generator
	}
	switch {
	case base == "configure" || base == "aclocal.m4" || strings.HasSuffix(base, ".h.in") || strings.HasSuffix(base, ".in") && strings.HasPrefix(gen, "GNU Automake"):
		return true
	case strings.HasPrefix(gen, "GNU Libtool"):
		return key == "libtool"
	case strings.HasPrefix(gen, "GNU gettext"):
		return key == "gettext"
	case strings.HasPrefix(gen, "GNU Automake"), strings.HasPrefix(gen, "config.guess"):
		return key == "automake"
	case strings.HasPrefix(gen, "GNU Autoconf"), strings.HasPrefix(gen, "Autoheader"):
		return key == "autoconf"
	}
	return true
}

// versionMatches compares a stamped version with the host's. gettext stamps
// only its macro version (major.minor).
func versionMatches(key, release, host string) bool {
	if release == host {
		return true
	}
	return key == "gettext" && host != "" && gettextMacroSeries(host) == release
}

// gettextMacroSeries is the GETTEXT_MACRO_VERSION a gettext release writes
// into po/Makefile.in.in: gettext 0.20 and 0.21 keep the 0.20 macros;
// other releases their own major.minor.
func gettextMacroSeries(v string) string {
	f := strings.SplitN(v, ".", 3)
	if len(f) < 2 {
		return v
	}
	mm := f[0] + "." + f[1]
	if mm == "0.21" {
		return "0.20"
	}
	return mm
}

// dist runs ./configure && make dist and compares the produced archive with
// the release tarball, member by member.
func (b *rebuilder) dist(ctx context.Context) error {
	before := map[string]bool{}
	if ents, err := os.ReadDir(b.dir); err == nil {
		for _, e := range ents {
			before[e.Name()] = true
		}
	}
	b.info.Commands = append(b.info.Commands, "./configure", "make dist")
	ok, err := b.step(ctx, "./configure && make dist", "./configure\nmake dist\n", distTimeout)
	if err != nil || !ok {
		return err
	}
	produced := b.producedArchive(before)
	if produced == "" {
		b.info.Notes = append(b.info.Notes, "make dist produced no archive in the top directory; the dist comparison was skipped")
		return nil
	}
	return b.compareDist(ctx, produced)
}

// producedArchive returns the name of the archive make dist wrote, preferring
// the release's format.
func (b *rebuilder) producedArchive(before map[string]bool) string {
	ents, err := os.ReadDir(b.dir)
	if err != nil {
		return ""
	}
	var names []string
	for _, e := range ents {
		n := e.Name()
		if before[n] || !e.Type().IsRegular() {
			continue
		}
		for _, suf := range []string{".tar.gz", ".tgz", ".tar.xz", ".tar.bz2", ".tar.zst", ".tar.lz", ".zip", ".tar"} {
			if strings.HasSuffix(n, suf) {
				names = append(names, n)
				break
			}
		}
	}
	if len(names) == 0 {
		return ""
	}
	sort.Strings(names)
	want := "." + b.in.Format
	for _, n := range names {
		if strings.HasSuffix(n, want) {
			return n
		}
	}
	return names[0]
}

// distMember is one member of the archive make dist produced.
type distMember struct {
	id   [20]byte
	size int64
}

// compareDist walks the produced archive and compares it with the release.
func (b *rebuilder) compareDist(ctx context.Context, name string) error {
	members, held, ok, err := b.readDist(ctx, name)
	if err != nil || !ok {
		return err
	}
	d := b.tallyDist(members, held)
	b.noteDist(name, d)
	return nil
}

// distTally is the comparison of the make dist product with the release.
type distTally struct {
	same, differ                           int
	onlyRelease, onlyProduced, otherDiffer []string
}

// readDist reads the members of the archive make dist produced, holding
// the contents of those that differ from the release (bounded); ok is
// false, with a note, when the archive cannot be compared.
func (b *rebuilder) readDist(ctx context.Context, name string) (map[string]distMember, map[string][]byte, bool, error) {
	full := filepath.Join(b.dir, name)
	if fi, err := os.Lstat(full); err != nil || !fi.Mode().IsRegular() {
		b.info.Notes = append(b.info.Notes, "the archive make dist produced is not a regular file; the dist comparison was skipped")
		return nil, nil, false, nil
	}
	members := map[string]distMember{}
	held := map[string][]byte{}
	var heldBytes int64
	root, rootKnown := "", false
	res, err := archive.WalkFile(ctx, full, archive.Options{KeepBytes: maxRebuildCompareBytes, ObjectFormat: b.in.ObjectFormat}, func(e *archive.Entry) error {
		if !rootKnown {
			root, rootKnown = compare.FirstComponent(e.Path, e.Type == archive.TypeDir), true
		}
		if e.Type == archive.TypeDir || e.Type == archive.TypeOther {
			return nil
		}
		rel := compare.DisplayPath(compare.MemberKey(root, e.Path))
		members[rel] = distMember{id: e.BlobID, size: e.Size}
		t := b.cmp.Member(rel)
		if t == nil || t.ID == e.BlobID || b.judged[rel] || b.copied[rel] {
			return nil
		}
		if _, listed := b.byPath[rel]; !listed {
			return nil
		}
		c := e.Content
		if e.Type == archive.TypeSymlink {
			c = []byte(e.LinkTarget)
		}
		if c != nil && heldBytes+int64(len(c)) <= maxRebuildHeldBytes {
			held[rel] = bytes.Clone(c)
			heldBytes += int64(len(c))
		}
		return nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, false, ctx.Err()
		}
		b.info.Notes = append(b.info.Notes, "cannot read the archive make dist produced ("+err.Error()+"); the dist comparison was skipped")
		return nil, nil, false, nil
	}
	if !res.HasRoot || res.Root != root {
		b.info.Notes = append(b.info.Notes, "the archive make dist produced has no single top-level directory; the dist comparison was skipped")
		return nil, nil, false, nil
	}
	return members, held, true, nil
}

// tallyDist compares the produced members with the release's: reproduced
// files, differing generated files (pending their diff), files only on
// one side (TC603 for tarball-only ones).
func (b *rebuilder) tallyDist(members map[string]distMember, held map[string][]byte) distTally {
	var d distTally
	for _, rel := range slices.Sorted(maps.Keys(members)) {
		m := members[rel]
		t := b.cmp.Member(rel)
		switch {
		case t == nil:
			d.onlyProduced = append(d.onlyProduced, rel)
		case t.ID == m.id:
			d.same++
			if !b.judged[rel] && !b.copied[rel] {
				if _, listed := b.byPath[rel]; listed {
					b.set(rel, report.RebuildReproduced, "", report.SevInfo)
				}
			}
		default:
			d.differ++
			_, listed := b.byPath[rel]
			switch {
			case b.judged[rel] || b.copied[rel]:
			case listed && (t.Status == report.OnlyInTarball || b.files[b.byPath[rel]].Class == autotools.ClassGenerated):
				c, ok := held[rel]
				b.pending = append(b.pending, pendingDiff{rel: rel, by: "make dist", content: c, held: true, size: m.size})
				if !ok {
					b.pending[len(b.pending)-1].content = nil
				}
			case listed:
				// A source difference: classification already reports it.
			default:
				d.otherDiffer = append(d.otherDiffer, rel)
			}
		}
	}
	for rel := range b.cmp.Index.Where(func(g *compare.GitFile) bool { return g.Identical }) {
		if _, ok := members[rel]; !ok {
			d.onlyRelease = append(d.onlyRelease, rel)
		}
	}
	for _, rel := range slices.Sorted(maps.Keys(b.cmp.Members)) {
		if _, ok := members[rel]; ok {
			continue
		}
		d.onlyRelease = append(d.onlyRelease, rel)
		if b.cmp.Members[rel].Status == report.OnlyInTarball && !b.copied[rel] {
			b.findings = append(b.findings, report.Finding{Rule: report.RuleNotFromDist, Severity: report.SevMedium, Path: rel,
				Message: rel + " is only in the release tarball: neither the tag nor `make dist` run on the tag produces it"})
			if i, ok := b.byPath[rel]; ok && b.files[i].Severity < report.SevMedium {
				b.files[i].Severity = report.SevMedium
				b.files[i].Reason += "; not produced by make dist from the tag"
			}
		}
	}
	return d
}

// noteDist says in the rebuild notes what the dist comparison found.
func (b *rebuilder) noteDist(name string, d distTally) {
	same, differ, onlyRelease, onlyProduced, otherDiffer := d.same, d.differ, d.onlyRelease, d.onlyProduced, d.otherDiffer
	note := fmt.Sprintf("make dist from the tag produced %s: %d members identical to the release, %d differ, %d only in the release, %d only in the produced archive",
		name, same, differ, len(onlyRelease), len(onlyProduced))
	b.info.Notes = append(b.info.Notes, note)
	if len(onlyRelease) > 0 {
		b.info.Notes = append(b.info.Notes, "only in the release, not produced by make dist: "+listSome(onlyRelease))
	}
	if len(onlyProduced) > 0 {
		b.info.Notes = append(b.info.Notes, "produced by make dist, not in the release: "+listSome(onlyProduced))
	}
	if len(otherDiffer) > 0 {
		b.info.Notes = append(b.info.Notes, "files identical to the tag in the release but different in the make dist product: "+listSome(otherDiffer))
	}
}

// finish fills the counts and the notes.
func (b *rebuilder) finish() {
	info := b.info
	for i := range b.files {
		fd := &b.files[i]
		switch fd.Rebuild {
		case report.RebuildReproduced:
			info.Reproduced++
		case report.RebuildDiffers:
			info.Differs++
		case report.RebuildNotReproducible:
			info.NotRepro++
		case "":
			fd.Rebuild = report.RebuildNotAttempted
		}
	}
	var versionFiles []string
	for rel := range b.copied {
		if !strings.HasSuffix(rel, ".m4") {
			versionFiles = append(versionFiles, rel)
		}
	}
	sort.Strings(info.M4Inputs)
	switch {
	case len(info.Commands) == 0:
		// Nothing ran: nothing is proved.
	case len(info.M4Inputs) > 0:
		info.Notes = append(info.Notes, NoteInputs)
	default:
		info.Notes = append(info.Notes, NoteNoInputs)
	}
	if len(versionFiles) > 0 {
		sort.Strings(versionFiles)
		info.Notes = append(info.Notes, "also taken from the tarball (version for git-version-gen): "+strings.Join(versionFiles, ", "))
	}
	b.groupNotProved()
}

// blobIDAt computes the git blob id of rel without following a symlink at
// rel itself (a link's blob is its target, as in git).
func blobIDAt(root *os.Root, rel, format string) ([20]byte, int64, error) {
	var id [20]byte
	fi, err := root.Lstat(rel)
	if err != nil {
		return id, 0, err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		target, err := root.Readlink(rel)
		if err != nil {
			return id, 0, err
		}
		return blobID([]byte(target), format), int64(len(target)), nil
	}
	f, err := root.OpenFile(rel, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return id, 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return id, 0, err
	}
	if !st.Mode().IsRegular() {
		return id, 0, fmt.Errorf("%s is not a regular file", rel)
	}
	h := objectHash(format)
	fmt.Fprintf(h, "blob %d\x00", st.Size())
	n, err := io.Copy(h, io.LimitReader(f, st.Size()))
	if err != nil {
		return id, 0, err
	}
	if n != st.Size() {
		return id, 0, fmt.Errorf("%s changed while being read", rel)
	}
	copy(id[:], h.Sum(nil))
	return id, n, nil
}

// objectHash is the hash of git objects in format ("sha256", else sha1).
func objectHash(format string) hash.Hash {
	if format == "sha256" {
		return sha256.New()
	}
	return sha1.New()
}

// BlobID is the git blob id of content in format ("sha256", else sha1;
// the first 20 bytes of a sha256 id).
func BlobID(content []byte, format string) [20]byte { return blobID(content, format) }

// blobID is the git blob id of content in format (the first 20 bytes of
// a sha256 id).
func blobID(content []byte, format string) [20]byte {
	h := objectHash(format)
	fmt.Fprintf(h, "blob %d\x00", len(content))
	h.Write(content)
	var id [20]byte
	copy(id[:], h.Sum(nil))
	return id
}

// readAt reads a regenerated file (or a link's target) up to
// maxRebuildCompareBytes; nil when it cannot or it is larger.
func readAt(root *os.Root, rel string) []byte {
	fi, err := root.Lstat(rel)
	if err != nil {
		return nil
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		t, err := root.Readlink(rel)
		if err != nil {
			return nil
		}
		return []byte(t)
	}
	f, err := root.OpenFile(rel, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return nil
	}
	data, err := io.ReadAll(io.LimitReader(f, maxRebuildCompareBytes+1))
	if err != nil || len(data) > maxRebuildCompareBytes {
		return nil
	}
	return data
}

// lineDiff is a regenerated file and the tarball's copy split into lines
// and diffed once, for the report's rows (rebuildDiff) and the hunk
// judges (judgeNearestHunksProbes).
type lineDiff struct {
	regen, tar []string
	ops        []linediff.Op
}

// diffLines diffs the regenerated copy with the tarball's by lines; nil
// when either side is missing or longer than maxRebuildDiffLines.
func diffLines(regen, tarContent []byte) *lineDiff {
	if regen == nil || tarContent == nil {
		return nil
	}
	a, c := linediff.Split(regen), linediff.Split(tarContent)
	if len(a) > maxRebuildDiffLines || len(c) > maxRebuildDiffLines {
		return nil
	}
	return &lineDiff{regen: a, tar: c, ops: linediff.Diff(a, c)}
}

// rebuildDiff is the report's diff rows of a lineDiff: nil rows when
// there is none (a side missing or too large).
func rebuildDiff(name string, d *lineDiff) (rows []string, removed, added int) {
	if d == nil {
		return nil, 0, 0
	}
	ops := d.ops
	rows = []string{"--- regenerated/" + name, "+++ tarball/" + name}
	var minus, plus []string
	flush := func() {
		rows = append(append(rows, minus...), plus...)
		minus, plus = minus[:0], plus[:0]
	}
	inHunk := false
	for _, op := range ops {
		if op.Kind == ' ' {
			if inHunk {
				flush()
			}
			inHunk = false
			continue
		}
		if op.Kind == '-' {
			removed++
		} else {
			added++
		}
		if len(rows)+len(minus)+len(plus) > maxDiffRows {
			continue
		}
		if !inHunk {
			rows = append(rows, fmt.Sprintf("@@ -%d +%d @@", op.A+1, op.B+1))
			inHunk = true
		}
		text := evidenceLine(op.Text)
		if op.Kind == '-' {
			minus = append(minus, "-"+text)
		} else {
			plus = append(plus, "+"+text)
		}
	}
	flush()
	return rows, removed, added
}

// plural returns "1 line differs" or "3 lines differ".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// headRows keeps the first n rows of a diff, marking a cut.
func headRows(rows []string, n int) []string {
	if len(rows) <= n {
		return rows
	}
	out := append([]string{}, rows[:n]...)
	return append(out, fmt.Sprintf("... (%d more rows)", len(rows)-n))
}

// evidenceLine caps one line for a finding's evidence.
func evidenceLine(s string) string {
	if len(s) > maxEvidenceLine {
		return s[:maxEvidenceLine] + "..."
	}
	return s
}

// tailLines returns the last n non-empty lines of output.
func tailLines(out []byte, n int) []string {
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		if l = strings.TrimRight(l, "\r "); l != "" {
			lines = append(lines, evidenceLine(l))
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines
}

// listSome joins up to maxListed items and says how many more there are.
func listSome(items []string) string {
	if len(items) <= maxListed {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:maxListed], ", ") + fmt.Sprintf(" and %d more", len(items)-maxListed)
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// libtoolBuilds reads the VERSION line of the regenerated ltmain.sh (the
// host's libtool); the tarball's was read while classifying.
func (b *rebuilder) libtoolBuilds() {
	b.releaseLibtool = b.in.ReleaseLibtool
	for rel := range b.cmp.Members {
		if path.Base(rel) == "ltmain.sh" && b.regenerated(rel) {
			if b.hostLibtool = explain.LtmainVersion(readAt(b.root, rel)); b.hostLibtool != "" {
				return
			}
		}
	}
}

// automakeStrictnessRE matches the automake invocation of Makefile.in's
// rebuild rules, whose option follows the strictness of the Makefile.am
// that triggered the rerun.
var automakeStrictnessRE = lazyRegexp(`\$\(AUTOMAKE\) --(?:gnu|foreign|gnits)\b`)

// auxScripts are the helper scripts automake lists in DIST_COMMON when it
// finds them in the auxiliary directory, which depends on what had been
// installed when it ran.
var auxScripts = map[string]bool{"depcomp": true, "compile": true, "install-sh": true, "missing": true,
	"mkinstalldirs": true, "config.guess": true, "config.sub": true, "ltmain.sh": true, "ar-lib": true,
	"test-driver": true, "py-compile": true, "ylwrap": true, "mdate-sh": true, "texinfo.tex": true,
	"config.rpath": true, "ABOUT-NLS": true}

// sameAutomakeOutput reports whether two automake outputs are the same
// once the strictness option of the rebuild rules and the auxiliary
// scripts listed in (am__)DIST_COMMON are set aside: the differences
// between a Makefile.in from autoreconf and one rewritten by make's
// rebuild rules during a release.
func sameAutomakeOutput(regen, tarContent []byte) bool {
	if regen == nil || tarContent == nil || !bytes.Contains(regen, []byte("generated by automake")) {
		return false
	}
	a, b := normalizeAutomake(regen), normalizeAutomake(tarContent)
	return a != nil && bytes.Equal(a, b)
}

func normalizeAutomake(c []byte) []byte {
	var out bytes.Buffer
	lines := strings.Split(string(c), "\n")
	for i := 0; i < len(lines); i++ {
		line := automakeStrictnessRE().ReplaceAllString(lines[i], "$$(AUTOMAKE) --STRICTNESS")
		if !strings.HasPrefix(line, "DIST_COMMON =") && !strings.HasPrefix(line, "am__DIST_COMMON =") {
			out.WriteString(line)
			out.WriteByte('\n')
			continue
		}
		// The variable and its continuation lines, as one list of words
		// without the auxiliary scripts.
		name, rest, _ := strings.Cut(line, "=")
		words := []string{}
		for {
			cont := strings.HasSuffix(rest, "\\")
			for _, w := range strings.Fields(strings.TrimSuffix(rest, "\\")) {
				if !auxScripts[path.Base(w)] {
					words = append(words, w)
				}
			}
			if !cont || i+1 >= len(lines) {
				break
			}
			i++
			rest = lines[i]
		}
		out.WriteString(strings.TrimSpace(name) + " = " + strings.Join(words, " ") + "\n")
	}
	return out.Bytes()
}

// archiveError is a failure to re-read the release (or ctx's end).
func archiveError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return &ArchiveError{err}
}

// linkInWorkDir returns the path below the work directory that a
// regenerated symlink points to (gnulib-tool --symlink links into the
// gnulib checkout), as make dist copies it dereferenced; "" when rel is no
// symlink, or points outside the work directory or to no regular file.
func (b *rebuilder) linkInWorkDir(rel string) string {
	fi, err := b.root.Lstat(rel)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return ""
	}
	t, err := b.root.Readlink(rel)
	if err != nil {
		return ""
	}
	var r string
	if filepath.IsAbs(t) {
		prefix := filepath.Clean(b.dir) + string(filepath.Separator)
		if !strings.HasPrefix(t, prefix) {
			return ""
		}
		r = filepath.ToSlash(t[len(prefix):])
	} else {
		r = path.Join(path.Dir(rel), filepath.ToSlash(t))
	}
	if !filepath.IsLocal(r) {
		return ""
	}
	if fi, err := b.root.Lstat(r); err != nil || !fi.Mode().IsRegular() {
		return ""
	}
	return r
}
