package verify

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// recordProgress records Progress calls as lines: "start NAME TOTAL",
// then one "add N" summing a phase's Adds, then "done".
type recordProgress struct {
	lines []string
	added int64
}

func (r *recordProgress) Start(phase string, total int64) {
	r.flush()
	r.lines = append(r.lines, fmt.Sprintf("start %s %d", phase, total))
}
func (r *recordProgress) Add(n int64) { r.added += n }
func (r *recordProgress) Done()       { r.flush(); r.lines = append(r.lines, "done") }
func (r *recordProgress) flush() {
	if r.added != 0 {
		r.lines = append(r.lines, fmt.Sprintf("add %d", r.added))
		r.added = 0
	}
}

// TestDownloadProgress: each download gets its own bar, named after the
// file, counting its bytes from zero; a cache hit shows none.
func TestDownloadProgress(t *testing.T) {
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	run := commandRunner(t)
	os.MkdirAll(repo, 0o755)
	os.WriteFile(filepath.Join(repo, "a.txt"), []byte(strings.Repeat("tarcheck\n", 5000)), 0o644)
	run(repo, "git", "init", "-q")
	run(repo, "git", "add", "-A")
	run(repo, "git", "commit", "-q", "-m", "x")
	run(repo, "git", "tag", "v1.0")
	pub := filepath.Join(dir, "pub")
	os.MkdirAll(pub, 0o755)
	run(repo, "sh", "-c", "git archive --prefix=foo-1.0/ v1.0 | gzip > "+filepath.Join(pub, "foo-1.0.tar.gz"))
	keys := "not really a keyring, but downloaded\n"
	os.WriteFile(filepath.Join(pub, "keys.asc"), []byte(keys), 0o644)
	tgz, _ := os.ReadFile(filepath.Join(pub, "foo-1.0.tar.gz"))
	srv := httptest.NewServer(http.FileServer(http.Dir(pub)))
	defer srv.Close()

	verifyOnce := func() []string {
		pr := &recordProgress{}
		_, _ = Run(context.Background(), Options{
			Sources: Sources{Tarball: srv.URL + "/foo-1.0.tar.gz", Git: repo, Tag: "v1.0", CacheDir: filepath.Join(dir, "cache")},
			Trust:   Trust{Keyrings: []string{srv.URL + "/keys.asc"}},
			Output:  Output{Progress: pr},
		})
		var downloads []string
		for i, l := range pr.lines {
			if strings.HasPrefix(l, "start download") {
				downloads = append(downloads, strings.Join(pr.lines[i:i+3], "; "))
			}
		}
		return downloads
	}
	got := verifyOnce()
	want := []string{
		fmt.Sprintf("start download foo-1.0.tar.gz %d; add %d; done", len(tgz), len(tgz)),
		fmt.Sprintf("start download keys.asc %d; add %d; done", len(keys), len(keys)),
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("download progress:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if again := verifyOnce(); len(again) != 0 {
		t.Fatalf("a warm cache shows download bars: %q", again)
	}
}

// itemRecorder is a recordProgress that also takes item phases
// ("items NAME TOTAL").
type itemRecorder struct{ recordProgress }

func (r *itemRecorder) StartItems(phase string, total int64) {
	r.flush()
	r.lines = append(r.lines, fmt.Sprintf("items %s %d", phase, total))
}

// TestItemProgress: classification with its origin lookups is a counted
// phase (one step per path explained, ending at its total); the
// previous-release analysis an uncounted one. A Progress without
// StartItems sees neither (a bytes bar would mislabel files).
func TestItemProgress(t *testing.T) {
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	run := commandRunner(t)
	os.MkdirAll(filepath.Join(repo, "src"), 0o755)
	os.WriteFile(filepath.Join(repo, "a.txt"), []byte("a\n"), 0o644)
	run(repo, "git", "init", "-q")
	run(repo, "git", "add", "-A")
	run(repo, "git", "commit", "-q", "-m", "x")
	run(repo, "git", "tag", "v1.0")
	os.WriteFile(filepath.Join(repo, "src", "only-git.c"), []byte("int x;\n"), 0o644)
	os.WriteFile(filepath.Join(repo, "a.txt"), []byte("b\n"), 0o644)
	run(repo, "git", "add", "-A")
	run(repo, "git", "commit", "-q", "-m", "y")
	run(repo, "git", "tag", "v1.1")
	// The tarball: a.txt changed, NEWS only in the tarball, src/only-git.c
	// only in git: three paths to explain.
	run(dir, "sh", "-c", "mkdir -p x/foo-1.1 && printf 'c\\n' > x/foo-1.1/a.txt && printf 'n\\n' > x/foo-1.1/NEWS && tar -czf foo-1.1.tar.gz -C x foo-1.1")
	o := Options{Sources: Sources{Tarball: filepath.Join(dir, "foo-1.1.tar.gz"), Git: repo, Tag: "v1.1", CacheDir: filepath.Join(dir, "cache")}}

	pr := &itemRecorder{}
	o.Output.Progress = pr
	if _, err := Run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(pr.lines, "\n")
	for _, want := range []string{"items classify and prove origins 3\nadd 3\ndone", "items compare with the previous release -1\ndone"} {
		if !strings.Contains(got, want) {
			t.Errorf("progress lacks %q:\n%s", want, got)
		}
	}

	plain := &recordProgress{}
	o.Output.Progress = plain
	if _, err := Run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(plain.lines, "\n"); strings.Contains(got, "classify") || strings.Contains(got, "previous") {
		t.Errorf("a bytes-only Progress got item phases:\n%s", got)
	}
}

// commandRunner needs git and tar (failing under TARCHECK_REQUIRE_TOOLS,
// else skipping) and returns a function running a command in a directory
// with git isolated from any user configuration.
func commandRunner(t *testing.T) func(dir string, args ...string) {
	t.Helper()
	for _, tool := range []string{"git", "tar"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("TARCHECK_REQUIRE_TOOLS") == "1" {
				t.Fatalf("%s is required", tool)
			}
			t.Skipf("%s not installed", tool)
		}
	}
	return func(d string, args ...string) {
		t.Helper()
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir = d
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
			"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.invalid", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.invalid")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
}
