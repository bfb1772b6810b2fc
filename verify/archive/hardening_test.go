package archive

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// walkBytes walks data as a stream (tar-based formats only).
func walkBytes(t testing.TB, data []byte, opts Options) (*Result, error) {
	t.Helper()
	return Walk(context.Background(), bytes.NewReader(data), opts, func(*Entry) error { return nil })
}

// paxGlobalTar is what "git archive --format=tar" writes: a pax global
// header carrying the commit id, then the members.
func paxGlobalTar(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: "pax_global_header", Typeflag: tar.TypeXGlobalHeader,
		PAXRecords: map[string]string{"comment": strings.Repeat("a", 40)}, Format: tar.FormatPAX}); err != nil {
		t.Fatal(err)
	}
	for _, m := range []member{dir("p-1/"), file("p-1/a", 0o644, "hello\n"), file("p-1/b", 0o644, strings.Repeat("b", 700))} {
		h := &tar.Header{Name: m.name, Typeflag: m.typ, Mode: m.mode, Size: int64(len(m.body))}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write(m.body)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestTarTruncatedInsideGlobalHeader is the reported case: a tar cut at
// 700 bytes, inside the padding after git archive's pax global header,
// used to walk cleanly with no entries.
func TestTarTruncatedInsideGlobalHeader(t *testing.T) {
	data := paxGlobalTar(t)
	if _, err := walkBytes(t, data, Options{}); err != nil {
		t.Fatalf("whole archive: %v", err)
	}
	for _, format := range []Format{FormatTar, FormatTarGz, FormatTarXz, FormatTarZst} {
		// The compression layer is intact; only the tar inside is short.
		_, err := walkBytes(t, compress(t, format, data[:700]), Options{})
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "truncated") {
			t.Errorf("%s: err = %v, want ErrCorrupt truncated", format, err)
		}
	}
}

// TestTarTruncatedGitArchive checks the same with real git archive output.
func TestTarTruncatedGitArchive(t *testing.T) {
	requireTool(t, "git")
	repo := t.TempDir()
	git := func(args ...string) []byte {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", repo}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
			"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("git %v: %v", args, err)
		}
		return out
	}
	git("init", "-q")
	if err := os.WriteFile(filepath.Join(repo, "README"), []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git("add", "README")
	git("commit", "-q", "-m", "c")
	data := git("archive", "--format=tar", "--prefix=p-1/", "HEAD")
	res, err := walkBytes(t, data, Options{})
	if err != nil || res.Entries != 1 || res.Root != "p-1" {
		t.Fatalf("whole archive: err %v res %+v", err, res)
	}
	for _, n := range []int{700, 1024, 1536, 2048, 2560} {
		res, err := walkBytes(t, data[:n], Options{})
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("cut at %d: err = %v (entries %d), want ErrCorrupt", n, err, res.Entries)
		}
	}
}

// TestTarEveryCut: a tar stream cut anywhere before the end of its
// end-of-archive marker is an error, with the right message.
func TestTarEveryCut(t *testing.T) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range []*tar.Header{
		{Name: "p-1/", Typeflag: tar.TypeDir, Mode: 0o755},
		{Name: "p-1/" + strings.Repeat("long", 40), Typeflag: tar.TypeReg, Mode: 0o644, Size: 3, Format: tar.FormatPAX},
		{Name: "p-1/" + strings.Repeat("gnu", 40), Typeflag: tar.TypeReg, Mode: 0o644, Size: 600, Format: tar.FormatGNU},
		{Name: "p-1/link", Typeflag: tar.TypeSymlink, Linkname: "a"},
		{Name: "p-1/zeros", Typeflag: tar.TypeReg, Mode: 0o644, Size: 1024},
	} {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write(make([]byte, h.Size))
	}
	tw.Close()
	data := buf.Bytes()
	if _, err := walkBytes(t, data, Options{}); err != nil {
		t.Fatalf("whole archive: %v", err)
	}
	// Member boundaries: after each member's data and padding.
	boundaries := map[int]bool{}
	counter := &countingTar{data: data}
	tr := tar.NewReader(counter)
	for {
		if _, err := tr.Next(); err != nil {
			break
		}
		io.Copy(io.Discard, tr)
		boundaries[int(roundBlock(int64(counter.off)))] = true
	}
	end := len(data) - 1024
	for cut := 512; cut < len(data); cut++ { // below 512 Detect refuses it
		switch cut % 512 {
		case 0, 1, 2, 100, 256, 510, 511:
		default:
			continue // every block boundary and a few offsets inside each block
		}
		_, err := walkBytes(t, data[:cut], Options{})
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("cut at %d of %d: err = %v, want ErrCorrupt", cut, len(data), err)
		}
		wantMarker := boundaries[cut] || cut == end+512
		if got := strings.Contains(err.Error(), "missing end-of-archive marker"); got != wantMarker {
			t.Fatalf("cut at %d: err = %v, want marker message %v", cut, err, wantMarker)
		}
	}
}

type countingTar struct {
	data []byte
	off  int
}

func (c *countingTar) Read(b []byte) (int, error) {
	if c.off >= len(c.data) {
		return 0, io.EOF
	}
	n := copy(b, c.data[c.off:])
	c.off += n
	return n, nil
}

// TestTarPaxHeaderThenEOF: a stream ending right after a member's pax
// extended header (before the member's own header) is truncated, even
// when the extended header fills exactly two blocks.
func TestTarPaxHeaderThenEOF(t *testing.T) {
	base := makeTar(t, []member{file("p-1/a", 0o644, "a")})
	base = base[:len(base)-1024]
	for _, size := range []int{100, 512} {
		rec := paxRecord("path", "p-1/"+strings.Repeat("x", 60))
		for n := 1; len(rec) < size; n++ {
			rec = paxRecord("path", "p-1/"+strings.Repeat("x", 60)) + paxRecord("comment", strings.Repeat("c", n))
		}
		if len(rec) != size {
			t.Fatalf("pax data of %d bytes, want %d", len(rec), size)
		}
		data := append(bytes.Clone(base), ustarBlock("p-1/PaxHeaders/x", 'x', int64(len(rec)))...)
		data = append(data, pad512([]byte(rec))...)
		_, err := walkBytes(t, data, Options{})
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "truncated at offset") {
			t.Errorf("pax header of %d bytes then EOF: err = %v", len(rec), err)
		}
	}
}

// TestTarWritersEndMarker: every common tar writer ends its archive with
// the end-of-archive marker, so requiring it rejects none of them.
func TestTarWritersEndMarker(t *testing.T) {
	src := t.TempDir()
	rel := filepath.Join(src, "p-1")
	if err := os.MkdirAll(filepath.Join(rel, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"a": "a\n", "sub/b": strings.Repeat("b", 513)} {
		if err := os.WriteFile(filepath.Join(rel, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writers := map[string][]string{
		"gnu-tar-gnu": {"tar", "-C", src, "--format=gnu", "-cf", "OUT", "p-1"},
		"gnu-tar-pax": {"tar", "-C", src, "--format=pax", "-cf", "OUT", "p-1"},
		"bsdtar":      {"bsdtar", "-C", src, "-cf", "OUT", "p-1"},
		"python":      {"python3", "-c", "import sys, tarfile\nwith tarfile.open(sys.argv[1], 'w') as t: t.add(sys.argv[2], arcname='p-1')", "OUT", rel},
	}
	for name, argv := range writers {
		t.Run(name, func(t *testing.T) {
			if name == "bsdtar" {
				if _, err := exec.LookPath("bsdtar"); err != nil {
					t.Skip("bsdtar not installed")
				}
			} else {
				requireTool(t, argv[0])
			}
			out := filepath.Join(t.TempDir(), "x.tar")
			args := append([]string{}, argv[1:]...)
			for i := range args {
				if args[i] == "OUT" {
					args[i] = out
				}
			}
			if b, err := exec.Command(argv[0], args...).CombinedOutput(); err != nil {
				t.Fatalf("%v: %v %s", argv, err, b)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			res, err := walkBytes(t, data, Options{})
			if err != nil || res.Entries != 2 || res.Root != "p-1" {
				t.Fatalf("err %v res %+v", err, res)
			}
		})
	}
	// Go's own writer (used by the fixtures everywhere) is covered by
	// TestTarEveryCut's whole-archive walk.
}

// octal writes a NUL-terminated octal field.
func octal(b []byte, v int64) {
	s := fmt.Sprintf("%0*o", len(b)-1, v)
	copy(b, s)
	b[len(b)-1] = 0
}

// gnuSparseTar builds an old-GNU sparse member (type 'S') of logical size
// realSize whose only data is "x" at the last byte: realSize-1 bytes of
// holes behind one byte of data.
func gnuSparseTar(name string, realSize int64) []byte {
	blk := make([]byte, 512)
	copy(blk[0:100], name)
	octal(blk[100:108], 0o644)
	octal(blk[108:116], 0)
	octal(blk[116:124], 0)
	octal(blk[124:136], 1) // physical size
	octal(blk[136:148], 1700000000)
	blk[156] = tar.TypeGNUSparse
	copy(blk[257:265], "ustar  \x00")
	octal(blk[386:398], realSize-1) // sparse[0].offset
	octal(blk[398:410], 1)          // sparse[0].numbytes
	octal(blk[483:495], realSize)   // realsize
	fixChecksum(blk)
	data := append(blk, pad512([]byte("x"))...)
	return append(data, make([]byte, 1024)...)
}

// TestSparseBomb: a tiny tar.gz declaring 1 GiB of holes is refused
// quickly instead of being hashed in full.
func TestSparseBomb(t *testing.T) {
	bomb := gzipBytes(t, gnuSparseTar("p-1/hole", 1<<30))
	if len(bomb) > 400 {
		t.Fatalf("bomb is %d bytes", len(bomb))
	}
	start := time.Now()
	res, err := walkBounded(t, writeFile(t, "bomb.tar.gz", bomb), Options{})
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "sparse") {
		t.Fatalf("err = %v, want sparse ErrLimit", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("refusing the bomb took %v", d)
	}
	if res.UnpackedBytes > 2*DefaultMaxSparseExpansion {
		t.Errorf("expanded %d bytes before refusing", res.UnpackedBytes)
	}
	if len(hazardKinds(res)[HazardSparse]) != 1 {
		t.Errorf("hazards %+v, want sparse-member", res.Hazards)
	}

	// With the sparse cap lifted, the holes still count against
	// MaxUnpackedBytes and the ratio check.
	lim := DefaultLimits()
	lim.MaxSparseExpansion = math.MaxInt64
	lim.MaxUnpackedBytes = 8 << 20
	if _, err := walkBounded(t, writeFile(t, "bomb.tar.gz", bomb), Options{Limits: lim}); !errors.Is(err, ErrLimit) {
		t.Errorf("unpacked cap: err = %v, want ErrLimit", err)
	}
	lim = DefaultLimits()
	lim.MaxSparseExpansion = math.MaxInt64
	lim.MaxEntrySize = 2 << 30
	_, err = walkBounded(t, writeFile(t, "bomb.tar.gz", bomb), Options{Limits: lim})
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "ratio") {
		t.Errorf("ratio: err = %v, want ratio ErrLimit", err)
	}
}

// TestSparseSmall: a small sparse member is read (its blob id covers the
// expanded content) and flagged.
func TestSparseSmall(t *testing.T) {
	data := gnuSparseTar("p-1/hole", 5000)
	got, res, err := walkAll(t, writeFile(t, "s.tar", data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := append(make([]byte, 4999), 'x')
	if len(got) != 1 || got[0].BlobID != blobID(want) || got[0].Size != 5000 {
		t.Fatalf("entries %+v", got)
	}
	if h := hazardKinds(res)[HazardSparse]; len(h) != 1 || h[0] != "p-1/hole" {
		t.Errorf("hazards %+v", res.Hazards)
	}
	if res.UnpackedBytes != int64(len(data))+4999 {
		t.Errorf("UnpackedBytes %d, want stream %d + holes 4999", res.UnpackedBytes, len(data))
	}
}

// TestSparseGNUTar: pax sparse members written by GNU tar --sparse are
// flagged and limited too.
func TestSparseGNUTar(t *testing.T) {
	requireTool(t, "tar")
	src := t.TempDir()
	rel := filepath.Join(src, "p-1")
	if err := os.MkdirAll(rel, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(rel, "disk.img"))
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt([]byte("end"), 32<<20)
	f.Close()
	for _, format := range []string{"gnu", "posix"} {
		for _, ver := range []string{"", "0.0", "0.1", "1.0"} {
			if format == "gnu" && ver != "" {
				continue
			}
			out := filepath.Join(t.TempDir(), "s.tar")
			args := []string{"-C", src, "--sparse", "--format=" + format, "-cf", out, "p-1"}
			if ver != "" {
				args = append(args, "--sparse-version="+ver)
			}
			if b, err := exec.Command("tar", args...).CombinedOutput(); err != nil {
				t.Fatalf("tar %v: %v %s", args, err, b)
			}
			name := format + ver
			_, res, err := walkAll(t, out, Options{})
			if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "sparse") {
				t.Errorf("%s: err = %v, want sparse ErrLimit", name, err)
			}
			lim := DefaultLimits()
			lim.MaxSparseExpansion = 64 << 20
			got, res, err := walkAll(t, out, Options{Limits: lim})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			var img *seen
			for i := range got {
				if got[i].Path == "p-1/disk.img" {
					img = &got[i]
				}
			}
			want := append(make([]byte, 32<<20), "end"...)
			if img == nil || img.BlobID != blobID(want) {
				t.Errorf("%s: disk.img missing or wrong blob", name)
			}
			if h := hazardKinds(res)[HazardSparse]; len(h) != 1 || h[0] != "p-1/disk.img" || len(res.Hazards) != 1 {
				t.Errorf("%s: hazards %+v", name, res.Hazards)
			}
		}
	}
}

// TestMultipleRoots covers the root rule of the package documentation.
func TestMultipleRoots(t *testing.T) {
	files := func(prefix string, n int) []member {
		var ms []member
		for i := range n {
			ms = append(ms, file(fmt.Sprintf("%s%d", prefix, i), 0o644, "x"))
		}
		return ms
	}
	cat := func(parts ...[]member) []member {
		var ms []member
		for _, p := range parts {
			ms = append(ms, p...)
		}
		return ms
	}
	for _, tc := range []struct {
		name   string
		ms     []member
		root   string
		strays map[string]int // top-level name -> members under it
	}{
		{"single", files("pkg-1.0/f", 3), "pkg-1.0", nil},
		{"a third beside release dir", cat(files("pkg-1.0/f", 6), files("evil/f", 3)), "pkg-1.0", map[string]int{"evil": 3}},
		{"release dir minority but largest", cat(files("xz-5.6.1/f", 4), files("a/f", 3), files("b/f", 3)), "xz-5.6.1", map[string]int{"a": 3, "b": 3}},
		{"majority without digit", cat([]member{dir("pkg/")}, files("pkg/f", 5), files("evil/f", 4)), "pkg", map[string]int{"evil": 4}},
		{"top-level file beside release dir", cat(files("pkg-1.0/f", 3), []member{file("configure", 0o755, "x")}), "pkg-1.0", map[string]int{"configure": 1}},
		{"absolute beside release dir", cat(files("pkg-1.0/f", 3), []member{file("/etc/x", 0o644, "x")}), "pkg-1.0", map[string]int{"/": 1}},
		{"dotdot beside release dir", cat(files("pkg-1.0/f", 3), []member{file("../x", 0o644, "x")}), "pkg-1.0", map[string]int{"..": 1}},
		{"v-prefixed version", cat(files("tool-v2.1/f", 2), files("x/f", 2), files("y/f", 1)), "", nil}, // tie 2-2: no dominant dir
		{"v-prefixed version wins", cat(files("tool-v2.1/f", 3), files("x/f", 2)), "tool-v2.1", map[string]int{"x": 2}},
		{"flat", files("f", 4), "", nil},
		{"git archive without prefix", cat([]member{file("README", 0o644, "x")}, files("src/f", 8)), "", nil},
		{"tie", cat(files("pkg-1.0/f", 3), files("pkg-2.0/f", 3)), "", nil},
		{"no majority no digit", cat(files("a/f", 3), files("b/f", 2), files("c/f", 2)), "", nil},
		{"top name also a file", cat(files("pkg-1.0/f", 3), []member{file("pkg-1.0", 0o644, "x")}), "", nil},
	} {
		for _, format := range []Format{FormatTar, FormatZip} {
			t.Run(tc.name+"/"+string(format), func(t *testing.T) {
				_, res, err := walkAll(t, writeFile(t, "r", build(t, format, tc.ms)), Options{})
				if err != nil {
					t.Fatal(err)
				}
				if res.Root != tc.root || res.HasRoot != (tc.root != "") {
					t.Fatalf("root %q %v, want %q", res.Root, res.HasRoot, tc.root)
				}
				got := map[string]int{}
				for _, h := range res.Hazards {
					if h.Kind != HazardMultipleRoots {
						continue
					}
					if _, dup := got[h.Path]; dup {
						t.Errorf("two hazards for %q", h.Path)
					}
					var n int
					fmt.Sscanf(h.Detail, "%d", &n)
					got[h.Path] = n
				}
				if fmt.Sprint(got) != fmt.Sprint(orEmpty(tc.strays)) {
					t.Errorf("multiple-roots hazards %v, want %v (%+v)", got, tc.strays, res.Hazards)
				}
			})
		}
	}
}

func orEmpty(m map[string]int) map[string]int {
	if m == nil {
		return map[string]int{}
	}
	return m
}

// TestLooksLikeRelease pins the name-version heuristic.
func TestLooksLikeRelease(t *testing.T) {
	for name, want := range map[string]bool{
		"xz-5.6.1": true, "foo_1.0": true, "bar-v2.3": true, "linux-6.9-rc1": true,
		"src": false, "v2": false, "python3": false, "a-b": false, "x-": false, "x-v": false,
	} {
		if got := looksLikeRelease(name); got != want {
			t.Errorf("looksLikeRelease(%q) = %v", name, got)
		}
	}
}

// progressLog records Progress calls and checks their contract.
type progressLog struct {
	mu       sync.Mutex
	vals     []int64
	returned bool
	bad      []string
}

func (p *progressLog) fn(v int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.returned {
		p.bad = append(p.bad, fmt.Sprintf("call with %d after the walk returned", v))
	}
	if n := len(p.vals); n > 0 && v <= p.vals[n-1] {
		p.bad = append(p.bad, fmt.Sprintf("%d after %d", v, p.vals[n-1]))
	}
	p.vals = append(p.vals, v)
}

func (p *progressLog) check(t *testing.T, want int64) {
	t.Helper()
	p.mu.Lock()
	p.returned = true
	vals, bad := p.vals, p.bad
	p.mu.Unlock()
	time.Sleep(2 * ProgressInterval) // a straggling ticker call would show up
	p.mu.Lock()
	bad = p.bad
	p.mu.Unlock()
	if len(bad) > 0 {
		t.Errorf("progress: %v", bad)
	}
	if len(vals) == 0 || vals[len(vals)-1] != want {
		t.Errorf("progress %v, want last %d", vals, want)
	}
}

// TestProgress: WalkFile reports increasing values ending at the file
// size, for every format and for the block-parallel xz path.
func TestProgress(t *testing.T) {
	cases := map[string][]byte{}
	for _, format := range allFormats {
		if _, err := exec.LookPath("bzip2"); err != nil && format == FormatTarBz2 {
			continue
		}
		cases[string(format)] = standardArchive(t, format)
	}
	cases["tar.xz multi-block"] = xzBytes(t, makeTar(t, standardMembers()), 64<<10)
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			var log progressLog
			res, err := WalkFile(context.Background(), writeFile(t, "p", data), Options{Progress: log.fn, Workers: 2}, func(*Entry) error { return nil })
			if err != nil {
				t.Fatal(err)
			}
			log.check(t, int64(len(data)))
			if res.CompressedBytes != int64(len(data)) {
				t.Errorf("CompressedBytes %d, want %d", res.CompressedBytes, len(data))
			}
		})
	}
}

// slowReader delivers at most 4 KiB per read, slowly.
type slowReader struct{ r io.Reader }

func (s slowReader) Read(b []byte) (int, error) {
	time.Sleep(3 * time.Millisecond)
	return s.r.Read(b[:min(len(b), 4096)])
}

// TestProgressTicks: a slow stream gets periodic reports while it runs.
func TestProgressTicks(t *testing.T) {
	data := gzipBytes(t, makeTar(t, []member{{name: "p-1/r", typ: tar.TypeReg, mode: 0o644, body: randomBytes(400<<10, 7)}}))
	var log progressLog
	start := time.Now()
	_, err := Walk(context.Background(), slowReader{bytes.NewReader(data)}, Options{Progress: log.fn}, func(*Entry) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	log.check(t, int64(len(data)))
	if elapsed > 4*ProgressInterval && len(log.vals) < 2 {
		t.Errorf("%v walk gave only %d progress calls", elapsed, len(log.vals))
	}
}

// TestProgressOnError: a failed walk still stops the ticker and makes no
// call after returning.
func TestProgressOnError(t *testing.T) {
	var log progressLog
	data := gzipBytes(t, paxGlobalTar(t)[:700])
	_, err := Walk(context.Background(), bytes.NewReader(data), Options{Progress: log.fn}, func(*Entry) error { return nil })
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("err = %v", err)
	}
	log.check(t, int64(len(data)))
}

// TestLimitsZeroValue: zero, negative and NaN fields take the defaults.
func TestLimitsZeroValue(t *testing.T) {
	if got := (Limits{}).withDefaults(); got != DefaultLimits() {
		t.Errorf("zero Limits -> %+v", got)
	}
	neg := Limits{MaxUnpackedBytes: -1, MaxEntrySize: -1, MaxEntries: -1, MaxPathLen: -1, MaxPathDepth: -1,
		MaxRatio: math.NaN(), MaxPaxHeader: -1, MaxDictSize: -1, MaxSparseExpansion: -1}
	if got := neg.withDefaults(); got != DefaultLimits() {
		t.Errorf("negative/NaN Limits -> %+v", got)
	}
	one := Limits{MaxEntries: 7}.withDefaults()
	if one.MaxEntries != 7 || one.MaxRatio != DefaultMaxRatio {
		t.Errorf("partial Limits -> %+v", one)
	}
}
