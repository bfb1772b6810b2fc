package toolchain

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParseAr: parseAr and dataMember never panic, and every member they
// return lies inside the input.
func FuzzParseAr(f *testing.F) {
	f.Add(arArchive([2]string{"debian-binary", "2.0\n"}, [2]string{"control.tar.xz", "abc"}, [2]string{"data.tar.xz", "de"}))
	f.Add([]byte("!<arch>\n"))
	f.Add([]byte("!<arch>\ndebian-binary   0           0     0     100644  4         `\n2.0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ms, err := parseAr(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			if !errors.Is(err, ErrBadDeb) {
				t.Fatalf("error not ErrBadDeb: %v", err)
			}
			return
		}
		for _, m := range ms {
			if m.Offset < 0 || m.Size < 0 || m.Offset+m.Size > int64(len(data)) {
				t.Fatalf("member %+v outside %d bytes", m, len(data))
			}
		}
		_, _ = dataMember(bytes.NewReader(data), ms)
	})
}

// FuzzUnpackDeb: whatever a .deb holds, the unpack never writes outside its
// directory and never panics.
func FuzzUnpackDeb(f *testing.F) {
	tt := &testing.T{}
	f.Add(craftDeb(tt, []tarEntry{{name: "./usr/", typ: tar.TypeDir, mode: 0o755}, {name: "./usr/a", body: "x", typ: tar.TypeReg}}))
	f.Add(craftDeb(tt, []tarEntry{{name: "./usr/l", link: "..", typ: tar.TypeSymlink}, {name: "./usr/l/x", body: "x", typ: tar.TypeReg}}))
	f.Fuzz(func(t *testing.T, deb []byte) {
		base := t.TempDir()
		p := filepath.Join(base, "x.deb")
		if err := os.WriteFile(p, deb, 0o644); err != nil {
			t.Fatal(err)
		}
		_, _ = unpackDeb(context.Background(), p, filepath.Join(base, "tree"))
		ents, _ := os.ReadDir(base)
		for _, e := range ents {
			if e.Name() != "x.deb" && e.Name() != "tree" {
				t.Fatalf("unpack wrote %s outside its tree", e.Name())
			}
		}
	})
}

// FuzzParsePackages: no panic; every record has the fields the cache relies on.
func FuzzParsePackages(f *testing.F) {
	f.Add("Package: a\nVersion: 1\nArchitecture: all\nFilename: pool/a.deb\nSize: 3\nSHA256: " + strings.Repeat("b", 64) + "\nDescription: x\n long\n\n")
	f.Add("Package: a\n\n\n#c\nPackage: b\n")
	f.Fuzz(func(t *testing.T, text string) {
		pk, err := ParsePackages(strings.NewReader(text), nil)
		if err != nil {
			return
		}
		for _, p := range pk {
			if p.Name == "" || p.Version == "" || !isHex64(p.SHA256) || !safePoolPath(p.Filename) || p.Size < 0 {
				t.Fatalf("bad record accepted: %+v", p)
			}
		}
	})
}

// FuzzParseRelease: no panic; the SHA256 list holds only valid hashes and sizes.
func FuzzParseRelease(f *testing.F) {
	f.Add("Suite: x\nAcquire-By-Hash: yes\nSHA256:\n " + strings.Repeat("a", 64) + " 42 main/binary-amd64/Packages.xz\n")
	f.Add("SHA256:\n")
	f.Fuzz(func(t *testing.T, text string) {
		rel, err := ParseRelease([]byte(text))
		if err != nil {
			return
		}
		for p, fi := range rel.SHA256 {
			if p == "" || !isHex64(fi.SHA256) || fi.Size < 0 {
				t.Fatalf("bad entry %q %+v", p, fi)
			}
		}
	})
}

// FuzzParseUpstream: the upstream catalog parser never panics, and what it
// accepts is a safe pool path, a pinned sha256 and a build key.
func FuzzParseUpstream(f *testing.F) {
	f.Add(embeddedUpstream)
	f.Add([]byte("Tool: autoconf\nTool-Version: 1\nUpstream: a.tar 1 " + strings.Repeat("a", 64) + " pool/a\nSignature: pool/a.asc\nSigners: " + strings.Repeat("A", 40) + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tools, err := ParseUpstream(data)
		if err != nil {
			return
		}
		for _, tl := range tools {
			p := tl.Packages[0]
			if !safePoolPath(p.Upstream.Pool) || !isHex64(p.Upstream.SHA256) || p.SHA256 != p.Upstream.BuildKey() || !safePoolPath(p.Upstream.File) || strings.Contains(p.Upstream.File, "/") {
				t.Fatalf("accepted %+v", p.Upstream)
			}
		}
	})
}
