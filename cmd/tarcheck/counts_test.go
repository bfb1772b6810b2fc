package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/tarcheck/tarcheck/verify/report"
	"io/fs"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestSummaryMatchesPlainTools checks the counting rules of DESIGN.md against
// plain tools on a fixture of a few hundred files: the tarball side is
// extracted with tar and hashed with `git hash-object`, the git side is
// `git ls-tree -r`, and the counts must equal tarcheck's summary.
func TestSummaryMatchesPlainTools(t *testing.T) {
	requireTool(t, "git", "tar")
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	rng := rand.New(rand.NewSource(42))
	for i := 0; i < 300; i++ {
		p := filepath.Join(repo, fmt.Sprintf("d%d/sub%d/file%03d.c", i%7, i%3, i))
		mustWrite(t, p, fmt.Sprintf("int f%d(void) { return %d; }\n", i, rng.Intn(1000)), 0o644)
		if i%25 == 0 {
			os.Chmod(p, 0o755)
		}
	}
	mustWrite(t, filepath.Join(repo, "README"), "readme\n", 0o644)
	if err := os.Symlink("README", filepath.Join(repo, "LINK")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("README", filepath.Join(repo, "LINK2")); err != nil {
		t.Fatal(err)
	}
	git(t, repo, "-c", "init.defaultBranch=main", "init", "-q")
	gitCommitAll(t, repo)
	git(t, repo, "tag", "v3.0")

	// The release: the tag's tree with random changes of every kind.
	rel := filepath.Join(dir, "pkg-3.0")
	var tarOut bytes.Buffer
	cmd := exec.Command("git", "-C", repo, "archive", "--format=tar", "--prefix=pkg-3.0/", "v3.0")
	cmd.Stdout = &tarOut
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	x := exec.Command("tar", "-x", "-C", dir)
	x.Stdin = &tarOut
	if out, err := x.CombinedOutput(); err != nil {
		t.Fatalf("tar -x: %v %s", err, out)
	}
	for i := 0; i < 300; i++ {
		p := filepath.Join(rel, fmt.Sprintf("d%d/sub%d/file%03d.c", i%7, i%3, i))
		switch rng.Intn(10) {
		case 0:
			os.Remove(p)
		case 1:
			mustWrite(t, p, "changed\n", 0o644)
		case 2:
			os.Chmod(p, 0o700)
		case 3:
			mustWrite(t, p+".gen", "generated\n", 0o644)
		}
	}
	os.Remove(filepath.Join(rel, "LINK"))
	mustWrite(t, filepath.Join(rel, "LINK"), "README", 0o644) // symlink became a file
	mustWrite(t, filepath.Join(rel, "empty"), "", 0o644)
	tarball := filepath.Join(dir, "pkg-3.0.tar.gz")
	if out, err := exec.Command("tar", "-C", dir, "-czf", tarball, "pkg-3.0").CombinedOutput(); err != nil {
		t.Fatalf("tar -c: %v %s", err, out)
	}

	// What plain tools say.
	want := plainCounts(t, repo, "v3.0", rel)

	// What tarcheck says.
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"verify", tarball, "--git", repo, "--tag", "v3.0", "--format", "json",
		"--cache-dir", filepath.Join(dir, "cache"), "--fail-on", "critical"}, nil, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var r report.Report
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if r.Summary != want {
		t.Errorf("summary = %+v\nplain tools = %+v", r.Summary, want)
	}
	if want.ContentDiffers == 0 || want.ModeDiffers == 0 || want.OnlyInGit == 0 || want.OnlyInTarball == 0 || want.TypeDiffers == 0 {
		t.Fatalf("fixture lacks a kind of difference: %+v", want)
	}
	if len(r.Files) != want.OnlyInTarball+want.OnlyInGit+want.ContentDiffers+want.ModeDiffers+want.TypeDiffers {
		t.Errorf("files lists %d paths, summary counts %+v", len(r.Files), want)
	}
	if !sort.SliceIsSorted(r.Files, func(i, j int) bool { return r.Files[i].Path < r.Files[j].Path }) {
		t.Errorf("files are not sorted by path")
	}
}

type gitRow struct{ mode, id string }

// plainCounts computes the summary with tar-extracted files, git hash-object and git ls-tree.
func plainCounts(t *testing.T, repo, tag, rel string) report.Summary {
	t.Helper()
	gitSide := map[string]gitRow{}
	out := git(t, repo, "ls-tree", "-r", "-z", "--full-tree", tag)
	for _, rec := range strings.Split(strings.TrimSuffix(out, "\x00"), "\x00") {
		meta, p, _ := strings.Cut(rec, "\t")
		f := strings.Fields(meta)
		gitSide[p] = gitRow{f[0], f[2]}
	}
	tarSide := map[string]gitRow{}
	err := filepath.WalkDir(rel, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name, _ := filepath.Rel(rel, p)
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		var id, mode string
		if fi.Mode()&fs.ModeSymlink != 0 {
			target, _ := os.Readlink(p)
			id = hashObject(t, repo, []byte(target))
			mode = "120000"
		} else {
			data, _ := os.ReadFile(p)
			id = hashObject(t, repo, data)
			mode = "100644"
			if fi.Mode()&0o111 != 0 {
				mode = "100755"
			}
		}
		tarSide[filepath.ToSlash(name)] = gitRow{mode, id}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s := report.Summary{TarballFiles: len(tarSide), GitFiles: len(gitSide)}
	for p, tr := range tarSide {
		g, ok := gitSide[p]
		switch {
		case !ok:
			s.OnlyInTarball++
		case (g.mode == "120000") != (tr.mode == "120000"):
			s.TypeDiffers++
		case g.id != tr.id:
			s.ContentDiffers++
		case g.mode != tr.mode:
			s.ModeDiffers++
		default:
			s.Identical++
		}
	}
	for p := range gitSide {
		if _, ok := tarSide[p]; !ok {
			s.OnlyInGit++
		}
	}
	return s
}

func hashObject(t *testing.T, repo string, data []byte) string {
	cmd := exec.Command("git", "-C", repo, "hash-object", "--stdin")
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// gitCommitAll stages everything in repo and commits it as a test author.
func gitCommitAll(t *testing.T, repo string) {
	t.Helper()
	git(t, repo, "add", "-A")
	git(t, repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "x")
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %v: %v", args, err)
	}
	return string(out)
}

func mustWrite(t *testing.T, p, content string, mode fs.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	os.Chmod(p, mode)
}
