package toolchain

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"

	"github.com/tarcheck/tarcheck/sandbox"
)

// fakeAutoconf is a test package laid out like Debian's autoconf2.69.
func fakeAutoconf(t *testing.T) []byte {
	return buildDeb(t, "autoconf2.99", "2.99-1", map[string]debFile{
		"usr/bin/autoconf2.99":                 {body: "#!/bin/sh\ncat /usr/share/autoconf2.99/version\n", mode: 0o755},
		"usr/bin/autom4te2.99":                 {body: "#!/bin/sh\necho autom4te\n", mode: 0o755},
		"usr/share/autoconf2.99/version":       {body: "fake autoconf 2.99\n", mode: 0o644},
		"usr/share/autoconf2.99/link":          {target: "version"},
		"usr/share/doc/autoconf2.99/copyright": {body: "test\n", mode: 0o644},
	})
}

// published serves the fake package in suite "test" signed by a fresh key
// and returns the mirror, the key and the Spec that names it.
func published(t *testing.T) (*mirror, *openpgp.Entity, Spec) {
	t.Helper()
	m := newMirror(t)
	key := newKey(t, "Archive")
	pkgs := m.publish(t, key, "test", map[string][]byte{"autoconf2.99": fakeAutoconf(t)}, map[string]string{"autoconf2.99": "2.99-1"})
	return m, key, Spec{Tools: []Tool{{Name: ToolAutoconf, Version: "2.99", Packages: pkgs}}}
}

func TestFetchVerifiesUnpacksAndReuses(t *testing.T) {
	m, key, spec := published(t)
	dir := t.TempDir()
	c := openCache(t, dir, m, openpgp.EntityList{key})
	var steps []string
	c.step = func(s string) { steps = append(steps, s) }
	tc, err := c.Fetch(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"verifying the test index (InRelease, Packages)", "downloading autoconf2.99 2.99-1 (test)", "unpacking autoconf2.99 2.99-1"}; !slices.Equal(steps, want) {
		t.Errorf("progress %q, want %q", steps, want)
	}
	sum := spec.Tools[0].Packages[0].SHA256
	tree := filepath.Join(dir, "tree", sum)
	if got, err := os.ReadFile(filepath.Join(tree, "usr/share/autoconf2.99/version")); err != nil || string(got) != "fake autoconf 2.99\n" {
		t.Fatalf("unpacked file: %q, %v", got, err)
	}
	if fi, err := os.Stat(filepath.Join(tree, "usr/bin/autoconf2.99")); err != nil || fi.Mode().Perm() != 0o755 {
		t.Fatalf("program mode: %v, %v", fi, err)
	}
	if tgt, err := os.Readlink(filepath.Join(tree, "usr/share/autoconf2.99/link")); err != nil || tgt != "version" {
		t.Fatalf("symlink: %q, %v", tgt, err)
	}
	if len(tc.Layers) != 2 || tc.Layers[1] != filepath.Join(tree, "usr") {
		t.Fatalf("layers %v", tc.Layers)
	}
	if tgt, err := os.Readlink(filepath.Join(tc.Layers[0], "bin", "autoconf")); err != nil || tgt != "autoconf2.99" {
		t.Fatalf("alternatives link autoconf -> %q, %v", tgt, err)
	}
	if want := []string{"AUTOM4TE=/usr/bin/autom4te2.99", "AUTOCONF=/usr/bin/autoconf2.99"}; !slices.Contains(tc.Env, want[0]) || !slices.Contains(tc.Env, want[1]) {
		t.Fatalf("env %v, want %v", tc.Env, want)
	}
	if len(tc.Binds) != 1 || tc.Binds[0].Dst != "/usr/share/autoconf2.99" {
		t.Fatalf("binds %v", tc.Binds)
	}
	hits := m.totalHits()
	if hits != 3 { // InRelease, Packages.xz by hash, the .deb
		t.Fatalf("first fetch made %d requests, want 3", hits)
	}

	// A second cache on the same directory (a later run) needs no network.
	c2 := openCache(t, dir, m, openpgp.EntityList{key})
	if _, err := c2.Fetch(context.Background(), spec); err != nil {
		t.Fatal(err)
	}
	if m.totalHits() != hits {
		t.Fatalf("second fetch hit the server (%d requests, was %d)", m.totalHits(), hits)
	}
	// So does an offline cache (--toolchain-dir of a prepared directory).
	off, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := off.Path(spec); err != nil {
		t.Fatal(err)
	}
	list, err := off.List()
	if err != nil || len(list) != 1 || list[0].Package.Name != "autoconf2.99" {
		t.Fatalf("list %v, %v", list, err)
	}
}

func TestToolchainRunsInSandbox(t *testing.T) {
	m, key, spec := published(t)
	c := openCache(t, t.TempDir(), m, openpgp.EntityList{key})
	tc, err := c.Fetch(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	r := namespacesRunner(t)
	work := t.TempDir()
	s := sandbox.ScriptSpec(work, `autoconf; "$AUTOCONF"; readlink /usr/bin/autoconf; cat /usr/share/autoconf2.99/link`, []string{"AUTOCONF=host"}, 0)
	tc.Apply(&s)
	res, err := r.Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	want := "fake autoconf 2.99\nfake autoconf 2.99\nautoconf2.99\nfake autoconf 2.99\n"
	if res.ExitCode != 0 || string(res.Output) != want {
		t.Fatalf("exit %d:\n%s\nwant:\n%s", res.ExitCode, res.Output, want)
	}
}

func TestBadSignatureRefused(t *testing.T) {
	m, key, spec := published(t)
	other := newKey(t, "Other")
	c := openCache(t, t.TempDir(), m, openpgp.EntityList{other})
	if _, err := c.Fetch(context.Background(), spec); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("InRelease by a key outside the keyring: err = %v, want ErrBadSignature", err)
	}

	// A signed InRelease whose text was changed after signing.
	in := m.files["/debian/dists/test/InRelease"]
	m.put("dists/test/InRelease", bytes.Replace(in, []byte("Suite: test"), []byte("Suite: evil"), 1))
	c = openCache(t, t.TempDir(), m, openpgp.EntityList{key})
	if _, err := c.Fetch(context.Background(), spec); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("tampered InRelease: err = %v, want ErrBadSignature", err)
	}
	// An unsigned Release text.
	m.put("dists/test/InRelease", []byte("Suite: test\nSHA256:\n "+strings.Repeat("a", 64)+" 1 main/binary-amd64/Packages.xz\n"))
	c = openCache(t, t.TempDir(), m, openpgp.EntityList{key})
	if _, err := c.Fetch(context.Background(), spec); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("unsigned InRelease: err = %v, want ErrBadSignature", err)
	}
}

func TestWrongSHA256Refused(t *testing.T) {
	t.Run("deb differs from the signed index", func(t *testing.T) {
		m, key, spec := published(t)
		p := spec.Tools[0].Packages[0]
		evil := buildDeb(t, "autoconf2.99", "2.99-1", map[string]debFile{"usr/bin/autoconf2.99": {body: "#!/bin/sh\necho pwned\n", mode: 0o755}})
		m.put(p.Filename, evil)
		dir := t.TempDir()
		c := openCache(t, dir, m, openpgp.EntityList{key})
		if _, err := c.Fetch(context.Background(), spec); !errors.Is(err, ErrHashMismatch) {
			t.Fatalf("err = %v, want ErrHashMismatch", err)
		}
		if ents, _ := os.ReadDir(filepath.Join(dir, "tree")); len(ents) != 0 {
			t.Fatalf("something was unpacked: %v", ents)
		}
	})
	t.Run("catalog pin differs from the signed index", func(t *testing.T) {
		m, key, spec := published(t)
		spec.Tools[0].Packages[0].SHA256 = strings.Repeat("ab", 32)
		c := openCache(t, t.TempDir(), m, openpgp.EntityList{key})
		if _, err := c.Fetch(context.Background(), spec); !errors.Is(err, ErrHashMismatch) {
			t.Fatalf("err = %v, want ErrHashMismatch", err)
		}
	})
	t.Run("Packages index differs from InRelease", func(t *testing.T) {
		m, key, spec := published(t)
		for p := range m.files {
			if strings.Contains(p, "/by-hash/") {
				m.files[p] = xzBytes(t, []byte("Package: autoconf2.99\n"))
			}
		}
		c := openCache(t, t.TempDir(), m, openpgp.EntityList{key})
		if _, err := c.Fetch(context.Background(), spec); !errors.Is(err, ErrHashMismatch) {
			t.Fatalf("err = %v, want ErrHashMismatch", err)
		}
	})
	t.Run("local .deb import", func(t *testing.T) {
		_, _, spec := published(t)
		p := spec.Tools[0].Packages[0]
		other := filepath.Join(t.TempDir(), "x.deb")
		os.WriteFile(other, []byte("!<arch>\n"), 0o644)
		c, _ := Open(Options{Dir: t.TempDir()})
		if err := c.AddDeb(context.Background(), p, other); !errors.Is(err, ErrHashMismatch) {
			t.Fatalf("err = %v, want ErrHashMismatch", err)
		}
	})
}

func TestCorruptCacheDetected(t *testing.T) {
	m, key, spec := published(t)
	sum := spec.Tools[0].Packages[0].SHA256
	for name, damage := range map[string]func(tree string) error{
		"content changed": func(tree string) error {
			return os.WriteFile(filepath.Join(tree, "usr/share/autoconf2.99/version"), []byte("fake autoconf 2.98\n"), 0o644)
		},
		"file removed": func(tree string) error { return os.Remove(filepath.Join(tree, "usr/bin/autom4te2.99")) },
		"file added": func(tree string) error {
			return os.WriteFile(filepath.Join(tree, "usr/bin/extra"), []byte("x"), 0o755)
		},
		"mode changed": func(tree string) error { return os.Chmod(filepath.Join(tree, "usr/share/autoconf2.99/version"), 0o755) },
		"symlink retargeted": func(tree string) error {
			p := filepath.Join(tree, "usr/share/autoconf2.99/link")
			os.Remove(p)
			return os.Symlink("/etc/passwd", p)
		},
		"manifest garbled": func(tree string) error { return os.WriteFile(tree+".json", []byte("{"), 0o644) },
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			c := openCache(t, dir, m, openpgp.EntityList{key})
			if _, err := c.Fetch(context.Background(), spec); err != nil {
				t.Fatal(err)
			}
			if err := damage(filepath.Join(dir, "tree", sum)); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Path(spec); !errors.Is(err, ErrCorruptCache) {
				t.Fatalf("Path: err = %v, want ErrCorruptCache", err)
			}
		})
	}
}

func TestOfflineCache(t *testing.T) {
	_, _, spec := published(t)
	c, err := Open(Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Path(spec); !errors.Is(err, ErrNotCached) || !strings.Contains(err.Error(), "tarcheck toolchain fetch autoconf=2.99") {
		t.Fatalf("Path: err = %v, want ErrNotCached with a hint", err)
	}
	if _, err := c.Fetch(context.Background(), spec); !errors.Is(err, ErrOffline) {
		t.Fatalf("Fetch: err = %v, want ErrOffline", err)
	}
	// A .deb brought in by hand is checked against the pinned hash and used.
	deb := filepath.Join(t.TempDir(), "a.deb")
	os.WriteFile(deb, fakeAutoconf(t), 0o644)
	p := spec.Tools[0].Packages[0]
	p.SHA256 = sha256hex(mustRead(t, deb))
	p.Size = int64(len(mustRead(t, deb)))
	spec.Tools[0].Packages[0] = p
	if err := c.AddDeb(context.Background(), p, deb); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Path(spec); err != nil {
		t.Fatal(err)
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestUnsafeDebRefused(t *testing.T) {
	outside := t.TempDir() // escapes would land here
	cases := map[string][]tarEntry{
		"dot-dot name":  {{name: "./usr/../../../../../../../.." + outside + "/evil", body: "x", typ: tar.TypeReg}},
		"absolute name": {{name: outside + "/evil", body: "x", typ: tar.TypeReg}},
		"relative symlink out of the tree": {
			{name: "./usr/", typ: tar.TypeDir, mode: 0o755},
			{name: "./usr/escape", link: "../../../../../../../../../" + outside, typ: tar.TypeSymlink},
		},
		"write through a symlinked parent": {
			{name: "./usr/", typ: tar.TypeDir, mode: 0o755},
			{name: "./usr/l", link: outside, typ: tar.TypeSymlink},
			{name: "./usr/l/evil", body: "x", typ: tar.TypeReg},
		},
		"device":               {{name: "./usr/dev", typ: tar.TypeChar}},
		"setuid":               {{name: "./usr/bin/su", body: "x", typ: tar.TypeReg, mode: 0o4755}},
		"hard link to nothing": {{name: "./usr/h", link: "./usr/none", typ: tar.TypeLink}},
		"duplicate": {
			{name: "./usr/a", body: "1", typ: tar.TypeReg},
			{name: "./usr/a", body: "2", typ: tar.TypeReg},
		},
	}
	for name, entries := range cases {
		t.Run(name, func(t *testing.T) {
			deb := craftDeb(t, entries)
			p := filepath.Join(t.TempDir(), "x.deb")
			os.WriteFile(p, deb, 0o644)
			dir := t.TempDir()
			c, _ := Open(Options{Dir: dir})
			pkg := Package{Name: "x", Version: "1", Arch: "all", SHA256: sha256hex(deb), Size: int64(len(deb))}
			err := c.AddDeb(context.Background(), pkg, p)
			t.Log(err)
			if !errors.Is(err, ErrUnsafeDeb) {
				t.Fatalf("err = %v, want ErrUnsafeDeb", err)
			}
			if ents, _ := os.ReadDir(outside); len(ents) != 0 {
				t.Fatalf("wrote outside the cache: %v", ents)
			}
			if _, err := os.Stat(filepath.Join(dir, "tree", pkg.SHA256)); err == nil {
				t.Fatal("a refused package left a tree in the cache")
			}
			if ents, _ := os.ReadDir(filepath.Join(dir, "tmp")); len(ents) != 0 {
				t.Fatalf("temporary files left: %v", ents)
			}
		})
	}
	// The hand-made format itself is accepted when harmless, so the
	// refusals above are about the hazards.
	deb := craftDeb(t, []tarEntry{{name: "./usr/", typ: tar.TypeDir, mode: 0o755}, {name: "./usr/ok", body: "ok", typ: tar.TypeReg},
		{name: "./usr/hard", link: "./usr/ok", typ: tar.TypeLink}, {name: "./usr/abs", link: "/etc/alternatives/x", typ: tar.TypeSymlink}})
	p := filepath.Join(t.TempDir(), "ok.deb")
	os.WriteFile(p, deb, 0o644)
	c, _ := Open(Options{Dir: t.TempDir()})
	if err := c.AddDeb(context.Background(), Package{Name: "ok", Version: "1", SHA256: sha256hex(deb)}, p); err != nil {
		t.Fatal(err)
	}
}

func TestWritePath(t *testing.T) {
	m, key, spec := published(t)
	c := openCache(t, t.TempDir(), m, openpgp.EntityList{key})
	tc, err := c.Fetch(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := tc.WritePath(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"autoconf 2.99 from autoconf2.99 2.99-1 (test)", "layer /usr <- " + tc.Layers[1], "bind /usr/share/autoconf2.99 <- ", "env AUTOCONF=/usr/bin/autoconf2.99"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("path output lacks %q:\n%s", want, b.String())
		}
	}
	var l strings.Builder
	cat := &Catalog{Tools: spec.Tools}
	if err := cat.WriteList(&l, c); err != nil || !strings.Contains(l.String(), "yes") {
		t.Errorf("list does not show the cached package: %v\n%s", err, l.String())
	}
}
