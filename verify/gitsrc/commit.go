package gitsrc

import (
	"context"
	"fmt"
	"strings"
)

// ResolveCommit makes a commit given by its full object id available and
// returns its tree: for a remote repository it fetches just that commit,
// shallow and without blobs (blobs come later, on demand); for a local one it
// only checks that the commit exists. gnulib comparison uses it for the
// commit a release pins.
func (r *Repo) ResolveCommit(ctx context.Context, commit string) (tree string, err error) {
	if !isHexID(commit) {
		return "", fmt.Errorf("%w: %q is not a commit id", ErrTagNotFound, commit)
	}
	have := func() (string, error) {
		out, err := r.run(ctx, nil, "rev-parse", "--verify", "--quiet", "--end-of-options", commit+"^{tree}")
		return strings.TrimSpace(string(out)), err
	}
	if t, err := have(); err == nil {
		return t, nil
	}
	if r.Remote == "" {
		return "", fmt.Errorf("%w: commit %s is not in %s", ErrTagNotFound, commit, r.Source)
	}
	if r.opts.Offline {
		return "", fmt.Errorf("%w: commit %s of %s is not in the cache", ErrOffline, commit, r.Remote)
	}
	unlock, err := r.lockCache(ctx)
	if err != nil {
		return "", err
	}
	defer unlock()
	if t, err := have(); err == nil {
		return t, nil // fetched by another process meanwhile
	}
	if err := r.configurePartial(ctx); err != nil {
		return "", err
	}
	args := append(append([]string{}, fetchConfig...), "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--no-auto-gc",
		"--depth=1", "--filter=blob:none", "--end-of-options", "origin", commit)
	if _, err := r.run(ctx, nil, args...); err != nil {
		return "", fmt.Errorf("%w: fetching commit %s from %s: %v", ErrNetwork, commit, r.Remote, err)
	}
	t, err := have()
	if err != nil {
		return "", fmt.Errorf("%w: commit %s not found in %s", ErrTagNotFound, commit, r.Remote)
	}
	return t, nil
}

// CommitObject returns the body of commit (a full object id) as `git
// cat-file commit` prints it; the rebuild writes it into a minimal .git.
func (r *Repo) CommitObject(ctx context.Context, commit string) ([]byte, error) {
	if !isHexID(commit) {
		return nil, fmt.Errorf("%w: %q is not a commit id", ErrTagNotFound, commit)
	}
	return r.run(ctx, nil, "cat-file", "commit", "--end-of-options", commit)
}

// AbbrevLen returns how many hex digits `git rev-parse --short` gives for
// id in this repository (git's automatic length grows with the number of
// objects): version scripts that print the short commit id depend on it.
func (r *Repo) AbbrevLen(ctx context.Context, id string) (int, error) {
	if !isHexID(id) {
		return 0, fmt.Errorf("%w: %q is not an object id", ErrTagNotFound, id)
	}
	out, err := r.run(ctx, nil, "rev-parse", "--short", "--end-of-options", id)
	if err != nil {
		return 0, err
	}
	return len(strings.TrimSpace(string(out))), nil
}
