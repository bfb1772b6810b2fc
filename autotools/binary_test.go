package autotools

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"image"
	"image/png"
	"testing"
)

func TestIsBinary(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("hello hello hello"))
	zw.Close()
	var zb bytes.Buffer
	z := zip.NewWriter(&zb)
	f, _ := z.Create("a.txt")
	f.Write([]byte("x"))
	z.Close()
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	tw.WriteHeader(&tar.Header{Name: "a", Mode: 0o644, Size: 1})
	tw.Write([]byte("a"))
	tw.Close()
	var pb bytes.Buffer
	png.Encode(&pb, image.NewGray(image.Rect(0, 0, 2, 2)))
	pe := make([]byte, 256)
	copy(pe, "MZ")
	pe[60] = 128
	copy(pe[128:], "PE\x00\x00")
	lzma := append([]byte{0x5d, 0, 0, 0x80, 0}, bytes.Repeat([]byte{0xff}, 8)...)
	lzma = append(lzma, 0x00, 0x12, 0x34)

	tests := []struct {
		name    string
		content []byte
		binary  bool
		kind    string
	}{
		{"empty", nil, false, ""},
		{"ascii", []byte("#! /bin/sh\necho hi\n"), false, ""},
		{"utf8", []byte("Übersetzung – ok\n"), false, ""},
		{"latin1", []byte("caf\xe9 cr\xe8me\n"), false, ""},
		{"crlf", []byte("a\r\nb\r\n"), false, ""},
		{"xz", []byte("\xfd7zXZ\x00\x00\x04\xe6\xd6\xb4\x46"), true, "xz"},
		{"lzma", lzma, true, "lzma"},
		{"gzip", gz.Bytes(), true, "gzip"},
		{"bzip2", []byte("BZh91AY&SY\x00\x01"), true, "bzip2"},
		{"zstd", []byte("\x28\xb5\x2f\xfd\x00\x58"), true, "zstd"},
		{"zip", zb.Bytes(), true, "zip"},
		{"7z", []byte("7z\xbc\xaf\x27\x1c\x00\x04"), true, "7z"},
		{"tar", tb.Bytes(), true, "tar"},
		{"elf", []byte("\x7fELF\x02\x01\x01\x00"), true, "elf"},
		{"pe", pe, true, "pe"},
		{"macho", []byte("\xcf\xfa\xed\xfe\x07\x00\x00\x01"), true, "macho"},
		{"java", []byte("\xca\xfe\xba\xbe\x00\x00\x00\x34"), true, "java-class"},
		{"ar", []byte("!<arch>\nfoo.o/          "), true, "ar"},
		{"pdf", []byte("%PDF-1.5\n%\xe2\xe3\xcf\xd3\n"), true, "pdf"},
		{"png", pb.Bytes(), true, "png"},
		{"jpeg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF"), true, "jpeg"},
		{"gif", []byte("GIF89a\x01\x00\x01\x00"), true, "gif"},
		{"mo-le", []byte("\xde\x12\x04\x95\x00\x00\x00\x00"), true, "mo"},
		{"mo-be", []byte("\x95\x04\x12\xde\x00\x00\x00\x00"), true, "mo"},
		{"nul-data", []byte("abc\x00def"), true, "data"},
		{"control-data", bytes.Repeat([]byte{1, 2, 3, 'a'}, 100), true, "data"},
		{"mz-text", []byte("MZ is how this README starts, and it is long enough to pass sixty-four bytes.\n"), false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bin, kind := IsBinary(tt.content)
			if bin != tt.binary || kind != tt.kind {
				t.Errorf("IsBinary = %v, %q; want %v, %q", bin, kind, tt.binary, tt.kind)
			}
		})
	}
}

func TestBinaryCategory(t *testing.T) {
	for kind, want := range map[string]string{"pdf": "doc", "png": "doc", "mo": "translation", "xz": "compressed", "lzma": "compressed",
		"zip": "archive", "ar": "archive", "elf": "object", "pe": "object", "data": "data"} {
		if got := binaryCategory(kind); got != want {
			t.Errorf("binaryCategory(%q) = %q, want %q", kind, got, want)
		}
	}
}
