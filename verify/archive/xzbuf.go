package archive

import "sync"

// xzParallelMemory is the memory the parallel xz decoder may hold in
// block buffers; it bounds the number of blocks in flight (at least two).
const xzParallelMemory = 64 << 20

// blockBuffers hands out the output buffers of the parallel xz decoder,
// each of one size (the largest block's). Where the platform allows they
// are mapped outside the Go heap: they are the decoder's largest and
// longest-lived allocation, and on the heap they would let the garbage
// collector grow the rest of the heap by as much again before it runs.
// release returns the memory; no buffer may be used after it.
type blockBuffers struct {
	size   int
	mu     sync.Mutex
	mapped [][]byte // the mappings behind the buffers handed out
}

// get returns a new buffer of b.size bytes.
func (b *blockBuffers) get() []byte { return b.getN(b.size) }

// getN returns a new buffer of n bytes.
func (b *blockBuffers) getN(n int) []byte {
	buf, mapping, mapped := allocBlockBuffer(n)
	if mapped {
		b.mu.Lock()
		b.mapped = append(b.mapped, mapping)
		b.mu.Unlock()
	}
	return buf
}

// release frees all mapped buffers.
func (b *blockBuffers) release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, buf := range b.mapped {
		freeBlockBuffer(buf)
	}
	b.mapped = nil
}
