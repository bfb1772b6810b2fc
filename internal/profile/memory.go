package profile

import (
	"os"
	"runtime/debug"
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

// ClassifyPhase raises the GC target to ClassifyGCPercent, unless GOGC says
// otherwise, and returns the function that restores it. Classification
// (shell parses and flow analyses of configure and Makefile.in, catalogs
// decoded) makes much short-lived garbage beside a heap of a few tens of
// MiB: at GOGC 25 the collector ran every few MiB and took 10-15% of the CPU
// of a real release. The archive pass is over by then (its xz buffers
// released), and the soft limit still caps the heap.
func ClassifyPhase() (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(ClassifyGCPercent)
	if old < 0 || old >= ClassifyGCPercent {
		debug.SetGCPercent(old)
		return func() {}
	}
	return func() { debug.SetGCPercent(old) }
}
