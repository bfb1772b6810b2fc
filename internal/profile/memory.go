package profile

import (
	"os"
	"runtime/debug"
	"sync"
)

// HeapSoftLimit is the Go runtime's soft memory limit SetMemoryDefaults sets.
const HeapSoftLimit = 96 << 20

// HugeHeapBytes is the heap address space ReserveHugeHeap maps for huge
// pages: a GNU release's peak heap (bench/: 30-60 MiB), and below
// HeapSoftLimit so that the freed reservation does not make the runtime
// scavenge at once to get under the limit.
const HugeHeapBytes = 64 << 20

// SetMemoryDefaults tunes the garbage collector for tarcheck, unless GOGC
// or GOMEMLIMIT say otherwise.
//
// The heap holds compact per-path indexes of the release (about 130 bytes a
// file, in pointer-free chunks the collector need not scan) and the
// contents of differing files (at most 96 MiB, verify/compare), and little
// garbage once archive decoding is allocation-free. A tight GC target keeps
// peak memory close to what is live at no measurable CPU cost (GOGC 25
// against 100: -15 MiB at 320,000 files, same wall time), and a soft limit
// stops the collector's headroom from growing on huge trees (640,000 files:
// 152 -> 136 MiB peak RSS; bench/run.sh). The xz block buffers are mapped
// outside it. When more than the limit is live (many large differing files
// kept), the runtime caps the collector at half the CPU.
func SetMemoryDefaults() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(25)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(HeapSoftLimit)
	}
}

// ClassifyGCPercent is the GC target while the differing files are
// classified (ClassifyPhase).
const ClassifyGCPercent = 100

// ClassifyHeapSoftLimit is the soft memory limit while the differing files
// are classified (ClassifyPhase): what the comparison keeps of them (up to
// 96 MiB, verify/compare) comes on top of the heap HeapSoftLimit was set
// for. At HeapSoftLimit, a release that keeps much (gettext 0.23.1: 5,500
// files only in the tarball) ran the collector at its CPU cap for the
// whole step: 4.4 s wall, 7.3 s CPU, 186 MiB peak RSS, against 3.0 s,
// 4.5 s and 208 MiB at this limit (and 3.1 s, 4.7 s, 264-283 MiB at none).
const ClassifyHeapSoftLimit = 160 << 20

var classifying struct {
	sync.Mutex
	n               int // runs in the phase (a batch verifies several at once)
	gcPercent       int
	limit           int64
	setGC, setLimit bool
}

// ClassifyPhase raises the GC target to ClassifyGCPercent, unless GOGC says
// otherwise, and the soft memory limit to ClassifyHeapSoftLimit, unless
// GOMEMLIMIT does, and returns the function that restores them once no run
// of the process is classifying any more. Classification (shell parses and
// flow analyses of configure and Makefile.in, catalogs decoded) makes much
// short-lived garbage beside a heap of a few tens of MiB and the kept
// contents: at GOGC 25 the collector ran every few MiB and took 10-15% of
// the CPU of a real release. The archive pass is over by then (its xz
// buffers released), and the raised limit still caps the heap.
func ClassifyPhase() (restore func()) {
	c := &classifying
	c.Lock()
	defer c.Unlock()
	if c.n == 0 {
		c.setGC, c.setLimit = false, false
		if os.Getenv("GOGC") == "" {
			if old := debug.SetGCPercent(ClassifyGCPercent); old >= 0 && old < ClassifyGCPercent {
				c.gcPercent, c.setGC = old, true
			} else {
				debug.SetGCPercent(old)
			}
		}
		if os.Getenv("GOMEMLIMIT") == "" {
			if old := debug.SetMemoryLimit(-1); old < ClassifyHeapSoftLimit {
				debug.SetMemoryLimit(ClassifyHeapSoftLimit)
				c.limit, c.setLimit = old, true
			}
		}
	}
	c.n++
	var once sync.Once
	return func() {
		once.Do(func() {
			c.Lock()
			defer c.Unlock()
			if c.n--; c.n > 0 {
				return
			}
			if c.setGC {
				debug.SetGCPercent(c.gcPercent)
			}
			if c.setLimit {
				debug.SetMemoryLimit(c.limit)
			}
		})
	}
}
