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
	gc     gcSetting
	limits limitSetting
}

// gcSetting is the GC target the phases raise, refcounted: runs (a batch
// verifies several at once) in a phase, and the value to restore after
// the last.
type gcSetting struct {
	n   int
	old int
	set bool // raised by the first run (not left to GOGC)
}

// enter raises the target for one more run, unless GOGC is set or the
// target is already higher.
func (s *gcSetting) enter() {
	if s.n++; s.n > 1 {
		return
	}
	s.set = false
	if os.Getenv("GOGC") != "" {
		return
	}
	old := debug.SetGCPercent(ClassifyGCPercent)
	if old >= 0 && old < ClassifyGCPercent {
		s.old, s.set = old, true
	} else {
		debug.SetGCPercent(old)
	}
}

// leave ends one run's use; the last restores the target.
func (s *gcSetting) leave() {
	if s.n--; s.n == 0 && s.set {
		debug.SetGCPercent(s.old)
	}
}

// limitSetting is the soft memory limits the runs in a phase ask for:
// the highest applies (never below the limit before the first), and
// that one is restored after the last.
type limitSetting struct {
	asked map[int64]int
	old   int64
}

func (s *limitSetting) enter(v int64) {
	if len(s.asked) == 0 {
		s.old = debug.SetMemoryLimit(-1)
		s.asked = map[int64]int{}
	}
	s.asked[v]++
	s.apply()
}

func (s *limitSetting) leave(v int64) {
	if s.asked[v]--; s.asked[v] == 0 {
		delete(s.asked, v)
	}
	if len(s.asked) == 0 {
		debug.SetMemoryLimit(s.old)
		return
	}
	s.apply()
}

func (s *limitSetting) apply() {
	target := s.old
	for v := range s.asked {
		target = max(target, v)
	}
	debug.SetMemoryLimit(target)
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
func ClassifyPhase() (restore func()) { return phase(ClassifyHeapSoftLimit) }

// ScanPhase raises the GC target as ClassifyPhase does, for build scripts
// scanned while the archive is still read (the scans make the same
// garbage), and the soft memory limit only as far as the archive's
// decoder leaves room under ClassifyHeapSoftLimit: buffers is what the
// decoder holds outside the heap (archive.File.DecodeBuffers), so heap
// and buffers stay within what the classification allows the heap alone.
// A decoder holding more than ClassifyHeapSoftLimit - HeapSoftLimit
// leaves the walk's limit as it is.
func ScanPhase(buffers int64) (restore func()) {
	limit := ClassifyHeapSoftLimit - buffers
	if limit <= HeapSoftLimit {
		limit = 0
	}
	return phase(limit)
}

// phase enters the GC target's phase and, when limit > 0, asks for that
// soft memory limit.
func phase(limit int64) (restore func()) {
	c := &classifying
	c.Lock()
	defer c.Unlock()
	c.gc.enter()
	if limit > 0 && os.Getenv("GOMEMLIMIT") != "" {
		limit = 0
	}
	if limit > 0 {
		c.limits.enter(limit)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			c.Lock()
			defer c.Unlock()
			c.gc.leave()
			if limit > 0 {
				c.limits.leave(limit)
			}
		})
	}
}
