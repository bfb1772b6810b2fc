package lzma2

import (
	"bytes"
	"errors"
	"testing"
)

// decodeWindow decodes src through a window of win bytes, sliding as the
// contract says, and returns everything decoded and the number of slides.
func decodeWindow(t testing.TB, src []byte, dictSize, win, total int) ([]byte, int, error) {
	t.Helper()
	var d Decoder
	dst := make([]byte, win)
	d.ResetWindow(dst, src, dictSize, total)
	var out []byte
	taken, slides := 0, 0
	for !d.Done() {
		if d.Free() < MaxChunk {
			out = append(out, dst[taken:d.Pos()]...)
			if d.Slide() > 0 {
				slides++
			}
			taken = d.Pos()
		}
		if err := d.Step(); err != nil {
			return append(out, dst[taken:d.Pos()]...), slides, err
		}
	}
	return append(out, dst[taken:d.Pos()]...), slides, nil
}

// TestDecodeWindowMatchesWhole: every corpus stream decodes through a
// window of its dictionary plus MaxChunk (plus a little) to the bytes of
// the whole-buffer decode, sliding many times; a window decode is never
// longer than its total.
func TestDecodeWindowMatchesWhole(t *testing.T) {
	// Small dictionaries, so the windows slide often.
	text := sourceLike(6<<20, 21)
	cases := []corpusCase{
		{"empty", nil, "preset=3"},
		{"tiny", []byte("hello, hello, hello world\n"), "preset=3"},
		{"zeros", make([]byte, 5<<20), "preset=3,dict=4KiB"},
		{"random", randomBytes(5<<20, 5), "preset=0,dict=4KiB"},
		{"text-dict64k", text, "preset=3,dict=64KiB"},
		{"text-lc1-lp3-pb4", text, "preset=3,lc=1,lp=3,pb=4,dict=64KiB"},
		{"mixed-dict1m", append(append(sourceLike(1<<20, 22), randomBytes(2<<20, 23)...), text[:3<<20]...), "preset=3,dict=1MiB"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := rawLZMA2(t, tc.data, tc.filter)
			dict := filterDict(tc.filter)
			switch {
			case bytes.Contains([]byte(tc.filter), []byte("dict=64KiB")):
				dict = 64 << 10
			case bytes.Contains([]byte(tc.filter), []byte("dict=1MiB")):
				dict = 1 << 20
			}
			win := min(dict, len(tc.data)) + MaxChunk + 4096
			got, slides, err := decodeWindow(t, src, dict, win, len(tc.data))
			if err != nil || !bytes.Equal(got, tc.data) {
				t.Fatalf("window decode: %v, %d of %d bytes, equal %v", err, len(got), len(tc.data), bytes.Equal(got, tc.data))
			}
			if len(tc.data) > 2*win && slides == 0 {
				t.Fatal("no slide")
			}
			if len(tc.data) > 0 {
				if _, _, err := decodeWindow(t, src, dict, win, len(tc.data)-1); !errors.Is(err, ErrOutputFull) {
					t.Fatalf("total one short: err = %v, want ErrOutputFull", err)
				}
			}
		})
	}
}

// TestDecodeWindowDictLimit: through a window, a match further back than
// the dictionary is still corrupt (never a read before the window).
func TestDecodeWindowDictLimit(t *testing.T) {
	block := randomBytes(64<<10, 11)
	data := append(append(bytes.Clone(block), sourceLike(3<<20, 3)...), block...)
	src := rawLZMA2(t, data, "preset=6,dict=4MiB")
	if got, _, err := decodeWindow(t, src, 4<<20, 4<<20+MaxChunk, len(data)); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("within the dictionary: %v", err)
	}
	if _, _, err := decodeWindow(t, src, 64<<10, 64<<10+MaxChunk, len(data)); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("distance past a 64 KiB dictionary: err = %v", err)
	}
}

// FuzzDecodeWindow: on any input the window decode agrees with the
// whole-buffer decode (same bytes, error or not) and never panics.
func FuzzDecodeWindow(f *testing.F) {
	f.Add(rawLZMA2(f, sourceLike(3<<20, 5), "preset=0,dict=4KiB"), uint16(4))
	f.Add(rawLZMA2(f, randomBytes(100<<10, 6), "preset=0,dict=4KiB"), uint16(1))
	f.Fuzz(func(t *testing.T, src []byte, dictKiB uint16) {
		dict := (int(dictKiB)%64 + 1) << 10
		const total = 3 << 20
		whole := make([]byte, total)
		n, _, werr := Decode(whole, src, dict)
		got, _, err := decodeWindow(t, src, dict, dict+MaxChunk, total)
		if (werr == nil) != (err == nil) || !bytes.Equal(got, whole[:n]) {
			t.Fatalf("window: %d bytes, %v; whole: %d bytes, %v", len(got), err, n, werr)
		}
	})
}

// decodeStreamed decodes src through a window of win bytes, with the input
// given piece by piece: never more than inBuf bytes at a time, topped up
// (SetInput) whenever less than MaxChunkInput of it is left.
func decodeStreamed(t testing.TB, src []byte, dictSize, win, inBuf, total int) ([]byte, int, error) {
	t.Helper()
	var d Decoder
	dst := make([]byte, win)
	buf := make([]byte, inBuf)
	got := copy(buf, src)
	d.ResetWindow(dst, buf[:got], dictSize, total)
	var out []byte
	taken := 0
	for !d.Done() {
		if got < len(src) && len(d.Input()) < MaxChunkInput {
			rest := copy(buf, d.Input())
			n := copy(buf[rest:], src[got:])
			got += n
			d.SetInput(buf[:rest+n])
		}
		if d.Free() < MaxChunk {
			out = append(out, dst[taken:d.Pos()]...)
			d.Slide()
			taken = d.Pos()
		}
		if err := d.Step(); err != nil {
			return append(out, dst[taken:d.Pos()]...), d.Consumed(), err
		}
	}
	return append(out, dst[taken:d.Pos()]...), d.Consumed(), nil
}

// TestDecodeStreamedInput: input given 128 KiB at a time decodes to the
// same bytes, consumes the same count, and fails on the same streams as
// the input held whole.
func TestDecodeStreamedInput(t *testing.T) {
	text := sourceLike(5<<20, 31)
	for _, tc := range []struct {
		data   []byte
		filter string
		dict   int
	}{
		{text, "preset=3,dict=64KiB", 64 << 10},
		{append(randomBytes(1<<20, 32), text[:2<<20]...), "preset=0,dict=1MiB", 1 << 20},
	} {
		src := rawLZMA2(t, tc.data, tc.filter)
		src = append(src, 9, 9, 9) // trailing bytes are not consumed
		got, n, err := decodeStreamed(t, src, tc.dict, tc.dict+MaxChunk, 128<<10, len(tc.data))
		if err != nil || !bytes.Equal(got, tc.data) || n != len(src)-3 {
			t.Fatalf("%s: %v, %d bytes, consumed %d of %d", tc.filter, err, len(got), n, len(src)-3)
		}
		bad := bytes.Clone(src)
		bad[len(bad)/2] ^= 0x40
		_, _, werr := Decode(make([]byte, len(tc.data)), bad, tc.dict)
		_, _, serr := decodeStreamed(t, bad, tc.dict, tc.dict+MaxChunk, 128<<10, len(tc.data))
		if (werr == nil) != (serr == nil) || werr != nil && werr.Error() != serr.Error() {
			t.Fatalf("%s, corrupt: whole %v, streamed %v", tc.filter, werr, serr)
		}
	}
}
