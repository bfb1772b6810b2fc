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
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/tarcheck/tarcheck/internal/filelock"
	"github.com/tarcheck/tarcheck/internal/limits"
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
const MaxObjectSize = limits.GitMaxObjectSize

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
	// treeTag maps the tree of a fetched tag back to the tag, for Prefetch's fallback.
	treeTag map[string]string
	// configured records that the cache repository was set up as a partial clone.
	configured bool
	// history records that FetchHistory brought full history: later tag
	// fetches then negotiate and do not cut it with --depth=1.
	history bool
	// format is the object format once known ("sha1", "sha256"), see ObjectFormat.
	format string
	// tags caches tagCommits of a local repository (its refs do not change during a run).
	tags map[string]string
	// shared is the cat-file process all readers share, once ShareBlobs
	// was called (twins share it too).
	shared *sharedBlobs
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

// IsRemote reports whether source names a remote repository rather than a
// local path: a URL with a scheme git fetches from (https, http, git, ssh,
// file) or an scp-like address (user@host:path, host:path) that is not an
// existing local path. As git does, a path with a slash before its first
// colon is local.
func IsRemote(source string) bool {
	for _, p := range []string{"https://", "http://", "git://", "ssh://", "git+ssh://", "ssh+git://", "file://"} {
		if strings.HasPrefix(strings.ToLower(source), p) {
			return true
		}
	}
	colon := strings.IndexByte(source, ':')
	if colon <= 0 || strings.HasPrefix(source, "-") {
		return false
	}
	if slash := strings.IndexByte(source, '/'); slash >= 0 && slash < colon {
		return false
	}
	if !scpLike.MatchString(source) {
		return false
	}
	if _, err := os.Stat(source); err == nil {
		return false
	}
	return true
}

// scpLike is [user@]host:path with a plausible host (a bracketed IPv6
// address or letters, digits, dots and dashes) and a non-empty path.
var scpLike = regexp.MustCompile(`^(?:[A-Za-z0-9._~+-]+@)?(?:\[[0-9A-Fa-f:.%]+\]|[A-Za-z0-9][A-Za-z0-9.-]*):.`)

// fileURLPath returns the local path of a file:// URL (file:///p or
// file://localhost/p) with percent-escapes decoded, or "" when the URL names
// another host.
func fileURLPath(source string) string {
	u, err := url.Parse(source)
	if err != nil || !strings.EqualFold(u.Scheme, "file") || (u.Host != "" && u.Host != "localhost") || u.Path == "" {
		return ""
	}
	return u.Path
}

// Open opens a git source: a local work tree or bare repository is read in
// place; a bundle file is fetched into a bare repository in the cache; a
// remote URL gets a bare cache repository into which tags are fetched on
// demand (see Resolve). A file:// URL naming a local directory or bundle is
// read like the path itself. A plain http:// or git:// URL is accepted with a warning
// through Logf: its data is not authenticated in transit, so only a tag
// signature makes it trustworthy.
func Open(ctx context.Context, source string, o Options) (*Repo, error) {
	git := o.Git
	if git == "" {
		git = "git"
	}
	// Resolved once: exec.Command would search PATH again for each of the
	// run's git processes (a stat per PATH entry, each time).
	git, err := exec.LookPath(git)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrGitMissing, err)
	}
	r := &Repo{Source: source, opts: o, git: git, fetched: map[string]bool{}, treeTag: map[string]string{}}
	if IsRemote(source) {
		if p := fileURLPath(source); p != "" {
			// A file:// URL is local data: read it as a local path would be.
			if fi, err := os.Stat(p); err == nil {
				if fi.Mode().IsRegular() {
					return r.openBundle(ctx, p)
				}
				return r.openLocal(ctx, p)
			}
			return nil, fmt.Errorf("%w: %s", ErrNotRepository, source)
		}
		if lower := strings.ToLower(source); strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "git://") {
			o.logf("warning: %s is plain %s: the repository data is not protected in transit; only a valid tag signature vouches for it",
				source, lower[:strings.Index(lower, ":")])
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

// Twin returns a second handle on a local repository (a directory, or a
// bundle once imported), for use from another goroutine: it runs the same
// git commands against the same git directory and shares no mutable state
// with r (the tag list read so far is shared: it is never modified). ok
// is false for a remote source, whose cache repository changes as
// tags are fetched.
func (r *Repo) Twin() (twin *Repo, ok bool) {
	if !r.local || r.Remote != "" {
		return nil, false
	}
	return &Repo{Source: r.Source, GitDir: r.GitDir, opts: r.opts, git: r.git, local: true, format: r.format,
		tags: r.tags, fetched: map[string]bool{}, treeTag: map[string]string{}, shared: r.shared}, true
}

func (r *Repo) openLocal(ctx context.Context, dir string) (*Repo, error) {
	r.local = true
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
		return "", fmt.Errorf("%w: creating git cache: %w", ErrCache, err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".init-*")
	if err != nil {
		return "", fmt.Errorf("%w: creating git cache: %w", ErrCache, err)
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
		return "", fmt.Errorf("%w: creating git cache: %w", ErrCache, err)
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
	unlock, err := r.lockCache(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if _, err := r.run(ctx, nil, "-c", "protocol.file.allow=always", "-c", deltaBaseCache+fetchDeltaBaseCache, "fetch", "--quiet", "--no-write-fetch-head",
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

// lockCache takes the cache repository's file lock (GitDir + ".lock")
// for a fetch: git's own ref and config locks make a concurrent fetch by
// another process fail instead of wait. A lock file that cannot be made (a
// read-only cache) means no lock; only a done ctx is an error.
func (r *Repo) lockCache(ctx context.Context) (unlock func(), err error) {
	l, err := filelock.Acquire(ctx, r.GitDir+".lock")
	if err != nil && ctx.Err() != nil {
		return nil, err
	}
	return l.Unlock, nil
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

// hardening is passed before every subcommand. Command-line configuration
// wins over the repository's own .git/config, which a hostile local
// repository controls: every key that makes git run a program, fetch, or read
// attributes from outside the tree is neutralised here.
var hardening = []string{
	"--no-pager",
	"-c", "core.hooksPath=/dev/null",
	"-c", "core.fsmonitor=false",
	"-c", "core.sshCommand=ssh -o BatchMode=yes",
	"-c", "core.askPass=",
	"-c", "core.editor=false",
	"-c", "core.pager=cat",
	"-c", "core.attributesFile=/dev/null",
	"-c", "credential.helper=",
	"-c", "credential.interactive=false",
	"-c", "safe.directory=*",
	"-c", "protocol.ext.allow=never",
	"-c", "core.alternateRefsCommand=",
	"-c", "uploadpack.packObjectsHook=",
	"-c", "diff.external=",
	"-c", "core.gitProxy=",
	"-c", "gc.auto=0",
	"-c", "maintenance.auto=false",
	"-c", "fetch.writeCommitGraph=false",
	"-c", "fetch.recurseSubmodules=false",
	"-c", "submodule.recurse=false",
	"-c", deltaBaseCache + readDeltaBaseCache,
}

// deltaBaseCache is git's cache of the delta bases it unpacked, which
// reads of many objects (cat-file --batch of a tree's blobs, log and
// diff-tree over trees) draw on. readDeltaBaseCache is its size for every
// command but fetches: git's default (96 MiB) is the worse choice for
// these reads on a machine where a page fault is dear. It fills with
// bases read once, each a freshly mapped copy: gawk 5.2.1's 2,127 tag
// blobs through cat-file took 0.62 s (0.25 s system, 40,000 page faults,
// 123 MiB) against 0.23 s at 8 MiB (0.05 s, 9,000, 34 MiB); gnulib's
// 12,568: 0.46 against 0.29 s; 3,000 commits of gnulib's log --name-only
// 0.77 against 0.39 s. No cache at all is worse (that log: 2.0 s).
// Fetches keep git's default (fetchDeltaBaseCache): index-pack resolves
// a pack's deltas through the same cache.
const (
	deltaBaseCache      = "core.deltaBaseCacheLimit="
	readDeltaBaseCache  = "8m"
	fetchDeltaBaseCache = "96m"
)

// noNetwork forbids every transport, for commands that must never fetch: a
// local repository (whose config may name a hostile remote for lazy fetches
// of missing objects) and anything run with Offline. Per-protocol keys are
// set too, since they take precedence over protocol.allow.
var noNetwork = []string{
	"-c", "protocol.allow=never",
	"-c", "protocol.file.allow=never",
	"-c", "protocol.git.allow=never",
	"-c", "protocol.ssh.allow=never",
	"-c", "protocol.http.allow=never",
	"-c", "protocol.https.allow=never",
	"-c", "protocol.ext.allow=never",
}

// remoteTransports allows only the transports a release repository is
// served over (https, http, git, ssh, and file for file:// URLs); every
// other remote helper (fd::, ext::, custom helpers) is refused. Stalled
// HTTP transfers time out.
func remoteTransports(remote string) []string {
	out := []string{
		"-c", "protocol.allow=never",
		"-c", "protocol.https.allow=always",
		"-c", "protocol.http.allow=always",
		"-c", "protocol.git.allow=always",
		"-c", "protocol.ssh.allow=always",
		"-c", "protocol.ext.allow=never",
		"-c", "http.lowSpeedLimit=1",
		"-c", "http.lowSpeedTime=60",
	}
	if strings.HasPrefix(remote, "file://") {
		out = append(out, "-c", "protocol.file.allow=always")
	} else {
		out = append(out, "-c", "protocol.file.allow=never")
	}
	return out
}

// ErrGitKilled means a git child died from a signal (an environment
// problem: out of memory, killed by the user or the system).
var ErrGitKilled = errors.New("git was killed")

// ErrCache means the cache directory for git data cannot be used (an
// environment problem).
var ErrCache = errors.New("git cache unusable")

// fetchConfig is added to commands that fetch from the remote.
var fetchConfig = []string{
	"-c", "protocol.version=2",
	"-c", deltaBaseCache + fetchDeltaBaseCache,
	"-c", "fetch.negotiationAlgorithm=noop",
}

func (r *Repo) command(ctx context.Context, args ...string) *exec.Cmd {
	return r.commandIn(ctx, r.GitDir, args...)
}

// commandIn is command against the git directory gitDir; it reads r and
// never writes it, so that goroutines may share a Repo's git runs.
func (r *Repo) commandIn(ctx context.Context, gitDir string, args ...string) *exec.Cmd {
	full := append([]string{}, hardening...)
	if r.local || r.opts.Offline {
		full = append(full, noNetwork...)
	}
	if gitDir != "" {
		full = append(full, "--git-dir="+gitDir)
	}
	if !r.local && !r.opts.Offline && r.Remote != "" {
		full = append(full, remoteTransports(r.Remote)...)
	}
	full = append(full, args...)
	cmd := exec.CommandContext(ctx, r.git, full...)
	// git starts helpers (git-remote-https, index-pack, ...): run it in its
	// own process group and kill the whole group on cancellation, so that
	// nothing outlives an interrupted run.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	cmd.Env = baseEnv()
	cmd.Dir = os.TempDir()
	if gitDir != "" {
		cmd.Dir = gitDir
	}
	cmd.WaitDelay = 2 * time.Second
	return cmd
}

func (r *Repo) run(ctx context.Context, stdin []byte, args ...string) ([]byte, error) {
	return r.runIn(ctx, r.GitDir, stdin, args...)
}

func (r *Repo) runIn(ctx context.Context, gitDir string, stdin []byte, args ...string) ([]byte, error) {
	out, _, err := r.runStderr(ctx, gitDir, stdin, args...)
	return out, err
}

// runStderr runs git and returns its stdout and (capped) stderr; git reports
// some fallbacks, such as an ignored filter, only as a warning on success.
func (r *Repo) runStderr(ctx context.Context, gitDir string, stdin []byte, args ...string) ([]byte, string, error) {
	cmd := r.commandIn(ctx, gitDir, args...)
	var out, errb bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &limitedBuffer{buf: &errb, max: 64 << 10}
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, errb.String(), ctx.Err()
		}
		var ee *exec.ExitError
		code := -1
		if errors.As(err, &ee) {
			code = ee.ExitCode()
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				return nil, errb.String(), fmt.Errorf("%w: git %s: %v", ErrGitKilled, firstArg(args), ws.Signal())
			}
		} else if errors.Is(err, exec.ErrNotFound) {
			return nil, errb.String(), fmt.Errorf("%w: %v", ErrGitMissing, err)
		}
		return nil, errb.String(), &Error{Args: args, ExitCode: code, Stderr: errb.String(), Err: err}
	}
	return out.Bytes(), errb.String(), nil
}

// limitedBuffer keeps the first max bytes written to it (a child's stderr);
// it is safe to read while the child writes.
type limitedBuffer struct {
	mu  sync.Mutex
	buf *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if room := l.max - l.buf.Len(); room > 0 {
		if len(p) > room {
			l.buf.Write(p[:room])
		} else {
			l.buf.Write(p)
		}
	}
	return len(p), nil
}

// String returns what was kept so far, trimmed.
func (l *limitedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.TrimSpace(l.buf.String())
}

// MaxTagNameLength caps the length of a tag name.
const MaxTagNameLength = limits.GitMaxTagNameLength

// CheckTagName refuses names git would not accept under refs/tags/ (the
// rules of git check-ref-format) and names that could be taken for options.
// It is applied to every tag name before git sees it.
func CheckTagName(name string) error {
	bad := name == "" || name == "@" || len(name) > MaxTagNameLength ||
		strings.HasPrefix(name, "-") || strings.ContainsAny(name, " ~^:?*[\\\x7f") ||
		strings.Contains(name, "..") || strings.Contains(name, "@{") ||
		strings.HasSuffix(name, "/") || strings.HasSuffix(name, ".") || strings.HasPrefix(name, "/") || strings.Contains(name, "//")
	if !bad {
		for i := 0; i < len(name); i++ {
			if name[i] < 0x20 {
				bad = true
				break
			}
		}
	}
	if !bad {
		for _, comp := range strings.Split(name, "/") {
			if strings.HasPrefix(comp, ".") || strings.HasSuffix(comp, ".lock") {
				bad = true
				break
			}
		}
	}
	if bad {
		return fmt.Errorf("%w: %q", ErrBadTagName, name)
	}
	return nil
}

// Tags lists the repository's tag names, sorted. For a remote repository it
// asks the server (git ls-remote), unless offline, then it lists cached tags.
// Names that CheckTagName refuses are left out: a hostile server may
// advertise anything.
func (r *Repo) Tags(ctx context.Context) ([]string, error) {
	var names []string
	if r.Remote != "" && !r.opts.Offline {
		out, err := r.run(ctx, nil, append([]string{"-c", "protocol.version=2"}, "ls-remote", "--tags", "--refs", "--end-of-options", r.Remote)...)
		if err != nil {
			return nil, fmt.Errorf("%w: listing tags of %s: %v", ErrNetwork, r.Remote, err)
		}
		for _, line := range strings.Split(string(out), "\n") {
			if _, ref, ok := strings.Cut(line, "\t"); ok {
				names = append(names, ref)
			}
		}
	} else {
		out, err := r.run(ctx, nil, "for-each-ref", "--format=%(refname)", "refs/tags/")
		if err != nil {
			return nil, err
		}
		names = strings.Split(string(out), "\n")
	}
	var tags []string
	for _, ref := range names {
		name, ok := strings.CutPrefix(ref, "refs/tags/")
		if ok && CheckTagName(name) == nil {
			tags = append(tags, name)
		}
	}
	sort.Strings(tags)
	return tags, nil
}

// configurePartial records the remote in the cache repository as a promisor,
// so that git knows blobs may be missing and can fetch them on demand.
func (r *Repo) configurePartial(ctx context.Context) error {
	if r.configured {
		return nil
	}
	for _, kv := range [][2]string{
		{"core.repositoryformatversion", "1"},
		{"remote.origin.url", r.Remote},
		{"remote.origin.promisor", "true"},
		{"remote.origin.partialclonefilter", "blob:none"},
		{"extensions.partialClone", "origin"},
	} {
		if _, err := r.run(ctx, nil, "config", "--end-of-options", kv[0], kv[1]); err != nil {
			return fmt.Errorf("configuring git cache: %w", err)
		}
	}
	r.configured = true
	return nil
}

// unconfigurePartial turns the cache repository back into an ordinary one,
// for a server that cannot serve partial fetches.
func (r *Repo) unconfigurePartial(ctx context.Context) error {
	for _, k := range []string{"extensions.partialClone", "remote.origin.promisor", "remote.origin.partialclonefilter"} {
		if _, err := r.run(ctx, nil, "config", "--unset-all", "--end-of-options", k); err != nil {
			var ge *Error
			if errors.As(err, &ge) && ge.ExitCode == 5 { // not set
				continue
			}
			return fmt.Errorf("configuring git cache: %w", err)
		}
	}
	return nil
}

// filterIgnored is git's warning when a server does not support --filter;
// git then fetches the blobs too.
const filterIgnored = "filtering not recognized by server"

// startFetch is how every fetch into the cache repository starts. Offline
// it only checks that the tags are cached, and done is true: there is
// nothing to fetch. Otherwise it locks the cache (the caller unlocks) and
// makes it a partial clone.
func (r *Repo) startFetch(ctx context.Context, tags ...string) (unlock func(), done bool, err error) {
	if r.opts.Offline {
		for _, t := range tags {
			if _, err := r.run(ctx, nil, "rev-parse", "--verify", "--quiet", "--end-of-options", "refs/tags/"+t); err != nil {
				return nil, true, fmt.Errorf("%w: tag %s of %s is not in the cache", ErrOffline, t, r.Remote)
			}
		}
		return nil, true, nil
	}
	if unlock, err = r.lockCache(ctx); err != nil {
		return nil, false, err
	}
	if err := r.configurePartial(ctx); err != nil {
		unlock()
		return nil, false, err
	}
	return unlock, false, nil
}

// fetchTag brings one tag into the cache repository: a shallow fetch without
// blobs, so the tree is known and blobs come later only for files that
// differ. A server that refuses filters gets the tag with its blobs (git's
// own fallback); one that refuses shallow fetches gets a full fetch of the
// tag; both are reported through Logf.
func (r *Repo) fetchTag(ctx context.Context, name string) error {
	if r.Remote == "" || r.fetched[name] {
		return nil
	}
	ref := "refs/tags/" + name
	unlock, done, err := r.startFetch(ctx, name)
	if done || err != nil {
		return err
	}
	defer unlock()
	start := time.Now()
	fetch := func(extra ...string) (string, error) {
		cfg := fetchConfig
		if r.history {
			cfg = historyFetchConfig
		}
		args := append(append([]string{}, cfg...), "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--no-auto-gc")
		args = append(append(args, extra...), "--end-of-options", "origin", "+"+ref+":"+ref)
		_, stderr, err := r.runStderr(ctx, r.GitDir, nil, args...)
		if err != nil && strings.Contains(stderr, "couldn't find remote ref") {
			return stderr, fmt.Errorf("%w: %s in %s", ErrTagNotFound, name, r.Remote)
		}
		return stderr, err
	}
	what := "tree only, no blobs"
	first := []string{"--depth=1", "--filter=blob:none"}
	if r.history {
		what = "history kept, no blobs"
		first = first[1:]
	}
	stderr, err := fetch(first...)
	if errors.Is(err, ErrTagNotFound) || ctx.Err() != nil {
		return err
	}
	if err != nil {
		r.opts.logf("partial fetch of tag %s refused (%v); falling back to a full fetch of the tag", name, err)
		what = "full fetch of the tag"
		if strings.Contains(stderr, "dumb http") {
			// A dumb HTTP server serves static files: git's walker would
			// lazily fetch every object it does not have, from the same
			// server, recursively. Make the cache an ordinary repository.
			if err := r.unconfigurePartial(ctx); err != nil {
				return err
			}
		}
		if _, err = fetch("--no-filter"); err != nil {
			if errors.Is(err, ErrTagNotFound) || ctx.Err() != nil {
				return err
			}
			return fmt.Errorf("%w: %s: %v", ErrNetwork, r.Remote, err)
		}
	} else if strings.Contains(stderr, filterIgnored) {
		r.opts.logf("%s does not support partial fetches (blob filters): fell back to fetching tag %s with all its blobs", r.Remote, name)
		what = "with all blobs"
	}
	r.opts.logf("fetched tag %s from %s in %s (%s)", name, r.Remote, time.Since(start).Round(time.Millisecond), what)
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
	// One cat-file process answers what six rev-parse and cat-file
	// processes did: the ref (the tag object's raw text when annotated), the
	// commit it peels to (its committer time) and the tree. cat-file names
	// objects exactly as rev-parse --verify does (the same lookup of the
	// full ref name) and prints "missing" where rev-parse fails.
	objs, err := r.readBatch(ctx, []string{ref, ref + "^{commit}", ref + "^{tree}"}, []bool{true, true, false})
	if err != nil {
		var ge *Error
		if errors.As(err, &ge) {
			return nil, fmt.Errorf("%w: %s", ErrTagNotFound, name) // as rev-parse --verify failing
		}
		return nil, err
	}
	if objs[0].missing {
		return nil, fmt.Errorf("%w: %s", ErrTagNotFound, name)
	}
	id := objs[0].id
	t := &Tag{Name: name}
	if objs[0].typ == "tag" {
		t.Object = id
		t.Raw = objs[0].data
	}
	if objs[1].missing || objs[2].missing {
		return nil, fmt.Errorf("%w: tag %s does not point to a commit", ErrTagNotFound, name)
	}
	t.Commit, t.Tree = objs[1].id, objs[2].id
	if r.Remote != "" {
		r.treeTag[t.Tree] = name
	}
	t.CommitTime = committerTime(objs[1].data)
	r.noteFormat(id)
	return t, nil
}

// noteFormat records the object format an object id shows: 40 hex digits
// are sha1, 64 sha256 (what rev-parse --show-object-format would say).
func (r *Repo) noteFormat(id string) {
	switch len(id) {
	case 40:
		r.format = "sha1"
	case 64:
		r.format = "sha256"
	}
}

// batchObject is one answer of readBatch.
type batchObject struct {
	id, typ string
	missing bool
	size    int64  // the object's size (data holds at most MaxObjectSize of it)
	data    []byte // the content, when asked for
}

// readBatch asks one `git cat-file --batch` process about names (object
// names or revision expressions git's rev-parse accepts; never user text
// that CheckTagName has not passed) and returns one answer per name, with
// the content of those whose want is true (capped at MaxObjectSize).
func (r *Repo) readBatch(ctx context.Context, names []string, want []bool) ([]batchObject, error) {
	out := make([]batchObject, 0, len(names))
	err := r.streamBatch(ctx, names, func(i int) bool { return want[i] }, func(_ int, o batchObject) error {
		out = append(out, o)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// streamBatch is readBatch calling fn with each answer as it is read (the
// names are all written at once: no round trip per object); an error from
// fn stops the reading and is returned.
func (r *Repo) streamBatch(ctx context.Context, names []string, want func(int) bool, fn func(int, batchObject) error) error {
	if r.shared != nil {
		return r.shared.readNames(names, want, fn)
	}
	var in bytes.Buffer
	for _, n := range names {
		if n == "" || strings.ContainsAny(n, "\n\r") {
			return fmt.Errorf("cat-file: invalid object name %q", n)
		}
		in.WriteString(n)
		in.WriteByte('\n')
	}
	cmd := r.command(ctx, "cat-file", "--batch")
	var errb bytes.Buffer
	cmd.Stderr = &limitedBuffer{buf: &errb, max: 64 << 10}
	cmd.Stdin = &in
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%w: %v", ErrGitMissing, err)
	}
	br := bufio.NewReaderSize(stdout, 64<<10)
	// ended: the output stopped early (git died or was killed), as
	// opposed to output this reader refuses (then it kills git itself).
	var perr, fnErr error
	ended := false
	for i := range names {
		line, err := br.ReadSlice('\n')
		if err != nil {
			perr, ended = fmt.Errorf("cat-file: %w", err), true
			break
		}
		l := strings.TrimSuffix(string(line), "\n")
		if strings.HasSuffix(l, " missing") || strings.HasSuffix(l, " ambiguous") {
			if fnErr = fn(i, batchObject{missing: true}); fnErr != nil {
				break
			}
			continue
		}
		h, err := parseBatchHeader(line)
		if err != nil {
			perr = err
			break
		}
		o := batchObject{id: h.id, typ: h.typ}
		keep := int64(0)
		if want(i) {
			keep = min(h.size, MaxObjectSize)
			o.data = make([]byte, keep)
			if _, err := io.ReadFull(br, o.data); err != nil {
				perr, ended = fmt.Errorf("cat-file: reading %s: %w", h.id, err), true
				break
			}
		}
		if _, err := io.CopyN(io.Discard, br, h.size-keep+1); err != nil { // the rest and the LF
			perr, ended = fmt.Errorf("cat-file: reading %s: %w", h.id, err), true
			break
		}
		if fnErr = fn(i, o); fnErr != nil {
			break
		}
	}
	weKilled := fnErr != nil || (perr != nil && !ended)
	if weKilled {
		_ = cmd.Process.Kill()
	}
	werr := cmd.Wait()
	if fnErr != nil {
		return fnErr
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if werr != nil {
		var ee *exec.ExitError
		if errors.As(werr, &ee) {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && !weKilled {
				return fmt.Errorf("%w: git cat-file: %v", ErrGitKilled, ws.Signal())
			}
		}
		if perr == nil {
			return &Error{Args: []string{"cat-file"}, Stderr: errb.String(), Err: werr}
		}
	}
	if perr != nil {
		return fmt.Errorf("%w (%s)", perr, lastLine(strings.TrimSpace(errb.String())))
	}
	return nil
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
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				return fmt.Errorf("%w: git ls-tree: %v", ErrGitKilled, ws.Signal())
			}
		}
		return &Error{Args: []string{"ls-tree"}, Stderr: errb.String(), Err: err}
	}
	return nil
}

// parseTreeRecord parses one NUL-terminated record of `git ls-tree -r -z`
// (without its NUL): "<mode> SP <type> SP <object> TAB <path>". The path is
// kept byte for byte; callers must treat it as untrusted.
func parseTreeRecord(rec []byte) (TreeEntry, error) {
	tab := bytes.IndexByte(rec, '\t')
	if tab < 0 {
		return TreeEntry{}, fmt.Errorf("ls-tree: malformed record %q", rec)
	}
	meta := strings.Split(string(rec[:tab]), " ")
	if len(meta) != 3 {
		return TreeEntry{}, fmt.Errorf("ls-tree: malformed record %q", rec)
	}
	if meta[0] == "" || len(meta[0]) > 7 || meta[0][0] == '+' || meta[0][0] == '-' {
		return TreeEntry{}, fmt.Errorf("ls-tree: bad mode %q", meta[0])
	}
	mode, err := strconv.ParseUint(meta[0], 8, 32)
	if err != nil {
		return TreeEntry{}, fmt.Errorf("ls-tree: bad mode %q", meta[0])
	}
	switch meta[1] {
	case "blob", "commit", "tree":
	default:
		return TreeEntry{}, fmt.Errorf("ls-tree: bad object type %q", meta[1])
	}
	if !isHexID(meta[2]) {
		return TreeEntry{}, fmt.Errorf("ls-tree: bad object id %q", meta[2])
	}
	path := string(rec[tab+1:])
	if path == "" {
		return TreeEntry{}, fmt.Errorf("ls-tree: empty path in %q", rec)
	}
	return TreeEntry{Mode: uint32(mode), Type: meta[1], ID: meta[2], Path: path}, nil
}

// Prefetch brings the given blobs of tree into a partial cache repository in
// one batched fetch, so that later reads do not fetch them one by one. It does
// nothing for local repositories, when offline, or when every blob is already
// present; ids not in tree are ignored. When the server refuses to send blobs
// by id, it falls back to a full fetch of the tag the tree came from, and
// says so through Logf.
func (r *Repo) Prefetch(ctx context.Context, tree string, ids []string) error {
	if r.Remote == "" || len(ids) == 0 || r.opts.Offline {
		return nil
	}
	missing, err := r.missingBlobs(ctx, tree, ids)
	if err != nil || len(missing) == 0 {
		return err
	}
	start := time.Now()
	stdin := []byte(strings.Join(missing, "\n") + "\n")
	args := append(append([]string{}, fetchConfig...), "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--no-auto-gc",
		"--recurse-submodules=no", "--filter=blob:none", "--stdin", "origin")
	_, _, err = r.runStderr(ctx, r.GitDir, stdin, args...)
	if err == nil {
		r.opts.logf("fetched %d differing blobs in one batch in %s", len(missing), time.Since(start).Round(time.Millisecond))
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	tag, ok := r.treeTag[tree]
	if !ok {
		return fmt.Errorf("%w: fetching %d blobs: %v", ErrNetwork, len(missing), err)
	}
	r.opts.logf("fetching %d blobs by id was refused (%v); falling back to a full fetch of tag %s", len(missing), err, tag)
	ref := "refs/tags/" + tag
	for _, depth := range [][]string{{"--depth=1"}, nil} {
		args = append(append([]string{}, fetchConfig...), "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--no-auto-gc",
			"--no-filter", "--refetch")
		args = append(append(args, depth...), "--end-of-options", "origin", "+"+ref+":"+ref)
		if _, err = r.run(ctx, nil, args...); err == nil || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("%w: fetching tag %s with its blobs: %v", ErrNetwork, tag, err)
	}
	return nil
}

// missingBlobs returns the ids, among ids, of blobs of tree absent from the
// repository. rev-list --missing=print names absent objects without fetching
// them.
func (r *Repo) missingBlobs(ctx context.Context, tree string, ids []string) ([]string, error) {
	out, err := r.run(ctx, nil, "rev-list", "--objects", "--missing=print", "--end-of-options", tree)
	if err != nil {
		return nil, err
	}
	absent := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		if id, ok := strings.CutPrefix(line, "?"); ok {
			absent[id] = true
		}
	}
	var missing []string
	for _, id := range ids {
		if absent[id] && isHexID(id) {
			missing = append(missing, id)
			delete(absent, id)
		}
	}
	return missing, nil
}

// Blobs reads objects through one long-lived `git cat-file --batch` process,
// its own or the repository's shared one (ShareBlobs). It is not safe for
// concurrent use (a shared one is).
type Blobs struct {
	cmd   *exec.Cmd
	in    io.WriteCloser
	out   *bufio.Reader
	errb  *limitedBuffer
	max   int64
	close sync.Once
	// shared, when set, is the process this handle reads through; the
	// fields above are unused and Close leaves the process running.
	shared *sharedBlobs
}

// ErrBlobsEnded is returned by a read through a shared cat-file process
// after its run ended it.
var ErrBlobsEnded = errors.New("git cat-file: the run's shared reader was ended")

// OpenBlobs starts the cat-file process, or returns a handle on the
// repository's shared one (ShareBlobs). Close it when done.
func (r *Repo) OpenBlobs(ctx context.Context) (*Blobs, error) {
	if r.shared != nil {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return &Blobs{shared: r.shared}, nil
	}
	return r.startBlobs(ctx)
}

// startBlobs starts a cat-file process of its own.
func (r *Repo) startBlobs(ctx context.Context) (*Blobs, error) {
	cmd := r.command(ctx, "cat-file", "--batch")
	b := &Blobs{cmd: cmd, max: MaxObjectSize, errb: &limitedBuffer{buf: &bytes.Buffer{}, max: 64 << 10}}
	cmd.Stderr = b.errb
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

// died reports a broken pipe to cat-file as ErrGitKilled when the process
// was killed by a signal, else returns err.
func (b *Blobs) died(err error) error {
	b.Close()
	if st := b.cmd.ProcessState; st != nil {
		if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return fmt.Errorf("%w: git cat-file: %v", ErrGitKilled, ws.Signal())
		}
	}
	return err
}

// Read returns the content of object id. A blob absent from a partial cache
// repository is fetched on demand by git (never when offline).
func (b *Blobs) Read(id string) ([]byte, error) {
	if b.shared != nil {
		return b.shared.read(id)
	}
	return b.read(id)
}

// namesPerWrite is how many names readNames writes to cat-file at once
// before reading their answers: few enough that the write never fills the
// pipe (64 KiB; a sha256 name is 65 bytes) and so never waits for git,
// which may be waiting for its answers to be read.
const namesPerWrite = 256

// readNames asks about names (readBatch's: object names or revision
// expressions) in writes of namesPerWrite, calling fn with each answer in
// order: the id and type, the content (capped at MaxObjectSize) when
// want(i), or missing when git has no such object or the name is
// ambiguous. An error from fn ends the reading once the answers already
// asked for are read (the stream stays in step) and is returned.
func (b *Blobs) readNames(names []string, want func(int) bool, fn func(int, batchObject) error) error {
	var req strings.Builder
	var fnErr error
	for lo := 0; lo < len(names) && fnErr == nil; lo += namesPerWrite {
		hi := min(lo+namesPerWrite, len(names))
		req.Reset()
		for _, n := range names[lo:hi] {
			if n == "" || strings.ContainsAny(n, "\n\r") {
				return fmt.Errorf("cat-file: invalid object name %q", n)
			}
			req.WriteString(n)
			req.WriteByte('\n')
		}
		if _, err := io.WriteString(b.in, req.String()); err != nil {
			return b.died(fmt.Errorf("cat-file: %w (%s)", err, b.errb.String()))
		}
		for i := lo; i < hi; i++ {
			o, err := b.answer(fnErr == nil && want(i))
			if err != nil {
				return err
			}
			if fnErr == nil {
				fnErr = fn(i, o)
			}
		}
	}
	return fnErr
}

// answer reads the answer to one name written to cat-file, with the
// content (at most b.max bytes of it) when want.
func (b *Blobs) answer(want bool) (batchObject, error) {
	line, err := b.out.ReadSlice('\n')
	if err != nil {
		return batchObject{}, b.died(fmt.Errorf("cat-file: %w (%s)", err, b.errb.String()))
	}
	if l := strings.TrimSuffix(string(line), "\n"); strings.HasSuffix(l, " missing") || strings.HasSuffix(l, " ambiguous") {
		return batchObject{missing: true}, nil
	}
	h, err := parseBatchHeader(line)
	if err != nil {
		return batchObject{}, b.died(err)
	}
	o := batchObject{id: h.id, typ: h.typ, size: h.size}
	keep := int64(0)
	if want {
		keep = min(h.size, b.max)
		o.data = make([]byte, keep)
		if _, err := io.ReadFull(b.out, o.data); err != nil {
			return batchObject{}, b.died(fmt.Errorf("cat-file: reading %s: %w", h.id, err))
		}
	}
	if _, err := b.out.Discard(int(h.size - keep + 1)); err != nil { // the rest and the LF
		return batchObject{}, b.died(fmt.Errorf("cat-file: reading %s: %w", h.id, err))
	}
	return o, nil
}

// ReadMany reads the objects ids in order and calls fn with each one's
// content, or Read's error for it (a missing object, ErrObjectTooLarge with
// the first MaxObjectSize bytes): what Read would give, but the requests
// go to cat-file many at a write (readNames), with no round trip per
// object; fifteen thousand fuzzing inputs took two seconds one by one. An
// error from fn stops the reading and is returned; so does the process's.
func (b *Blobs) ReadMany(ids []string, fn func(i int, content []byte, err error) error) error {
	for _, id := range ids {
		if !isHexID(id) {
			return fmt.Errorf("cat-file: invalid object id %q", id)
		}
	}
	each := func(i int, o batchObject) error {
		c, err := objectContent(ids[i], o, "")
		return fn(i, c, err)
	}
	all := func(int) bool { return true }
	if b.shared != nil {
		return b.shared.readNames(ids, all, each)
	}
	return b.readNames(ids, all, each)
}

// read is Read on a process of its own.
func (b *Blobs) read(id string) ([]byte, error) {
	if !isHexID(id) {
		return nil, fmt.Errorf("cat-file: invalid object id %q", id)
	}
	if _, err := io.WriteString(b.in, id+"\n"); err != nil {
		return nil, b.died(fmt.Errorf("cat-file: %w (%s)", err, b.errb.String()))
	}
	o, err := b.answer(true)
	if err != nil {
		return nil, err
	}
	return objectContent(id, o, b.errb.String())
}

// objectContent is Read's result for the answer o about id: the content,
// ErrObjectTooLarge with its first bytes, or an error for a missing object
// that quotes the last line git wrote to stderr, if any.
func objectContent(id string, o batchObject, stderr string) ([]byte, error) {
	switch {
	case o.missing && stderr != "":
		return nil, fmt.Errorf("cat-file: object %s missing (%s)", id, lastLine(stderr))
	case o.missing:
		return nil, fmt.Errorf("cat-file: object %s missing", id)
	case o.size > int64(len(o.data)):
		return o.data, ErrObjectTooLarge
	}
	return o.data, nil
}

// batchHeader is the line `git cat-file --batch` prints before an object:
// "<id> SP <type> SP <size> LF", or "<name> SP missing LF".
type batchHeader struct {
	id, typ string
	size    int64
	missing bool
}

// parseBatchHeader parses one header line, with or without its LF.
func parseBatchHeader(line []byte) (batchHeader, error) {
	l := strings.TrimSuffix(string(line), "\n")
	f := strings.Split(l, " ")
	if len(f) == 2 && f[1] == "missing" {
		return batchHeader{id: f[0], missing: true}, nil
	}
	if len(f) != 3 || !isHexID(f[0]) || f[1] == "" {
		return batchHeader{}, fmt.Errorf("cat-file: unexpected header %q", l)
	}
	size, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil || size < 0 || f[2][0] == '+' {
		return batchHeader{}, fmt.Errorf("cat-file: bad size in %q", l)
	}
	return batchHeader{id: f[0], typ: f[1], size: size}, nil
}

// Close stops the cat-file process (a shared one is left running).
func (b *Blobs) Close() error {
	if b.shared != nil {
		return nil
	}
	var err error
	b.close.Do(func() {
		b.in.Close()
		err = b.cmd.Wait()
	})
	return err
}

// objectDir returns the absolute object directory of the repository (the
// common one, for a linked worktree).
func (r *Repo) objectDir(ctx context.Context) (string, error) {
	out, err := r.run(ctx, nil, "rev-parse", "--git-path", "objects")
	if err != nil {
		return "", err
	}
	dir := strings.TrimSpace(string(out))
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(r.GitDir, dir)
	}
	return dir, nil
}

func lastLine(s string) string {
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
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
// throwaway index in tmpDir, so git's own attribute rules apply exactly. Only
// the tree's .gitattributes count: the user's global attributes file is
// ignored, and so is a local repository's $GIT_DIR/info/attributes (git
// reads the tree through a throwaway repository borrowing its objects).
func (r *Repo) Attributes(ctx context.Context, tree, tmpDir string, paths []string) (ignore, subst map[string]bool, err error) {
	if len(paths) == 0 {
		return map[string]bool{}, map[string]bool{}, nil
	}
	a, err := r.PrepareAttributes(ctx, tree, tmpDir)
	if err != nil {
		return nil, nil, err
	}
	defer a.Close()
	return a.Check(ctx, paths)
}

// AttrIndex is a tree read into a throwaway index, ready for Check
// (Attributes in two steps: the costly one can run before the paths are
// known). Close removes it.
type AttrIndex struct {
	r       *Repo // the repository check-attr runs in (the throwaway one for a local repository)
	scratch string
	env     []string
}

// PrepareAttributes reads tree into a throwaway index under tmpDir, as
// Attributes does, for later Checks.
func (r *Repo) PrepareAttributes(ctx context.Context, tree, tmpDir string) (*AttrIndex, error) {
	scratch, err := os.MkdirTemp(tmpDir, "tarcheck-attr-*")
	if err != nil {
		return nil, fmt.Errorf("reading .gitattributes: %w", err)
	}
	a := &AttrIndex{r: r, scratch: scratch, env: []string{"GIT_INDEX_FILE=" + filepath.Join(scratch, "index")}}
	if err := a.prepare(ctx, tree); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

func (a *AttrIndex) prepare(ctx context.Context, tree string) error {
	r := a.r
	if r.local {
		objects, err := r.objectDir(ctx)
		if err != nil {
			return fmt.Errorf("reading .gitattributes: %w", err)
		}
		iso := filepath.Join(a.scratch, "repo.git")
		if _, err := r.runIn(ctx, "", nil, "init", "--quiet", "--bare", "--template=", "--end-of-options", iso); err != nil {
			return fmt.Errorf("reading .gitattributes: %w", err)
		}
		c := *r
		c.GitDir = iso
		a.r = &c
		a.env = append(a.env, "GIT_ALTERNATE_OBJECT_DIRECTORIES="+objects)
	}
	cmd := a.r.command(ctx, "read-tree", "--end-of-options", tree)
	cmd.Env = append(cmd.Env, a.env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("reading .gitattributes: git read-tree: %s", strings.TrimSpace(string(out)))
	}
	return nil
}

// Close removes the throwaway index.
func (a *AttrIndex) Close() error { return os.RemoveAll(a.scratch) }

// Check returns, for the given paths, which carry export-ignore and
// export-subst (see Attributes).
func (a *AttrIndex) Check(ctx context.Context, paths []string) (ignore, subst map[string]bool, err error) {
	ignore, subst = map[string]bool{}, map[string]bool{}
	if len(paths) == 0 {
		return ignore, subst, nil
	}
	rr, env := a.r, a.env
	cmd := rr.command(ctx, "check-attr", "--cached", "-z", "--stdin", "export-ignore", "export-subst")
	cmd.Env = append(cmd.Env, env...)
	// git archive leaves out a whole directory marked export-ignore, and it
	// asks about a directory with a trailing slash: ask about every parent
	// directory of the paths too.
	var in bytes.Buffer
	asked := map[string]bool{}
	ask := func(p string) {
		if !asked[p] {
			asked[p] = true
			in.WriteString(p)
			in.WriteByte(0)
		}
	}
	for _, p := range paths {
		for i := 0; i < len(p); i++ {
			if p[i] == '/' && i > 0 {
				ask(p[:i+1])
			}
		}
		ask(p)
	}
	cmd.Stdin = &in
	var errb bytes.Buffer
	cmd.Stderr = &limitedBuffer{buf: &errb, max: 64 << 10}
	out, err := cmd.Output()
	if err != nil {
		return nil, nil, fmt.Errorf("reading .gitattributes: git check-attr: %v: %s", err, strings.TrimSpace(errb.String()))
	}
	ignoredDirs := map[string]bool{}
	parts := bytes.Split(out, []byte{0})
	for i := 0; i+2 < len(parts); i += 3 {
		p, attr, val := string(parts[i]), string(parts[i+1]), string(parts[i+2])
		if val == "unspecified" || val == "unset" {
			continue
		}
		switch {
		case attr == "export-ignore" && strings.HasSuffix(p, "/"):
			ignoredDirs[p] = true
		case attr == "export-ignore":
			ignore[p] = true
		case attr == "export-subst" && !strings.HasSuffix(p, "/"):
			subst[p] = true
		}
	}
	if len(ignoredDirs) > 0 {
		for _, p := range paths {
			for i := 0; i < len(p); i++ {
				if p[i] == '/' && ignoredDirs[p[:i+1]] {
					ignore[p] = true
					break
				}
			}
		}
	}
	return ignore, subst, nil
}
