package archive

import (
	"archive/zip"
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
)

// Zip record signatures and sizes (APPNOTE 4.3).
const (
	zipLocalSig      = 0x04034b50
	zipCentralSig    = 0x02014b50
	zipEndSig        = 0x06054b50
	zipEnd64LocSig   = 0x07064b50
	zipEnd64Sig      = 0x06064b50
	zipLocalLen      = 30
	zipCentralLen    = 46
	zipEndLen        = 22
	zipEnd64LocLen   = 20
	zipMaxCommentLen = 65535
)

type zipCentral struct {
	name   string
	offset int64
}

// checkZipHeaders compares every local file header with its central
// directory record (name, method, and CRC/sizes when they are in the
// local header) and records HazardZipMismatch on disagreement: tools that
// stream a zip read the local headers, tools that list it read the
// central directory. Parse failures here are ignored: archive/zip has
// already validated the structure it relies on.
func checkZipHeaders(ra io.ReaderAt, size int64, files []*zip.File, w *walker) {
	cds, err := readZipCentral(ra, size, len(files))
	if err != nil || len(cds) != len(files) {
		return
	}
	var lh [zipLocalLen]byte
	for i, f := range files {
		cd := cds[i]
		p := cleanPath(f.Name)
		if _, err := ra.ReadAt(lh[:], cd.offset); err != nil || binary.LittleEndian.Uint32(lh[0:]) != zipLocalSig {
			w.hazard(HazardZipMismatch, p, "no local file header where the central directory points")
			continue
		}
		nameLen := int(binary.LittleEndian.Uint16(lh[26:]))
		name := make([]byte, nameLen)
		if _, err := ra.ReadAt(name, cd.offset+zipLocalLen); err != nil {
			w.hazard(HazardZipMismatch, p, "truncated local file header")
			continue
		}
		if string(name) != cd.name {
			w.hazard(HazardZipMismatch, p, fmt.Sprintf("local header names %q, central directory %q", name, cd.name))
			continue
		}
		flags := binary.LittleEndian.Uint16(lh[6:])
		if method := binary.LittleEndian.Uint16(lh[8:]); method != f.Method {
			w.hazard(HazardZipMismatch, p, fmt.Sprintf("local header method %d, central directory %d", method, f.Method))
			continue
		}
		if flags&0x8 == 0 { // no data descriptor: the local header has CRC and sizes
			crc := binary.LittleEndian.Uint32(lh[14:])
			usize := binary.LittleEndian.Uint32(lh[22:])
			if crc != f.CRC32 || (usize != 0xffffffff && uint64(usize) != f.UncompressedSize64) {
				w.hazard(HazardZipMismatch, p, "local header CRC or size differs from the central directory")
			}
		}
	}
}

// readZipCentral returns name and local header offset of each central
// directory record, in directory order.
func readZipCentral(ra io.ReaderAt, size int64, want int) ([]zipCentral, error) {
	tailLen := min(size, zipEndLen+zipMaxCommentLen)
	tail := make([]byte, tailLen)
	if _, err := ra.ReadAt(tail, size-tailLen); err != nil {
		return nil, err
	}
	end := -1
	for i := len(tail) - zipEndLen; i >= 0; i-- {
		if binary.LittleEndian.Uint32(tail[i:]) == zipEndSig {
			end = i
			break
		}
	}
	if end < 0 {
		return nil, fmt.Errorf("no end of central directory")
	}
	endPos := size - tailLen + int64(end)
	cdSize := int64(binary.LittleEndian.Uint32(tail[end+12:]))
	cdOff := int64(binary.LittleEndian.Uint32(tail[end+16:]))
	dirEnd := endPos
	if cdOff == 0xffffffff || cdSize == 0xffffffff || binary.LittleEndian.Uint16(tail[end+10:]) == 0xffff {
		var loc [zipEnd64LocLen]byte
		if endPos < zipEnd64LocLen {
			return nil, fmt.Errorf("no zip64 locator")
		}
		if _, err := ra.ReadAt(loc[:], endPos-zipEnd64LocLen); err != nil || binary.LittleEndian.Uint32(loc[:]) != zipEnd64LocSig {
			return nil, fmt.Errorf("no zip64 locator")
		}
		off := int64(binary.LittleEndian.Uint64(loc[8:]))
		var e64 [56]byte
		if off < 0 || off > size-56 {
			return nil, fmt.Errorf("bad zip64 end offset")
		}
		if _, err := ra.ReadAt(e64[:], off); err != nil || binary.LittleEndian.Uint32(e64[:]) != zipEnd64Sig {
			return nil, fmt.Errorf("no zip64 end record")
		}
		cdSize = int64(binary.LittleEndian.Uint64(e64[40:]))
		cdOff = int64(binary.LittleEndian.Uint64(e64[48:]))
		dirEnd = off
	}
	base := dirEnd - cdSize - cdOff
	if base < 0 {
		base = 0
	}
	if cdSize < 0 || cdOff < 0 || cdOff+base+cdSize > size {
		return nil, fmt.Errorf("central directory out of range")
	}
	br := bufio.NewReader(io.NewSectionReader(ra, cdOff+base, cdSize))
	out := make([]zipCentral, 0, want)
	var hdr [zipCentralLen]byte
	for range want {
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			return nil, err
		}
		if binary.LittleEndian.Uint32(hdr[:]) != zipCentralSig {
			return nil, fmt.Errorf("bad central header")
		}
		nameLen := int(binary.LittleEndian.Uint16(hdr[28:]))
		extraLen := int(binary.LittleEndian.Uint16(hdr[30:]))
		commentLen := int(binary.LittleEndian.Uint16(hdr[32:]))
		buf := make([]byte, nameLen+extraLen+commentLen)
		if _, err := io.ReadFull(br, buf); err != nil {
			return nil, err
		}
		off := int64(binary.LittleEndian.Uint32(hdr[42:]))
		if off == 0xffffffff {
			off = zip64Offset(buf[nameLen:nameLen+extraLen], hdr[:])
		}
		out = append(out, zipCentral{name: string(buf[:nameLen]), offset: off + base})
	}
	return out, nil
}

// zip64Offset finds the local header offset in a zip64 extra field.
func zip64Offset(extra, hdr []byte) int64 {
	for len(extra) >= 4 {
		id := binary.LittleEndian.Uint16(extra)
		n := int(binary.LittleEndian.Uint16(extra[2:]))
		extra = extra[4:]
		if n > len(extra) {
			return -1
		}
		if id == 0x0001 {
			f := extra[:n]
			if binary.LittleEndian.Uint32(hdr[24:]) == 0xffffffff { // uncompressed size
				f = f[min(8, len(f)):]
			}
			if binary.LittleEndian.Uint32(hdr[20:]) == 0xffffffff { // compressed size
				f = f[min(8, len(f)):]
			}
			if len(f) >= 8 {
				return int64(binary.LittleEndian.Uint64(f))
			}
			return -1
		}
		extra = extra[n:]
	}
	return -1
}
