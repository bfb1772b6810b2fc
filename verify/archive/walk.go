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
	"slices"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/tarcheck/tarcheck/internal/gitid"
)

// inputBufSize is the read buffer in front of the decompressor.
const inputBufSize = 256 << 10

// Walk reads an archive from a stream, calling fn for every member in
// archive order (directories included, as TypeDir). It detects the format
// from the content; zip needs random access and yields ErrNeedFile (use
// WalkFile). An error returned by fn stops the walk and is returned as is.
// The Result is returned also on error, with what was seen so far.
func Walk(ctx context.Context, r io.Reader, opts Options, fn func(*Entry) error) (*Result, error) {
	if err := opts.checkObjectFormat(); err != nil {
		return &Result{}, err
	}
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
	f, err := OpenFile(name, opts)
	if err != nil {
		return &Result{}, err
	}
	defer f.Close()
	return f.Walk(ctx, opts, fn)
}

// File is a local archive opened for one walk, its format detected. For
// an .xz file the block decoder is set up, and StartDecoding can begin
// decoding before the walk (the step before it, listing the tag's tree,
// then overlaps the decompression).
type File struct {
	f          *os.File
	size       int64
	format     Format
	px         *parallelXz // a .xz file for the block decoder, or nil
	compressed atomic.Int64
	walked     bool
}

// OpenFile opens the archive at name and detects its format; opts is the
// walk's (its Workers, Limits and BlockMemory set up the xz decoder). The
// caller must Close it.
func OpenFile(name string, opts Options) (*File, error) {
	if err := opts.checkObjectFormat(); err != nil {
		return nil, err
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	head := make([]byte, DetectLen)
	n, err := f.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		f.Close()
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	format, err := Detect(head[:n])
	if err != nil {
		f.Close()
		return nil, err
	}
	a := &File{f: f, size: st.Size(), format: format}
	if format == FormatTarXz && workers(opts) > 1 {
		if px, ok := newParallelXz(f, st.Size(), opts); ok {
			px.compressed = &a.compressed
			a.px = px
		}
	}
	return a, nil
}

// StartDecoding begins decoding an .xz file on its own goroutines, ahead
// of Walk, into the buffers the walk would use (a one-block file, most
// release tarballs, decodes whole ahead). Other formats decode as the
// walk reads. It must be called from the goroutine that then calls Walk.
func (a *File) StartDecoding() {
	if a.px != nil && !a.px.started {
		a.px.begin()
	}
}

// Walk walks the archive once (see WalkFile), with opts; an .xz decoding
// started under other buffer limits than opts' is started again under
// opts'.
func (a *File) Walk(ctx context.Context, opts Options, fn func(*Entry) error) (*Result, error) {
	if err := opts.checkObjectFormat(); err != nil {
		return &Result{}, err
	}
	if a.walked {
		return &Result{}, errors.New("archive: a File is walked once")
	}
	a.walked = true
	switch a.format {
	case FormatZip:
		return walkZip(ctx, a.f, a.size, opts, fn)
	case FormatTarXz:
		if a.px != nil {
			if np := a.px.replan(opts); !a.px.samePlan(np) {
				// Set up under other limits (decoding perhaps begun with
				// a huge tree's larger buffer budget): start over under
				// opts'.
				a.px.close()
				a.compressed.Store(0)
				np.compressed = &a.compressed
				a.px = np
			}
			px := a.px
			res := &Result{Format: a.format}
			open := func() (io.Reader, func(), error) { return px, px.close, nil }
			return res, walkTar(ctx, a.format, open, &a.compressed, opts, res, fn)
		}
	}
	return Walk(ctx, a.f, opts, fn)
}

// DecodeBuffers is about how many bytes the decoder holds in buffers
// while the file is walked, beside the walk's own heap: the block buffers
// of the parallel xz decoder (a one-block file, most release tarballs,
// holds its whole block; one too large for a buffer, a window of the
// dictionary its block header states), a dictionary-sized window for the
// other xz and zstd files (DefaultBlockMemory: the size is not known
// before decoding), and nothing worth counting for gzip (a 32 KiB
// window), bzip2 (900 KiB) and uncompressed files. A caller that would
// hold more memory during the walk weighs it against this.
func (a *File) DecodeBuffers() int64 {
	switch {
	case a.px != nil && a.px.window:
		return a.px.windowBuffers()
	case a.px != nil:
		return int64(a.px.inflight)*int64(a.px.bufs.size) + int64(a.px.workers)*int64(a.px.inBufs.size)
	case a.format == FormatTarXz || a.format == FormatTarZst:
		return DefaultBlockMemory
	}
	return 0
}

// Close releases the file and any decoding started and not walked.
func (a *File) Close() error {
	if a.px != nil && !a.walked {
		a.px.close()
	}
	return a.f.Close()
}

// WalkBytes is Walk for an archive held in memory (an archive the tag
// holds, read as a blob). It also reads zip archives, sequentially. The
// bytes are untrusted: every cap of opts.Limits applies.
func WalkBytes(ctx context.Context, data []byte, opts Options, fn func(*Entry) error) (*Result, error) {
	if err := opts.checkObjectFormat(); err != nil {
		return &Result{}, err
	}
	if format, err := Detect(data[:min(len(data), DetectLen)]); err == nil && format == FormatZip {
		return walkZip(ctx, bytes.NewReader(data), int64(len(data)), opts, fn)
	}
	return Walk(ctx, bytes.NewReader(data), opts, fn)
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

// tarSource sits between the decompressed stream and archive/tar. It
// counts every byte archive/tar consumes (archive/tar reads exactly what
// it needs, never ahead), so the walk knows where each member ends and can
// tell a real end-of-archive marker from a stream that merely stops. While
// recording (inside tar.Reader.Next) it keeps the last 1024 bytes read, so
// that pax/GNU long names can be compared with the ustar name they replace
// and the end marker's two zero blocks can be checked, and counts the
// extended header bytes in front of a member.
type tarSource struct {
	r         io.Reader
	pos       int64 // bytes consumed by archive/tar so far
	recording bool
	n         int64 // bytes read since recording started
	tail      [2 * tarBlockSize]byte
}

// tarBlockSize is the tar block (header and padding) size.
const tarBlockSize = 512

func (s *tarSource) Read(b []byte) (int, error) {
	n, err := s.r.Read(b)
	s.pos += int64(n)
	if s.recording && n > 0 {
		s.n += int64(n)
		if n >= len(s.tail) {
			copy(s.tail[:], b[n-len(s.tail):n])
		} else {
			copy(s.tail[:], s.tail[n:])
			copy(s.tail[len(s.tail)-n:], b[:n])
		}
	}
	return n, err
}

// lastBlock returns the last 512 bytes read while recording: after Next
// returned a header, the member's own header block.
func (s *tarSource) lastBlock() *[tarBlockSize]byte {
	return (*[tarBlockSize]byte)(s.tail[tarBlockSize:])
}

// roundBlock rounds n up to a multiple of the tar block size.
func roundBlock(n int64) int64 {
	return (n + tarBlockSize - 1) &^ (tarBlockSize - 1)
}

// checkTarEnd decides whether the tar stream really ended when archive/tar
// reported io.EOF. archive/tar also returns io.EOF when the stream stops
// at a block boundary, inside the padding after a member or after a lone
// zero block, and when it stops right after extended (pax) headers; all of
// those are truncations. memberEnd is the offset where the header after
// the last complete member starts (0 for none). The end-of-archive marker
// must be the two zero blocks read right there.
func checkTarEnd(src *tarSource, memberEnd int64) error {
	if src.pos == memberEnd+2*tarBlockSize && src.n >= 2*tarBlockSize && allZero(src.tail[:]) {
		return nil
	}
	if src.pos == memberEnd || (src.pos == memberEnd+tarBlockSize && src.n >= tarBlockSize && allZero(src.lastBlock()[:])) {
		return fmt.Errorf("%w: tar: missing end-of-archive marker (truncated?) at offset %d", ErrCorrupt, src.pos)
	}
	return fmt.Errorf("%w: tar: truncated at offset %d", ErrCorrupt, src.pos)
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// sparseGuard wraps the reader of a tar member's content and charges the
// bytes it yields beyond the physical bytes behind them (sparse holes) to
// the walker's sparse budget, so a few bytes declaring a huge hole cannot
// make the walk hash gigabytes of zeros.
type sparseGuard struct {
	r       io.Reader
	src     *tarSource
	w       *walker
	start   int64 // src.pos where the member's data starts
	logical int64 // bytes delivered
	holes   int64 // expansion already charged
	err     error // sticky limit error
}

func (g *sparseGuard) Read(b []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(b)
	g.logical += int64(n)
	if exp := g.logical - (g.src.pos - g.start); exp > g.holes {
		g.err = g.w.chargeHoles(exp - g.holes)
		g.holes = exp
		if g.err != nil {
			// Drop the bytes: io.ReadFull would ignore an error that
			// comes with the last bytes it asked for.
			return 0, g.err
		}
	}
	return n, err
}

// goUstarName is the name Go's archive/tar writes into the ustar name
// field of a pax-format member named name: name without its non-ASCII
// characters (and NULs), cut to the 100-byte field; a cut that would end
// in a slash ends before the slashes instead (writer.go, strconv.go). For
// an ASCII name that fits it is name itself.
func goUstarName(name string) string {
	var b strings.Builder
	for _, c := range name {
		if c < utf8.RuneSelf && c != 0 {
			b.WriteByte(byte(c))
		}
	}
	s := b.String()
	const field = 100
	if len(s) <= field {
		return s
	}
	if s[field-1] == '/' {
		return strings.TrimRight(s[:field-1], "/")
	}
	return s[:field]
}

// escapesRoot reports a name that is absolute or has a ".." component.
func escapesRoot(name string) bool {
	return strings.HasPrefix(name, "/") || slices.Contains(strings.Split(name, "/"), "..")
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
	stopProgress := startProgress(opts.Progress, compressed)
	p := newPipe(ctx, string(format), w.lim, compressed, open)
	w.streamCheck = func(holes int64) error {
		return checkUnpacked(p.unpacked.Load()+holes, compressed.Load(), w.lim)
	}
	defer func() {
		p.close()
		res.CompressedBytes = compressed.Load()
		res.UnpackedBytes = p.unpacked.Load() + w.holes
		stopProgress(res.CompressedBytes)
	}()
	src := &tarSource{r: p}
	tr := tar.NewReader(src)
	var memberEnd int64 // where the header after the last complete member starts
	sawMember := false  // a member other than a global or long-name header was read
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		src.recording, src.n = true, 0
		hdr, err := tr.Next()
		src.recording = false
		if err == io.EOF {
			if err := checkTarEnd(src, memberEnd); err != nil {
				return tarError(format, err)
			}
			break
		}
		if err != nil && !(errors.Is(err, tar.ErrInsecurePath) && hdr != nil) {
			return tarError(format, err)
		}
		if src.n > w.lim.MaxPaxHeader+1024 {
			return fmt.Errorf("%s: %w: %d bytes of extended headers before %q", format, ErrLimit, src.n-1024, hdr.Name)
		}
		if hdr.Typeflag == tar.TypeXGlobalHeader || hdr.Typeflag == tar.TypeGNULongName || hdr.Typeflag == tar.TypeGNULongLink || hdr.Typeflag == 'V' {
			// git archive's pax_global_header, volume labels.
			if hdr.Typeflag == tar.TypeXGlobalHeader && !sawMember && res.GitCommit == "" {
				if c := hdr.PAXRecords["comment"]; gitid.Valid(c) {
					res.GitCommit = c
				}
			}
		} else {
			sawMember = true
			if err := w.tarEntry(tr, hdr, src); err != nil {
				if errors.Is(err, ErrCorrupt) || errors.Is(err, ErrLimit) {
					return fmt.Errorf("%s: %w", format, err)
				}
				return err
			}
		}
		// Consume what is left of the member's data ourselves (archive/tar
		// would do it inside Next), so that src.pos is the end of the
		// member's data and the next header starts at the next block.
		if err := w.skipRest(tr); err != nil {
			return tarError(format, fmt.Errorf("reading %q: %w", hdr.Name, err))
		}
		memberEnd = roundBlock(src.pos)
	}
	// Read the rest of the decompressed stream: it verifies the final
	// checksums of the compression layer and reveals hidden trailing data.
	if err := w.drain(src); err != nil {
		return tarError(format, err)
	}
	w.finish()
	return nil
}

// skipRest reads a member's remaining data (none after a hashed regular
// file) to its end.
func (w *walker) skipRest(r io.Reader) error {
	for {
		_, err := r.Read(w.buf)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return truncated(err)
		}
	}
}

// isSparse reports a GNU sparse member, old (type 'S') or pax
// (GNU.sparse.* records).
func isSparse(hdr *tar.Header) bool {
	if hdr.Typeflag == tar.TypeGNUSparse {
		return true
	}
	for k := range hdr.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return true
		}
	}
	return false
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
func (w *walker) tarEntry(tr *tar.Reader, hdr *tar.Header, src *tarSource) error {
	blk := src.lastBlock()
	p, err := w.begin(hdr.Name)
	if err != nil {
		return err
	}
	e := &w.entry
	*e = Entry{Path: p, RawName: hdr.Name, Mode: hdr.Mode & 0o7777, LinkTarget: hdr.Linkname}

	// A sparse member's name comes from its GNU.sparse records and the
	// block read last is its sparse map: it has its own hazard instead.
	sparse := isSparse(hdr)
	if stored := ustarName(blk); !sparse && stored != "" && stored != hdr.Name && !strings.Contains(stored, "GNUSparseFile.") && !strings.HasPrefix(hdr.Name, stored) {
		switch shown := cleanPath(stored); {
		case shown == p:
		case stored == goUstarName(hdr.Name) && !escapesRoot(stored):
			// Go's archive/tar: the ustar name is the pax path without its
			// non-ASCII characters. Harmless unless that lossy name is
			// another member's (checked when the walk ends).
			w.lossy = append(w.lossy, lossyName{shown: shown, path: p, name: hdr.Name})
		default:
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
		if sparse {
			w.hazard(HazardSparse, p, fmt.Sprintf("sparse member of %d bytes (holes expand without data behind them)", hdr.Size))
		}
		g := &w.guard
		*g = sparseGuard{r: tr, src: src, w: w, start: src.pos}
		if err := w.hashContent(e, g, hdr.Size); err != nil {
			return fmt.Errorf("reading %q: %w", hdr.Name, err)
		}
		if g.holes > 0 && !sparse {
			w.hazard(HazardSparse, p, fmt.Sprintf("member of %d bytes expands %d bytes of holes", hdr.Size, g.holes))
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
