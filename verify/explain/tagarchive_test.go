package explain

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tarcheck/tarcheck/verify/report"
)

// tarGz builds a .tar.gz of files (name -> content) with Go's writers.
func tarGz(t *testing.T, files [][2]string) string {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	tw := tar.NewWriter(zw)
	for _, f := range files {
		if strings.HasSuffix(f[0], "/") {
			tw.WriteHeader(&tar.Header{Name: f[0], Typeflag: tar.TypeDir, Mode: 0o755})
			continue
		}
		tw.WriteHeader(&tar.Header{Name: f[0], Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(f[1]))})
		tw.Write([]byte(f[1]))
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// zipOf builds a zip of files (name -> content).
func zipOf(t *testing.T, files [][2]string) string {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range files {
		w, err := zw.Create(f[0])
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(f[1]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// tarXz builds a .tar.xz of files with the system's tar (GNU tar and xz),
// the way a project's maintainer makes its test archives.
func tarXz(t *testing.T, files [][2]string) string {
	t.Helper()
	for _, tool := range []string{"tar", "xz"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("TARCHECK_REQUIRE_TOOLS") == "1" {
				t.Fatalf("%s is required (TARCHECK_REQUIRE_TOOLS=1): %v", tool, err)
			}
			t.Skipf("%s not installed", tool)
		}
	}
	dir := t.TempDir()
	var names []string
	for _, f := range files {
		p := filepath.Join(dir, "src", f[0])
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f[1]), 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, f[0])
	}
	out := filepath.Join(dir, "a.tar.xz")
	cmd := exec.Command("tar", append([]string{"-cJf", out, "-C", filepath.Join(dir, "src")}, names...)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tar: %v\n%s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// meson's test suite unpacks the wraps' archives of the tag
// (subprojects/packagecache/*.tar.xz, packagefiles/*.zip) before the sdist
// is made: a file only in the tarball whose bytes are a member of a nearby
// archive of the tag, at the member's path (with or without its top
// directory), is proved, low, naming the archive and the member.
func TestProveTagArchive(t *testing.T) {
	const (
		barC      = "int bar(void) { return 42; }\n"
		fooBuild  = "project('foo', 'c')\nlibfoo = static_library('foo', 'foo.c')\n"
		zlibBuild = "project('zlib', 'c')\n"
		tc        = "test cases/common/153 wrap/"
	)
	tree := map[string]string{
		tc + "meson.build": "project('wrap')\n",
		tc + "subprojects/packagefiles/bar-1.0.tar.xz":       tarXz(t, [][2]string{{"bar.c", barC}}),
		tc + "subprojects/packagecache/foo-1.0-patch.tar.gz": tarGz(t, [][2]string{{"foo-1.0/", ""}, {"foo-1.0/meson.build", fooBuild}}),
		tc + "subprojects/packagecache/zlib-wrap.zip":        zipOf(t, [][2]string{{"zlib-1.2.8/meson.build", zlibBuild}}),
		"docs/far/away/archive.tar.gz":                       tarGz(t, [][2]string{{"x/notes.txt", "far away\n"}}),
	}
	tarball := map[string]string{
		tc + "meson.build":                        tree[tc+"meson.build"],
		tc + "subprojects/bar-1.0/bar.c":          barC,
		tc + "subprojects/foo-1.0/meson.build":    fooBuild,
		tc + "subprojects/zlib-1.2.8/meson.build": zlibBuild,
		tc + "subprojects/zlib-1.2.8/extra.c":     "int extra;\n",
		"tests/unrelated/deep/dir/x/notes.txt":    "far away\n",
	}
	for p, c := range tree {
		tarball[p] = c
	}
	res, files := explainRelease(t, tarball, tree, Input{Origins: emptyDB()})
	for rel, want := range map[string][2]string{
		tc + "subprojects/bar-1.0/bar.c":          {tc + "subprojects/packagefiles/bar-1.0.tar.xz", "bar.c"},
		tc + "subprojects/foo-1.0/meson.build":    {tc + "subprojects/packagecache/foo-1.0-patch.tar.gz", "foo-1.0/meson.build"},
		tc + "subprojects/zlib-1.2.8/meson.build": {tc + "subprojects/packagecache/zlib-wrap.zip", "zlib-1.2.8/meson.build"},
	} {
		f := files[rel]
		if f.Origin == nil || f.Origin.Kind != report.OriginTagArchive || f.Origin.Path != want[0] || f.Origin.Member != want[1] ||
			f.Severity != report.SevLow || f.Class != ClassTagCopy {
			t.Errorf("%s: %+v origin %+v, want low, proved by member %s of %s", rel, f, f.Origin, want[1], want[0])
			continue
		}
		if !strings.Contains(f.Reason, "extracted from the tag's "+want[0]+" (member "+want[1]+")") {
			t.Errorf("%s: reason %q", rel, f.Reason)
		}
	}
	// Not in any archive; in an archive too far from the file.
	for _, rel := range []string{tc + "subprojects/zlib-1.2.8/extra.c", "tests/unrelated/deep/dir/x/notes.txt"} {
		if f := files[rel]; f.Origin != nil || f.Severity < report.SevMedium {
			t.Errorf("%s: %+v origin %+v, want unproved", rel, f, f.Origin)
		}
	}
	for _, f := range res.Findings {
		if f.Severity >= report.SevMedium && strings.Contains(f.Path+strings.Join(f.Evidence, " "), "bar-1.0") {
			t.Errorf("finding %+v", f)
		}
	}
}

// A file named like a member of a nearby archive but with other bytes, a
// member's bytes at a path that is not the member's, a tracked file
// replaced by a member, and a member whose bytes are build logic that
// decodes and runs data: none is proved by the archive.
func TestTagArchiveNegative(t *testing.T) {
	const barC = "int bar(void) { return 42; }\n"
	evil := "#!/bin/sh\nxz -dc tests/files/bad.xz | sh\n"
	arc := tarGz(t, [][2]string{{"bar-1.0/bar.c", barC}, {"bar-1.0/configure.sh", evil}})
	tree := map[string]string{
		"subprojects/packagecache/bar-1.0.tar.gz": arc,
		"subprojects/bar-1.0/tracked.c":           barC + "/* git */\n",
	}
	tarball := map[string]string{
		"subprojects/packagecache/bar-1.0.tar.gz": arc,
		"subprojects/bar-1.0/bar.c":               barC + "/* one more line */\n", // name matches, content does not
		"subprojects/baz-2.0/baz.c":               barC,                           // content matches, path does not
		"subprojects/bar-1.0/tracked.c":           barC,                           // replaces a tracked file
		"subprojects/bar-1.0/configure.sh":        evil,
	}
	_, files := explainRelease(t, tarball, tree, Input{Origins: emptyDB()})
	for rel, f := range files {
		if rel == "subprojects/packagecache/bar-1.0.tar.gz" {
			continue
		}
		if f.Origin != nil && f.Origin.Kind == report.OriginTagArchive {
			t.Errorf("%s: proved by %+v", rel, f.Origin)
		}
		if f.Severity < report.SevMedium {
			t.Errorf("%s: %s %q, want at least medium", rel, f.Severity, f.Reason)
		}
	}
}

// The path relation: the extraction directory and the archive lie at
// most archiveReach directories below their common ancestor.
func TestExtractedAs(t *testing.T) {
	for _, c := range []struct {
		rel, member, adir string
		want              bool
	}{
		{"t/subprojects/bar-1.0/bar.c", "bar.c", "t/subprojects/packagefiles", true},
		{"t/subprojects/bar-1.0/meson.build", "bar-1.0/meson.build", "t/subprojects/packagefiles", true},
		{"t/subprojects/foo/meson.build", "foo-1.0/meson.build", "t/subprojects/packagecache", true}, // top dir stripped
		{"bar.c", "bar.c", "", true},
		{"a/b/c/d/bar.c", "bar.c", "x/y", false},
		{"t/subprojects/bar-1.0/bar.c", "other.c", "t/subprojects", false},
		{"t/subprojects/bar-1.0/xbar.c", "bar.c", "t/subprojects", false},
	} {
		if got := extractedAs(c.rel, c.member, c.adir); got != c.want {
			t.Errorf("extractedAs(%q, %q, %q) = %v, want %v", c.rel, c.member, c.adir, got, c.want)
		}
	}
}

// git format-patch output of several files: the greedy application (in
// path order, as patch(1) would, with its fuzz) proves the patched file
// from a member of a tag archive, and one from a tag file.
func TestProveTagPatched(t *testing.T) {
	const (
		foo42 = "int dummy_func(void) {\n    return 42;\n}\n"
		foo44 = "int dummy_func(void) {\n    return 44;\n}\n"
		build = "project('foo', 'c')\nlibfoo = static_library('foo', 'foo.c')\n"
	)
	fooExe := foo44 + "\nint main(void) {\n    return dummy_func() == 44 ? 0 : 1;\n}\n"
	buildExe := "project('foo', 'c')\nfoo_exe = executable('foo', 'foo.c')\n"
	exe := "From b79f Mon Sep 17 00:00:00 2001\nSubject: [PATCH] Change foo to executable\n\n---\n foo.c | 4 ++++\n\n" +
		"diff --git a/foo.c b/foo.c\nindex 54f9119..468f033 100644\n--- a/foo.c\n+++ b/foo.c\n@@ -1,3 +1,7 @@\n" +
		" int dummy_func(void) {\n     return 44;\n }\n+\n+int main(void) {\n+    return dummy_func() == 44 ? 0 : 1;\n+}\n" +
		"diff --git a/meson.build b/meson.build\n--- a/meson.build\n+++ b/meson.build\n@@ -1,2 +1,2 @@\n" +
		" project('foo', 'c')\n-libfoo = static_library('foo', 'foo.c')\n+foo_exe = executable('foo', 'foo.c')\n-- \n2.17.1\n"
	to44 := "Subject: [PATCH] 44\n---\ndiff --git a/foo.c b/foo.c\n--- a/foo.c\n+++ b/foo.c\n@@ -1,3 +1,3 @@\n" +
		" int dummy_func(void) {\n-    return 42;\n+    return 44;\n }\n-- \n2.17.1\n"
	tree := map[string]string{
		"sub/packagecache/foo-1.0.tar.gz":              tarGz(t, [][2]string{{"foo.c", foo42}}),
		"sub/packagefiles/foo-1.0/meson.build":         build,
		"sub/packagefiles/patchfile/0001-exe.patch":    exe,
		"sub/packagefiles/patchfile/0002-return.patch": to44,
	}
	tarball := map[string]string{"sub/foo-1.0-patchfile/foo.c": fooExe, "sub/foo-1.0-patchfile/meson.build": buildExe,
		"sub/foo-1.0-other/foo.c": fooExe + "/* not from any patch */\n"}
	for p, c := range tree {
		tarball[p] = c
	}
	_, files := explainRelease(t, tarball, tree, Input{Origins: emptyDB()})
	f := files["sub/foo-1.0-patchfile/foo.c"]
	if o := f.Origin; o == nil || o.Kind != report.OriginTagArchive || o.Member != "foo.c" || f.Severity != report.SevLow ||
		o.Patch != "sub/packagefiles/patchfile/0001-exe.patch, sub/packagefiles/patchfile/0002-return.patch" {
		t.Errorf("foo.c: %+v origin %+v", f, f.Origin)
	}
	f = files["sub/foo-1.0-patchfile/meson.build"]
	if o := f.Origin; o == nil || o.Kind != report.OriginTag || o.Path != "sub/packagefiles/foo-1.0/meson.build" ||
		o.Patch != "sub/packagefiles/patchfile/0001-exe.patch" || f.Severity != report.SevLow ||
		!strings.Contains(f.Reason, "the tag's sub/packagefiles/foo-1.0/meson.build patched by the tag's sub/packagefiles/patchfile/0001-exe.patch") {
		t.Errorf("meson.build: %+v origin %+v", f, f.Origin)
	}
	if f := files["sub/foo-1.0-other/foo.c"]; f.Origin != nil || f.Severity < report.SevMedium {
		t.Errorf("a file no patch makes: %+v origin %+v", f, f.Origin)
	}
}

// A format-patch's sections: headers, hunks counted by their headers (a
// removed line "--- x" inside a hunk starts no section), the signature
// dropped, git's a/ b/ prefixes taken off, deletions without a target.
func TestPatchSections(t *testing.T) {
	diff := "Subject: x\n---\n a | 1 +\n\ndiff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1,2 +1,2 @@\n--- old\n+++ new\n keep\n" +
		"\\ No newline at end of file\n--- /dev/null\n+++ b/dir/new.c\n@@ -0,0 +1 @@\n+x\n" +
		"--- gone.c\t2020-01-01\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n-- \n2.17.1\n"
	got := patchSections([]byte(diff))
	if len(got) != 3 || got[0].target != "a" || got[1].target != "dir/new.c" || got[2].target != "" {
		t.Fatalf("sections %+v", got)
	}
	if out, err := ApplyPatch([]byte("-- old\nkeep"), got[0].body); err != nil || string(out) != "++ new\nkeep" {
		t.Errorf("first section: %q %v", out, err)
	}
	if strings.Contains(string(got[2].body), "2.17.1") {
		t.Errorf("signature kept: %q", got[2].body)
	}
	if patchSections([]byte("--- a\n+++ b\n@@ bad @@\n")) != nil {
		t.Error("bad hunk header accepted")
	}
}

// A patch that applies only after another is applied in a later round;
// a result that never has the id proves nothing.
func TestApplyUntil(t *testing.T) {
	sec := func(file, from, to string) tagPatch {
		return tagPatch{file: file, patchSection: patchSection{target: "f", body: []byte(
			"--- a/f\n+++ b/f\n@@ -1,5 +1,5 @@\n a\n b\n-" + from + "\n+" + to + "\n d\n e\n")}}
	}
	second, first := sec("p1", "y", "z"), sec("p2", "x", "y")
	want := "a\nb\nz\nd\ne\n"
	got, ok := applyUntil([]byte("a\nb\nx\nd\ne\n"), []tagPatch{second, first}, blobID(want))
	if !ok || strings.Join(got, " ") != "p2 p1" {
		t.Errorf("applied %v %v, want p2 p1", got, ok)
	}
	if _, ok := applyUntil([]byte("a\nb\nx\nd\ne\n"), []tagPatch{second, first}, blobID("other\n")); ok {
		t.Error("proved content no patch makes")
	}
}

// Patch files of the tag are untrusted: splitting never panics, every
// section starts with its "---" header and is no longer than the input.
func FuzzPatchSections(f *testing.F) {
	f.Add([]byte("diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n--- x\n+y\n keep\n-- \n2.17.1\n"))
	f.Add([]byte("--- /dev/null\n+++ b/n\n@@ -0,0 +1 @@\n+x\n\\ No newline at end of file\n"))
	f.Add([]byte("--- a\n+++ b\n@@ -1 +1 @@\n"))
	f.Fuzz(func(t *testing.T, diff []byte) {
		total := 0
		for _, s := range patchSections(diff) {
			if !bytes.HasPrefix(s.body, []byte("--- ")) {
				t.Fatalf("section %q does not start with its header", s.body)
			}
			total += len(s.body)
			ApplyPatch([]byte("a\nb\n"), s.body)
		}
		if total > len(diff)+1 {
			t.Fatalf("sections of %d bytes from %d", total, len(diff))
		}
	})
}

// The tag's archives are untrusted bytes: a corrupt one proves nothing and
// stops nothing, the format comes from the bytes (a zip named .tar.gz),
// and past the count cap no archive is opened.
func TestTagArchiveUntrusted(t *testing.T) {
	const c = "int c(void) { return 1; }\n"
	tree := map[string]string{
		"sub/cache/broken.tar.gz": "\x1f\x8b\x08\x00 not really gzip",
		"sub/cache/c-1.0.tar.gz":  zipOf(t, [][2]string{{"c-1.0/c.c", c}}),
	}
	tarball := map[string]string{"sub/c-1.0/c.c": c}
	for p, b := range tree {
		tarball[p] = b
	}
	_, files := explainRelease(t, tarball, tree, Input{Origins: emptyDB()})
	if f := files["sub/c-1.0/c.c"]; f.Origin == nil || f.Origin.Kind != report.OriginTagArchive || f.Origin.Path != "sub/cache/c-1.0.tar.gz" {
		t.Errorf("zip named .tar.gz: %+v origin %+v", f, f.Origin)
	}
	cmp, bl := release(t, "p-1.0", tarball, tree, nil)
	p := NewProvenance(cmp.Index, bl, nil, nil, emptyDB())
	if o := p.Prove("sub/c-1.0/c.c", blobID(c), []byte(c)); o == nil || o.Kind != report.OriginTagArchive {
		t.Fatalf("Prove: %+v", o)
	}
	p = NewProvenance(cmp.Index, bl, nil, nil, emptyDB())
	p.tagArchiveList()
	p.archives.opened = maxTagArchives
	if o := p.Prove("sub/c-1.0/c.c", blobID(c), []byte(c)); o != nil {
		t.Errorf("an archive opened past the cap: %+v", o)
	}
	p = NewProvenance(cmp.Index, bl, nil, nil, emptyDB())
	p.tagArchiveList()
	p.archives.unpacked = maxTagArchiveUnpacked
	if o := p.Prove("sub/c-1.0/c.c", blobID(c), []byte(c)); o != nil {
		t.Errorf("an archive unpacked past the budget: %+v", o)
	}
}
