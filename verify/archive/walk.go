package archive

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/bzip2"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// inputBufSize is the read buffer in front of the decompressor.
const inputBufSize = 256 << 10

// Walk reads an archive from a stream, calling fn for every member in
// archive order (directories included, as TypeDir). It detects the format
// from the content; zip needs random access and yields ErrNeedFile (use
// WalkFile). An error returned by fn stops the walk and is returned as is.
// The Result is returned also on error, with what was seen so far.
func Walk(ctx context.Context, r io.Reader, opts Options, fn func(*Entry) error) (*Result, error) {
	var compressed atomic.Int64
	br := bufio.NewReaderSize(&countingReader{r: r, n: &compressed}, inputBufSize)
	head, err := br.Peek(DetectLen)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return &Result{}, fmt.Errorf("reading archive: %w", err)
	}
	format, err := Detect(head)
	if err != nil {
		return &Result{}, err
	}
	if format == FormatZip {
		return &Result{Format: format}, ErrNeedFile
	}
	res := &Result{Format: format}
	lim := opts.Limits.withDefaults()
	open := func() (io.Reader, func(), error) { return newDecoder(format, br, lim, opts.Workers) }
	err = walkTar(ctx, format, open, &compressed, opts, res, fn)
	return res, err
}

// WalkFile is Walk for a local file. It also reads zip archives, and
// decodes multi-block .xz files with Options.Workers goroutines in
// parallel.
func WalkFile(ctx context.Context, name string, opts Options, fn func(*Entry) error) (*Result, error) {
	f, err := os.Open(name)
	if err != nil {
		return &Result{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return &Result{}, err
	}
	head := make([]byte, DetectLen)
	n, err := f.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		return &Result{}, fmt.Errorf("reading %s: %w", name, err)
	}
	format, err := Detect(head[:n])
	if err != nil {
		return &Result{}, err
	}
	switch format {
	case FormatZip:
		return walkZip(ctx, f, st.Size(), opts, fn)
	case FormatTarXz:
		if workers(opts) > 1 {
			if px, ok := newParallelXz(f, st.Size(), opts); ok {
				res := &Result{Format: format}
				var compressed atomic.Int64
				open := func() (io.Reader, func(), error) { return px, px.close, nil }
				px.compressed = &compressed
				err := walkTar(ctx, format, open, &compressed, opts, res, fn)
				return res, err
			}
		}
	}
	return Walk(ctx, f, opts, fn)
}

func workers(opts Options) int {
	if opts.Workers > 0 {
		return opts.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// newDecoder returns the decompressing reader for a tar-based format.
func newDecoder(format Format, r io.Reader, lim Limits, nworkers int) (io.Reader, func(), error) {
	switch format {
	case FormatTar:
		return r, nil, nil
	case FormatTarGz:
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, nil, err
		}
		return zr, func() { zr.Close() }, nil
	case FormatTarBz2:
		return bzip2.NewReader(r), nil, nil
	case FormatTarZst:
		if nworkers <= 0 {
			nworkers = runtime.GOMAXPROCS(0)
		}
		zr, err := zstd.NewReader(r,
			zstd.WithDecoderConcurrency(nworkers),
			zstd.WithDecoderMaxWindow(uint64(lim.MaxDictSize)),
			zstd.WithDecoderMaxMemory(uint64(lim.MaxUnpackedBytes)+1))
		if err != nil {
			return nil, nil, err
		}
		return zr, zr.Close, nil
	case FormatTarXz:
		return newXzReader(r, lim), nil, nil
	}
	return nil, nil, fmt.Errorf("no decoder for %s", format)
}

// tarSource records the last header block the tar reader consumed, so
// that pax/GNU long names can be compared with the ustar name they
// replace, and counts the extended header bytes in front of a member.
type tarSource struct {
	r         io.Reader
	recording bool
	n         int64
	last      [512]byte
}

func (s *tarSource) Read(b []byte) (int, error) {
	n, err := s.r.Read(b)
	if s.recording && n > 0 {
		s.n += int64(n)
		if n >= len(s.last) {
			copy(s.last[:], b[n-len(s.last):n])
		} else {
			copy(s.last[:], s.last[n:])
			copy(s.last[len(s.last)-n:], b[:n])
		}
	}
	return n, err
}

// ustarName returns the name stored in a header block itself.
func ustarName(blk *[512]byte) string {
	name := cstring(blk[0:100])
	if bytes.Equal(blk[257:263], []byte("ustar\x00")) {
		if prefix := cstring(blk[345:500]); prefix != "" {
			name = prefix + "/" + name
		}
	}
	return name
}

func cstring(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// walkTar walks a tar stream decoded on a producer goroutine.
func walkTar(ctx context.Context, format Format, open opener, compressed *atomic.Int64, opts Options, res *Result, fn func(*Entry) error) (err error) {
	w := newWalker(opts, res, fn)
	p := newPipe(ctx, string(format), w.lim, compressed, open)
	defer func() {
		p.close()
		res.CompressedBytes = compressed.Load()
		res.UnpackedBytes = p.unpacked.Load()
	}()
	src := &tarSource{r: p}
	tr := tar.NewReader(src)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		src.recording, src.n = true, 0
		hdr, err := tr.Next()
		src.recording = false
		if err == io.EOF {
			break
		}
		if err != nil && !(errors.Is(err, tar.ErrInsecurePath) && hdr != nil) {
			return tarError(format, err)
		}
		if src.n > w.lim.MaxPaxHeader+1024 {
			return fmt.Errorf("%s: %w: %d bytes of extended headers before %q", format, ErrLimit, src.n-1024, hdr.Name)
		}
		if hdr.Typeflag == tar.TypeXGlobalHeader || hdr.Typeflag == tar.TypeGNULongName || hdr.Typeflag == tar.TypeGNULongLink || hdr.Typeflag == 'V' {
			continue // git archive's pax_global_header, volume labels
		}
		if err := w.tarEntry(tr, hdr, &src.last); err != nil {
			if errors.Is(err, ErrCorrupt) || errors.Is(err, ErrLimit) {
				return fmt.Errorf("%s: %w", format, err)
			}
			return err
		}
	}
	// Read the rest of the decompressed stream: it verifies the final
	// checksums of the compression layer and reveals hidden trailing data.
	if err := w.drain(src); err != nil {
		return tarError(format, err)
	}
	w.finish()
	return nil
}

func tarError(format Format, err error) error {
	if errors.Is(err, ErrCorrupt) || errors.Is(err, ErrLimit) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		if strings.HasPrefix(err.Error(), string(format)+":") {
			return err
		}
		return fmt.Errorf("%s: %w", format, err)
	}
	if errors.Is(err, tar.ErrFieldTooLong) {
		return fmt.Errorf("%s: %w: %w", format, ErrLimit, err)
	}
	return fmt.Errorf("%s: %w", format, corrupt(err))
}

func (w *walker) drain(r io.Reader) error {
	hidden := false
	for {
		n, err := r.Read(w.buf)
		if !hidden {
			for _, c := range w.buf[:n] {
				if c != 0 {
					hidden = true
					w.hazard(HazardTrailingData, "", "non-zero data after the end of the tar archive")
					break
				}
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// tarEntry converts one tar header (and its content) into an Entry.
func (w *walker) tarEntry(tr *tar.Reader, hdr *tar.Header, blk *[512]byte) error {
	p, err := w.begin(hdr.Name)
	if err != nil {
		return err
	}
	e := &w.entry
	*e = Entry{Path: p, RawName: hdr.Name, Mode: hdr.Mode & 0o7777, LinkTarget: hdr.Linkname}

	if stored := ustarName(blk); stored != "" && stored != hdr.Name && !strings.Contains(stored, "GNUSparseFile.") && !strings.HasPrefix(hdr.Name, stored) {
		if cleanPath(stored) != p {
			w.hazard(HazardLongNameOverride, p, fmt.Sprintf("extended header name %q replaces the header name %q", hdr.Name, stored))
		}
	}

	switch hdr.Typeflag {
	case tar.TypeReg, tar.TypeRegA, tar.TypeCont, tar.TypeGNUSparse:
		e.Type = TypeRegular
		e.GitMode = gitModeOf(e.Mode)
		e.Size = hdr.Size
		if err := w.checkSize(hdr.Size); err != nil {
			return err
		}
		if err := w.hashContent(e, tr, hdr.Size); err != nil {
			return fmt.Errorf("reading %q: %w", hdr.Name, err)
		}
	case tar.TypeSymlink:
		e.Type = TypeSymlink
		e.GitMode = GitModeSymlink
		e.Size = int64(len(hdr.Linkname))
		w.keepBuf = append(w.keepBuf[:0], hdr.Linkname...)
		w.blobOf(e, w.keepBuf)
		if e.Size <= w.keep {
			e.Content = w.keepBuf
		}
	case tar.TypeLink:
		e.Type = TypeHardlink
		e.GitMode = gitModeOf(e.Mode)
		w.resolveHardlink(e)
	case tar.TypeDir, 'D':
		e.Type = TypeDir
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		e.Type = TypeOther
		kind := map[byte]string{tar.TypeChar: "character device", tar.TypeBlock: "block device", tar.TypeFifo: "FIFO"}[hdr.Typeflag]
		w.hazard(HazardDevice, p, kind)
	default:
		e.Type = TypeOther
		w.hazard(HazardDevice, p, fmt.Sprintf("unknown member type %q", hdr.Typeflag))
	}
	return w.record(e)
}
