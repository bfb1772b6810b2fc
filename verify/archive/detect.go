package archive

import (
	"bytes"
	"strconv"
)

// DetectLen is the number of leading bytes Detect needs to recognise every
// format (a tar header block).
const DetectLen = 512

var (
	magicGzip = []byte{0x1f, 0x8b}
	magicXz   = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}
	magicBz2  = []byte("BZh")
	magicZstd = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// Detect returns the format of an archive from its first bytes (give it
// DetectLen bytes, or the whole file when shorter). It looks only at magic
// bytes, never at a name: a ".tar.gz" holding xz data is FormatTarXz.
// Unrecognised content yields ErrUnknownFormat.
func Detect(header []byte) (Format, error) {
	switch {
	case bytes.HasPrefix(header, magicXz):
		return FormatTarXz, nil
	case bytes.HasPrefix(header, magicGzip):
		return FormatTarGz, nil
	case bytes.HasPrefix(header, magicZstd):
		return FormatTarZst, nil
	case len(header) >= 4 && header[0]&0xf0 == 0x50 && header[1] == 0x2a && header[2] == 0x4d && header[3] == 0x18:
		// zstd skippable frame (0x184D2A50..5F, little endian)
		return FormatTarZst, nil
	case len(header) >= 4 && bytes.HasPrefix(header, magicBz2) && header[3] >= '1' && header[3] <= '9':
		return FormatTarBz2, nil
	case bytes.HasPrefix(header, []byte("PK\x03\x04")), bytes.HasPrefix(header, []byte("PK\x05\x06")),
		bytes.HasPrefix(header, []byte("PK\x07\x08")):
		return FormatZip, nil
	case isTarHeader(header):
		return FormatTar, nil
	}
	return "", ErrUnknownFormat
}

// isTarHeader reports whether b starts with a plausible tar header block:
// a ustar/GNU magic, a valid header checksum, or an all-zero block (an
// empty archive).
func isTarHeader(b []byte) bool {
	if len(b) < 512 {
		return false
	}
	b = b[:512]
	if bytes.Equal(b[257:262], []byte("ustar")) {
		return true
	}
	zero := true
	for _, c := range b {
		if c != 0 {
			zero = false
			break
		}
	}
	if zero {
		return true
	}
	// v7 tar: verify the checksum (field at 148, 8 bytes, octal).
	field := bytes.Trim(b[148:156], " \x00")
	want, err := strconv.ParseInt(string(field), 8, 64)
	if err != nil || len(field) == 0 {
		return false
	}
	var sum int64
	for i, c := range b {
		if i >= 148 && i < 156 {
			c = ' '
		}
		sum += int64(c)
	}
	return sum == want
}
