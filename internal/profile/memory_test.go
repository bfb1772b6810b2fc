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

// TestScanPhase: the early scans raise the GC target, and the limit only
// as far as the decoder's buffers leave room under the classification's
// (none for a decoder holding more than the difference); overlapping
// phases get the highest limit asked, and each setting is restored when
// the last phase asking for it ends.
func TestScanPhase(t *testing.T) {
	want := walkSettings(t)
	const small, large = 13 << 20, 60 << 20
	endBig := ScanPhase(large + 10<<20)
	want("a decoder holding 70 MiB", ClassifyGCPercent, HeapSoftLimit)
	endBig()
	want("after it", 25, HeapSoftLimit)

	endScan := ScanPhase(large)
	want("a decoder holding 60 MiB", ClassifyGCPercent, ClassifyHeapSoftLimit-large)
	endSmall := ScanPhase(small)
	want("and another holding 13 MiB", ClassifyGCPercent, ClassifyHeapSoftLimit-small)
	endClassify := ClassifyPhase()
	want("and a classification", ClassifyGCPercent, ClassifyHeapSoftLimit)
	endClassify()
	endClassify()
	want("the classification over", ClassifyGCPercent, ClassifyHeapSoftLimit-small)
	endSmall()
	want("the 13 MiB scans over", ClassifyGCPercent, ClassifyHeapSoftLimit-large)
	endScan()
	want("after all", 25, HeapSoftLimit)

	t.Setenv("GOMEMLIMIT", "1GiB")
	end := ScanPhase(0)
	want("GOMEMLIMIT set", ClassifyGCPercent, HeapSoftLimit)
	end()
	want("GOMEMLIMIT set, after", 25, HeapSoftLimit)
}
