package archive

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"fmt"
	"testing"
)

// TestObjectFormatSHA256 checks that Options.ObjectFormat "sha256" yields
// git's SHA-256 blob ids for files, symlinks and hard links, with BlobID
// holding their 20-byte prefix, and that the default stays SHA-1.
func TestObjectFormatSHA256(t *testing.T) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	content := []byte("hello sha256\n")
	tw.WriteHeader(&tar.Header{Name: "p-1/", Typeflag: tar.TypeDir, Mode: 0o755})
	tw.WriteHeader(&tar.Header{Name: "p-1/a.txt", Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(content))})
	tw.Write(content)
	tw.WriteHeader(&tar.Header{Name: "p-1/link", Typeflag: tar.TypeSymlink, Linkname: "a.txt"})
	tw.WriteHeader(&tar.Header{Name: "p-1/hard", Typeflag: tar.TypeLink, Linkname: "p-1/a.txt"})
	tw.Close()
	blob := func(b []byte) []byte { return fmt.Appendf(nil, "blob %d\x00%s", len(b), b) }
	want256 := map[string][32]byte{
		"p-1/a.txt": sha256.Sum256(blob(content)),
		"p-1/link":  sha256.Sum256(blob([]byte("a.txt"))),
		"p-1/hard":  sha256.Sum256(blob(content)),
	}
	for _, format := range []string{"", "sha1", "sha256"} {
		got := map[string]Entry{}
		_, err := Walk(context.Background(), bytes.NewReader(buf.Bytes()), Options{ObjectFormat: format}, func(e *Entry) error {
			if e.Type != TypeDir {
				got[e.Path] = *e
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%q: %v", format, err)
		}
		for p, w := range want256 {
			e := got[p]
			if format == "sha256" {
				if e.BlobID256 != w {
					t.Errorf("%q %s: BlobID256 %x, want %x", format, p, e.BlobID256, w)
				}
				if !bytes.Equal(e.BlobID[:], w[:20]) {
					t.Errorf("%q %s: BlobID %x is not the prefix of %x", format, p, e.BlobID, w)
				}
				continue
			}
			if e.BlobID256 != ([32]byte{}) {
				t.Errorf("%q %s: BlobID256 set in sha1 mode", format, p)
			}
			target := content
			if p == "p-1/link" {
				target = []byte("a.txt")
			}
			if e.BlobID != sha1.Sum(blob(target)) {
				t.Errorf("%q %s: BlobID %x is not the SHA-1 blob id", format, p, e.BlobID)
			}
		}
	}
	if _, err := Walk(context.Background(), bytes.NewReader(buf.Bytes()), Options{ObjectFormat: "md5"}, func(*Entry) error { return nil }); err == nil {
		t.Fatal("unknown object format accepted")
	}
}
