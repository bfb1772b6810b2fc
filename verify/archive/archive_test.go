package archive

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

var longDir = "root/" + strings.Repeat("very-long-directory-name/", 6)

// standardMembers is the fixture of issue 2: pax long name, symlink, hard
// link, executable, empty file, non-UTF-8 name, a file above KeepBytes.
func standardMembers() []member {
	return []member{
		dir("root/"),
		file("root/README", 0o644, "hello\n"),
		file("root/empty", 0o644, ""),
		file("root/run.sh", 0o755, "#!/bin/sh\necho hi\n"),
		symlink("root/link", "README"),
		hardlink("root/hard", "root/README"),
		{name: longDir + "deep.txt", typ: tar.TypeReg, mode: 0o644, body: []byte("deep\n"), format: tar.FormatPAX},
		{name: "root/bad-\xff\xfe-name", typ: tar.TypeReg, mode: 0o600, body: []byte("latin1\n"), format: tar.FormatGNU},
		{name: "root/big.bin", typ: tar.TypeReg, mode: 0o644, body: randomBytes(DefaultKeepBytes+12345, 1)},
	}
}

func TestFormats(t *testing.T) {
	for _, format := range allFormats {
		t.Run(string(format), func(t *testing.T) {
			ms := standardMembers()
			p := writeFile(t, "fixture.bin", standardArchive(t, format))
			got, res, err := walkAll(t, p, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Format != format {
				t.Errorf("format %q, want %q", res.Format, format)
			}
			if !res.HasRoot || res.Root != "root" {
				t.Errorf("root %q %v, want root", res.Root, res.HasRoot)
			}
			if len(res.Hazards) != 0 {
				t.Errorf("unexpected hazards %+v", res.Hazards)
			}
			byPath := map[string]seen{}
			for _, e := range got {
				byPath[e.Path] = e
			}
			wantEntries := 0
			for _, m := range ms {
				path := strings.TrimSuffix(m.name, "/")
				e, ok := byPath[path]
				if m.typ == tar.TypeLink && format == FormatZip {
					continue
				}
				if !ok {
					t.Errorf("missing %q", path)
					continue
				}
				if e.RawName != m.name && !(format == FormatZip && e.Type == TypeDir) {
					t.Errorf("%q raw name %q", path, e.RawName)
				}
				switch m.typ {
				case tar.TypeDir:
					if e.Type != TypeDir || e.GitMode != 0 {
						t.Errorf("%q: %v %o", path, e.Type, e.GitMode)
					}
					continue
				case tar.TypeSymlink:
					if e.Type != TypeSymlink || e.GitMode != GitModeSymlink || e.LinkTarget != m.link ||
						e.BlobID != blobID([]byte(m.link)) || string(e.content) != m.link {
						t.Errorf("%q: symlink entry %+v", path, e.Entry)
					}
				case tar.TypeLink:
					target := byPath[m.link]
					if e.Type != TypeHardlink || e.BlobID != target.BlobID || e.Size != target.Size || e.GitMode != GitModeFile {
						t.Errorf("%q: hard link entry %+v", path, e.Entry)
					}
				default:
					wantMode := GitModeFile
					if m.mode&0o111 != 0 {
						wantMode = GitModeExec
					}
					if e.Type != TypeRegular || e.GitMode != wantMode || e.Size != int64(len(m.body)) ||
						e.BlobID != blobID(m.body) || e.Mode != m.mode {
						t.Errorf("%q: file entry %+v", path, e.Entry)
					}
					if len(m.body) <= DefaultKeepBytes && !bytes.Equal(e.content, m.body) {
						t.Errorf("%q: content not kept", path)
					}
					if len(m.body) > DefaultKeepBytes && e.content != nil {
						t.Errorf("%q: content kept above KeepBytes", path)
					}
				}
				wantEntries++
			}
			if res.Entries != wantEntries {
				t.Errorf("Entries = %d, want %d", res.Entries, wantEntries)
			}
			if res.CompressedBytes != int64(len(mustRead(t, p))) {
				t.Errorf("CompressedBytes = %d", res.CompressedBytes)
			}
		})
	}
}

func mustRead(t testing.TB, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBlobIDsMatchGit checks blob ids against git hash-object.
func TestBlobIDsMatchGit(t *testing.T) {
	requireTool(t, "git")
	ms := standardMembers()
	p := writeFile(t, "x.tar", makeTar(t, ms))
	got, _, err := walkAll(t, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	bodies := map[string][]byte{}
	for _, m := range ms {
		if m.typ == tar.TypeSymlink {
			bodies[m.name] = []byte(m.link)
		} else if m.typ == tar.TypeReg {
			bodies[m.name] = m.body
		}
	}
	for _, e := range got {
		body, ok := bodies[e.RawName]
		if !ok {
			continue
		}
		cmd := exec.Command("git", "hash-object", "--stdin")
		cmd.Stdin = bytes.NewReader(body)
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.TrimSpace(string(out)); hex.EncodeToString(e.BlobID[:]) != want {
			t.Errorf("%q: blob %x, git says %s", e.Path, e.BlobID, want)
		}
	}
}

// TestRealTools walks archives made by GNU tar and the xz/zstd/bzip2 CLIs,
// named misleadingly, and compares with "tar -t" and git hash-object.
func TestRealTools(t *testing.T) {
	requireTool(t, "tar")
	requireTool(t, "git")
	src := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	rel := filepath.Join(src, "pkg-1.0")
	long := filepath.Join(rel, strings.Repeat("d", 90), strings.Repeat("e", 90))
	must(os.MkdirAll(long, 0o755))
	must(os.WriteFile(filepath.Join(long, "f.c"), []byte("int x;\n"), 0o644))
	must(os.WriteFile(filepath.Join(rel, "configure"), []byte("#!/bin/sh\n"), 0o755))
	must(os.WriteFile(filepath.Join(rel, "empty"), nil, 0o644))
	must(os.Symlink("configure", filepath.Join(rel, "cfg")))
	must(os.Link(filepath.Join(rel, "configure"), filepath.Join(rel, "configure.hard")))
	for _, tc := range []struct{ flag, name string }{
		{"--format=pax", "a.tar"}, {"--format=gnu", "b.tar"},
		{"-J", "c.tar.gz"}, {"-z", "d.tar.xz"}, {"--zstd", "e.tar"}, {"-j", "f.tgz"},
	} {
		t.Run(tc.name+tc.flag, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), tc.name)
			cmd := exec.Command("tar", "-C", src, tc.flag, "-cf", out, "pkg-1.0")
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Skipf("tar %s: %v %s", tc.flag, err, b)
			}
			got, res, err := walkAll(t, out, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Root != "pkg-1.0" || len(res.Hazards) != 0 || res.Entries != 5 {
				t.Fatalf("root %q hazards %+v entries %d", res.Root, res.Hazards, res.Entries)
			}
			for _, e := range got {
				if e.Type != TypeRegular {
					continue
				}
				b, err := exec.Command("git", "hash-object", filepath.Join(src, e.Path)).Output()
				must(err)
				if hex.EncodeToString(e.BlobID[:]) != strings.TrimSpace(string(b)) {
					t.Errorf("%s: blob mismatch", e.Path)
				}
			}
		})
	}
}

func TestDetect(t *testing.T) {
	tarData := makeTar(t, []member{file("a", 0o644, "x")})
	v7 := bytes.Clone(tarData[:512])
	copy(v7[257:265], make([]byte, 8)) // drop the ustar magic; checksum no longer matches
	for _, tc := range []struct {
		name string
		data []byte
		want Format
		err  bool
	}{
		{"tar", tarData, FormatTar, false},
		{"empty tar", make([]byte, 1024), FormatTar, false},
		{"gz", gzipBytes(t, tarData), FormatTarGz, false},
		{"xz", xzBytes(t, tarData, 0), FormatTarXz, false},
		{"zst", zstdBytes(t, tarData), FormatTarZst, false},
		{"bz2", []byte("BZh91AY&SY"), FormatTarBz2, false},
		{"zip", makeZip(t, []member{file("a", 0o644, "x")}), FormatZip, false},
		{"garbage", []byte("hello world, not an archive"), "", true},
		{"bad checksum v7", v7, "", true},
		{"empty", nil, "", true},
	} {
		got, err := Detect(tc.data)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("%s: Detect = %q, %v", tc.name, got, err)
		}
		if err != nil && !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: error %v does not wrap ErrCorrupt", tc.name, err)
		}
	}
}

// TestContentNotName: a .tar.gz file that holds xz data is read as xz.
func TestContentNotName(t *testing.T) {
	p := writeFile(t, "pkg-1.0.tar.gz", xzBytes(t, makeTar(t, []member{file("pkg-1.0/a", 0o644, "x")}), 0))
	_, res, err := walkAll(t, p, Options{})
	if err != nil || res.Format != FormatTarXz || res.Entries != 1 {
		t.Fatalf("res %+v err %v", res, err)
	}
}

func TestWalkStreamZip(t *testing.T) {
	_, err := Walk(context.Background(), bytes.NewReader(makeZip(t, []member{file("a", 0o644, "x")})), Options{}, func(*Entry) error { return nil })
	if !errors.Is(err, ErrNeedFile) {
		t.Fatalf("err %v", err)
	}
}

func hazardKinds(res *Result) map[string][]string {
	m := map[string][]string{}
	for _, h := range res.Hazards {
		m[h.Kind] = append(m[h.Kind], h.Path)
	}
	return m
}

func TestHazards(t *testing.T) {
	base := []member{dir("pkg-1.0/"), file("pkg-1.0/a", 0o644, "a"), file("pkg-1.0/b", 0o644, "b")}
	with := func(ms ...member) []member { return append(append([]member{}, base...), ms...) }
	for _, tc := range []struct {
		name    string
		members []member
		kind    string
		path    string
		noZip   bool
	}{
		{"absolute", with(file("/etc/evil", 0o644, "x")), HazardAbsolutePath, "/etc/evil", false},
		{"traversal", with(file("pkg-1.0/../../evil", 0o644, "x")), HazardTraversal, "../evil", false},
		{"inner dotdot", with(file("pkg-1.0/x/../a2", 0o644, "x")), HazardTraversal, "pkg-1.0/a2", false},
		{"duplicate", with(file("pkg-1.0/a", 0o644, "evil")), HazardDuplicate, "pkg-1.0/a", false},
		{"symlink escape abs", with(symlink("pkg-1.0/l", "/etc/passwd")), HazardLinkEscape, "pkg-1.0/l", false},
		{"symlink escape rel", with(symlink("pkg-1.0/l", "../../x")), HazardLinkEscape, "pkg-1.0/l", false},
		{"symlink escape root", with(symlink("pkg-1.0/l", "../other")), HazardLinkEscape, "pkg-1.0/l", false},
		{"hardlink escape", with(hardlink("pkg-1.0/h", "../etc/shadow")), HazardLinkEscape, "pkg-1.0/h", true},
		{"hardlink broken", with(hardlink("pkg-1.0/h", "pkg-1.0/nope")), HazardBrokenHardlink, "pkg-1.0/h", true},
		{"parent symlink", with(symlink("pkg-1.0/d", "/tmp"), file("pkg-1.0/d/x", 0o644, "x")), HazardParentSymlink, "pkg-1.0/d/x", false},
		{"char device", with(member{name: "pkg-1.0/dev", typ: tar.TypeChar, mode: 0o644}), HazardDevice, "pkg-1.0/dev", true},
		{"fifo", with(member{name: "pkg-1.0/fifo", typ: tar.TypeFifo, mode: 0o644}), HazardDevice, "pkg-1.0/fifo", true},
		{"setuid", with(file("pkg-1.0/su", 0o4755, "x")), HazardSetuid, "pkg-1.0/su", false},
		{"sticky", with(file("pkg-1.0/st", 0o1644, "x")), HazardSetuid, "pkg-1.0/st", true},
		{"multiple roots", append(with(file("pkg-1.0/c", 0o644, "c"), file("pkg-1.0/d", 0o644, "d"), file("pkg-1.0/e", 0o644, "e"),
			file("pkg-1.0/f", 0o644, "f"), file("pkg-1.0/g", 0o644, "g"), file("pkg-1.0/h", 0o644, "h"), file("pkg-1.0/i", 0o644, "i"),
			file("pkg-1.0/j", 0o644, "j")), file("evil/x", 0o644, "x")), HazardMultipleRoots, "evil", false},
		{"newline", with(file("pkg-1.0/a\nb", 0o644, "x")), HazardControlChars, "pkg-1.0/a\nb", false},
		{"escape seq", with(file("pkg-1.0/\x1b[2Jx", 0o644, "x")), HazardControlChars, "pkg-1.0/\x1b[2Jx", false},
		{"bidi", with(file("pkg-1.0/evil\u202etxt.c", 0o644, "x")), HazardControlChars, "pkg-1.0/evil\u202etxt.c", false},
		{"case", with(file("pkg-1.0/A", 0o644, "x")), HazardCaseCollision, "pkg-1.0/A", false},
		{"nfd", with(file("pkg-1.0/caf\u00e9", 0o644, "x"), file("pkg-1.0/cafe\u0301", 0o644, "y")), HazardCaseCollision, "pkg-1.0/cafe\u0301", false},
	} {
		for _, format := range []Format{FormatTarGz, FormatZip} {
			if format == FormatZip && tc.noZip {
				continue
			}
			t.Run(tc.name+"/"+string(format), func(t *testing.T) {
				_, res, err := walkAll(t, writeFile(t, "h", build(t, format, tc.members)), Options{})
				if err != nil {
					t.Fatal(err)
				}
				got := hazardKinds(res)
				if paths := got[tc.kind]; len(paths) == 0 || paths[0] != tc.path {
					t.Errorf("want %s at %q, got %+v", tc.kind, tc.path, res.Hazards)
				}
			})
		}
	}
}

// TestHazardFree: legitimate archives raise no hazard.
func TestHazardFree(t *testing.T) {
	for name, ms := range map[string][]member{
		"rootless":         {file("README", 0o644, "x"), file("src/a.c", 0o644, "y"), dir("src/")},
		"setgid dir":       {{name: "p-1/", typ: tar.TypeDir, mode: 0o2755}, file("p-1/a", 0o644, "a")},
		"repeated dir":     {dir("p-1/"), dir("p-1/"), file("p-1/a", 0o644, "a")},
		"internal link":    {file("p-1/a", 0o644, "a"), symlink("p-1/sub/l", "../a"), symlink("p-1/dot", ".")},
		"dot slash prefix": {dir("./"), dir("./p-1/"), file("./p-1/a", 0o644, "a")},
		"utf8 name":        {file("p-1/café", 0o644, "a"), file("p-1/日本", 0o644, "a")},
	} {
		_, res, err := walkAll(t, writeFile(t, "x.tar", makeTar(t, ms)), Options{})
		if err != nil || len(res.Hazards) != 0 {
			t.Errorf("%s: err %v hazards %+v", name, err, res.Hazards)
		}
	}
}

func TestRoot(t *testing.T) {
	for _, tc := range []struct {
		name string
		ms   []member
		root string
	}{
		{"single", []member{file("p-1/a", 0o644, "")}, "p-1"},
		{"dot slash", []member{dir("./"), file("./p-1/a", 0o644, "")}, "p-1"},
		{"lone file", []member{file("a", 0o644, "")}, ""},
		{"file and dir", []member{file("p-1", 0o644, ""), file("p-1/a", 0o644, "")}, ""},
		{"two tops", []member{file("a/x", 0o644, ""), file("b/x", 0o644, "")}, ""},
		{"dir only", []member{dir("p-1/")}, "p-1"},
		{"absolute", []member{file("/p-1/a", 0o644, "")}, ""},
	} {
		_, res, err := walkAll(t, writeFile(t, "x.tar", makeTar(t, tc.ms)), Options{})
		if err != nil || res.Root != tc.root || res.HasRoot != (tc.root != "") {
			t.Errorf("%s: root %q %v err %v", tc.name, res.Root, res.HasRoot, err)
		}
	}
}

// TestLongNameOverride: a pax path record replacing an unrelated ustar
// name is flagged; ordinary long names (prefix of the real name) are not.
func TestLongNameOverride(t *testing.T) {
	var data []byte
	data = append(data, makeTar(t, []member{file("p-1/README", 0o644, "x")})...)
	data = data[:1024] // drop the end-of-archive blocks
	rec := paxRecord("path", "p-1/configure")
	data = append(data, ustarBlock("p-1/PaxHeaders/NEWS", 'x', int64(len(rec)))...)
	data = append(data, pad512([]byte(rec))...)
	data = append(data, ustarBlock("p-1/NEWS", '0', 1)...)
	data = append(data, pad512([]byte("x"))...)
	data = append(data, make([]byte, 1024)...)
	_, res, err := walkAll(t, writeFile(t, "x.tar", data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := hazardKinds(res)[HazardLongNameOverride]; len(got) != 1 || got[0] != "p-1/configure" {
		t.Fatalf("hazards %+v", res.Hazards)
	}
}

// paxRecord formats one "len key=value\n" record.
func paxRecord(k, v string) string {
	body := " " + k + "=" + v + "\n"
	n := len(body) + 1
	for len(strconv.Itoa(n))+len(body) != n {
		n++
	}
	return strconv.Itoa(n) + body
}

func pad512(b []byte) []byte { return append(b, make([]byte, (512-len(b)%512)%512)...) }

// ustarBlock builds a POSIX ustar header block.
func ustarBlock(name string, typ byte, size int64) []byte {
	blk := make([]byte, 512)
	copy(blk[0:100], name)
	copy(blk[100:108], "0000644\x00")
	copy(blk[108:116], "0000000\x00")
	copy(blk[116:124], "0000000\x00")
	copy(blk[124:136], fmt.Sprintf("%011o\x00", size))
	copy(blk[136:148], "14000000000\x00")
	blk[156] = typ
	copy(blk[257:265], "ustar\x0000")
	fixChecksum(blk)
	return blk
}

// TestPaxNameFlaggedByPaxAlone is a sanity check that a Go-written pax
// record for a short name matching the ustar name is not flagged.
func TestPaxNameFlaggedByPaxAlone(t *testing.T) {
	data := makeTar(t, []member{{name: "p-1/" + strings.Repeat("x", 200), typ: tar.TypeReg, mode: 0o644, format: tar.FormatPAX},
		{name: "p-1/" + strings.Repeat("y", 99) + "/" + strings.Repeat("z", 120), typ: tar.TypeReg, mode: 0o644, format: tar.FormatGNU}})
	_, res, err := walkAll(t, writeFile(t, "x.tar", data), Options{})
	if err != nil || len(res.Hazards) != 0 {
		t.Fatalf("err %v hazards %+v", err, res.Hazards)
	}
}

func fixChecksum(blk []byte) {
	copy(blk[148:156], "        ")
	var sum int64
	for _, c := range blk[:512] {
		sum += int64(c)
	}
	copy(blk[148:156], fmt.Sprintf("%06o\x00 ", sum))
}

func TestTrailingData(t *testing.T) {
	data := append(makeTar(t, []member{file("p-1/a", 0o644, "a")}), []byte("#!/bin/sh\nevil\n")...)
	_, res, err := walkAll(t, writeFile(t, "x.tar.gz", gzipBytes(t, data)), Options{})
	if err != nil || len(hazardKinds(res)[HazardTrailingData]) != 1 {
		t.Fatalf("err %v hazards %+v", err, res.Hazards)
	}
}

func TestZipMismatch(t *testing.T) {
	data := makeZip(t, []member{file("p-1/README", 0o644, "x"), file("p-1/b", 0o644, "y")})
	// Rename the first local header's file name; the central directory
	// still says p-1/README.
	i := bytes.Index(data, []byte("p-1/README"))
	copy(data[i:], "p-1/EVILME")
	_, res, err := walkAll(t, writeFile(t, "x.zip", data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := hazardKinds(res)[HazardZipMismatch]; len(got) != 1 || got[0] != "p-1/README" {
		t.Fatalf("hazards %+v", res.Hazards)
	}
}

func TestCallbackErrorAndCancel(t *testing.T) {
	stop := errors.New("stop")
	for _, format := range allFormats {
		p := writeFile(t, "x", standardArchive(t, format))
		before := runtime.NumGoroutine()
		_, err := WalkFile(context.Background(), p, Options{}, func(*Entry) error { return stop })
		if err != stop {
			t.Errorf("%s: err %v, want the callback's error", format, err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err = WalkFile(ctx, p, Options{}, func(*Entry) error { return nil })
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: err %v, want context.Canceled", format, err)
		}
		waitGoroutines(t, before)
	}
}

// waitGoroutines fails if goroutines started by a walk are still running.
func waitGoroutines(t testing.TB, before int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("goroutine leak: %d > %d\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Go's archive/tar writes a non-ASCII name in a pax path record and a
// lossy ASCII copy in the ustar name field: that is not an override
// (tarballs made by Go tools, short and over 100 bytes, and one whose cut
// ends in slashes). A lossy name that is another member's name is: a tool
// that ignores pax records would write one member over the other.
func TestLongNameGoPAX(t *testing.T) {
	long := "p-1/" + strings.Repeat("d\u00e9/", 40) + "f\u00fcr.txt"
	slashes := "p-1/" + strings.Repeat("a", 94) + "//\u00e9/x"
	pax := func(name, body string) member {
		m := file(name, 0o644, body)
		m.format = tar.FormatPAX
		return m
	}
	for _, tc := range []struct {
		name  string
		ms    []member
		flags []string
	}{
		{"non-ASCII names", []member{pax("p-1/README", "r"), pax("p-1/caf\u00e9.txt", "c"), pax("p-1/\u65e5\u672c/\u8a9e.md", "j"),
			pax(long, "l"), pax(slashes, "s")}, nil},
		{"lossy name of another member", []member{pax("p-1/src/main.c", "int main;"), pax("p-1/src/mai\u00e9n.c", "payload")},
			[]string{"p-1/src/mai\u00e9n.c"}},
		{"lossy name that leaves the root", []member{pax("p-1/README", "r"), pax("p-1/.\u00e9./x", "payload")},
			[]string{"p-1/.\u00e9./x"}},
		{"lossy name of a later member", []member{pax("p-1/src/mai\u00e9n.c", "payload"), pax("p-1/src/main.c", "int main;")},
			[]string{"p-1/src/mai\u00e9n.c"}},
	} {
		_, res, err := walkAll(t, writeFile(t, "x.tar", makeTar(t, tc.ms)), Options{})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got := hazardKinds(res)[HazardLongNameOverride]
		if strings.Join(got, "|") != strings.Join(tc.flags, "|") {
			t.Errorf("%s: long-name-override on %q, want %q (hazards %+v)", tc.name, got, tc.flags, res.Hazards)
		}
	}
	// The rule is exact: a ustar name that drops an ASCII character too is
	// not Go's, even beside a non-ASCII one.
	var data []byte
	rec := paxRecord("path", "p-1/conf\u00e9igure")
	data = append(data, ustarBlock("p-1/PaxHeaders/x", 'x', int64(len(rec)))...)
	data = append(data, pad512([]byte(rec))...)
	data = append(data, ustarBlock("p-1/config", '0', 1)...)
	data = append(data, pad512([]byte("x"))...)
	data = append(data, make([]byte, 1024)...)
	_, res, err := walkAll(t, writeFile(t, "y.tar", data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := hazardKinds(res)[HazardLongNameOverride]; len(got) != 1 {
		t.Errorf("ustar %q for pax %q: hazards %+v", "p-1/config", "p-1/conf\u00e9igure", res.Hazards)
	}
}

func TestGoUstarName(t *testing.T) {
	for in, want := range map[string]string{
		"a/b.c":                         "a/b.c",
		"caf\u00e9":                     "caf",
		strings.Repeat("x", 120):        strings.Repeat("x", 100),
		strings.Repeat("x", 98) + "//y": strings.Repeat("x", 98),
	} {
		if got := goUstarName(in); got != want {
			t.Errorf("goUstarName(%q) = %q, want %q", in, got, want)
		}
	}
}

// WalkBytes reads every format from memory, zip included, with the same
// blob ids and hazards as WalkFile; bytes that are no archive are an error.
func TestWalkBytes(t *testing.T) {
	for _, format := range allFormats {
		data := standardArchive(t, format)
		fromFile, resFile, err := walkAll(t, writeFile(t, "fixture.bin", data), Options{})
		if err != nil {
			t.Fatal(err)
		}
		var fromBytes []string
		res, err := WalkBytes(context.Background(), data, Options{}, func(e *Entry) error {
			fromBytes = append(fromBytes, e.Path+" "+hex.EncodeToString(e.BlobID[:]))
			return nil
		})
		if err != nil || res.Format != format || res.Entries != resFile.Entries || len(res.Hazards) != len(resFile.Hazards) {
			t.Fatalf("%s: res %+v err %v, want %+v", format, res, err, resFile)
		}
		if len(fromBytes) != len(fromFile) {
			t.Fatalf("%s: %d members, want %d", format, len(fromBytes), len(fromFile))
		}
		for i, e := range fromFile {
			if want := e.Path + " " + hex.EncodeToString(e.BlobID[:]); fromBytes[i] != want {
				t.Errorf("%s: member %d %q, want %q", format, i, fromBytes[i], want)
			}
		}
	}
	if _, err := WalkBytes(context.Background(), []byte("not an archive"), Options{}, func(*Entry) error { return nil }); err == nil {
		t.Error("no error for bytes that are no archive")
	}
	if _, err := WalkBytes(context.Background(), nil, Options{}, func(*Entry) error { return nil }); err == nil {
		t.Error("no error for no bytes")
	}
}

// TestOwnedContent: the members Options.Owned names come in buffers of
// their own, which the callback keeps intact after the walk has read
// other members (into its reused buffer, Owned false); a member over
// KeepBytes has no content either way. For every format.
func TestOwnedContent(t *testing.T) {
	for _, format := range allFormats {
		data := standardArchive(t, format)
		want := map[string]string{"root/README": "hello\n", "root/run.sh": "#!/bin/sh\necho hi\n"}
		kept := map[string][]byte{}
		_, err := WalkBytes(context.Background(), data, Options{Owned: func(p string) bool {
			return p != "root/empty" && p != "root/bad-\xff\xfe-name"
		}}, func(e *Entry) error {
			switch {
			case e.Type != TypeRegular:
			case e.Content == nil:
				if e.Owned {
					t.Errorf("%s: %s owned without content", format, e.Path)
				}
			case e.Path == "root/empty" || e.Path == "root/bad-\xff\xfe-name":
				if e.Owned {
					t.Errorf("%s: %s owned, but Owned said no", format, e.Path)
				}
			case !e.Owned:
				t.Errorf("%s: %s not owned, but Owned said yes", format, e.Path)
			default:
				kept[e.Path] = e.Content
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for p, w := range want {
			if string(kept[p]) != w {
				t.Errorf("%s: kept %s = %q after the walk, want %q", format, p, kept[p], w)
			}
		}
	}
}
