package archive

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// walkBounded walks p and fails the test if the walk takes longer than a
// generous bound (a hang).
func walkBounded(t *testing.T, p string, opts Options) (*Result, error) {
	t.Helper()
	type out struct {
		res *Result
		err error
	}
	ch := make(chan out, 1)
	go func() {
		_, res, err := walkAll(t, p, opts)
		ch <- out{res, err}
	}()
	select {
	case o := <-ch:
		return o.res, o.err
	case <-time.After(60 * time.Second):
		t.Fatalf("walk of %s hangs", p)
		return nil, nil
	}
}

func TestCorrupt(t *testing.T) {
	for _, format := range allFormats {
		good := standardArchive(t, format)
		n := len(good)
		cases := map[string][]byte{
			"truncated-half": good[:n/2],
			"truncated-end":  good[:n-5],
			"truncated-head": good[:min(n, 600)],
		}
		if format != FormatTar {
			flipped := bytes.Clone(good)
			flipped[n/2] ^= 0x55
			cases["flipped"] = flipped
			cases["tail-garbage"] = append(bytes.Clone(good), []byte("garbage!")...)
		}
		for name, data := range cases {
			t.Run(string(format)+"/"+name, func(t *testing.T) {
				before := runtime.NumGoroutine()
				_, err := walkBounded(t, writeFile(t, "c", data), Options{})
				if format == FormatZip && name == "tail-garbage" {
					// archive/zip tolerates a trailing comment-like tail.
					return
				}
				if !errors.Is(err, ErrCorrupt) {
					t.Fatalf("err = %v, want ErrCorrupt", err)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("multi-line error %q", err)
				}
				waitGoroutines(t, before)
			})
		}
	}
}

func TestBombs(t *testing.T) {
	zeros := make([]byte, 32<<20)
	ms := []member{{name: "p-1/zeros", typ: tar.TypeReg, mode: 0o644, body: zeros}}
	lim := DefaultLimits()
	lim.MaxUnpackedBytes = 8 << 20
	for _, format := range allFormats {
		t.Run(string(format), func(t *testing.T) {
			data := build(t, format, ms)
			var m0, m1 runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&m0)
			_, err := walkBounded(t, writeFile(t, "b", data), Options{Limits: lim})
			runtime.ReadMemStats(&m1)
			if !errors.Is(err, ErrLimit) {
				t.Fatalf("%d-byte bomb: err = %v, want ErrLimit", len(data), err)
			}
			if alloc := m1.TotalAlloc - m0.TotalAlloc; alloc > 64<<20 {
				t.Errorf("walk allocated %d MiB", alloc>>20)
			}
		})
	}
}

// TestRatioBomb: default limits stop a small zstd file that expands past
// RatioGrace at more than MaxRatio.
func TestRatioBomb(t *testing.T) {
	zeros := make([]byte, 2*RatioGrace)
	data := zstdBytes(t, makeTar(t, []member{{name: "p-1/zeros", typ: tar.TypeReg, mode: 0o644, body: zeros}}))
	if len(data) > 64<<10 {
		t.Fatalf("bomb is %d bytes", len(data))
	}
	_, err := walkBounded(t, writeFile(t, "b.tar.zst", data), Options{})
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "ratio") {
		t.Fatalf("err = %v, want ratio ErrLimit", err)
	}
}

// TestRatioXzWindow: a single xz block above the block memory, decoded
// through a window, counts its compressed bytes as it decodes them: past
// RatioGrace, a release-like block passes the ratio limit (counted only at
// the block's end, it would look like 64 MiB from 12 bytes), and a block of
// zeros is still stopped.
func TestRatioXzWindow(t *testing.T) {
	requireTool(t, "xz")
	for _, tc := range []struct {
		name string
		body []byte
		bomb bool
	}{
		{"release-like", xzPayload(RatioGrace + 2<<20), false},
		{"zeros", make([]byte, RatioGrace+2<<20), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := runFilter(t, makeTar(t, []member{{name: "p-1/f", typ: tar.TypeReg, mode: 0o644, body: tc.body}}), "xz", "-0", "-c")
			p := writeFile(t, "b.tar.xz", data)
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if px, ok := newParallelXz(f, int64(len(data)), Options{Workers: 2}); !ok || !px.window {
				t.Fatal("not decoded through a window")
			}
			_, err = walkBounded(t, p, Options{Workers: 2})
			if tc.bomb != (errors.Is(err, ErrLimit) && strings.Contains(err.Error(), "ratio")) || !tc.bomb && err != nil {
				t.Fatalf("err = %v, want a ratio ErrLimit: %v", err, tc.bomb)
			}
		})
	}
}

func TestLimits(t *testing.T) {
	many := []member{}
	for i := range 20 {
		many = append(many, file("p-1/f"+strings.Repeat("x", i), 0o644, "x"))
	}
	deep := "p-1/" + strings.Repeat("d/", 40) + "f"
	for _, tc := range []struct {
		name string
		ms   []member
		lim  Limits
	}{
		{"entries", many, Limits{MaxEntries: 10}},
		{"path length", []member{file("p-1/"+strings.Repeat("n", 300), 0o644, "")}, Limits{MaxPathLen: 255}},
		{"path depth", []member{file(deep, 0o644, "")}, Limits{MaxPathDepth: 20}},
		{"entry size", []member{file("p-1/big", 0o644, strings.Repeat("x", 5000))}, Limits{MaxEntrySize: 4096}},
		{"pax header", []member{{name: "p-1/f", typ: tar.TypeReg, mode: 0o644, format: tar.FormatPAX}}, Limits{}},
	} {
		for _, format := range []Format{FormatTar, FormatZip} {
			if tc.name == "pax header" && format == FormatZip {
				continue
			}
			t.Run(tc.name+"/"+string(format), func(t *testing.T) {
				data := build(t, format, tc.ms)
				if tc.name == "pax header" {
					data = bigPaxTar(t)
					tc.lim.MaxPaxHeader = 4096
				}
				_, err := walkBounded(t, writeFile(t, "l", data), Options{Limits: tc.lim})
				if !errors.Is(err, ErrLimit) {
					t.Fatalf("err = %v, want ErrLimit", err)
				}
			})
		}
	}
}

// bigPaxTar has a member with 64 KiB of pax records.
func bigPaxTar(t *testing.T) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	h := &tar.Header{Name: "p-1/f", Typeflag: tar.TypeReg, Mode: 0o644, Format: tar.FormatPAX,
		PAXRecords: map[string]string{"comment": strings.Repeat("c", 64<<10)}}
	if err := tw.WriteHeader(h); err != nil {
		t.Fatal(err)
	}
	tw.Close()
	return buf.Bytes()
}

// TestStreamWalk covers Walk on a non-seekable reader for each tar format.
func TestStreamWalk(t *testing.T) {
	for _, format := range allFormats[:5] {
		data := standardArchive(t, format)
		n := 0
		res, err := Walk(context.Background(), struct{ r *bytes.Reader }{bytes.NewReader(data)}.r, Options{Workers: 1}, func(e *Entry) error {
			n++
			return nil
		})
		if err != nil || res.Entries != 8 || res.Root != "root" || n != 9 {
			t.Errorf("%s: err %v res %+v n %d", format, err, res, n)
		}
	}
}
