package hostile

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/klauspost/compress/zstd"

	zbytes "github.com/tarcheck/tarcheck/internal/compress"
)

// Bomb sizes. A bomb's member is BombChunk zeros repeated; every compressed
// format may be a concatenation of streams (gzip members, xz streams, zstd
// frames, bzip2 streams), so one compressed chunk is repeated instead of
// compressing the whole size.
const (
	// BombChunk is the uncompressed size of one repeated stream.
	BombChunk = 8 << 20
	// BombSize is the default decompressed size of a bomb: past the
	// archive package's 64 MiB ratio grace at any ratio above 1000.
	BombSize = 1 << 30
)

// Compressor compresses a whole buffer, e.g. by running `bzip2 -9c`; the
// standard library has no bzip2 writer.
type Compressor func([]byte) ([]byte, error)

// Bombs returns a decompression bomb in each format: tar.gz, tar.xz,
// tar.zst, zip (central directory entries sharing one compressed member),
// a tar.gz whose sparse member expands without compressed bytes behind it,
// and tar.bz2 when bzip2 is non-nil. Each expands to size bytes (rounded
// down to BombChunk; at least one chunk).
func Bombs(size int64, bzip2 Compressor) ([]Case, error) {
	n := max(size/BombChunk, 1)
	zeros := make([]byte, BombChunk)
	var out []Case
	streams := []struct {
		f    Format
		comp Compressor
	}{
		{TarGz, gzipBest},
		{TarXz, func(b []byte) ([]byte, error) { return compress(TarXz, b) }},
		{TarZst, func(b []byte) ([]byte, error) { return compress(TarZst, b) }},
	}
	if bzip2 != nil {
		streams = append(streams, struct {
			f    Format
			comp Compressor
		}{TarBz2, bzip2})
	}
	for _, s := range streams {
		data, err := concatBomb(s.comp, zeros, n)
		if err != nil {
			return nil, fmt.Errorf("%s bomb: %w", s.f, err)
		}
		out = append(out, Case{Name: "bomb", Format: s.f, Bomb: true, Unpacked: n * BombChunk, Data: data})
	}
	zipData, err := zipBomb(zeros, int(n))
	if err != nil {
		return nil, fmt.Errorf("zip bomb: %w", err)
	}
	out = append(out, Case{Name: "bomb", Format: Zip, Bomb: true, Unpacked: n * BombChunk, Data: zipData})
	sparse, err := sparseBomb(n * BombChunk)
	if err != nil {
		return nil, fmt.Errorf("sparse bomb: %w", err)
	}
	out = append(out, Case{Name: "sparse-bomb", Format: TarGz, Bomb: true, Unpacked: n * BombChunk, Data: sparse})
	return out, nil
}

func gzipBest(b []byte) ([]byte, error) {
	return zbytes.Bytes(b, func(w io.Writer) (io.WriteCloser, error) { return gzip.NewWriterLevel(w, gzip.BestCompression) })
}

func newZstd(w io.Writer) (io.WriteCloser, error) {
	return zstd.NewWriter(w, zstd.WithEncoderLevel(zstd.SpeedBestCompression), zstd.WithEncoderConcurrency(1))
}

// bombHeader is the tar header of the one member of a bomb, of size bytes.
func bombHeader(size int64) ([]byte, error) {
	var buf bytes.Buffer
	if err := writeHeader(&buf, Root+"/", TypeDir, 0o755, 0, ""); err != nil {
		return nil, err
	}
	if err := writeHeader(&buf, Root+"/zeros.bin", TypeReg, 0o644, size, ""); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// concatBomb is comp(header) + n × comp(zeros) + comp(end of archive).
func concatBomb(comp Compressor, zeros []byte, n int64) ([]byte, error) {
	hdr, err := bombHeader(n * int64(len(zeros)))
	if err != nil {
		return nil, err
	}
	head, err := comp(hdr)
	if err != nil {
		return nil, err
	}
	body, err := comp(zeros)
	if err != nil {
		return nil, err
	}
	tail, err := comp(make([]byte, 2*tarBlockSize))
	if err != nil {
		return nil, err
	}
	out := append([]byte{}, head...)
	for range n {
		out = append(out, body...)
	}
	return append(out, tail...), nil
}

// zipBomb writes one deflated member of zeros and n central directory
// records, with distinct names, that all point at it: n times the data for
// the price of one.
func zipBomb(zeros []byte, n int) ([]byte, error) {
	var comp bytes.Buffer
	fw, err := flate.NewWriter(&comp, flate.BestCompression)
	if err != nil {
		return nil, err
	}
	fw.Write(zeros)
	if err := fw.Close(); err != nil {
		return nil, err
	}
	crc := crc32.ChecksumIEEE(zeros)
	name := func(i int) string { return fmt.Sprintf("%s/zeros%04d.bin", Root, i) }
	le := binary.LittleEndian
	var out bytes.Buffer
	// Local file header (APPNOTE 4.3.7).
	lh := make([]byte, 30)
	le.PutUint32(lh[0:], 0x04034b50)
	le.PutUint16(lh[4:], 20)
	le.PutUint16(lh[8:], 8) // deflate
	le.PutUint32(lh[14:], crc)
	le.PutUint32(lh[18:], uint32(comp.Len()))
	le.PutUint32(lh[22:], uint32(len(zeros)))
	le.PutUint16(lh[26:], uint16(len(name(0))))
	out.Write(lh)
	out.WriteString(name(0))
	out.Write(comp.Bytes())
	cdStart := out.Len()
	for i := range n {
		ch := make([]byte, 46)
		le.PutUint32(ch[0:], 0x02014b50)
		le.PutUint16(ch[4:], 3<<8|20) // made by Unix
		le.PutUint16(ch[6:], 20)
		le.PutUint16(ch[10:], 8)
		le.PutUint32(ch[16:], crc)
		le.PutUint32(ch[20:], uint32(comp.Len()))
		le.PutUint32(ch[24:], uint32(len(zeros)))
		le.PutUint16(ch[28:], uint16(len(name(i))))
		le.PutUint32(ch[38:], 0o100644<<16)
		le.PutUint32(ch[42:], 0) // every record points at the one local header
		out.Write(ch)
		out.WriteString(name(i))
	}
	cdLen := out.Len() - cdStart
	end := make([]byte, 22)
	le.PutUint32(end[0:], 0x06054b50)
	le.PutUint16(end[8:], uint16(n))
	le.PutUint16(end[10:], uint16(n))
	le.PutUint32(end[12:], uint32(cdLen))
	le.PutUint32(end[16:], uint32(cdStart))
	out.Write(end)
	return out.Bytes(), nil
}

// sparseBomb is a tar.gz with one PAX (GNU 0.1) sparse member of size
// bytes whose only data is one byte: a reader expands the holes to zeros
// with no compressed bytes behind them, so no ratio check sees it.
func sparseBomb(size int64) ([]byte, error) {
	var buf bytes.Buffer
	if err := writeHeader(&buf, Root+"/", TypeDir, 0o755, 0, ""); err != nil {
		return nil, err
	}
	recs := paxRecord("GNU.sparse.name", Root+"/sparse.bin") +
		paxRecord("GNU.sparse.size", fmt.Sprint(size)) +
		paxRecord("GNU.sparse.numblocks", "1") +
		paxRecord("GNU.sparse.map", fmt.Sprintf("%d,1", size-1))
	if err := writeHeader(&buf, "PaxHeaders/sparse.bin", typePax, 0o644, int64(len(recs)), ""); err != nil {
		return nil, err
	}
	writeBody(&buf, []byte(recs))
	if err := writeHeader(&buf, Root+"/GNUSparseFile.0/sparse.bin", TypeReg, 0o644, 1, ""); err != nil {
		return nil, err
	}
	writeBody(&buf, []byte{'x'})
	buf.Write(make([]byte, 2*tarBlockSize))
	return compress(TarGz, buf.Bytes())
}
