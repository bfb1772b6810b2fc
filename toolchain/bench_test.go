package toolchain

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benchDeb is a package the size of autoconf's: 80 files, about 2 MB.
func benchDeb(b *testing.B) (string, Package) {
	files := map[string]debFile{}
	for i := range 80 {
		files[fmt.Sprintf("usr/share/autoconf2.99/f%02d.m4", i)] = debFile{body: strings.Repeat(fmt.Sprintf("m4_define([x%d], [y])\n", i), 1200), mode: 0o644}
	}
	t := &testing.T{}
	deb := buildDeb(t, "autoconf2.99", "2.99-1", files)
	if t.Failed() || len(deb) == 0 {
		b.Skip("dpkg-deb unavailable")
	}
	p := filepath.Join(b.TempDir(), "x.deb")
	if err := os.WriteFile(p, deb, 0o644); err != nil {
		b.Fatal(err)
	}
	return p, Package{Name: "autoconf2.99", Version: "2.99-1", SHA256: sha256hex(deb), Size: int64(len(deb))}
}

// BenchmarkUnpack measures a cold AddDeb: hash check, ar, xz, 80 files
// written, manifest.
func BenchmarkUnpack(b *testing.B) {
	debPath, pkg := benchDeb(b)
	for b.Loop() {
		b.StopTimer()
		c, err := Open(Options{Dir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := c.AddDeb(context.Background(), pkg, debPath); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPath measures a cached lookup, which re-hashes every file
// against the manifest.
func BenchmarkPath(b *testing.B) {
	debPath, pkg := benchDeb(b)
	c, err := Open(Options{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	if err := c.AddDeb(context.Background(), pkg, debPath); err != nil {
		b.Fatal(err)
	}
	spec := Spec{Tools: []Tool{{Name: ToolAutoconf, Version: "2.99", Packages: []Package{pkg}}}}
	for b.Loop() {
		if _, err := c.Path(spec); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDefaultCatalog is DefaultCatalog's first use: the embedded
// catalog.txt and upstream.txt parsed.
func BenchmarkDefaultCatalog(b *testing.B) {
	for b.Loop() {
		if _, err := parseDefaultCatalog(); err != nil {
			b.Fatal(err)
		}
	}
}
