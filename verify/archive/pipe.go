package archive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// Pipeline buffers: decompression runs ahead of parsing and hashing by at
// most pipeChunks*pipeChunkSize bytes.
const (
	pipeChunkSize = 256 << 10
	pipeChunks    = 8
)

type chunk struct {
	buf []byte
	err error
}

// pipe runs a decompressor on its own goroutine and hands its output, in
// order, to the consuming goroutine through a bounded set of reused
// buffers. It enforces the unpacked-size and ratio limits.
type pipe struct {
	ch   chan chunk
	free chan []byte
	done chan struct{}
	wg   sync.WaitGroup
	stop sync.Once

	cur []byte
	off int
	err error

	unpacked   atomic.Int64
	compressed *atomic.Int64 // maintained by the source side
	lim        Limits
	prefix     string // error context, e.g. "tar.xz"
}

// opener creates the decompressing reader; it runs on the producer
// goroutine, so header parsing also happens there. The returned close
// function releases decoder resources (goroutines).
type opener func() (io.Reader, func(), error)

func newPipe(ctx context.Context, prefix string, lim Limits, compressed *atomic.Int64, open opener) *pipe {
	p := &pipe{
		ch:         make(chan chunk, pipeChunks),
		free:       make(chan []byte, pipeChunks+1),
		done:       make(chan struct{}),
		compressed: compressed,
		lim:        lim,
		prefix:     prefix,
	}
	for range pipeChunks {
		p.free <- make([]byte, pipeChunkSize)
	}
	p.wg.Add(1)
	go p.produce(ctx, open)
	return p
}

// send delivers a chunk unless the consumer has gone away.
func (p *pipe) send(ctx context.Context, c chunk) bool {
	select {
	case p.ch <- c:
		return true
	case <-p.done:
		return false
	case <-ctx.Done():
		select {
		case p.ch <- chunk{err: ctx.Err()}:
		case <-p.done:
		}
		return false
	}
}

func (p *pipe) produce(ctx context.Context, open opener) {
	defer p.wg.Done()
	defer func() {
		if v := recover(); v != nil {
			p.send(ctx, chunk{err: fmt.Errorf("%s: %w", p.prefix, corrupt(fmt.Errorf("decoder panic: %v", v)))})
		}
	}()
	src, closeFn, err := open()
	if err != nil {
		p.send(ctx, chunk{err: p.wrap(err)})
		return
	}
	if closeFn != nil {
		defer closeFn()
	}
	for {
		var buf []byte
		select {
		case buf = <-p.free:
		case <-p.done:
			return
		case <-ctx.Done():
			p.send(ctx, chunk{err: ctx.Err()})
			return
		}
		n, err := fill(src, buf)
		total := p.unpacked.Add(int64(n))
		if err == nil || err == io.EOF {
			if lerr := checkUnpacked(total, p.compressed.Load(), p.lim); lerr != nil {
				err = fmt.Errorf("%s: %w", p.prefix, lerr)
			}
		} else if ctx.Err() == nil {
			err = p.wrap(err)
		}
		if !p.send(ctx, chunk{buf: buf[:n], err: err}) || err != nil {
			return
		}
	}
}

// wrap adds the format prefix and marks decoder errors as corruption.
func (p *pipe) wrap(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("%s: %w", p.prefix, corrupt(err))
}

// checkUnpacked applies MaxUnpackedBytes and MaxRatio.
func checkUnpacked(unpacked, compressed int64, lim Limits) error {
	if unpacked > lim.MaxUnpackedBytes {
		return fmt.Errorf("%w: more than %d bytes unpacked", ErrLimit, lim.MaxUnpackedBytes)
	}
	if unpacked > RatioGrace && float64(unpacked) > lim.MaxRatio*float64(max(compressed, 1)) {
		return fmt.Errorf("%w: compression ratio above %g (%d bytes from %d)", ErrLimit, lim.MaxRatio, unpacked, compressed)
	}
	return nil
}

// fill reads into buf until it is full or src fails; io.EOF is returned
// as is, also after a partial read.
func fill(src io.Reader, buf []byte) (int, error) {
	n := 0
	stalls := 0
	for n < len(buf) {
		k, err := src.Read(buf[n:])
		n += k
		if err != nil {
			return n, err
		}
		if k == 0 {
			stalls++
			if stalls > 100 {
				return n, io.ErrNoProgress
			}
		}
	}
	return n, nil
}

// Read implements io.Reader for the consumer goroutine.
func (p *pipe) Read(b []byte) (int, error) {
	for p.off == len(p.cur) {
		if p.err != nil {
			return 0, p.err
		}
		if p.cur != nil {
			p.free <- p.cur[:cap(p.cur)]
			p.cur = nil
		}
		c := <-p.ch
		p.cur, p.off, p.err = c.buf, 0, c.err
	}
	n := copy(b, p.cur[p.off:])
	p.off += n
	return n, nil
}

// close stops the producer and waits for it: no goroutine outlives a walk.
func (p *pipe) close() {
	p.stop.Do(func() { close(p.done) })
	p.wg.Wait()
}

// startProgress calls fn with the value of n every ProgressInterval, on
// its own goroutine, when n has grown. The returned stop function ends
// that goroutine, waits for it, and makes the final call with final
// (when it is larger than the last value reported). fn may be nil.
func startProgress(fn func(int64), n *atomic.Int64) (stop func(final int64)) {
	if fn == nil {
		return func(int64) {}
	}
	var last int64
	done := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		t := time.NewTicker(ProgressInterval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if v := n.Load(); v > last {
					last = v
					fn(v)
				}
			}
		}
	}()
	var once sync.Once
	return func(final int64) {
		once.Do(func() {
			close(done)
			<-exited
			if final > last {
				last = final
				fn(final)
			}
		})
	}
}

// countingReader counts bytes read from the compressed source.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n.Add(int64(n))
	return n, err
}
