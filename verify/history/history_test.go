package history

import (
	"bytes"
	"context"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"

	"github.com/tarcheck/tarcheck/verify/gitsrc"
	"github.com/tarcheck/tarcheck/verify/sig"
)

func requireGit(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("TARCHECK_REQUIRE_TOOLS") == "1" {
			t.Fatalf("required tool git: %v", err)
		}
		t.Skipf("git not installed: %v", err)
	}
}

// fixture is a generated repository with releases v1.0, v1.1 and v1.2.
type fixture struct {
	t   testing.TB
	dir string
}

func newFixture(t testing.TB) *fixture {
	dir := filepath.Join(t.TempDir(), "work")
	os.MkdirAll(dir, 0o755)
	f := &fixture{t, dir}
	f.git("init", "--quiet")
	return f
}

func (f *fixture) git(args ...string) string {
	f.t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"}, args...)...)
	cmd.Dir = f.dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + f.dir, "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_DATE=2024-02-24T12:00:00Z", "GIT_COMMITTER_DATE=2024-02-24T12:00:00Z"}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		f.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return strings.TrimSpace(out.String())
}

// commit writes files (an empty content deletes) and commits them as who.
func (f *fixture) commit(who, msg string, files map[string]string) {
	f.t.Helper()
	for name, content := range files {
		p := filepath.Join(f.dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			f.t.Fatal(err)
		}
	}
	email := strings.ToLower(strings.Fields(who)[0]) + "@example.invalid"
	f.git("add", "-A")
	f.git("-c", "user.name="+who, "-c", "user.email="+email, "commit", "--quiet", "-m", msg)
}

func (f *fixture) tag(name string) {
	f.git("-c", "user.name=Release", "-c", "user.email=release@example.invalid", "tag", "-a", "-m", name, name)
}

// xzLike is a binary test file with an xz magic.
func xzLike(n byte) string {
	return "\xfd7zXZ\x00\x00\x04" + strings.Repeat(string([]byte{n, 0, 0xff}), 40)
}

// xzHistory builds the xz-utils story: Alice maintains the build system;
// Jia adds a binary test file in v1.1 and "updates" it in v1.2, where he
// also changes an m4 macro for the first time. extra adds files to v1.2.
func xzHistory(t testing.TB, extra map[string]string) *fixture {
	f := newFixture(t)
	f.commit("Alice Maint", "initial", map[string]string{"configure.ac": "AC_INIT([x], [1.0])\n", "m4/build-to-host.m4": "dnl serial 3\n",
		"tests/Makefile.am": "TESTS = test_files.sh\n", "tests/test_files.sh": "#!/bin/sh\nfor f in \"$srcdir\"/files/good-*.xz; do xz -t \"$f\"; done\n",
		"src/main.c": "int main(void){return 0;}\n"})
	f.tag("v1.0")
	f.commit("Jia Tan", "Tests: Add a few test files.", map[string]string{"tests/files/bad-3-corrupt_lzma2.xz": xzLike(1)})
	f.commit("Alice Maint", "Build: tidy", map[string]string{"configure.ac": "AC_INIT([x], [1.1])\n"})
	f.tag("v1.1")
	files := map[string]string{"tests/files/bad-3-corrupt_lzma2.xz": xzLike(2), "m4/build-to-host.m4": "dnl serial 4\ngl_am_configmake=`grep -aErls \"#{4}[[:alnum:]]{5}#{4}$\" $srcdir/`\n"}
	for k, v := range extra {
		files[k] = v
	}
	f.commit("Jia Tan", "Tests: Update two test files.", files)
	f.tag("v1.2")
	return f
}

// driftInput reads what Drift needs through gitsrc, as the pipeline will.
func driftInput(t testing.TB, f *fixture, prevName, curName string) (DriftInput, func()) {
	ctx := context.Background()
	r, err := gitsrc.Open(ctx, f.dir, gitsrc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cur, err := r.Resolve(ctx, curName)
	if err != nil {
		t.Fatal(err)
	}
	prev, err := r.Resolve(ctx, prevName)
	if err != nil {
		t.Fatal(err)
	}
	in := DriftInput{Previous: prev.Name, Current: cur.Name, CheckCommitters: true}
	if in.Changes, err = r.DiffTrees(ctx, prev.Tree, cur.Tree); err != nil {
		t.Fatal(err)
	}
	if in.Commits, err = r.Log(ctx, prev.Commit, cur.Commit, nil); err != nil {
		t.Fatal(err)
	}
	if in.Earlier, err = r.Log(ctx, "", prev.Commit, BuildPaths(in.Changes)); err != nil {
		t.Fatal(err)
	}
	if err := r.ListTree(ctx, cur.Tree, func(e gitsrc.TreeEntry) error { in.Tree = append(in.Tree, e); return nil }); err != nil {
		t.Fatal(err)
	}
	b, err := r.OpenBlobs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	in.Blobs = b
	return in, func() { b.Close() }
}

func findingsOf(fs []Finding, rule string) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

func TestDriftUnreferencedBinaryIsMedium(t *testing.T) {
	requireGit(t)
	f := xzHistory(t, nil)
	in, done := driftInput(t, f, "v1.1", "v1.2")
	defer done()
	d, fs := Drift(in)
	if len(d.Binaries) != 1 {
		t.Fatalf("binaries %+v", d.Binaries)
	}
	b := d.Binaries[0]
	if b.Path != "tests/files/bad-3-corrupt_lzma2.xz" || b.Status != "modified" || b.Type != "xz" || b.Size != int64(len(xzLike(2))) ||
		len(b.Commits) != 1 || b.Commits[0].Author != "Jia Tan <jia@example.invalid>" || b.Commits[0].Date != "2024-02-24" || len(b.ReferencedBy) != 0 {
		t.Fatalf("binary change %+v", b)
	}
	bf := findingsOf(fs, RuleBinaryDrift)
	if len(bf) != 1 || bf[0].Severity != SevMedium || bf[0].Path != b.Path ||
		!strings.Contains(strings.Join(bf[0].Evidence, "\n"), `by Jia Tan <jia@example.invalid> on 2024-02-24: "Tests: Update two test files."`) {
		t.Fatalf("binary findings %+v", bf)
	}
	// The build-system change is listed, and Jia, who had never touched
	// the build files before v1.1, is a new committer who also changed a
	// binary file.
	if len(d.BuildFiles) != 1 || d.BuildFiles[0].Path != "m4/build-to-host.m4" || d.BuildFiles[0].Status != "modified" {
		t.Errorf("build files %+v", d.BuildFiles)
	}
	if len(findingsOf(fs, RuleBuildDrift)) != 1 {
		t.Errorf("no grouped build-drift finding: %+v", fs)
	}
	nc := findingsOf(fs, RuleNewCommitter)
	if len(d.NewCommitters) != 1 || !d.NewCommitters[0].TouchedBinaries || len(nc) != 1 || nc[0].Severity != SevMedium ||
		!strings.Contains(nc[0].Message, "Jia Tan") {
		t.Errorf("new committers %+v, findings %+v", d.NewCommitters, nc)
	}
	// Over v1.0..v1.1 the same file is "added" and Alice, who touched
	// configure.ac before, is not new.
	in2, done2 := driftInput(t, f, "v1.0", "v1.1")
	defer done2()
	d2, fs2 := Drift(in2)
	if len(d2.Binaries) != 1 || d2.Binaries[0].Status != "added" || len(findingsOf(fs2, RuleBinaryDrift)) != 1 || len(d2.NewCommitters) != 0 {
		t.Errorf("v1.0..v1.1: %+v %+v", d2, fs2)
	}
}

func TestDriftFlaggedReferenceIsHigh(t *testing.T) {
	requireGit(t)
	// The m4 names the file: referenced, and the m4 is flagged.
	f := xzHistory(t, map[string]string{"m4/payload.m4": "dnl uses files/bad-3-corrupt_lzma2.xz\n"})
	in, done := driftInput(t, f, "v1.1", "v1.2")
	defer done()
	in.Flagged = map[string]string{"m4/payload.m4": "TC505 decodes data and runs the result"}
	d, fs := Drift(in)
	bf := findingsOf(fs, RuleBinaryDrift)
	if len(bf) != 1 || bf[0].Severity != SevHigh || d.Binaries[0].Severity != SevHigh ||
		!strings.Contains(strings.Join(bf[0].Evidence, "\n"), "m4/payload.m4 names it (TC505 decodes data and runs the result)") {
		t.Fatalf("findings %+v", bf)
	}
	if strings.Join(d.Binaries[0].ReferencedBy, ",") != "m4/payload.m4" {
		t.Errorf("referenced by %q", d.Binaries[0].ReferencedBy)
	}

	// The m4 only selects it by pattern: the selector evaluation links them.
	g := xzHistory(t, nil)
	in2, done2 := driftInput(t, g, "v1.1", "v1.2")
	defer done2()
	s := Select{Selector: `grep "#{4}[[:alnum:]]{5}#{4}$" over the source tree`, Path: "m4/build-to-host.m4", Line: 2, Evaluated: true}
	ev := SelectEvidence(s, SelectedFile{Path: "tests/files/bad-3-corrupt_lzma2.xz", Type: "xz", InGit: true, Since: strings.Repeat("ab", 20)})
	in2.Selected = map[string][]string{"tests/files/bad-3-corrupt_lzma2.xz": {ev}}
	_, fs2 := Drift(in2)
	bf2 := findingsOf(fs2, RuleBinaryDrift)
	want := `selected by m4/build-to-host.m4:2 grep "#{4}[[:alnum:]]{5}#{4}$" over the source tree selects tests/files/bad-3-corrupt_lzma2.xz (binary xz, in git since abababababab)`
	if len(bf2) != 1 || bf2[0].Severity != SevHigh || !strings.Contains(strings.Join(bf2[0].Evidence, "\n"), want) {
		t.Fatalf("selector findings %+v", bf2)
	}
}

func TestDriftReferencedByTestIsQuiet(t *testing.T) {
	requireGit(t)
	f := xzHistory(t, map[string]string{"tests/files/good-1-block.xz": xzLike(3), "doc/logo.png": "\x89PNG\r\n\x1a\n\x00\x00"})
	in, done := driftInput(t, f, "v1.1", "v1.2")
	defer done()
	d, fs := Drift(in)
	var good *BinaryChange
	for i := range d.Binaries {
		if d.Binaries[i].Path == "tests/files/good-1-block.xz" {
			good = &d.Binaries[i]
		}
	}
	if good == nil || strings.Join(good.ReferencedBy, ",") != "tests/test_files.sh" || good.Severity != "" {
		t.Fatalf("good-1-block.xz: %+v", good)
	}
	for _, x := range findingsOf(fs, RuleBinaryDrift) {
		if x.Path != "tests/files/bad-3-corrupt_lzma2.xz" {
			t.Errorf("unexpected finding %+v (a glob-referenced test file and a documentation image are not findings)", x)
		}
	}
	if len(d.Binaries) != 3 {
		t.Errorf("binaries %+v", d.Binaries)
	}
}

func TestContainsWordAndGlobs(t *testing.T) {
	for _, c := range []struct {
		text, word string
		want       bool
	}{
		{"EXTRA_DIST = files/a.xz b.xz", "a.xz", true},
		{"x-a.xz", "a.xz", false},
		{"aa.xz", "a.xz", false},
		{"see a.xz.", "a.xz", true},
		{"a.xzz", "a.xz", false},
	} {
		if got := containsWord([]byte(c.text), c.word); got != c.want {
			t.Errorf("containsWord(%q, %q) = %v", c.text, c.word, got)
		}
	}
	got := baseGlobs([]byte(`for f in "$srcdir"/files/good-*.xz $x* *; do`))
	if strings.Join(got, ",") != "good-*.xz" {
		t.Errorf("baseGlobs = %q", got)
	}
}

func newKey(t testing.TB, name string) *openpgp.Entity {
	e, err := openpgp.NewEntity(name, "", strings.ToLower(name)+"@example.invalid", nil)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func fpr(e *openpgp.Entity) string {
	return strings.ToUpper(hex.EncodeToString(e.PrimaryKey.Fingerprint))
}

func TestSignerChange(t *testing.T) {
	oldK, newK := newKey(t, "Lasse"), newKey(t, "Jia")
	prev := []Signer{{Subject: "tarball", Kind: "openpgp", Key: fpr(oldK), Verified: true}, {Subject: "tag", Kind: "openpgp", Key: fpr(oldK), Verified: true}}
	cur := []Signer{{Subject: "tarball", Kind: "openpgp", Key: fpr(newK), Verified: true}, {Subject: "tag", Kind: "openpgp", Key: fpr(oldK), Verified: true}}
	in := SignerInput{Previous: "v5.6.0", Current: "v5.6.1", CurrentSigners: cur, PreviousSigners: prev, Keyring: openpgp.EntityList{oldK, newK}}
	h, fs := Signers(in)
	if strings.Join(h.Changed, ",") != "tarball" || len(fs) != 1 || fs[0].Rule != RuleSignerChanged || fs[0].Severity != SevMedium {
		t.Fatalf("history %+v findings %+v", h, fs)
	}
	if fs[0].Subject != "tarball" || fs[0].Signer != fpr(newK) {
		t.Errorf("the change names subject %q and key %q, want tarball and the new key (report.FoldSignerFindings)", fs[0].Subject, fs[0].Signer)
	}
	ev := strings.Join(fs[0].Evidence, "\n")
	if !strings.Contains(ev, "previous (v5.6.0): openpgp "+fpr(oldK)) || !strings.Contains(ev, "current (v5.6.1): openpgp "+fpr(newK)) {
		t.Errorf("evidence lacks both fingerprints:\n%s", ev)
	}
	if len(h.HandOver) != 0 {
		t.Errorf("hand-over without certification: %q", h.HandOver)
	}
	in.Pinned = true
	if _, fs := Signers(in); fs[0].Severity != SevHigh {
		t.Errorf("pinned signers: severity %s, want high", fs[0].Severity)
	}
	in.Pinned = false

	// The old key certifies the new key's user id: a hand-over.
	for name := range newK.Identities {
		if err := newK.SignIdentity(name, oldK, nil); err != nil {
			t.Fatal(err)
		}
	}
	h, fs = Signers(in)
	ho := findingsOf(fs, RuleSignerHandOver)
	if len(h.HandOver) != 1 || len(ho) != 1 || ho[0].Severity != SevInfo ||
		!strings.Contains(ho[0].Message, "the new key "+fpr(newK)) || !strings.Contains(ho[0].Message, "certified by the previous key "+fpr(oldK)) {
		t.Fatalf("hand-over: %+v %+v", h.HandOver, fs)
	}
	// A certification by a third key is no hand-over.
	other := newKey(t, "Mallory")
	k2 := newKey(t, "Jia2")
	for name := range k2.Identities {
		k2.SignIdentity(name, other, nil)
	}
	in.CurrentSigners[0].Key = fpr(k2)
	in.Keyring = openpgp.EntityList{oldK, k2, other}
	if h, _ := Signers(in); len(h.HandOver) != 0 {
		t.Errorf("hand-over from a third key: %q", h.HandOver)
	}
	// Same keys, or one side unsigned: no change.
	if h, fs := Signers(SignerInput{CurrentSigners: prev, PreviousSigners: prev}); len(fs) != 0 || len(h.Changed) != 0 {
		t.Errorf("same signers: %+v %+v", h, fs)
	}
	if _, fs := Signers(SignerInput{CurrentSigners: cur[1:], PreviousSigners: prev}); len(fs) != 0 {
		t.Errorf("unsigned tarball counted as a change: %+v", fs)
	}
	// A previous signature by a key outside the keyring names only its
	// key id: the same key as the current fingerprint, no change.
	byID := []Signer{{Subject: "tarball", Kind: "openpgp", Key: fpr(oldK)[24:]}}
	if _, fs := Signers(SignerInput{CurrentSigners: prev[:1], PreviousSigners: byID}); len(fs) != 0 {
		t.Errorf("key id of the same key counted as a change: %+v", fs)
	}
	if _, fs := Signers(SignerInput{CurrentSigners: cur[:1], PreviousSigners: byID}); len(fs) != 1 {
		t.Errorf("key id of another key not a change: %+v", fs)
	}
}

func TestSignerFromResult(t *testing.T) {
	for _, c := range []struct {
		r    sig.Result
		want Signer
		ok   bool
	}{
		{sig.Result{Subject: "tag", Kind: sig.KindOpenPGP, Status: sig.StatusValid, Signer: "aaaa", Primary: "bbbb"},
			Signer{Subject: "tag", Kind: "openpgp", Key: "BBBB", Principal: "aaaa", Verified: true}, true},
		{sig.Result{Subject: "tarball", Kind: sig.KindOpenPGP, Status: sig.StatusUnverifiable, Issuer: "cccc"},
			Signer{Subject: "tarball", Kind: "openpgp", Key: "CCCC"}, true},
		{sig.Result{Subject: "tag", Kind: sig.KindSSH, Status: sig.StatusValid, Signer: "jia@example", Issuer: "SHA256:xyz"},
			Signer{Subject: "tag", Kind: "ssh", Key: "SHA256:xyz", Principal: "jia@example", Verified: true}, true},
		{sig.Result{Subject: "tarball", Kind: sig.KindSigstore, Status: sig.StatusValid, Signer: "https://github.com/o/r/.github/workflows/rel.yml@refs/tags/v1"},
			Signer{Subject: "tarball", Kind: "sigstore", Key: "https://github.com/o/r/.github/workflows/rel.yml@refs/tags/v1", Verified: true}, true},
		{sig.Result{Subject: "tag", Kind: sig.KindOpenPGP, Status: sig.StatusMissing}, Signer{}, false},
	} {
		got, ok := SignerFromResult(c.r)
		if got != c.want || ok != c.ok {
			t.Errorf("SignerFromResult(%+v) = %+v, %v; want %+v", c.r, got, ok, c.want)
		}
	}
	// An SSH key change with the same principal is a change.
	a := Signer{Subject: "tag", Kind: "ssh", Key: "SHA256:old", Principal: "jia@example"}
	b := Signer{Subject: "tag", Kind: "ssh", Key: "SHA256:new", Principal: "jia@example"}
	if h, fs := Signers(SignerInput{CurrentSigners: []Signer{b}, PreviousSigners: []Signer{a}}); len(fs) != 1 || h.Changed[0] != "tag" {
		t.Errorf("ssh key change: %+v", fs)
	}
}

func TestTarballDrift(t *testing.T) {
	got, fs := TarballDrift([]string{"m4/build-to-host.m4", "configure", "m4/new.m4", "configure"}, []string{"configure"}, "v5.6.0")
	if strings.Join(got, ",") != "m4/build-to-host.m4,m4/new.m4" || len(fs) != 1 || fs[0].Rule != RuleTarballDrift ||
		!strings.Contains(fs[0].Message, "2 files") {
		t.Fatalf("TarballDrift = %q, %+v", got, fs)
	}
	if got, fs := TarballDrift([]string{"configure"}, []string{"configure"}, "v1"); len(got) != 0 || got == nil || fs != nil {
		t.Errorf("no drift: %q %+v", got, fs)
	}
}

func TestSpecificGlob(t *testing.T) {
	for s, want := range map[string]bool{"good-*.xz": true, "*.xz": true, "freebsd*": true, "bad-?.lzma": true,
		"*is*": false, "-*": false, "*a": false, "*_r": false, "*.x*": false, "$f*": false, "a*": false, "good.xz": false} {
		if got := specificGlob(s); got != want {
			t.Errorf("specificGlob(%q) = %v, want %v", s, got, want)
		}
	}
}

// Unreferenced binaries under one top-level directory make one medium
// finding; a flagged (high) one and a lone one stay as they are.
func TestGroupUnreferenced(t *testing.T) {
	med := func(p string) Finding {
		return Finding{Rule: RuleBinaryDrift, Severity: SevMedium, Path: p, Message: "binary file " + p}
	}
	fs := []Finding{med("fuzz/a.in/1"), med("fuzz/a.in/2"), med("fuzz/b.in/3"), med("tests/x.bin"),
		{Rule: RuleBinaryDrift, Severity: SevHigh, Path: "fuzz/a.in/4", Message: "flagged"},
		{Rule: RuleBuildDrift, Severity: SevInfo, Message: "build"}}
	got := groupUnreferenced(fs, "v1.0")
	if len(got) != 4 {
		t.Fatalf("grouped %+v", got)
	}
	g := got[len(got)-1]
	if g.Path != "fuzz/" || g.Severity != SevMedium || !strings.Contains(g.Message, "3 binary files") ||
		!strings.Contains(strings.Join(g.Evidence, " "), "fuzz/a.in/1, fuzz/a.in/2, fuzz/b.in/3") {
		t.Errorf("group %+v", g)
	}
	if got[0].Path != "tests/x.bin" || got[1].Severity != SevHigh || got[1].Path != "fuzz/a.in/4" {
		t.Errorf("kept %+v", got[:3])
	}
}

// TestDriftContentReadAhead checks that the drift's blob reads, made
// before the classification's findings are known (ReadDriftContent), give
// Drift the same report and findings, flagged references included, with
// no blob read afterwards.
func TestDriftContentReadAhead(t *testing.T) {
	requireGit(t)
	f := xzHistory(t, map[string]string{"m4/payload.m4": "dnl uses files/bad-3-corrupt_lzma2.xz\n"})
	in, done := driftInput(t, f, "v1.1", "v1.2")
	defer done()
	ahead := in
	ahead.Content = ReadDriftContent(in)
	ahead.Blobs, ahead.Tree = nil, nil // nothing left to read
	flagged := map[string]string{"m4/payload.m4": "TC505 decodes data and runs the result"}
	in.Flagged, ahead.Flagged = flagged, flagged
	wantD, wantF := Drift(in)
	gotD, gotF := Drift(ahead)
	if !reflect.DeepEqual(gotD, wantD) || !reflect.DeepEqual(gotF, wantF) {
		t.Fatalf("read ahead:\n%+v\n%+v\nwant\n%+v\n%+v", gotD, gotF, wantD, wantF)
	}
	if len(gotD.Binaries) != 1 || gotD.Binaries[0].Severity != SevHigh || len(findingsOf(gotF, RuleBinaryDrift)) != 1 {
		t.Fatalf("the flagged reference is lost: %+v %+v", gotD.Binaries, gotF)
	}
	// The content read ahead is not changed by a report made from it.
	again, _ := Drift(ahead)
	if !reflect.DeepEqual(again, wantD) {
		t.Errorf("a second report differs: %+v", again)
	}
}
