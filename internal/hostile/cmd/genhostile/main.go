// Command genhostile writes tarcheck's hostile-archive corpus (package
// internal/hostile) to a directory, with a git repository holding the
// benign release it should be compared with, for manual runs:
//
//	go run ./internal/hostile/cmd/genhostile -o /tmp/hostile [-bombs] [-repo]
//	tarcheck verify /tmp/hostile/pkg-1.0-traversal.tar.gz --git /tmp/hostile/repo --tag v1.0
//
// The tests in cmd/tarcheck generate the same corpus in memory; nothing it
// writes is committed. -bombs adds the decompression bombs (about 1.3 MB on
// disk, 1 GiB each unpacked; tar.bz2 only when bzip2 is installed).
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"

	"github.com/tarcheck/tarcheck/internal/hostile"
)

func main() {
	out := flag.String("o", "hostile", "output directory")
	bombs := flag.Bool("bombs", false, "also write the decompression bombs")
	repo := flag.Bool("repo", true, "also create OUT/repo, a git repository of the benign files tagged v1.0 (needs git)")
	flag.Parse()
	if err := run(*out, *bombs, *repo); err != nil {
		fmt.Fprintln(os.Stderr, "genhostile: error:", err)
		os.Exit(1)
	}
}

func run(out string, bombs, repo bool) error {
	cases, err := hostile.Corpus()
	if err != nil {
		return err
	}
	if bombs {
		var bz hostile.Compressor
		if _, err := exec.LookPath("bzip2"); err == nil {
			bz = hostile.Bzip2Command
		}
		b, err := hostile.Bombs(hostile.BombSize, bz)
		if err != nil {
			return err
		}
		cases = append(cases, b...)
	}
	if err := hostile.Write(out, cases); err != nil {
		return err
	}
	for _, c := range cases {
		rule := c.Rule
		if c.Bomb {
			rule = "bomb"
		} else if rule == "" {
			rule = "clean"
		}
		fmt.Printf("%-6s %s\n", rule, c.FileName())
	}
	if repo {
		return makeRepo(filepath.Join(out, "repo"))
	}
	return nil
}

// makeRepo writes the benign files to dir and commits them, tagged v1.0.
func makeRepo(dir string) error {
	files := hostile.Files()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := filepath.Join(dir, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(files[n]), 0o644); err != nil {
			return err
		}
	}
	env := append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=genhostile", "GIT_AUTHOR_EMAIL=genhostile@example.invalid",
		"GIT_COMMITTER_NAME=genhostile", "GIT_COMMITTER_EMAIL=genhostile@example.invalid",
		"GIT_AUTHOR_DATE=2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2024-01-01T00:00:00Z")
	for _, args := range [][]string{
		{"-c", "init.defaultBranch=main", "init", "-q"},
		{"add", "-A"},
		{"-c", "commit.gpgsign=false", "commit", "-q", "-m", "import"},
		{"-c", "tag.gpgsign=false", "tag", "-a", "v1.0", "-m", "v1.0"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir, cmd.Env = dir, env
		if b, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("git %v: %v: %s", args, err, b)
		}
	}
	return nil
}
