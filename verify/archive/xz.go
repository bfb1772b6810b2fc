package archive

import (
	"bufio"
	"encoding/binary"
	"hash/crc64"
	"io"
)

// xzReader decodes a sequence of xz streams (with stream padding) from a
// stream, block by block, verifying every check, the index and the
// footer. It is the sequential path: single-block files, several streams,
// and input that cannot seek.
type xzReader struct {
	r       bufferedReader
	lim     Limits
	state   int
	check   byte
	blk     xzBlockReader
	chk     xzCheck
	active  bool
	blocks  int // blocks in all streams so far (for numbering)
	nrec    uint64
	recHash uint64
	streams int
	hbuf    [1024]byte
	err     error
}

const (
	xzNeedHeader = iota
	xzInBlocks
	xzAfterStream
	xzDone
)

// newXzReader returns the sequential xz decoder.
func newXzReader(r io.Reader, lim Limits) io.Reader {
	br, ok := r.(bufferedReader)
	if !ok {
		br = bufio.NewReaderSize(r, inputBufSize)
	}
	x := &xzReader{r: br, lim: lim}
	x.blk.check = &x.chk
	return x
}

func recordHash(h uint64, unpadded, uncompressed int64) uint64 {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:], uint64(unpadded))
	binary.LittleEndian.PutUint64(b[8:], uint64(uncompressed))
	return crc64.Update(h, crc64Table, b[:])
}

func (x *xzReader) Read(p []byte) (int, error) {
	if x.err != nil {
		return 0, x.err
	}
	n, err := x.read(p)
	if err != nil {
		x.err = err
	}
	return n, err
}

func (x *xzReader) read(p []byte) (int, error) {
	for {
		switch x.state {
		case xzDone:
			return 0, io.EOF
		case xzNeedHeader:
			if _, err := io.ReadFull(x.r, x.hbuf[:xzHeaderLen]); err != nil {
				return 0, xzErrorf("truncated stream header")
			}
			if err := x.startStream(); err != nil {
				return 0, err
			}
		case xzAfterStream:
			// Stream padding (multiples of four zero bytes), then EOF or
			// another stream.
			k, err := io.ReadFull(x.r, x.hbuf[:4])
			if k == 0 && err == io.EOF {
				x.state = xzDone
				return 0, io.EOF
			}
			if err != nil {
				return 0, xzErrorf("truncated data after stream %d", x.streams)
			}
			if x.hbuf[0]|x.hbuf[1]|x.hbuf[2]|x.hbuf[3] == 0 {
				continue
			}
			if _, err := io.ReadFull(x.r, x.hbuf[4:xzHeaderLen]); err != nil {
				return 0, xzErrorf("truncated stream header")
			}
			if err := x.startStream(); err != nil {
				return 0, err
			}
		case xzInBlocks:
			if x.active {
				n, err := x.blk.Read(p)
				if err == io.EOF {
					x.active = false
					x.nrec++
					x.recHash = recordHash(x.recHash, x.blk.unpaddedSize(), x.blk.n)
					if n > 0 {
						return n, nil
					}
					continue
				}
				return n, err
			}
			first, err := x.r.ReadByte()
			if err != nil {
				return 0, xzErrorf("truncated stream %d after block %d", x.streams, x.blocks)
			}
			if first == 0 {
				if err := x.endStream(); err != nil {
					return 0, err
				}
				continue
			}
			x.blocks++
			hdr, err := readXzBlockHeader(x.r, first, &x.hbuf)
			if err != nil {
				return 0, blockErr(x.blocks, err)
			}
			x.blk.num, x.blk.hdr = x.blocks, hdr
			if err := x.blk.start(x.r, x.check, x.lim); err != nil {
				return 0, err
			}
			x.active = true
		}
	}
}

func (x *xzReader) startStream() error {
	check, err := parseXzStreamHeader(x.hbuf[:xzHeaderLen])
	if err != nil {
		return err
	}
	x.streams++
	x.check, x.nrec, x.recHash, x.state = check, 0, 0, xzInBlocks
	return nil
}

// endStream verifies the index against the blocks seen and the footer.
func (x *xzReader) endStream() error {
	var h, count uint64
	size, err := readXzIndex(x.r, x.nrec, func(i int, rec xzRecord) error {
		h = recordHash(h, rec.unpadded, rec.uncompressed)
		count++
		return nil
	})
	if err != nil {
		return err
	}
	if h != x.recHash || count != x.nrec {
		return xzErrorf("stream %d: index does not match the blocks", x.streams)
	}
	if _, err := io.ReadFull(x.r, x.hbuf[:xzFooterLen]); err != nil {
		return xzErrorf("truncated stream footer")
	}
	f, err := parseXzFooter(x.hbuf[:xzFooterLen])
	if err != nil {
		return err
	}
	if f.indexSize != size || f.check != x.check {
		return xzErrorf("stream %d: footer does not match header and index", x.streams)
	}
	x.state = xzAfterStream
	return nil
}
