package archive

import (
	"bytes"
	"context"
	"errors"
	"io"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
)

// xzPayload is compressible but not trivial data of about n bytes.
func xzPayload(n int) []byte {
	var b bytes.Buffer
	r := randomBytes(n/4, 7)
	for i := 0; b.Len() < n; i++ {
		b.WriteString("line ")
		b.WriteString(strings.Repeat("abc", i%17))
		b.WriteByte('\n')
		if i%50 == 0 {
			b.Write(r[(i*31)%len(r):][:min(len(r)-(i*31)%len(r), 512)])
		}
	}
	return b.Bytes()[:n]
}

func decodeSequential(data []byte) ([]byte, error) {
	return io.ReadAll(newXzReader(bytes.NewReader(data), DefaultLimits()))
}

// decodeParallel returns ok=false when the file is not for the parallel path.
func decodeParallel(t testing.TB, data []byte, nworkers int) ([]byte, bool, error) {
	t.Helper()
	px, ok := newParallelXz(bytes.NewReader(data), int64(len(data)), Options{Workers: nworkers})
	if !ok {
		return nil, false, nil
	}
	var c atomic.Int64
	px.compressed = &c
	out, err := io.ReadAll(px)
	px.close()
	if err == nil && c.Load() != int64(len(data)) {
		t.Errorf("compressed bytes %d, file %d", c.Load(), len(data))
	}
	return out, true, err
}

// TestXzDecoders compares the sequential and parallel decoders with
// xz -dc on files made by the xz CLI.
func TestXzDecoders(t *testing.T) {
	requireTool(t, "xz")
	payload := xzPayload(3 << 19)
	multi := runFilter(t, payload, "xz", "-T2", "--block-size=128KiB", "-c")
	single := runFilter(t, payload, "xz", "-T1", "-c")
	two := append(append(append(bytes.Clone(multi), make([]byte, 8)...), runFilter(t, payload[:1000], "xz", "-c")...), make([]byte, 4)...)
	cases := []struct {
		name     string
		data     []byte
		parallel bool
	}{
		{"multi-block", multi, true},
		{"single-block", single, true}, // the block decoder, streamed (one-block mode)
		{"multi-stream+padding", two, false},
		{"empty", runFilter(t, nil, "xz", "-c"), false},
	}
	for _, check := range []string{"none", "crc32", "crc64", "sha256"} {
		cases = append(cases, struct {
			name     string
			data     []byte
			parallel bool
		}{"check-" + check, runFilter(t, payload, "xz", "-T2", "--block-size=200KiB", "-C", check, "-c"), true})
	}
	// A single block larger than the block-buffer budget is decoded by
	// the block decoder through a window (TestXzWindow).
	if px, ok := newParallelXz(bytes.NewReader(single), int64(len(single)), Options{Workers: 2, BlockMemory: 1 << 10}); !ok || !px.window {
		t.Errorf("single block above BlockMemory: not decoded through a window")
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := runFilter(t, tc.data, "xz", "-dc")
			seq, err := decodeSequential(tc.data)
			if err != nil || !bytes.Equal(seq, want) {
				t.Fatalf("sequential: err %v, equal %v", err, bytes.Equal(seq, want))
			}
			par, ok, err := decodeParallel(t, tc.data, 2)
			if ok != tc.parallel {
				t.Fatalf("parallel path taken = %v, want %v", ok, tc.parallel)
			}
			if ok && (err != nil || !bytes.Equal(par, want)) {
				t.Fatalf("parallel: err %v, equal %v", err, bytes.Equal(par, want))
			}
		})
	}
}

// TestXzGoWriterBlocks runs without the CLI: multi-block files from the Go
// writer decode identically on both paths.
func TestXzGoWriterBlocks(t *testing.T) {
	payload := xzPayload(1 << 20)
	data := xzBytes(t, payload, 100<<10)
	for _, w := range []int{1, 2, 4} {
		par, ok, err := decodeParallel(t, data, w)
		if !ok || err != nil || !bytes.Equal(par, payload) {
			t.Fatalf("workers %d: ok %v err %v", w, ok, err)
		}
	}
	seq, err := decodeSequential(data)
	if err != nil || !bytes.Equal(seq, payload) {
		t.Fatalf("sequential: %v", err)
	}
}

// TestXzCorruptBlock: damage in block 3 yields an error naming block 3 on
// both paths, after the bytes of blocks 1 and 2, and no goroutine leak.
func TestXzCorruptBlock(t *testing.T) {
	payload := xzPayload(1 << 20)
	data := xzBytes(t, payload, 100<<10)
	_, blocks, _, ok := scanXzIndex(bytes.NewReader(data), int64(len(data)))
	if !ok || len(blocks) < 4 {
		t.Fatalf("fixture has %d blocks", len(blocks))
	}
	for _, where := range []string{"data", "check", "header"} {
		bad := bytes.Clone(data)
		b := blocks[2]
		switch where {
		case "data":
			bad[b.offset+b.unpadded/2] ^= 0x40
		case "check":
			bad[b.offset+b.unpadded-1] ^= 0x01
		case "header":
			bad[b.offset+2] ^= 0x01
		}
		t.Run(where, func(t *testing.T) {
			before := runtime.NumGoroutine()
			seq, err := decodeSequential(bad)
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "block 3") {
				t.Errorf("sequential: %v", err)
			}
			if int64(len(seq)) > blocks[0].uncompressed+blocks[1].uncompressed+blocks[2].uncompressed {
				t.Errorf("sequential returned %d bytes", len(seq))
			}
			par, ok, err := decodeParallel(t, bad, 2)
			if !ok || !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "block 3") {
				t.Errorf("parallel: ok %v err %v", ok, err)
			}
			if int64(len(par)) != blocks[0].uncompressed+blocks[1].uncompressed || !bytes.Equal(par, payload[:len(par)]) {
				t.Errorf("parallel delivered %d bytes before the error", len(par))
			}
			waitGoroutines(t, before)
		})
	}
}

// TestXzParallelWalk: a multi-block .tar.xz walked through WalkFile with
// several workers gives the same entries as the sequential walk, and an
// early stop leaks nothing.
func TestXzParallelWalk(t *testing.T) {
	var ms []member
	for i := range 300 {
		ms = append(ms, member{name: "p-1/f" + strings.Repeat("x", i%40) + string(rune('a'+i%26)) + "/" + string(rune('a'+i/26)),
			typ: '0', mode: 0o644, body: xzPayload(1000 + i*97)})
	}
	data := xzBytes(t, makeTar(t, ms), 64<<10)
	p := writeFile(t, "p.tar.xz", data)
	seq, rs, err := walkAll(t, p, Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	par, rp, err := walkAll(t, p, Options{Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(seq) != len(par) || rs.UnpackedBytes != rp.UnpackedBytes || rs.CompressedBytes != rp.CompressedBytes {
		t.Fatalf("seq %d entries %+v, par %d entries %+v", len(seq), rs, len(par), rp)
	}
	for i := range seq {
		if seq[i].Path != par[i].Path || seq[i].BlobID != par[i].BlobID {
			t.Fatalf("entry %d differs", i)
		}
	}
	before := runtime.NumGoroutine()
	stop := errors.New("stop")
	n := 0
	_, err = WalkFile(context.Background(), p, Options{Workers: 2}, func(*Entry) error {
		if n++; n == 5 {
			return stop
		}
		return nil
	})
	if err != stop {
		t.Fatal(err)
	}
	waitGoroutines(t, before)
}

// TestXzDictLimit: a block asking for a dictionary above MaxDictSize is
// refused before anything is allocated.
func TestXzDictLimit(t *testing.T) {
	data := xzBytes(t, xzPayload(10000), 0)
	lim := DefaultLimits()
	lim.MaxDictSize = 1 << 20 // the Go writer uses 8 MiB
	_, err := io.ReadAll(newXzReader(bytes.NewReader(data), lim))
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("err %v", err)
	}
}
