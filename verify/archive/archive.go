// Package archive reads release archives (tar, tar.gz, tar.xz, tar.bz2,
// tar.zst and zip) as a stream, without ever writing to disk.
//
// For every member it reports the cleaned path, the type, the mode as git
// would record it and the git blob id of the content, computed while the
// archive streams past. It detects the single top-level directory and
// records archive hazards (traversal, absolute paths, duplicates, links that
// leave the tree, devices, setuid bits, ...) without acting on them: nothing
// is ever extracted, so the hazards are findings for the caller to report.
//
// Decompression runs on its own goroutine(s), separate from tar parsing and
// hashing. Multi-block .xz files (as made by "xz -T0") read through WalkFile
// are decoded block-parallel, single-block ones by the same block decoder
// on its own goroutine; everything else is decoded sequentially.
//
// Untrusted sizes are capped by [Limits]; exceeding one yields an error
// wrapping [ErrLimit]. Malformed input yields an error wrapping
// [ErrCorrupt]. Both mean "unreadable input" to the CLI (exit 2).
//
// Decisions worth knowing:
//   - Directories are emitted (TypeDir) but not counted in Result.Entries;
//     neither are TypeOther members. Global pax headers (git archive's
//     commit comment) and GNU volume labels are skipped silently.
//   - Root. When every member lives under one top-level directory, that
//     directory is Root (HasRoot true). When there are several top-level
//     names, the directory holding the most members (strictly more than
//     any other top-level name) is Root if its name looks like a release
//     directory (name-version: a "-" or "_" followed by a digit, as
//     "xz-5.6.1"), or if it holds more than half of all members and no
//     regular file, link or device sits at the top level. Every other
//     top-level name then gets one HazardMultipleRoots (Path is the
//     top-level name, Detail gives the number of members under it).
//     Otherwise the archive is rootless (Root "", HasRoot false, no
//     hazard): all members at the top level, several directories of which
//     none dominates, or top-level files beside subdirectories (a
//     "git archive" without --prefix). Member counts include directory
//     entries. A top-level name that is also a file, "/" (absolute names)
//     and ".." are never Root. Entry.Path is never stripped: with HasRoot,
//     members outside Root+"/" are exactly the stray ones.
//   - Tar end: the stream must end with the end-of-archive marker (two
//     zero blocks) right after the last member, as GNU tar, bsdtar, git
//     archive, Python tarfile and Go archive/tar all write it. A stream
//     that stops at a member boundary without it is ErrCorrupt "missing
//     end-of-archive marker (truncated?)"; one that stops inside a header,
//     an extended header, member data or its padding is ErrCorrupt "tar:
//     truncated". (archive/tar alone reports several of these as a clean
//     end.)
//   - Sparse tar members (GNU old and pax formats) are recorded as
//     HazardSparse: release tarballs never need them. The holes they
//     expand count against Limits.MaxSparseExpansion (small by default),
//     MaxUnpackedBytes and MaxRatio, so a few hundred bytes cannot make
//     the walk hash gigabytes of zeros.
//   - setgid on a directory is group inheritance, not a hazard; setuid,
//     setgid and sticky on anything else, and setuid/sticky on directories,
//     are.
//   - A pax or GNU long name is flagged (HazardLongNameOverride) when the
//     ustar header's own name is neither a prefix of it nor the same path:
//     legitimate writers (GNU tar, bsdtar, Go) store a truncation. Go's
//     archive/tar stores a non-ASCII name's ASCII characters only; that
//     exact lossy copy is accepted unless it is another member's name or
//     leaves the root (a tool ignoring pax records would write there).
//   - After the tar end-of-archive marker the decompressed stream is read to
//     its end, so the compression layer's final checks are verified;
//     non-zero bytes there raise HazardTrailingData.
//   - xz: only the LZMA2 filter is supported (as in every release tarball);
//     dictionaries above Limits.MaxDictSize are refused with ErrLimit.
//     WalkFile decodes single-stream multi-block files (xz -T0) with
//     Options.Workers goroutines, at most Workers+1 blocks of at most
//     64 MiB in memory, within Options.BlockMemory; a block larger than
//     that (any number of them) is decoded alone through a window of its
//     dictionary plus 4 MiB. Everything else (several streams, stream
//     padding, input that cannot seek) is decoded sequentially.
//   - zip: each local header is compared with its central directory
//     record (HazardZipMismatch); CRC-32s are verified.
package archive

import (
	"errors"
	"fmt"
	"time"

	"github.com/tarcheck/tarcheck/internal/limits"
	"github.com/tarcheck/tarcheck/internal/pathidx"
)

// Format is the container and compression of an archive, detected from its
// content (magic bytes), never from its file name.
type Format string

// The formats Detect recognises.
const (
	FormatTar    Format = "tar"
	FormatTarGz  Format = "tar.gz"
	FormatTarXz  Format = "tar.xz"
	FormatTarBz2 Format = "tar.bz2"
	FormatTarZst Format = "tar.zst"
	FormatZip    Format = "zip"
)

// EntryType is the kind of an archive member.
type EntryType int

// Entry types. TypeOther covers device nodes, FIFOs and unknown tar type
// flags; those always come with a HazardDevice.
const (
	TypeRegular EntryType = iota
	TypeSymlink
	TypeHardlink
	TypeDir
	TypeOther
)

// String returns a short lowercase name of the type.
func (t EntryType) String() string {
	switch t {
	case TypeRegular:
		return "file"
	case TypeSymlink:
		return "symlink"
	case TypeHardlink:
		return "hardlink"
	case TypeDir:
		return "dir"
	default:
		return "other"
	}
}

// Git file modes as recorded in tree objects.
const (
	GitModeFile    uint32 = 0o100644
	GitModeExec    uint32 = 0o100755
	GitModeSymlink uint32 = 0o120000
)

// Entry is one archive member as seen during the walk.
//
// Directories are emitted too (Type == TypeDir, BlobID zero) but do not count
// as entries in Result.Entries. The Entry value and its Content are reused:
// they are valid only during the callback; copy what you keep.
type Entry struct {
	// Path is the cleaned slash path as in the archive: not root-stripped
	// (the caller strips Result.Root), no leading "./", no trailing "/".
	// It may start with "/" or "../" (see the hazards); it may be "." for
	// a "./" directory entry.
	Path string
	// RawName is the name exactly as stored, after pax/GNU long-name
	// resolution. It may hold any bytes, including invalid UTF-8 and
	// control characters: escape it before printing.
	RawName string
	// Type is the member kind.
	Type EntryType
	// Mode holds the permission bits from the header, including setuid,
	// setgid and sticky (0o7777).
	Mode int64
	// GitMode is 0o100644 or 0o100755 (any execute bit) for regular files
	// and hard links, 0o120000 for symlinks and 0 for directories and
	// TypeOther.
	GitMode uint32
	// Size is the content size; for symlinks the target length; for hard
	// links the size of the file linked to (0 if it was not found).
	Size int64
	// BlobID is the git blob id sha1("blob <size>\x00" + content). For a
	// symlink it is computed over the target; for a hard link it is the
	// blob id of the earlier member it links to (zero if there is none,
	// which is also recorded as a hazard).
	//
	// With Options.ObjectFormat "sha256", BlobID holds the first 20 bytes
	// of the SHA-256 blob id (enough to compare with ids read from the same
	// repository) and BlobID256 the whole id.
	BlobID [20]byte
	// BlobID256 is the git blob id in a SHA-256 repository,
	// sha256("blob <size>\x00" + content), set only when
	// Options.ObjectFormat is "sha256" (zero otherwise).
	BlobID256 [32]byte
	// LinkTarget is the symlink target or hard link name as stored.
	LinkTarget string
	// Content is the full content when Size <= Options.KeepBytes (for a
	// symlink, the target), else nil. It is nil for hard links and
	// directories. Valid only during the callback, unless Owned.
	Content []byte
	// Owned is true when Content is a buffer of its own that the callback
	// may keep (Options.Owned).
	Owned bool
}

// Hazard kinds. A hazard is recorded, never acted upon.
const (
	HazardAbsolutePath     = "absolute-path"       // member name starts with "/"
	HazardTraversal        = "path-traversal"      // member name climbs out with ".."
	HazardDuplicate        = "duplicate-path"      // a path occurs more than once; the last one wins on extraction
	HazardLinkEscape       = "link-escape"         // a symlink or hard link points outside the release tree
	HazardBrokenHardlink   = "broken-hardlink"     // a hard link names no earlier regular member
	HazardParentSymlink    = "parent-symlink"      // a member lives below a path that is a symlink in the archive
	HazardDevice           = "device"              // device node, FIFO or unknown member type
	HazardSetuid           = "setuid"              // setuid, setgid or sticky bit set
	HazardMultipleRoots    = "multiple-roots"      // stray top-level names beside a dominant release directory
	HazardControlChars     = "control-chars"       // control characters or bidi overrides in a name or link target
	HazardCaseCollision    = "case-collision"      // two paths equal under case folding or Unicode NFC
	HazardZipMismatch      = "zip-header-mismatch" // a zip local header disagrees with the central directory
	HazardLongNameOverride = "long-name-override"  // a pax/GNU long name replaces an unrelated ustar name
	HazardTrailingData     = "trailing-data"       // non-zero bytes after the tar end-of-archive marker (ignored by extractors)
	HazardSparse           = "sparse-member"       // a sparse tar member: holes expand to zeros without data in the archive
)

// Hazard is one suspicious property of the archive.
type Hazard struct {
	// Kind is one of the Hazard* constants.
	Kind string
	// Path is the member's cleaned path (as Entry.Path); untrusted bytes.
	Path string
	// Detail is a short human explanation; it may embed untrusted names.
	Detail string
}

// Errors. The CLI maps ErrCorrupt, ErrLimit and ErrNeedFile to exit code 2.
var (
	// ErrCorrupt marks malformed or truncated input of any layer.
	ErrCorrupt = errors.New("corrupt archive")
	// ErrLimit marks input that exceeds one of the Limits.
	ErrLimit = errors.New("archive limit exceeded")
	// ErrUnknownFormat is returned by Detect for unrecognised content. It
	// wraps ErrCorrupt.
	ErrUnknownFormat = fmt.Errorf("%w: unknown archive format", ErrCorrupt)
	// ErrNeedFile is returned by Walk for zip input, which needs random
	// access: use WalkFile.
	ErrNeedFile = errors.New("zip archives need random access (a local file)")
)

// corrupt wraps err as ErrCorrupt unless it already carries a sentinel.
func corrupt(err error) error {
	if err == nil || errors.Is(err, ErrCorrupt) || errors.Is(err, ErrLimit) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrCorrupt, err)
}

// Default limits. They are generous: a Linux kernel release (1.3 GiB
// unpacked, 80k files) is far below every one.
const (
	DefaultMaxUnpackedBytes = limits.ArchiveMaxUnpackedBytes // 64 GiB decompressed in total
	DefaultMaxEntrySize     = limits.ArchiveMaxEntrySize     // 16 GiB for one member
	DefaultMaxEntries       = limits.ArchiveMaxEntries       // 2,097,152 members (dirs included)
	DefaultMaxPathLen       = limits.ArchiveMaxPathLen       // bytes in a member name (PATH_MAX)
	DefaultMaxPathDepth     = limits.ArchiveMaxPathDepth     // components in a member name
	DefaultMaxNameBytes     = limits.ArchiveMaxNameBytes     // bytes of distinct member names in total
	maxNameBytesCap         = pathidx.MaxArena / 2
	DefaultMaxRatio         = limits.ArchiveMaxRatio     // unpacked/compressed, checked past RatioGrace
	DefaultMaxPaxHeader     = limits.ArchiveMaxPaxHeader // bytes of pax/GNU extended headers per member
	DefaultMaxDictSize      = limits.ArchiveMaxDictSize  // xz dictionary / zstd window
	DefaultKeepBytes        = limits.ArchiveKeepBytes    // Entry.Content kept up to 1 MiB

	// DefaultMaxSparseExpansion caps the bytes of sparse holes (zeros
	// with no data in the archive) all members may expand to. Release
	// tarballs have no sparse members at all.
	DefaultMaxSparseExpansion = limits.ArchiveMaxSparseExpansion

	// RatioGrace is the number of unpacked bytes below which the
	// compression ratio is not checked: small archives of zeros are
	// legitimately extreme.
	RatioGrace = limits.ArchiveRatioGrace
)

// Limits caps what untrusted input may make the reader do. A zero or
// negative field (or a NaN MaxRatio) means "use the default"; use a huge
// value (math.MaxInt64, math.Inf(1)) to effectively disable a cap.
//
// The CLI exposes the ones a user may need to raise for a huge release:
// --max-unpacked (MaxUnpackedBytes, bytes), --max-ratio (MaxRatio) and
// --max-entries (MaxEntries); a flag left at its zero value keeps the
// default.
type Limits struct {
	// MaxUnpackedBytes caps the decompressed stream plus the sparse holes
	// expanded and, separately, the sum of member sizes.
	MaxUnpackedBytes int64
	// MaxEntrySize caps one member's size.
	MaxEntrySize int64
	// MaxEntries caps the number of members, directories included.
	MaxEntries int
	// MaxPathLen caps a member name in bytes.
	MaxPathLen int
	// MaxPathDepth caps the number of components of a member name.
	MaxPathDepth int
	// MaxNameBytes caps the total bytes of the distinct member names,
	// which the walk remembers (duplicates, collisions, hard links).
	MaxNameBytes int64
	// MaxRatio caps unpacked/compressed bytes (sparse holes included)
	// once RatioGrace bytes are unpacked.
	MaxRatio float64
	// MaxPaxHeader caps the extended (pax, GNU long name) header bytes in
	// front of one member.
	MaxPaxHeader int64
	// MaxDictSize caps the xz LZMA2 dictionary and the zstd window the
	// input may ask for (memory).
	MaxDictSize int64
	// MaxSparseExpansion caps the total bytes of holes that sparse tar
	// members may expand to.
	MaxSparseExpansion int64
}

// DefaultLimits returns the default caps (see the Default* constants).
func DefaultLimits() Limits {
	return Limits{
		MaxUnpackedBytes:   DefaultMaxUnpackedBytes,
		MaxEntrySize:       DefaultMaxEntrySize,
		MaxEntries:         DefaultMaxEntries,
		MaxPathLen:         DefaultMaxPathLen,
		MaxPathDepth:       DefaultMaxPathDepth,
		MaxNameBytes:       DefaultMaxNameBytes,
		MaxRatio:           DefaultMaxRatio,
		MaxPaxHeader:       DefaultMaxPaxHeader,
		MaxDictSize:        DefaultMaxDictSize,
		MaxSparseExpansion: DefaultMaxSparseExpansion,
	}
}

// withDefaults fills zero fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxUnpackedBytes <= 0 {
		l.MaxUnpackedBytes = d.MaxUnpackedBytes
	}
	if l.MaxEntrySize <= 0 {
		l.MaxEntrySize = d.MaxEntrySize
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = d.MaxEntries
	}
	if l.MaxPathLen <= 0 {
		l.MaxPathLen = d.MaxPathLen
	}
	if l.MaxPathDepth <= 0 {
		l.MaxPathDepth = d.MaxPathDepth
	}
	if l.MaxNameBytes <= 0 {
		l.MaxNameBytes = d.MaxNameBytes
	}
	l.MaxNameBytes = min(l.MaxNameBytes, maxNameBytesCap)
	if !(l.MaxRatio > 0) { // also NaN
		l.MaxRatio = d.MaxRatio
	}
	if l.MaxPaxHeader <= 0 {
		l.MaxPaxHeader = d.MaxPaxHeader
	}
	if l.MaxDictSize <= 0 {
		l.MaxDictSize = d.MaxDictSize
	}
	if l.MaxSparseExpansion <= 0 {
		l.MaxSparseExpansion = d.MaxSparseExpansion
	}
	return l
}

// Options configures a walk. The zero value is ready to use.
type Options struct {
	// Limits caps untrusted sizes; zero fields take the defaults.
	Limits Limits
	// KeepBytes is the largest member whose content is handed to the
	// callback in Entry.Content; 0 means DefaultKeepBytes, negative means
	// never.
	KeepBytes int64
	// Workers is the number of decoder goroutines for block-parallel xz
	// and zstd; 0 means GOMAXPROCS, 1 forces sequential decoding.
	Workers int
	// BlockMemory caps the xz block buffers of the parallel decoder
	// (0: DefaultBlockMemory): blocks are decoded as many at a time as
	// fit, and always at least one.
	BlockMemory int64
	// Progress, when set, is called with the number of archive
	// (compressed) bytes read so far: from a separate goroutine about
	// every ProgressInterval while the walk runs, and once more, from the
	// walking goroutine, just before Walk or WalkFile returns. Calls never
	// overlap, values only increase, none comes after the walk returned,
	// and after a successful WalkFile the last value is the file size.
	// It must return quickly. For zip the value is an estimate from the
	// member sizes.
	Progress func(compressedBytesRead int64)
	// Owned, when set, is asked before a regular member's content is read
	// (with the member's path as stored) whether the callback will keep
	// it; if so the content is read into a buffer of its own that the
	// callback may retain (Entry.Owned) rather than into the one reused
	// for every member, which it would have to copy.
	Owned func(path string) bool
	// ObjectFormat is the git object format blob ids are computed in:
	// "" or "sha1" (Entry.BlobID), or "sha256" (Entry.BlobID256, see
	// Entry.BlobID) for repositories with extensions.objectFormat=sha256.
	// Other values make Walk and WalkFile fail.
	ObjectFormat string
}

// checkObjectFormat validates Options.ObjectFormat.
func (o Options) checkObjectFormat() error {
	switch o.ObjectFormat {
	case "", "sha1", "sha256":
		return nil
	}
	return fmt.Errorf("archive: unknown git object format %q (want sha1 or sha256)", o.ObjectFormat)
}

// DefaultBlockMemory is the default Options.BlockMemory: two blocks of
// xz -T0 at its default level (24 MiB each).
const DefaultBlockMemory = xzParallelMemory

// ProgressInterval is how often Options.Progress is called during a walk.
const ProgressInterval = 100 * time.Millisecond

// Result summarises a completed walk.
type Result struct {
	// Format is the detected format.
	Format Format
	// Root is the release directory: the single top-level directory
	// every member lives under, or the dominant one when there are stray
	// top-level names (each stray name then has a HazardMultipleRoots);
	// "" if the archive is rootless (HasRoot false). See the package
	// documentation for the rule. Members outside Root+"/" are strays.
	Root string
	// HasRoot tells whether Root is set.
	HasRoot bool
	// Entries counts regular files, symlinks and hard links (not
	// directories or TypeOther), the DESIGN.md counting rule.
	Entries int
	// Hazards lists every hazard in archive order, link hazards last.
	Hazards []Hazard
	// CompressedBytes is the number of archive bytes read.
	CompressedBytes int64
	// UnpackedBytes is the number of decompressed bytes (the tar stream
	// plus expanded sparse holes, or the sum of zip member sizes).
	UnpackedBytes int64
	// GitCommit is the commit id that `git archive` embeds (40 or 64
	// lowercase hex digits): the "comment" record of a pax global header
	// that comes before every member of a tar, or the archive comment of
	// a zip. "" when there is none (tarballs made otherwise, or
	// `git archive` of a tree). It is only what the archive claims: the
	// caller must compare it with the tag's commit.
	GitCommit string
}
