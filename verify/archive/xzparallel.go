package archive

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/tarcheck/tarcheck/verify/archive/internal/lzma2"
)

const (
	// xzMaxParallelBlock is the largest block the block decoder holds in
	// memory whole. Blocks up to xzParallelMemory/2 are decoded two at a
	// time; larger ones one at a time (still with the fast decoder, but
	// alternating with the tar walk), so the block buffers never exceed
	// xzParallelMemory and peak RSS stays below 150 MiB (bench/run.sh).
	// Larger blocks (a single-block 150 MiB tarball; xz -T0 -9 makes
	// blocks of 192 MiB) are decoded one at a time through a window of
	// their dictionary plus xzWindowSlack, as the sequential path holds
	// one dictionary; their compressed size is still capped by this.
	xzMaxParallelBlock = xzParallelMemory

	// xzWindowSlack is how far past the dictionary a window decoder runs
	// ahead of the reader before it waits to slide (at least
	// lzma2.MaxChunk).
	xzWindowSlack = 4 << 20

	// xzWindowInput is how much of a window block's compressed data is
	// read at a time (at least lzma2.MaxChunkInput plus a block header).
	xzWindowInput = 1 << 20

	// xzMaxBlockHeader is the largest xz block header.
	xzMaxBlockHeader = 1024
)

// blockErr names the 1-based block an error belongs to.
func blockErr(num int, err error) error {
	return fmt.Errorf("block %d: %w", num, err)
}

// xzBlockInfo locates one block through the index.
type xzBlockInfo struct {
	offset       int64 // of the block header
	unpadded     int64
	uncompressed int64
}

type xzBlockResult struct {
	buf []byte
	err error
}

// parallelXz decodes the blocks of a single-stream, multi-block xz file
// concurrently and delivers the bytes in order. At most inflight blocks
// are decoded or waiting at any time, each in one buffer of the largest
// block's size that is also its LZMA2 dictionary, which bounds memory to
// inflight*blockSize plus one compressed block per worker. Read and close
// must be called from one goroutine.
type parallelXz struct {
	f          io.ReaderAt
	size       int64
	check      byte
	blocks     []xzBlockInfo
	indexLen   int64
	lim        Limits
	workers    int
	inflight   int
	compressed *atomic.Int64

	started bool
	stream  *xzStream // inflight == 1: one block, handed over as decoded
	window  bool      // with stream: blocks larger than the budget, decoded through a window
	slack   int       // window bytes past the dictionary (xzWindowSlack; tests make it small)
	sem     chan struct{}
	jobs    chan int
	slots   []chan xzBlockResult
	pool    chan []byte
	bufs    blockBuffers
	inBufs  blockBuffers // one compressed block per worker
	done    chan struct{}
	wg      sync.WaitGroup
	stop    sync.Once

	next    int
	cur     []byte
	holding bool // cur is a block buffer holding a semaphore slot
	off     int
	counted int // compressed bytes of the block being read already counted (a window block)
	err     error
}

// scanXzIndex parses the footer and index at the end of a file holding
// one xz stream and returns the block layout. ok is false when the file
// is not suited to the block decoder (several streams, stream padding,
// compressed blocks above xzMaxParallelBlock) or its tail is malformed: the sequential decoder then
// decodes it and reports any error precisely. A file of one block (xz
// without -T, most release tarballs) is suited: newParallelXz streams it.
func scanXzIndex(f io.ReaderAt, size int64) (check byte, blocks []xzBlockInfo, indexLen int64, ok bool) {
	if size < xzHeaderLen+xzFooterLen+8 {
		return 0, nil, 0, false
	}
	var hf [xzFooterLen]byte
	if _, err := f.ReadAt(hf[:], size-xzFooterLen); err != nil {
		return 0, nil, 0, false
	}
	foot, err := parseXzFooter(hf[:])
	if err != nil {
		return 0, nil, 0, false
	}
	indexPos := size - xzFooterLen - foot.indexSize
	if foot.indexSize > xzMaxIndexLen || indexPos < xzHeaderLen {
		return 0, nil, 0, false
	}
	idx := make([]byte, foot.indexSize)
	if _, err := f.ReadAt(idx, indexPos); err != nil || idx[0] != 0 {
		return 0, nil, 0, false
	}
	off := int64(xzHeaderLen)
	n, err := readXzIndex(bytes.NewReader(idx[1:]), uint64(indexPos)/8, func(i int, rec xzRecord) error {
		if rec.unpadded > xzMaxParallelBlock+(1<<20) {
			return errTooBig
		}
		blocks = append(blocks, xzBlockInfo{offset: off, unpadded: rec.unpadded, uncompressed: rec.uncompressed})
		off += (rec.unpadded + 3) &^ 3
		if off > indexPos {
			return errTooBig
		}
		return nil
	})
	if err != nil || n != foot.indexSize || off != indexPos || len(blocks) == 0 {
		return 0, nil, 0, false
	}
	var hh [xzHeaderLen]byte
	if _, err := f.ReadAt(hh[:], 0); err != nil {
		return 0, nil, 0, false
	}
	check, err = parseXzStreamHeader(hh[:])
	if err != nil || check != foot.check {
		return 0, nil, 0, false
	}
	return check, blocks, foot.indexSize, true
}

var errTooBig = fmt.Errorf("not for the parallel decoder")

// xzInflight is the number of blocks decoded or waiting at once: one
// per worker plus the one being read, fewer (but at least two) when that
// would hold more than xzParallelMemory in block buffers.
func xzInflight(workers int, largest, budget int64) int {
	n := workers + 1
	if int64(n)*largest > budget {
		n = max(1, int(budget/max(largest, 1)))
	}
	return n
}

// newParallelXz prepares parallel decoding of f, or returns false when
// the sequential path must be used.
func newParallelXz(f io.ReaderAt, size int64, opts Options) (*parallelXz, bool) {
	check, blocks, indexLen, ok := scanXzIndex(f, size)
	if !ok {
		return nil, false
	}
	return planXz(f, size, check, blocks, indexLen, opts), true
}

// replan is p's file set up again under opts, from the block layout p
// read (no second read of the index).
func (p *parallelXz) replan(opts Options) *parallelXz {
	return planXz(p.f, p.size, p.check, p.blocks, p.indexLen, opts)
}

// planXz sets up the decoding of f's blocks under opts: workers, blocks in
// flight, buffer sizes.
func planXz(f io.ReaderAt, size int64, check byte, blocks []xzBlockInfo, indexLen int64, opts Options) *parallelXz {
	var largest, largestIn int64
	for _, b := range blocks {
		largest = max(largest, b.uncompressed)
		largestIn = max(largestIn, (b.unpadded+3)&^3)
	}
	nw := workers(opts)
	budget := opts.BlockMemory
	if budget <= 0 {
		budget = DefaultBlockMemory
	}
	inflight := xzInflight(nw, largest, budget)
	window := largest > budget
	if len(blocks) == 1 || window {
		// One block: nothing to decode in parallel, but the block decoder
		// is about 2.4 times faster than the sequential one and allocates
		// nothing (BenchmarkDecode). The block is streamed as it decodes
		// (the one-block mode), in one buffer within the budget, or
		// through a window when larger.
		inflight = 1
	}
	nw = min(nw, inflight) // a worker without a buffer to fill would only hold a compressed block
	if window {
		largestIn = min(largestIn, xzWindowInput) // read piece by piece
	}
	return &parallelXz{
		f: f, size: size, check: check, blocks: blocks, indexLen: indexLen,
		lim: opts.Limits.withDefaults(), workers: nw, inflight: inflight, window: window, slack: xzWindowSlack,
		bufs: blockBuffers{size: int(largest)}, inBufs: blockBuffers{size: int(largestIn)},
	}
}

// samePlan reports whether q (set up under other Options) would decode
// with the same workers, blocks in flight and buffers as p.
func (p *parallelXz) samePlan(q *parallelXz) bool {
	return p.workers == q.workers && p.inflight == q.inflight && p.window == q.window &&
		p.bufs.size == q.bufs.size && p.inBufs.size == q.inBufs.size && p.lim == q.lim
}

func (p *parallelXz) begin() {
	p.started = true
	if p.inflight == 1 {
		p.beginStream()
		return
	}
	p.sem = make(chan struct{}, p.inflight)
	p.jobs = make(chan int)
	p.pool = make(chan []byte, p.inflight)
	p.done = make(chan struct{})
	p.slots = make([]chan xzBlockResult, p.inflight)
	for i := range p.slots {
		p.slots[i] = make(chan xzBlockResult, 1)
	}
	if p.compressed != nil {
		p.compressed.Add(xzHeaderLen)
	}
	p.wg.Add(1 + p.workers)
	go p.dispatch()
	for range p.workers {
		go p.work()
	}
}

func (p *parallelXz) dispatch() {
	defer p.wg.Done()
	defer close(p.jobs)
	for i := range p.blocks {
		select {
		case p.sem <- struct{}{}:
		case <-p.done:
			return
		}
		select {
		case p.jobs <- i:
		case <-p.done:
			return
		}
	}
}

func (p *parallelXz) work() {
	defer p.wg.Done()
	d := &xzBlockDecoder{}
	if len(p.blocks) > 0 {
		// Like the block buffers, kept off the heap.
		d.in = p.inBufs.get()[:0]
	}
	for i := range p.jobs {
		var buf []byte
		select {
		case buf = <-p.pool:
		default:
			buf = p.bufs.get()
		}
		buf, err := d.decode(p, i, buf)
		p.slots[i%p.inflight] <- xzBlockResult{buf: buf, err: err}
	}
}

// xzBlockDecoder is one worker's reusable decoding state.
type xzBlockDecoder struct {
	in   []byte // the whole compressed block
	br   bytes.Reader
	lz   lzma2.Decoder
	chk  xzCheck
	hbuf [1024]byte
	// progress, if set, is told how many bytes of the block are decoded
	// after each LZMA2 chunk, and how many of its compressed bytes that
	// took (header included).
	progress func(written, consumed int)
}

// decode decodes block i into buf (grown as needed) and verifies it
// against its header, its check and the index. The LZMA2 data is decoded
// by the in-memory decoder of internal/lzma2 straight into buf, which is
// also its dictionary.
func (d *xzBlockDecoder) decode(p *parallelXz, i int, buf []byte) (out []byte, err error) {
	info := p.blocks[i]
	num := i + 1
	defer func() {
		if v := recover(); v != nil {
			out, err = buf, blockErr(num, xzErrorf("decoder panic: %v", v))
		}
	}()
	b, err := d.open(p, i, true)
	if err != nil {
		return buf, err
	}
	if int64(cap(buf)) < info.uncompressed {
		return buf, blockErr(num, xzErrorf("block larger than the index says"))
	}
	buf = buf[:info.uncompressed]
	d.lz.Reset(buf, d.in[b.hdr.size:b.dataEnd], int(b.hdr.dictSize))
	for !d.lz.Done() {
		select {
		case <-p.done:
			return buf, blockErr(num, fmt.Errorf("canceled"))
		default:
		}
		if err := d.lz.Step(); err != nil {
			return buf, blockErr(num, stepErr(err))
		}
		if d.progress != nil {
			d.progress(d.lz.Written(), b.hdr.size+d.lz.Consumed())
		}
	}
	d.chk.reset(p.check)
	d.chk.write(buf)
	return buf, d.finish(p, i, b, d.in[b.dataEnd:b.padded])
}

// openBlock is a block read by open: its header and where its parts end.
type openBlock struct {
	hdr     xzBlockHeader
	wantC   int64 // compressed LZMA2 bytes
	dataEnd int64 // end of the LZMA2 data in d.in
	padded  int64 // block length with padding
	csize   int   // check length
}

// stepErr is the block error for an LZMA2 decoding error.
func stepErr(err error) error {
	if errors.Is(err, lzma2.ErrOutputFull) {
		return xzErrorf("longer than the index says")
	}
	return xzErrorf("%v", err)
}

// open reads block i into d.in (whole, or its first bytes, which hold its
// header) and checks its header against the index and the limits.
func (d *xzBlockDecoder) open(p *parallelXz, i int, whole bool) (openBlock, error) {
	info := p.blocks[i]
	num := i + 1
	padded := (info.unpadded + 3) &^ 3
	n := padded
	if !whole {
		n = min(padded, xzMaxBlockHeader)
	}
	if int64(cap(d.in)) < n {
		d.in = make([]byte, n)
	}
	d.in = d.in[:n]
	if _, err := p.f.ReadAt(d.in, info.offset); err != nil {
		return openBlock{}, blockErr(num, xzErrorf("reading block: %v", err))
	}
	d.br.Reset(d.in)
	first, err := d.br.ReadByte()
	if err != nil || first == 0 {
		return openBlock{}, blockErr(num, xzErrorf("no block header where the index puts one"))
	}
	hdr, err := readXzBlockHeader(&d.br, first, &d.hbuf)
	if err != nil {
		return openBlock{}, blockErr(num, err)
	}
	csize, _ := xzCheckSize(p.check)
	wantC := info.unpadded - int64(hdr.size) - int64(csize)
	if wantC <= 0 || (hdr.compressedSize >= 0 && hdr.compressedSize != wantC) ||
		(hdr.uncompressedSize >= 0 && hdr.uncompressedSize != info.uncompressed) {
		return openBlock{}, blockErr(num, xzErrorf("block header sizes disagree with the index"))
	}
	if hdr.dictSize > p.lim.MaxDictSize {
		return openBlock{}, blockErr(num, fmt.Errorf("%w: xz dictionary of %d bytes (max %d)", ErrLimit, hdr.dictSize, p.lim.MaxDictSize))
	}
	return openBlock{hdr: hdr, wantC: wantC, dataEnd: int64(hdr.size) + wantC, padded: padded, csize: csize}, nil
}

// finish checks the end of decoded block i: its decoded and compressed
// sizes against the index, its padding, and its check, which d.chk has
// been fed with the whole block; tail is the block's bytes after the
// LZMA2 data (padding and check).
func (d *xzBlockDecoder) finish(p *parallelXz, i int, b openBlock, tail []byte) error {
	num := i + 1
	if int64(d.lz.Written()) != p.blocks[i].uncompressed {
		return blockErr(num, xzErrorf("shorter than the index says"))
	}
	if int64(d.lz.Consumed()) != b.wantC {
		return blockErr(num, xzErrorf("compressed size %d, index says %d", d.lz.Consumed(), b.wantC))
	}
	for _, c := range tail[:len(tail)-b.csize] {
		if c != 0 {
			return blockErr(num, xzErrorf("non-zero padding"))
		}
	}
	if !d.chk.matches(tail[len(tail)-b.csize:]) {
		return blockErr(num, xzErrorf("check mismatch (corrupt data)"))
	}
	return nil
}

// Read delivers the decoded blocks in order.
func (p *parallelXz) Read(b []byte) (int, error) {
	if !p.started {
		p.begin()
	}
	if p.stream != nil {
		return p.readStream(b)
	}
	for p.off == len(p.cur) {
		if p.err != nil {
			return 0, p.err
		}
		if p.holding {
			p.pool <- p.cur
			p.cur, p.holding = nil, false
			<-p.sem
		}
		if p.next == len(p.blocks) {
			if p.compressed != nil {
				p.compressed.Add(p.indexLen + xzFooterLen)
			}
			p.err = io.EOF
			return 0, io.EOF
		}
		r := <-p.slots[p.next%p.inflight]
		if r.err != nil {
			p.err = r.err
			return 0, r.err
		}
		if p.compressed != nil {
			p.compressed.Add((p.blocks[p.next].unpadded + 3) &^ 3)
		}
		p.next++
		p.cur, p.off, p.holding = r.buf, 0, true
	}
	n := copy(b, p.cur[p.off:])
	p.off += n
	return n, nil
}

// errXzClosed is returned by Read after close.
var errXzClosed = errors.New("xz: read after close")

// close stops the workers, waits for them, and frees the block buffers.
func (p *parallelXz) close() {
	if !p.started {
		p.started, p.err = true, errXzClosed // nothing to stop; reads fail
		return
	}
	p.stop.Do(func() { close(p.done) })
	if s := p.stream; s != nil {
		s.mu.Lock()
		s.closed = true
		s.cond.Broadcast()
		s.mu.Unlock()
	}
	p.wg.Wait()
	p.cur, p.off, p.holding = nil, 0, false
	if p.err == nil || p.err == io.EOF {
		p.err = errXzClosed
	}
	p.bufs.release()
	p.inBufs.release()
}

// xzStream is the state shared by the reader and the single decoding
// goroutine when only one block buffer fits the memory budget. The block
// is handed to the reader chunk by chunk as it is decoded (LZMA2 output
// is append-only, so the decoded prefix never changes), which keeps the
// decoding and the tar walk overlapping on two cores; the next block
// starts once the reader is done with this one. A block's check is
// verified at its end: a corrupt block fails the read there, before any
// byte of the next block, as with the sequential decoder.
//
// A block larger than the budget is decoded through a window (p.window):
// buf then holds the block's bytes from base on, and before the decoder
// slides the window it waits until the reader has taken every byte
// decoded so far.
type xzStream struct {
	mu     sync.Mutex
	cond   sync.Cond
	buf    []byte // the block buffer, or the window
	block  int    // the block being decoded, or last decoded
	avail  int    // bytes of it decoded so far
	base   int    // the block's offset of buf[0] (0 but in a window)
	taken  int    // bytes of it the reader has copied out (kept in a window only)
	in     int    // compressed bytes of it behind avail
	done   bool   // block finished: verified, or failed with err
	err    error
	read   int // blocks the reader is done with
	closed bool
}

func (p *parallelXz) beginStream() {
	s := &xzStream{}
	s.cond.L = &s.mu
	p.stream = s
	p.done = make(chan struct{})
	if p.compressed != nil {
		p.compressed.Add(xzHeaderLen)
	}
	p.wg.Add(1)
	go p.streamWork()
}

func (p *parallelXz) streamWork() {
	defer p.wg.Done()
	s := p.stream
	if len(p.blocks) == 0 {
		return
	}
	d := &xzBlockDecoder{in: p.inBufs.get()[:0]}
	var buf []byte
	if !p.window {
		buf = p.bufs.get()
	}
	d.progress = func(n, in int) {
		s.mu.Lock()
		s.avail, s.in = n, in
		s.cond.Broadcast()
		s.mu.Unlock()
	}
	for i := range p.blocks {
		s.mu.Lock()
		for s.read < i && !s.closed {
			s.cond.Wait()
		}
		if s.closed {
			s.mu.Unlock()
			return
		}
		s.buf, s.block, s.avail, s.base, s.taken, s.in, s.done, s.err = buf, i, 0, 0, 0, 0, false, nil
		s.mu.Unlock()
		var err error
		if p.window {
			buf, err = d.decodeWindow(p, i, buf, s)
		} else {
			_, err = d.decode(p, i, buf)
		}
		s.mu.Lock()
		s.done, s.err = true, err
		s.cond.Broadcast()
		s.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// readStream is Read in the one-block mode.
func (p *parallelXz) readStream(b []byte) (int, error) {
	s := p.stream
	for {
		if p.err != nil {
			return 0, p.err
		}
		if p.next == len(p.blocks) {
			if p.compressed != nil {
				p.compressed.Add(p.indexLen + xzFooterLen)
			}
			p.err = io.EOF
			return 0, io.EOF
		}
		s.mu.Lock()
		for s.block != p.next || (s.avail == p.off && !s.done) {
			s.cond.Wait()
		}
		buf, base, avail, in, done, err := s.buf, s.base, s.avail, s.in, s.done, s.err
		s.mu.Unlock()
		if p.off < avail {
			n := copy(b, buf[p.off-base:avail-base])
			p.off += n
			if p.window {
				// A window block can pass the ratio limit's threshold:
				// count its compressed bytes as they are decoded.
				if p.compressed != nil && in > p.counted {
					p.compressed.Add(int64(in - p.counted))
					p.counted = in
				}
				// The decoder may now slide past these bytes.
				s.mu.Lock()
				s.taken = p.off
				s.cond.Broadcast()
				s.mu.Unlock()
			}
			return n, nil
		}
		if err != nil {
			p.err = err
			return 0, err
		}
		if done {
			if p.compressed != nil {
				p.compressed.Add((p.blocks[p.next].unpadded+3)&^3 - int64(p.counted))
			}
			p.next++
			p.off, p.counted = 0, 0
			s.mu.Lock()
			s.read = p.next
			s.cond.Broadcast()
			s.mu.Unlock()
		}
	}
}

// windowBuffers is what decodeWindow holds for the largest dictionary
// the blocks' headers state: the window (the dictionary plus the slack,
// at most the block) and the compressed input piece. DefaultBlockMemory
// when a header cannot be read (decoding will say why).
func (p *parallelXz) windowBuffers() int64 {
	var d xzBlockDecoder
	var most int64
	for i, info := range p.blocks {
		b, err := d.open(p, i, false)
		if err != nil {
			return DefaultBlockMemory
		}
		most = max(most, p.windowSize(b.hdr.dictSize, info.uncompressed))
	}
	return most + xzWindowInput
}

// windowSize is the window decodeWindow decodes a block through: its
// dictionary (at least 4 KiB, rounded to 16 bytes) plus the slack, at
// most the block's uncompressed size.
func (p *parallelXz) windowSize(dictSize, uncompressed int64) int64 {
	dict := (max(dictSize, 4096) + 15) &^ 15
	return min(uncompressed, dict+int64(max(p.slack, lzma2.MaxChunk)))
}

// decodeWindow decodes block i, too large for one buffer, through a
// window of its dictionary plus p.slack bytes (win, reused when large
// enough), handing the bytes to the reader through s as they are decoded:
// before sliding the window it waits for the reader to take every byte
// decoded so far. The check is computed as the bytes are decoded. It
// returns the window for the next block.
func (d *xzBlockDecoder) decodeWindow(p *parallelXz, i int, win []byte, s *xzStream) (out []byte, err error) {
	info := p.blocks[i]
	num := i + 1
	defer func() {
		if v := recover(); v != nil {
			out, err = win, blockErr(num, xzErrorf("decoder panic: %v", v))
		}
	}()
	b, err := d.open(p, i, false)
	if err != nil {
		return win, err
	}
	// The compressed data is read piece by piece into d.in.
	in := d.in[:cap(d.in)]
	if int64(len(in)) < min(b.wantC, xzWindowInput) {
		in = make([]byte, xzWindowInput)
		d.in = in
	}
	dataAt := info.offset + int64(b.hdr.size)
	read := int64(0) // compressed bytes read so far
	more := func(keep int) ([]byte, error) {
		n := int(min(b.wantC-read, int64(len(in)-keep)))
		if _, err := p.f.ReadAt(in[keep:keep+n], dataAt+read); err != nil {
			return nil, blockErr(num, xzErrorf("reading block: %v", err))
		}
		read += int64(n)
		return in[:keep+n], nil
	}
	first, err := more(0)
	if err != nil {
		return win, err
	}
	size := int(p.windowSize(b.hdr.dictSize, info.uncompressed))
	if cap(win) < size {
		win = p.bufs.getN(size)
	}
	win = win[:size]
	s.mu.Lock()
	s.buf = win
	s.mu.Unlock()
	d.lz.ResetWindow(win, first, int(b.hdr.dictSize), int(info.uncompressed))
	d.chk.reset(p.check)
	for !d.lz.Done() {
		select {
		case <-p.done:
			return win, blockErr(num, fmt.Errorf("canceled"))
		default:
		}
		if read < b.wantC && len(d.lz.Input()) < lzma2.MaxChunkInput {
			src, err := more(copy(in, d.lz.Input()))
			if err != nil {
				return win, err
			}
			d.lz.SetInput(src)
		}
		if free := d.lz.Free(); free < lzma2.MaxChunk && free < int(info.uncompressed)-d.lz.Written() {
			s.mu.Lock()
			for s.taken < d.lz.Written() && !s.closed {
				s.cond.Wait()
			}
			if s.closed {
				s.mu.Unlock()
				return win, blockErr(num, fmt.Errorf("canceled"))
			}
			s.base += d.lz.Slide()
			s.mu.Unlock()
		}
		from := d.lz.Pos()
		if err := d.lz.Step(); err != nil {
			return win, blockErr(num, stepErr(err))
		}
		d.chk.write(win[from:d.lz.Pos()])
		if d.progress != nil {
			d.progress(d.lz.Written(), b.hdr.size+d.lz.Consumed())
		}
	}
	tail := d.hbuf[:b.padded-b.dataEnd] // padding (< 4) and check (<= 32)
	if _, err := p.f.ReadAt(tail, info.offset+b.dataEnd); err != nil {
		return win, blockErr(num, xzErrorf("reading block: %v", err))
	}
	return win, d.finish(p, i, b, tail)
}
