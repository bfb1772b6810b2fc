package archive

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"

	"github.com/tarcheck/tarcheck/internal/gitid"
)

// Unix file types in the high half of a zip external attribute.
const (
	sIFMT   = 0o170000
	sIFDIR  = 0o040000
	sIFLNK  = 0o120000
	sIFREG  = 0o100000
	sIFCHR  = 0o020000
	sIFBLK  = 0o060000
	sIFIFO  = 0o010000
	sIFSOCK = 0o140000
)

// zip "version made by" hosts whose external attributes carry a Unix mode.
const (
	zipCreatorUnix = 3
	zipCreatorMac  = 19
)

// walkZip walks a zip archive through its central directory.
func walkZip(ctx context.Context, ra io.ReaderAt, size int64, opts Options, fn func(*Entry) error) (*Result, error) {
	res := &Result{Format: FormatZip, CompressedBytes: size}
	w := newWalker(opts, res, fn)
	// Progress: an estimate of the archive bytes behind the members done
	// so far (local header, name and compressed data), the size at the end.
	var done atomic.Int64
	stopProgress := startProgress(opts.Progress, &done)
	defer func() { stopProgress(done.Load()) }()
	zr, err := zip.NewReader(ra, size)
	if err != nil && !(errors.Is(err, zip.ErrInsecurePath) && zr != nil) {
		return res, fmt.Errorf("zip: %w", corrupt(err))
	}
	if len(zr.File) > w.lim.MaxEntries {
		return res, fmt.Errorf("zip: %w: %d members (max %d)", ErrLimit, len(zr.File), w.lim.MaxEntries)
	}
	checkZipHeaders(ra, size, zr.File, w)
	if gitid.Valid(zr.Comment) {
		res.GitCommit = zr.Comment // git archive --format=zip
	}
	for _, f := range zr.File {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if err := w.zipEntry(f, size); err != nil {
			if errors.Is(err, ErrCorrupt) || errors.Is(err, ErrLimit) {
				return res, fmt.Errorf("zip: %w", err)
			}
			return res, err
		}
		est := int64(zipLocalLen+len(f.Name)+len(f.Extra)) + int64(min(f.CompressedSize64, uint64(size)))
		done.Store(min(size, done.Load()+est))
	}
	res.UnpackedBytes = w.contentBytes
	w.finish()
	done.Store(size)
	return res, nil
}

// zipMode returns the member type and permission bits of a zip member.
func zipMode(f *zip.File) (EntryType, int64, string) {
	isDirName := strings.HasSuffix(f.Name, "/")
	creator := f.CreatorVersion >> 8
	if creator == zipCreatorUnix || creator == zipCreatorMac {
		m := int64(f.ExternalAttrs >> 16)
		perm := m & 0o7777
		switch m & sIFMT {
		case sIFDIR:
			return TypeDir, perm, ""
		case sIFLNK:
			return TypeSymlink, perm, ""
		case sIFCHR:
			return TypeOther, perm, "character device"
		case sIFBLK:
			return TypeOther, perm, "block device"
		case sIFIFO:
			return TypeOther, perm, "FIFO"
		case sIFSOCK:
			return TypeOther, perm, "socket"
		case sIFREG, 0:
			if isDirName {
				return TypeDir, perm, ""
			}
			if m == 0 {
				perm = 0o644
			}
			return TypeRegular, perm, ""
		}
		return TypeOther, perm, fmt.Sprintf("unknown unix file type %o", m&sIFMT)
	}
	if isDirName || f.ExternalAttrs&0x10 != 0 {
		return TypeDir, 0o755, ""
	}
	return TypeRegular, 0o644, ""
}

func (w *walker) zipEntry(f *zip.File, archiveSize int64) error {
	p, err := w.begin(f.Name)
	if err != nil {
		return err
	}
	typ, perm, other := zipMode(f)
	e := &w.entry
	*e = Entry{Path: p, RawName: f.Name, Type: typ, Mode: perm}
	switch typ {
	case TypeRegular:
		e.GitMode = gitModeOf(perm)
		if f.UncompressedSize64 > 1<<62 {
			return fmt.Errorf("%w: member %q of %d bytes", ErrLimit, f.Name, f.UncompressedSize64)
		}
		size := int64(f.UncompressedSize64)
		e.Size = size
		if err := w.checkSize(size); err != nil {
			return err
		}
		if err := checkUnpacked(w.contentBytes, archiveSize, w.lim); err != nil {
			return err
		}
		if err := w.zipContent(f, func(r io.Reader) error { return w.hashContent(e, r, size) }); err != nil {
			return fmt.Errorf("reading %q: %w", f.Name, err)
		}
	case TypeSymlink:
		e.GitMode = GitModeSymlink
		if f.UncompressedSize64 > uint64(w.lim.MaxPathLen) {
			return fmt.Errorf("%w: symlink %q target of %d bytes", ErrLimit, f.Name, f.UncompressedSize64)
		}
		err := w.zipContent(f, func(r io.Reader) error {
			w.keepBuf = w.keepBuf[:0]
			buf := make([]byte, f.UncompressedSize64)
			if _, err := io.ReadFull(r, buf); err != nil {
				return truncated(err)
			}
			w.keepBuf = append(w.keepBuf, buf...)
			return nil
		})
		if err != nil {
			return fmt.Errorf("reading %q: %w", f.Name, err)
		}
		e.LinkTarget = string(w.keepBuf)
		e.Size = int64(len(w.keepBuf))
		w.blobOf(e, w.keepBuf)
		if e.Size <= w.keep {
			e.Content = w.keepBuf
		}
	case TypeOther:
		w.hazard(HazardDevice, p, other)
	}
	return w.record(e)
}

// zipContent opens a member, lets read consume exactly its declared size,
// then reads to EOF so archive/zip verifies the CRC-32 and the size.
func (w *walker) zipContent(f *zip.File, read func(io.Reader) error) error {
	rc, err := f.Open()
	if err != nil {
		return corrupt(err)
	}
	defer rc.Close()
	if err := read(rc); err != nil {
		return err
	}
	var one [1]byte
	n, err := rc.Read(one[:])
	if n > 0 {
		return corrupt(errors.New("member longer than its declared size"))
	}
	if err != io.EOF {
		if err == nil {
			err = errors.New("missing end of member")
		}
		return corrupt(err)
	}
	return nil
}
