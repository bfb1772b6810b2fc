package explain

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/tarcheck/tarcheck/autotools/origindb"
	"github.com/tarcheck/tarcheck/verify/report"
)

// installed reads a file of an installed Debian package (gnulib, automake,
// gettext); the test skips without it, or fails under .ci/run.
func installed(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		if os.Getenv("TARCHECK_REQUIRE_TOOLS") == "1" {
			t.Fatalf("%s is required (TARCHECK_REQUIRE_TOOLS=1): %v", path, err)
		}
		t.Skipf("%s not installed: %v", path, err)
	}
	return string(b)
}

// gnulibTree is a pinned gnulib commit made of files (gnulib path -> content).
func gnulibTree(files map[string]string) *GnulibTree {
	g := &GnulibTree{Commit: "41e7b7e0d159d8ac0eb385964119f350ac9dfc3f", ByID: map[[20]byte]string{}}
	for p, c := range files {
		g.ByID[blobID(c)] = p
	}
	g.Read = func(p string) ([]byte, bool) {
		c, ok := files[p]
		return []byte(c), ok
	}
	return g
}

// explainRelease runs Explain on a release made of tarball and tree.
func explainRelease(t *testing.T, tarball, tree map[string]string, in Input) (*Result, map[string]report.FileDiff) {
	t.Helper()
	cmp, bl := release(t, "p-1.0", tarball, tree, nil)
	in.Compare, in.Blobs, in.KeepBytes = cmp, bl, 8<<20
	res, err := Explain(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]report.FileDiff{}
	for _, f := range res.Files {
		files[f.Path] = f
	}
	return res, files
}

// wantOrigin checks that a file is proved (info) by the origin kind at path.
func wantOrigin(t *testing.T, files map[string]report.FileDiff, rel, kind, path string) *report.Origin {
	t.Helper()
	f := files[rel]
	if f.Origin == nil || f.Origin.Kind != kind || f.Origin.Path != path || f.Severity != report.SevInfo {
		t.Errorf("%s: %+v origin %+v, want info proved by %s %s", rel, f, f.Origin, kind, path)
		return &report.Origin{}
	}
	return f.Origin
}

func gnulibFile(t *testing.T, p string) string { return installed(t, "/usr/share/gnulib/"+p) }

// (a) the tag: gnulib-tool --local-dir copies gl/lib/x.c to lib/x.c.
func TestProveTagCopy(t *testing.T) {
	c := gnulibFile(t, "lib/c-ctype.c") + "/* local change */\n"
	tree := map[string]string{"gl/lib/c-ctype.c": c, "configure.ac": "AC_INIT\n"}
	_, files := explainRelease(t, map[string]string{"lib/c-ctype.c": c, "configure.ac": "AC_INIT\n"}, tree, Input{})
	wantOrigin(t, files, "lib/c-ctype.c", report.OriginTag, "gl/lib/c-ctype.c")
	if f := files["lib/c-ctype.c"]; f.Class != ClassTagCopy || !strings.Contains(f.Reason, "gl/lib/c-ctype.c in the tag") {
		t.Errorf("class/reason %q %q", f.Class, f.Reason)
	}
}

// A copy of a tag file is still scanned: xz-style logic in the tag's bytes
// is not proved by being in the tag.
func TestProveTagCopyScanned(t *testing.T) {
	evil := "# serial 99 evil.m4\nAC_DEFUN([EVIL], [eval \"$(echo ZWNobyBoaQ== | base64 -d)\"])\n"
	_, files := explainRelease(t, map[string]string{"m4/evil.m4": evil}, map[string]string{"tests/files/evil.m4": evil}, Input{})
	if f := files["m4/evil.m4"]; f.Origin != nil || f.Severity < report.SevHigh {
		t.Errorf("tag copy with decode-to-shell logic: %+v", f)
	}
}

// (a) a gnulib-tool local .diff of the tag applied to the pinned file.
func TestProveLocalDiff(t *testing.T) {
	orig := gnulibFile(t, "lib/quotearg.c")
	lines := strings.SplitAfter(orig, "\n")
	if len(lines) < 30 {
		t.Fatal("quotearg.c too short")
	}
	// Replace line 20 (1-based), three lines of context around it.
	patched := strings.Join(lines[:19], "") + "/* patched by the project */\n" + strings.Join(lines[20:], "")
	diff := "--- a/lib/quotearg.c\n+++ b/lib/quotearg.c\n@@ -17,7 +17,7 @@\n" +
		" " + lines[16] + " " + lines[17] + " " + lines[18] + "-" + lines[19] + "+/* patched by the project */\n" +
		" " + lines[20] + " " + lines[21] + " " + lines[22]
	tree := map[string]string{"gl/lib/quotearg.c.diff": diff}
	in := Input{GnulibTree: gnulibTree(map[string]string{"lib/quotearg.c": orig})}
	_, files := explainRelease(t, map[string]string{"lib/quotearg.c": patched}, tree, in)
	o := wantOrigin(t, files, "lib/quotearg.c", report.OriginTag, "lib/quotearg.c")
	if o.Patch != "gl/lib/quotearg.c.diff" || o.Commit == "" {
		t.Errorf("origin %+v", o)
	}
	// The same diff does not prove other bytes.
	_, files = explainRelease(t, map[string]string{"lib/quotearg.c": patched + "int x;\n"}, tree, in)
	if files["lib/quotearg.c"].Origin != nil {
		t.Errorf("wrong bytes proved: %+v", files["lib/quotearg.c"])
	}
}

// (b) the pinned gnulib commit at any path: tests/ → gnulib-tests/,
// top/maint.mk → maint.mk, and gnulib-tool's license rewrite redone.
func TestProveGnulibPaths(t *testing.T) {
	test := gnulibFile(t, "tests/test-c-ctype.c")
	maint := gnulibFile(t, "top/maint.mk")
	strnlen := gnulibFile(t, "lib/strnlen.c")
	// A build-aux script and a lib/ file without extension are rewritten
	// too (hello 2.10's build-aux/gnupload and lib/config.charset).
	const script = "#!/bin/sh\n# This program is free software; you can redistribute it under the terms of the GNU Lesser General Public License as published by the Free Software Foundation; version 2.1, or (at your option) any later version.\necho upload\n"
	charset := script + "# config.charset\n"
	g := gnulibTree(map[string]string{"tests/test-c-ctype.c": test, "top/maint.mk": maint, "lib/strnlen.c": strnlen, "build-aux/gnupload": script, "lib/config.charset": charset})
	gpl := licenseRewrites[0].apply([]byte(strnlen))
	if bytes.Equal(gpl, []byte(strnlen)) {
		t.Fatal("the GPL rewrite changed nothing in lib/strnlen.c")
	}
	gplScript, gplCharset := string(licenseRewrites[0].apply([]byte(script))), string(licenseRewrites[0].apply([]byte(charset)))
	tarball := map[string]string{"gnulib-tests/test-c-ctype.c": test, "maint.mk": maint, "lib/strnlen.c": string(gpl), "build-aux/gnupload": gplScript, "lib/config.charset": gplCharset}
	res, files := explainRelease(t, tarball, map[string]string{}, Input{GnulibTree: g, Origins: emptyDB()})
	wantOrigin(t, files, "gnulib-tests/test-c-ctype.c", report.OriginGnulib, "tests/test-c-ctype.c")
	wantOrigin(t, files, "maint.mk", report.OriginGnulib, "top/maint.mk")
	for _, p := range []string{"lib/strnlen.c", "build-aux/gnupload", "lib/config.charset"} {
		if o := wantOrigin(t, files, p, report.OriginGnulib, p); !strings.Contains(o.Transform, "GPLv3+") {
			t.Errorf("%s: rewrite not named: %+v", p, o)
		}
	}
	for _, f := range res.Findings {
		if f.Severity >= report.SevMedium {
			t.Errorf("finding on a proved release: %+v", f)
		}
	}
}

// (c) the database: helpers attributed to the tool and version that
// installed them (automake's compile, gettext's config.rpath and
// gettext.m4), gnulib files of another version, and a license rewrite
// undone for the lookup.
func TestProveDatabase(t *testing.T) {
	tarball := map[string]string{
		"build-aux/compile":      installed(t, "/usr/share/automake-1.16/compile"),
		"build-aux/config.rpath": installed(t, "/usr/share/gettext/config.rpath"),
		"m4/gettext.m4":          installed(t, "/usr/share/aclocal/gettext.m4"),
		"lib/c-ctype.c":          gnulibFile(t, "lib/c-ctype.c"),
		"lib/strnlen.c":          string(licenseRewrites[0].apply([]byte(gnulibFile(t, "lib/strnlen.c")))),
	}
	_, files := explainRelease(t, tarball, map[string]string{}, Input{})
	for rel, project := range map[string]string{"build-aux/compile": "automake", "build-aux/config.rpath": "gettext",
		"m4/gettext.m4": "gettext", "lib/c-ctype.c": "gnulib", "lib/strnlen.c": "gnulib"} {
		f := files[rel]
		if f.Origin == nil || f.Origin.Kind != report.OriginUpstream || f.Origin.Project != project || f.Origin.Version == "" || f.Severity != report.SevInfo {
			t.Errorf("%s: %+v origin %+v, want %s with a version", rel, f, f.Origin, project)
		}
	}
	if o := files["lib/strnlen.c"].Origin; o == nil || o.Transform == "" {
		t.Errorf("lib/strnlen.c: rewrite not recorded: %+v", o)
	}
}

// A tracked m4 file the release replaced by gettext's copy is proved, but
// stays visible (low); provenance never proves a tracked source file.
func TestProveReplacedAtRelease(t *testing.T) {
	m4 := installed(t, "/usr/share/aclocal/gettext.m4")
	c := gnulibFile(t, "lib/c-ctype.c")
	tree := map[string]string{"m4/gettext.m4": "# gettext.m4 serial 1\n", "src/c-ctype.c": "int x;\n"}
	_, files := explainRelease(t, map[string]string{"m4/gettext.m4": m4, "src/c-ctype.c": c}, tree, Input{})
	if f := files["m4/gettext.m4"]; f.Origin == nil || f.Severity != report.SevLow {
		t.Errorf("m4/gettext.m4: %+v", f)
	}
	if f := files["src/c-ctype.c"]; f.Origin != nil {
		t.Errorf("src/c-ctype.c: %+v", f)
	}
}

// The xz case: a gnulib m4 file that differs from every known version and
// from the pinned commit while keeping its serial stays high; without the
// pinned commit it keeps a finding of its own (never grouped).
func TestGnulibEditKeepingSerialStaysHigh(t *testing.T) {
	orig := gnulibFile(t, "m4/stdlib_h.m4")
	edited := strings.Replace(orig, "AC_DEFUN", "gl_hidden=`sed -n 3p tests/data.bin`\nAC_DEFUN", 1)
	for name, in := range map[string]Input{
		"pinned":  {GnulibTree: gnulibTree(map[string]string{"m4/stdlib_h.m4": orig})},
		"offline": {GnulibUnread: "41e7b7e0d159d8ac0eb385964119f350ac9dfc3f"},
	} {
		res, files := explainRelease(t, map[string]string{"m4/stdlib_h.m4": edited}, map[string]string{}, in)
		want := report.SevHigh
		if name == "offline" {
			want = report.SevMedium
		}
		f := files["m4/stdlib_h.m4"]
		if f.Origin != nil || f.Severity < want {
			t.Errorf("%s: edited m4/stdlib_h.m4 %+v", name, f)
		}
		high := false
		for _, fd := range res.Findings {
			high = high || fd.Path == "m4/stdlib_h.m4" && fd.Severity >= want
		}
		if !high {
			t.Errorf("%s: no high finding for the edited m4 file: %+v", name, res.Findings)
		}
	}
}

// When the pinned gnulib commit could not be read, the files only it could
// prove are one medium finding, not one each.
func TestGroupedGnulibUnread(t *testing.T) {
	tarball := map[string]string{}
	for _, b := range []string{"c-ctype.c", "c-ctype.h", "strnlen.c", "xalloc.h", "progname.c"} {
		tarball["lib/"+b] = "/* a gnulib copy of a version nobody knows */\nint " + strings.NewReplacer(".", "_", "-", "_").Replace(b) + ";\n"
	}
	res, files := explainRelease(t, tarball, map[string]string{}, Input{GnulibUnread: "41e7b7e0d159d8ac0eb385964119f350ac9dfc3f"})
	var grouped []report.Finding
	for _, f := range res.Findings {
		if f.Severity >= report.SevMedium {
			grouped = append(grouped, f)
		}
	}
	if len(grouped) != 1 || grouped[0].Rule != report.RuleOriginNotConsulted || grouped[0].Path != "lib/" ||
		!strings.HasPrefix(grouped[0].Message, "5 files look like gnulib copies; gnulib commit 41e7b7e0d159 could not be read") ||
		len(grouped[0].Evidence) != 5 || strings.Contains(grouped[0].Message, "--") {
		t.Errorf("findings ≥ medium: %+v", grouped)
	}
	if len(files) != 5 {
		t.Errorf("every file stays listed: %d", len(files))
	}
}

// A release that imports no gnulib (no pinned commit, no gnulib-comp.m4,
// gnulib-cache.m4, bootstrap.conf or gnulib.mk on either side) has no
// "gnulib copies": opus's doc/TODO is named like a gnulib file, nothing
// more. With a marker in the tag, the same files are gnulib look-alikes.
func TestGnulibLookAlikesNeedGnulib(t *testing.T) {
	tarball := map[string]string{}
	for _, b := range []string{"c-ctype.c", "strnlen.c", "xalloc.h"} {
		tarball["lib/"+b] = "/* named like gnulib */\nint " + strings.NewReplacer(".", "_").Replace(b) + ";\n"
	}
	for name, tag := range map[string]map[string]string{"no gnulib": {}, "bootstrap.conf": {"bootstrap.conf": "gnulib_modules=xalloc\n"}} {
		res, _ := explainRelease(t, tarball, tag, Input{})
		grouped := findingsOf(res, report.RuleOriginNotConsulted)
		if want := name != "no gnulib"; (len(grouped) == 1) != want {
			t.Errorf("%s: gnulib look-alike group %v, want %v: %+v", name, len(grouped) == 1, want, res.Findings)
		}
	}
}

// Files in git but not in the tarball make one finding per directory.
func TestGroupedOnlyInGit(t *testing.T) {
	tree := map[string]string{"README": "r\n", "tests/x.sh": "x\n"}
	for i := range 14 {
		tree[fmt.Sprintf("doc/notes/n%02d.txt", i)] = fmt.Sprintf("note %d\n", i)
	}
	res, files := explainRelease(t, map[string]string{"README": "r\n"}, tree, Input{})
	var doc, tests int
	for _, f := range res.Findings {
		switch {
		case f.Rule == report.RuleFileOnlyInGit && f.Path == "doc/notes/":
			doc++
			if !strings.HasPrefix(f.Message, "14 files in doc/notes: ") || len(f.Evidence) != maxEvidence+1 {
				t.Errorf("grouped finding %+v", f)
			}
		case f.Rule == report.RuleFileOnlyInGit && f.Path == "tests/x.sh":
			tests++
		case f.Rule == report.RuleFileOnlyInGit:
			t.Errorf("ungrouped %+v", f)
		}
	}
	if doc != 1 || tests != 1 || len(files) != 15 {
		t.Errorf("doc groups %d, tests/x.sh findings %d, files %d", doc, tests, len(files))
	}
}

// Unexplained files of one name in several directories (libarchive's
// generated */test/list.h) make one finding; a high one stays apart.
func TestGroupedByBaseName(t *testing.T) {
	tarball := map[string]string{}
	for _, d := range []string{"cat", "cpio", "tar"} {
		tarball[d+"/test/list.h"] = "DEFINE_TEST(test_" + d + ")\n"
	}
	tarball["unzip/test/list.h"] = "#!/bin/sh\nxz -dc tests/files/x | sh\n"
	res, _ := explainRelease(t, tarball, map[string]string{"README": "r\n"}, Input{Origins: emptyDB()})
	var group, high int
	for _, f := range res.Findings {
		switch {
		case strings.HasPrefix(f.Message, "3 files named list.h: "):
			group++
			if f.Severity != report.SevMedium || len(f.Evidence) != 3 || f.Path != "" {
				t.Errorf("grouped finding %+v", f)
			}
		case f.Path == "unzip/test/list.h" && f.Severity >= report.SevHigh:
			high++
		case strings.HasSuffix(f.Path, "list.h"):
			t.Errorf("ungrouped %+v", f)
		}
	}
	if group != 1 || high == 0 {
		t.Errorf("groups %d, high %d: %+v", group, high, res.Findings)
	}
}

func TestCommonDir(t *testing.T) {
	for _, tc := range []struct {
		paths []string
		want  string
	}{
		{[]string{"lib/a.c", "lib/b.c"}, "lib/"},
		{[]string{"lib/x/a.c", "lib/y/b.c"}, "lib/"},
		{[]string{"lib/a.c", "gnulib-tests/b.c"}, ""},
		{[]string{"a.c"}, ""},
	} {
		m := map[string]bool{}
		for _, p := range tc.paths {
			m[p] = true
		}
		if got := commonDir(m); got != tc.want {
			t.Errorf("commonDir(%v) = %q, want %q", tc.paths, got, tc.want)
		}
	}
}

func emptyDB() *origindb.DB { return origindb.Empty() }

// A helper stamped after every source of the database is "a version newer
// than the database" (low); an older stamp on unknown content stays medium.
func TestNewerThanDatabase(t *testing.T) {
	compile := installed(t, "/usr/share/automake-1.16/compile")
	i := strings.Index(compile, "scriptversion=")
	if i < 0 {
		t.Fatal("no scriptversion in compile")
	}
	stamped := func(date string) string {
		return compile[:i] + "scriptversion=" + date + ".01; # UTC\n# a newer upstream comment\n" + compile[strings.IndexByte(compile[i:], '\n')+i+1:]
	}
	for date, want := range map[string]report.Severity{"2099-01-01": report.SevLow, "2019-06-01": report.SevMedium} {
		_, files := explainRelease(t, map[string]string{"build-aux/compile": stamped(date)}, map[string]string{}, Input{})
		f := files["build-aux/compile"]
		if f.Origin != nil || f.Severity != want || want == report.SevLow && !strings.Contains(f.Reason, "newer than the database") {
			t.Errorf("stamp %s: %+v, want %s", date, f, want)
		}
	}
}
