package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// twinFiles is a small release: sources, an m4 file and a script.
var twinFiles = map[string]string{
	"README":       "twin\n",
	"src/main.c":   "int main(void) { return 0; }\n",
	"m4/foo.m4":    "dnl foo\nAC_DEFUN([FOO], [true])\n",
	"configure.ac": "AC_INIT([twin], [1.0])\nAC_OUTPUT\n",
	"bootstrap":    "#!/bin/sh\nautoreconf -fi\n",
}

// makeRepoFormat is makeRepo with an object format ("sha1" or "sha256").
func makeRepoFormat(t *testing.T, dir, format string, tag string) {
	t.Helper()
	writeFiles(t, dir, twinFiles)
	fixtureCmd(t, dir, "git", "-c", "init.defaultBranch=main", "init", "-q", "--object-format="+format)
	fixtureCmd(t, dir, "git", "add", "-A")
	fixtureCmd(t, dir, "git", "-c", "commit.gpgsign=false", "commit", "-q", "-m", "import")
	fixtureCmd(t, dir, "git", "-c", "tag.gpgsign=false", "tag", "-a", tag, "-m", tag)
}

// reportWithoutIDs is a JSON report with the fields that name git objects
// (which differ between object formats) removed.
func reportWithoutIDs(t *testing.T, out string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	g := m["git"].(map[string]any)
	for _, k := range []string{"source", "commit", "tree", "tag_object"} {
		delete(g, k)
	}
	return m
}

// A SHA-256 repository gives the same report as its SHA-1 twin: ids are
// compared on their first 20 bytes on both sides (issue: the spine used to
// panic decoding 64-hex ids).
func TestSHA256TwinSameReport(t *testing.T) {
	requireTool(t, "git", "tar", "gzip")
	dir := t.TempDir()
	sha1Repo, sha256Repo := filepath.Join(dir, "one"), filepath.Join(dir, "two")
	makeRepoFormat(t, sha1Repo, "sha1", "v1.0")
	makeRepoFormat(t, sha256Repo, "sha256", "v1.0")
	if f := fixtureCmd(t, sha256Repo, "git", "rev-parse", "--show-object-format"); f != "sha256" {
		t.Skipf("git made a %s repository", f)
	}
	// One tarball for both (not a git archive, whose embedded commit id
	// names one of them): a changed source file, an extra script.
	tarball := makeTarball(t, sha1Repo, "v1.0", "twin-1.0", filepath.Join(dir, "twin-1.0.tar.gz"),
		map[string]string{"src/main.c": "int main(void) { return 1; }\n", "extra.sh": "#!/bin/sh\necho hi\n"})
	var reports []map[string]any
	for _, repo := range []string{sha1Repo, sha256Repo} {
		code, out, errOut := runCLI(t, "", "verify", tarball, "--git", repo, "--tag", "v1.0", "--format", "json",
			"--cache-dir", filepath.Join(dir, "cache"))
		if code != exitFail {
			t.Fatalf("%s: exit %d, want 1 (a changed source file): %s", repo, code, errOut)
		}
		reports = append(reports, reportWithoutIDs(t, out))
	}
	if !reflect.DeepEqual(reports[0], reports[1]) {
		a, _ := json.MarshalIndent(reports[0], "", " ")
		b, _ := json.MarshalIndent(reports[1], "", " ")
		t.Errorf("reports differ:\n--- sha1\n%s\n--- sha256\n%s", a, b)
	}
	if s := reports[1]["summary"].(map[string]any); s["identical"].(float64) != 4 || s["content_differs"].(float64) != 1 {
		t.Errorf("sha256 summary %v, want 4 identical and 1 differing", s)
	}
}

// A git archive of the tag says so; a git archive of another commit is a
// critical finding naming both commits.
func TestGitArchiveCommit(t *testing.T) {
	requireTool(t, "git", "gzip")
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	makeRepoFormat(t, repo, "sha1", "v1.0")
	tarball := makeTarball(t, repo, "v1.0", "twin-1.0", filepath.Join(dir, "twin-1.0.tar.gz"), nil)
	cache := filepath.Join(dir, "cache")
	code, out, errOut := runCLI(t, "", "verify", tarball, "--git", repo, "--tag", "v1.0", "--format", "json", "--cache-dir", cache)
	tagCommit := fixtureCmd(t, repo, "git", "rev-parse", "v1.0^{commit}")
	if code != exitPass || !strings.Contains(out, `"git_archive": {`) || !strings.Contains(out, `"matches_tag": true`) {
		t.Fatalf("archive of the tag: exit %d, %s\n%s", code, errOut, out)
	}
	_, out, _ = runCLI(t, "", "verify", tarball, "--git", repo, "--tag", "v1.0", "--cache-dir", cache)
	if !strings.Contains(out, "this tarball is a git archive of the tag (commit "+tagCommit+")") {
		t.Errorf("text report lacks the git archive line:\n%s", out)
	}

	// The same files archived from a later commit (an empty one).
	fixtureCmd(t, repo, "git", "-c", "commit.gpgsign=false", "commit", "-q", "--allow-empty", "-m", "later")
	later := fixtureCmd(t, repo, "git", "rev-parse", "HEAD")
	fixtureCmd(t, repo, "git", "archive", "--format=tar.gz", "--prefix=twin-1.0/", "-o", tarball, "HEAD")
	code, out, _ = runCLI(t, "", "verify", tarball, "--git", repo, "--tag", "v1.0", "--format", "json", "--cache-dir", cache)
	want := "tarball is a git archive of commit " + later + ", not the tag's commit " + tagCommit
	if code != exitFail || !strings.Contains(out, want) || !strings.Contains(out, `"rule": "TC207"`) || !strings.Contains(out, `"matches_tag": false`) {
		t.Errorf("archive of another commit: exit %d, want 1 and %q:\n%s", code, want, out)
	}
}

// Ctrl-C (a cancelled context) prints "interrupted", not the context's
// error, and exits 130 (issue 17 item 3); TestFaultInterrupt sends the
// real signals to the built binary.
func TestInterruptedMessage(t *testing.T) {
	requireTool(t, "git", "gzip")
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	makeRepoFormat(t, repo, "sha1", "v1.0")
	tarball := makeTarball(t, repo, "v1.0", "twin-1.0", filepath.Join(dir, "twin-1.0.tar.gz"), nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var o, e bytes.Buffer
	code := run(ctx, []string{"verify", tarball, "--git", repo, "--cache-dir", filepath.Join(dir, "cache")}, strings.NewReader(""), &o, &e)
	if code != exitInterrupted || e.String() != "tarcheck: interrupted\n" {
		t.Errorf("exit %d, stderr %q; want 130 and tarcheck: interrupted", code, e.String())
	}
}
