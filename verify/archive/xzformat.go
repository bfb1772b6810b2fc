package archive

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"

	"github.com/ulikunitz/xz/lzma"
)

// The xz container format (xz-file-format-1.2.0), parsed here so that the
// block structure is visible: errors name the block, untrusted dictionary
// sizes are capped, and multi-block files can be decoded in parallel.
// The LZMA2 data inside a block is decoded by github.com/ulikunitz/xz/lzma.

const (
	xzHeaderLen   = 12
	xzFooterLen   = 12
	xzFilterLZMA2 = 0x21
	// xzMaxIndexLen caps an index the parallel decoder reads into memory.
	xzMaxIndexLen = 64 << 20
)

// xz check types.
const (
	xzCheckNone   = 0x00
	xzCheckCRC32  = 0x01
	xzCheckCRC64  = 0x04
	xzCheckSHA256 = 0x0a
)

var (
	xzHeaderMagic = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}
	xzFooterMagic = []byte{'Y', 'Z'}
	crc64Table    = crc64.MakeTable(crc64.ECMA)
)

func xzErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: xz: "+format, append([]any{ErrCorrupt}, args...)...)
}

// xzCheckSize returns the size of a check field, or an error for check
// types this reader cannot verify.
func xzCheckSize(check byte) (int, error) {
	switch check {
	case xzCheckNone:
		return 0, nil
	case xzCheckCRC32:
		return 4, nil
	case xzCheckCRC64:
		return 8, nil
	case xzCheckSHA256:
		return 32, nil
	}
	return 0, xzErrorf("unsupported check type %#x", check)
}

// xzCheck computes a block check.
type xzCheck struct {
	kind   byte
	crc32  uint32
	crc64  uint64
	sha    hash.Hash
	sumBuf [32]byte
}

func (c *xzCheck) reset(kind byte) {
	c.kind, c.crc32, c.crc64 = kind, 0, 0
	if kind == xzCheckSHA256 {
		if c.sha == nil {
			c.sha = sha256.New()
		}
		c.sha.Reset()
	}
}

func (c *xzCheck) write(p []byte) {
	switch c.kind {
	case xzCheckCRC32:
		c.crc32 = crc32.Update(c.crc32, crc32.IEEETable, p)
	case xzCheckCRC64:
		c.crc64 = crc64.Update(c.crc64, crc64Table, p)
	case xzCheckSHA256:
		c.sha.Write(p)
	}
}

// matches compares the computed check with the stored field.
func (c *xzCheck) matches(stored []byte) bool {
	switch c.kind {
	case xzCheckCRC32:
		return binary.LittleEndian.Uint32(stored) == c.crc32
	case xzCheckCRC64:
		return binary.LittleEndian.Uint64(stored) == c.crc64
	case xzCheckSHA256:
		return bytes.Equal(c.sha.Sum(c.sumBuf[:0]), stored)
	}
	return true
}

// parseXzStreamHeader validates a stream header and returns its check type.
func parseXzStreamHeader(b []byte) (byte, error) {
	if len(b) < xzHeaderLen || !bytes.Equal(b[:6], xzHeaderMagic) {
		return 0, xzErrorf("bad stream header magic")
	}
	if crc32.ChecksumIEEE(b[6:8]) != binary.LittleEndian.Uint32(b[8:12]) {
		return 0, xzErrorf("stream header CRC mismatch")
	}
	if b[6] != 0 || b[7]&0xf0 != 0 {
		return 0, xzErrorf("unsupported stream flags %#x%02x", b[6], b[7])
	}
	if _, err := xzCheckSize(b[7]); err != nil {
		return 0, err
	}
	return b[7], nil
}

// xzFooter is a parsed stream footer.
type xzFooter struct {
	indexSize int64
	check     byte
}

func parseXzFooter(b []byte) (xzFooter, error) {
	if len(b) < xzFooterLen || !bytes.Equal(b[10:12], xzFooterMagic) {
		return xzFooter{}, xzErrorf("bad stream footer magic")
	}
	if crc32.ChecksumIEEE(b[4:10]) != binary.LittleEndian.Uint32(b[0:4]) {
		return xzFooter{}, xzErrorf("stream footer CRC mismatch")
	}
	if b[8] != 0 || b[9]&0xf0 != 0 {
		return xzFooter{}, xzErrorf("unsupported stream flags in footer")
	}
	return xzFooter{indexSize: (int64(binary.LittleEndian.Uint32(b[4:8])) + 1) * 4, check: b[9]}, nil
}

// xzBlockHeader is a parsed block header. Sizes are -1 when absent.
type xzBlockHeader struct {
	size             int // header length in bytes
	compressedSize   int64
	uncompressedSize int64
	dictSize         int64
}

// readVarint decodes an xz multibyte integer from b.
func readVarint(b []byte) (uint64, int, error) {
	var v uint64
	for i := 0; i < 9 && i < len(b); i++ {
		c := b[i]
		v |= uint64(c&0x7f) << (7 * i)
		if c&0x80 == 0 {
			if c == 0 && i > 0 {
				return 0, 0, xzErrorf("non-minimal integer")
			}
			return v, i + 1, nil
		}
	}
	return 0, 0, xzErrorf("bad integer")
}

// parseXzBlockHeader parses a complete block header (its first byte is
// the encoded length). Only the LZMA2 filter is supported.
func parseXzBlockHeader(b []byte) (xzBlockHeader, error) {
	if len(b) < 8 || b[0] == 0 || int(b[0]+1)*4 != len(b) {
		return xzBlockHeader{}, xzErrorf("bad block header length")
	}
	n := len(b)
	if crc32.ChecksumIEEE(b[:n-4]) != binary.LittleEndian.Uint32(b[n-4:]) {
		return xzBlockHeader{}, xzErrorf("block header CRC mismatch")
	}
	flags := b[1]
	if flags&0x3c != 0 {
		return xzBlockHeader{}, xzErrorf("reserved block flags set")
	}
	h := xzBlockHeader{size: n, compressedSize: -1, uncompressedSize: -1}
	pos := 2
	body := b[:n-4]
	if flags&0x40 != 0 {
		v, k, err := readVarint(body[pos:])
		if err != nil {
			return h, err
		}
		if v == 0 || v > 1<<62 {
			return h, xzErrorf("bad compressed size")
		}
		h.compressedSize, pos = int64(v), pos+k
	}
	if flags&0x80 != 0 {
		v, k, err := readVarint(body[pos:])
		if err != nil {
			return h, err
		}
		if v > 1<<62 {
			return h, xzErrorf("bad uncompressed size")
		}
		h.uncompressedSize, pos = int64(v), pos+k
	}
	if nf := int(flags&3) + 1; nf != 1 {
		return h, xzErrorf("unsupported filter chain of %d filters", nf)
	}
	id, k, err := readVarint(body[pos:])
	if err != nil {
		return h, err
	}
	pos += k
	psize, k, err := readVarint(body[pos:])
	if err != nil {
		return h, err
	}
	pos += k
	if id != xzFilterLZMA2 {
		return h, xzErrorf("unsupported filter %#x", id)
	}
	if psize != 1 || pos >= len(body) {
		return h, xzErrorf("bad LZMA2 filter properties")
	}
	prop := body[pos]
	pos++
	if prop > 40 {
		return h, xzErrorf("bad LZMA2 dictionary size %#x", prop)
	}
	if prop == 40 {
		h.dictSize = 1<<32 - 1
	} else {
		h.dictSize = int64(2|prop&1) << (11 + prop/2)
	}
	for _, c := range body[pos:] {
		if c != 0 {
			return h, xzErrorf("non-zero block header padding")
		}
	}
	return h, nil
}

// dictCap returns the dictionary to allocate for a block: the declared
// size, capped by the limit (error) and by the block's own size.
func (h xzBlockHeader) dictCap(lim Limits) (int, error) {
	if h.dictSize > lim.MaxDictSize {
		return 0, fmt.Errorf("%w: xz dictionary of %d bytes (max %d)", ErrLimit, h.dictSize, lim.MaxDictSize)
	}
	d := h.dictSize
	if h.uncompressedSize >= 0 && h.uncompressedSize < d {
		d = h.uncompressedSize
	}
	return int(max(d, lzma.MinDictCap)), nil
}

// bufferedReader is the subset of *bufio.Reader the decoders need.
type bufferedReader interface {
	io.Reader
	io.ByteReader
}

// byteCounter counts the compressed bytes of a block and stops at its
// declared compressed size (limit < 0: none). One layer, because the
// LZMA2 decoder reads its input a byte at a time through it.
type byteCounter struct {
	r     bufferedReader
	n     int64
	limit int64
}

func (c *byteCounter) Read(p []byte) (int, error) {
	if c.limit >= 0 {
		if c.n >= c.limit {
			return 0, io.EOF
		}
		if int64(len(p)) > c.limit-c.n {
			p = p[:c.limit-c.n]
		}
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// xzBlockReader decodes one block, verifying sizes, padding and check.
type xzBlockReader struct {
	num   int // 1-based block number for errors
	hdr   xzBlockHeader
	src   byteCounter
	lz    *lzma.Reader2
	check *xzCheck
	csize int // check field size
	n     int64
	done  bool
}

// readXzBlockHeader reads the rest of a block header whose first byte
// (non-zero) was already read.
func readXzBlockHeader(r io.Reader, first byte, buf *[1024]byte) (xzBlockHeader, error) {
	size := (int(first) + 1) * 4
	buf[0] = first
	if _, err := io.ReadFull(r, buf[1:size]); err != nil {
		return xzBlockHeader{}, xzErrorf("truncated block header: %v", err)
	}
	return parseXzBlockHeader(buf[:size])
}

// start sets up LZMA2 decoding of a block whose header was parsed.
func (b *xzBlockReader) start(src bufferedReader, check byte, lim Limits) error {
	dict, err := b.hdr.dictCap(lim)
	if err != nil {
		return blockErr(b.num, err)
	}
	b.src = byteCounter{r: src, limit: b.hdr.compressedSize}
	b.n, b.done = 0, false
	b.csize, _ = xzCheckSize(check)
	b.check.reset(check)
	b.lz, err = lzma.Reader2Config{DictCap: dict}.NewReader2(&b.src)
	if err != nil {
		return blockErr(b.num, xzErrorf("%v", err))
	}
	return nil
}

func (b *xzBlockReader) Read(p []byte) (int, error) {
	if b.done {
		return 0, io.EOF
	}
	n, err := b.lz.Read(p)
	if n > 0 {
		b.check.write(p[:n])
		b.n += int64(n)
		if b.hdr.uncompressedSize >= 0 && b.n > b.hdr.uncompressedSize {
			return n, blockErr(b.num, xzErrorf("more data than its declared size"))
		}
	}
	if err == io.EOF {
		if ferr := b.finish(); ferr != nil {
			return n, ferr
		}
		b.done = true
		return n, io.EOF
	}
	if err != nil {
		if err == io.ErrUnexpectedEOF {
			return n, blockErr(b.num, xzErrorf("truncated"))
		}
		return n, blockErr(b.num, xzErrorf("%v", err))
	}
	return n, nil
}

// finish verifies the end of a block: sizes, padding and the check.
func (b *xzBlockReader) finish() error {
	if !b.lz.EOS() {
		return blockErr(b.num, xzErrorf("LZMA2 data without end marker"))
	}
	if b.hdr.uncompressedSize >= 0 && b.n != b.hdr.uncompressedSize {
		return blockErr(b.num, xzErrorf("uncompressed size %d, header says %d", b.n, b.hdr.uncompressedSize))
	}
	if b.hdr.compressedSize >= 0 && b.src.n != b.hdr.compressedSize {
		return blockErr(b.num, xzErrorf("compressed size %d, header says %d", b.src.n, b.hdr.compressedSize))
	}
	var tail [3 + 32]byte
	pad := int((4 - b.src.n%4) % 4)
	t := tail[:pad+b.csize]
	if _, err := io.ReadFull(b.src.r, t); err != nil {
		return blockErr(b.num, xzErrorf("truncated check"))
	}
	for _, c := range t[:pad] {
		if c != 0 {
			return blockErr(b.num, xzErrorf("non-zero padding"))
		}
	}
	if !b.check.matches(t[pad:]) {
		return blockErr(b.num, xzErrorf("check mismatch (corrupt data)"))
	}
	return nil
}

// unpaddedSize is the index's view of a finished block.
func (b *xzBlockReader) unpaddedSize() int64 {
	return int64(b.hdr.size) + b.src.n + int64(b.csize)
}

// crcByteReader computes the CRC32 and length of what it reads.
type crcByteReader struct {
	r   io.ByteReader
	crc uint32
	n   int64
	one [1]byte
}

func (c *crcByteReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return 0, err
	}
	c.one[0] = b
	c.crc = crc32.Update(c.crc, crc32.IEEETable, c.one[:])
	c.n++
	return b, nil
}

func readVarintFrom(r io.ByteReader) (uint64, error) {
	var v uint64
	for i := range 9 {
		c, err := r.ReadByte()
		if err != nil {
			return 0, xzErrorf("truncated index")
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c&0x80 == 0 {
			if c == 0 && i > 0 {
				return 0, xzErrorf("non-minimal integer in index")
			}
			return v, nil
		}
	}
	return 0, xzErrorf("bad integer in index")
}

// xzRecord is one index record.
type xzRecord struct {
	unpadded, uncompressed int64
}

// readXzIndex parses an index whose indicator byte (0x00) was already
// read, calling fn for each record, and returns the index size including
// the indicator and the CRC32. maxRecords bounds the record count.
func readXzIndex(r io.ByteReader, maxRecords uint64, fn func(i int, rec xzRecord) error) (int64, error) {
	cr := &crcByteReader{r: r, crc: crc32.Update(0, crc32.IEEETable, []byte{0}), n: 1}
	count, err := readVarintFrom(cr)
	if err != nil {
		return 0, err
	}
	if count > maxRecords {
		return 0, xzErrorf("index with %d records for %d blocks", count, maxRecords)
	}
	for i := range int(count) {
		u, err := readVarintFrom(cr)
		if err != nil {
			return 0, err
		}
		c, err := readVarintFrom(cr)
		if err != nil {
			return 0, err
		}
		if u < 5 || u > 1<<62 || c > 1<<62 {
			return 0, xzErrorf("bad index record %d", i+1)
		}
		if err := fn(i, xzRecord{int64(u), int64(c)}); err != nil {
			return 0, err
		}
	}
	for cr.n%4 != 0 {
		c, err := cr.ReadByte()
		if err != nil {
			return 0, xzErrorf("truncated index")
		}
		if c != 0 {
			return 0, xzErrorf("non-zero index padding")
		}
	}
	want := cr.crc
	var stored [4]byte
	for i := range stored {
		c, err := r.ReadByte()
		if err != nil {
			return 0, xzErrorf("truncated index")
		}
		stored[i] = c
	}
	if binary.LittleEndian.Uint32(stored[:]) != want {
		return 0, xzErrorf("index CRC mismatch")
	}
	return cr.n + 4, nil
}
