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
	// memory; files with larger blocks (xz -T0 makes blocks of three
	// dictionaries: 24 MiB at the default -6, 48 MiB at -7, 192 MiB at
	// -9) take the sequential path, which needs one dictionary. Blocks
	// up to xzParallelMemory/2 are decoded two at a time; larger ones one
	// at a time (still with the fast decoder, but alternating with the
	// tar walk), so the block buffers never exceed xzParallelMemory and
	// peak RSS stays below 150 MiB (bench/run.sh).
	xzMaxParallelBlock = xzParallelMemory
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
	err     error
}

// scanXzIndex parses the footer and index at the end of a file holding
// one xz stream and returns the block layout. ok is false when the file
// is not suited to the block decoder (several streams, stream padding,
// huge blocks) or its tail is malformed: the sequential decoder then
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
		if rec.uncompressed > xzMaxParallelBlock || rec.unpadded > xzMaxParallelBlock+(1<<20) {
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
	if len(blocks) == 1 {
		// One block: nothing to decode in parallel, but the block decoder
		// is about 2.4 times faster than the sequential one and allocates
		// nothing (BenchmarkDecode). The block is streamed as it decodes
		// (the one-block mode), in one buffer within the budget.
		if largest > budget {
			return nil, false
		}
		inflight = 1
	}
	nw = min(nw, inflight) // a worker without a buffer to fill would only hold a compressed block
	return &parallelXz{
		f: f, size: size, check: check, blocks: blocks, indexLen: indexLen,
		lim: opts.Limits.withDefaults(), workers: nw, inflight: inflight,
		bufs: blockBuffers{size: int(largest)}, inBufs: blockBuffers{size: int(largestIn)},
	}, true
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
	// after each LZMA2 chunk.
	progress func(written int)
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
	padded := (info.unpadded + 3) &^ 3
	if int64(cap(d.in)) < padded {
		d.in = make([]byte, padded)
	}
	d.in = d.in[:padded]
	if _, err := p.f.ReadAt(d.in, info.offset); err != nil {
		return buf, blockErr(num, xzErrorf("reading block: %v", err))
	}
	d.br.Reset(d.in)
	first, err := d.br.ReadByte()
	if err != nil || first == 0 {
		return buf, blockErr(num, xzErrorf("no block header where the index puts one"))
	}
	hdr, err := readXzBlockHeader(&d.br, first, &d.hbuf)
	if err != nil {
		return buf, blockErr(num, err)
	}
	csize, _ := xzCheckSize(p.check)
	wantC := info.unpadded - int64(hdr.size) - int64(csize)
	if wantC <= 0 || (hdr.compressedSize >= 0 && hdr.compressedSize != wantC) ||
		(hdr.uncompressedSize >= 0 && hdr.uncompressedSize != info.uncompressed) {
		return buf, blockErr(num, xzErrorf("block header sizes disagree with the index"))
	}
	if hdr.dictSize > p.lim.MaxDictSize {
		return buf, blockErr(num, fmt.Errorf("%w: xz dictionary of %d bytes (max %d)", ErrLimit, hdr.dictSize, p.lim.MaxDictSize))
	}
	if int64(cap(buf)) < info.uncompressed {
		return buf, blockErr(num, xzErrorf("block larger than the index says"))
	}
	buf = buf[:info.uncompressed]
	dataEnd := int64(hdr.size) + wantC
	d.lz.Reset(buf, d.in[hdr.size:dataEnd], int(hdr.dictSize))
	for !d.lz.Done() {
		select {
		case <-p.done:
			return buf, blockErr(num, fmt.Errorf("canceled"))
		default:
		}
		if err := d.lz.Step(); err != nil {
			if errors.Is(err, lzma2.ErrOutputFull) {
				return buf, blockErr(num, xzErrorf("longer than the index says"))
			}
			return buf, blockErr(num, xzErrorf("%v", err))
		}
		if d.progress != nil {
			d.progress(d.lz.Written())
		}
	}
	if d.lz.Written() != len(buf) {
		return buf, blockErr(num, xzErrorf("shorter than the index says"))
	}
	if int64(d.lz.Consumed()) != wantC {
		return buf, blockErr(num, xzErrorf("compressed size %d, index says %d", d.lz.Consumed(), wantC))
	}
	for _, c := range d.in[dataEnd : padded-int64(csize)] {
		if c != 0 {
			return buf, blockErr(num, xzErrorf("non-zero padding"))
		}
	}
	d.chk.reset(p.check)
	d.chk.write(buf)
	if !d.chk.matches(d.in[padded-int64(csize):]) {
		return buf, blockErr(num, xzErrorf("check mismatch (corrupt data)"))
	}
	return buf, nil
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
type xzStream struct {
	mu     sync.Mutex
	cond   sync.Cond
	buf    []byte // the block buffer
	block  int    // the block being decoded, or last decoded
	avail  int    // bytes of it decoded so far
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
	buf := p.bufs.get()
	d.progress = func(n int) {
		s.mu.Lock()
		s.avail = n
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
		s.buf, s.block, s.avail, s.done, s.err = buf, i, 0, false, nil
		s.mu.Unlock()
		_, err := d.decode(p, i, buf)
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
		buf, avail, done, err := s.buf, s.avail, s.done, s.err
		s.mu.Unlock()
		if p.off < avail {
			n := copy(b, buf[p.off:avail])
			p.off += n
			return n, nil
		}
		if err != nil {
			p.err = err
			return 0, err
		}
		if done {
			if p.compressed != nil {
				p.compressed.Add((p.blocks[p.next].unpadded + 3) &^ 3)
			}
			p.next++
			p.off = 0
			s.mu.Lock()
			s.read = p.next
			s.cond.Broadcast()
			s.mu.Unlock()
		}
	}
}
