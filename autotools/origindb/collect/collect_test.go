package collect

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tarcheck/tarcheck/autotools/origindb"
)

func requireGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("TARCHECK_REQUIRE_TOOLS") == "1" {
			t.Fatalf("required tool git: %v", err)
		}
		t.Skipf("git not installed: %v", err)
	}
}

// gitAt runs git in dir with a fixed identity and commit date.
func gitAt(t *testing.T, dir, date string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.invalid", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.invalid",
		"GIT_AUTHOR_DATE="+date+"T12:00:00Z", "GIT_COMMITTER_DATE="+date+"T12:00:00Z")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return strings.TrimSpace(out.String())
}

func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func day(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }

// fixtureRepo makes an "automake"-like history: lib/compile in three
// versions (two released as tags), m4/foo.m4 added then removed, and an
// unselected file.
func fixtureRepo(t *testing.T) string {
	dir := t.TempDir()
	gitAt(t, dir, "2020-01-01", "init", "--quiet")
	steps := []struct {
		date, tag string
		files     map[string]string
		rm        string
	}{
		{"2020-01-01", "v1.0", map[string]string{"lib/compile": "compile 1\n", "m4/foo.m4": "# serial 1\n", "src/main.c": "int main;\n"}, ""},
		{"2020-06-01", "", map[string]string{"lib/compile": "compile 2\n"}, ""},
		{"2021-01-01", "Release-1-1", map[string]string{"README": "x\n"}, ""},
		{"2022-01-01", "", map[string]string{"lib/compile": "compile 3\n"}, "m4/foo.m4"},
	}
	for _, s := range steps {
		write(t, dir, s.files)
		if s.rm != "" {
			gitAt(t, dir, s.date, "rm", "--quiet", s.rm)
		}
		gitAt(t, dir, s.date, "add", "-A")
		gitAt(t, dir, s.date, "commit", "--quiet", "-m", "step "+s.date)
		if s.tag != "" {
			gitAt(t, dir, s.date, "tag", "-a", "-m", s.tag, s.tag)
		}
	}
	return dir
}

func TestGitHistoryLookup(t *testing.T) {
	requireGit(t)
	dir := fixtureRepo(t)
	r, err := ParseRepo("automake=" + dir)
	if err != nil {
		t.Fatal(err)
	}
	data, stats, err := Build(context.Background(), Config{Repos: []Repo{r}})
	if err != nil {
		t.Fatal(err)
	}
	db, err := origindb.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Verify(); err != nil {
		t.Fatal(err)
	}
	if len(stats) != 1 || stats[0].Blobs != 4 || strings.Join(stats[0].Versions, " ") != "1.0 1.1" {
		t.Errorf("stats = %+v, want 4 blobs and versions 1.0 1.1", stats)
	}
	if o := db.LookupBlob(BlobID([]byte("int main;\n"))); o != nil {
		t.Errorf("unselected src/main.c recorded: %v", o)
	}
	cases := []struct{ content, want string }{
		{"compile 1\n", "automake 1.0 lib/compile"},
		{"compile 2\n", "automake 1.1 lib/compile"},
		{"compile 3\n", "automake git 2022-01-01 lib/compile"},
		{"# serial 1\n", "automake 1.0..1.1 m4/foo.m4"},
	}
	for _, c := range cases {
		got := db.LookupBlob(BlobID([]byte(c.content)))
		if len(got) != 1 || got[0].String() != c.want {
			t.Errorf("LookupBlob(%q) = %v, want %s", c.content, got, c.want)
		}
	}
	// Dates: version 2 was current from its commit until version 3's.
	o := db.LookupBlob(BlobID([]byte("compile 2\n")))[0]
	if !o.First.Equal(day("2020-06-01")) || !o.Last.Equal(day("2022-01-01")) {
		t.Errorf("compile 2 current %v..%v, want 2020-06-01..2022-01-01", o.First, o.Last)
	}
	// The removed m4 file's range ends at its removal.
	if o := db.LookupBlob(BlobID([]byte("# serial 1\n")))[0]; !o.Last.Equal(day("2022-01-01")) {
		t.Errorf("foo.m4 last %v, want its removal 2022-01-01", o.Last)
	}
	vs := db.VersionsOf("automake", "lib/compile")
	if len(vs) != 3 || vs[2].Origin.FirstVersion != "" {
		t.Errorf("VersionsOf = %+v", vs)
	}
	info := db.Name("compile")
	if info.Versions != 3 || !info.NewestFirst.Equal(day("2022-01-01")) || !info.Covered.Equal(day("2022-01-01")) {
		t.Errorf("Name(compile) = %+v", info)
	}

	// Extending: a second build over the first keeps everything and adds a package.
	pkg := filepath.Join(t.TempDir(), "automake_1%3a1.0-1_all")
	write(t, pkg, map[string]string{"usr/share/automake-1.0/compile": "compile 1\n", "usr/share/doc/x": "not recorded\n"})
	data2, _, err := Build(context.Background(), Config{Base: db, Debian: []DebianSource{{Suite: "test", Dir: filepath.Dir(pkg)}}})
	if err != nil {
		t.Fatal(err)
	}
	db2, err := origindb.Open(data2)
	if err != nil {
		t.Fatal(err)
	}
	got := db2.LookupBlob(BlobID([]byte("compile 1\n")))
	if len(got) != 2 || got[1].String() != "automake Debian test 1:1.0-1 /usr/share/automake-1.0/compile" || !got[1].Package {
		t.Errorf("extended lookup = %v", got)
	}
	if db2.Blobs() != db.Blobs() || db2.LookupBlob(BlobID([]byte("not recorded\n"))) != nil {
		t.Errorf("extension: %d blobs (was %d)", db2.Blobs(), db.Blobs())
	}

	// A plain directory (tarcheck db build --from DIR).
	plain := t.TempDir()
	write(t, plain, map[string]string{"m4/local.m4": "# serial 7\n", ".git/HEAD": "ref\n"})
	data3, _, err := Build(context.Background(), Config{Base: db2, Dirs: []DirSource{{Project: "local", Label: "dir:aclocal", Dir: plain}}})
	if err != nil {
		t.Fatal(err)
	}
	db3, _ := origindb.Open(data3)
	if got := db3.LookupBlob(BlobID([]byte("# serial 7\n"))); len(got) != 1 || got[0].String() != "local dir:aclocal dir:aclocal/m4/local.m4" {
		t.Errorf("directory lookup = %v", got)
	}
	if db3.LookupBlob(BlobID([]byte("ref\n"))) != nil || db3.Blobs() != db2.Blobs()+1 {
		t.Errorf("directory: %d blobs, .git recorded?", db3.Blobs())
	}
}

func TestVersionFromTag(t *testing.T) {
	for tag, want := range map[string]string{
		"v1.16.5": "1.16.5", "Release-1-10-1": "1.10.1", "AUTOCONF-2.52a": "2.52a", "pkg-config-0.29.2": "0.29.2",
		"pkgconf-1.8.1": "1.8.1", "v2023.02.20": "2023.02.20", "release-0-6a": "0.6a", "0.11.2-branchpoint": "",
		"ylwrap-refactor-abandoned-branch": "", "v0.10.36": "0.10.36", "EMACS_21_1": "",
	} {
		if got := VersionFromTag("automake", tag); got != want {
			t.Errorf("VersionFromTag(%q) = %q, want %q", tag, got, want)
		}
	}
}

func TestParseRepo(t *testing.T) {
	if r, err := ParseRepo("/x/autotools-mirror+automake/repo"); err != nil || r.Project != "automake" || !r.Tags {
		t.Errorf("ParseRepo(mirror) = %+v, %v", r, err)
	}
	if r, err := ParseRepo("gnulib=/src/gl"); err != nil || r.Project != "gnulib" || r.Tags || r.Dir != "/src/gl" {
		t.Errorf("ParseRepo(gnulib=) = %+v, %v", r, err)
	}
	if _, err := ParseRepo("/src/unknown"); err == nil || !strings.Contains(err.Error(), "PROJECT=DIR") {
		t.Errorf("ParseRepo(unknown) = %v", err)
	}
}

func TestUpstreamAndDebianDate(t *testing.T) {
	if v := UpstreamVersion("1:1.16.5-1.3"); v != "1.16.5" {
		t.Errorf("UpstreamVersion = %q", v)
	}
	cl := []byte("automake-1.16 (1:1.16.5-1.3) unstable; urgency=medium\n\n  * x\n\n -- A B <a@b.org>  Sat, 04 Feb 2023 12:00:00 +0100\n")
	if d := DebianDate(cl); !d.Equal(time.Date(2023, 2, 4, 11, 0, 0, 0, time.UTC)) {
		t.Errorf("DebianDate = %v", d)
	}
	if ProjectOfPackage("pkg-config", "0.29.2-1") != "pkg-config" || ProjectOfPackage("pkg-config", "1.8.1-1") != "pkgconf" || ProjectOfPackage("autopoint", "0.21") != "gettext" {
		t.Error("ProjectOfPackage")
	}
}

func TestVocabHelper(t *testing.T) {
	for p, want := range map[string]string{
		"build-aux/config.sub":              "config.sub",
		"build-aux/ltmain.in":               "ltmain.sh",
		"build-aux/funclib.sh":              "ltmain.sh",
		"libltdl/config/general.m4sh":       "ltmain.sh",
		"build-aux/test-driver.diff":        "test-driver",
		"gettext-runtime/po/Makefile.in.in": "Makefile.in.in",
		"lib/xalloc.h":                      "",
		"build-aux/gendocs.sh":              "",
	} {
		if got, _ := VocabHelper(p); got != want {
			t.Errorf("VocabHelper(%q) = %q, want %q", p, got, want)
		}
	}
}

func TestVocabDir(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "build-aux"), 0o755)
	os.WriteFile(filepath.Join(dir, "build-aux", "install-sh"), []byte("#!/bin/sh\nmkdir -p \"$dst\"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "build-aux", "test-driver.diff"), []byte("--- a\n+++ b\n+exec 9>&1\n-old line\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "README"), []byte("echo not a helper\n"), 0o644)
	b := origindb.NewVocabBuilder()
	n, err := VocabDir(b, dir)
	if err != nil || n != 2 {
		t.Fatalf("VocabDir: %d files, %v", n, err)
	}
	v, err := origindb.OpenVocab(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !v.Contains("install-sh", []byte(`mkdir -p "$dst"`)) || !v.Contains("test-driver", []byte("exec 9>&1")) {
		t.Error("helper lines or patch additions missing")
	}
	if v.Contains("test-driver", []byte("old line")) || v.Contains("test-driver", []byte("+++ b")) || v.Lines("README") != 0 {
		t.Error("removed patch lines, headers or non-helpers recorded")
	}
	if n, err := VocabDir(b, filepath.Join(dir, "missing")); n != 0 || err != nil {
		t.Errorf("missing directory: %d, %v", n, err)
	}
}

// msysPatch is the shape of a distribution's libtool patch: a mail
// header, then hunks on build-aux/ltmain.in and m4/libtool.m4.
const msysPatch = `From 0123 Mon Sep 17 00:00:00 2001
Subject: [PATCH] msysize
+not a hunk line

--- a/build-aux/ltmain.in
+++ b/build-aux/ltmain.in
@@ -1,2 +1,3 @@
 known line
-    *cygwin* | *mingw*)
+    *cygwin* | *msys* | *mingw*)
+++ counted as an added line starting with ++
--- a/m4/libtool.m4
+++ b/m4/libtool.m4
@@ -1 +1 @@
+  msys*) lt_cv_sys=msys ;;
`

func TestPatchAdditions(t *testing.T) {
	got := PatchAdditions([]byte(msysPatch))
	if len(got) != 1 || len(got["ltmain.sh"]) != 2 || string(got["ltmain.sh"][0]) != "    *cygwin* | *msys* | *mingw*)" {
		t.Fatalf("PatchAdditions = %q", got)
	}
}

func TestVocabPatchesGit(t *testing.T) {
	requireGit(t)
	dir := t.TempDir()
	gitAt(t, dir, "2020-01-01", "init", "--quiet")
	write(t, dir, map[string]string{"mingw-w64-libtool/0007-msysize.patch": msysPatch, "python-foo/0001-x.patch": "+++ b/build-aux/ltmain.in\n@@ -1 +1 @@\n+unrelated package\n"})
	gitAt(t, dir, "2020-01-01", "add", "-A")
	gitAt(t, dir, "2020-01-01", "commit", "--quiet", "-m", "patches")
	b := origindb.NewVocabBuilder()
	base := origindb.NewVocabBuilder()
	base.AddFile("ltmain.sh", []byte("known line\n"))
	old, err := origindb.OpenVocab(base.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	b.AddVocab(old)
	n, err := VocabPatchesGit(context.Background(), b, dir)
	if err != nil || n != 1 {
		t.Fatalf("VocabPatchesGit: %d patches, %v", n, err)
	}
	v, err := origindb.OpenVocab(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !v.Contains("ltmain.sh", []byte("*cygwin* | *msys* | *mingw*)")) || !v.Contains("ltmain.sh", []byte("known line")) || v.Versions("ltmain.sh") != 1 {
		t.Errorf("patched or base lines missing (versions %d)", v.Versions("ltmain.sh"))
	}
	if v.Contains("ltmain.sh", []byte("*cygwin* | *mingw*)")) || v.Contains("ltmain.sh", []byte("unrelated package")) || v.Lines("libtool.m4") != 0 {
		t.Error("removed lines, other packages' patches or non-helpers recorded")
	}
}

func FuzzPatchAdditions(f *testing.F) {
	f.Add([]byte(msysPatch))
	f.Add([]byte("+++ b/build-aux/compile\n@@ -1,-3 +1,999999999999 @@\n+x\n"))
	f.Fuzz(func(t *testing.T, content []byte) {
		for h, lines := range PatchAdditions(content) {
			if h == "" || len(lines) == 0 {
				t.Fatalf("empty helper or no lines: %q %q", h, lines)
			}
		}
	})
}

// gtk-doc-tools' makefiles (what gtkdocize copies) and its gtk-doc.m4 are
// recorded as project gtk-doc; its stylesheets are not.
func TestDebianGtkDoc(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "gtk-doc-tools_1.33.2-1_all")
	files := map[string]string{
		"usr/share/gtk-doc/data/gtk-doc.make":      "# -*- mode: makefile -*-\n# gtk-doc.make\n",
		"usr/share/gtk-doc/data/gtk-doc.flat.make": "# -*- mode: makefile -*-\n# flat\n",
		"usr/share/gtk-doc/data/gtk-doc.xsl":       "<xsl/>\n",
		"usr/share/aclocal/gtk-doc.m4":             "dnl -*- mode: autoconf -*-\n",
		"usr/share/gtk-doc/python/gtkdoc/scan.py":  "import os\n",
	}
	for p, c := range files {
		f := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b := origindb.NewBuilder()
	if _, err := DebianDir(b, "bookworm", dir); err != nil {
		t.Fatal(err)
	}
	data, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	db, err := origindb.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	for p, c := range files {
		got := db.LookupBlob(BlobID([]byte(c)))
		want := strings.HasSuffix(p, ".make") || strings.HasSuffix(p, ".m4")
		if want != (len(got) == 1) {
			t.Errorf("%s: origins %+v, recorded %v", p, got, want)
			continue
		}
		if want && (got[0].Project != "gtk-doc" || got[0].FirstVersion != "Debian bookworm 1.33.2-1" || got[0].Path != "/"+p) {
			t.Errorf("%s: origin %+v", p, got[0])
		}
	}
}

// A build on a base database extends it and keeps its build date.
func TestBuildOnBase(t *testing.T) {
	b := origindb.NewBuilder()
	b.Built = time.Date(2026, 8, 22, 0, 0, 0, 0, time.UTC)
	if err := b.Add(BlobID([]byte("old\n")), origindb.Origin{Project: "automake", Path: "lib/compile", FirstVersion: "1.16.5", LastVersion: "1.16.5"}); err != nil {
		t.Fatal(err)
	}
	data, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	base, err := origindb.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f := filepath.Join(dir, "gtk-doc-tools_1.34.0-2_all", "usr/share/gtk-doc/data/gtk-doc.make")
	os.MkdirAll(filepath.Dir(f), 0o755)
	os.WriteFile(f, []byte("new\n"), 0o644)
	out, _, err := Build(context.Background(), Config{Base: base, Debian: []DebianSource{{Suite: "trixie", Dir: dir}}})
	if err != nil {
		t.Fatal(err)
	}
	db, err := origindb.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	if !db.Has(BlobID([]byte("old\n"))) || !db.Has(BlobID([]byte("new\n"))) || !db.Built().Equal(base.Built()) {
		t.Errorf("blobs %d, built %v (base %v)", db.Blobs(), db.Built(), base.Built())
	}
}
