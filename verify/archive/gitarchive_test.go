package archive

import (
	"archive/tar"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGitArchiveCommit: the commit id that git archive embeds (pax global
// header "comment" in tar, archive comment in zip) is reported, and only
// when git put it there.
func TestGitArchiveCommit(t *testing.T) {
	requireTool(t, "git")
	dir := t.TempDir()
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "HOME="+dir,
			"GIT_AUTHOR_NAME=a", "GIT_AUTHOR_EMAIL=a@example.org", "GIT_COMMITTER_NAME=a", "GIT_COMMITTER_EMAIL=a@example.org")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("git %v: %v", args, err)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q", "-b", "main")
	if err := os.WriteFile(filepath.Join(dir, "README"), []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git("add", "README")
	git("commit", "-q", "-m", "first")
	git("tag", "v1.0")
	commit := git("rev-parse", "HEAD")

	out := t.TempDir()
	for _, tc := range []struct {
		name, format, treeish, want string
	}{
		{"tar.gz of a tag", "tar.gz", "v1.0", commit},
		{"tar of a commit", "tar", "HEAD", commit},
		{"zip of a commit", "zip", "HEAD", commit},
		{"tar of a tree", "tar", "HEAD^{tree}", ""},
		{"zip of a tree", "zip", "HEAD^{tree}", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(out, strings.ReplaceAll(tc.name, " ", "_")+"."+tc.format)
			git("archive", "--format="+tc.format, "--prefix=foo-1.0/", "-o", p, tc.treeish)
			_, res, err := walkAll(t, p, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if res.GitCommit != tc.want || res.Root != "foo-1.0" || res.Entries != 1 {
				t.Fatalf("GitCommit %q (want %q), root %q, %d entries", res.GitCommit, tc.want, res.Root, res.Entries)
			}
		})
	}

	// SHA-256 repository: 64-digit ids.
	sha := t.TempDir()
	dir = sha
	git("init", "-q", "--object-format=sha256", "-b", "main")
	if err := os.WriteFile(filepath.Join(dir, "README"), []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git("add", "README")
	git("commit", "-q", "-m", "first")
	p := filepath.Join(out, "sha256.tar")
	git("archive", "--format=tar", "--prefix=foo-1.0/", "-o", p, "HEAD")
	if _, res, err := walkAll(t, p, Options{}); err != nil || res.GitCommit != git("rev-parse", "HEAD") || len(res.GitCommit) != 64 {
		t.Fatalf("sha256 repository: %q, %v", res.GitCommit, err)
	}

	// A global header after the first member is not git archive's.
	late := writeFile(t, "late.tar", tarWithGlobal(t, false))
	if _, res, err := walkAll(t, late, Options{}); err != nil || res.GitCommit != "" {
		t.Fatalf("late global header: %q, %v", res.GitCommit, err)
	}
	early := writeFile(t, "early.tar", tarWithGlobal(t, true))
	if _, res, err := walkAll(t, early, Options{}); err != nil || res.GitCommit != strings.Repeat("ab", 20) {
		t.Fatalf("early global header: %q, %v", res.GitCommit, err)
	}

	// A tarball made otherwise carries no commit.
	_, res, err := walkAll(t, writeFile(t, "plain.tar", standardArchive(t, FormatTar)), Options{})
	if err != nil || res.GitCommit != "" {
		t.Fatalf("plain tar: %q, %v", res.GitCommit, err)
	}
}

// tarWithGlobal makes a tar with one file and a pax global header with a
// commit comment, before the file (first) or after it.
func tarWithGlobal(t testing.TB, first bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	global := func() {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeXGlobalHeader, Name: "pax_global_header",
			PAXRecords: map[string]string{"comment": strings.Repeat("ab", 20)}, Format: tar.FormatPAX}); err != nil {
			t.Fatal(err)
		}
	}
	if first {
		global()
	}
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "foo-1.0/README", Mode: 0o644, Size: 3}); err != nil {
		t.Fatal(err)
	}
	tw.Write([]byte("hi\n"))
	if !first {
		global()
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
