package autotools

import (
	"slices"
	"strings"
	"testing"
)

func globStrings(gs []BuildGlob) []string {
	var out []string
	for _, g := range gs {
		out = append(out, g.Selector.Kind+" "+g.Selector.Pattern+" "+strings.Join(g.Selector.Roots, ","))
	}
	return out
}

func TestFindBuildGlobs(t *testing.T) {
	cases := []struct {
		path, text string
		want       []string
	}{
		{"CMakeLists.txt", "project(x)\nfile(GLOB MODS LIST_DIRECTORIES false CONFIGURE_DEPENDS \"${CMAKE_CURRENT_SOURCE_DIR}/cmake/*.cmake\")\n",
			[]string{"glob cmake/*.cmake "}},
		{"src/CMakeLists.txt", "file(GLOB_RECURSE SRCS RELATIVE ${CMAKE_SOURCE_DIR} *.c ${PROJECT_SOURCE_DIR}/lib/*.h)",
			[]string{"find-name *.c src", "find-name *.h lib"}},
		{"cmake/Mods.cmake", "FILE(GLOB x ${SOME_VAR}/*.cmake)\nfile(READ foo.txt y)", nil},
		{"tests/Makefile.am", "TESTS = $(wildcard $(srcdir)/*.test) $(wildcard $(top_srcdir)/extra/*.sh)\n",
			[]string{"glob tests/*.test ", "glob extra/*.sh "}},
		{"tests/run.sh", "#!/bin/sh\nfor f in \"$srcdir\"/files/bad-*; do\n  . \"$f\"\ndone\n",
			[]string{"glob tests/files/bad-* ", "glob files/bad-* "}},
		{"Makefile.am", "check-local:\n\tfor t in tests/*.sh; do sh $$t || exit 1; done\n",
			[]string{"glob tests/*.sh "}},
		// Not globs: literal lists, unknown variables, paths outside.
		{"tests/run.sh", "for f in a b c; do :; done\nfor f in $LIST; do :; done\nfor f in ../../*.sh; do :; done\n", nil},
		{"meson.build", "files('a.c', 'b.c')\n", nil},
		{"tests/build.sh", "for f in *; do :; done\nfor f in */*; do :; done\n", nil},
		// A maintainer tool's loop runs in no build (tmux's tools/cmp-cvs.sh).
		{"tools/cmp-cvs.sh", "for i in *.[ch]; do diff $i cvs/$i; done\n", nil},
		{"README", "for f in tests/*.sh", nil},
	}
	for _, tc := range cases {
		got := globStrings(FindBuildGlobs(tc.path, []byte(tc.text)))
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s %q: got %q, want %q", tc.path, tc.text, got, tc.want)
		}
	}
}

func TestGlobIndexSelecting(t *testing.T) {
	var gs []BuildGlob
	gs = append(gs, FindBuildGlobs("CMakeLists.txt", []byte("file(GLOB M cmake/*.cmake)\n"))...)
	gs = append(gs, FindBuildGlobs("src/CMakeLists.txt", []byte("\nfile(GLOB_RECURSE S *.c)\n"))...)
	gs = append(gs, FindBuildGlobs("tests/run.sh", []byte("for f in $srcdir/files/bad-*; do . $f; done\n"))...)
	x := NewGlobIndex(gs)
	if x.Len() != 4 {
		t.Fatalf("indexed %d globs, want 4", x.Len())
	}
	for p, want := range map[string]string{
		"cmake/Evil.cmake":          "cmake/*.cmake (CMakeLists.txt:1)",
		"src/deep/dir/x.c":          "*.c (src/CMakeLists.txt:2)",
		"tests/files/bad-3-payload": "$srcdir/files/bad-* (tests/run.sh:1)",
		"cmake/sub/Evil.cmake":      "",
		"lib/x.c":                   "",
		"tests/files/good-1":        "",
	} {
		hits := x.Selecting(p)
		got := ""
		if len(hits) > 0 {
			got = hits[0].String()
		}
		if got != want {
			t.Errorf("Selecting(%q) = %q, want %q", p, got, want)
		}
	}
	var nilIdx *GlobIndex
	if nilIdx.Selecting("a") != nil || nilIdx.Len() != 0 {
		t.Error("a nil index selects nothing")
	}
}

func TestClassifyBuildGlob(t *testing.T) {
	x := NewGlobIndex(FindBuildGlobs("tests/Makefile.am", []byte("check-local:\n\tfor f in $(srcdir)/files/*.dat; do ./decode $$f; done\n")))
	ctx := &Context{BuildGlobs: x}
	r := Classify(Input{Path: "tests/files/x.dat", Status: StatusOnlyInTarball, Tarball: []byte("plain words\n"), TarballSize: 12, TarballMode: ModeFile}, ctx)
	if r.Severity != SevHigh || !hasRule(r, RuleBuildGlob) || !strings.Contains(r.Reason, "tests/Makefile.am:2") {
		t.Errorf("tarball-only file picked by a glob: %+v", r)
	}
	// Negative: a file no glob picks, and a file only in git.
	r = Classify(Input{Path: "tests/other.txt", Status: StatusOnlyInTarball, Tarball: []byte("plain words\n"), TarballSize: 12, TarballMode: ModeFile}, ctx)
	if hasRule(r, RuleBuildGlob) {
		t.Errorf("file no glob picks: %+v", r)
	}
	r = Classify(Input{Path: "tests/files/y.dat", Status: StatusOnlyInGit, Git: []byte("x\n"), GitMode: ModeFile}, ctx)
	if hasRule(r, RuleBuildGlob) {
		t.Errorf("git-only file: %+v", r)
	}
}

func hasRule(r Result, rule string) bool {
	for _, s := range r.Signals {
		if s.Rule == rule {
			return true
		}
	}
	return false
}

func FuzzFindBuildGlobs(f *testing.F) {
	f.Add("CMakeLists.txt", "file(GLOB_RECURSE x \"${CMAKE_CURRENT_SOURCE_DIR}/a/*.c\" RELATIVE)")
	f.Add("t/run.sh", "for f in $srcdir/[a-*; do :; done")
	f.Add("Makefile.am", "$(wildcard ../*) ${wildcard a/b/**}")
	f.Fuzz(func(t *testing.T, p, text string) {
		x := NewGlobIndex(FindBuildGlobs(p, []byte(text)))
		for _, g := range x.globs {
			_ = x.Selecting(g.Selector.Pattern)
			if strings.HasPrefix(g.Selector.Pattern, "../") || strings.HasPrefix(g.Selector.Pattern, "/") {
				t.Fatalf("glob leaves the release: %q", g.Selector.Pattern)
			}
		}
	})
}
