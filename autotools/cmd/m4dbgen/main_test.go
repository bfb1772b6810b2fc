package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tarcheck/tarcheck/autotools"
)

// TestGeneratorReproducesEmbeddedDB re-runs the generator and checks that the
// committed m4db.gob.gz is exactly its output, when this machine has the same
// Debian package versions the committed database records. Otherwise it
// reports the difference and skips (or fails with TARCHECK_REQUIRE_TOOLS=1).
func TestGeneratorReproducesEmbeddedDB(t *testing.T) {
	if testing.Short() {
		t.Skip("reads every installed m4 file; skipped in -short mode")
	}
	committed, err := os.ReadFile("../../m4db.gob.gz")
	if err != nil {
		t.Fatal(err)
	}
	db, err := autotools.LoadM4DB(bytes.NewReader(committed))
	if err != nil {
		t.Fatal(err)
	}
	installed, err := dpkgVersions("/var/lib/dpkg/status")
	if err != nil {
		skipOrFail(t, "no dpkg status: %v", err)
	}
	for _, p := range db.Packages {
		if installed[p.Name] != p.Version {
			skipOrFail(t, "package %s is %q here, %q in the committed database", p.Name, installed[p.Name], p.Version)
		}
	}
	out := filepath.Join(t.TempDir(), "m4db.gob.gz")
	if err := run("/", out); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, committed) {
		t.Fatalf("generator output (%d bytes) differs from the committed m4db.gob.gz (%d bytes): run go generate ./autotools", len(got), len(committed))
	}
}

func TestWanted(t *testing.T) {
	tests := []struct {
		pkg, file string
		want      bool
	}{
		{"gnulib", "/usr/share/gnulib/m4/stdlib_h.m4", true},
		{"gnulib", "/usr/share/gnulib/lib/xalloc.h", true},
		{"gnulib", "/usr/share/gnulib/modules/xalloc", false},
		{"autoconf-archive", "/usr/share/aclocal/ax_pthread.m4", true},
		{"autoconf-archive", "/usr/share/doc/autoconf-archive/README", false},
		{"automake", "/usr/share/automake-1.16/install-sh", true},
		{"automake", "/usr/share/automake-1.16/am/lex.am", false},
		{"gettext", "/usr/share/gettext/po/Makefile.in.in", true},
		{"autoconf", "/usr/share/autoconf/autoconf/general.m4", false},
	}
	for _, tt := range tests {
		if got := wanted(tt.pkg, tt.file); got != tt.want {
			t.Errorf("wanted(%s, %s) = %v, want %v", tt.pkg, tt.file, got, tt.want)
		}
	}
	if !slices.Contains(packages, "pkgconf") {
		t.Error("pkgconf missing from packages")
	}
}

func skipOrFail(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("TARCHECK_REQUIRE_TOOLS") == "1" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}
