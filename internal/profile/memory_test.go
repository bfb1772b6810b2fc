package profile

import (
	"runtime/debug"
	"testing"
)

func gcPercent() int {
	v := debug.SetGCPercent(100)
	debug.SetGCPercent(v)
	return v
}

func memoryLimit() int64 { return debug.SetMemoryLimit(-1) }

// walkSettings sets the walk's GC target and limit (25, HeapSoftLimit)
// for the test, GOGC and GOMEMLIMIT unset, and returns the check of the
// settings in force.
func walkSettings(t *testing.T) func(when string, gc int, limit int64) {
	old, oldLimit := debug.SetGCPercent(25), debug.SetMemoryLimit(HeapSoftLimit)
	t.Cleanup(func() { debug.SetGCPercent(old); debug.SetMemoryLimit(oldLimit) })
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	return func(when string, gc int, limit int64) {
		t.Helper()
		if g, l := gcPercent(), memoryLimit(); g != gc || l != limit {
			t.Errorf("%s: GOGC %d, limit %d MiB; want %d, %d MiB", when, g, l>>20, gc, limit>>20)
		}
	}
}

// TestClassifyPhase checks that the classification settings hold while any
// run classifies (a batch classifies several releases at once), are
// restored after the last, and are left alone when GOGC or GOMEMLIMIT say
// otherwise.
func TestClassifyPhase(t *testing.T) {
	want := walkSettings(t)
	endA := ClassifyPhase()
	want("one run classifying", ClassifyGCPercent, ClassifyHeapSoftLimit)
	endB := ClassifyPhase()
	endA()
	endA() // a second call is a no-op
	want("the other run still classifying", ClassifyGCPercent, ClassifyHeapSoftLimit)
	endB()
	want("after the last run", 25, HeapSoftLimit)

	t.Setenv("GOGC", "50")
	t.Setenv("GOMEMLIMIT", "1GiB")
	end := ClassifyPhase()
	want("GOGC and GOMEMLIMIT set", 25, HeapSoftLimit)
	end()
	want("GOGC and GOMEMLIMIT set, after", 25, HeapSoftLimit)
}

// TestScanPhase: the early scans raise the GC target only; with a
// classification overlapping them, the limit is the classification's
// until it ends, and the target stays raised until both have ended.
func TestScanPhase(t *testing.T) {
	want := walkSettings(t)
	endScan := ScanPhase()
	want("scanning while the archive is read", ClassifyGCPercent, HeapSoftLimit)
	endClassify := ClassifyPhase()
	want("classifying", ClassifyGCPercent, ClassifyHeapSoftLimit)
	endScan()
	endScan()
	want("classifying, the early scans over", ClassifyGCPercent, ClassifyHeapSoftLimit)
	endClassify()
	want("after both", 25, HeapSoftLimit)
	endClassify = ClassifyPhase()
	endScan = ScanPhase()
	endClassify()
	want("scanning after the classification ended", ClassifyGCPercent, HeapSoftLimit)
	endScan()
	want("after both, in the other order", 25, HeapSoftLimit)
}
