package lzma2

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/ulikunitz/xz/lzma"
)

// requireTool skips the test when an external tool is missing, unless
// TARCHECK_REQUIRE_TOOLS=1 demands it.
func requireTool(t testing.TB, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("TARCHECK_REQUIRE_TOOLS") == "1" {
			t.Fatalf("required tool %s not found: %v", name, err)
		}
		t.Skipf("%s not installed", name)
	}
}

func runXz(t testing.TB, in []byte, args ...string) []byte {
	t.Helper()
	requireTool(t, "xz")
	cmd := exec.Command("xz", args...)
	cmd.Stdin = bytes.NewReader(in)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("xz %v: %v: %s", args, err, stderr.String())
	}
	return out.Bytes()
}

// sourceLike returns n bytes that compress like source code: words from
// a vocabulary, indentation, repeated lines near and far, and now and
// then a run of random bytes.
func sourceLike(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	words := strings.Fields("func return if else for range struct int byte error nil err " +
		"static const void unsigned long char include define ifdef endif kernel device driver " +
		"mutex lock unlock spin irq buffer size offset len count flags state next prev list " +
		"+ - * / = == != < > <= >= && || ( ) { } [ ] ; , . -> 0 1 2 16 32 0xff 0x1000")
	var b bytes.Buffer
	var lines [][]byte
	for b.Len() < n {
		switch k := r.IntN(100); {
		case k < 20 && len(lines) > 0:
			b.Write(lines[len(lines)-1-r.IntN(min(len(lines), 2000))])
		case k < 22:
			rnd := make([]byte, 16+r.IntN(300))
			for i := range rnd {
				rnd[i] = byte(r.Uint32())
			}
			b.Write(rnd)
		default:
			var line []byte
			line = append(line, bytes.Repeat([]byte{'\t'}, r.IntN(4))...)
			for range 1 + r.IntN(10) {
				line = append(line, words[r.IntN(len(words))]...)
				line = append(line, ' ')
			}
			line = append(line, '\n')
			lines = append(lines, line)
			b.Write(line)
		}
	}
	return b.Bytes()[:n]
}

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// rawLZMA2 compresses with `xz --format=raw` and the given filter
// options, giving a bare LZMA2 stream.
func rawLZMA2(t testing.TB, data []byte, filter string) []byte {
	return runXz(t, data, "--format=raw", "--lzma2="+filter, "-c")
}

func decodeUlikunitz(src []byte, dictSize int) ([]byte, error) {
	r, err := lzma.Reader2Config{DictCap: max(dictSize, lzma.MinDictCap)}.NewReader2(bytes.NewReader(src))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

type corpusCase struct {
	name   string
	data   []byte
	filter string
}

func corpus() []corpusCase {
	text := sourceLike(5<<19, 1) // more than one 2 MiB chunk
	mixed := append(sourceLike(1<<20, 2), randomBytes(3<<20, 3)...)
	mixed = append(mixed, sourceLike(1<<20, 4)...)
	// far: a block seen again 3 MiB later (distance slots up to ~43,
	// direct bits); runs: long runs and long copies (the 8-bit length
	// tree, overlapping copies at every distance below 8).
	farBlock := sourceLike(256<<10, 6)
	far := append(append(bytes.Clone(farBlock), randomBytes(3<<20, 7)...), farBlock...)
	var runs []byte
	for i := range 2000 {
		n := 1 + i%300
		runs = append(runs, bytes.Repeat([]byte(fmt.Sprintf("%0*d", 1+i%7, i)), n)...)
	}
	return []corpusCase{
		{"empty", nil, "preset=6"},
		{"one-byte", []byte{'x'}, "preset=6"},
		{"tiny", []byte("hello, hello, hello world\n"), "preset=6"},
		{"zeros", make([]byte, 3<<20), "preset=6"},
		{"text-0", text, "preset=0"},
		{"text-3", text, "preset=3"},
		{"text-6", text, "preset=6"},
		{"text-9e", text, "preset=9e"},
		{"text-lc0-lp2-pb0", text, "preset=6,lc=0,lp=2,pb=0"},
		{"text-lc4-lp0", text, "preset=6,lc=4,lp=0"},
		{"text-lc1-lp3-pb4", text, "preset=6,lc=1,lp=3,pb=4"},
		{"text-smalldict", text, "preset=6,dict=4KiB"},
		{"text-fast-nice273", text, "preset=1,nice=273,mf=hc4"},
		{"random", randomBytes(3<<20, 5), "preset=6"},
		{"mixed", mixed, "preset=6"},
		{"far", far, "preset=6"},
		{"runs", runs, "preset=6,nice=273"},
		{"runs-lc0-lp4-pb4", runs, "preset=6,lc=0,lp=4,pb=4"},
		{"text-lc3-lp1-pb1", text, "preset=6,lc=3,lp=1,pb=1"},
	}
}

// filterDict extracts the dictionary size implied by a filter string
// (only what corpus uses).
func filterDict(filter string) int {
	if strings.Contains(filter, "dict=4KiB") {
		return 4 << 10
	}
	if strings.Contains(filter, "preset=9") {
		return 64 << 20
	}
	return 8 << 20
}

// TestDecodeMatchesXz decodes raw LZMA2 streams made by xz and compares
// the output byte for byte with the input, with `xz -dc`, and with
// github.com/ulikunitz/xz.
func TestDecodeMatchesXz(t *testing.T) {
	var d Decoder
	for _, tc := range corpus() {
		t.Run(tc.name, func(t *testing.T) {
			src := rawLZMA2(t, tc.data, tc.filter)
			want := runXz(t, src, "--format=raw", "--lzma2="+tc.filter, "-dc")
			if !bytes.Equal(want, tc.data) {
				t.Fatal("xz round trip differs")
			}
			dst := make([]byte, len(tc.data))
			d.Reset(dst, src, filterDict(tc.filter))
			for !d.Done() {
				if err := d.Step(); err != nil {
					t.Fatalf("decode: %v", err)
				}
			}
			if d.Written() != len(want) || !bytes.Equal(dst, want) {
				t.Fatalf("output differs from xz -dc (%d vs %d bytes)", d.Written(), len(want))
			}
			if d.Consumed() != len(src) {
				t.Fatalf("consumed %d of %d bytes", d.Consumed(), len(src))
			}
			ul, err := decodeUlikunitz(src, filterDict(tc.filter))
			if err != nil || !bytes.Equal(ul, dst) {
				t.Fatalf("ulikunitz differs: %v", err)
			}
			// Data after the end marker is not consumed.
			n, c, err := Decode(make([]byte, len(want)), append(bytes.Clone(src), 1, 2, 3), 0)
			if err != nil || n != len(want) || c != len(src) {
				t.Fatalf("with trailing data: n=%d c=%d err=%v", n, c, err)
			}
		})
	}
}

// TestDecodeTooSmallOutput: more data than the buffer is an error.
func TestDecodeTooSmallOutput(t *testing.T) {
	data := sourceLike(300<<10, 9)
	for _, filter := range []string{"preset=6", "preset=0"} {
		src := rawLZMA2(t, data, filter)
		_, _, err := Decode(make([]byte, len(data)-1), src, 0)
		if !errors.Is(err, ErrOutputFull) || !errors.Is(err, ErrCorrupt) {
			t.Fatalf("%s: err = %v, want ErrOutputFull", filter, err)
		}
	}
	src := rawLZMA2(t, randomBytes(100<<10, 1), "preset=6")
	if _, _, err := Decode(make([]byte, 50<<10), src, 0); !errors.Is(err, ErrOutputFull) {
		t.Fatalf("uncompressed chunk: err = %v, want ErrOutputFull", err)
	}
}

// TestDecodeDictLimit: a match further back than the declared
// dictionary is corrupt, as in liblzma.
func TestDecodeDictLimit(t *testing.T) {
	block := randomBytes(64<<10, 11)
	data := append(append(bytes.Clone(block), sourceLike(100<<10, 3)...), block...)
	src := rawLZMA2(t, data, "preset=6,dict=1MiB")
	if _, _, err := Decode(make([]byte, len(data)), src, 1<<20); err != nil {
		t.Fatalf("within the dictionary: %v", err)
	}
	if _, _, err := Decode(make([]byte, len(data)), src, 64<<10); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("distance past a 64 KiB dictionary: err = %v", err)
	}
}

// TestDecodeHandMade covers chunk rules with hand-built streams.
func TestDecodeHandMade(t *testing.T) {
	lz := rawLZMA2(t, []byte("abcabcabcabcabcabc"), "preset=6")
	cases := []struct {
		name string
		src  []byte
		want string
		err  bool
	}{
		{"end only", []byte{0}, "", false},
		{"empty input", nil, "", true},
		{"uncompressed with reset", []byte{1, 0, 2, 'a', 'b', 'c', 0}, "abc", false},
		{"uncompressed two chunks", []byte{1, 0, 0, 'a', 2, 0, 1, 'b', 'c', 0}, "abc", false},
		{"no dictionary reset first", []byte{2, 0, 0, 'a', 0}, "", true},
		{"invalid control", []byte{3, 0, 0, 'a', 0}, "", true},
		{"truncated uncompressed", []byte{1, 0, 5, 'a'}, "", true},
		{"missing end marker", []byte{1, 0, 0, 'a'}, "", true},
		{"LZMA chunk without props", []byte{1, 0, 0, 'a', 0x80, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0}, "", true},
		{"bad props", []byte{0xE0, 0, 0, 0, 4, 225, 0, 0, 0, 0, 0, 0}, "", true},
		{"lc+lp > 4", []byte{0xE0, 0, 0, 0, 4, 3 + 9*2, 0, 0, 0, 0, 0, 0}, "", true},
		{"xz stream", lz, "abcabcabcabcabcabc", false},
		{"truncated LZMA", lz[:len(lz)-3], "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dst := make([]byte, 64)
			n, _, err := Decode(dst, tc.src, 0)
			if tc.err {
				if !errors.Is(err, ErrCorrupt) {
					t.Fatalf("err = %v, want ErrCorrupt", err)
				}
				return
			}
			if err != nil || string(dst[:n]) != tc.want {
				t.Fatalf("got %q, %v; want %q", dst[:n], err, tc.want)
			}
		})
	}
}

// TestDecodeCorrupt flips bytes all over real streams: the decoder must
// return an error or some output, never panic or loop, and whenever it
// succeeds ulikunitz/xz must not decode different bytes.
func TestDecodeCorrupt(t *testing.T) {
	data := append(sourceLike(600<<10, 21), randomBytes(80<<10, 22)...)
	r := rand.New(rand.NewPCG(5, 5))
	for _, filter := range []string{"preset=0", "preset=6", "preset=6,lc=0,lp=2,pb=0"} {
		src := rawLZMA2(t, data, filter)
		dst := make([]byte, len(data)+1000)
		var d Decoder
		fails := 0
		for i := range 300 {
			bad := bytes.Clone(src)
			for range 1 + i%3 {
				k := r.IntN(len(bad))
				bad[k] ^= byte(1 + r.IntN(255))
			}
			d.Reset(dst, bad, 8<<20)
			var err error
			for !d.Done() && err == nil {
				err = d.Step()
			}
			if err != nil {
				fails++
				if !errors.Is(err, ErrCorrupt) {
					t.Fatalf("error does not wrap ErrCorrupt: %v", err)
				}
				continue
			}
			if ul, uerr := decodeUlikunitz(bad, 8<<20); uerr == nil && !bytes.Equal(ul, dst[:d.Written()]) {
				t.Fatalf("%s: flip %d: both accept but outputs differ", filter, i)
			}
		}
		if fails < 250 {
			t.Errorf("%s: only %d of 300 corruptions detected", filter, fails)
		}
	}
}

// FuzzDecode decodes arbitrary LZMA2 streams, seeded with real ones.
// Whenever both this decoder and ulikunitz/xz accept the input, their
// outputs must be identical.
func FuzzDecode(f *testing.F) {
	seeds := [][]byte{{0}, {1, 0, 2, 'a', 'b', 'c', 0}}
	if _, err := exec.LookPath("xz"); err == nil {
		for i, filter := range []string{"preset=0", "preset=6", "preset=6,lc=0,lp=2,pb=0", "preset=6,lc=4,lp=0,pb=0"} {
			data := append(sourceLike(3000+i*1000, uint64(i)), randomBytes(200, uint64(i))...)
			seeds = append(seeds, rawLZMA2(f, data, filter))
		}
	}
	for _, s := range seeds {
		f.Add(s, uint16(8000))
	}
	f.Fuzz(func(t *testing.T, src []byte, size uint16) {
		dst := make([]byte, size)
		n, c, err := Decode(dst, src, 1<<16)
		if n > len(dst) || c > len(src) {
			t.Fatalf("n=%d c=%d out of range", n, c)
		}
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error does not wrap ErrCorrupt: %v", err)
			}
			return
		}
		ul, uerr := decodeUlikunitz(src[:c], 1<<16)
		if uerr == nil && !bytes.Equal(ul, dst[:n]) {
			t.Fatalf("outputs differ: %d vs %d bytes", n, len(ul))
		}
	})
}

func ExampleDecode() {
	// An uncompressed LZMA2 chunk with dictionary reset, then the end marker.
	src := []byte{0x01, 0x00, 0x04, 'h', 'e', 'l', 'l', 'o', 0x00}
	dst := make([]byte, 5)
	n, consumed, err := Decode(dst, src, 0)
	fmt.Println(string(dst[:n]), consumed, err)
	// Output: hello 9 <nil>
}
