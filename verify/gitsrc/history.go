package gitsrc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tarcheck/tarcheck/internal/limits"
)

// PreviousNone is the --previous value that skips the previous release.
const PreviousNone = "none"

// ObjectFormat returns the repository's object format: "sha1" or "sha256"
// (extensions.objectFormat). Object ids are 40 or 64 hex digits accordingly.
func (r *Repo) ObjectFormat(ctx context.Context) (string, error) {
	if r.format != "" {
		return r.format, nil // seen in an id Resolve read
	}
	out, err := r.run(ctx, nil, "rev-parse", "--show-object-format")
	if err != nil {
		return "", fmt.Errorf("reading the object format of %s: %w", r.Source, err)
	}
	f := strings.TrimSpace(string(out))
	if f != "sha1" && f != "sha256" {
		return "", fmt.Errorf("reading the object format of %s: unknown format %q", r.Source, f)
	}
	r.format = f
	return f, nil
}

// FetchHistory makes the history of the named tags available in a remote
// cache repository: commits and trees, never blobs (they come on demand, as
// for Resolve). It undoes the depth-1 fetch Resolve made. It does nothing
// for local repositories; offline it only checks that the tags are cached.
// Ancestry (IsAncestor, PreviousTags) and Log need it for remote sources.
// Tags resolved afterwards (the previous release) are fetched without
// --depth=1 and with negotiation, so they keep the history and transfer
// only what is missing.
func (r *Repo) FetchHistory(ctx context.Context, tags ...string) error {
	if r.Remote == "" {
		return nil
	}
	for _, t := range tags {
		if err := CheckTagName(t); err != nil {
			return err
		}
	}
	unlock, done, err := r.startFetch(ctx, tags...)
	if done || err != nil {
		return err
	}
	defer unlock()
	start := time.Now()
	args := append(append([]string{}, historyFetchConfig...), "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--no-auto-gc",
		"--recurse-submodules=no", "--filter=blob:none")
	if _, err := os.Stat(filepath.Join(r.GitDir, "shallow")); err == nil {
		args = append(args, "--unshallow")
	}
	args = append(args, "--end-of-options", "origin")
	for _, t := range tags {
		ref := "refs/tags/" + t
		args = append(args, "+"+ref+":"+ref)
	}
	if _, err := r.run(ctx, nil, args...); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("%w: fetching the history of %s from %s: %v", ErrNetwork, strings.Join(tags, ", "), r.Remote, err)
	}
	for _, t := range tags {
		r.fetched[t] = true
	}
	r.history = true
	r.opts.logf("fetched the history of %s from %s in %s (commits and trees, no blobs)",
		strings.Join(tags, ", "), r.Remote, time.Since(start).Round(time.Millisecond))
	return nil
}

// historyFetchConfig is fetchConfig with git's default negotiation: once
// history is present, "have" lines keep later fetches incremental.
var historyFetchConfig = []string{"-c", "protocol.version=2", "-c", deltaBaseCache + fetchDeltaBaseCache}

// IsAncestor reports whether commit a is an ancestor of (or equal to)
// commit b. Both must be present (see FetchHistory for remote sources).
func (r *Repo) IsAncestor(ctx context.Context, a, b string) (bool, error) {
	if !isHexID(a) || !isHexID(b) {
		return false, fmt.Errorf("merge-base: invalid commit ids %q, %q", a, b)
	}
	_, err := r.run(ctx, nil, "merge-base", "--is-ancestor", "--end-of-options", a, b)
	if err == nil {
		return true, nil
	}
	var ge *Error
	if errors.As(err, &ge) && ge.ExitCode == 1 {
		return false, nil
	}
	return false, err
}

// tagCommits maps tag names to the commit they peel to: from the cache's
// refs for local sources, from ls-remote (peeled "^{}" lines) for remote
// ones.
//
// A local repository's answer is kept for the run (its refs do not change;
// the previous-release analysis asks twice). Callers must not modify it.
func (r *Repo) tagCommits(ctx context.Context) (map[string]string, error) {
	if r.tags != nil {
		return r.tags, nil
	}
	out := map[string]string{}
	if r.Remote != "" && !r.opts.Offline {
		b, err := r.run(ctx, nil, "-c", "protocol.version=2", "ls-remote", "--tags", "--end-of-options", r.Remote)
		if err != nil {
			return nil, fmt.Errorf("%w: listing tags of %s: %v", ErrNetwork, r.Remote, err)
		}
		peeled := map[string]bool{}
		for _, line := range strings.Split(string(b), "\n") {
			id, ref, ok := strings.Cut(line, "\t")
			if !ok || !isHexID(id) {
				continue
			}
			name, ok := strings.CutPrefix(ref, "refs/tags/")
			if !ok {
				continue
			}
			if n, ok := strings.CutSuffix(name, "^{}"); ok {
				out[n], peeled[n] = id, true
			} else if !peeled[name] {
				out[name] = id // lightweight tag, or overwritten by its ^{} line later
			}
		}
	} else {
		b, err := r.run(ctx, nil, "for-each-ref", "--format=%(refname)%00%(objectname)%00%(*objectname)", "refs/tags/")
		if err != nil {
			return nil, err
		}
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Split(line, "\x00")
			if len(f) != 3 {
				continue
			}
			name, _ := strings.CutPrefix(f[0], "refs/tags/")
			id := f[1]
			if f[2] != "" {
				id = f[2]
			}
			if isHexID(id) {
				out[name] = id
			}
		}
	}
	for n := range out {
		if CheckTagName(n) != nil {
			delete(out, n)
		}
	}
	if r.Remote == "" {
		r.tags = out
	}
	return out, nil
}

// PreviousTag chooses the previous release of cur for --previous: spec
// PreviousNone gives "" (skip); a tag name is returned as given (checked
// with CheckTagName; the caller resolves it); "" infers it with
// PreviousTags. An inferred "" with a nil error means no earlier release of
// the same naming scheme exists. For remote sources call FetchHistory(cur)
// first.
func (r *Repo) PreviousTag(ctx context.Context, cur *Tag, spec string) (string, error) {
	switch spec {
	case PreviousNone:
		return "", nil
	case "":
		prev, err := r.PreviousTags(ctx, cur, 1)
		if err != nil || len(prev) == 0 {
			return "", err
		}
		return prev[0], nil
	}
	if err := CheckTagName(spec); err != nil {
		return "", fmt.Errorf("--previous: %w", err)
	}
	return spec, nil
}

// PreviousTags returns up to n earlier releases of cur, newest first: tags
// of the same naming scheme as cur.Name (SameTagScheme), with a lower
// version (CompareTagVersions), whose commit is a strict ancestor of
// cur.Commit. Tags of other schemes, later or equal versions and tags off
// cur's history (e.g. a maintenance branch) are skipped. For remote
// sources call FetchHistory(cur.Name) first, so that ancestry is known.
func (r *Repo) PreviousTags(ctx context.Context, cur *Tag, n int) ([]string, error) {
	commits, err := r.tagCommits(ctx)
	if err != nil {
		return nil, err
	}
	var cands []string
	for name := range commits {
		if name != cur.Name && SameTagScheme(cur.Name, name) && CompareTagVersions(name, cur.Name) < 0 {
			cands = append(cands, name)
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		if c := CompareTagVersions(cands[i], cands[j]); c != 0 {
			return c > 0
		}
		return cands[i] < cands[j]
	})
	// The newest candidates are usually the answer: ask git about them one
	// by one (merge-base walks only the history between the two), and read
	// the whole history's reachability (mergedTags walks every commit: half
	// a second of CPU on curl's) only when the first ones are off cur's
	// history.
	known := r.ancestryAhead(ctx, cands, commits, cur, n)
	var merged map[string]bool
	asked := 0
	var out []string
	for _, name := range cands {
		if len(out) >= n {
			break
		}
		id := commits[name]
		if id == cur.Commit {
			continue
		}
		if merged == nil && asked >= n+ancestorQueries && r.Remote == "" {
			merged = r.mergedTags(ctx, cur.Commit)
		}
		if merged != nil {
			if merged[name] {
				out = append(out, name)
			}
			continue
		}
		asked++
		a, hit := known[name]
		if !hit {
			a.ok, a.err = r.IsAncestor(ctx, id, cur.Commit)
		}
		ok, err := a.ok, a.err
		if err != nil {
			var ge *Error
			if errors.As(err, &ge) {
				continue // commit not in this history (absent object): not an ancestor
			}
			return nil, err
		}
		if ok {
			out = append(out, name)
		}
	}
	return out, nil
}

// ancestry is one IsAncestor answer.
type ancestry struct {
	ok  bool
	err error
}

// ancestryAhead asks, all at once, whether the first n candidates (those
// PreviousTags asks first, and usually the only ones) are ancestors of
// cur, each on a twin of a local repository; PreviousTags then takes the
// answers in its own order, so the outcome is the same. nil when there is
// nothing to overlap (fewer than two questions, or a remote repository).
func (r *Repo) ancestryAhead(ctx context.Context, cands []string, commits map[string]string, cur *Tag, n int) map[string]ancestry {
	var ask []string
	for _, name := range cands {
		if len(ask) == n {
			break
		}
		if commits[name] != cur.Commit {
			ask = append(ask, name)
		}
	}
	if len(ask) < 2 {
		return nil
	}
	if _, ok := r.Twin(); !ok {
		return nil
	}
	answers := make([]ancestry, len(ask))
	var wg sync.WaitGroup
	for i, name := range ask {
		twin, _ := r.Twin()
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i].ok, answers[i].err = twin.IsAncestor(ctx, commits[name], cur.Commit)
		}()
	}
	wg.Wait()
	known := make(map[string]ancestry, len(ask))
	for i, name := range ask {
		known[name] = answers[i]
	}
	return known
}

// tagVersion splits a tag name into its scheme and version: the prefix
// before the first digit, the numeric components, the separator between
// them ("" for a single number) and the rest after the last component
// ("-rc1"). ok is false for a name without digits or with mixed separators.
type tagVersion struct {
	prefix, sep, suffix string
	nums                []int
}

func parseTagVersion(name string) (tagVersion, bool) {
	var v tagVersion
	i := strings.IndexAny(name, "0123456789")
	if i < 0 {
		return v, false
	}
	v.prefix = name[:i]
	rest := name[i:]
	for {
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if j == 0 || j > 9 {
			return v, false
		}
		n, _ := strconv.Atoi(rest[:j])
		v.nums = append(v.nums, n)
		rest = rest[j:]
		if len(rest) >= 2 && strings.IndexByte("._-", rest[0]) >= 0 && rest[1] >= '0' && rest[1] <= '9' {
			s := rest[:1]
			if v.sep == "" {
				v.sep = s
			} else if v.sep != s {
				break // "1.2-3": the rest is a suffix
			}
			rest = rest[1:]
			continue
		}
		break
	}
	v.suffix = rest
	return v, true
}

// SameTagScheme reports whether two tag names follow the same naming
// scheme: the same prefix before the version ("v", "foo-", "release-"),
// the same separator between version components ("." or "_"; a
// one-component version matches any), and both or neither carrying a
// suffix after the version (a pre-release such as "-rc1" is not the
// previous release of a final one).
func SameTagScheme(a, b string) bool {
	va, ok1 := parseTagVersion(a)
	vb, ok2 := parseTagVersion(b)
	if !ok1 || !ok2 || va.prefix != vb.prefix {
		return false
	}
	if va.sep != "" && vb.sep != "" && va.sep != vb.sep {
		return false
	}
	return (va.suffix == "") == (vb.suffix == "")
}

// CompareTagVersions orders two tag names of the same scheme by version
// (numerically component by component, a missing component counting as
// 0; "1.2" < "1.2.1" < "1.10"), then a final release after its
// pre-releases, then by suffix text. Names without a version compare as
// strings.
func CompareTagVersions(a, b string) int {
	va, ok1 := parseTagVersion(a)
	vb, ok2 := parseTagVersion(b)
	if !ok1 || !ok2 {
		return strings.Compare(a, b)
	}
	for i := 0; i < max(len(va.nums), len(vb.nums)); i++ {
		x, y := 0, 0
		if i < len(va.nums) {
			x = va.nums[i]
		}
		if i < len(vb.nums) {
			y = vb.nums[i]
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	if c := len(va.nums) - len(vb.nums); c != 0 {
		if c < 0 {
			return -1
		}
		return 1
	}
	switch {
	case va.suffix == vb.suffix:
		return 0
	case va.suffix == "":
		return 1
	case vb.suffix == "":
		return -1
	}
	return strings.Compare(va.suffix, vb.suffix)
}

// Change is one row of `git diff-tree -r` between two trees.
type Change struct {
	// Status is 'A' (added), 'D' (deleted), 'M' (modified) or 'T' (type
	// changed); renames are not detected (a rename is a D and an A).
	Status           byte
	OldMode, NewMode uint32
	OldID, NewID     string // zero ids ("000…") for the absent side
	Path             string
}

// DiffTrees lists the differences between two trees (or commits),
// recursively, without rename detection and without reading blobs.
func (r *Repo) DiffTrees(ctx context.Context, from, to string) ([]Change, error) {
	if !isHexID(from) || !isHexID(to) {
		return nil, fmt.Errorf("diff-tree: invalid tree ids %q, %q", from, to)
	}
	out, err := r.run(ctx, nil, "diff-tree", "-r", "-z", "--no-renames", "--no-ext-diff", "--no-textconv", "--end-of-options", from, to)
	if err != nil {
		return nil, fmt.Errorf("comparing trees %s and %s: %w", from, to, err)
	}
	return parseDiffTree(out)
}

// parseDiffTree parses `git diff-tree -r -z` output:
// ":<old mode> <new mode> <old id> <new id> <status>\0<path>\0".
func parseDiffTree(out []byte) ([]Change, error) {
	var res []Change
	parts := bytes.Split(out, []byte{0})
	for i := 0; i+1 < len(parts); i += 2 {
		meta := string(parts[i])
		if meta == "" {
			break
		}
		f := strings.Fields(strings.TrimPrefix(meta, ":"))
		if !strings.HasPrefix(meta, ":") || len(f) != 5 || len(f[4]) == 0 || !isHexID(f[2]) || !isHexID(f[3]) {
			return nil, fmt.Errorf("diff-tree: malformed record %q", meta)
		}
		om, err1 := strconv.ParseUint(f[0], 8, 32)
		nm, err2 := strconv.ParseUint(f[1], 8, 32)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("diff-tree: bad mode in %q", meta)
		}
		p := string(parts[i+1])
		if p == "" {
			return nil, fmt.Errorf("diff-tree: empty path after %q", meta)
		}
		res = append(res, Change{Status: f[4][0], OldMode: uint32(om), NewMode: uint32(nm), OldID: f[2], NewID: f[3], Path: p})
	}
	return res, nil
}

// Commit is one commit of a Log, with the paths it touched among those
// asked for.
type Commit struct {
	ID                        string
	Author, AuthorEmail       string
	AuthorTime                time.Time
	Committer, CommitterEmail string
	CommitTime                time.Time
	// Subject is the first line of the message (untrusted text).
	Subject string
	// Paths are the paths of the query the commit touched.
	Paths []string
}

// MaxLogCommits caps how many commits one Log call returns.
const MaxLogCommits = limits.GitMaxLogCommits

// Log lists the commits reachable from to and not from from ("" for the
// whole history up to to) that touched any of paths (literal paths, no
// pattern matching; none means every path), newest first, with the touched
// paths. Merge commits are left out (their changes are listed with the
// commits that made them). It reads trees and commit objects, never blobs.
// Author, committer and subject are untrusted text. For remote sources
// call FetchHistory first.
func (r *Repo) Log(ctx context.Context, from, to string, paths []string) ([]Commit, error) {
	if !isHexID(to) || (from != "" && !isHexID(from)) {
		return nil, fmt.Errorf("log: invalid commit ids %q, %q", from, to)
	}
	var in bytes.Buffer
	in.WriteString(to + "\n")
	if from != "" {
		in.WriteString("^" + from + "\n")
	}
	if len(paths) > 0 {
		in.WriteString("--\n")
		for _, p := range paths {
			if strings.ContainsAny(p, "\n\x00") {
				continue
			}
			in.WriteString(p + "\n")
		}
	}
	out, err := r.run(ctx, in.Bytes(), "--literal-pathspecs", "log", "-z", "--no-renames", "--no-ext-diff", "--no-textconv",
		"--name-only", "--max-count="+strconv.Itoa(MaxLogCommits), "--format=%x1e%H", "--stdin")
	if err != nil {
		return nil, fmt.Errorf("reading history %s..%s: %w", from, to, err)
	}
	commits, err := parseLog(out)
	if err != nil || len(commits) == 0 {
		return commits, err
	}
	// Author, committer and subject come from the commit objects: they are
	// untrusted text that may hold any separator a format string could use.
	// All ids go to one cat-file at once: no round trip per commit.
	ids := make([]string, len(commits))
	for i := range commits {
		ids[i] = commits[i].ID
	}
	err = r.streamBatch(ctx, ids, func(int) bool { return true }, func(i int, o batchObject) error {
		if o.missing {
			return fmt.Errorf("reading commit %s: cat-file: object %s missing", ids[i], ids[i])
		}
		parseCommitHeader(o.data, &commits[i]) // an object over the cap comes truncated, as Blobs.Read gives it
		return nil
	})
	if err != nil {
		return nil, err
	}
	return commits, nil
}

// parseLog parses `git log -z --name-only --format=%x1e%H`: per commit
// "\x1e<id>\0\n" (or without the "\n" when no path follows) then
// NUL-terminated paths. Merges list no paths and are dropped.
func parseLog(out []byte) ([]Commit, error) {
	var res []Commit
	for _, rec := range bytes.Split(out, []byte{0x1e}) {
		if len(rec) == 0 {
			continue
		}
		id, rest, _ := bytes.Cut(rec, []byte{0})
		if !isHexID(string(id)) {
			return nil, fmt.Errorf("log: malformed record %.80q", rec)
		}
		rest = bytes.TrimPrefix(rest, []byte{'\n'})
		c := Commit{ID: string(id)}
		for _, p := range bytes.Split(rest, []byte{0}) {
			if len(p) > 0 {
				c.Paths = append(c.Paths, string(p))
			}
		}
		if len(c.Paths) > 0 {
			res = append(res, c)
		}
	}
	return res, nil
}

// parseCommitHeader fills the author, committer and subject of c from a
// raw commit object.
func parseCommitHeader(raw []byte, c *Commit) {
	head, msg, _ := bytes.Cut(raw, []byte("\n\n"))
	for _, line := range strings.Split(string(head), "\n") {
		k, v, _ := strings.Cut(line, " ")
		switch k {
		case "author":
			c.Author, c.AuthorEmail, c.AuthorTime = parseIdentLine(v)
		case "committer":
			c.Committer, c.CommitterEmail, c.CommitTime = parseIdentLine(v)
		}
	}
	subj, _, _ := bytes.Cut(bytes.TrimLeft(msg, "\n"), []byte{'\n'})
	if len(subj) > 200 {
		subj = subj[:200]
	}
	c.Subject = strings.ToValidUTF8(string(subj), "\uFFFD")
}

// parseIdentLine parses "Name <email> <seconds> <tz>".
func parseIdentLine(v string) (name, email string, at time.Time) {
	lt := strings.IndexByte(v, '<')
	gt := strings.LastIndexByte(v, '>')
	if lt < 0 || gt < lt {
		return strings.TrimSpace(v), "", time.Time{}
	}
	name, email = strings.TrimSpace(v[:lt]), v[lt+1:gt]
	if f := strings.Fields(v[gt+1:]); len(f) >= 1 {
		if s, err := strconv.ParseInt(f[0], 10, 64); err == nil {
			at = time.Unix(s, 0).UTC()
		}
	}
	return name, email, at
}

// ancestorQueries is how many candidates beyond the n wanted PreviousTags
// checks one at a time before it reads the reachability of every tag.
const ancestorQueries = 4

// mergedTags is the set of tags whose commit is reachable from commit, in one
// git process (for-each-ref --merged) instead of one merge-base per tag: a
// repository with maintenance branches has many earlier tags off the
// release's history. Local repositories only; nil when git cannot tell (the caller falls back to
// IsAncestor per tag).
func (r *Repo) mergedTags(ctx context.Context, commit string) map[string]bool {
	if r.Remote != "" {
		return nil // a cache repository holds only the tags fetched so far
	}
	out, err := r.run(ctx, nil, "for-each-ref", "--format=%(refname:strip=2)", "--merged="+commit, "refs/tags/")
	if err != nil {
		return nil
	}
	m := map[string]bool{}
	for _, l := range strings.Split(string(out), "\n") {
		if l != "" {
			m[l] = true
		}
	}
	return m
}
