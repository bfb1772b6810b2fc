package archive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha1"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// requireTool skips the test when an external tool is missing, unless
// TARCHECK_REQUIRE_TOOLS=1 demands it.
func requireTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("TARCHECK_REQUIRE_TOOLS") == "1" {
			t.Fatalf("required tool %s not found: %v", name, err)
		}
		t.Skipf("%s not installed", name)
	}
	return p
}

// member describes one archive member of a fixture.
type member struct {
	name   string
	typ    byte // tar type flag
	mode   int64
	body   []byte
	link   string
	format tar.Format
}

func file(name string, mode int64, body string) member {
	return member{name: name, typ: tar.TypeReg, mode: mode, body: []byte(body)}
}

func dir(name string) member { return member{name: name, typ: tar.TypeDir, mode: 0o755} }

func symlink(name, target string) member {
	return member{name: name, typ: tar.TypeSymlink, mode: 0o777, link: target}
}

func hardlink(name, target string) member {
	return member{name: name, typ: tar.TypeLink, mode: 0o644, link: target}
}

// makeTar writes members with archive/tar.
func makeTar(t testing.TB, ms []member) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, m := range ms {
		h := &tar.Header{Name: m.name, Typeflag: m.typ, Mode: m.mode, Linkname: m.link,
			Size: int64(len(m.body)), ModTime: time.Unix(1700000000, 0), Format: m.format}
		if m.typ != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatalf("tar header %q: %v", m.name, err)
		}
		if h.Size > 0 {
			if _, err := tw.Write(m.body); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// makeZip writes members with archive/zip (no hard links in zip).
func makeZip(t testing.TB, ms []member) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range ms {
		fh := &zip.FileHeader{Name: m.name, Method: zip.Deflate}
		body := m.body
		switch m.typ {
		case tar.TypeDir:
			fh.Name = strings.TrimSuffix(m.name, "/") + "/"
			fh.SetMode(fs.ModeDir | fs.FileMode(m.mode))
		case tar.TypeSymlink:
			fh.SetMode(fs.ModeSymlink | 0o777)
			body = []byte(m.link)
		case tar.TypeLink:
			continue
		default:
			fh.SetMode(fs.FileMode(m.mode & 0o777))
			if m.mode&0o4000 != 0 {
				fh.SetMode(fs.FileMode(m.mode&0o777) | fs.ModeSetuid)
			}
		}
		w, err := zw.CreateHeader(fh)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gzipBytes(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func zstdBytes(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw, err := zstd.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// xzBytes compresses with the Go xz writer; blockSize 0 means one block.
func xzBytes(t testing.TB, b []byte, blockSize int64) []byte {
	var buf bytes.Buffer
	zw, err := xz.WriterConfig{BlockSize: blockSize}.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// runFilter pipes b through an external command.
func runFilter(t testing.TB, b []byte, name string, args ...string) []byte {
	t.Helper()
	requireTool(t, name)
	cmd := exec.Command(name, args...)
	cmd.Stdin = bytes.NewReader(b)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v: %s", name, args, err, stderr.String())
	}
	return out.Bytes()
}

func bzip2Bytes(t testing.TB, b []byte) []byte { return runFilter(t, b, "bzip2", "-c") }

// compress turns a tar into the given format.
func compress(t testing.TB, format Format, tarData []byte) []byte {
	t.Helper()
	switch format {
	case FormatTar:
		return tarData
	case FormatTarGz:
		return gzipBytes(t, tarData)
	case FormatTarXz:
		return xzBytes(t, tarData, 0)
	case FormatTarBz2:
		return bzip2Bytes(t, tarData)
	case FormatTarZst:
		return zstdBytes(t, tarData)
	}
	t.Fatalf("cannot compress %s", format)
	return nil
}

// build returns the archive bytes for members in a format (zip included).
func build(t testing.TB, format Format, ms []member) []byte {
	if format == FormatZip {
		return makeZip(t, ms)
	}
	return compress(t, format, makeTar(t, ms))
}

func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// seen is a copy of an Entry that outlives the callback.
type seen struct {
	Entry
	content []byte
}

// walkAll walks a file and collects copies of all entries.
func walkAll(t testing.TB, p string, opts Options) ([]seen, *Result, error) {
	t.Helper()
	var out []seen
	res, err := WalkFile(context.Background(), p, opts, func(e *Entry) error {
		s := seen{Entry: *e}
		if e.Content != nil {
			s.content = bytes.Clone(e.Content)
		}
		s.Content = nil
		out = append(out, s)
		return nil
	})
	return out, res, err
}

func blobID(content []byte) [20]byte {
	return sha1.Sum(append([]byte(fmt.Sprintf("blob %d\x00", len(content))), content...))
}

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

var (
	standardMu    sync.Mutex
	standardCache = map[Format][]byte{}
)

// standardArchive builds (once per format) the standard fixture.
func standardArchive(t testing.TB, format Format) []byte {
	standardMu.Lock()
	defer standardMu.Unlock()
	if b, ok := standardCache[format]; ok {
		return b
	}
	b := build(t, format, standardMembers())
	standardCache[format] = b
	return b
}

var allFormats = []Format{FormatTar, FormatTarGz, FormatTarXz, FormatTarBz2, FormatTarZst, FormatZip}

// readAllFrom drains r (used for decoder comparisons).
func readAllFrom(t testing.TB, r io.Reader) []byte {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
