package verify

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/tarcheck/tarcheck/sandbox"
	"github.com/tarcheck/tarcheck/verify/gitsrc"
	"github.com/tarcheck/tarcheck/verify/report"
)

// TestAheadSameReport: the previous-release analysis whose git work runs
// while the archive streams, the .gitattributes read into an index
// meanwhile, and the tag's tree listed while the signatures are checked,
// give the report the serial pipeline gives, field for field:
// with the previous release, its drift (a build file and a binary changed,
// the commits between, the earlier release's history of the build file)
// and the export-ignore'd and export-subst'd files explained.
func TestAheadSameReport(t *testing.T) {
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	run := commandRunner(t)
	os.MkdirAll(filepath.Join(repo, "tests"), 0o755)
	os.WriteFile(filepath.Join(repo, "configure.ac"), []byte("AC_INIT([foo], [1.0])\n"), 0o644)
	os.WriteFile(filepath.Join(repo, "a.txt"), []byte("a\n"), 0o644)
	os.MkdirAll(filepath.Join(repo, "ci"), 0o755)
	os.WriteFile(filepath.Join(repo, "ci", "build.sh"), []byte("make\n"), 0o644)
	os.WriteFile(filepath.Join(repo, "version.h"), []byte("#define V \"$Format:%H$\"\n"), 0o644)
	os.WriteFile(filepath.Join(repo, ".gitattributes"), []byte("ci/ export-ignore\nversion.h export-subst\n"), 0o644)
	run(repo, "git", "init", "-q")
	run(repo, "git", "add", "-A")
	run(repo, "git", "commit", "-q", "-m", "one")
	run(repo, "git", "tag", "-a", "-m", "foo 1.0", "v1.0")
	os.WriteFile(filepath.Join(repo, "configure.ac"), []byte("AC_INIT([foo], [1.1])\n"), 0o644)
	os.WriteFile(filepath.Join(repo, "tests", "data.xz"), []byte("\xfd7zXZ\x00\x00binary"), 0o644)
	run(repo, "git", "add", "-A")
	run(repo, "git", "commit", "-q", "-m", "two")
	run(repo, "git", "tag", "-a", "-m", "foo 1.1", "v1.1")
	os.WriteFile(filepath.Join(repo, "configure.ac"), []byte("AC_INIT([foo], [1.2])\n"), 0o644)
	os.WriteFile(filepath.Join(repo, "tests", "data.xz"), []byte("\xfd7zXZ\x00\x00binary 2"), 0o644)
	run(repo, "git", "add", "-A")
	run(repo, "git", "commit", "-q", "-m", "three")
	run(repo, "git", "tag", "-a", "-m", "foo 1.2", "v1.2")
	run(dir, "sh", "-c", "mkdir -p x && git -C repo archive --prefix=foo-1.2/ v1.2 | tar -x -C x && printf 'n\\n' > x/foo-1.2/NEWS && tar -czf foo-1.2.tar.gz -C x foo-1.2")
	o := Options{Sources: Sources{Tarball: filepath.Join(dir, "foo-1.2.tar.gz"), Git: repo, Tag: "v1.2", CacheDir: filepath.Join(dir, "cache")}}

	ahead := aheadAndSerial(t, o)
	if ahead.Previous == nil || ahead.Previous.Tag != "v1.1" || ahead.Drift == nil || len(ahead.Drift.BuildFiles) == 0 || len(ahead.Drift.Binaries) == 0 {
		t.Fatalf("no previous-release analysis: previous %+v drift %+v", ahead.Previous, ahead.Drift)
	}
	classes := map[string]string{}
	for _, f := range ahead.Files {
		classes[f.Path] = f.Class
	}
	if classes["ci/build.sh"] == "" || classes["version.h"] == "" {
		t.Errorf("export-ignore'd and export-subst'd files not explained: %v", classes)
	}
	// The drift's blobs (the binary file changed since v1.1) were read
	// ahead, and step 9 took them.
	o.withPolicy()
	o.Sources.CacheDir = filepath.Join(dir, "cache2")
	p := &pipeline{o: o}
	if _, err := p.run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if p.ahead == nil || p.ahead.content == nil || len(p.ahead.content.Binaries()) != 1 {
		t.Errorf("the drift's blobs were not read ahead: %+v", p.ahead)
	}
}

// aheadAndSerial runs o as verify does (work in the background) and as the
// serial pipeline, fails the test when the two reports differ in any
// field, and returns the first.
func aheadAndSerial(t *testing.T, o Options) *report.Report {
	t.Helper()
	ahead, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	o.withPolicy()
	p := &pipeline{o: o, serial: true}
	serial, err := p.run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(ahead)
	b, _ := json.Marshal(serial)
	if string(a) != string(b) {
		t.Errorf("reports differ:\nahead  %s\nserial %s", a, b)
	}
	return ahead
}

// TestTagTreeIsListTree: the tag's tree rebuilt from step 4's index is
// what git ls-tree -r lists, entry for entry and in order (files in
// subdirectories, an executable, a symlink, a gitlink).
func TestTagTreeIsListTree(t *testing.T) {
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	run := commandRunner(t)
	os.MkdirAll(filepath.Join(repo, "a", "b"), 0o755)
	os.WriteFile(filepath.Join(repo, "a", "b", "c.txt"), []byte("c\n"), 0o644)
	os.WriteFile(filepath.Join(repo, "a-b"), []byte("x\n"), 0o755)
	os.WriteFile(filepath.Join(repo, "z"), []byte("z\n"), 0o644)
	os.Symlink("z", filepath.Join(repo, "link"))
	run(repo, "git", "init", "-q")
	run(repo, "git", "add", "-A")
	run(repo, "git", "update-index", "--add", "--cacheinfo", "160000,1111111111111111111111111111111111111111,sub")
	run(repo, "git", "commit", "-q", "-m", "x")
	run(repo, "git", "tag", "v1")
	o := Options{Sources: Sources{Git: repo, Tag: "v1", CacheDir: filepath.Join(dir, "cache")}}
	o.withPolicy()
	p := &pipeline{o: o, serial: true, report: newReport(&o)}
	ctx := context.Background()
	if err := p.resolveTag(ctx); err != nil {
		t.Fatal(err)
	}
	if err := p.indexGit(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := p.tagTree(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var want []gitsrc.TreeEntry
	if err := p.repo.ListTree(ctx, p.tag.Tree, func(e gitsrc.TreeEntry) error { want = append(want, e); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(want) != 5 || !reflect.DeepEqual(got, want) {
		t.Errorf("tagTree:\n%v\nls-tree:\n%v", got, want)
	}
}

// TestSandboxAheadOnce: a release whose tag has a makefile rule for a file
// only in the tarball gets its sandbox probed once, while the archive
// streams, and the tag rule proves the file with it; the serial pipeline
// (probing when the rules run) gives the same report.
func TestSandboxAheadOnce(t *testing.T) {
	isolatingBackend(t)
	dir := t.TempDir()
	run := commandRunner(t)
	repo := makeRepo(t, map[string]srcFile{
		"Makefile.am": {body: "codes.h: codes.in\n\tsed s/ONE/TWO/ $(srcdir)/codes.in > $@\n"},
		"codes.in":    {body: "#define E_ONE 1\n"},
	})
	run(dir, "sh", "-c", `mkdir -p x && git -C "$1" archive --prefix=foo-1.0/ v1.0 | tar -x -C x && sed s/ONE/TWO/ x/foo-1.0/codes.in > x/foo-1.0/codes.h && tar -czf foo-1.0.tar.gz -C x foo-1.0`, "sh", repo)
	o := Options{Sources: Sources{Tarball: filepath.Join(dir, "foo-1.0.tar.gz"), Git: repo, Tag: "v1.0", CacheDir: filepath.Join(dir, "cache")}}
	saved := newSandbox
	t.Cleanup(func() { newSandbox = saved })
	var probes atomic.Int32
	newSandbox = func(ctx context.Context, name string) (sandbox.Runner, error) {
		probes.Add(1)
		return saved(ctx, name)
	}
	ahead := aheadAndSerial(t, o)
	if n := probes.Load(); n != 2 {
		t.Errorf("sandbox opened %d times in the two runs, want once each", n)
	}
	var proved bool
	for _, f := range ahead.Files {
		proved = proved || f.Path == "codes.h" && f.Origin != nil && f.Origin.Kind == report.OriginTagRule
	}
	if !proved {
		t.Fatalf("codes.h not proved by its tag rule: %+v", ahead.Files)
	}
}

// TestSignaturesAheadSameReport: the signature check that runs while the
// archive streams gives the report the serial pipeline gives, field for
// field, for a tarball signed by the keyring's key (valid, its sha256
// computed once for the check and the comparison) and for one signed by
// another key.
func TestSignaturesAheadSameReport(t *testing.T) {
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	run := commandRunner(t)
	os.MkdirAll(repo, 0o755)
	os.WriteFile(filepath.Join(repo, "configure.ac"), []byte("AC_INIT([foo], [1.0])\n"), 0o644)
	run(repo, "git", "init", "-q")
	run(repo, "git", "add", "-A")
	run(repo, "git", "commit", "-q", "-m", "one")
	run(repo, "git", "tag", "-a", "-m", "foo 1.0", "v1.0")
	run(dir, "sh", "-c", "mkdir -p x && git -C repo archive --prefix=foo-1.0/ v1.0 | tar -x -C x && tar -czf foo-1.0.tar.gz -C x foo-1.0")
	tarball := filepath.Join(dir, "foo-1.0.tar.gz")
	key, err := openpgp.NewEntity("Upstream", "", "upstream@example.invalid", &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	if err != nil {
		t.Fatal(err)
	}
	other, err := openpgp.NewEntity("Other", "", "other@example.invalid", &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	if err != nil {
		t.Fatal(err)
	}
	var pub bytes.Buffer
	w, _ := armor.Encode(&pub, openpgp.PublicKeyType, nil)
	key.Serialize(w)
	w.Close()
	keyring := filepath.Join(dir, "keyring.asc")
	os.WriteFile(keyring, pub.Bytes(), 0o644)
	data, _ := os.ReadFile(tarball)
	for _, signer := range []*openpgp.Entity{key, other} {
		var sig bytes.Buffer
		if err := openpgp.ArmoredDetachSign(&sig, signer, bytes.NewReader(data), &packet.Config{DefaultHash: crypto.SHA256}); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(tarball+".asc", sig.Bytes(), 0o644)
		o := Options{Sources: Sources{Tarball: tarball, Git: repo, Tag: "v1.0", CacheDir: filepath.Join(dir, "cache")},
			Trust: Trust{Keyrings: []string{keyring}}, History: History{Previous: gitsrc.PreviousNone}}
		ahead := aheadAndSerial(t, o)
		if len(ahead.Signatures) == 0 || ahead.Tarball.SHA256 == "" {
			t.Fatalf("%s: no signature checked or no sha256: %+v %q", signer.PrimaryIdentity().Name, ahead.Signatures, ahead.Tarball.SHA256)
		}
	}
}

// TestAheadSameReportBuildScripts: a one-block .tar.xz release whose
// configure (past the prescan's large-file size) and Makefile.in exist
// only in the tarball, one of them with xz-style build logic: decoded
// from step 1 on and scanned from the start of the classification, it
// gives the serial pipeline's report, and that report has the finding.
func TestAheadSameReportBuildScripts(t *testing.T) {
	dir := t.TempDir()
	run := commandRunner(t)
	repo := makeRepo(t, map[string]srcFile{
		"configure.ac": {body: "AC_INIT([foo], [1.0])\nAC_OUTPUT\n"},
		"Makefile.am":  {body: "bin_PROGRAMS = foo\n"},
		"foo.c":        {body: "int main(void) { return 0; }\n"},
	})
	rel := filepath.Join(dir, "x", "foo-1.0")
	run(dir, "sh", "-c", `mkdir -p x && git -C "$1" archive --prefix=foo-1.0/ v1.0 | tar -x -C x`, "sh", repo)
	var cfg strings.Builder
	cfg.WriteString("#! /bin/sh\n# Generated by GNU Autoconf 2.71 for foo 1.0.\n")
	for i := 0; cfg.Len() <= 1<<20+(64<<10); i++ {
		fmt.Fprintf(&cfg, "if test \"x$enable_opt%d\" = xyes; then\n  ac_cv_opt%d=yes\n  CFLAGS=\"$CFLAGS -DOPT%d\"\nfi\n", i, i, i)
	}
	cfg.WriteString("gl_xt=`grep -aRl 'FOO-VECTOR' \"$srcdir/tests\" | head -n 1`\n" +
		"cat \"$gl_xt\" | tr 'N-ZA-Mn-za-m' 'A-Za-z' | xz -dc | $SHELL\n")
	os.WriteFile(filepath.Join(rel, "configure"), []byte(cfg.String()), 0o755)
	os.WriteFile(filepath.Join(rel, "Makefile.in"), []byte("# Makefile.in generated by automake 1.16.5 from Makefile.am.\nall:\n\t$(CC) -o foo foo.c\n"), 0o644)
	run(dir, "sh", "-c", "tar -cf - -C x foo-1.0 | xz -c > foo-1.0.tar.xz")
	o := Options{Sources: Sources{Tarball: filepath.Join(dir, "foo-1.0.tar.xz"), Git: repo, Tag: "v1.0", CacheDir: filepath.Join(dir, "cache")}}

	ahead := aheadAndSerial(t, o)
	data, err := os.ReadFile(o.Sources.Tarball)
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(data); ahead.Tarball.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("report's sha256 %q, the file's %x", ahead.Tarball.SHA256, sum)
	}
	found := false
	for _, f := range ahead.Findings {
		if f.Path == "configure" && f.Severity >= report.SevHigh {
			found = true
		}
	}
	if !found {
		t.Errorf("no high finding on configure's decoder: %+v", ahead.Findings)
	}
}
