package archive

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
)

const (
	// xzMaxParallelBlock is the largest block the parallel decoder holds
	// in memory; files with larger blocks (xz -T0 -9 makes 192 MiB blocks)
	// take the sequential path, keeping memory bounded.
	xzMaxParallelBlock = 64 << 20
	// xzDecodeStep is how much a worker decodes between cancellation
	// checks.
	xzDecodeStep = 1 << 20
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
// are decoded or waiting at any time, which bounds memory to about
// inflight*blockSize plus one dictionary per worker.
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
	sem     chan struct{}
	jobs    chan int
	slots   []chan xzBlockResult
	pool    chan []byte
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
// is not suited to parallel decoding (one block, several streams, stream
// padding, huge blocks) or its tail is malformed: the sequential decoder
// then decodes it and reports any error precisely.
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
	if err != nil || n != foot.indexSize || off != indexPos || len(blocks) < 2 {
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

// newParallelXz prepares parallel decoding of f, or returns false when
// the sequential path must be used.
func newParallelXz(f io.ReaderAt, size int64, opts Options) (*parallelXz, bool) {
	check, blocks, indexLen, ok := scanXzIndex(f, size)
	if !ok {
		return nil, false
	}
	nw := workers(opts)
	return &parallelXz{
		f: f, size: size, check: check, blocks: blocks, indexLen: indexLen,
		lim: opts.Limits.withDefaults(), workers: nw, inflight: nw + 1,
	}, true
}

func (p *parallelXz) begin() {
	p.started = true
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
	d.blk.check = &d.chk
	for i := range p.jobs {
		var buf []byte
		select {
		case buf = <-p.pool:
		default:
		}
		buf, err := d.decode(p, i, buf)
		p.slots[i%p.inflight] <- xzBlockResult{buf: buf, err: err}
	}
}

// xzBlockDecoder is one worker's reusable decoding state.
type xzBlockDecoder struct {
	in   []byte // the whole compressed block
	br   bytes.Reader
	blk  xzBlockReader
	chk  xzCheck
	hbuf [1024]byte
}

// decode decodes block i into buf (grown as needed) and verifies it
// against its header, its check and the index.
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
	hdr.compressedSize, hdr.uncompressedSize = wantC, info.uncompressed
	d.blk.num, d.blk.hdr = num, hdr
	if err := d.blk.start(&d.br, p.check, p.lim); err != nil {
		return buf, err
	}
	if int64(cap(buf)) < info.uncompressed {
		buf = make([]byte, info.uncompressed)
	}
	buf = buf[:info.uncompressed]
	for off := 0; off < len(buf); {
		select {
		case <-p.done:
			return buf, blockErr(num, fmt.Errorf("canceled"))
		default:
		}
		end := min(off+xzDecodeStep, len(buf))
		if _, err := io.ReadFull(&d.blk, buf[off:end]); err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return buf, blockErr(num, xzErrorf("shorter than the index says"))
			}
			return buf, err
		}
		off = end
	}
	var one [1]byte
	if n, err := d.blk.Read(one[:]); n != 0 || err != io.EOF {
		if err == nil || err == io.EOF {
			err = blockErr(num, xzErrorf("longer than the index says"))
		}
		return buf, err
	}
	return buf, nil
}

// Read delivers the decoded blocks in order.
func (p *parallelXz) Read(b []byte) (int, error) {
	if !p.started {
		p.begin()
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

// close stops the workers and waits for them.
func (p *parallelXz) close() {
	if !p.started {
		return
	}
	p.stop.Do(func() { close(p.done) })
	p.wg.Wait()
}
