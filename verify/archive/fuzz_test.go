package archive

import (
	"bytes"
	"context"
	"os/exec"
	"testing"
	"time"
)

// fuzzLimits keep fuzzing iterations small.
func fuzzLimits() Limits {
	return Limits{MaxUnpackedBytes: 4 << 20, MaxEntrySize: 1 << 20, MaxEntries: 1000,
		MaxPathLen: 1024, MaxPathDepth: 64, MaxRatio: 1000, MaxPaxHeader: 64 << 10, MaxDictSize: 4 << 20}
}

// FuzzWalk walks arbitrary bytes as an archive of any format: it must
// return (an error is fine) without panicking or hanging.
func FuzzWalk(f *testing.F) {
	ms := standardMembers()[:6]
	for _, format := range allFormats {
		if format == FormatTarBz2 {
			if _, err := exec.LookPath("bzip2"); err != nil {
				continue
			}
		}
		f.Add(build(f, format, ms))
	}
	f.Add(xzBytes(f, makeTar(f, ms), 512))
	f.Add(tarWithGlobal(f, true)) // git archive's commit comment
	f.Fuzz(func(t *testing.T, data []byte) {
		timer := time.AfterFunc(8*time.Second, func() { panic("slow input") })
		defer timer.Stop()
		opts := Options{Limits: fuzzLimits(), Workers: 2}
		fn := func(e *Entry) error { return nil }
		format, err := Detect(data)
		if err != nil {
			return
		}
		// WalkBytes: zip through walkZip, everything else through Walk
		// (the tag's archives that provenance opens are read this way).
		WalkBytes(context.Background(), data, opts, fn)
		if format == FormatZip {
			return
		}
		if format == FormatTarXz {
			if px, ok := newParallelXz(bytes.NewReader(data), int64(len(data)), opts); ok {
				buf := make([]byte, 64<<10)
				for {
					if _, err := px.Read(buf); err != nil {
						break
					}
				}
				px.close()
			}
		}
	})
}

// FuzzXzIndex feeds arbitrary bytes to the xz block header, index and
// footer parsers and to the index scan of the parallel decoder.
func FuzzXzIndex(f *testing.F) {
	data := xzBytes(f, xzPayload(5000), 1000)
	f.Add(data)
	_, blocks, n, ok := scanXzIndex(bytes.NewReader(data), int64(len(data)))
	if ok {
		end := int64(len(data)) - xzFooterLen
		f.Add(data[end-n : end])                                            // index
		f.Add(data[blocks[0].offset : blocks[0].offset+blocks[0].unpadded]) // block
		f.Add(data[end:])                                                   // footer
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		timer := time.AfterFunc(8*time.Second, func() { panic("slow input") })
		defer timer.Stop()
		if len(b) > 0 && len(b) <= 1024 {
			parseXzBlockHeader(b[:min(len(b), (int(b[0])+1)*4)])
		}
		parseXzFooter(b)
		parseXzStreamHeader(b)
		if len(b) > 0 && b[0] == 0 {
			readXzIndex(bytes.NewReader(b[1:]), 1<<16, func(int, xzRecord) error { return nil })
		}
		scanXzIndex(bytes.NewReader(b), int64(len(b)))
		opts := Options{Limits: fuzzLimits(), Workers: 2}
		if px, ok := newParallelXz(bytes.NewReader(b), int64(len(b)), opts); ok {
			buf := make([]byte, 4096)
			for {
				if _, err := px.Read(buf); err != nil {
					break
				}
			}
			px.close()
		}
	})
}
