package main

import (
	"bytes"
	"crypto"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/tarcheck/tarcheck/verify/report/reporttest"
)

func newKey(t testing.TB) (*openpgp.Entity, []byte) {
	t.Helper()
	key, err := openpgp.NewEntity("Upstream", "", "upstream@example.invalid", &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	if err != nil {
		t.Fatal(err)
	}
	var pub bytes.Buffer
	w, _ := armor.Encode(&pub, openpgp.PublicKeyType, nil)
	if err := key.Serialize(w); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return key, pub.Bytes()
}

func signFile(t testing.TB, key *openpgp.Entity, name string) {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var sig bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&sig, key, bytes.NewReader(data), &packet.Config{DefaultHash: crypto.SHA256}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name+".asc", sig.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// newDebianFixture makes foo 1.2~rc1 (tag v1.2-rc1, plus a decoy v1.2),
// packaged as 1:1.2~rc1-3 with gbp.conf's upstream-vcs-tag = v%(version%~%-)s.
// debianFixture is an upstream repository, a Debian packaging directory
// for it and, next to that, the orig tarball with its signature.
type debianFixture struct {
	work, upstream, pkg, orig string
}

func newDebianFixture(t *testing.T) *debianFixture {
	t.Helper()
	requireTool(t, "git", "tar", "gzip")
	work := t.TempDir()
	f := &debianFixture{work: work, upstream: filepath.Join(work, "upstream"), pkg: filepath.Join(work, "foo")}
	makeRepo(t, f.upstream, map[string]string{"README": "foo\n", "src/foo.c": "int main(void) { return 0; }\n"}, "v1.2-rc1", "v1.2")
	f.orig = makeTarball(t, f.upstream, "v1.2-rc1", "foo-1.2-rc1", filepath.Join(work, "foo_1.2~rc1.orig.tar.gz"), nil)
	key, pub := newKey(t)
	signFile(t, key, f.orig)
	writeFiles(t, f.pkg, map[string]string{
		"debian/changelog": "foo (1:1.2~rc1-3) unstable; urgency=medium\n\n  * New upstream release candidate.\n\n" +
			" -- Packager <packager@example.invalid>  Mon, 01 Jan 2024 00:00:00 +0000\n",
		"debian/upstream/metadata":        "Name: foo\nRepository: file://" + filepath.ToSlash(f.upstream) + "\n",
		"debian/upstream/signing-key.asc": string(pub),
		"debian/gbp.conf":                 "[DEFAULT]\npristine-tar = True\n\n[import-orig]\nupstream-vcs-tag = v%(version%~%-)s\n",
	})
	return f
}

func TestDebianEndToEnd(t *testing.T) {
	f := newDebianFixture(t)
	cache := filepath.Join(f.work, "cache")
	out := filepath.Join(f.work, "report.json")
	code, stdout, stderr := runCLI(t, "", "debian", f.pkg, "--cache-dir", cache, "--format", "json", "--output", out)
	if code != exitPass || stdout != "" || stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	reporttest.ValidateReportJSON(t, data)
	var r struct {
		Tarball    struct{ Source string }
		Git        struct{ Tag, Source string }
		Signatures []struct{ Subject, Kind, Status, Signer string }
		Verdict    string
	}
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	if r.Git.Tag != "v1.2-rc1" || r.Verdict != "pass" || filepath.Base(r.Tarball.Source) != "foo_1.2~rc1.orig.tar.gz" {
		t.Errorf("report: %+v", r)
	}
	valid := false
	for _, s := range r.Signatures {
		if s.Subject == "tarball" && s.Kind == "openpgp" && s.Status == "valid" {
			valid = true
		}
	}
	if !valid {
		t.Errorf("no valid tarball signature: %+v", r.Signatures)
	}

	// From inside the packaging directory, the default DIR ".".
	code, stdout, stderr = runCLIIn(t, f.pkg, "debian", "--cache-dir", cache, "-q")
	if code != exitPass {
		t.Errorf("debian in DIR: exit %d\n%s%s", code, stdout, stderr)
	}

	// A tampered orig tarball: the signature no longer verifies → fail.
	data, _ = os.ReadFile(f.orig)
	data[len(data)-5] ^= 0xff
	os.WriteFile(f.orig, data, 0o644)
	code, _, _ = runCLI(t, "", "debian", f.pkg, "--cache-dir", cache, "-q")
	if code == exitPass {
		t.Errorf("tampered orig tarball passed")
	}
}

// runCLIIn runs tarcheck in-process from dir (not in parallel with others).
func runCLIIn(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	t.Chdir(dir)
	return runCLI(t, "", args...)
}

func TestDebianInference(t *testing.T) {
	// No gbp.conf: 1.2~rc1 is looked up as v1.2-rc1 (not v1.2).
	f := newDebianFixture(t)
	os.Remove(filepath.Join(f.pkg, "debian/gbp.conf"))
	cache := filepath.Join(f.work, "cache")
	code, out, errOut := runCLI(t, "", "debian", f.pkg, "--cache-dir", cache, "--format", "json")
	if code != exitPass {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, `"tag": "v1.2-rc1"`) {
		t.Errorf("inferred tag is not v1.2-rc1:\n%s", out)
	}

	// A +dfsg repack of 1.3 is compared with v1.3.
	fixtureCmd(t, f.upstream, "git", "-c", "tag.gpgsign=false", "tag", "-a", "v1.3", "-m", "1.3")
	orig := makeTarball(t, f.upstream, "v1.3", "foo-1.3", filepath.Join(f.work, "foo_1.3+dfsg.orig.tar.gz"), nil)
	writeFiles(t, f.pkg, map[string]string{"debian/changelog": "foo (1.3+dfsg-1) unstable; urgency=medium\n"})
	code, out, errOut = runCLI(t, "", "debian", f.pkg, "--cache-dir", cache, "--format", "json", "--unsigned")
	if code != exitPass || !strings.Contains(out, `"tag": "v1.3"`) || !strings.Contains(out, filepath.Base(orig)) {
		t.Errorf("+dfsg: exit %d, stderr %s\n%s", code, errOut, out)
	}

	// No tag matches: the error says what to add.
	writeFiles(t, f.pkg, map[string]string{"debian/changelog": "foo (9.9-1) unstable; urgency=medium\n"})
	makeTarball(t, f.upstream, "v1.3", "foo-9.9", filepath.Join(f.work, "foo_9.9.orig.tar.gz"), nil)
	code, _, errOut = runCLI(t, "", "debian", f.pkg, "--cache-dir", cache, "--unsigned")
	if code != exitUsage || !strings.Contains(errOut, "no tag of") || !strings.Contains(errOut, "upstream-vcs-tag in debian/gbp.conf") {
		t.Errorf("no tag: exit %d, stderr %s", code, errOut)
	}
}

func TestDebianMissingPieces(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(f *debianFixture)
		args   []string
		want   string
	}{
		{"no debian dir", func(f *debianFixture) { os.RemoveAll(filepath.Join(f.pkg, "debian")) }, nil,
			"has no debian/ directory"},
		{"no changelog", func(f *debianFixture) { os.Remove(filepath.Join(f.pkg, "debian/changelog")) }, nil,
			"debian/changelog not found in "},
		{"native", func(f *debianFixture) {
			writeFiles(t, f.pkg, map[string]string{"debian/changelog": "foo (1.2) unstable; urgency=low\n"})
		}, nil, "debian/changelog: version 1.2 has no Debian revision"},
		{"no orig", func(f *debianFixture) { os.Remove(f.orig) }, nil,
			"../foo_1.2~rc1.orig.tar.* not found (looked in "},
		{"two origs", func(f *debianFixture) {
			data, _ := os.ReadFile(f.orig)
			os.WriteFile(strings.TrimSuffix(f.orig, ".gz")+".xz", data, 0o644)
		}, nil, "several orig tarballs for foo 1.2~rc1"},
		{"no signing key", func(f *debianFixture) { os.Remove(filepath.Join(f.pkg, "debian/upstream/signing-key.asc")) }, nil,
			"debian/upstream/signing-key.asc not found: add upstream's OpenPGP public key there"},
		{"no metadata", func(f *debianFixture) { os.Remove(filepath.Join(f.pkg, "debian/upstream/metadata")) }, nil,
			"debian/upstream/metadata not found: add it with a Repository field (DEP-12), or pass --git"},
		{"no Repository", func(f *debianFixture) {
			writeFiles(t, f.pkg, map[string]string{"debian/upstream/metadata": "Name: foo\nBug-Database: https://example.org/bugs\n"})
		}, nil, "debian/upstream/metadata has no Repository field: add one, or pass --git"},
		{"hostile Repository", func(f *debianFixture) {
			writeFiles(t, f.pkg, map[string]string{"debian/upstream/metadata": "Repository: 'ext::sh -c touch% pwned'\n"})
		}, nil, "is not a git URL"},
		{"bad metadata", func(f *debianFixture) {
			writeFiles(t, f.pkg, map[string]string{"debian/upstream/metadata": "Repository: [\n"})
		}, nil, "debian/upstream/metadata: not valid YAML"},
		{"bad gbp.conf", func(f *debianFixture) {
			writeFiles(t, f.pkg, map[string]string{"debian/gbp.conf": "[import-orig]\nupstream-vcs-tag = v%(upstream)s\n"})
		}, nil, "debian/gbp.conf: upstream-vcs-tag: unsupported"},
		{"tag from gbp.conf missing", func(f *debianFixture) {
			writeFiles(t, f.pkg, map[string]string{"debian/gbp.conf": "[import-orig]\nupstream-vcs-tag = release/%(version)s\n"})
		}, nil, "release/1.2_rc1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newDebianFixture(t)
			tc.change(f)
			args := append([]string{"debian", f.pkg, "--cache-dir", filepath.Join(f.work, "cache")}, tc.args...)
			code, out, errOut := runCLI(t, "", args...)
			if code != exitUsage || out != "" {
				t.Errorf("exit %d, stdout %q; want 2 and nothing", code, out)
			}
			if !strings.HasPrefix(errOut, "tarcheck: error: ") || !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr %q, want %q", errOut, tc.want)
			}
			if strings.Count(strings.TrimSpace(errOut), "\n") > 1 {
				t.Errorf("more than an error and a hint line:\n%s", errOut)
			}
		})
	}
}

func TestDebianOverrides(t *testing.T) {
	f := newDebianFixture(t)
	cache := filepath.Join(f.work, "cache")
	// --git replaces a missing metadata file; --tag replaces gbp.conf.
	os.Remove(filepath.Join(f.pkg, "debian/upstream/metadata"))
	code, out, errOut := runCLI(t, "", "debian", f.pkg, "--cache-dir", cache, "--git", f.upstream, "--tag", "v1.2", "--format", "json")
	// The v1.2 tag has the same tree, so the rc1 tarball matches it too.
	if code != exitPass || !strings.Contains(out, `"tag": "v1.2"`) {
		t.Errorf("--git/--tag: exit %d, stderr %s", code, errOut)
	}
	// --unsigned: no key and no signature needed; nothing is required.
	os.Remove(filepath.Join(f.pkg, "debian/upstream/signing-key.asc"))
	os.Remove(f.orig + ".asc")
	code, _, errOut = runCLI(t, "", "debian", f.pkg, "--cache-dir", cache, "--git", f.upstream, "--unsigned", "-q")
	if code != exitPass {
		t.Errorf("--unsigned: exit %d, stderr %s", code, errOut)
	}
	// --orig names the tarball.
	moved := filepath.Join(f.work, "elsewhere.tar.gz")
	os.Rename(f.orig, moved)
	code, _, errOut = runCLI(t, "", "debian", f.pkg, "--cache-dir", cache, "--git", f.upstream, "--unsigned", "--orig", moved, "-q")
	if code != exitPass {
		t.Errorf("--orig: exit %d, stderr %s", code, errOut)
	}
	// Too many arguments.
	if code, _, _ := runCLI(t, "", "debian", "a", "b"); code != exitUsage {
		t.Errorf("two DIRs: exit %d", code)
	}
}
