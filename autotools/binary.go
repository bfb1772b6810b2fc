package autotools

import (
	"bytes"
	"encoding/binary"
)

// binarySniffLen is how many leading bytes IsBinary inspects for NUL and
// control characters (git uses the same window).
const binarySniffLen = 8000

// Binary kinds grouped by what they mean for a release: documentation and
// translations are expected in tarballs; compressed data, archives, objects and
// executables are not.
var (
	docKinds        = map[string]bool{"pdf": true, "png": true, "jpeg": true, "gif": true, "webp": true, "tiff": true, "ico": true, "dvi": true, "font": true, "bmp": true}
	translKinds     = map[string]bool{"mo": true}
	compressedKinds = map[string]bool{"xz": true, "lzma": true, "gzip": true, "bzip2": true, "zstd": true, "lz4": true, "lzip": true, "compress": true}
	archiveKinds    = map[string]bool{"zip": true, "7z": true, "tar": true, "ar": true, "rpm": true, "cab": true}
	objectKinds     = map[string]bool{"elf": true, "pe": true, "macho": true, "java-class": true, "wasm": true}
)

type magic struct {
	off  int
	sig  string
	kind string
}

// magics is tried in order; longer, more specific signatures come first.
var magics = []magic{
	{0, "\xfd7zXZ\x00", "xz"},
	{0, "7z\xbc\xaf\x27\x1c", "7z"},
	{0, "\x1f\x8b", "gzip"},
	{0, "\x1f\x9d", "compress"},
	{0, "\x28\xb5\x2f\xfd", "zstd"},
	{0, "\x04\x22\x4d\x18", "lz4"},
	{0, "LZIP", "lzip"},
	{0, "PK\x03\x04", "zip"},
	{0, "PK\x05\x06", "zip"},
	{0, "PK\x07\x08", "zip"},
	{0, "MSCF\x00\x00\x00\x00", "cab"},
	{0, "\xed\xab\xee\xdb", "rpm"},
	{0, "!<arch>\n", "ar"},
	{0, "!<thin>\n", "ar"},
	{257, "ustar", "tar"},
	{0, "\x7fELF", "elf"},
	{0, "\xfe\xed\xfa\xce", "macho"},
	{0, "\xfe\xed\xfa\xcf", "macho"},
	{0, "\xce\xfa\xed\xfe", "macho"},
	{0, "\xcf\xfa\xed\xfe", "macho"},
	{0, "\x00asm", "wasm"},
	{0, "%PDF-", "pdf"},
	{0, "\x89PNG\r\n\x1a\n", "png"},
	{0, "\xff\xd8\xff", "jpeg"},
	{0, "GIF87a", "gif"},
	{0, "GIF89a", "gif"},
	{0, "II*\x00", "tiff"},
	{0, "MM\x00*", "tiff"},
	{0, "\xf7\x02", "dvi"},
	{0, "wOFF", "font"},
	{0, "wOF2", "font"},
	{0, "OTTO", "font"},
	{0, "\x00\x01\x00\x00\x00", "font"},
	{0, "\xde\x12\x04\x95", "mo"},
	{0, "\x95\x04\x12\xde", "mo"},
	{0, "SQLite format 3\x00", "sqlite"},
	{0, "\x00\x00\x01\x00", "ico"},
}

// IsBinary reports whether content is binary data and, if so, its kind, judged
// from the bytes only (never the file name). Kinds: xz, lzma, gzip, bzip2, zstd,
// lz4, lzip, compress, zip, 7z, tar, ar, rpm, cab, elf, pe, macho, java-class,
// wasm, pdf, png, jpeg, gif, webp, tiff, ico, bmp, dvi, font, mo, sqlite, and
// "data" for unrecognised content with NUL or many control bytes. Text
// (including UTF-8 and Latin-1) is not binary. Empty content is not binary.
func IsBinary(content []byte) (bool, string) {
	if len(content) == 0 {
		return false, ""
	}
	for _, m := range magics {
		if len(content) >= m.off+len(m.sig) && string(content[m.off:m.off+len(m.sig)]) == m.sig {
			return true, m.kind
		}
	}
	if k := sniffSpecial(content); k != "" {
		return true, k
	}
	head := content
	if len(head) > binarySniffLen {
		head = head[:binarySniffLen]
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return true, "data"
	}
	ctrl := 0
	for _, b := range head {
		if b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f' && b != '\v' && b != 0x1b && b != '\b' {
			ctrl++
		}
	}
	if ctrl*10 > len(head) {
		return true, "data"
	}
	return false, ""
}

// sniffSpecial recognises formats whose signature needs more than a prefix
// comparison: BZh, legacy .lzma headers, MZ/PE, Java classes vs Mach-O fat
// binaries, RIFF/WEBP and BMP.
func sniffSpecial(c []byte) string {
	switch {
	case len(c) >= 4 && c[0] == 'B' && c[1] == 'Z' && c[2] == 'h' && c[3] >= '1' && c[3] <= '9':
		return "bzip2"
	case len(c) >= 64 && c[0] == 'M' && c[1] == 'Z':
		off := binary.LittleEndian.Uint32(c[60:64])
		if int64(off)+4 <= int64(len(c)) && string(c[off:off+4]) == "PE\x00\x00" {
			return "pe"
		}
	case len(c) >= 8 && string(c[:4]) == "\xca\xfe\xba\xbe":
		if binary.BigEndian.Uint32(c[4:8]) < 40 {
			return "macho"
		}
		return "java-class"
	case len(c) >= 12 && string(c[:4]) == "RIFF" && string(c[8:12]) == "WEBP":
		return "webp"
	case len(c) >= 26 && c[0] == 'B' && c[1] == 'M' && binary.LittleEndian.Uint32(c[2:6]) == uint32(len(c)):
		return "bmp"
	case isLZMAAlone(c):
		return "lzma"
	}
	return ""
}

// isLZMAAlone recognises the legacy .lzma ("LZMA_Alone") header: a properties
// byte below 225, a dictionary size that is 2^n or 2^n+2^(n-1), and an
// uncompressed size that is either unknown (all 0xff) or plausible.
func isLZMAAlone(c []byte) bool {
	if len(c) < 13 || c[0] >= 225 {
		return false
	}
	d := binary.LittleEndian.Uint32(c[1:5])
	if d < 4096 {
		return false
	}
	ok := false
	for n := uint(12); n < 32; n++ {
		if d == 1<<n || d == 1<<n|1<<(n-1) {
			ok = true
			break
		}
	}
	if !ok && d != 0xffffffff {
		return false
	}
	size := binary.LittleEndian.Uint64(c[5:13])
	return size == ^uint64(0) || size < 1<<38
}

// binaryCategory groups a binary kind as "doc", "translation", "compressed",
// "archive", "object" or "data".
func binaryCategory(kind string) string {
	switch {
	case docKinds[kind]:
		return "doc"
	case translKinds[kind]:
		return "translation"
	case compressedKinds[kind]:
		return "compressed"
	case archiveKinds[kind]:
		return "archive"
	case objectKinds[kind]:
		return "object"
	}
	return "data"
}
