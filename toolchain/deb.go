package toolchain

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/tarcheck/tarcheck/internal/limits"
	"github.com/tarcheck/tarcheck/verify/archive"
)

// Limits on the untrusted bytes of a .deb, checked while reading it.
const (
	// MaxDebSize caps a downloaded or given .deb file.
	MaxDebSize int64 = limits.ToolchainMaxDebSize
	// MaxUnpackedSize caps the bytes a .deb's data.tar may unpack to.
	MaxUnpackedSize int64 = limits.ToolchainMaxUnpackedSize
	// MaxDebEntries caps the members of a .deb's data.tar.
	MaxDebEntries = limits.ToolchainMaxDebEntries
	// maxArMembers caps the members of the ar container (a .deb has three).
	maxArMembers = limits.ToolchainMaxArMembers
)

// arMember is one member of an ar archive.
type arMember struct {
	Name   string
	Offset int64 // of the data, from the start of the file
	Size   int64
}

var arMagic = []byte("!<arch>\n")

// parseAr lists the members of a System V / GNU ar archive (the container
// of a .deb) read from r, whose total size is size. Member names are the
// plain 16-byte names ("debian-binary", "control.tar.xz", "data.tar.zst");
// GNU long names ("/123") and BSD "#1/" names are refused, since a .deb
// never uses them.
func parseAr(r io.ReaderAt, size int64) ([]arMember, error) {
	head := make([]byte, len(arMagic))
	if _, err := r.ReadAt(head, 0); err != nil || !bytes.Equal(head, arMagic) {
		return nil, fmt.Errorf("%w: not an ar archive (no !<arch> header)", ErrBadDeb)
	}
	var members []arMember
	off := int64(len(arMagic))
	hdr := make([]byte, 60)
	for off < size {
		if len(members) == maxArMembers {
			return nil, fmt.Errorf("%w: more than %d ar members", ErrBadDeb, maxArMembers)
		}
		if _, err := r.ReadAt(hdr, off); err != nil {
			return nil, fmt.Errorf("%w: truncated ar member header at offset %d", ErrBadDeb, off)
		}
		if hdr[58] != '`' || hdr[59] != '\n' {
			return nil, fmt.Errorf("%w: bad ar member header at offset %d", ErrBadDeb, off)
		}
		name := strings.TrimRight(string(hdr[0:16]), " ")
		name = strings.TrimSuffix(name, "/") // GNU ar ends names with "/"
		if name == "" || strings.ContainsAny(name, "/\x00") || strings.HasPrefix(name, "#1") {
			return nil, fmt.Errorf("%w: unsupported ar member name %q", ErrBadDeb, name)
		}
		n, err := strconv.ParseInt(strings.TrimRight(string(hdr[48:58]), " "), 10, 64)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%w: bad size of ar member %q", ErrBadDeb, name)
		}
		data := off + 60
		if n > size-data {
			return nil, fmt.Errorf("%w: ar member %q runs past the end of the file", ErrBadDeb, name)
		}
		members = append(members, arMember{Name: name, Offset: data, Size: n})
		off = data + n
		if n%2 == 1 {
			off++ // members are 2-byte aligned
		}
	}
	return members, nil
}

// dataMember checks the .deb layout (debian-binary "2.x" first, then
// control.tar*, then data.tar*) and returns the data.tar member.
func dataMember(r io.ReaderAt, members []arMember) (arMember, error) {
	if len(members) < 3 || members[0].Name != "debian-binary" {
		return arMember{}, fmt.Errorf("%w: the first ar member is not debian-binary", ErrBadDeb)
	}
	if members[0].Size > 64 {
		return arMember{}, fmt.Errorf("%w: debian-binary is %d bytes", ErrBadDeb, members[0].Size)
	}
	v := make([]byte, members[0].Size)
	if _, err := r.ReadAt(v, members[0].Offset); err != nil {
		return arMember{}, fmt.Errorf("%w: reading debian-binary: %v", ErrBadDeb, err)
	}
	if !bytes.HasPrefix(v, []byte("2.")) {
		return arMember{}, fmt.Errorf("%w: unsupported .deb format version %q", ErrBadDeb, bytes.TrimSpace(v))
	}
	if !strings.HasPrefix(members[1].Name, "control.tar") {
		return arMember{}, fmt.Errorf("%w: the second ar member is %q, not control.tar", ErrBadDeb, members[1].Name)
	}
	for _, m := range members[2:] {
		switch m.Name {
		case "data.tar", "data.tar.gz", "data.tar.xz", "data.tar.zst":
			return m, nil
		}
		if strings.HasPrefix(m.Name, "data.tar") {
			return arMember{}, fmt.Errorf("%w: unsupported compression %q", ErrBadDeb, m.Name)
		}
	}
	return arMember{}, fmt.Errorf("%w: no data.tar member", ErrBadDeb)
}

// ManifestEntry is one path of an unpacked package.
type ManifestEntry struct {
	Path   string `json:"path"`             // slash path below the tree root, e.g. "usr/bin/autoconf"
	Type   string `json:"type"`             // "dir", "file" or "symlink"
	Mode   uint32 `json:"mode"`             // permission bits (0o755, 0o644)
	Size   int64  `json:"size,omitempty"`   // file size
	SHA256 string `json:"sha256,omitempty"` // file content hash
	Target string `json:"target,omitempty"` // symlink target as stored
}

// refusedHazards are the archive hazards that make a .deb unusable. Link
// targets are checked separately: an absolute symlink is normal in a
// Debian package (it resolves inside the sandbox, as on an installed
// system), a relative one that climbs out of the tree is not.
var refusedHazards = map[string]bool{
	archive.HazardAbsolutePath:     true,
	archive.HazardTraversal:        true,
	archive.HazardDuplicate:        true,
	archive.HazardBrokenHardlink:   true,
	archive.HazardParentSymlink:    true,
	archive.HazardDevice:           true,
	archive.HazardSetuid:           true,
	archive.HazardControlChars:     true,
	archive.HazardLongNameOverride: true,
	archive.HazardTrailingData:     true,
	archive.HazardSparse:           true,
}

// unpackDeb extracts the data.tar of the .deb at debPath into dst, which
// must not exist yet, and returns the manifest of what it wrote. Nothing is
// written outside dst: member names are checked, every write goes through
// an os.Root, symlinks are created but never followed, hard links become
// copies, and the archive's hazards (see refusedHazards) fail the unpack.
// On error dst may hold a partial tree; the caller removes it.
func unpackDeb(ctx context.Context, debPath, dst string) ([]ManifestEntry, error) {
	f, err := os.Open(debPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > MaxDebSize {
		return nil, fmt.Errorf("%w: %d bytes (limit %d)", ErrBadDeb, st.Size(), MaxDebSize)
	}
	members, err := parseAr(f, st.Size())
	if err != nil {
		return nil, err
	}
	data, err := dataMember(f, members)
	if err != nil {
		return nil, err
	}
	if err := os.Mkdir(dst, 0o755); err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(dst)
	if err != nil {
		return nil, err
	}
	defer root.Close()

	u := &unpacker{root: root, files: map[string]ManifestEntry{}}
	opts := archive.Options{
		KeepBytes: 64 << 20,
		Workers:   1,
		Limits: archive.Limits{
			MaxUnpackedBytes: MaxUnpackedSize,
			MaxEntrySize:     64 << 20,
			MaxEntries:       MaxDebEntries,
		},
	}
	res, err := archive.Walk(ctx, io.NewSectionReader(f, data.Offset, data.Size), opts, u.entry)
	if err != nil {
		if errors.Is(err, archive.ErrCorrupt) || errors.Is(err, archive.ErrLimit) {
			return nil, fmt.Errorf("%w: %s: %w", ErrBadDeb, data.Name, err)
		}
		return nil, err
	}
	for _, h := range res.Hazards {
		if refusedHazards[h.Kind] {
			return nil, fmt.Errorf("%w: %s: %s (%s)", ErrUnsafeDeb, data.Name, h.Kind, h.Detail)
		}
	}
	return u.manifest, nil
}

// unpacker writes the members of one data.tar.
type unpacker struct {
	root     *os.Root
	manifest []ManifestEntry
	files    map[string]ManifestEntry // regular files written, for hard links
}

// memberPath validates a data.tar member name and returns it relative to
// the tree root ("" for the root itself).
func memberPath(raw string) (string, error) {
	name := strings.TrimPrefix(raw, "./")
	if name == "" || name == "." {
		return "", nil
	}
	if strings.HasPrefix(raw, "/") || strings.ContainsAny(raw, "\x00\\") {
		return "", fmt.Errorf("%w: member name %q", ErrUnsafeDeb, raw)
	}
	clean := path.Clean(name)
	for part := range strings.SplitSeq(clean, "/") {
		if part == ".." {
			return "", fmt.Errorf("%w: member name %q climbs out of the tree", ErrUnsafeDeb, raw)
		}
	}
	return clean, nil
}

func (u *unpacker) entry(e *archive.Entry) error {
	rel, err := memberPath(e.RawName)
	if err != nil {
		return err
	}
	if rel == "" {
		return nil
	}
	if dir := path.Dir(rel); dir != "." {
		if err := u.root.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("%w: creating %s: %v", ErrUnsafeDeb, dir, err)
		}
	}
	perm := uint32(e.Mode) & 0o755
	switch e.Type {
	case archive.TypeDir:
		if err := u.root.Mkdir(rel, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%w: creating %s: %v", ErrUnsafeDeb, rel, err)
		}
		if fi, err := u.root.Lstat(rel); err != nil || !fi.IsDir() {
			return fmt.Errorf("%w: %s is not a directory", ErrUnsafeDeb, rel)
		}
		u.manifest = append(u.manifest, ManifestEntry{Path: rel, Type: "dir", Mode: 0o755})
	case archive.TypeSymlink:
		t := e.LinkTarget
		if t == "" || strings.IndexByte(t, 0) >= 0 {
			return fmt.Errorf("%w: symlink %s has an empty or invalid target", ErrUnsafeDeb, rel)
		}
		if !strings.HasPrefix(t, "/") {
			resolved := path.Join(path.Dir(rel), t)
			if resolved == ".." || strings.HasPrefix(resolved, "../") {
				return fmt.Errorf("%w: symlink %s -> %s leaves the tree", ErrUnsafeDeb, rel, t)
			}
		}
		if err := u.root.Symlink(t, rel); err != nil {
			return fmt.Errorf("%w: creating symlink %s: %v", ErrUnsafeDeb, rel, err)
		}
		u.manifest = append(u.manifest, ManifestEntry{Path: rel, Type: "symlink", Mode: 0o777, Target: t})
	case archive.TypeRegular:
		if e.Content == nil && e.Size > 0 {
			return fmt.Errorf("%w: %s is too large (%d bytes)", ErrBadDeb, rel, e.Size)
		}
		me, err := u.write(rel, e.Content, perm)
		if err != nil {
			return err
		}
		u.files[rel] = me
	case archive.TypeHardlink:
		target, err := memberPath(e.LinkTarget)
		if err != nil {
			return err
		}
		src, ok := u.files[target]
		if !ok {
			return fmt.Errorf("%w: hard link %s names no earlier file %q", ErrUnsafeDeb, rel, e.LinkTarget)
		}
		content, err := u.root.ReadFile(target)
		if err != nil {
			return fmt.Errorf("%w: reading %s: %v", ErrUnsafeDeb, target, err)
		}
		if _, err := u.write(rel, content, src.Mode); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%w: member %s has type %s", ErrUnsafeDeb, rel, e.Type)
	}
	return nil
}

// write creates one regular file (never through a symlink, never over an
// existing path) and records it.
func (u *unpacker) write(rel string, content []byte, perm uint32) (ManifestEntry, error) {
	f, err := u.root.OpenFile(rel, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fs.FileMode(perm|0o200))
	if err != nil {
		return ManifestEntry{}, fmt.Errorf("%w: creating %s: %v", ErrUnsafeDeb, rel, err)
	}
	_, err = f.Write(content)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = u.root.Chmod(rel, fs.FileMode(perm))
	}
	if err != nil {
		return ManifestEntry{}, fmt.Errorf("writing %s: %w", rel, err)
	}
	sum := sha256.Sum256(content)
	me := ManifestEntry{Path: rel, Type: "file", Mode: perm, Size: int64(len(content)), SHA256: hex.EncodeToString(sum[:])}
	u.manifest = append(u.manifest, me)
	return me, nil
}
