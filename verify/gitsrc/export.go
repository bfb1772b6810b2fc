package gitsrc

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"strings"
	"syscall"

	"github.com/tarcheck/tarcheck/internal/limits"
)

// Limits on what Export writes.
const (
	// MaxExportFiles caps the entries of an exported tree.
	MaxExportFiles = limits.GitMaxExportFiles
	// MaxExportBytes caps the total size of the blobs written by one Export.
	MaxExportBytes int64 = limits.GitMaxExportBytes
	// MaxExportPathLen caps the length of one exported path.
	MaxExportPathLen = limits.GitMaxExportPathLen
	// maxLinkTarget caps a symlink target (PATH_MAX).
	maxLinkTarget = limits.GitMaxLinkTarget
)

// ErrUnsafeTree means a tree entry could not be written without leaving the
// export directory, writing through a symlink or overwriting another entry;
// nothing further was written.
var ErrUnsafeTree = errors.New("tree entry cannot be exported safely")

// Export writes the files of tree (an object id or any tree-ish) into dir,
// which must be empty or not exist yet: regular files with mode 0644, or
// 0755 when git records them executable, and symlinks created as links.
// Submodules (gitlinks) become empty directories.
//
// Contents are the raw blobs, streamed through `git cat-file --batch`, not
// `git archive`: git archive applies the tree's .gitattributes (export-ignore
// drops files, eol and ident rewrite them, and filter= runs smudge commands
// from the repository's configuration outside any sandbox). Export honours no
// attribute and no configuration; every file is byte for byte its blob. A
// partial clone gets its missing blobs in one batched fetch first.
//
// Paths come from the repository and are untrusted: an entry that is empty,
// absolute, contains "." or ".." components, a ".git" component, a NUL byte,
// lies below a symlink or a file, or repeats an earlier path makes Export
// stop with ErrUnsafeTree. Symlinks are never followed while writing (their
// targets may point anywhere); callers reading the export must not follow
// them either. On error dir holds a partial export for the caller to remove.
func (r *Repo) Export(ctx context.Context, tree, dir string) error {
	_, err := r.export(ctx, tree, dir, false)
	return err
}

// ExportSkippingMissing is Export for a tree whose repository lacks some
// blobs (a mirror that dropped a large file, such as gnulib's ChangeLog):
// a missing blob is left out instead of failing the export, and its path
// returned, for the caller to say so.
func (r *Repo) ExportSkippingMissing(ctx context.Context, tree, dir string) ([]string, error) {
	return r.export(ctx, tree, dir, true)
}

func (r *Repo) export(ctx context.Context, tree, dir string, skipMissing bool) ([]string, error) {
	entries, err := r.exportEntries(ctx, tree)
	if err != nil {
		return nil, fmt.Errorf("exporting %s: %w", tree, err)
	}
	x, err := newExtractor(dir)
	if err != nil {
		return nil, fmt.Errorf("exporting %s: %w", tree, err)
	}
	defer x.close()
	s, err := r.startExportStream(ctx, tree, entries)
	if err != nil {
		return nil, err
	}
	s.skipMissing = skipMissing
	var total int64
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return s.skipped, s.finish(err)
		}
		if err := s.writeEntry(x, e, &total); err != nil {
			return s.skipped, s.finish(err)
		}
	}
	return s.skipped, s.finish(nil)
}

// exportEntries lists tree (at most MaxExportFiles entries) and has a
// partial clone fetch the blobs it lacks in one batch.
func (r *Repo) exportEntries(ctx context.Context, tree string) ([]TreeEntry, error) {
	var entries []TreeEntry
	var ids []string
	err := r.ListTree(ctx, tree, func(e TreeEntry) error {
		if len(entries) >= MaxExportFiles {
			return fmt.Errorf("exporting %s: more than %d entries", tree, MaxExportFiles)
		}
		entries = append(entries, e)
		if e.Mode != 0o160000 {
			ids = append(ids, e.ID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := r.Prefetch(ctx, tree, ids); err != nil {
		return nil, err
	}
	return entries, nil
}

// exportStream is the `git cat-file --batch` process of one Export: the
// requests for every blob of entries go in from a goroutine so that git
// never waits for a round trip; answers come back in the same order.
type exportStream struct {
	ctx      context.Context
	tree     string
	cmd      *exec.Cmd
	out      *bufio.Reader
	errb     *limitedBuffer
	writeErr chan error
	// skipMissing leaves a blob the repository lacks out of the export,
	// its path in skipped, instead of failing (ExportSkippingMissing).
	skipMissing bool
	skipped     []string
}

func (r *Repo) startExportStream(ctx context.Context, tree string, entries []TreeEntry) (*exportStream, error) {
	cmd := r.command(ctx, "cat-file", "--batch")
	s := &exportStream{ctx: ctx, tree: tree, cmd: cmd, errb: &limitedBuffer{buf: &bytes.Buffer{}, max: 64 << 10}, writeErr: make(chan error, 1)}
	cmd.Stderr = s.errb
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("exporting %s: %w", tree, err)
	}
	outPipe, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("exporting %s: %w", tree, err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrGitMissing, err)
	}
	s.out = bufio.NewReaderSize(outPipe, 256<<10)
	go func() {
		w := bufio.NewWriterSize(in, 64<<10)
		var err error
		for _, e := range entries {
			if e.Mode == 0o160000 || !isHexID(e.ID) {
				continue
			}
			if _, err = w.WriteString(e.ID + "\n"); err != nil {
				break
			}
		}
		if err == nil {
			err = w.Flush()
		}
		in.Close()
		s.writeErr <- err
	}()
	return s, nil
}

// finish ends the stream: on err it kills git and returns err in context
// (or the context's error); otherwise it waits for git and reports its failure.
func (s *exportStream) finish(err error) error {
	if err != nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
		if s.ctx.Err() != nil {
			return s.ctx.Err()
		}
		return fmt.Errorf("exporting %s: %w", s.tree, err)
	}
	<-s.writeErr
	if werr := s.cmd.Wait(); werr != nil {
		return fmt.Errorf("exporting %s: git cat-file: %v (%s)", s.tree, werr, strings.TrimSpace(s.errb.String()))
	}
	return nil
}

// writeEntry writes entry e through x: a gitlink as an empty directory, else
// the next blob of the stream as a symlink or a file; total counts the blob
// bytes written so far, capped at MaxExportBytes.
func (s *exportStream) writeEntry(x *extractor, e TreeEntry, total *int64) error {
	if e.Mode == 0o160000 {
		return x.dir(e.Path)
	}
	if !isHexID(e.ID) {
		return fmt.Errorf("bad object id %q for %q", e.ID, e.Path)
	}
	if err := x.check(e.Path); err != nil {
		return err
	}
	line, err := s.out.ReadSlice('\n')
	if err != nil {
		return fmt.Errorf("git cat-file: %w (%s)", err, strings.TrimSpace(s.errb.String()))
	}
	h, err := parseBatchHeader(line)
	if err != nil {
		return err
	}
	if h.missing {
		if !s.skipMissing {
			return fmt.Errorf("object %s (%s) missing", e.ID, e.Path)
		}
		s.skipped = append(s.skipped, e.Path)
		return nil
	}
	if h.typ != "blob" {
		return fmt.Errorf("%s: object %s is a %s, not a blob", e.Path, e.ID, h.typ)
	}
	*total += h.size
	if *total > MaxExportBytes {
		return fmt.Errorf("tree holds more than %d bytes", MaxExportBytes)
	}
	body := io.LimitReader(s.out, h.size)
	switch e.Mode {
	case 0o120000:
		if h.size > maxLinkTarget {
			return fmt.Errorf("%w: %q: symlink target longer than %d bytes", ErrUnsafeTree, e.Path, maxLinkTarget)
		}
		target, err := io.ReadAll(body)
		if err != nil {
			return fmt.Errorf("git cat-file: reading %s: %w", e.ID, err)
		}
		if err := x.symlink(e.Path, string(target)); err != nil {
			return err
		}
	case 0o100644, 0o100755, 0o100664:
		mode := fs.FileMode(0o644)
		if e.Mode == 0o100755 {
			mode = 0o755
		}
		if err := x.file(e.Path, mode, body, h.size); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%w: %q: unsupported mode %o", ErrUnsafeTree, e.Path, e.Mode)
	}
	if _, err := s.out.Discard(1); err != nil { // the LF after each object
		return fmt.Errorf("git cat-file: %w", err)
	}
	return nil
}

// extractor writes entries below one directory without ever following a
// symlink: every parent is checked with Lstat and created as a real
// directory, files are created with O_EXCL|O_NOFOLLOW, all through an
// os.Root so nothing can land outside it.
type extractor struct {
	root  *os.Root
	links map[string]bool // paths written as symlinks
	seen  map[string]bool // paths written (files, links, gitlink dirs)
	dirs  map[string]bool // directories created
}

func newExtractor(dir string) (*extractor, error) {
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, err
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	d, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	if len(d) > 0 {
		return nil, fmt.Errorf("export directory %s is not empty", dir)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &extractor{root: root, links: map[string]bool{}, seen: map[string]bool{}, dirs: map[string]bool{}}, nil
}

func (x *extractor) close() { _ = x.root.Close() }

// check validates a path from the tree before anything is written for it.
func (x *extractor) check(name string) error {
	if name == "" || len(name) > MaxExportPathLen || strings.IndexByte(name, 0) >= 0 || strings.HasPrefix(name, "/") {
		return fmt.Errorf("%w: %q", ErrUnsafeTree, name)
	}
	for _, c := range strings.Split(name, "/") {
		if c == "" || c == "." || c == ".." || strings.EqualFold(c, ".git") {
			return fmt.Errorf("%w: %q", ErrUnsafeTree, name)
		}
	}
	if x.seen[name] || x.dirs[name] {
		return fmt.Errorf("%w: %q appears twice", ErrUnsafeTree, name)
	}
	for p := path.Dir(name); p != "."; p = path.Dir(p) {
		if x.links[p] {
			return fmt.Errorf("%w: %q lies below the symlink %q", ErrUnsafeTree, name, p)
		}
		if x.seen[p] {
			return fmt.Errorf("%w: %q lies below the file %q", ErrUnsafeTree, name, p)
		}
	}
	return nil
}

// parents creates the parent directories of name as real directories.
func (x *extractor) parents(name string) error {
	dir := path.Dir(name)
	if dir == "." || x.dirs[dir] {
		return nil
	}
	var chain []string
	for p := dir; p != "." && !x.dirs[p]; p = path.Dir(p) {
		chain = append(chain, p)
	}
	for i := len(chain) - 1; i >= 0; i-- {
		p := chain[i]
		fi, err := x.root.Lstat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if err := x.root.Mkdir(p, 0o755); err != nil {
				return fmt.Errorf("creating %s: %w", p, err)
			}
		case err != nil:
			return fmt.Errorf("%w: %q: %v", ErrUnsafeTree, p, err)
		case !fi.IsDir():
			return fmt.Errorf("%w: %q is not a directory", ErrUnsafeTree, p)
		}
		x.dirs[p] = true
	}
	return nil
}

// file writes one regular file of exactly size bytes from r.
func (x *extractor) file(name string, mode fs.FileMode, r io.Reader, size int64) error {
	if err := x.check(name); err != nil {
		return err
	}
	if err := x.parents(name); err != nil {
		return err
	}
	f, err := x.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, mode)
	if err != nil {
		return fmt.Errorf("%w: %q: %v", ErrUnsafeTree, name, err)
	}
	x.seen[name] = true
	n, err := io.Copy(f, r)
	if err == nil && n != size {
		err = io.ErrUnexpectedEOF
	}
	if err == nil {
		err = f.Chmod(mode) // exact mode, whatever the umask
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	return nil
}

// symlink creates name as a link to target; the target is not looked at.
func (x *extractor) symlink(name, target string) error {
	if err := x.check(name); err != nil {
		return err
	}
	if target == "" || strings.IndexByte(target, 0) >= 0 {
		return fmt.Errorf("%w: %q: bad symlink target", ErrUnsafeTree, name)
	}
	if err := x.parents(name); err != nil {
		return err
	}
	// Root.Symlink does not look at the target; the link itself lands
	// inside the root, below real directories only.
	if err := x.root.Symlink(target, name); err != nil {
		return fmt.Errorf("%w: %q: %v", ErrUnsafeTree, name, err)
	}
	x.seen[name] = true
	x.links[name] = true
	return nil
}

// dir creates name as an empty directory (a submodule's place).
func (x *extractor) dir(name string) error {
	if err := x.check(name); err != nil {
		return err
	}
	if err := x.parents(name); err != nil {
		return err
	}
	if err := x.root.Mkdir(name, 0o755); err != nil {
		return fmt.Errorf("%w: %q: %v", ErrUnsafeTree, name, err)
	}
	x.dirs[name] = true
	return nil
}
