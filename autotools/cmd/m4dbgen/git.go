package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tarcheck/tarcheck/autotools"
	"github.com/tarcheck/tarcheck/verify/gitsrc"
)

// gitPackagePrefix marks a git repository among the database's Packages:
// "git:gnulib" with the version "COMMIT refs:DIGEST".
const gitPackagePrefix = "git:"

// repoSpec splits a -from-git argument, "NAME=DIR" or "DIR", into the origin
// name and the directory. Without NAME the name comes from the directory:
// its base name without ".git"; for a bare mirror laid out as
// ".../owner+name/repo", the part after "+".
func repoSpec(arg string) (name, dir string) {
	if n, d, ok := strings.Cut(arg, "="); ok && n != "" && !strings.ContainsAny(n, `/\`) {
		return n, d
	}
	dir = arg
	clean := filepath.Clean(dir)
	base := strings.TrimSuffix(filepath.Base(clean), ".git")
	if base == "repo" || base == "" || base == "." {
		base = filepath.Base(filepath.Dir(clean))
	}
	if _, after, ok := strings.Cut(base, "+"); ok && after != "" {
		base = after
	}
	return base, dir
}

// gitRepo runs git against one repository directory.
type gitRepo struct{ dir string }

func (g gitRepo) cmd(args ...string) *exec.Cmd {
	c := exec.Command("git", append([]string{"--git-dir", g.gitDir()}, args...)...)
	// A clean environment: no user or system configuration, no replace
	// objects, nothing from the caller's GIT_* variables.
	c.Env = []string{"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_NO_REPLACE_OBJECTS=1", "GIT_OPTIONAL_LOCKS=0", "LC_ALL=C"}
	for _, k := range []string{"PATH", "HOME", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			c.Env = append(c.Env, k+"="+v)
		}
	}
	return c
}

// gitDir returns dir/.git for a work tree, else dir (a bare repository).
func (g gitRepo) gitDir() string {
	if st, err := os.Stat(filepath.Join(g.dir, ".git")); err == nil && st.IsDir() {
		return filepath.Join(g.dir, ".git")
	}
	return g.dir
}

func (g gitRepo) output(args ...string) ([]byte, error) {
	var stderr bytes.Buffer
	c := g.cmd(args...)
	c.Stderr = &stderr
	out, err := c.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s in %s: %w: %s", args[0], g.dir, err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// repoState identifies the exact input a repository gives the generator: its
// HEAD commit, a digest of every ref, and its newest commit date.
type repoState struct {
	head, refsDigest string
	newest           time.Time
}

func (s repoState) version() string { return s.head + " refs:" + s.refsDigest }

func (g gitRepo) state() (repoState, error) {
	var s repoState
	head, err := g.output("rev-parse", "--verify", "HEAD^{commit}")
	if err != nil {
		return s, err
	}
	s.head = strings.TrimSpace(string(head))
	refs, err := g.output("for-each-ref", "--format=%(objectname) %(refname)")
	if err != nil {
		return s, err
	}
	sum := sha256.Sum256(refs)
	s.refsDigest = hex.EncodeToString(sum[:])[:16]
	when, err := g.output("log", "--all", "-1", "--format=%ct")
	if err != nil {
		return s, err
	}
	sec, err := strconv.ParseInt(strings.TrimSpace(string(when)), 10, 64)
	if err != nil {
		return s, fmt.Errorf("git log in %s: newest commit date %q: %w", g.dir, when, err)
	}
	s.newest = time.Unix(sec, 0).UTC().Truncate(24 * time.Hour)
	return s, nil
}

// addGitHistory adds every version of every *.m4 file in the history of the
// repository arg ("NAME=DIR" or "DIR") to db with origin
// "NAME@SHORTCOMMIT", records the newest commit date as that origin's
// snapshot and the repository state in db.Packages. It returns the snapshot.
func addGitHistory(db *autotools.M4DB, arg string) (time.Time, error) {
	name, dir := repoSpec(arg)
	g := gitRepo{dir: dir}
	st, err := g.state()
	if err != nil {
		return time.Time{}, err
	}
	origin := name + "@" + st.head[:min(len(st.head), 10)]
	// The history is read through verify/gitsrc: a hardened git
	// environment and its checked cat-file reader.
	ctx := context.Background()
	repo, err := gitsrc.Open(ctx, g.gitDir(), gitsrc.Options{Offline: true})
	if err != nil {
		return time.Time{}, err
	}
	n := 0
	blobs := map[string]bool{}
	err = repo.HistoryFiles(ctx, []string{"*.m4"}, func(p string, content []byte) error {
		if !strings.HasSuffix(p, ".m4") || len(content) > autotools.MaxDBFileSize {
			return nil
		}
		db.AddFile(path.Base(p), content, origin)
		blobs[string(content)] = true
		n++
		return nil
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("reading the m4 history of %s: %w", dir, err)
	}
	db.SetOriginSnapshot(origin, st.newest)
	db.Packages = append(db.Packages, autotools.PackageVersion{Name: gitPackagePrefix + name, Version: st.version()})
	fmt.Fprintf(os.Stderr, "m4dbgen: %s: %d m4 file versions (%d contents), newest commit %s, origin %s\n", dir, n, len(blobs), st.newest.Format(time.DateOnly), origin)
	return st.newest, nil
}
