package rebuild

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tarcheck/tarcheck/toolchain"
	"github.com/tarcheck/tarcheck/verify/report"
)

// TestPkgM4Layer: a pkg.m4 the release's aclocal.m4 embeds byte for byte,
// that the sandbox lacks and that is a known upstream copy, is laid over
// /usr/share/aclocal; an edited copy is not (it stays not proved).
func TestPkgM4Layer(t *testing.T) {
	known, err := os.ReadFile("/usr/share/aclocal/pkg.m4") // Debian's pkgconf: in the origin database
	if err != nil {
		if os.Getenv("TARCHECK_REQUIRE_TOOLS") != "" {
			t.Fatalf("pkgconf's pkg.m4 is not installed: %v", err)
		}
		t.Skip("pkgconf's pkg.m4 is not installed")
	}
	db := embeddedOrigins()
	if db == nil {
		t.Fatal("the embedded origin database does not open")
	}
	// The sandbox's own pkg.m4 is another one.
	host := filepath.Join(t.TempDir(), "pkg.m4")
	if err := os.WriteFile(host, []byte(pkgM4Header+"\n# serial 12 (pkg-config-0.29.2)\nAC_DEFUN([PKG_PROG_PKG_CONFIG], [:])\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	simulateSandboxAclocal(t, host, t.TempDir())
	aclocal := func(pkg []byte) []byte {
		return []byte("# generated automatically by aclocal 1.17 -*- Autoconf -*-\n\nm4_ifndef([AC_AUTOCONF_VERSION], [x])\n\n" +
			string(pkg) + "\n# Copyright (C) 2002-2024 Free Software Foundation, Inc.\nAC_DEFUN([AM_X], [y])\n")
	}
	edited := bytes.Replace(known, []byte("AC_PATH_TOOL"), []byte("AC_PATH_PROG"), 1)
	if bytes.Equal(edited, known) {
		t.Fatal("the installed pkg.m4 has no AC_PATH_TOOL to edit")
	}
	for _, tc := range []struct {
		name string
		pkg  []byte
		laid bool
	}{
		{"known copy", known, true},
		{"edited copy", edited, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rel := aclocal(tc.pkg)
			if !foreignPkgM4(rel, host) {
				t.Fatal("the embedded pkg.m4 is the sandbox's")
			}
			dir := filepath.Join(t.TempDir(), "tree")
			other := t.TempDir()
			b := &rebuilder{releaseAclocal: rel, pkgM4Foreign: true, info: &report.RebuildInfo{}, dir: dir,
				tc: &toolchain.Toolchain{Layers: []string{other}}}
			key := b.systemM4Layer(db)
			if laid := key != ""; laid != tc.laid {
				t.Fatalf("laid = %v, want %v (notes %q)", laid, tc.laid, b.info.Notes)
			}
			if !tc.laid {
				if !b.pkgM4Foreign || len(b.tc.Layers) != 1 {
					t.Errorf("an unproved pkg.m4 changed the rebuild: foreign %v, layers %q", b.pkgM4Foreign, b.tc.Layers)
				}
				return
			}
			if b.pkgM4Foreign || len(b.tc.Layers) != 2 || b.tc.Layers[1] != other {
				t.Fatalf("foreign %v, layers %q", b.pkgM4Foreign, b.tc.Layers)
			}
			got, err := os.ReadFile(filepath.Join(b.tc.Layers[0], "share", "aclocal", "pkg.m4"))
			if err != nil || !bytes.Equal(got, known) {
				t.Fatalf("laid pkg.m4: %v, equal %v", err, bytes.Equal(got, known))
			}
			if len(b.info.Notes) != 1 || !strings.Contains(b.info.Notes[0], "pkgconf") {
				t.Errorf("notes = %q", b.info.Notes)
			}
		})
	}
}

// simulateSandboxAclocal points the sandbox's pkg.m4 and system macro
// directory at pkg and dir (a sandbox lacking the host's files) for the
// test.
func simulateSandboxAclocal(t *testing.T, pkg, dir string) {
	t.Helper()
	oldPkg, oldDir := hostPkgM4Path, hostAclocalDir
	hostPkgM4Path, hostAclocalDir = pkg, dir
	t.Cleanup(func() { hostPkgM4Path, hostAclocalDir = oldPkg, oldDir })
}
