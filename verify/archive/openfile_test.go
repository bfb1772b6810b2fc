package archive

import (
	"bytes"
	"context"
	"runtime"
	"strings"
	"testing"
)

// walkOpened walks an archive opened ahead with File, decoding started
// under startOpts, then walked with walkOpts.
func walkOpened(t *testing.T, p string, startOpts, walkOpts Options) (_ []seen, _ *Result, restarted bool) {
	t.Helper()
	a, err := OpenFile(p, startOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	a.StartDecoding()
	px := a.px
	var out []seen
	res, err := a.Walk(context.Background(), walkOpts, func(e *Entry) error {
		s := seen{Entry: *e, content: bytes.Clone(e.Content)}
		s.Content = nil
		out = append(out, s)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, res, a.px != px
}

// TestFileDecodedAheadSameWalk: an archive whose decoding started before
// its walk (one-block and multi-block .xz, and .gz, which decodes as it is
// walked) gives WalkFile's entries, contents and sizes; decoding started
// under a larger block budget than the walk's is started again under the
// walk's, with the same result; a File closed unwalked leaves no goroutine.
func TestFileDecodedAheadSameWalk(t *testing.T) {
	var ms []member
	for i := range 120 {
		ms = append(ms, member{name: "p-1/d" + string(rune('a'+i%7)) + "/f" + strings.Repeat("y", i%9) + string(rune('a'+i%26)),
			typ: '0', mode: 0o644, body: xzPayload(2000 + i*331)})
	}
	tarData := makeTar(t, ms)
	files := map[string]string{
		"one-block.tar.xz":   writeFile(t, "one.tar.xz", xzBytes(t, tarData, 1<<30)),
		"multi-block.tar.xz": writeFile(t, "multi.tar.xz", xzBytes(t, tarData, 64<<10)),
		"tar.gz":             writeFile(t, "p.tar.gz", gzipBytes(t, tarData)),
	}
	for name, p := range files {
		t.Run(name, func(t *testing.T) {
			want, wres, err := walkAll(t, p, Options{KeepBytes: 1 << 20})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				name        string
				start, walk Options
			}{
				{"same options", Options{KeepBytes: 1 << 20}, Options{KeepBytes: 1 << 20}},
				// The walk's budget holds one block of the multi-block file
				// where the start's held several: decoding starts again.
				{"smaller budget at the walk", Options{}, Options{KeepBytes: 1 << 20, BlockMemory: 64 << 10}},
			} {
				got, res, restarted := walkOpened(t, p, c.start, c.walk)
				// (the block decoder, and so decoding ahead, needs two cores)
				xz := strings.HasSuffix(name, ".xz") && runtime.GOMAXPROCS(0) > 1
				if restarted != (xz && c.walk.BlockMemory != 0) {
					t.Errorf("%s: decoding started again: %v", c.name, restarted)
				}
				if len(got) != len(want) || res.UnpackedBytes != wres.UnpackedBytes || res.CompressedBytes != wres.CompressedBytes {
					t.Fatalf("%s: %d entries %d/%d bytes, want %d entries %d/%d", c.name, len(got), res.UnpackedBytes, res.CompressedBytes,
						len(want), wres.UnpackedBytes, wres.CompressedBytes)
				}
				for i := range want {
					if got[i].Path != want[i].Path || got[i].BlobID != want[i].BlobID || !bytes.Equal(got[i].content, want[i].content) {
						t.Fatalf("%s: entry %d (%s) differs", c.name, i, want[i].Path)
					}
				}
			}
			before := runtime.NumGoroutine()
			a, err := OpenFile(p, Options{})
			if err != nil {
				t.Fatal(err)
			}
			a.StartDecoding()
			if err := a.Close(); err != nil {
				t.Fatal(err)
			}
			waitGoroutines(t, before)
		})
	}
}

// TestDecodeBuffers: a one-block .xz holds its whole block while walked
// (plus its compressed block), or a window when the block is over the
// budget, a multi-block one the blocks in flight;
// gzip holds nothing worth counting; an .xz the block decoder cannot take
// (no index: a truncated stream here) counts as a dictionary window.
func TestDecodeBuffers(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("the block decoder needs two cores")
	}
	var ms []member
	for i := range 40 {
		ms = append(ms, member{name: "p-1/f" + string(rune('a'+i%26)) + strings.Repeat("z", i), typ: '0', mode: 0o644, body: xzPayload(3000 + i*97)})
	}
	tarData := makeTar(t, ms)
	one := xzBytes(t, tarData, 1<<30)
	for _, c := range []struct {
		name     string
		data     []byte
		budget   int64
		min, max int64
	}{
		{"one-block.tar.xz", one, 0, int64(len(tarData)), int64(len(tarData)) + int64(len(one)) + 1<<10},
		{"multi-block.tar.xz", xzBytes(t, tarData, 16<<10), 0, 2 * 16 << 10, 8 * 32 << 10},
		// a block over the budget goes through a window: its dictionary
		// plus the slack, at most the block, and the input piece
		{"window.tar.xz", one, 64 << 10, int64(len(tarData)), int64(len(tarData)) + xzWindowInput},
		{"p.tar.gz", gzipBytes(t, tarData), 0, 0, 0},
		{"cut.tar.xz", one[:len(one)-40], 0, DefaultBlockMemory, DefaultBlockMemory},
	} {
		a, err := OpenFile(writeFile(t, c.name, c.data), Options{BlockMemory: c.budget})
		if err != nil {
			t.Fatal(err)
		}
		if got := a.DecodeBuffers(); got < c.min || got > c.max {
			t.Errorf("%s: DecodeBuffers = %d, want %d to %d", c.name, got, c.min, c.max)
		}
		a.Close()
	}
}
