package gitsrc

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Builder writes a small repository: it exists for `tarcheck demo` and for
// tests, which must make fixtures with the real git.
type Builder struct {
	// Dir is the work tree.
	Dir string
	// Env is added to git's environment (author, dates).
	Env []string
}

// Git runs git in the builder's work tree and returns its stdout.
func (b *Builder) Git(ctx context.Context, stdin []byte, args ...string) (string, error) {
	full := append([]string{"-c", "core.hooksPath=/dev/null", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false",
		"-c", "tag.gpgsign=false", "-c", "user.name=tarcheck", "-c", "user.email=tarcheck@example.invalid"}, args...)
	cmd := exec.CommandContext(ctx, "git", full...)
	cmd.Dir = b.Dir
	cmd.Env = append(baseEnv(), b.Env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	if err := cmd.Run(); err != nil {
		if _, lerr := exec.LookPath("git"); lerr != nil {
			return "", fmt.Errorf("%w: %v", ErrGitMissing, lerr)
		}
		return "", &Error{Args: args, Stderr: errb.String(), Err: err}
	}
	return strings.TrimSpace(out.String()), nil
}

// MakeTag creates an annotated tag from a raw tag object (which may carry a
// signature) with `git mktag`, and points refs/tags/NAME at it.
func (b *Builder) MakeTag(ctx context.Context, name string, raw []byte) (string, error) {
	if err := CheckTagName(name); err != nil {
		return "", err
	}
	id, err := b.Git(ctx, raw, "mktag")
	if err != nil {
		return "", err
	}
	if _, err := b.Git(ctx, nil, "update-ref", "refs/tags/"+name, id); err != nil {
		return "", err
	}
	return id, nil
}

// HistoryFiles calls fn with every distinct version of every file matching
// the pathspecs (e.g. "*.m4") ever committed on any ref: the m4 database
// uses it to learn every upstream version of a macro. Contents are read
// through one cat-file process.
func (r *Repo) HistoryFiles(ctx context.Context, pathspecs []string, fn func(path string, content []byte) error) error {
	args := []string{"log", "--all", "--format=", "--raw", "--no-abbrev", "--no-renames", "--diff-filter=AM", "--"}
	args = append(args, pathspecs...)
	out, err := r.run(ctx, nil, args...)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	type ver struct{ path, id string }
	var vers []ver
	for _, line := range strings.Split(string(out), "\n") {
		// ":100644 100644 <old> <new> M\t<path>"
		meta, p, ok := strings.Cut(line, "\t")
		if !ok || !strings.HasPrefix(meta, ":") {
			continue
		}
		f := strings.Fields(meta)
		if len(f) < 4 {
			continue
		}
		id := f[3]
		if !isHexID(id) || seen[id+"\x00"+p] {
			continue
		}
		seen[id+"\x00"+p] = true
		vers = append(vers, ver{p, id})
	}
	blobs, err := r.OpenBlobs(ctx)
	if err != nil {
		return err
	}
	defer blobs.Close()
	for _, v := range vers {
		c, err := blobs.Read(v.id)
		if err != nil {
			return fmt.Errorf("reading %s: %w", v.path, err)
		}
		if err := fn(v.path, c); err != nil {
			return err
		}
	}
	return nil
}

// NewestCommitTime is the committer date of the newest commit on any ref:
// the snapshot date of what HistoryFiles read.
func (r *Repo) NewestCommitTime(ctx context.Context) (time.Time, error) {
	out, err := r.run(ctx, nil, "log", "--all", "-1", "--format=%ct")
	if err != nil {
		return time.Time{}, err
	}
	sec, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("reading the newest commit date: %v", err)
	}
	return time.Unix(sec, 0).UTC(), nil
}
