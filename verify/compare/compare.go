// Package compare is step 5 of a verification: one streaming pass over the
// release archive that compares every member with the tag's tree (an Index
// of git ls-tree rows), keeps the content of the members that differ
// (bounded), and counts both sides. Members identical to the tag leave only
// a counter, so memory does not grow with the release.
//
// It does no git and no network: the tree comes in as an Index, the archive
// as a local file. Result.Gather re-reads the archive for contents that did
// not fit in the first pass.
package compare

import (
	"bytes"
	"context"
	"errors"
	"strings"

	"github.com/tarcheck/tarcheck/autotools"
	"github.com/tarcheck/tarcheck/internal/limits"
	"github.com/tarcheck/tarcheck/verify/archive"
	"github.com/tarcheck/tarcheck/verify/report"
)

// Limits on what the comparison keeps in memory.
const (
	// defaultKeepBytes is the largest differing member whose content is kept
	// for classification (a configure script is typically 0.5–3 MiB).
	defaultKeepBytes = limits.CompareKeepBytes
	// maxKeptTotal caps the contents of differing files held at once; past
	// it, contents are gathered in further passes over the archive.
	maxKeptTotal = limits.CompareMaxKeptTotal
)

// Memory for huge trees. The per-path indexes cost about 130 bytes a file
// (tarball and tag together); past hugeTreeFiles files in the tag, the xz
// decoder keeps one 24 MiB block in flight instead of two, trading about
// 1.7x decoding time for 24 MiB, so that peak RSS stays below 150 MiB up to
// about 600,000 files (bench/run.sh).
const (
	hugeTreeFiles       = 400_000
	hugeTreeBlockMemory = 32 << 20
)

// Progress receives progress updates; implementations must be cheap.
type Progress interface {
	// Start begins a phase ("download foo.tar.xz", "archive") of total bytes (-1 unknown).
	Start(phase string, total int64)
	// Add reports n more bytes done in the current phase.
	Add(n int64)
	// Done ends the current phase.
	Done()
}

// Options tune a comparison.
type Options struct {
	// Limits caps what the archive may make tarcheck do (zero fields: defaults).
	Limits archive.Limits
	// KeepBytes is the largest member content kept (0: defaultKeepBytes).
	KeepBytes int64
	// Size is the archive's size, for Progress.
	Size int64
	// Progress, when set, is told about each pass.
	Progress Progress
	// Logf receives verbose messages; nil discards them.
	Logf func(format string, args ...any)
	// ObjectFormat is the repository's git object format ("sha1", the
	// default, or "sha256"): member blob ids are computed in it (the first
	// 20 bytes of a sha256 id), to match the Index's.
	ObjectFormat string
	// Opened, when set, is the archive at the tarball path opened ahead
	// (its decoding perhaps started: archive.File.StartDecoding): the
	// first pass walks it. Run closes it.
	Opened *archive.File
	// Kept, when set, is told of each regular member under the release
	// root that differs from the tag (inTag: the tag has a file at rel) as
	// soon as its content is kept, on the walk's goroutine, so that its
	// classification can start while the archive is read. A later member
	// of the same path, or a second pass (the root guessed wrong), may
	// replace it: the caller must match content, not trust the path.
	Kept func(rel string, content []byte, mode uint32, inTag bool)
}

// Member is a tarball member that is not identical to the tag.
type Member struct {
	Type    archive.EntryType
	GitMode uint32
	ID      [20]byte
	Size    int64
	Link    string
	// Content is the member's bytes, when kept (at most KeepBytes).
	Content []byte
	// Status is how it differs ("" = identical after all, a duplicate).
	Status report.Status
	// Missing: the content is needed but was not kept (see Result.Gather).
	Missing bool
	// Stray: outside the release's top-level directory.
	Stray bool
}

// Result is the comparison of one archive with one tree.
type Result struct {
	// Members are the members not identical to the tag, by key (MemberKey).
	Members map[string]*Member
	// Index is the tag's tree; GitFile.Seen and Identical are set.
	Index *Index
	// Summary counts both sides and the differences by status.
	Summary report.Summary
	// Root is the release's top-level directory ("" when it has none).
	Root string
	// Archive is the archive walk's result (format, hazards, sizes).
	Archive *archive.Result
	// Binary maps paths (either side, root stripped) whose content looks
	// binary to the kind of data.
	Binary map[string]string

	tarball   string
	opts      Options
	identical int
}

// strayPrefix marks, in Result.Members, members outside the release's
// top-level directory; a NUL never occurs in a real path.
const strayPrefix = "\x00"

// DisplayPath is the path a member key is reported under.
func DisplayPath(key string) string { return strings.TrimPrefix(key, strayPrefix) }

// MemberKey is the key of an archive member: its path with the root
// stripped, or a marked full path when it lies outside the root.
func MemberKey(root, name string) string {
	rel, ok := strip(root, name)
	if !ok {
		return strayPrefix + name
	}
	return rel
}

// strip removes the assumed root from an archive path.
func strip(root, name string) (string, bool) {
	if root == "" {
		return name, true
	}
	if len(name) > len(root) && name[len(root)] == '/' && name[:len(root)] == root {
		return name[len(root)+1:], true
	}
	return name, false
}

// FirstComponent guesses the release root from a member's path.
func FirstComponent(name string, isDir bool) string {
	if i := strings.IndexByte(name, '/'); i > 0 {
		return name[:i]
	}
	if isDir && name != "." && name != "" {
		return name
	}
	return ""
}

// ArchiveOptions are the archive walk options for a tree of idx's size:
// past hugeTreeFiles files the xz decoder gets the smaller block budget.
func ArchiveOptions(idx *Index, limits archive.Limits, keep int64) archive.Options {
	o := archive.Options{KeepBytes: keep, Limits: limits}
	if idx.Len() > hugeTreeFiles {
		o.BlockMemory = hugeTreeBlockMemory
	}
	return o
}

// Run streams the archive at tarball once, comparing each member with idx.
// If the root guessed from the first member turns out wrong (no single
// top-level directory), the archive is read again. Errors are the archive's
// (archive.ErrCorrupt, archive.ErrLimit, ...) or ctx's.
func Run(ctx context.Context, tarball string, idx *Index, o Options) (*Result, error) {
	if o.KeepBytes <= 0 {
		o.KeepBytes = defaultKeepBytes
	}
	opened := o.Opened
	o.Opened = nil
	if opened != nil {
		defer opened.Close()
	}
	r := &Result{Index: idx, tarball: tarball, opts: o}
	res, err := r.walk(ctx, opened, "", false)
	if err == nil {
		actual := ""
		if res.HasRoot {
			actual = res.Root
		}
		if actual != r.Root {
			if o.Logf != nil {
				o.Logf("archive root is %q, not %q as its first member suggested; reading it again", actual, r.Root)
			}
			res, err = r.walk(ctx, nil, actual, true)
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	r.Archive = res
	r.count()
	return r, nil
}

// walk is one pass over the archive, of opened when not nil. With
// rootKnown, root is the release root; otherwise it is guessed from the
// first member.
func (r *Result) walk(ctx context.Context, opened *archive.File, root string, rootKnown bool) (*archive.Result, error) {
	r.Members = make(map[string]*Member, 1024)
	r.Binary = map[string]string{}
	r.identical = 0
	r.Index.Each(func(g *GitFile) { g.Seen, g.Identical = false, false })
	r.Root = root
	var kept int64
	aopts := ArchiveOptions(r.Index, r.opts.Limits, r.opts.KeepBytes)
	aopts.ObjectFormat = r.opts.ObjectFormat
	// A member the tag lacks is kept whatever its bytes (member): read it
	// into a buffer of its own rather than copy it from the walk's.
	aopts.Owned = func(name string) bool { return r.Index.Get(MemberKey(r.Root, name)) == nil }
	if pr := r.opts.Progress; pr != nil {
		pr.Start("archive", r.opts.Size)
		defer pr.Done()
		aopts.Progress = progressAdder(pr)
	}
	if opened == nil {
		a, err := archive.OpenFile(r.tarball, aopts)
		if err != nil {
			return &archive.Result{}, err
		}
		defer a.Close()
		opened = a
	}
	return opened.Walk(ctx, aopts, func(e *archive.Entry) error {
		if e.Type == archive.TypeDir || e.Type == archive.TypeOther {
			if !rootKnown {
				r.Root, rootKnown = FirstComponent(e.Path, e.Type == archive.TypeDir), true
			}
			return nil
		}
		if !rootKnown {
			r.Root, rootKnown = FirstComponent(e.Path, false), true
		}
		kept += r.member(e, &kept)
		return nil
	})
}

// member records one archive entry and returns the bytes of content it
// kept beyond what *kept already counts (negative when it dropped some).
func (r *Result) member(e *archive.Entry, kept *int64) int64 {
	rel := MemberKey(r.Root, e.Path)
	if e.Content != nil && e.Type != archive.TypeSymlink {
		if kind := BinaryKind(e.Content); kind != "" {
			r.Binary[rel] = kind
		}
	}
	g := r.Index.Get(rel)
	t := r.Members[rel]
	if t == nil && g != nil && !g.Seen && g.ID == e.BlobID && g.Mode == e.GitMode && !strings.HasPrefix(rel, strayPrefix) {
		g.Seen, g.Identical = true, true // identical: nothing kept
		r.identical++
		return 0
	}
	if g != nil && g.Identical {
		// A duplicate of a member counted identical: the last one wins.
		g.Identical = false
		r.identical--
	}
	var delta int64
	if t == nil {
		t = &Member{Stray: strings.HasPrefix(rel, strayPrefix)}
		r.Members[rel] = t
	} else if t.Content != nil {
		delta -= int64(len(t.Content))
		t.Content = nil
	}
	t.Type, t.GitMode, t.ID, t.Size, t.Link = e.Type, e.GitMode, e.BlobID, e.Size, e.LinkTarget
	t.Status, t.Missing = "", false
	if g != nil && g.ID == t.ID && g.Mode == t.GitMode && !t.Stray {
		return delta // a duplicate that is identical after all; count counts it
	}
	// Differs (or only in the tarball): keep content for classification.
	if e.Content != nil {
		if *kept+delta+int64(len(e.Content)) <= maxKeptTotal {
			t.Content = e.Content
			if !e.Owned {
				t.Content = bytes.Clone(e.Content)
			}
			delta += int64(len(e.Content))
			if r.opts.Kept != nil && t.Type == archive.TypeRegular && !t.Stray {
				r.opts.Kept(rel, t.Content, t.GitMode, g != nil)
			}
		} else {
			t.Missing = true
		}
	}
	return delta
}

// progressAdder turns running totals into Progress.Add increments.
func progressAdder(pr Progress) func(done int64) {
	var last int64
	return func(done int64) {
		if done > last {
			pr.Add(done - last)
			last = done
		}
	}
}

// Member returns the tarball member at rel, including members identical
// to the tag (which Members does not hold), or nil.
func (r *Result) Member(rel string) *Member {
	if t := r.Members[rel]; t != nil {
		return t
	}
	if g := r.Index.Get(rel); g != nil && g.Identical {
		return &Member{ID: g.ID, GitMode: g.Mode, Type: archive.TypeRegular}
	}
	return nil
}

// count assigns a status to every member not already counted identical,
// and counts both sides.
func (r *Result) count() {
	s := &r.Summary
	s.GitFiles = r.Index.Len()
	s.TarballFiles = r.identical + len(r.Members)
	if r.Archive != nil && r.Archive.Entries > s.TarballFiles {
		// Duplicate members are entries too (counting rule: as tar lists them).
		s.TarballFiles = r.Archive.Entries
	}
	s.Identical = r.identical
	for rel, t := range r.Members {
		g := r.Index.Get(rel)
		if g == nil || t.Stray {
			t.Status = report.OnlyInTarball
			s.OnlyInTarball++
			continue
		}
		g.Seen = true
		tarLink := t.GitMode == archive.GitModeSymlink
		gitLink := g.Mode == 0o120000
		switch {
		case g.Mode == 0o160000 || tarLink != gitLink:
			t.Status = report.TypeDiffers
			s.TypeDiffers++
		case g.ID != t.ID:
			t.Status = report.ContentDiffers
			s.ContentDiffers++
		case g.Mode != t.GitMode:
			t.Status = report.ModeDiffers
			s.ModeDiffers++
		default:
			t.Status = ""
			s.Identical++
		}
	}
	r.Index.Each(func(g *GitFile) {
		if !g.Seen {
			s.OnlyInGit++
		}
	})
}

// Gather re-reads the archive for the contents of the given members that
// were not kept in the first pass, up to the kept-bytes budget (at least
// one member), and returns how many it found.
func (r *Result) Gather(ctx context.Context, rels []string) (int, error) {
	return r.gather(ctx, rels, r.opts.KeepBytes, maxKeptTotal, func(rel string, e *archive.Entry) bool {
		t := r.Members[rel]
		return t != nil && t.ID == e.BlobID && t.Content == nil
	}, func(rel string, content []byte) { r.Members[rel].Content = content })
}

// ErrStopRead, returned by Read's found, ends the pass there: Read then
// returns nil. The archive was verified whole by the first pass, so a
// re-read can stop once it has what it came for.
var ErrStopRead = errors.New("compare: stop reading")

// Read re-reads the archive for the regular members whose keys match,
// each up to keep bytes, and hands each one's content to found. It is how
// later steps (the rebuild) read release files without holding them.
func (r *Result) Read(ctx context.Context, keep int64, match func(key string, e *archive.Entry) bool, found func(key string, e *archive.Entry) error) error {
	aopts := ArchiveOptions(r.Index, r.opts.Limits, keep)
	aopts.ObjectFormat = r.opts.ObjectFormat
	_, err := archive.WalkFile(ctx, r.tarball, aopts, func(e *archive.Entry) error {
		key := MemberKey(r.Root, e.Path)
		if !match(key, e) {
			return nil
		}
		return found(key, e)
	})
	if errors.Is(err, ErrStopRead) {
		return nil
	}
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

func (r *Result) gather(ctx context.Context, rels []string, keep, budget int64, want func(string, *archive.Entry) bool, store func(string, []byte)) (int, error) {
	wanted := make(map[string]bool, len(rels))
	for _, rel := range rels {
		wanted[rel] = true
	}
	var kept int64
	got := 0
	err := r.Read(ctx, keep, func(key string, e *archive.Entry) bool {
		return e.Content != nil && wanted[key] && want(key, e)
	}, func(key string, e *archive.Entry) error {
		if got > 0 && kept+int64(len(e.Content)) > budget {
			return nil
		}
		store(key, bytes.Clone(e.Content))
		kept += int64(len(e.Content))
		got++
		if got == len(wanted) {
			return ErrStopRead // a stored member is never wanted again
		}
		return nil
	})
	return got, err
}

// BinaryKind reports whether content looks like binary data (NUL bytes or
// a known magic number) and names the kind.
func BinaryKind(content []byte) string {
	if len(content) == 0 {
		return ""
	}
	head := content
	if len(head) > 8000 {
		head = head[:8000]
	}
	if bytes.IndexByte(head, 0) < 0 && !hasMagic(head) {
		return ""
	}
	if ok, kind := autotools.IsBinary(content); ok {
		if kind == "" {
			kind = "binary"
		}
		return kind
	}
	return ""
}

func hasMagic(b []byte) bool {
	for _, m := range [][]byte{{0xfd, '7', 'z', 'X', 'Z', 0}, {0x1f, 0x8b}, {'B', 'Z', 'h'}, {0x28, 0xb5, 0x2f, 0xfd}, {0x5d, 0, 0}, {0x7f, 'E', 'L', 'F'}, {'P', 'K', 3, 4}, {'7', 'z', 0xbc, 0xaf}} {
		if bytes.HasPrefix(b, m) {
			return true
		}
	}
	return false
}

// KeepBytes is the largest member content the comparison kept.
func (r *Result) KeepBytes() int64 { return r.opts.KeepBytes }
