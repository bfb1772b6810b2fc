// Package lzma2 is a small, fast decoder for raw LZMA2 data held in
// memory, as found inside the blocks of an xz file.
//
// It decodes a whole LZMA2 stream into one caller-provided buffer of the
// expected uncompressed size. That buffer is also the dictionary: matches
// reference earlier output in the same buffer, so there is no ring buffer,
// no copying out, and no allocation while decoding. A stream too large for
// one buffer is decoded through a window (ResetWindow): when the window is
// nearly full, Slide moves the bytes a match may still reach to its front. The chunk rules
// (control bytes, dictionary, state and property resets, the range
// coder's end condition) follow liblzma, so that data xz accepts decodes
// to the same bytes and data xz rejects is an error here too.
//
// Every input is untrusted: distances, lengths, chunk sizes and
// properties are checked, and corrupt input yields an error wrapping
// ErrCorrupt, never a panic. Checking the decoded size against the
// container's record, and any checksum, is the caller's job.
package lzma2

import (
	"errors"
	"fmt"
)

// ErrCorrupt is wrapped by every error about malformed LZMA2 data.
var ErrCorrupt = errors.New("corrupt LZMA2 data")

// ErrOutputFull is wrapped when the data decodes to more bytes than the
// output buffer holds (for an xz block: more than its index records).
var ErrOutputFull = fmt.Errorf("%w: more data than the output buffer holds", ErrCorrupt)

func corruptf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
}

const (
	posBitsMax     = 4
	lenLowSymbols  = 8
	lenMidSymbols  = 8
	lenHighSymbols = 256
	minMatchLen    = 2
	distStates     = 4
	distSlots      = 64
	distModelStart = 4
	distModelEnd   = 14
	fullDistances  = 1 << (distModelEnd >> 1)
	alignBits      = 4
	alignSize      = 1 << alignBits
	literalCoder   = 0x300
	maxLcLp        = 4 // LZMA2 requires lc+lp <= 4
	probBits       = 11
	probInit       = 1 << (probBits - 1)
	moveBits       = 5
	topValue       = 1 << 24

	// moveTarget is what a probability moves towards on a 0 bit in the
	// branch-free update v -= int32(v-target) >> moveBits (target 0 on a
	// 1 bit): it gives liblzma's v += (1<<probBits - v) >> moveBits
	// exactly.
	moveTarget = 1<<probBits - (1<<moveBits - 1)
)

// lenCoder holds the probabilities of a match-length decoder.
type lenCoder struct {
	choice  uint16
	choice2 uint16
	low     [1 << posBitsMax][lenLowSymbols]uint16
	mid     [1 << posBitsMax][lenMidSymbols]uint16
	high    [lenHighSymbols]uint16
}

// probs holds all adaptive probabilities of the LZMA decoder. Arrays
// indexed by state and position state have 256 entries so that a masked
// index needs no bounds check.
type probs struct {
	isMatch    [256]uint16 // [state<<4 | posState]
	isRep      [16]uint16
	isRepG0    [16]uint16
	isRepG1    [16]uint16
	isRepG2    [16]uint16
	isRep0Long [256]uint16
	distSlot   [distStates][distSlots]uint16
	distSpec   [fullDistances]uint16 // first fullDistances-distModelEnd used
	align      [alignSize]uint16
	matchLen   lenCoder
	repLen     lenCoder
	literal    [literalCoder << maxLcLp]uint16
}

// Decoder decodes LZMA2 streams. The zero value is ready for Reset; a
// Decoder is reused across streams without allocating and must not be
// used by several goroutines at once.
type Decoder struct {
	p probs

	lc, lp, pb uint32
	state      uint32
	rep        [4]uint32

	out       []byte
	pos       int // next output position in out
	dictStart int // position in out of the last dictionary reset (negative once slid past)
	dictSize  int
	base      int // bytes slid out of the front of out (Slide)
	limit     int // most bytes the stream may decode in all
	src       []byte
	in        int // next input position in src
	srcBase   int // input bytes before src[0] (SetInput)

	needDictReset bool
	needProps     bool
	done          bool
	err           error
}

// Reset prepares decoding the LZMA2 stream at the start of src into dst.
// dictSize is the dictionary size the container declares: a match
// reaching further back is an error, as in liblzma (0: no limit but the
// output itself).
func (d *Decoder) Reset(dst, src []byte, dictSize int) {
	d.ResetWindow(dst, src, dictSize, len(dst))
}

// MaxChunk is the most bytes one Step decodes.
const MaxChunk = 2 << 20

// ResetWindow is Reset for a stream of up to total bytes decoded through
// the window dst, which must hold the dictionary plus MaxChunk bytes: the
// caller takes the decoded bytes out of dst (Pos) and calls Slide before a
// Step whenever fewer than MaxChunk bytes of dst are free. A stream
// decoding to more than total bytes fails with ErrOutputFull.
func (d *Decoder) ResetWindow(dst, src []byte, dictSize, total int) {
	if dictSize <= 0 {
		dictSize = int(^uint(0) >> 1)
	} else {
		dictSize = (dictSize + 15) &^ 15
	}
	d.out, d.src, d.dictSize, d.limit = dst, src, dictSize, total
	d.pos, d.in, d.dictStart, d.base, d.srcBase = 0, 0, 0, 0, 0
	d.needDictReset, d.needProps, d.done, d.err = true, true, false, nil
}

// Written is the number of bytes decoded so far (into dst, unless slid).
func (d *Decoder) Written() int { return d.base + d.pos }

// Pos is the position in dst after the last decoded byte: dst[:Pos()]
// ends with the bytes decoded since the last Slide.
func (d *Decoder) Pos() int { return d.pos }

// Free is the number of bytes of dst after Pos.
func (d *Decoder) Free() int { return len(d.out) - d.pos }

// Slide moves the decoded bytes a later match may still reach (the last
// dictionary size of them, or all since the last dictionary reset when
// fewer) to the front of dst, and returns how many bytes were dropped
// before them. Decoding goes on as if nothing had moved.
func (d *Decoder) Slide() int {
	keep := min(d.pos-d.dictStart, d.dictSize)
	drop := d.pos - keep
	if drop <= 0 {
		return 0
	}
	copy(d.out, d.out[drop:d.pos])
	d.pos -= drop
	d.dictStart -= drop // matches and positions are measured from it, unchanged
	d.base += drop
	return drop
}

// room is how many more bytes may be decoded: within dst and the total.
func (d *Decoder) room() int { return min(len(d.out)-d.pos, d.limit-d.base-d.pos) }

// Consumed is the number of bytes of src used so far; after the end of
// the stream, the length of the LZMA2 data including its end marker.
func (d *Decoder) Consumed() int { return d.srcBase + d.in }

// MaxChunkInput is the most input bytes one Step reads.
const MaxChunkInput = 6 + 1<<16

// Input is the part of the input not consumed yet.
func (d *Decoder) Input() []byte { return d.src[d.in:] }

// SetInput replaces the input with src, which must start with the bytes
// Input returned and may hold more of the stream after them: a stream
// whose input is not all in memory is decoded with src holding, before
// every Step, the rest of the stream or at least MaxChunkInput bytes of it.
func (d *Decoder) SetInput(src []byte) {
	d.srcBase += d.in
	d.src, d.in = src, 0
}

// Done reports whether the end marker has been decoded.
func (d *Decoder) Done() bool { return d.done }

// Decode decodes the whole LZMA2 stream at the start of src into dst and
// returns the bytes written and the bytes of src consumed. It uses a
// fresh Decoder; reuse one with Reset and Step to avoid allocating.
func Decode(dst, src []byte, dictSize int) (written, consumed int, err error) {
	d := new(Decoder)
	d.Reset(dst, src, dictSize)
	for !d.done {
		if err := d.Step(); err != nil {
			return d.pos, d.in, err
		}
	}
	return d.pos, d.in, nil
}

// Step decodes the next chunk (at most 2 MiB of output), or the end
// marker, after which Done is true. Errors are sticky.
func (d *Decoder) Step() error {
	if d.err != nil || d.done {
		return d.err
	}
	if err := d.step(); err != nil {
		d.err = err
	}
	return d.err
}

func (d *Decoder) step() error {
	src := d.src
	if d.in >= len(src) {
		return corruptf("truncated before the end marker")
	}
	control := src[d.in]
	at := d.srcBase + d.in // offset in the stream
	if control == 0 {
		d.in++
		d.done = true
		return nil
	}
	if control >= 0xE0 || control == 1 {
		d.needProps = true
		d.needDictReset = true
	} else if d.needDictReset {
		return corruptf("chunk at offset %d does not reset the dictionary", at)
	}
	if control < 0x80 {
		if control > 2 {
			return corruptf("invalid control byte %#x at offset %d", control, at)
		}
		if len(src)-d.in < 3 {
			return corruptf("truncated chunk header at offset %d", at)
		}
		size := int(src[d.in+1])<<8 | int(src[d.in+2]) + 1
		d.in += 3
		d.resetDictIfNeeded()
		if len(src)-d.in < size {
			return corruptf("truncated uncompressed chunk at offset %d", at)
		}
		if d.room() < size {
			return ErrOutputFull
		}
		copy(d.out[d.pos:], src[d.in:d.in+size])
		d.pos += size
		d.in += size
		return nil
	}
	hdr := 5
	if control >= 0xC0 {
		hdr = 6
	}
	if len(src)-d.in < hdr {
		return corruptf("truncated chunk header at offset %d", at)
	}
	unpacked := int(control&0x1F)<<16 | int(src[d.in+1])<<8 | int(src[d.in+2]) + 1
	packed := int(src[d.in+3])<<8 | int(src[d.in+4]) + 1
	if control >= 0xC0 {
		d.needProps = false
		if err := d.setProps(src[d.in+5]); err != nil {
			return fmt.Errorf("chunk at offset %d: %w", at, err)
		}
		d.resetState()
	} else if d.needProps {
		return corruptf("chunk at offset %d lacks properties", at)
	} else if control >= 0xA0 {
		d.resetState()
	}
	d.in += hdr
	d.resetDictIfNeeded()
	if len(src)-d.in < packed {
		return corruptf("truncated chunk at offset %d", at)
	}
	if d.room() < unpacked {
		return ErrOutputFull
	}
	if err := d.decodeLZMA(src[d.in:d.in+packed], d.pos+unpacked); err != nil {
		return fmt.Errorf("chunk at offset %d: %w", at, err)
	}
	d.in += packed
	return nil
}

func (d *Decoder) resetDictIfNeeded() {
	if d.needDictReset {
		d.needDictReset = false
		d.dictStart = d.pos
	}
}

// setProps applies an LZMA properties byte (lc, lp, pb).
func (d *Decoder) setProps(b byte) error {
	if b >= 9*5*5 {
		return corruptf("invalid properties byte %#x", b)
	}
	lc := uint32(b % 9)
	b /= 9
	lp := uint32(b % 5)
	pb := uint32(b / 5)
	if lc+lp > maxLcLp {
		return corruptf("lc+lp = %d exceeds %d", lc+lp, maxLcLp)
	}
	d.lc, d.lp, d.pb = lc, lp, pb
	return nil
}

// resetState sets the state, the repeated distances and all
// probabilities to their initial values.
func (d *Decoder) resetState() {
	d.state = 0
	d.rep = [4]uint32{}
	p := &d.p
	fill := func(s []uint16) {
		for i := range s {
			s[i] = probInit
		}
	}
	fill(p.isMatch[:])
	fill(p.isRep[:])
	fill(p.isRepG0[:])
	fill(p.isRepG1[:])
	fill(p.isRepG2[:])
	fill(p.isRep0Long[:])
	for i := range p.distSlot {
		fill(p.distSlot[i][:])
	}
	fill(p.distSpec[:])
	fill(p.align[:])
	for _, l := range []*lenCoder{&p.matchLen, &p.repLen} {
		l.choice, l.choice2 = probInit, probInit
		for i := range l.low {
			fill(l.low[i][:])
			fill(l.mid[i][:])
		}
		fill(l.high[:])
	}
	fill(p.literal[:literalCoder<<(d.lc+d.lp)])
}
