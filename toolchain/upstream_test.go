package toolchain

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"

	"github.com/tarcheck/tarcheck/sandbox"
	"github.com/tarcheck/tarcheck/verify/fetch"
)

// fakeRelease is a tiny GNU-style release: a configure script, a Makefile
// that builds one file and installs it with an "autoconf" program below
// $(DESTDIR)/usr, as `./configure --prefix=/usr && make && make install
// DESTDIR=...` expects.
func fakeRelease(t *testing.T, version string) []byte {
	t.Helper()
	top := "fake-autoconf-" + version + "/"
	files := []struct {
		name, body string
		mode       int64
	}{
		{"configure", "#! /bin/sh\ncase $1 in --prefix=/usr) ;; *) echo \"bad prefix $1\" >&2; exit 1;; esac\necho \"VERSION = " + version + "\" > config.mk\n", 0o755},
		{"Makefile", "include config.mk\nall: built.txt\nbuilt.txt:\n\techo \"built $(VERSION)\" > built.txt\n" +
			"install: all\n\tmkdir -p $(DESTDIR)/usr/share/autoconf $(DESTDIR)/usr/bin\n" +
			"\tcp built.txt $(DESTDIR)/usr/share/autoconf/built.txt\n" +
			"\tprintf '#! /bin/sh\\necho upstream autoconf $(VERSION)\\n' > $(DESTDIR)/usr/bin/autoconf\n" +
			"\tchmod 755 $(DESTDIR)/usr/bin/autoconf\n\tln -s autoconf $(DESTDIR)/usr/bin/autoconf-alias\n", 0o644},
	}
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	tw.WriteHeader(&tar.Header{Name: top, Mode: 0o755, Typeflag: tar.TypeDir})
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Name: top + f.name, Mode: f.mode, Size: int64(len(f.body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(f.body))
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func detachSign(t *testing.T, key *openpgp.Entity, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&b, key, bytes.NewReader(data), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func fingerprintOf(k *openpgp.Entity) string {
	return strings.ToUpper(hex.EncodeToString(k.PrimaryKey.Fingerprint))
}

// upstreamEntry parses an upstream.txt paragraph for tarball, signed by
// signer (no Signature line when signer is ""), with recipe ("" = default).
func upstreamEntry(t *testing.T, tarball []byte, signer, recipe string) Tool {
	t.Helper()
	text := fmt.Sprintf("Tool: autoconf\nTool-Version: 9.9\nUpstream: fake-autoconf-9.9.tar.gz %d %s pool/main/f/fake/fake_9.9.orig.tar.gz\n",
		len(tarball), sha256hex(tarball))
	if signer != "" {
		text += "Signature: pool/main/f/fake/fake_9.9.orig.tar.gz.asc\nSigners: " + signer + "\n"
	}
	if recipe != "" {
		text += "Build:\n " + strings.ReplaceAll(recipe, "\n", "\n ") + "\n"
	}
	tools, err := ParseUpstream([]byte(text))
	if err != nil || len(tools) != 1 {
		t.Fatalf("ParseUpstream: %v, %d tools", err, len(tools))
	}
	return tools[0]
}

// buildRunner is the isolating sandbox of this machine; the test fails
// without one when TARCHECK_REQUIRE_TOOLS=1 (as in CI), else skips.
func buildRunner(t *testing.T) sandbox.Runner {
	t.Helper()
	requireTool(t, "make")
	requireTool(t, "tar")
	r, err := sandbox.New(sandbox.BackendAuto)
	if err != nil {
		if os.Getenv("TARCHECK_REQUIRE_TOOLS") == "1" {
			t.Fatal(err)
		}
		t.Skipf("no isolating sandbox: %v", err)
	}
	return r
}

// stepLog collects a cache's progress steps.
type stepLog struct {
	mu    sync.Mutex
	steps []string
}

func (l *stepLog) add(s string) { l.mu.Lock(); l.steps = append(l.steps, s); l.mu.Unlock() }
func (l *stepLog) has(prefix string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.ContainsFunc(l.steps, func(s string) bool { return strings.HasPrefix(s, prefix) })
}

func openUpstreamCache(t *testing.T, dir string, m *mirror, keys openpgp.EntityList, r sandbox.Runner, log *stepLog) *Cache {
	t.Helper()
	opts := Options{Dir: dir, UpstreamKeyring: keys, Builder: r, Arch: "amd64"}
	if m != nil {
		f, err := fetch.New(fetch.Options{CacheDir: t.TempDir(), Retries: -1})
		if err != nil {
			t.Fatal(err)
		}
		opts.Getter, opts.Mirror = f, m.url()
	}
	if log != nil {
		opts.Progress = log.add
	}
	c, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// servedRelease publishes a signed fake release on a local mirror.
func servedRelease(t *testing.T) (m *mirror, signer *openpgp.Entity, tool Tool, tarball []byte) {
	signer = newKey(t, "Upstream Maintainer")
	tarball = fakeRelease(t, "9.9")
	m = newMirror(t)
	m.put("pool/main/f/fake/fake_9.9.orig.tar.gz", tarball)
	m.put("pool/main/f/fake/fake_9.9.orig.tar.gz.asc", detachSign(t, signer, tarball))
	return m, signer, upstreamEntry(t, tarball, fingerprintOf(signer), ""), tarball
}

func TestUpstreamFetchVerifiesBuildsAndReuses(t *testing.T) {
	r := buildRunner(t)
	m, signer, tool, _ := servedRelease(t)
	dir := t.TempDir()
	log := &stepLog{}
	c := openUpstreamCache(t, dir, m, openpgp.EntityList{signer}, r, log)
	spec := Spec{Tools: []Tool{tool}}
	tc, err := c.Fetch(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	if !log.has("signature of fake-autoconf-9.9.tar.gz verified ("+fingerprintOf(signer)+")") || !log.has("building autoconf 9.9") {
		t.Errorf("steps %q lack the signature check or the build", log.steps)
	}
	key := tool.Packages[0].SHA256
	tree := filepath.Join(dir, "tree", key)
	if got := string(mustRead(t, filepath.Join(tree, "usr/share/autoconf/built.txt"))); got != "built 9.9\n" {
		t.Errorf("installed built.txt = %q", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "tree", key+".json")); err != nil {
		t.Errorf("no manifest: %v", err)
	}
	if len(tc.Layers) != 1 || tc.Layers[0] != filepath.Join(tree, "usr") ||
		!slices.Contains(tc.Env, "AUTOCONF=/usr/bin/autoconf") ||
		!slices.ContainsFunc(tc.Binds, func(b sandbox.Bind) bool { return b.Dst == "/usr/share/autoconf" }) {
		t.Errorf("toolchain = %+v", tc)
	}
	if got := spec.Requests(); !slices.Equal(got, []string{"autoconf=9.9+upstream"}) {
		t.Errorf("Requests = %q", got)
	}
	if tc.Describe()[0] != "autoconf 9.9 from autoconf 9.9 (upstream release fake-autoconf-9.9.tar.gz, built in the sandbox)" {
		t.Errorf("Describe = %q", tc.Describe())
	}

	// Reused: a second cache on the same directory neither downloads nor
	// builds.
	hits := m.totalHits()
	log2 := &stepLog{}
	c2 := openUpstreamCache(t, dir, m, openpgp.EntityList{signer}, r, log2)
	if _, err := c2.Fetch(context.Background(), spec); err != nil {
		t.Fatal(err)
	}
	if m.totalHits() != hits || log2.has("building") {
		t.Errorf("second fetch: %d more hits, steps %q", m.totalHits()-hits, log2.steps)
	}
	// The kept tarball rebuilds a removed tree offline, signature included.
	if err := os.RemoveAll(tree); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "tree", key+".json"))
	off := openUpstreamCache(t, dir, nil, openpgp.EntityList{signer}, r, nil)
	if _, err := off.Fetch(context.Background(), spec); err != nil {
		t.Fatalf("offline rebuild from the kept tarball: %v", err)
	}

	// Corruption of an installed file is detected on use.
	if err := os.WriteFile(filepath.Join(tree, "usr/share/autoconf/built.txt"), []byte("built 6.6\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := off.Path(spec); !errors.Is(err, ErrCorruptCache) || !strings.Contains(err.Error(), "usr/share/autoconf/built.txt") {
		t.Errorf("corrupt tree: err = %v", err)
	}
}

// TestUpstreamToolchainRunsInSandbox: the built tree is laid over /usr
// like a .deb's, with the symlink the release installed.
func TestUpstreamToolchainRunsInSandbox(t *testing.T) {
	r := buildRunner(t)
	m, signer, tool, _ := servedRelease(t)
	c := openUpstreamCache(t, t.TempDir(), m, openpgp.EntityList{signer}, r, nil)
	tc, err := c.Fetch(context.Background(), Spec{Tools: []Tool{tool}})
	if err != nil {
		t.Fatal(err)
	}
	ns := namespacesRunner(t)
	s := sandbox.ScriptSpec(t.TempDir(), `autoconf; "$AUTOCONF"; autoconf-alias; cat /usr/share/autoconf/built.txt; ls /usr/share/autoconf`, nil, 0)
	tc.Apply(&s)
	res, err := ns.Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	want := "upstream autoconf 9.9\nupstream autoconf 9.9\nupstream autoconf 9.9\nbuilt 9.9\nbuilt.txt\n"
	if res.ExitCode != 0 || string(res.Output) != want {
		t.Fatalf("exit %d:\n%s\nwant:\n%s", res.ExitCode, res.Output, want)
	}
}

// TestUpstreamRefusals: a bad signature, a signer that is not pinned, a
// tarball that is not the pinned one, a missing keyring and a failing
// recipe are refused with one-line errors, and nothing enters the cache.
func TestUpstreamRefusals(t *testing.T) {
	r := buildRunner(t)
	signer := newKey(t, "Upstream Maintainer")
	other := newKey(t, "Someone Else")
	tarball := fakeRelease(t, "9.9")
	for _, tc := range []struct {
		name    string
		served  []byte // the tarball on the mirror
		sig     []byte
		keys    openpgp.EntityList
		recipe  string
		wantErr error
		wantMsg string
	}{
		{"bad signature", tarball, detachSign(t, signer, []byte("another file")), openpgp.EntityList{signer}, "",
			ErrUpstreamSignature, "BAD signature"},
		{"wrong signer", tarball, detachSign(t, other, tarball), openpgp.EntityList{signer, other}, "",
			ErrUpstreamSignature, "is signed by " + fingerprintOf(other) + ", not by the pinned signer " + fingerprintOf(signer)},
		{"signer not in the keyring", tarball, detachSign(t, other, tarball), openpgp.EntityList{signer}, "",
			ErrUpstreamSignature, "fake-autoconf-9.9.tar.gz"},
		{"no keyring", tarball, detachSign(t, signer, tarball), nil, "",
			ErrUpstreamSignature, "pass --keyring FILE"},
		{"wrong sha256", fakeRelease(t, "6.6"), detachSign(t, signer, tarball), openpgp.EntityList{signer}, "",
			ErrHashMismatch, "fake-autoconf-9.9.tar.gz has sha256"},
		{"failing recipe", tarball, detachSign(t, signer, tarball), openpgp.EntityList{signer}, "echo recipe broke >&2\nexit 3",
			ErrBuild, "exit 3; last output: recipe broke"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMirror(t)
			m.put("pool/main/f/fake/fake_9.9.orig.tar.gz", tc.served)
			m.put("pool/main/f/fake/fake_9.9.orig.tar.gz.asc", tc.sig)
			tool := upstreamEntry(t, tarball, fingerprintOf(signer), tc.recipe)
			dir := t.TempDir()
			c := openUpstreamCache(t, dir, m, tc.keys, r, nil)
			_, err := c.Fetch(context.Background(), Spec{Tools: []Tool{tool}})
			if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.wantMsg) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err = %v, want %v with %q on one line", err, tc.wantErr, tc.wantMsg)
			}
			if c.unpacked(tool.Packages[0].SHA256) {
				t.Error("refused release entered the cache")
			}
		})
	}
}

// TestAddUpstreamLocal: a local tarball and signature prepare the cache
// without network; a missing signature is refused.
func TestAddUpstreamLocal(t *testing.T) {
	r := buildRunner(t)
	signer := newKey(t, "Upstream Maintainer")
	tarball := fakeRelease(t, "9.9")
	tool := upstreamEntry(t, tarball, fingerprintOf(signer), "")
	files := t.TempDir()
	tf, sf := filepath.Join(files, "fake-autoconf-9.9.tar.gz"), filepath.Join(files, "fake-autoconf-9.9.tar.gz.sig")
	os.WriteFile(tf, tarball, 0o644)
	os.WriteFile(sf, detachSign(t, signer, tarball), 0o644)
	c := openUpstreamCache(t, t.TempDir(), nil, openpgp.EntityList{signer}, r, nil)
	p := tool.Packages[0]
	if err := c.AddUpstream(context.Background(), p, tf, ""); !errors.Is(err, ErrUpstreamSignature) {
		t.Errorf("without the signature: err = %v", err)
	}
	if err := c.AddUpstream(context.Background(), p, tf, sf); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Path(Spec{Tools: []Tool{tool}}); err != nil {
		t.Fatalf("Path after AddUpstream: %v", err)
	}
	// Offline and not built: the error says how to fetch it.
	c2 := openUpstreamCache(t, t.TempDir(), nil, nil, r, nil)
	_, err := c2.Path(Spec{Tools: []Tool{tool}})
	if !errors.Is(err, ErrNotCached) || !strings.Contains(err.Error(), "tarcheck toolchain fetch autoconf=9.9+upstream --keyring FILE") {
		t.Errorf("not built: err = %v", err)
	}
	if _, err := c2.Fetch(context.Background(), Spec{Tools: []Tool{tool}}); !errors.Is(err, ErrOffline) {
		t.Errorf("offline fetch: err = %v", err)
	}
}

// TestUpstreamRefusesUnsafeSandbox: the "none" backend never builds.
func TestUpstreamRefusesUnsafeSandbox(t *testing.T) {
	none, err := sandbox.New(sandbox.BackendNone)
	if err != nil {
		t.Fatal(err)
	}
	tarball := fakeRelease(t, "9.9")
	m := newMirror(t)
	m.put("pool/main/f/fake/fake_9.9.orig.tar.gz", tarball)
	c := openUpstreamCache(t, t.TempDir(), m, nil, none, nil)
	_, err = c.Fetch(context.Background(), Spec{Tools: []Tool{upstreamEntry(t, tarball, "", "")}})
	if !errors.Is(err, ErrBuild) || !strings.Contains(err.Error(), "isolating sandbox") {
		t.Errorf("err = %v", err)
	}
}

func TestParseUpstream(t *testing.T) {
	sum := strings.Repeat("ab", 32)
	fp := strings.Repeat("0123456789", 4)
	good := "Tool: automake\nTool-Version: 1.15.1\nUpstream: automake-1.15.1.tar.xz 10 " + sum + " pool/main/a/am/am.tar.xz\n"
	tools, err := ParseUpstream([]byte(good + "Signature: pool/main/a/am/am.tar.xz.asc\nSigners: " + strings.ToLower(fp) + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	p := tools[0].Packages[0]
	if p.Upstream.Recipe != DefaultRecipe || !slices.Equal(p.Upstream.Signers, []string{fp}) || p.Arch != ArchUpstream || p.SHA256 != p.Upstream.BuildKey() {
		t.Errorf("parsed %+v %+v", p, p.Upstream)
	}
	// The build key covers the tarball and the recipe.
	other := *p.Upstream
	other.Recipe += "\ntrue"
	if other.BuildKey() == p.Upstream.BuildKey() {
		t.Error("recipe not in the build key")
	}
	other = *p.Upstream
	other.SHA256 = strings.Repeat("cd", 32)
	if other.BuildKey() == p.Upstream.BuildKey() {
		t.Error("tarball not in the build key")
	}
	for name, bad := range map[string]string{
		"unknown tool":      strings.Replace(good, "automake", "make", 1),
		"short line":        "Tool: automake\nTool-Version: 1\nUpstream: a.tar 10 " + sum + "\n",
		"bad sha256":        strings.Replace(good, sum, "xyz", 1),
		"climbing pool":     strings.Replace(good, "pool/main/a/am/am.tar.xz", "pool/../../etc/passwd", 1),
		"slash in file":     strings.Replace(good, "automake-1.15.1.tar.xz", "../x.tar", 1),
		"dot-dot file":      strings.Replace(good, "automake-1.15.1.tar.xz", "..", 1),
		"zero size":         strings.Replace(good, " 10 ", " 0 ", 1),
		"signature no fpr":  good + "Signature: pool/x.asc\n",
		"bad fingerprint":   good + "Signature: pool/x.asc\nSigners: 1234\n",
		"bad signature url": good + "Signature: http://x/y.asc\nSigners: " + fp + "\n",
	} {
		if _, err := ParseUpstream([]byte(bad)); !errors.Is(err, ErrBadIndex) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

// TestDefaultCatalogUpstream: the built-in upstream entries resolve by
// TOOL=VERSION+upstream, are chosen by Select only with the upstream
// hint (or when no Debian package exists), and list as such.
func TestDefaultCatalogUpstream(t *testing.T) {
	cat := DefaultCatalog()
	spec, err := cat.Resolve([]string{"autoconf=2.72+upstream"})
	if err != nil || len(spec.Tools) != 1 || spec.Tools[0].Packages[0].Upstream == nil ||
		spec.Tools[0].Packages[0].Upstream.SHA256 != "ba885c1319578d6c94d46e9b0dceb4014caafe2490e437a0dbca3f270a223f5a" {
		t.Fatalf("Resolve autoconf=2.72+upstream: %v %+v", err, spec)
	}
	if deb, _ := cat.Resolve([]string{"autoconf=2.72"}); deb.Tools[0].Packages[0].Upstream != nil {
		t.Errorf("autoconf=2.72 resolved to the upstream build")
	}
	if _, err := cat.Resolve([]string{"autoconf=2.69+upstream"}); !errors.Is(err, ErrUnknownTool) || !strings.Contains(err.Error(), "2.69+upstream") {
		t.Errorf("autoconf=2.69+upstream: err = %v", err)
	}
	am, err := cat.Resolve([]string{"automake=1.16.5+upstream"})
	if err != nil || am.Tools[0].Packages[0].Upstream.Signature == "" || am.Version(ToolAutotoolsDev) == "" {
		t.Errorf("automake=1.16.5+upstream: %v %+v", err, am)
	}
	got, missing := cat.Select([]Stamp{{Generator: "GNU Autoconf", Version: "2.72", Hints: []string{HintUpstream}},
		{Generator: "pkg-config", Version: "0.29.2"}})
	if len(missing) != 0 || !slices.Equal(got.Requests(), []string{"autoconf=2.72+upstream", "pkg-config=0.29.2+upstream"}) {
		t.Errorf("Select with the upstream hint: %q, missing %q", got.Requests(), missing)
	}
	got, _ = cat.Select([]Stamp{{Generator: "GNU Autoconf", Version: "2.72"}})
	if got.Tools[0].Packages[0].Upstream != nil {
		t.Errorf("Select without the hint chose %s", got.Tools[0])
	}
	if !cat.NeedsKeyring("automake=1.16.5+upstream") || cat.NeedsKeyring("autoconf=2.72+upstream") || cat.NeedsKeyring("automake=1.16.5") {
		t.Error("NeedsKeyring: only the signed upstream entry needs --keyring")
	}
	var b strings.Builder
	if err := cat.WriteList(&b, nil); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"2.72+upstream", "autoconf-2.72.tar.xz", "sources:trixie", "sources:bullseye", "signed:155D3FC500C834486D1EEA677FD9FCCB000BEEEE", "pkg-config-0.29.2.tar.gz"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("list lacks %q", want)
		}
	}
	if bytes.Contains(cat.Marshal(), []byte("upstream")) {
		t.Error("Marshal (catalog.txt) includes upstream entries")
	}
}

// publishSources serves suite's InRelease (signed by archive) listing a
// Sources.xz whose paragraph for dir lists file with sum and size.
func (m *mirror) publishSources(t *testing.T, archive *openpgp.Entity, suite, dir, file, sum string, size int) {
	t.Helper()
	src := fmt.Sprintf("Package: other\nDirectory: pool/main/o/other\nChecksums-Sha256:\n %s %d %s\n\nPackage: fake\nVersion: 9.9-1\nDirectory: %s\nChecksums-Sha256:\n %s 10 fake_9.9-1.dsc\n %s %d %s\n",
		strings.Repeat("1", 64), size, file, dir, strings.Repeat("2", 64), sum, size, file)
	sx := xzBytes(t, []byte(src))
	m.put("dists/"+suite+"/main/source/Sources.xz", sx)
	rel := fmt.Sprintf("Origin: Debian\nSuite: %s\nCodename: %s\nSHA256:\n %s %d main/source/Sources.xz\n", suite, suite, sha256hex(sx), len(sx))
	m.put("dists/"+suite+"/InRelease", clearsignBytes(t, archive, rel))
}

// TestUpstreamListedInSources: a tarball whose entry names suites must be
// listed with its pinned sha256 in one of their signed Sources indexes.
func TestUpstreamListedInSources(t *testing.T) {
	r := buildRunner(t)
	archive := newKey(t, "Archive")
	tarball := fakeRelease(t, "9.9")
	tool := upstreamEntry(t, tarball, "", "")
	tool.Packages[0].Upstream.Suites = []string{"stable"}
	pool := "pool/main/f/fake/fake_9.9.orig.tar.gz"
	for _, tc := range []struct {
		name    string
		dir     string // the source package's pool directory in the index
		listed  string // sha256 the index gives
		keys    openpgp.EntityList
		wantErr error
	}{
		{"listed", "pool/main/f/fake", sha256hex(tarball), openpgp.EntityList{archive}, nil},
		{"listed with another sha256", "pool/main/f/fake", strings.Repeat("f", 64), openpgp.EntityList{archive}, ErrHashMismatch},
		{"not listed", "pool/main/f/fake2", sha256hex(tarball), openpgp.EntityList{archive}, ErrNotFound},
		{"index signed by another key", "pool/main/f/fake", sha256hex(tarball), openpgp.EntityList{newKey(t, "Other")}, ErrBadSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMirror(t)
			m.put(pool, tarball)
			m.publishSources(t, archive, "stable", tc.dir, "fake_9.9.orig.tar.gz", tc.listed, len(tarball))
			f, err := fetch.New(fetch.Options{CacheDir: t.TempDir(), Retries: -1})
			if err != nil {
				t.Fatal(err)
			}
			log := &stepLog{}
			c, err := Open(Options{Dir: t.TempDir(), Getter: f, Mirror: m.url(), Keyring: tc.keys, Builder: r, Progress: log.add})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Fetch(context.Background(), Spec{Tools: []Tool{tool}})
			if !errors.Is(err, tc.wantErr) || (err != nil && strings.Contains(err.Error(), "\n")) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr == nil && !log.has("checking fake_9.9.orig.tar.gz against the signed stable Sources index") {
				t.Errorf("steps %q", log.steps)
			}
			if tc.wantErr != nil && c.unpacked(tool.Packages[0].SHA256) {
				t.Error("refused release entered the cache")
			}
		})
	}
}
