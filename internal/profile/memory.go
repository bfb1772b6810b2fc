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
	gc, limit phaseSetting
}

// phaseSetting is one runtime setting a phase raises, refcounted: runs
// (a batch verifies several at once) in phases that want it, and the
// value to restore after the last.
type phaseSetting struct {
	n   int
	old int64
	set bool // raised by the first run (not left to GOGC/GOMEMLIMIT)
}

// enter raises the setting for one more run: the first applies raise,
// which returns the value to restore and whether it changed anything.
func (s *phaseSetting) enter(raise func() (old int64, set bool)) {
	if s.n == 0 {
		s.old, s.set = raise()
	}
	s.n++
}

// leave ends one run's use; the last restores the setting.
func (s *phaseSetting) leave(restore func(old int64)) {
	if s.n--; s.n == 0 && s.set {
		restore(s.old)
	}
}

func raiseGC() (int64, bool) {
	if os.Getenv("GOGC") != "" {
		return 0, false
	}
	old := debug.SetGCPercent(ClassifyGCPercent)
	if old >= 0 && old < ClassifyGCPercent {
		return int64(old), true
	}
	debug.SetGCPercent(old)
	return 0, false
}

func raiseLimit() (int64, bool) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return 0, false
	}
	old := debug.SetMemoryLimit(-1)
	if old < ClassifyHeapSoftLimit {
		debug.SetMemoryLimit(ClassifyHeapSoftLimit)
		return old, true
	}
	return 0, false
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
func ClassifyPhase() (restore func()) { return phase(true) }

// ScanPhase raises only the GC target, as ClassifyPhase does, for build
// scripts scanned while the archive is still read: the scans make the
// same garbage, but the archive's buffers are still held, so the soft
// memory limit stays the walk's (HeapSoftLimit) and the peak with it.
func ScanPhase() (restore func()) { return phase(false) }

func phase(limit bool) (restore func()) {
	c := &classifying
	c.Lock()
	defer c.Unlock()
	c.gc.enter(raiseGC)
	if limit {
		c.limit.enter(raiseLimit)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			c.Lock()
			defer c.Unlock()
			c.gc.leave(func(old int64) { debug.SetGCPercent(int(old)) })
			if limit {
				c.limit.leave(func(old int64) { debug.SetMemoryLimit(old) })
			}
		})
	}
}
