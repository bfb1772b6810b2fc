package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tarcheck/tarcheck/autotools"
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
	c.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "LC_ALL=C")
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

// m4Blob is one version of one m4 file in a repository's history.
type m4Blob struct{ name, id string }

// historyM4 lists every (base name, blob) of a *.m4 file added or modified
// in any commit reachable from any ref, sorted and without duplicates.
func (g gitRepo) historyM4() ([]m4Blob, error) {
	out, err := g.output("log", "--all", "--format=", "--raw", "--no-abbrev", "--no-renames", "--diff-filter=AM", "--", "*.m4")
	if err != nil {
		return nil, err
	}
	seen := map[m4Blob]bool{}
	var blobs []m4Blob
	for _, line := range strings.Split(string(out), "\n") {
		// :100644 100644 OLD NEW M\tpath
		meta, p, ok := strings.Cut(line, "\t")
		if !ok || !strings.HasPrefix(meta, ":") {
			continue
		}
		f := strings.Fields(meta)
		if len(f) < 5 || strings.HasPrefix(f[1], "120") || strings.HasPrefix(f[1], "160") {
			continue // symlinks and submodules carry no m4
		}
		b := m4Blob{name: path.Base(p), id: f[3]}
		if !strings.HasSuffix(b.name, ".m4") || seen[b] {
			continue
		}
		seen[b] = true
		blobs = append(blobs, b)
	}
	slices.SortFunc(blobs, func(a, b m4Blob) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	return blobs, nil
}

// catBlobs streams the contents of ids through one git cat-file --batch,
// calling fn for each blob no larger than autotools.MaxDBFileSize.
func (g gitRepo) catBlobs(ids []string, fn func(id string, content []byte)) error {
	c := g.cmd("cat-file", "--batch")
	var stderr bytes.Buffer
	c.Stderr = &stderr
	stdin, err := c.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := c.StdoutPipe()
	if err != nil {
		return err
	}
	if err := c.Start(); err != nil {
		return fmt.Errorf("git cat-file in %s: %w", g.dir, err)
	}
	werr := make(chan error, 1)
	go func() {
		w := bufio.NewWriter(stdin)
		for _, id := range ids {
			if _, err := w.WriteString(id + "\n"); err != nil {
				werr <- err
				return
			}
		}
		err := w.Flush()
		stdin.Close()
		werr <- err
	}()
	r := bufio.NewReaderSize(stdout, 1<<16)
	readErr := func() error {
		for range ids {
			hdr, err := r.ReadString('\n')
			if err != nil {
				return fmt.Errorf("reading git cat-file output: %w", err)
			}
			f := strings.Fields(hdr)
			if len(f) == 2 && f[1] == "missing" {
				continue
			}
			if len(f) != 3 {
				return fmt.Errorf("git cat-file: unexpected header %q", hdr)
			}
			size, err := strconv.ParseInt(f[2], 10, 64)
			if err != nil || size < 0 {
				return fmt.Errorf("git cat-file: bad size in %q", hdr)
			}
			if size > autotools.MaxDBFileSize {
				if _, err := io.CopyN(io.Discard, r, size+1); err != nil {
					return fmt.Errorf("reading git cat-file output: %w", err)
				}
				continue
			}
			buf := make([]byte, size+1)
			if _, err := io.ReadFull(r, buf); err != nil {
				return fmt.Errorf("reading git cat-file output: %w", err)
			}
			if f[1] == "blob" {
				fn(f[0], buf[:size])
			}
		}
		return nil
	}()
	if readErr != nil {
		c.Process.Kill()
	}
	if err := <-werr; err != nil && readErr == nil {
		readErr = fmt.Errorf("writing to git cat-file: %w", err)
	}
	if err := c.Wait(); err != nil && readErr == nil {
		readErr = fmt.Errorf("git cat-file in %s: %w: %s", g.dir, err, strings.TrimSpace(stderr.String()))
	}
	return readErr
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
	blobs, err := g.historyM4()
	if err != nil {
		return time.Time{}, err
	}
	origin := name + "@" + st.head[:min(len(st.head), 10)]
	byID := map[string][]string{}
	var ids []string
	for _, b := range blobs {
		if _, ok := byID[b.id]; !ok {
			ids = append(ids, b.id)
		}
		byID[b.id] = append(byID[b.id], b.name)
	}
	slices.Sort(ids)
	n := 0
	err = g.catBlobs(ids, func(id string, content []byte) {
		for _, nm := range byID[id] {
			db.AddFile(nm, content, origin)
			n++
		}
	})
	if err != nil {
		return time.Time{}, err
	}
	db.SetOriginSnapshot(origin, st.newest)
	db.Packages = append(db.Packages, autotools.PackageVersion{Name: gitPackagePrefix + name, Version: st.version()})
	fmt.Fprintf(os.Stderr, "m4dbgen: %s: %d m4 file versions (%d blobs), newest commit %s, origin %s\n", dir, n, len(ids), st.newest.Format(time.DateOnly), origin)
	return st.newest, nil
}
