package lzma2

import (
	"bytes"
	"io"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ulikunitz/xz/lzma"
)

var (
	benchOnce sync.Once
	benchSrc  []byte
	benchData []byte
)

// benchStream returns a raw LZMA2 stream of 16 MiB of source-like data
// made like a kernel release block (xz -3), or, when LZMA2_BENCH_FILE
// names a raw LZMA2 file and LZMA2_BENCH_SIZE is unset, that stream.
func benchStream(b *testing.B) ([]byte, []byte) {
	benchOnce.Do(func() {
		if name := os.Getenv("LZMA2_BENCH_FILE"); name != "" {
			src, err := os.ReadFile(name)
			if err != nil {
				b.Fatal(err)
			}
			benchSrc = src
			benchData = runXz(b, src, "--format=raw", "--lzma2=preset=3", "-dc")
			return
		}
		benchData = sourceLike(16<<20, 42)
		benchSrc = rawLZMA2(b, benchData, "preset=3")
	})
	return benchSrc, benchData
}

// cpuTime returns the process's user+system CPU time; benchmarks report
// it per operation as well, since the machine may be shared and wall
// time then includes waiting for a core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

// BenchmarkDecode measures this decoder on one block; SetBytes is the
// uncompressed size, so MB/s is output speed.
func BenchmarkDecode(b *testing.B) {
	src, data := benchStream(b)
	dst := make([]byte, len(data))
	var d Decoder
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	defer reportCPU(b, cpuTime())
	for b.Loop() {
		d.Reset(dst, src, 8<<20)
		for !d.Done() {
			if err := d.Step(); err != nil {
				b.Fatal(err)
			}
		}
	}
	if !bytes.Equal(dst, data) {
		b.Fatal("output differs")
	}
}

// BenchmarkDecodeUlikunitz is the same block through
// github.com/ulikunitz/xz/lzma, for comparison.
func BenchmarkDecodeUlikunitz(b *testing.B) {
	src, data := benchStream(b)
	dst := make([]byte, len(data))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	defer reportCPU(b, cpuTime())
	for b.Loop() {
		r, err := lzma.Reader2Config{DictCap: 8 << 20}.NewReader2(bytes.NewReader(src))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(r, dst); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeWindow is BenchmarkDecode through a window of the
// dictionary plus 4 MiB (the xz reader's window for blocks too large
// for one buffer).
func BenchmarkDecodeWindow(b *testing.B) {
	src, data := benchStream(b)
	const dict = 8 << 20
	dst := make([]byte, dict+4<<20)
	var d Decoder
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	defer reportCPU(b, cpuTime())
	for b.Loop() {
		d.ResetWindow(dst, src, dict, len(data))
		for !d.Done() {
			if d.Free() < MaxChunk {
				d.Slide()
			}
			if err := d.Step(); err != nil {
				b.Fatal(err)
			}
		}
	}
	if d.Written() != len(data) {
		b.Fatal("output size differs")
	}
}
