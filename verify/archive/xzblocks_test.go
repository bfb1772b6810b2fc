package archive

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestXzParallelLZMA2 compares the parallel decoder (internal/lzma2) with
// `xz -dc` and the sequential decoder (github.com/ulikunitz/xz) on
// multi-block files made by `xz -T0` with many encoder settings.
func TestXzParallelLZMA2(t *testing.T) {
	requireTool(t, "xz")
	text := xzPayload(3 << 20)
	random := randomBytes(1<<20, 99)
	mixed := append(append(bytes.Clone(text[:1<<20]), random...), text[1<<20:2<<20]...)
	cases := []struct {
		name string
		data []byte
		args []string
	}{
		{"preset-0", text, []string{"-0"}},
		{"preset-3", text, []string{"-3"}},
		{"preset-6", text, []string{"-6"}},
		{"preset-9e", text, []string{"-9e"}},
		{"lc0-lp2-pb0", text, []string{"--lzma2=preset=6,lc=0,lp=2,pb=0"}},
		{"lc4-lp0", text, []string{"--lzma2=preset=6,lc=4,lp=0"}},
		{"pb4-nice273", text, []string{"--lzma2=preset=1,pb=4,nice=273"}},
		{"random (uncompressed chunks)", random, []string{"-6"}},
		{"mixed", mixed, []string{"-6"}},
		{"uneven blocks", mixed, []string{"-6", "--block-list=100KiB,1MiB,10KiB,2MiB"}},
		{"tiny blocks", []byte("0123456789abcdef"), []string{"-6", "--block-size=3"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"-T0", "--block-size=512KiB", "-c"}, tc.args...)
			data := runFilter(t, tc.data, "xz", args...)
			want := runFilter(t, data, "xz", "-dc")
			if !bytes.Equal(want, tc.data) {
				t.Fatal("xz round trip differs")
			}
			seq, err := decodeSequential(data)
			if err != nil || !bytes.Equal(seq, want) {
				t.Fatalf("sequential: err %v, equal %v", err, bytes.Equal(seq, want))
			}
			for _, w := range []int{1, 2, 3} {
				par, ok, err := decodeParallel(t, data, w)
				if !ok {
					t.Fatal("parallel path not taken")
				}
				if err != nil || !bytes.Equal(par, want) {
					t.Fatalf("workers %d: err %v, equal %v", w, err, bytes.Equal(par, want))
				}
			}
		})
	}
}

// TestXzParallelCorruptSweep flips bytes at random places in the blocks
// of a multi-block file: the parallel decoder must fail with an error
// naming a block (or, where the damage is harmless, deliver exactly the
// original), never panic, hang or leak goroutines.
func TestXzParallelCorruptSweep(t *testing.T) {
	requireTool(t, "xz")
	payload := append(xzPayload(1<<20), randomBytes(200<<10, 5)...)
	data := runFilter(t, payload, "xz", "-T0", "--block-size=128KiB", "-6", "-c")
	_, blocks, _, ok := scanXzIndex(bytes.NewReader(data), int64(len(data)))
	if !ok {
		t.Fatal("fixture not for the parallel path")
	}
	end := blocks[len(blocks)-1].offset + (blocks[len(blocks)-1].unpadded+3)&^3
	named := regexp.MustCompile(`block \d+`)
	before := runtime.NumGoroutine()
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 200 {
		bad := bytes.Clone(data)
		k := xzHeaderLen + r.Int64N(end-xzHeaderLen)
		bad[k] ^= byte(1 + r.IntN(255))
		out, ok, err := decodeParallel(t, bad, 2)
		if !ok {
			t.Fatalf("flip %d at %d: parallel path not taken", i, k)
		}
		if err == nil {
			if !bytes.Equal(out, payload) {
				t.Fatalf("flip %d at %d: no error but different output", i, k)
			}
			continue
		}
		if !errors.Is(err, ErrCorrupt) || !named.MatchString(err.Error()) {
			t.Fatalf("flip %d at %d: %v", i, k, err)
		}
	}
	waitGoroutines(t, before)
}

// TestXzParallelClose: reading after close is an error, not a read of
// freed block memory; closing twice and closing unread are harmless.
func TestXzParallelClose(t *testing.T) {
	data := xzBytes(t, xzPayload(600<<10), 100<<10)
	px, ok := newParallelXz(bytes.NewReader(data), int64(len(data)), Options{Workers: 2})
	if !ok {
		t.Fatal("parallel path not taken")
	}
	var c atomic.Int64
	px.compressed = &c
	buf := make([]byte, 1000)
	if _, err := io.ReadFull(px, buf); err != nil {
		t.Fatal(err)
	}
	px.close()
	px.close()
	if n, err := px.Read(buf); n != 0 || err == nil {
		t.Fatalf("read after close: %d, %v", n, err)
	}
	unread, _ := newParallelXz(bytes.NewReader(data), int64(len(data)), Options{Workers: 2})
	unread.close()
}

// TestXzParallelInflight: the number of block buffers follows the
// memory budget (xzParallelMemory, 64 MiB).
func TestXzParallelInflight(t *testing.T) {
	cases := []struct {
		block           int64
		workers, wantIn int
	}{
		{24 << 20, 2, 2}, // xz -6 -T0 blocks: 48 MiB of buffers (the kernel case)
		{24 << 20, 8, 2},
		{16 << 20, 2, 3},
		{32 << 20, 2, 2},
		{48 << 20, 2, 1}, // xz -7 -T0 blocks: one at a time
		{64 << 20, 2, 1},
		{1 << 20, 4, 5},
	}
	for _, tc := range cases {
		if got := xzInflight(tc.workers, tc.block, DefaultBlockMemory); got != tc.wantIn {
			t.Errorf("block %d MiB, %d workers: inflight %d, want %d", tc.block>>20, tc.workers, got, tc.wantIn)
		}
	}
	if got := xzInflight(2, 24<<20, 32<<20); got != 1 {
		t.Errorf("24 MiB blocks in a 32 MiB budget: inflight %d, want 1", got)
	}
}

// FuzzXzParallel decodes arbitrary bytes with the parallel xz decoder
// and the sequential one: no panic or hang, errors are ErrCorrupt or
// ErrLimit, and when both succeed their outputs are identical.
func FuzzXzParallel(f *testing.F) {
	f.Add(xzBytes(f, xzPayload(20<<10), 4<<10))
	f.Add(xzBytes(f, append(xzPayload(8<<10), randomBytes(8<<10, 3)...), 3<<10))
	if _, err := exec.LookPath("xz"); err == nil {
		f.Add(runFilter(f, xzPayload(30<<10), "xz", "-T0", "--block-size=8KiB", "-c"))
		f.Add(runFilter(f, randomBytes(20<<10, 4), "xz", "-T0", "--block-size=6KiB", "--lzma2=preset=6,lc=0,lp=2,pb=0", "-c"))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		timer := time.AfterFunc(8*time.Second, func() { panic("slow input") })
		defer timer.Stop()
		opts := Options{Limits: fuzzLimits(), Workers: 2}
		px, ok := newParallelXz(bytes.NewReader(data), int64(len(data)), opts)
		if !ok {
			return
		}
		par, err := io.ReadAll(io.LimitReader(px, 8<<20))
		px.close()
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrLimit) {
				t.Fatalf("parallel: unexpected error %v", err)
			}
			return
		}
		seq, serr := io.ReadAll(io.LimitReader(newXzReader(bytes.NewReader(data), opts.Limits), 8<<20))
		if serr == nil && !bytes.Equal(par, seq) {
			t.Fatalf("parallel and sequential outputs differ (%d vs %d bytes)", len(par), len(seq))
		}
		// The same with one block at a time, handed over as decoded.
		px, _ = newParallelXz(bytes.NewReader(data), int64(len(data)), opts)
		px.inflight, px.workers = 1, 1
		one, oerr := io.ReadAll(io.LimitReader(px, 8<<20))
		px.close()
		if oerr != nil || !bytes.Equal(one, par) {
			t.Fatalf("one-block mode: %d bytes, %v; two-block mode gave %d bytes", len(one), oerr, len(par))
		}
	})
}

// TestXzOneBlockInFlight: with blocks too large for two buffers, one block
// is decoded at a time into one buffer and handed over chunk by chunk,
// byte for byte like xz; corrupt blocks are named, and like the parallel
// decoder it never delivers different bytes without an error, hangs or
// leaks goroutines, also when closed half-way.
func TestXzOneBlockInFlight(t *testing.T) {
	requireTool(t, "xz")
	payload := append(xzPayload(1<<20), randomBytes(100<<10, 7)...)
	data := runFilter(t, payload, "xz", "-T0", "--block-size=128KiB", "-6", "-c")
	before := runtime.NumGoroutine()
	decode := func(data []byte) ([]byte, error) {
		px, ok := newParallelXz(bytes.NewReader(data), int64(len(data)), Options{Workers: 2})
		if !ok {
			t.Fatal("fixture not for the block decoder")
		}
		px.inflight, px.workers = 1, 1 // as for 48 MiB blocks
		out, err := io.ReadAll(px)
		px.close()
		return out, err
	}
	out, err := decode(data)
	if err != nil || !bytes.Equal(out, payload) {
		t.Fatalf("decoded %d bytes, %v; want the %d-byte payload", len(out), err, len(payload))
	}
	_, blocks, _, _ := scanXzIndex(bytes.NewReader(data), int64(len(data)))
	bad := bytes.Clone(data)
	bad[blocks[3].offset+40] ^= 0x55
	if _, err := decode(bad); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "block 4") {
		t.Fatalf("corrupt block 4: %v", err)
	}
	end := blocks[len(blocks)-1].offset + (blocks[len(blocks)-1].unpadded+3)&^3
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 100 {
		bad := bytes.Clone(data)
		k := xzHeaderLen + r.Int64N(end-xzHeaderLen)
		bad[k] ^= byte(1 + r.IntN(255))
		out, err := decode(bad)
		if err == nil && !bytes.Equal(out, payload) {
			t.Fatalf("flip %d at %d: no error but different output", i, k)
		}
		if err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("flip %d at %d: %v", i, k, err)
		}
	}
	// Closed after a partial read, while the decoder waits or works.
	closeHalfway(t, func() *parallelXz {
		px, _ := newParallelXz(bytes.NewReader(data), int64(len(data)), Options{Workers: 2})
		px.inflight, px.workers = 1, 1
		return px
	}, 0, 1, 64<<10, 200<<10)
	waitGoroutines(t, before)
}

// closeHalfway reads n bytes from a fresh decoder for each n, closes it,
// and checks that a read after close fails.
func closeHalfway(t *testing.T, open func() *parallelXz, sizes ...int) {
	t.Helper()
	for _, n := range sizes {
		px := open()
		if _, err := io.ReadFull(px, make([]byte, n)); err != nil {
			t.Fatal(err)
		}
		px.close()
		if _, err := px.Read(make([]byte, 1)); err == nil {
			t.Fatal("read after close succeeded")
		}
	}
}

// TestXzWindow: blocks larger than the block memory are decoded one at a
// time through a window of their dictionary plus the slack, byte for byte
// like xz, with the compressed bytes counted; one block or several, read
// in small or large pieces; corrupt data is an error naming the block,
// never different bytes; closing half-way neither hangs nor leaks.
func TestXzWindow(t *testing.T) {
	requireTool(t, "xz")
	payload := append(xzPayload(5<<20), randomBytes(1<<20, 9)...)
	payload = append(payload, xzPayload(3<<20)...)
	one := runFilter(t, payload, "xz", "--lzma2=preset=6,dict=256KiB", "-c")
	multi := runFilter(t, payload, "xz", "-T2", "--block-size=4MiB", "--lzma2=preset=6,dict=256KiB", "-c")
	before := runtime.NumGoroutine()
	open := func(data []byte) *parallelXz {
		px, ok := newParallelXz(bytes.NewReader(data), int64(len(data)), Options{Workers: 2, BlockMemory: 1 << 20})
		if !ok || !px.window || px.inflight != 1 {
			t.Fatalf("not decoded through a window: ok %v", ok)
		}
		px.slack = 0 // the least: lzma2.MaxChunk past the dictionary
		return px
	}
	decode := func(data []byte, piece int) ([]byte, error) {
		px := open(data)
		var c atomic.Int64
		px.compressed = &c
		var out []byte
		buf := make([]byte, piece)
		for {
			n, err := px.Read(buf)
			out = append(out, buf[:n]...)
			if err == io.EOF {
				break
			}
			if err != nil {
				px.close()
				return out, err
			}
		}
		px.close()
		if c.Load() != int64(len(data)) {
			t.Errorf("compressed bytes %d, file %d", c.Load(), len(data))
		}
		return out, nil
	}
	for name, data := range map[string][]byte{"one block": one, "blocks": multi} {
		for _, piece := range []int{1000, 1 << 20} {
			out, err := decode(data, piece)
			if err != nil || !bytes.Equal(out, payload) {
				t.Fatalf("%s, %d-byte reads: %d bytes, %v; want the %d-byte payload", name, piece, len(out), err, len(payload))
			}
		}
	}
	_, blocks, _, _ := scanXzIndex(bytes.NewReader(multi), int64(len(multi)))
	bad := bytes.Clone(multi)
	bad[blocks[1].offset+200] ^= 0x55
	if _, err := decode(bad, 1<<16); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "block 2") {
		t.Fatalf("corrupt block 2: %v", err)
	}
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 40 {
		bad := bytes.Clone(one)
		k := xzHeaderLen + r.Int64N(int64(len(one))-xzHeaderLen-xzFooterLen-64)
		bad[k] ^= byte(1 + r.IntN(255))
		out, err := decode(bad, 1<<16)
		if err == nil && !bytes.Equal(out, payload) {
			t.Fatalf("flip %d at %d: no error but different output", i, k)
		}
		if err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("flip %d at %d: %v", i, k, err)
		}
	}
	closeHalfway(t, func() *parallelXz { return open(one) }, 0, 1, 3<<20, 7<<20)
	waitGoroutines(t, before)
}
