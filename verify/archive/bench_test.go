package archive

import (
	"archive/tar"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	benchOnce sync.Once
	benchPath string
	benchSize int64
	benchErr  error
)

// benchTarXz builds (once) a multi-block .tar.xz of about 48 MiB unpacked
// in ~3000 files, with the xz CLI ("xz -T0 --block-size=4MiB", like a
// threaded release build) or, without it, the Go writer.
func benchTarXz(b *testing.B) (string, int64) {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "archive-bench")
		if err != nil {
			benchErr = err
			return
		}
		var ms []member
		var size int64
		for i := 0; size < 48<<20; i++ {
			body := xzPayload(2000 + (i*7919)%60000)
			if i%10 == 0 {
				body = append(body, randomBytes(4000, uint64(i))...)
			}
			ms = append(ms, member{name: fmt.Sprintf("linux-6.0/dir%03d/file%05d.c", i%200, i), typ: tar.TypeReg, mode: 0o644, body: body})
			size += int64(len(body))
		}
		tarData := makeTar(b, ms)
		benchSize = int64(len(tarData))
		var xzData []byte
		if _, err := exec.LookPath("xz"); err == nil {
			xzData = runFilter(b, tarData, "xz", "-T0", "--block-size=4MiB", "-c")
		} else {
			xzData = xzBytes(b, tarData, 4<<20)
		}
		benchPath = filepath.Join(dir, "bench.tar.xz")
		benchErr = os.WriteFile(benchPath, xzData, 0o644)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchPath, benchSize
}

// cpuTime returns the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds a cpu-ms/op metric: on a loaded machine wall time is
// noise, CPU time shows the work done.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64((cpuTime()-start).Milliseconds())/float64(b.N), "cpu-ms/op")
}

// BenchmarkWalkTarXz walks a multi-block .tar.xz end to end (decode, tar,
// blob ids); MB/s is of unpacked tar bytes.
func BenchmarkWalkTarXz(b *testing.B) {
	for _, tc := range []struct {
		name    string
		workers int
	}{{"sequential", 1}, {"parallel", 0}} {
		b.Run(tc.name, func(b *testing.B) {
			p, size := benchTarXz(b)
			b.SetBytes(size)
			b.ReportAllocs()
			start := cpuTime()
			for b.Loop() {
				if _, err := WalkFile(context.Background(), p, Options{Workers: tc.workers}, func(*Entry) error { return nil }); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, start)
		})
	}
}

// BenchmarkXzDecode measures the decoders alone.
func BenchmarkXzDecode(b *testing.B) {
	p, size := benchTarXz(b)
	data, err := os.ReadFile(p)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("sequential", func(b *testing.B) {
		b.SetBytes(size)
		start := cpuTime()
		for b.Loop() {
			if _, err := decodeSequential(data); err != nil {
				b.Fatal(err)
			}
		}
		reportCPU(b, start)
	})
	b.Run("parallel", func(b *testing.B) {
		b.SetBytes(size)
		start := cpuTime()
		for b.Loop() {
			if _, ok, err := decodeParallel(b, data, 0); !ok || err != nil {
				b.Fatal(ok, err)
			}
		}
		reportCPU(b, start)
	})
}

// BenchmarkXzCLI is the floor: liblzma on all cores ("xz -dc -T0").
func BenchmarkXzCLI(b *testing.B) {
	if _, err := exec.LookPath("xz"); err != nil {
		b.Skip("xz not installed")
	}
	p, size := benchTarXz(b)
	b.SetBytes(size)
	for b.Loop() {
		if err := exec.Command("xz", "-dc", "-T0", p).Run(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWalkTarGz is the walker and hashing without xz in the way.
func BenchmarkWalkTarGz(b *testing.B) {
	p, _ := benchTarXz(b)
	data, err := os.ReadFile(p)
	if err != nil {
		b.Fatal(err)
	}
	raw, err := decodeSequential(data)
	if err != nil {
		b.Fatal(err)
	}
	gz := filepath.Join(b.TempDir(), "x.tar.gz")
	if err := os.WriteFile(gz, gzipBytes(b, raw), 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := WalkFile(context.Background(), gz, Options{}, func(*Entry) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}
