package autotools

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// buildAutotoolsProject writes a small C project using autoconf, automake,
// libtool, gettext (autopoint), pkg-config and two gnulib modules, then runs
// Debian's gnulib-tool, autopoint and autoreconf on it. It returns the project
// directory and the set of hand-written files (what git would hold).
func buildAutotoolsProject(t *testing.T) (string, map[string]bool) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the autotools; skipped in -short mode")
	}
	for _, tool := range []string{"autoreconf", "autopoint", "gnulib-tool", "libtoolize", "automake"} {
		requireTool(t, tool)
	}
	dir := t.TempDir()
	files := map[string]string{
		"configure.ac": `AC_INIT([demo], [1.0.3])
AC_CONFIG_SRCDIR([src/main.c])
AC_CONFIG_AUX_DIR([build-aux])
AC_CONFIG_MACRO_DIRS([m4])
AM_INIT_AUTOMAKE([foreign subdir-objects])
AC_PROG_CC
gl_EARLY
LT_INIT
AM_GNU_GETTEXT([external])
AM_GNU_GETTEXT_VERSION([0.21])
PKG_PROG_PKG_CONFIG
gl_INIT
AC_CONFIG_HEADERS([config.h])
AC_CONFIG_FILES([Makefile lib/Makefile po/Makefile.in])
AC_OUTPUT
`,
		"Makefile.am":    "SUBDIRS = lib po\nACLOCAL_AMFLAGS = -I m4\nbin_PROGRAMS = demo\ndemo_SOURCES = src/main.c\n",
		"src/main.c":     "#include <config.h>\nint main(void) { return 0; }\n",
		"po/POTFILES.in": "src/main.c\n",
		"po/LINGUAS":     "\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{
		{"gnulib-tool", "--import", "--lib=libgnu", "--source-base=lib", "--m4-base=m4", "--aux-dir=build-aux", "--no-vc-files", "xalloc", "progname"},
		{"autopoint", "-f"},
		{"autoreconf", "-fi"},
	} {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	os.RemoveAll(filepath.Join(dir, "autom4te.cache"))
	git := map[string]bool{}
	for name := range files {
		git[name] = true
	}
	return dir, git
}

// TestAutotoolsProject builds one real project (slow) and runs the checks
// that need it.
func TestAutotoolsProject(t *testing.T) {
	dir, git := buildAutotoolsProject(t)
	t.Run("clean", func(t *testing.T) { checkCleanProject(t, dir, git) })
	t.Run("tampered gnulib m4", func(t *testing.T) { checkTamperedGnulibM4(t, dir) })
}

// checkCleanProject classifies every file the autotools added to a real
// project as "only in the tarball": a clean release must stay at low or
// below, and the generator versions must be found.
func checkCleanProject(t *testing.T, dir string, git map[string]bool) {
	ctx := &Context{Version: "1.0.3", TagTime: time.Now()}
	generators := map[string]string{}
	n := 0
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if git[rel] {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		r := Classify(Input{Path: rel, Status: StatusOnlyInTarball, Tarball: b, TarballSize: int64(len(b)), TarballMode: ModeFile}, ctx)
		n++
		if r.Severity.Rank() > SevLow.Rank() {
			t.Errorf("%s: %s/%s (%s) %v", rel, r.Class, r.Severity, r.Reason, r.Signals)
		}
		if r.Generator != "" {
			generators[r.Generator] = r.GeneratorVersion
		}
		return nil
	})
	if n < 50 {
		t.Fatalf("only %d generated files", n)
	}
	for _, g := range []string{"GNU Autoconf", "GNU Automake", "aclocal", "Autoheader", "GNU Libtool", "GNU gettext", "gnulib-tool"} {
		if _, ok := generators[g]; !ok {
			t.Errorf("generator %s not found (found %v)", g, generators)
		}
	}
	if v := generators["GNU Autoconf"]; v == "" {
		t.Error("no Autoconf version extracted")
	}
	t.Logf("%d files; generators %v", n, generators)
}

// checkTamperedGnulibM4 takes a gnulib m4 file gnulib-tool really copied,
// bumps its serial and injects an AC_CONFIG_COMMANDS that decodes a test
// file: against the embedded baseline the result must be critical.
func checkTamperedGnulibM4(t *testing.T, dir string) {
	orig, err := os.ReadFile(filepath.Join(dir, "m4", "xalloc.m4"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := xzStyleContext(nil)
	if r := Classify(tarOnly("m4/xalloc.m4", string(orig)), ctx); r.Class != ClassM4Upstream {
		t.Fatalf("untouched xalloc.m4: %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
	h, err := ParseM4Header(orig)
	if err != nil || h.Serial == "" {
		t.Fatalf("xalloc.m4 header: %+v %v", h, err)
	}
	injection := "AC_CONFIG_COMMANDS([xalloc-probe], [\n  xp=`grep -aRl 'XP-SEED' $srcdir/tests 2>/dev/null`\n  test -n \"$xp\" && cat $xp | tr 'N-ZA-Mn-za-m' 'A-Za-z' | lzma -dc | $SHELL\n])\n"
	tampered := bytes.Replace(orig, []byte("serial "+h.Serial), []byte("serial 99"), 1)
	tampered = append(tampered, injection...)
	r := Classify(tarOnly("m4/xalloc.m4", string(tampered)), ctx)
	if r.Severity != SevCritical {
		t.Fatalf("tampered xalloc.m4: %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
	if !strings.Contains(r.Reason, "serial 99") {
		t.Errorf("reason %q lacks the serial", r.Reason)
	}
}
