package autotools

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestBaselineLoads(t *testing.T) {
	if err := BaselineErr(); err != nil {
		t.Fatalf("embedded baseline: %v", err)
	}
	db := Baseline()
	if db.Len() < 1000 {
		t.Errorf("baseline has %d entries, want > 1000", db.Len())
	}
	if db.Snapshot.IsZero() {
		t.Error("baseline has no snapshot date")
	}
	var names []string
	for _, p := range db.Packages {
		if p.Version == "" {
			t.Errorf("package %s has no version", p.Name)
		}
		names = append(names, p.Name)
	}
	for _, want := range []string{"gnulib", "autoconf-archive", "automake", "libtool", "gettext", "autopoint", "pkgconf"} {
		if !slices.Contains(names, want) {
			t.Errorf("baseline packages %v lack %s", names, want)
		}
	}
	// The m4 files every autotools project copies are known by name.
	for _, n := range []string{"libtool.m4", "ltoptions.m4", "pkg.m4", "gettext.m4", "po.m4", "ax_pthread.m4", "stdlib_h.m4", "install-sh", "config.guess"} {
		if len(db.Known(n)) == 0 {
			t.Errorf("baseline does not know %s", n)
		}
	}
	// gettext's archive brings older versions of its macros.
	if got := len(db.Known("gettext.m4")); got < 5 {
		t.Errorf("baseline knows %d versions of gettext.m4, want several", got)
	}
}

// TestBaselineRecognisesGnulibFile proves a real gnulib m4 file is recognised
// as an upstream copy and a modified copy is not.
func TestBaselineRecognisesGnulibFile(t *testing.T) {
	orig := requireFile(t, "/usr/share/gnulib/m4/stdlib_h.m4")
	db := Baseline()

	m := db.Lookup("m4/stdlib_h.m4", orig)
	if m.Kind != MatchExact {
		t.Fatalf("gnulib stdlib_h.m4: kind %s, want exact", m.Kind)
	}
	if !slices.ContainsFunc(m.Origins, func(o string) bool { return strings.HasPrefix(o, "gnulib ") }) {
		t.Errorf("origins %v lack gnulib", m.Origins)
	}

	injected := "  gl_stdlib_probe=`cat $srcdir/tests/probe.bin`\n"
	modified := bytes.Replace(orig, []byte("AC_DEFUN"), []byte(injected+"AC_DEFUN"), 1)
	m = db.Lookup("m4/stdlib_h.m4", modified)
	if m.Kind != MatchKnownName {
		t.Fatalf("modified copy: kind %s, want %s", m.Kind, MatchKnownName)
	}
	if m.Closest == nil || m.Closest.Serial != m.Header.Serial {
		t.Fatalf("closest = %+v, want the gnulib version with serial %s", m.Closest, m.Header.Serial)
	}
	if m.AddedTotal != 1 || !strings.Contains(strings.Join(m.Diff(), "\n"), "gl_stdlib_probe") {
		t.Errorf("diff = %q, want the injected line", m.Diff())
	}

	// The same file claiming a far higher serial.
	bumped := bytes.Replace(modified, []byte("serial "+m.Header.Serial), []byte("serial 300"), 1)
	m = db.Lookup("m4/stdlib_h.m4", bumped)
	if m.Kind != MatchSerialAbove || m.MaxKnownSerial == "" {
		t.Fatalf("bumped copy: kind %s (max known %q), want %s", m.Kind, m.MaxKnownSerial, MatchSerialAbove)
	}
}

func testDB() *M4DB {
	db := NewM4DB()
	for i := 1; i <= 3; i++ {
		db.AddFile("build-to-host.m4", []byte(m4Version(i, "")), "gnulib test")
	}
	db.AddFile("hash.c", []byte("/* hash.c v1 */\n"), "gnulib test")
	db.AddFile("install-sh", []byte("#!/bin/sh\nscriptversion=2020-11-14.01\n"), "automake test")
	return db
}

// m4Version returns a small m4 file at serial n with an optional extra body.
func m4Version(n int, extra string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# build-to-host.m4 serial %d\ndnl Copyright (C) 2023 Free Software Foundation, Inc.\n", n)
	b.WriteString("AC_DEFUN([gl_BUILD_TO_HOST],\n[\n  AC_REQUIRE([AC_CANONICAL_BUILD])\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "  gl_step_%d=yes\n", i)
	}
	b.WriteString(extra)
	b.WriteString("])\n")
	return b.String()
}

func TestLookup(t *testing.T) {
	db := testDB()
	tests := []struct {
		name, path, content string
		kind                MatchKind
		closest             string
		added, removed      int
	}{
		{"exact", "m4/build-to-host.m4", m4Version(2, ""), MatchExact, "", 0, 0},
		{"exact non-m4", "build-aux/install-sh", "#!/bin/sh\nscriptversion=2020-11-14.01\n", MatchExact, "", 0, 0},
		{"known name", "m4/build-to-host.m4", m4Version(2, "  extra=1\n"), MatchKnownName, "2", 1, 0},
		{"serial above", "m4/build-to-host.m4", m4Version(4, ""), MatchSerialAbove, "3", 1, 0},
		{"serial below, fewer lines", "m4/build-to-host.m4", strings.Replace(m4Version(3, ""), "  gl_step_3=yes\n", "", 1), MatchKnownName, "2", 0, 0},
		{"unknown", "m4/other.m4", "# serial 1\n", MatchUnknownName, "", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := db.Lookup(tt.path, []byte(tt.content))
			if m.Kind != tt.kind {
				t.Fatalf("kind = %s, want %s", m.Kind, tt.kind)
			}
			if tt.closest != "" && (m.Closest == nil || m.Closest.Serial != tt.closest) {
				t.Fatalf("closest = %+v, want serial %s", m.Closest, tt.closest)
			}
			if m.AddedTotal != tt.added || m.Removed != tt.removed {
				t.Errorf("added %d removed %d, want %d %d (diff %q)", m.AddedTotal, m.Removed, tt.added, tt.removed, m.Diff())
			}
		})
	}
}

func TestSaveLoadMerge(t *testing.T) {
	db := testDB()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "local.m4"), []byte("# serial 7\nAC_DEFUN([LOCAL], [:])\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "sub", ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "sub", "deep.m4"), []byte("# serial 1\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "sub", ".git", "ignored.m4"), []byte("# serial 1\n"), 0o644)
	if err := db.AddDir(dir, "local"); err != nil {
		t.Fatal(err)
	}
	if err := db.AddDir(filepath.Join(dir, "missing"), "x"); err == nil {
		t.Error("AddDir of a missing directory succeeded")
	}
	db.AddFile("local.m4", []byte("# serial 7\nAC_DEFUN([LOCAL], [:])\n"), "second origin")
	if len(db.Known("ignored.m4")) != 0 {
		t.Error("AddDir descended into .git")
	}

	var buf bytes.Buffer
	if err := db.Save(&buf); err != nil {
		t.Fatal(err)
	}
	var buf2 bytes.Buffer
	db.Save(&buf2)
	if !bytes.Equal(buf.Bytes(), buf2.Bytes()) {
		t.Error("Save is not deterministic")
	}
	loaded, err := LoadM4DB(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Len() != db.Len() {
		t.Fatalf("loaded %d entries, want %d", loaded.Len(), db.Len())
	}
	m := loaded.Lookup("local.m4", []byte("# serial 7\nAC_DEFUN([LOCAL], [:])\n"))
	if m.Kind != MatchExact || !slices.Equal(m.Origins, []string{"local", "second origin"}) {
		t.Errorf("loaded lookup = %s %v", m.Kind, m.Origins)
	}
	// Line fingerprints survive the round trip: diffs still work.
	m = loaded.Lookup("build-to-host.m4", []byte(m4Version(3, "  injected=1\n")))
	if m.Kind != MatchKnownName || m.Closest == nil || m.Closest.Serial != "3" || m.AddedTotal != 1 {
		t.Errorf("loaded diff lookup = %s closest %+v added %d", m.Kind, m.Closest, m.AddedTotal)
	}

	merged := MergeM4DB(Baseline(), loaded, nil)
	if merged.Len() != Baseline().Len()+loaded.Len() {
		t.Errorf("merged %d entries, want %d", merged.Len(), Baseline().Len()+loaded.Len())
	}
	if !merged.Snapshot.Equal(Baseline().Snapshot) {
		t.Errorf("merged snapshot %v, want the baseline's %v", merged.Snapshot, Baseline().Snapshot)
	}
	if k := merged.Lookup("local.m4", []byte("# serial 7\nAC_DEFUN([LOCAL], [:])\n")).Kind; k != MatchExact {
		t.Errorf("merged lookup kind %s", k)
	}
}

func TestLoadM4DBRejectsGarbage(t *testing.T) {
	for _, in := range [][]byte{nil, []byte("not gzip"), {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0}} {
		if _, err := LoadM4DB(bytes.NewReader(in)); !errors.Is(err, ErrBadM4DB) {
			t.Errorf("LoadM4DB(%q) err = %v, want ErrBadM4DB", in, err)
		}
	}
}
