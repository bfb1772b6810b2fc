package rebuild

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gitOut runs git in dir with a fixed identity and returns its trimmed output.
func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.org", "GIT_COMMITTER_NAME=t",
		"GIT_COMMITTER_EMAIL=t@example.org", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestWriteGitMeta: the minimal .git answers what GnuPG's autogen.sh
// --find-version asks (git describe --long, git rev-parse --short HEAD)
// exactly as the full repository does.
func TestWriteGitMeta(t *testing.T) {
	requireTool(t, "git")
	repo := t.TempDir()
	gitOut(t, repo, "init", "-q")
	if err := os.WriteFile(filepath.Join(repo, "configure.ac"), []byte("AC_INIT([p],[1.46])\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gitOut(t, repo, "add", ".")
	gitOut(t, repo, "commit", "-q", "-m", "first")
	if err := os.WriteFile(filepath.Join(repo, "configure.ac"), []byte("AC_INIT([p],[1.46])\nAC_OUTPUT\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gitOut(t, repo, "commit", "-q", "-a", "-m", "release") // a parent the minimal .git lacks
	gitOut(t, repo, "tag", "-a", "-m", "p 1.46", "p-1.46")
	m := &GitMeta{Tag: "p-1.46", Commit: gitOut(t, repo, "rev-parse", "HEAD"), TagObject: gitOut(t, repo, "rev-parse", "p-1.46")}
	m.CommitRaw = []byte(gitOut(t, repo, "cat-file", "commit", m.Commit) + "\n")
	m.TagRaw = []byte(gitOut(t, repo, "cat-file", "tag", m.TagObject) + "\n")

	export := t.TempDir()
	root, err := os.OpenRoot(export)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if err := writeGitMeta(root, m); err != nil {
		t.Fatal(err)
	}
	if got := gitOut(t, export, "log", "--format=%H %s"); got != m.Commit+" release" {
		t.Errorf("git log in the minimal .git = %q, want the one commit (shallow)", got)
	}
	for _, args := range [][]string{{"describe", "--match", "p-1.[0-9]*", "--long"}, {"rev-parse", "--short", "HEAD"}} {
		if got, want := gitOut(t, export, args...), gitOut(t, repo, args...); got != want {
			t.Errorf("git %s in the minimal .git = %q, in the repository %q", strings.Join(args, " "), got, want)
		}
	}

	// Abbrev sets the short id length the source repository has.
	long := t.TempDir()
	lroot, err := os.OpenRoot(long)
	if err != nil {
		t.Fatal(err)
	}
	defer lroot.Close()
	m9 := *m
	m9.Abbrev = 9
	if err := writeGitMeta(lroot, &m9); err != nil {
		t.Fatal(err)
	}
	if got := gitOut(t, long, "rev-parse", "--short", "HEAD"); got != m.Commit[:9] {
		t.Errorf("Abbrev 9: rev-parse --short = %q, want %q", got, m.Commit[:9])
	}

	// A body that does not hash to its id is refused, and so is a tag
	// name that is not a plain ref name.
	bad := *m
	bad.CommitRaw = append([]byte{}, m.CommitRaw...)
	bad.CommitRaw[0] ^= 1
	if err := writeGitMeta(root, &bad); err == nil || !strings.Contains(err.Error(), "hashes to") {
		t.Errorf("tampered commit body: err = %v, want a hash mismatch", err)
	}
	bad = *m
	bad.Tag = "../../x"
	if err := writeGitMeta(root, &bad); err == nil {
		t.Error("tag name ../../x accepted")
	}
}
