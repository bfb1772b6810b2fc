package gitsrc

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// requireTool skips the test when name is not on PATH, unless
// TARCHECK_REQUIRE_TOOLS=1, then it fails.
func requireTool(t testing.TB, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("TARCHECK_REQUIRE_TOOLS") == "1" {
			t.Fatalf("required tool %s: %v", name, err)
		}
		t.Skipf("%s not installed: %v", name, err)
	}
}

// testEnv is the environment of git commands the tests run themselves
// (fixture building, servers, reference clones).
func testEnv(extra ...string) []string {
	env := append(baseEnv(),
		"GIT_AUTHOR_NAME=tarcheck", "GIT_AUTHOR_EMAIL=tarcheck@example.invalid",
		"GIT_COMMITTER_NAME=tarcheck", "GIT_COMMITTER_EMAIL=tarcheck@example.invalid",
		"GIT_AUTHOR_DATE=2024-03-09T12:00:00Z", "GIT_COMMITTER_DATE=2024-03-09T12:00:00Z")
	return append(env, extra...)
}

// gitT runs git in dir for a test fixture and returns its trimmed stdout.
func gitT(t testing.TB, dir string, stdin []byte, args ...string) string {
	t.Helper()
	full := append([]string{"-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"}, args...)
	cmd := exec.Command("git", full...)
	cmd.Dir = dir
	cmd.Env = testEnv()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	if err := cmd.Run(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return strings.TrimSpace(out.String())
}

// writeFiles writes name→content files under dir.
func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// smallRepo makes a work tree with three annotated tags v1.0, v1.1, v1.2,
// each changing a few files, and returns its path.
func smallRepo(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "work")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	gitT(t, dir, nil, "init", "--quiet")
	for i, v := range []string{"1.0", "1.1", "1.2"} {
		writeFiles(t, dir, map[string]string{
			"README":          "hello " + v + "\n",
			"src/main.c":      "int main(void) { return " + string(rune('0'+i)) + "; }\n",
			"src/const.c":     "const int x = 1;\n",
			"m4/foo.m4":       "# serial " + string(rune('1'+i)) + "\n",
			".gitattributes":  "/ci export-ignore\n/version.h export-subst\n",
			"ci/build.sh":     "#!/bin/sh\nmake\n",
			"version.h":       "#define V \"$Format:%H$\"\n",
			"docs/manual.txt": strings.Repeat("manual "+v+"\n", 100),
		})
		gitT(t, dir, nil, "add", "-A")
		gitT(t, dir, nil, "commit", "--quiet", "-m", "release "+v)
		gitT(t, dir, nil, "tag", "-a", "-m", "v"+v, "v"+v)
	}
	return dir
}

// logRecorder collects Logf messages.
type logRecorder struct {
	mu   sync.Mutex
	msgs []string
}

func (l *logRecorder) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, fmt.Sprintf(format, args...))
}

func (l *logRecorder) contains(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, m := range l.msgs {
		if strings.Contains(m, s) {
			return true
		}
	}
	return false
}

func (l *logRecorder) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.msgs, "\n")
}

// lsTree returns path→entry of `git ls-tree -r` run directly on a repository.
func lsTree(t testing.TB, gitDir, rev string) map[string]TreeEntry {
	t.Helper()
	out := gitT(t, gitDir, nil, "ls-tree", "-r", "-z", "--full-tree", rev)
	m := map[string]TreeEntry{}
	for _, rec := range strings.Split(out, "\x00") {
		if rec == "" {
			continue
		}
		e, err := parseTreeRecord([]byte(rec))
		if err != nil {
			t.Fatal(err)
		}
		m[e.Path] = e
	}
	return m
}

// listTree collects ListTree's entries.
func listTree(t testing.TB, ctx context.Context, r *Repo, tree string) map[string]TreeEntry {
	t.Helper()
	m := map[string]TreeEntry{}
	if err := r.ListTree(ctx, tree, func(e TreeEntry) error { m[e.Path] = e; return nil }); err != nil {
		t.Fatalf("ListTree: %v", err)
	}
	return m
}
