package sandbox

import (
	"io"
	"sync"
)

// capture keeps the first limit bytes of a command's stdout and stderr, interleaved
// in arrival order, forwards the same bytes to optional writers, and drops the rest.
type capture struct {
	mu        sync.Mutex
	limit     int64
	buf       []byte
	truncated bool
}

// stream returns the writer for one of the command's output streams.
func (c *capture) stream(forward io.Writer) io.Writer {
	return &captureStream{c: c, forward: forward}
}

func (c *capture) result() ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf, c.truncated
}

type captureStream struct {
	c       *capture
	forward io.Writer
}

// Write never fails, so that the command's output is always drained.
func (s *captureStream) Write(p []byte) (int, error) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	keep := p
	if room := c.limit - int64(len(c.buf)); int64(len(keep)) > room {
		keep = keep[:max(room, 0)]
		c.truncated = true
	}
	if len(keep) > 0 {
		c.buf = append(c.buf, keep...)
		if s.forward != nil {
			_, _ = s.forward.Write(keep)
		}
	}
	return len(p), nil
}

// limitedBuffer keeps the first limit bytes written to it and drops the rest.
type limitedBuffer struct {
	limit int
	buf   []byte
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.limit - len(b.buf); room > 0 {
		b.buf = append(b.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}
