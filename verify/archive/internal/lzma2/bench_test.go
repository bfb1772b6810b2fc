package lzma2

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
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

// xzBlockLZMA2 returns the raw LZMA2 data, the dictionary size and the
// uncompressed size of the first block of an xz file whose only filter is
// LZMA2 (a release tarball made by xz without -T), or fails the benchmark.
func xzBlockLZMA2(b *testing.B, file []byte) (src []byte, dictSize, size int) {
	const streamHeader, streamFooter = 12, 12
	if len(file) < streamHeader+streamFooter || string(file[1:6]) != "7zXZ\x00" {
		b.Fatal("not an xz file")
	}
	var h []byte
	i := 0
	varint := func() uint64 {
		var v uint64
		for s := 0; ; s += 7 {
			c := h[i]
			i++
			v |= uint64(c&0x7F) << s
			if c < 0x80 {
				return v
			}
		}
	}
	// The index, before the footer: indicator, record count, then the
	// first record's unpadded and uncompressed sizes.
	foot := file[len(file)-streamFooter:]
	indexSize := (int(foot[4]) | int(foot[5])<<8 | int(foot[6])<<16 | int(foot[7])<<24 + 1) * 4
	h, i = file[len(file)-streamFooter-indexSize:], 1
	varint()
	varint()
	size = int(varint())

	h, i = file[streamHeader:], 2
	hsize := (int(h[0]) + 1) * 4
	flags := h[1]
	if flags&3 != 0 {
		b.Fatal("more than one filter")
	}
	if flags&0x40 != 0 {
		varint() // compressed size
	}
	if flags&0x80 != 0 {
		varint() // uncompressed size
	}
	if id, n := varint(), varint(); id != 0x21 || n != 1 {
		b.Fatalf("filter %#x is not LZMA2", id)
	}
	p := h[i]
	dictSize = (2 | int(p)&1) << (p/2 + 11)
	return h[hsize:], dictSize, size
}

// BenchmarkDecodeXzFile decodes the first block of each single-block xz
// file named in LZMA2_BENCH_XZ (comma-separated, e.g. release tarballs)
// into one buffer; SetBytes is the uncompressed size. Compare with
// `xz -dc FILE >/dev/null` on the same machine.
func BenchmarkDecodeXzFile(b *testing.B) {
	names := os.Getenv("LZMA2_BENCH_XZ")
	if names == "" {
		b.Skip("LZMA2_BENCH_XZ not set")
	}
	for _, name := range strings.Split(names, ",") {
		b.Run(filepath.Base(name), func(b *testing.B) {
			file, err := os.ReadFile(name)
			if err != nil {
				b.Fatal(err)
			}
			src, dict, size := xzBlockLZMA2(b, file)
			// The pages of dst are touched before timing, so that the
			// figure is the decoder's, not the kernel's page faults.
			dst := make([]byte, size)
			for i := 0; i < len(dst); i += 4096 {
				dst[i] = 1
			}
			var d Decoder
			b.SetBytes(int64(size))
			b.ReportAllocs()
			defer reportCPU(b, cpuTime())
			for b.Loop() {
				d.Reset(dst, src, dict)
				for !d.Done() {
					if err := d.Step(); err != nil {
						b.Fatal(err)
					}
				}
			}
			if d.Written() != size {
				b.Fatalf("decoded %d bytes, the index says %d", d.Written(), size)
			}
		})
	}
}
