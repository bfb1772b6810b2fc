package archive

import (
	"crypto/sha1"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tarcheck/tarcheck/internal/limits"
)

// maxHazardsPerKind caps how many hazards of one kind are listed; the rest
// are summarised in one extra hazard of that kind.
const maxHazardsPerKind = limits.ArchiveMaxHazardsPerKind

// hashBufSize is the reused buffer for streaming large members.
const hashBufSize = 256 << 10

type pendingLink struct {
	path, target string
	hard         bool
}

// walker holds the state shared by the tar and zip walks: the reused
// entry, hashing buffers, and the hazard and root bookkeeping.
type walker struct {
	lim   Limits
	keep  int64
	owned func(string) bool // Options.Owned
	fn    func(*Entry) error
	res   *Result
	entry Entry

	h      hash.Hash
	sha256 bool
	// full maps the 20-byte BlobID prefix of every hashed member to its
	// SHA-256 id, for hard links (sha256 object format only).
	full    map[[20]byte][32]byte
	buf     []byte
	keepBuf []byte
	hdr     []byte

	members      int
	contentBytes int64
	holes        int64       // sparse hole bytes expanded so far
	guard        sparseGuard // reused for every tar member
	// streamCheck applies MaxUnpackedBytes and MaxRatio to the
	// decompressed stream plus the given hole bytes (nil for zip).
	streamCheck func(holes int64) error

	index    *memberIndex
	symlinks map[string]struct{}
	links    []pendingLink
	// lossy are the members whose ustar name is Go's lossy ASCII copy of
	// their pax path (goUstarName), for finish.
	lossy []lossyName

	tops     map[string]int
	topOrder []string
	topFile  map[string]bool
	perKind  map[string]int
	dropKind map[string]int
}

func newWalker(opts Options, res *Result, fn func(*Entry) error) *walker {
	keep := opts.KeepBytes
	if keep == 0 {
		keep = DefaultKeepBytes
	}
	h := sha1.New()
	var full map[[20]byte][32]byte
	if opts.ObjectFormat == "sha256" {
		h, full = sha256.New(), make(map[[20]byte][32]byte)
	}
	return &walker{
		sha256:   full != nil,
		full:     full,
		lim:      opts.Limits.withDefaults(),
		keep:     keep,
		owned:    opts.Owned,
		fn:       fn,
		res:      res,
		h:        h,
		buf:      make([]byte, hashBufSize),
		hdr:      make([]byte, 0, 32),
		index:    newMemberIndex(),
		symlinks: make(map[string]struct{}),
		tops:     make(map[string]int),
		topFile:  make(map[string]bool),
		perKind:  make(map[string]int),
		dropKind: make(map[string]int),
	}
}

func (w *walker) hazard(kind, p, detail string) {
	if w.perKind[kind] >= maxHazardsPerKind {
		w.dropKind[kind]++
		return
	}
	w.perKind[kind]++
	w.res.Hazards = append(w.res.Hazards, Hazard{Kind: kind, Path: p, Detail: detail})
}

// begin checks the member limits on a raw name and returns the cleaned
// path.
func (w *walker) begin(raw string) (string, error) {
	w.members++
	if w.members > w.lim.MaxEntries {
		return "", fmt.Errorf("%w: more than %d members", ErrLimit, w.lim.MaxEntries)
	}
	if len(raw) > w.lim.MaxPathLen {
		return "", fmt.Errorf("%w: member name of %d bytes (max %d)", ErrLimit, len(raw), w.lim.MaxPathLen)
	}
	if d := strings.Count(raw, "/") + 1; d > w.lim.MaxPathDepth {
		return "", fmt.Errorf("%w: member name with %d components (max %d)", ErrLimit, d, w.lim.MaxPathDepth)
	}
	return cleanPath(raw), nil
}

// cleanPath turns a stored name into Entry.Path.
func cleanPath(raw string) string {
	if raw == "" {
		return "."
	}
	return path.Clean(raw)
}

// checkSize applies the per-member and total content limits.
func (w *walker) checkSize(size int64) error {
	if size < 0 {
		return fmt.Errorf("%w: negative member size", ErrCorrupt)
	}
	if size > w.lim.MaxEntrySize {
		return fmt.Errorf("%w: member of %d bytes (max %d)", ErrLimit, size, w.lim.MaxEntrySize)
	}
	w.contentBytes += size
	if w.contentBytes > w.lim.MaxUnpackedBytes {
		return fmt.Errorf("%w: members total more than %d bytes", ErrLimit, w.lim.MaxUnpackedBytes)
	}
	return nil
}

// chargeHoles counts n more bytes of sparse holes against
// MaxSparseExpansion, and with the decompressed stream against
// MaxUnpackedBytes and MaxRatio.
func (w *walker) chargeHoles(n int64) error {
	w.holes += n
	if w.holes > w.lim.MaxSparseExpansion {
		return fmt.Errorf("%w: sparse members expand more than %d bytes of holes", ErrLimit, w.lim.MaxSparseExpansion)
	}
	if w.streamCheck != nil {
		return w.streamCheck(w.holes)
	}
	return nil
}

// hashContent reads exactly size bytes of r into the blob id (and
// Content when small enough).
func (w *walker) hashContent(e *Entry, r io.Reader, size int64) error {
	w.h.Reset()
	w.hdr = append(w.hdr[:0], "blob "...)
	w.hdr = strconv.AppendInt(w.hdr, size, 10)
	w.hdr = append(w.hdr, 0)
	w.h.Write(w.hdr)
	e.Owned = false
	if size <= w.keep && w.owned != nil && w.owned(e.Path) {
		b := make([]byte, size)
		if _, err := io.ReadFull(r, b); err != nil {
			return truncated(err)
		}
		w.h.Write(b)
		e.Content, e.Owned = b, true
	} else if size <= w.keep {
		if int64(cap(w.keepBuf)) < size {
			w.keepBuf = make([]byte, size, min(w.keep, max(size, 2*int64(cap(w.keepBuf)), 64<<10)))
		}
		b := w.keepBuf[:size]
		if _, err := io.ReadFull(r, b); err != nil {
			return truncated(err)
		}
		w.h.Write(b)
		e.Content = b
	} else {
		for left := size; left > 0; {
			b := w.buf[:min(int64(len(w.buf)), left)]
			if _, err := io.ReadFull(r, b); err != nil {
				return truncated(err)
			}
			w.h.Write(b)
			left -= int64(len(b))
		}
	}
	w.sum(e)
	return nil
}

// sum stores the finished hash in e.BlobID (and e.BlobID256).
func (w *walker) sum(e *Entry) {
	if !w.sha256 {
		w.h.Sum(e.BlobID[:0])
		return
	}
	w.h.Sum(e.BlobID256[:0])
	copy(e.BlobID[:], e.BlobID256[:20])
	w.full[e.BlobID] = e.BlobID256
}

// blobOf sets e.BlobID from in-memory content (symlink targets).
func (w *walker) blobOf(e *Entry, content []byte) {
	w.h.Reset()
	w.hdr = append(w.hdr[:0], "blob "...)
	w.hdr = strconv.AppendInt(w.hdr, int64(len(content)), 10)
	w.hdr = append(w.hdr, 0)
	w.h.Write(w.hdr)
	w.h.Write(content)
	w.sum(e)
}

func truncated(err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return corrupt(err)
}

func gitModeOf(mode int64) uint32 {
	if mode&0o111 != 0 {
		return GitModeExec
	}
	return GitModeFile
}

// record runs the per-member hazard and root bookkeeping and hands the
// entry to the callback.
func (w *walker) record(e *Entry) error {
	p := e.Path
	w.pathHazards(e)

	// Duplicates and case/normalisation collisions.
	x := w.index
	i := x.lookup(p)
	if i != noRec {
		if prev := x.typ(i); !(prev == TypeDir && e.Type == TypeDir) {
			w.hazard(HazardDuplicate, p, fmt.Sprintf("%s %q occurs again (earlier as %s); extraction keeps the last", e.Type, p, prev))
		}
	} else {
		if x.nameBytes()+int64(len(p)) > w.lim.MaxNameBytes {
			return fmt.Errorf("%w: member names total more than %d bytes", ErrLimit, w.lim.MaxNameBytes)
		}
		i = x.add(p, e.Type)
		if j := x.foldedOwner(p, i); j != noRec {
			w.hazard(HazardCaseCollision, p, fmt.Sprintf("%q and %q are the same name on a case-insensitive or normalising file system", x.pathString(j), p))
		}
	}

	// A member below an earlier symlink would be written through it.
	if len(w.symlinks) > 0 {
		for i := 0; i < len(p); i++ {
			if p[i] == '/' && i > 0 {
				if _, ok := w.symlinks[p[:i]]; ok {
					w.hazard(HazardParentSymlink, p, fmt.Sprintf("parent %q is a symlink", p[:i]))
					break
				}
			}
		}
	}

	// Special bits: setgid on directories is ordinary group inheritance.
	special := e.Mode & 0o7000
	if e.Type == TypeDir {
		special &^= 0o2000
	}
	if special != 0 {
		w.hazard(HazardSetuid, p, fmt.Sprintf("mode %04o has setuid/setgid/sticky bits", e.Mode&0o7777))
	}

	switch e.Type {
	case TypeRegular:
		x.setFile(i, e.BlobID, e.Size)
		w.res.Entries++
	case TypeSymlink:
		w.symlinks[p] = struct{}{}
		x.setFile(i, e.BlobID, e.Size)
		w.links = append(w.links, pendingLink{path: p, target: e.LinkTarget})
		w.res.Entries++
	case TypeHardlink:
		w.links = append(w.links, pendingLink{path: p, target: e.LinkTarget, hard: true})
		w.res.Entries++
	}
	if e.Type == TypeSymlink || e.Type == TypeHardlink {
		if hasControl(e.LinkTarget) {
			w.hazard(HazardControlChars, p, fmt.Sprintf("link target %q has control or bidi characters", e.LinkTarget))
		}
	}

	w.trackRoot(p, e.Type == TypeDir)
	return w.fn(e)
}

// pathHazards records absolute, traversal and control-character names.
func (w *walker) pathHazards(e *Entry) {
	raw := e.RawName
	if strings.HasPrefix(raw, "/") {
		w.hazard(HazardAbsolutePath, e.Path, fmt.Sprintf("absolute member name %q", raw))
	}
	for part := range strings.SplitSeq(raw, "/") {
		if part == ".." {
			w.hazard(HazardTraversal, e.Path, fmt.Sprintf("member name %q contains \"..\"", raw))
			break
		}
	}
	if hasControl(raw) {
		w.hazard(HazardControlChars, e.Path, fmt.Sprintf("member name %q has control or bidi characters", raw))
	}
}

// resolveHardlink fills a hard link entry from the member it names.
func (w *walker) resolveHardlink(e *Entry) {
	t := cleanPath(e.LinkTarget)
	if i := w.index.lookup(t); i != noRec {
		if blob, size, ok := w.index.file(i); ok {
			e.BlobID, e.Size = blob, size
			if w.sha256 {
				e.BlobID256 = w.full[blob]
			}
			return
		}
	}
	w.hazard(HazardBrokenHardlink, e.Path, fmt.Sprintf("hard link to %q, which is not an earlier file in the archive", e.LinkTarget))
}

func (w *walker) trackRoot(p string, isDir bool) {
	if p == "." {
		return
	}
	top, _, deeper := strings.Cut(p, "/")
	if strings.HasPrefix(p, "/") {
		top, deeper = "/", true
	}
	if _, ok := w.tops[top]; !ok {
		w.topOrder = append(w.topOrder, top)
	}
	w.tops[top]++
	if !deeper && !isDir {
		w.topFile[top] = true
	}
}

// canBeRoot reports whether a top-level name is a directory that may be
// the release root: not a file, not "/" (absolute names) or "..".
func (w *walker) canBeRoot(top string) bool {
	return !w.topFile[top] && top != "/" && top != ".."
}

// looksLikeRelease reports a name-version directory name: a "-" or "_"
// followed by a digit, optionally after a "v" ("xz-5.6.1", "foo_1.0",
// "bar-v2.3").
func looksLikeRelease(name string) bool {
	for i := 0; i+1 < len(name); i++ {
		if name[i] != '-' && name[i] != '_' {
			continue
		}
		next := name[i+1]
		if next == 'v' || next == 'V' {
			if i+2 < len(name) {
				next = name[i+2]
			}
		}
		if next >= '0' && next <= '9' {
			return true
		}
	}
	return false
}

// findRoot sets Result.Root and records HazardMultipleRoots (see the
// package documentation for the rule).
func (w *walker) findRoot() {
	if len(w.tops) == 1 {
		top := w.topOrder[0]
		if w.canBeRoot(top) {
			w.res.Root, w.res.HasRoot = top, true
		}
		return
	}
	if len(w.tops) == 0 {
		return
	}
	total, best, bestN, secondN, anyTopFile := 0, "", 0, 0, false
	for _, top := range w.topOrder {
		n := w.tops[top]
		total += n
		if w.topFile[top] {
			anyTopFile = true
		}
		switch {
		case n > bestN:
			secondN = bestN
			best, bestN = top, n
		case n > secondN:
			secondN = n
		}
	}
	if bestN == secondN || !w.canBeRoot(best) {
		return // no dominant directory: rootless
	}
	if !looksLikeRelease(best) && (anyTopFile || 2*bestN <= total) {
		return // a rootless archive with subdirectories
	}
	w.res.Root, w.res.HasRoot = best, true
	for _, top := range w.topOrder {
		if top != best {
			w.hazard(HazardMultipleRoots, top, fmt.Sprintf("%d member(s) under top-level %q outside the release directory %q", w.tops[top], top, best))
		}
	}
}

// lossyName is a member whose ustar name, the one tools that ignore pax
// records extract it under, is shown; path is its real (pax) path.
type lossyName struct{ shown, path, name string }

// finish computes the root and the hazards that need the whole archive.
func (w *walker) finish() {
	w.findRoot()
	for _, l := range w.lossy {
		// A lossy ustar name that is another member's path: a tool that
		// ignores pax records writes this member over that one.
		if l.shown != l.path && w.index.lookup(l.shown) != noRec {
			w.hazard(HazardLongNameOverride, l.path, fmt.Sprintf("extended header name %q replaces the header name %q, which is another member's name", l.name, l.shown))
		}
	}
	for _, l := range w.links {
		var resolved string
		if l.hard {
			resolved = cleanPath(l.target)
		} else if strings.HasPrefix(l.target, "/") {
			resolved = l.target
		} else {
			resolved = path.Join(path.Dir(l.path), l.target)
		}
		escapes := strings.HasPrefix(resolved, "/") || resolved == ".." || strings.HasPrefix(resolved, "../")
		if !escapes && w.res.HasRoot {
			escapes = resolved != w.res.Root && !strings.HasPrefix(resolved, w.res.Root+"/")
		}
		if escapes {
			kind := "symlink"
			if l.hard {
				kind = "hard link"
			}
			w.hazard(HazardLinkEscape, l.path, fmt.Sprintf("%s to %q leaves the release tree", kind, l.target))
		}
	}
	for kind, n := range w.dropKind {
		w.res.Hazards = append(w.res.Hazards, Hazard{Kind: kind, Detail: fmt.Sprintf("%d more %s hazards not listed", n, kind)})
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// hasControl reports C0/C1 control characters, DEL and Unicode bidi
// controls, which can disguise a name on a terminal.
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f {
			return true
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if (r >= 0x80 && r <= 0x9f && size > 1) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c {
				return true
			}
			i += size - 1
		}
	}
	return false
}
