// Package gitsrc reads the git side of a verification through the system git
// binary: it resolves a tag to its tag object, commit and tree, lists the tree
// without a checkout, and streams blob contents through one long-lived
// `git cat-file --batch` process.
//
// Every git invocation runs with a controlled environment (no system or global
// configuration, no hooks, no fsmonitor, no pager, no prompts) and puts
// --end-of-options before user-supplied revisions, so that a hostile tag name
// or a hostile local repository cannot make git run anything. Callers must
// still treat everything read from the repository as untrusted data.
package gitsrc

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Errors callers map to exit codes.
var (
	// ErrGitMissing means the git binary could not be run (exit 3).
	ErrGitMissing = errors.New("git is not installed or not runnable")
	// ErrTagNotFound means the requested tag does not exist (exit 2).
	ErrTagNotFound = errors.New("tag not found")
	// ErrBadTagName means a tag name git would not accept as a ref (exit 2).
	ErrBadTagName = errors.New("invalid tag name")
	// ErrNotRepository means the --git argument is not a repository or bundle (exit 2).
	ErrNotRepository = errors.New("not a git repository or bundle")
	// ErrNetwork means a remote fetch failed (exit 3).
	ErrNetwork = errors.New("git fetch failed")
	// ErrOffline means a remote repository was needed while offline (exit 2).
	ErrOffline = errors.New("remote repository needed but --offline was given")
)

// MaxObjectSize caps how many bytes of one git object are read into memory.
const MaxObjectSize = 64 << 20

// Error is a failed git invocation, with git's own message.
type Error struct {
	Args     []string
	ExitCode int
	Stderr   string
	Err      error
}

func (e *Error) Error() string {
	msg := strings.TrimSpace(e.Stderr)
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	return fmt.Sprintf("git %s: %s", firstArg(e.Args), msg)
}

func (e *Error) Unwrap() error { return e.Err }

func firstArg(args []string) string {
	for _, a := range args {
		if !strings.HasPrefix(a, "-") && !strings.Contains(a, "=") {
			return a
		}
	}
	return strings.Join(args, " ")
}

// Options configure how a repository source is opened.
type Options struct {
	// CacheDir holds bare repositories made from bundles and remote URLs.
	CacheDir string
	// Offline forbids any network access.
	Offline bool
	// Logf, when set, receives verbose progress messages.
	Logf func(format string, args ...any)
	// Git is the git binary; default "git" from PATH.
	Git string
}

// Repo is an opened git source.
type Repo struct {
	// Source is what the user gave (URL, path, bundle), for reports.
	Source string
	// GitDir is the git directory commands run against.
	GitDir string
	// Remote is the URL tags are fetched from on demand ("" for local repositories).
	Remote string

	opts    Options
	git     string
	local   bool
	fetched map[string]bool
	mu      sync.Mutex
}

// Tag is a resolved tag.
type Tag struct {
	Name string
	// Object is the tag object id, "" for a lightweight tag.
	Object string
	// Raw is the tag object as `git cat-file tag` prints it (nil when lightweight).
	Raw        []byte
	Commit     string
	Tree       string
	CommitTime time.Time
}

// TreeEntry is one row of `git ls-tree -r`.
type TreeEntry struct {
	Mode uint32 // 0o100644, 0o100755, 0o120000, 0o160000
	Type string // "blob" or "commit"
	ID   string // hex object id
	Path string
}

func (o Options) logf(format string, args ...any) {
	if o.Logf != nil {
		o.Logf(format, args...)
	}
}

// IsRemote reports whether source names a remote repository rather than a local path.
func IsRemote(source string) bool {
	for _, p := range []string{"https://", "http://", "git://", "ssh://", "file://"} {
		if strings.HasPrefix(source, p) {
			return true
		}
	}
	// scp-like user@host:path, but not a local path that merely has a colon.
	if m := scpLike.FindStringSubmatch(source); m != nil {
		if _, err := os.Stat(source); err != nil {
			return true
		}
	}
	return false
}

var scpLike = regexp.MustCompile(`^(?:[A-Za-z0-9._-]+@)?[A-Za-z0-9.-]+:[^/\\]`)

// Open opens a git source: a local work tree or bare repository is read in
// place; a bundle file is fetched into a bare repository in the cache; a
// remote URL gets a bare cache repository into which tags are fetched on
// demand (see Resolve).
func Open(ctx context.Context, source string, o Options) (*Repo, error) {
	git := o.Git
	if git == "" {
		git = "git"
	}
	if _, err := exec.LookPath(git); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrGitMissing, err)
	}
	r := &Repo{Source: source, opts: o, git: git, fetched: map[string]bool{}}
	if IsRemote(source) {
		if strings.HasPrefix(source, "file://") {
			// A file:// URL is local data: read it as a local path would be.
			p := strings.TrimPrefix(source, "file://")
			if fi, err := os.Stat(p); err == nil && fi.IsDir() {
				return r.openLocal(ctx, p)
			}
		}
		if o.Offline {
			if err := r.openCache(ctx, source); err != nil {
				return nil, err
			}
			r.Remote = source
			return r, nil
		}
		if err := r.openCache(ctx, source); err != nil {
			return nil, err
		}
		r.Remote = source
		return r, nil
	}
	fi, err := os.Stat(source)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrNotRepository, source, err)
	}
	if fi.Mode().IsRegular() {
		return r.openBundle(ctx, source)
	}
	return r.openLocal(ctx, source)
}

func (r *Repo) openLocal(ctx context.Context, dir string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	for _, cand := range []string{filepath.Join(abs, ".git"), abs} {
		fi, err := os.Stat(cand)
		if err != nil {
			continue
		}
		if !fi.IsDir() && filepath.Base(cand) == ".git" {
			// A .git file (worktree or submodule): let git resolve it.
			out, err := r.runIn(ctx, "", nil, "-C", abs, "rev-parse", "--absolute-git-dir")
			if err != nil {
				continue
			}
			cand = strings.TrimSpace(string(out))
		}
		if _, err := os.Stat(filepath.Join(cand, "objects")); err != nil {
			continue
		}
		if _, err := os.Stat(filepath.Join(cand, "HEAD")); err != nil {
			continue
		}
		r.GitDir = cand
		r.local = true
		return r, nil
	}
	return nil, fmt.Errorf("%w: %s", ErrNotRepository, dir)
}

// cacheRepo returns the bare cache repository for a key, creating it.
func (r *Repo) cacheRepo(ctx context.Context, key string) (string, error) {
	if r.opts.CacheDir == "" {
		return "", errors.New("no cache directory for git data")
	}
	sum := sha256.Sum256([]byte(key))
	dir := filepath.Join(r.opts.CacheDir, "git", hex.EncodeToString(sum[:12])+".git")
	if _, err := os.Stat(filepath.Join(dir, "HEAD")); err == nil {
		return dir, nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return "", fmt.Errorf("creating git cache: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".init-*")
	if err != nil {
		return "", fmt.Errorf("creating git cache: %w", err)
	}
	if _, err := r.runIn(ctx, "", nil, "init", "--quiet", "--bare", tmp); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		if _, err2 := os.Stat(filepath.Join(dir, "HEAD")); err2 == nil {
			return dir, nil // lost a race with another process: fine
		}
		return "", fmt.Errorf("creating git cache: %w", err)
	}
	return dir, nil
}

func (r *Repo) openBundle(ctx context.Context, file string) (*Repo, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, err
	}
	if ok, _ := isBundle(abs); !ok {
		return nil, fmt.Errorf("%w: %s is a file but not a git bundle", ErrNotRepository, file)
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	dir, err := r.cacheRepo(ctx, "bundle:"+hex.EncodeToString(sum[:]))
	if err != nil {
		return nil, err
	}
	r.GitDir = dir
	if _, err := r.run(ctx, nil, "-c", "protocol.file.allow=always", "fetch", "--quiet", "--no-write-fetch-head",
		"--end-of-options", abs, "+refs/tags/*:refs/tags/*", "+refs/heads/*:refs/heads/*"); err != nil {
		return nil, fmt.Errorf("reading bundle %s: %w", file, err)
	}
	r.local = true
	return r, nil
}

func isBundle(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	buf := make([]byte, 32)
	n, _ := io.ReadFull(f, buf)
	return bytes.HasPrefix(buf[:n], []byte("# v2 git bundle")) || bytes.HasPrefix(buf[:n], []byte("# v3 git bundle")), nil
}

func (r *Repo) openCache(ctx context.Context, url string) error {
	dir, err := r.cacheRepo(ctx, "remote:"+url)
	if err != nil {
		return err
	}
	r.GitDir = dir
	return nil
}

// baseEnv is the controlled environment every git child gets.
func baseEnv() []string {
	env := []string{
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_TERMINAL_PROMPT=0",
		"GIT_ASKPASS=/bin/false",
		"SSH_ASKPASS=/bin/false",
		"GIT_PAGER=cat",
		"PAGER=cat",
		"GIT_OPTIONAL_LOCKS=0",
		"GIT_NO_REPLACE_OBJECTS=1",
		"LC_ALL=C",
		"GIT_SSH_COMMAND=ssh -o BatchMode=yes",
	}
	for _, k := range []string{"PATH", "HOME", "TMPDIR", "SSL_CERT_FILE", "SSL_CERT_DIR", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// hardening is passed before every subcommand.
var hardening = []string{
	"--no-pager",
	"-c", "core.hooksPath=/dev/null",
	"-c", "core.fsmonitor=false",
	"-c", "core.sshCommand=ssh -o BatchMode=yes",
	"-c", "credential.helper=",
	"-c", "safe.directory=*",
	"-c", "protocol.ext.allow=never",
	"-c", "core.alternateRefsCommand=",
	"-c", "uploadpack.packObjectsHook=",
	"-c", "diff.external=",
	"-c", "core.gitProxy=",
}

func (r *Repo) command(ctx context.Context, args ...string) *exec.Cmd {
	full := append([]string{}, hardening...)
	if r.GitDir != "" {
		full = append(full, "--git-dir="+r.GitDir)
	}
	full = append(full, args...)
	cmd := exec.CommandContext(ctx, r.git, full...)
	cmd.Env = baseEnv()
	cmd.Dir = os.TempDir()
	if r.GitDir != "" {
		cmd.Dir = r.GitDir
	}
	cmd.WaitDelay = 2 * time.Second
	return cmd
}

func (r *Repo) run(ctx context.Context, stdin []byte, args ...string) ([]byte, error) {
	return r.runIn(ctx, r.GitDir, stdin, args...)
}

func (r *Repo) runIn(ctx context.Context, gitDir string, stdin []byte, args ...string) ([]byte, error) {
	saved := r.GitDir
	r.GitDir = gitDir
	cmd := r.command(ctx, args...)
	r.GitDir = saved
	var out, errb bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &limitedBuffer{buf: &errb, max: 64 << 10}
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var ee *exec.ExitError
		code := -1
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if errors.Is(err, exec.ErrNotFound) {
			return nil, fmt.Errorf("%w: %v", ErrGitMissing, err)
		}
		return nil, &Error{Args: args, ExitCode: code, Stderr: errb.String(), Err: err}
	}
	return out.Bytes(), nil
}

type limitedBuffer struct {
	buf *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.buf.Len(); room > 0 {
		if len(p) > room {
			l.buf.Write(p[:room])
		} else {
			l.buf.Write(p)
		}
	}
	return len(p), nil
}

// CheckTagName refuses names git would not accept under refs/tags/ and names
// that could be taken for options.
func CheckTagName(name string) error {
	if name == "" || strings.HasPrefix(name, "-") || strings.ContainsAny(name, " ~^:?*[\\\x00\x7f") ||
		strings.Contains(name, "..") || strings.Contains(name, "@{") || strings.HasSuffix(name, ".lock") ||
		strings.HasSuffix(name, "/") || strings.HasSuffix(name, ".") || strings.HasPrefix(name, "/") || strings.Contains(name, "//") {
		return fmt.Errorf("%w: %q", ErrBadTagName, name)
	}
	for _, c := range name {
		if c < 0x20 {
			return fmt.Errorf("%w: %q", ErrBadTagName, name)
		}
	}
	return nil
}

// Tags lists the repository's tag names. For a remote repository it asks the
// server (git ls-remote), unless offline, then it lists cached tags.
func (r *Repo) Tags(ctx context.Context) ([]string, error) {
	if r.Remote != "" && !r.opts.Offline {
		out, err := r.run(ctx, nil, "ls-remote", "--tags", "--refs", "--end-of-options", r.Remote)
		if err != nil {
			return nil, fmt.Errorf("%w: listing tags of %s: %v", ErrNetwork, r.Remote, err)
		}
		var tags []string
		for _, line := range strings.Split(string(out), "\n") {
			if _, ref, ok := strings.Cut(line, "\t"); ok {
				tags = append(tags, strings.TrimPrefix(ref, "refs/tags/"))
			}
		}
		sort.Strings(tags)
		return tags, nil
	}
	out, err := r.run(ctx, nil, "for-each-ref", "--format=%(refname)", "refs/tags/")
	if err != nil {
		return nil, err
	}
	var tags []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l != "" {
			tags = append(tags, strings.TrimPrefix(l, "refs/tags/"))
		}
	}
	return tags, nil
}

// fetchTag brings one tag into the cache repository: a shallow fetch without
// blobs, so the tree is known and blobs come later only for files that differ.
func (r *Repo) fetchTag(ctx context.Context, name string) error {
	if r.Remote == "" || r.fetched[name] {
		return nil
	}
	ref := "refs/tags/" + name
	if r.opts.Offline {
		if _, err := r.run(ctx, nil, "rev-parse", "--verify", "--quiet", "--end-of-options", ref); err != nil {
			return fmt.Errorf("%w: tag %s of %s is not in the cache", ErrOffline, name, r.Remote)
		}
		return nil
	}
	start := time.Now()
	base := []string{"-c", "protocol.file.allow=always", "-c", "fetch.writeCommitGraph=false", "-c", "remote.origin.promisor=true",
		"-c", "remote.origin.partialclonefilter=blob:none"}
	// Record the remote as a promisor so that later cat-file calls may lazily fetch blobs.
	if _, err := r.run(ctx, nil, "config", "remote.origin.url", r.Remote); err != nil {
		return err
	}
	for _, kv := range [][2]string{{"remote.origin.promisor", "true"}, {"remote.origin.partialclonefilter", "blob:none"}, {"extensions.partialClone", "origin"}, {"core.repositoryformatversion", "1"}} {
		if _, err := r.run(ctx, nil, "config", kv[0], kv[1]); err != nil {
			return err
		}
	}
	args := append(append([]string{}, base...), "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--depth=1", "--filter=blob:none",
		"--end-of-options", "origin", "+"+ref+":"+ref)
	_, err := r.run(ctx, nil, args...)
	if err != nil {
		var ge *Error
		if errors.As(err, &ge) && strings.Contains(ge.Stderr, "couldn't find remote ref") {
			return fmt.Errorf("%w: %s in %s", ErrTagNotFound, name, r.Remote)
		}
		r.opts.logf("partial fetch of %s refused (%v); falling back to a full fetch of the tag", name, err)
		args = append(append([]string{}, base...), "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--end-of-options", "origin", "+"+ref+":"+ref)
		if _, err2 := r.run(ctx, nil, args...); err2 != nil {
			var ge2 *Error
			if errors.As(err2, &ge2) && strings.Contains(ge2.Stderr, "couldn't find remote ref") {
				return fmt.Errorf("%w: %s in %s", ErrTagNotFound, name, r.Remote)
			}
			return fmt.Errorf("%w: %s: %v", ErrNetwork, r.Remote, err2)
		}
	}
	r.opts.logf("fetched tag %s from %s in %s (tree only, no blobs)", name, r.Remote, time.Since(start).Round(time.Millisecond))
	r.fetched[name] = true
	return nil
}

// Resolve resolves a tag name to its tag object (if annotated), commit and tree.
func (r *Repo) Resolve(ctx context.Context, name string) (*Tag, error) {
	if err := CheckTagName(name); err != nil {
		return nil, err
	}
	if err := r.fetchTag(ctx, name); err != nil {
		return nil, err
	}
	ref := "refs/tags/" + name
	out, err := r.run(ctx, nil, "rev-parse", "--verify", "--quiet", "--end-of-options", ref)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrTagNotFound, name)
	}
	id := strings.TrimSpace(string(out))
	t := &Tag{Name: name}
	typ, err := r.run(ctx, nil, "cat-file", "-t", "--end-of-options", id)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(string(typ)) == "tag" {
		t.Object = id
		raw, err := r.run(ctx, nil, "cat-file", "tag", "--end-of-options", id)
		if err != nil {
			return nil, err
		}
		t.Raw = raw
	}
	var f []string
	for _, peel := range []string{"^{commit}", "^{tree}"} {
		out, err = r.run(ctx, nil, "rev-parse", "--verify", "--quiet", "--end-of-options", id+peel)
		if err != nil {
			return nil, fmt.Errorf("%w: tag %s does not point to a commit", ErrTagNotFound, name)
		}
		f = append(f, strings.TrimSpace(string(out)))
	}
	t.Commit, t.Tree = f[0], f[1]
	commit, err := r.run(ctx, nil, "cat-file", "commit", "--end-of-options", t.Commit)
	if err == nil {
		t.CommitTime = committerTime(commit)
	}
	return t, nil
}

func committerTime(commit []byte) time.Time {
	for _, line := range strings.Split(string(commit), "\n") {
		if line == "" {
			break
		}
		if strings.HasPrefix(line, "committer ") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				if sec, err := strconv.ParseInt(f[len(f)-2], 10, 64); err == nil {
					return time.Unix(sec, 0).UTC()
				}
			}
		}
	}
	return time.Time{}
}

// ListTree calls fn for every entry of the tree, recursively (no checkout).
func (r *Repo) ListTree(ctx context.Context, tree string, fn func(TreeEntry) error) error {
	cmd := r.command(ctx, "ls-tree", "-r", "-z", "--full-tree", "--end-of-options", tree)
	var errb bytes.Buffer
	cmd.Stderr = &limitedBuffer{buf: &errb, max: 64 << 10}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%w: %v", ErrGitMissing, err)
	}
	br := bufio.NewReaderSize(stdout, 256<<10)
	var cbErr error
	for {
		rec, err := br.ReadSlice(0)
		if err == io.EOF {
			break
		}
		if err == bufio.ErrBufferFull {
			// Absurdly long path: read the rest.
			var more []byte
			more, err = br.ReadBytes(0)
			rec = append(append([]byte{}, rec...), more...)
		}
		if err != nil && err != io.EOF {
			cbErr = err
			break
		}
		e, perr := parseTreeRecord(rec[:len(rec)-1])
		if perr != nil {
			cbErr = perr
			break
		}
		if err := fn(e); err != nil {
			cbErr = err
			break
		}
	}
	if cbErr != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return cbErr
	}
	if err := cmd.Wait(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &Error{Args: []string{"ls-tree"}, Stderr: errb.String(), Err: err}
	}
	return nil
}

func parseTreeRecord(rec []byte) (TreeEntry, error) {
	// "<mode> SP <type> SP <object> TAB <file>"
	tab := bytes.IndexByte(rec, '\t')
	if tab < 0 {
		return TreeEntry{}, fmt.Errorf("ls-tree: malformed record %q", rec)
	}
	meta := strings.Fields(string(rec[:tab]))
	if len(meta) != 3 {
		return TreeEntry{}, fmt.Errorf("ls-tree: malformed record %q", rec)
	}
	mode, err := strconv.ParseUint(meta[0], 8, 32)
	if err != nil {
		return TreeEntry{}, fmt.Errorf("ls-tree: bad mode %q", meta[0])
	}
	return TreeEntry{Mode: uint32(mode), Type: meta[1], ID: meta[2], Path: string(rec[tab+1:])}, nil
}

// Prefetch brings the given blobs of tree into a partial cache repository in
// one batched fetch, so that later reads do not fetch them one by one. It does
// nothing for local repositories or when every blob is already present.
func (r *Repo) Prefetch(ctx context.Context, tree string, ids []string) error {
	if r.Remote == "" || len(ids) == 0 || r.opts.Offline {
		return nil
	}
	// rev-list --missing=print names absent objects without fetching them.
	out, err := r.run(ctx, nil, "rev-list", "--objects", "--missing=print", "--end-of-options", tree)
	if err != nil {
		return err
	}
	absent := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "?") {
			absent[strings.TrimPrefix(line, "?")] = true
		}
	}
	var missing []string
	for _, id := range ids {
		if absent[id] && isHexID(id) {
			missing = append(missing, id)
			delete(absent, id)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	start := time.Now()
	stdin := []byte(strings.Join(missing, "\n") + "\n")
	if _, err := r.run(ctx, stdin, "-c", "protocol.file.allow=always", "-c", "fetch.negotiationAlgorithm=noop",
		"fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--filter=blob:none", "--stdin", "origin"); err != nil {
		return fmt.Errorf("%w: fetching %d blobs: %v", ErrNetwork, len(missing), err)
	}
	r.opts.logf("fetched %d differing blobs in one batch in %s", len(missing), time.Since(start).Round(time.Millisecond))
	return nil
}

// Blobs reads objects through one long-lived `git cat-file --batch` process.
// It is not safe for concurrent use.
type Blobs struct {
	cmd   *exec.Cmd
	in    io.WriteCloser
	out   *bufio.Reader
	errb  bytes.Buffer
	max   int64
	close sync.Once
}

// OpenBlobs starts the cat-file process. Close it when done.
func (r *Repo) OpenBlobs(ctx context.Context) (*Blobs, error) {
	cmd := r.command(ctx, "cat-file", "--batch")
	b := &Blobs{cmd: cmd, max: MaxObjectSize}
	cmd.Stderr = &limitedBuffer{buf: &b.errb, max: 64 << 10}
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrGitMissing, err)
	}
	b.in, b.out = in, bufio.NewReaderSize(out, 64<<10)
	return b, nil
}

// ErrObjectTooLarge is returned by Read for objects over the size cap; the
// returned bytes then hold only the first MaxObjectSize bytes.
var ErrObjectTooLarge = errors.New("git object larger than the read limit")

// Read returns the content of object id.
func (b *Blobs) Read(id string) ([]byte, error) {
	if !isHexID(id) {
		return nil, fmt.Errorf("cat-file: invalid object id %q", id)
	}
	if _, err := io.WriteString(b.in, id+"\n"); err != nil {
		return nil, fmt.Errorf("cat-file: %w (%s)", err, strings.TrimSpace(b.errb.String()))
	}
	hdr, err := b.out.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("cat-file: %w (%s)", err, strings.TrimSpace(b.errb.String()))
	}
	f := strings.Fields(hdr)
	if len(f) == 2 && f[1] == "missing" {
		return nil, fmt.Errorf("cat-file: object %s missing", id)
	}
	if len(f) != 3 {
		return nil, fmt.Errorf("cat-file: unexpected header %q", hdr)
	}
	size, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil || size < 0 {
		return nil, fmt.Errorf("cat-file: bad size in %q", hdr)
	}
	keep := size
	if keep > b.max {
		keep = b.max
	}
	buf := make([]byte, keep)
	if _, err := io.ReadFull(b.out, buf); err != nil {
		return nil, fmt.Errorf("cat-file: reading %s: %w", id, err)
	}
	if _, err := b.out.Discard(int(size - keep + 1)); err != nil { // rest + trailing LF
		return nil, fmt.Errorf("cat-file: reading %s: %w", id, err)
	}
	if size > keep {
		return buf, ErrObjectTooLarge
	}
	return buf, nil
}

// Close stops the cat-file process.
func (b *Blobs) Close() error {
	var err error
	b.close.Do(func() {
		b.in.Close()
		err = b.cmd.Wait()
	})
	return err
}

func isHexID(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Attributes returns, for the given paths, which carry export-ignore and
// export-subst according to the .gitattributes files of tree. It uses a
// throwaway index in tmpDir, so git's own attribute rules apply exactly.
func (r *Repo) Attributes(ctx context.Context, tree, tmpDir string, paths []string) (ignore, subst map[string]bool, err error) {
	ignore, subst = map[string]bool{}, map[string]bool{}
	if len(paths) == 0 {
		return ignore, subst, nil
	}
	idx, err := os.CreateTemp(tmpDir, "tarcheck-index-*")
	if err != nil {
		return nil, nil, fmt.Errorf("reading .gitattributes: %w", err)
	}
	idxPath := idx.Name()
	idx.Close()
	os.Remove(idxPath)
	defer os.Remove(idxPath)
	env := []string{"GIT_INDEX_FILE=" + idxPath}
	cmd := r.command(ctx, "read-tree", "--end-of-options", tree)
	cmd.Env = append(cmd.Env, env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, nil, fmt.Errorf("reading .gitattributes: git read-tree: %s", strings.TrimSpace(string(out)))
	}
	cmd = r.command(ctx, "check-attr", "--cached", "-z", "--stdin", "export-ignore", "export-subst")
	cmd.Env = append(cmd.Env, env...)
	var in bytes.Buffer
	for _, p := range paths {
		in.WriteString(p)
		in.WriteByte(0)
	}
	cmd.Stdin = &in
	out, err := cmd.Output()
	if err != nil {
		return nil, nil, fmt.Errorf("reading .gitattributes: git check-attr: %v", err)
	}
	parts := bytes.Split(out, []byte{0})
	for i := 0; i+2 < len(parts); i += 3 {
		p, attr, val := string(parts[i]), string(parts[i+1]), string(parts[i+2])
		if val == "unspecified" || val == "unset" {
			continue
		}
		switch attr {
		case "export-ignore":
			ignore[p] = true
		case "export-subst":
			subst[p] = true
		}
	}
	return ignore, subst, nil
}
