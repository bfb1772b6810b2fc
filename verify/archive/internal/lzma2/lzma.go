package lzma2

import "encoding/binary"

// The range decoder's state (rng, code, and the input position ip in
// in) lives in local variables of decodeLZMA and is threaded through the
// small helpers below, which the compiler inlines: a method updating a
// struct would keep the state in memory, and a call per bit costs a
// third of the time.
//
// Two kinds of bits recur:
//
//   - single decisions (is it a match, a rep, which rep, length choice)
//     branch on the bit (bit0), as they are well predicted;
//   - bit trees (literals, lengths, distance slots and low bits) compute
//     the bit, the new range, code and probability without branching
//     (bitMask), as their bits are close to random. The forward trees
//     also load both children's probabilities before the bit is known,
//     so that the load overlaps the multiplication instead of following
//     it on the critical path. (Branching trees, as in liblzma, decode
//     release tarballs 6-10% slower.)
//
// Each normalisation reads one byte, or zero past the end of in while
// still counting on ip, so the loop has no error exits for input; ip is
// checked at the end of the chunk. It branches: a branch-free one was
// 3-11% slower.

// normalize shifts the next input byte into code when the range has
// fallen below topValue.
func normalize(rng, code uint32, in []byte, ip int) (uint32, uint32, int) {
	if rng < topValue {
		rng <<= 8
		code <<= 8
		if uint(ip) < uint(len(in)) {
			code |= uint32(in[ip])
		}
		ip++
	}
	return rng, code, ip
}

// bit0 decodes a bit with the probability *pr, which it updates, and
// reports whether the bit is 0.
func bit0(pr *uint16, rng, code uint32) (zero bool, _, _ uint32) {
	v := uint32(*pr)
	bound := (rng >> probBits) * v
	if code < bound {
		*pr = uint16(v + (1<<probBits-v)>>moveBits)
		return true, bound, code
	}
	*pr = uint16(v - v>>moveBits)
	return false, rng - bound, code - bound
}

// bitMask decodes a bit with the probability v without branching: zero
// is all ones when the bit is 0 and 0 when it is 1 (the bit is
// zero+1), and v is the updated probability.
func bitMask(v, rng, code uint32) (zero, _, _, _ uint32) {
	bound := (rng >> probBits) * v
	zero = uint32(int64(uint64(code)-uint64(bound)) >> 63)
	rng = bound&zero | (rng-bound)&^zero
	code -= bound &^ zero
	v -= uint32(int32(v-moveTarget&zero) >> moveBits)
	return zero, rng, code, v
}

// decodeLZMA decodes one LZMA chunk from src into d.out[d.pos:end]. The
// loop ends by itself: every symbol writes at least one byte or fails.
func (d *Decoder) decodeLZMA(src []byte, end int) error {
	if len(src) < 5 || src[0] != 0 {
		return corruptf("bad range coder start")
	}
	var (
		rng  uint32 = 0xFFFFFFFF
		code        = uint32(src[1])<<24 | uint32(src[2])<<16 | uint32(src[3])<<8 | uint32(src[4])
		ip          = 5
		in          = src
		zero bool
		err  error
	)
	p := &d.p
	out := d.out
	pos := d.pos
	dictStart := d.dictStart
	state := d.state
	// Only what every symbol uses is in local variables: the register
	// allocator spills the rest anyway, and each local it keeps less
	// leaves a register to the range coder.
	rep0 := d.rep[0] // d.rep[1:] are the older distances
	pbMask := uint32(1)<<d.pb - 1

	for pos < end {
		posState := uint32(pos-dictStart) & pbMask
		rng, code, ip = normalize(rng, code, in, ip)
		if zero, rng, code = bit0(&p.isMatch[(state<<4|posState)&0xff], rng, code); zero {
			// Literal.
			var prev uint32
			if pos > dictStart {
				prev = uint32(out[pos-1])
			}
			lc := d.lc & 7
			base := literalCoder * ((uint32(pos-dictStart)&(1<<d.lp-1))<<lc + prev>>(8-lc))
			lit := (*[literalCoder]uint16)(p.literal[base:])
			var sym uint32
			if state < 7 {
				sym, rng, code, ip = decodeLiteral(lit, rng, code, in, ip)
			} else {
				back := pos - int(rep0) - 1
				if back < dictStart {
					err = corruptf("match byte before the dictionary")
					break
				}
				sym, rng, code, ip = decodeMatchedLiteral(lit, uint32(out[back]), rng, code, in, ip)
			}
			out[pos] = byte(sym)
			pos++
			state = litNextState[state&15]
			continue
		}

		var lcd *lenCoder
		simple := false
		rng, code, ip = normalize(rng, code, in, ip)
		if zero, rng, code = bit0(&p.isRep[state&15], rng, code); zero {
			// Simple match.
			lcd = &p.matchLen
			simple = true
			d.rep[3], d.rep[2], d.rep[1] = d.rep[2], d.rep[1], rep0
			if state < 7 {
				state = 7
			} else {
				state = 10
			}
		} else {
			rng, code, ip = normalize(rng, code, in, ip)
			if zero, rng, code = bit0(&p.isRepG0[state&15], rng, code); zero {
				rng, code, ip = normalize(rng, code, in, ip)
				if zero, rng, code = bit0(&p.isRep0Long[(state<<4|posState)&0xff], rng, code); zero {
					// Short rep: one byte at rep0.
					back := pos - int(rep0) - 1
					if back < dictStart || int(rep0) >= d.dictSize {
						err = corruptf("distance %d beyond the dictionary", uint64(rep0)+1)
						break
					}
					if state < 7 {
						state = 9
					} else {
						state = 11
					}
					out[pos] = out[back]
					pos++
					continue
				}
			} else {
				rng, code, ip = normalize(rng, code, in, ip)
				if zero, rng, code = bit0(&p.isRepG1[state&15], rng, code); zero {
					d.rep[1], rep0 = rep0, d.rep[1]
				} else {
					rng, code, ip = normalize(rng, code, in, ip)
					if zero, rng, code = bit0(&p.isRepG2[state&15], rng, code); zero {
						d.rep[2], d.rep[1], rep0 = d.rep[1], rep0, d.rep[2]
					} else {
						d.rep[3], d.rep[2], d.rep[1], rep0 = d.rep[2], d.rep[1], rep0, d.rep[3]
					}
				}
			}
			lcd = &p.repLen
			state = repNextState[state&15]
		}

		// Length: 3 bits (low), 3 bits (mid) or 8 bits (high).
		var l uint32
		rng, code, ip = normalize(rng, code, in, ip)
		if zero, rng, code = bit0(&lcd.choice, rng, code); zero {
			l, rng, code, ip = decodeTree3(&lcd.low[posState&15], rng, code, in, ip)
		} else {
			rng, code, ip = normalize(rng, code, in, ip)
			if zero, rng, code = bit0(&lcd.choice2, rng, code); zero {
				l, rng, code, ip = decodeTree3(&lcd.mid[posState&15], rng, code, in, ip)
				l += lenLowSymbols
			} else {
				l, rng, code, ip = decodeTree8(&lcd.high, rng, code, in, ip)
				l += lenLowSymbols + lenMidSymbols
			}
		}

		if simple {
			var slot uint32
			slot, rng, code, ip = decodeTree6(&p.distSlot[min(l, distStates-1)], rng, code, in, ip)
			if slot < distModelStart {
				rep0 = slot
			} else {
				nb := slot>>1 - 1
				dist := (2 | slot&1) << nb
				if slot < distModelEnd {
					// Reverse bit tree over distSpec[dist-slot-1+m].
					base := dist - slot - 1
					m := uint32(1)
					for i := uint32(0); i < nb; i++ {
						pr := &p.distSpec[(base+m)&(fullDistances-1)]
						var z, v uint32
						rng, code, ip = normalize(rng, code, in, ip)
						z, rng, code, v = bitMask(uint32(*pr), rng, code)
						*pr = uint16(v)
						m = m<<1 + 1 + z
						dist |= (1 + z) << i
					}
				} else {
					// Direct bits, then a reverse bit tree of alignBits.
					var direct uint32
					for k := nb - alignBits; k > 0; k-- {
						rng, code, ip = normalize(rng, code, in, ip)
						rng >>= 1
						t := (code - rng) >> 31 // 1 when code < rng: bit 0
						code -= rng & (t - 1)
						direct = direct<<1 | (1 - t)
					}
					dist += direct << alignBits
					m := uint32(1)
					for i := uint32(0); i < alignBits; i++ {
						pr := &p.align[m&(alignSize-1)]
						var z, v uint32
						rng, code, ip = normalize(rng, code, in, ip)
						z, rng, code, v = bitMask(uint32(*pr), rng, code)
						*pr = uint16(v)
						m = m<<1 + 1 + z
						dist |= (1 + z) << i
					}
				}
				rep0 = dist
			}
		}

		// Copy l+minMatchLen bytes from distance rep0+1.
		n := int(l) + minMatchLen
		back := pos - int(rep0) - 1
		if back < dictStart || int(rep0) >= d.dictSize {
			if rep0 == 0xFFFFFFFF {
				err = corruptf("end marker inside an LZMA2 chunk")
			} else {
				err = corruptf("distance %d beyond the dictionary", uint64(rep0)+1)
			}
			break
		}
		if n > end-pos {
			err = corruptf("match past the end of the chunk")
			break
		}
		switch dist := pos - back; {
		case dist >= 8 && n <= 16 && pos+16 <= len(out):
			// Two words; what lands past pos+n (but within out) is
			// overwritten later, and with dist >= 8 the second word
			// reads bytes the first one wrote.
			binary.LittleEndian.PutUint64(out[pos:pos+8], binary.LittleEndian.Uint64(out[back:back+8]))
			binary.LittleEndian.PutUint64(out[pos+8:pos+16], binary.LittleEndian.Uint64(out[back+8:back+16]))
		case dist >= n:
			copy(out[pos:pos+n], out[back:back+n])
		case dist >= 8 && pos+n+8 <= len(out):
			for i := 0; i < n; i += 8 {
				binary.LittleEndian.PutUint64(out[pos+i:], binary.LittleEndian.Uint64(out[back+i:]))
			}
		case dist == 1:
			b := out[back]
			s := out[pos : pos+n]
			for i := range s {
				s[i] = b
			}
		default:
			for i := range n {
				out[pos+i] = out[back+i]
			}
		}
		pos += n
	}
	d.pos = pos
	d.state = state
	d.rep[0] = rep0
	if err != nil {
		return err
	}
	rng, code, ip = normalize(rng, code, in, ip)
	if ip != len(src) {
		return corruptf("chunk uses %d compressed bytes, header says %d", ip, len(src))
	}
	if code != 0 {
		return corruptf("range coder not at its end state")
	}
	return nil
}

var (
	litNextState = [16]uint32{0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 4, 5}
	repNextState = [16]uint32{8, 8, 8, 8, 8, 8, 8, 11, 11, 11, 11, 11}
)

// The bit-tree decoders below are functions of their own rather than
// written out in decodeLZMA: in the large loop of decodeLZMA the
// register allocator spills the range coder and reloads a dozen
// variables on every bit, while these small loops keep everything in
// registers. Each returns the symbol, then the range coder's state.
// They are the same loop for trees of 3, 6 and 8 bits; arrays of
// exactly the tree's size with masked indices need no bounds checks.
// The children of the last level are loaded too (masked, so harmless)
// and not used.

// decodeLiteral decodes the 8 bits of a literal byte, high bit first,
// with the probabilities lit, and returns it plus 0x100.
func decodeLiteral(lit *[literalCoder]uint16, rng, code uint32, in []byte, ip int) (sym, _, _ uint32, _ int) {
	sym = 1
	v := uint32(lit[1])
	for sym < 0x100 {
		c0, c1 := uint32(lit[(2*sym)&0x1ff]), uint32(lit[(2*sym+1)&0x1ff])
		var zero uint32
		rng, code, ip = normalize(rng, code, in, ip)
		zero, rng, code, v = bitMask(v, rng, code)
		lit[sym&0xff] = uint16(v)
		sym = sym<<1 + 1 + zero
		v = c1 ^ (c0^c1)&zero
	}
	return sym, rng, code, ip
}

// decodeMatchedLiteral decodes a literal after a match: while its bits
// equal those of match (the byte at distance rep0), the probabilities
// are chosen by the match bit too.
func decodeMatchedLiteral(lit *[literalCoder]uint16, match uint32, rng, code uint32, in []byte, ip int) (sym, _, _ uint32, _ int) {
	sym = 1
	offset := uint32(0x100)
	for sym < 0x100 {
		match <<= 1
		mbit := match & offset
		pr := &lit[(offset+mbit+sym)&0x3ff]
		var zero, v uint32
		rng, code, ip = normalize(rng, code, in, ip)
		zero, rng, code, v = bitMask(uint32(*pr), rng, code)
		*pr = uint16(v)
		sym = sym<<1 + 1 + zero
		offset &= mbit ^ zero // keep offset while the bit equals the match bit
	}
	return sym, rng, code, ip
}

// decodeTree3 decodes a 3-bit length symbol.
func decodeTree3(t *[lenLowSymbols]uint16, rng, code uint32, in []byte, ip int) (sym, _, _ uint32, _ int) {
	sym = 1
	v := uint32(t[1])
	for sym < lenLowSymbols {
		c0, c1 := uint32(t[(2*sym)&7]), uint32(t[(2*sym+1)&7])
		var zero uint32
		rng, code, ip = normalize(rng, code, in, ip)
		zero, rng, code, v = bitMask(v, rng, code)
		t[sym&7] = uint16(v)
		sym = sym<<1 + 1 + zero
		v = c1 ^ (c0^c1)&zero
	}
	return sym - lenLowSymbols, rng, code, ip
}

// decodeTree6 decodes a 6-bit distance slot.
func decodeTree6(t *[distSlots]uint16, rng, code uint32, in []byte, ip int) (sym, _, _ uint32, _ int) {
	sym = 1
	v := uint32(t[1])
	for sym < distSlots {
		c0, c1 := uint32(t[(2*sym)&(distSlots-1)]), uint32(t[(2*sym+1)&(distSlots-1)])
		var zero uint32
		rng, code, ip = normalize(rng, code, in, ip)
		zero, rng, code, v = bitMask(v, rng, code)
		t[sym&(distSlots-1)] = uint16(v)
		sym = sym<<1 + 1 + zero
		v = c1 ^ (c0^c1)&zero
	}
	return sym - distSlots, rng, code, ip
}

// decodeTree8 decodes an 8-bit length symbol.
func decodeTree8(t *[lenHighSymbols]uint16, rng, code uint32, in []byte, ip int) (sym, _, _ uint32, _ int) {
	sym = 1
	v := uint32(t[1])
	for sym < lenHighSymbols {
		c0, c1 := uint32(t[(2*sym)&0xff]), uint32(t[(2*sym+1)&0xff])
		var zero uint32
		rng, code, ip = normalize(rng, code, in, ip)
		zero, rng, code, v = bitMask(v, rng, code)
		t[sym&0xff] = uint16(v)
		sym = sym<<1 + 1 + zero
		v = c1 ^ (c0^c1)&zero
	}
	return sym - lenHighSymbols, rng, code, ip
}
