package lzma2

import "encoding/binary"

// decodeLZMA decodes one LZMA chunk from src into d.out[d.pos:end].
//
// The range decoder's state lives in local variables and every bit
// decoding is written out in place, the way liblzma's macros expand (the
// Go compiler does not inline a bit-decoding function, and the call
// costs a third of the time). Two forms recur:
//
//   - single decisions (is it a match, a rep, which rep, length choice)
//     branch on the bit, as they are well predicted;
//   - bit trees (literals, lengths, distance slots and low bits) compute
//     the bit, the new range, code and probability without branching,
//     as their bits are close to random.
//
// Each normalisation reads one byte, or zero past the end of src while
// still counting on ip, so the loop has no error exits for input; ip is
// checked at the end. The loop ends by itself: every symbol writes at
// least one byte or fails.
func (d *Decoder) decodeLZMA(src []byte, end int) error {
	if len(src) < 5 || src[0] != 0 {
		return corruptf("bad range coder start")
	}
	var (
		rng   uint32 = 0xFFFFFFFF
		code         = uint32(src[1])<<24 | uint32(src[2])<<16 | uint32(src[3])<<8 | uint32(src[4])
		ip           = 5
		in           = src
		pr    *uint16
		bound uint32
		m     uint32
		v, b  uint32
		mask  uint32
		p0    uint32
		p1    uint32
		err   error
	)
	p := &d.p
	full := d.out
	out := full[:end]
	pos := d.pos
	dictStart := d.dictStart
	dictSize := d.dictSize
	state := d.state
	rep0, rep1, rep2, rep3 := d.rep[0], d.rep[1], d.rep[2], d.rep[3]
	lc := d.lc & 7
	lpMask := uint32(1)<<d.lp - 1
	pbMask := uint32(1)<<d.pb - 1

	for pos < end {
		posState := uint32(pos-dictStart) & pbMask
		pr = &p.isMatch[(state<<4|posState)&0xff]
		if rng < topValue {
			rng <<= 8
			code <<= 8
			if uint(ip) < uint(len(in)) {
				code |= uint32(in[ip])
			}
			ip++
		}
		bound = (rng >> probBits) * uint32(*pr)
		if code < bound {
			rng = bound
			*pr += (1<<probBits - *pr) >> moveBits
			// Literal.
			var prev uint32
			if pos > dictStart {
				prev = uint32(out[pos-1])
			}
			base := literalCoder * ((uint32(pos-dictStart)&lpMask)<<lc + prev>>(8-lc))
			lit := (*[literalCoder]uint16)(p.literal[base:])
			sym := uint32(1)
			if state < 7 {
				for sym < 0x100 {
					pr = &lit[sym&0xff]
					if rng < topValue {
						rng <<= 8
						code <<= 8
						if uint(ip) < uint(len(in)) {
							code |= uint32(in[ip])
						}
						ip++
					}
					v = uint32(*pr)
					bound = (rng >> probBits) * v
					b = uint32((uint64(bound) - uint64(code) - 1) >> 63) // 1 when code >= bound
					mask = -b
					rng = bound + (rng-2*bound)&mask
					code -= bound & mask
					p0, p1 = v+(1<<probBits-v)>>moveBits, v-v>>moveBits
					*pr = uint16(p0 ^ (p0^p1)&mask)
					sym = sym<<1 | b
				}
			} else {
				back := pos - int(rep0) - 1
				if back < dictStart {
					err = corruptf("match byte before the dictionary")
					break
				}
				match := uint32(out[back])
				offset := uint32(0x100)
				for sym < 0x100 {
					match <<= 1
					mbit := match & offset
					pr = &lit[(offset+mbit+sym)&0x3ff]
					if rng < topValue {
						rng <<= 8
						code <<= 8
						if uint(ip) < uint(len(in)) {
							code |= uint32(in[ip])
						}
						ip++
					}
					v = uint32(*pr)
					bound = (rng >> probBits) * v
					b = uint32((uint64(bound) - uint64(code) - 1) >> 63) // 1 when code >= bound
					mask = -b
					rng = bound + (rng-2*bound)&mask
					code -= bound & mask
					p0, p1 = v+(1<<probBits-v)>>moveBits, v-v>>moveBits
					*pr = uint16(p0 ^ (p0^p1)&mask)
					sym = sym<<1 | b
					offset &= mbit ^ (b - 1)
				}
			}
			out[pos] = byte(sym)
			pos++
			state = litNextState[state&15]
			continue
		}
		rng -= bound
		code -= bound
		*pr -= *pr >> moveBits

		var lcd *lenCoder
		simple := false
		pr = &p.isRep[state&15]
		if rng < topValue {
			rng <<= 8
			code <<= 8
			if uint(ip) < uint(len(in)) {
				code |= uint32(in[ip])
			}
			ip++
		}
		bound = (rng >> probBits) * uint32(*pr)
		if code < bound {
			rng = bound
			*pr += (1<<probBits - *pr) >> moveBits
			// Simple match.
			lcd = &p.matchLen
			simple = true
			rep3, rep2, rep1 = rep2, rep1, rep0
			if state < 7 {
				state = 7
			} else {
				state = 10
			}
		} else {
			rng -= bound
			code -= bound
			*pr -= *pr >> moveBits
			pr = &p.isRepG0[state&15]
			if rng < topValue {
				rng <<= 8
				code <<= 8
				if uint(ip) < uint(len(in)) {
					code |= uint32(in[ip])
				}
				ip++
			}
			bound = (rng >> probBits) * uint32(*pr)
			if code < bound {
				rng = bound
				*pr += (1<<probBits - *pr) >> moveBits
				pr = &p.isRep0Long[(state<<4|posState)&0xff]
				if rng < topValue {
					rng <<= 8
					code <<= 8
					if uint(ip) < uint(len(in)) {
						code |= uint32(in[ip])
					}
					ip++
				}
				bound = (rng >> probBits) * uint32(*pr)
				if code < bound {
					rng = bound
					*pr += (1<<probBits - *pr) >> moveBits
					// Short rep: one byte at rep0.
					back := pos - int(rep0) - 1
					if back < dictStart || int(rep0) >= dictSize {
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
				} else {
					rng -= bound
					code -= bound
					*pr -= *pr >> moveBits
					lcd = &p.repLen
					state = repNextState[state&15]
				}
			} else {
				rng -= bound
				code -= bound
				*pr -= *pr >> moveBits
				pr = &p.isRepG1[state&15]
				if rng < topValue {
					rng <<= 8
					code <<= 8
					if uint(ip) < uint(len(in)) {
						code |= uint32(in[ip])
					}
					ip++
				}
				bound = (rng >> probBits) * uint32(*pr)
				if code < bound {
					rng = bound
					*pr += (1<<probBits - *pr) >> moveBits
					dist := rep1
					rep1 = rep0
					rep0 = dist
				} else {
					rng -= bound
					code -= bound
					*pr -= *pr >> moveBits
					pr = &p.isRepG2[state&15]
					if rng < topValue {
						rng <<= 8
						code <<= 8
						if uint(ip) < uint(len(in)) {
							code |= uint32(in[ip])
						}
						ip++
					}
					bound = (rng >> probBits) * uint32(*pr)
					if code < bound {
						rng = bound
						*pr += (1<<probBits - *pr) >> moveBits
						dist := rep2
						rep2 = rep1
						rep1 = rep0
						rep0 = dist
					} else {
						rng -= bound
						code -= bound
						*pr -= *pr >> moveBits
						dist := rep3
						rep3 = rep2
						rep2 = rep1
						rep1 = rep0
						rep0 = dist
					}
				}
				lcd = &p.repLen
				state = repNextState[state&15]
			}
		}

		var l uint32
		pr = &lcd.choice
		if rng < topValue {
			rng <<= 8
			code <<= 8
			if uint(ip) < uint(len(in)) {
				code |= uint32(in[ip])
			}
			ip++
		}
		bound = (rng >> probBits) * uint32(*pr)
		if code < bound {
			rng = bound
			*pr += (1<<probBits - *pr) >> moveBits
			m = 1
			for m < 8 {
				pr = &lcd.low[posState&15][m&7]
				if rng < topValue {
					rng <<= 8
					code <<= 8
					if uint(ip) < uint(len(in)) {
						code |= uint32(in[ip])
					}
					ip++
				}
				v = uint32(*pr)
				bound = (rng >> probBits) * v
				b = uint32((uint64(bound) - uint64(code) - 1) >> 63) // 1 when code >= bound
				mask = -b
				rng = bound + (rng-2*bound)&mask
				code -= bound & mask
				p0, p1 = v+(1<<probBits-v)>>moveBits, v-v>>moveBits
				*pr = uint16(p0 ^ (p0^p1)&mask)
				m = m<<1 | b
			}
			l = m - 8
		} else {
			rng -= bound
			code -= bound
			*pr -= *pr >> moveBits
			pr = &lcd.choice2
			if rng < topValue {
				rng <<= 8
				code <<= 8
				if uint(ip) < uint(len(in)) {
					code |= uint32(in[ip])
				}
				ip++
			}
			bound = (rng >> probBits) * uint32(*pr)
			if code < bound {
				rng = bound
				*pr += (1<<probBits - *pr) >> moveBits
				m = 1
				for m < 8 {
					pr = &lcd.mid[posState&15][m&7]
					if rng < topValue {
						rng <<= 8
						code <<= 8
						if uint(ip) < uint(len(in)) {
							code |= uint32(in[ip])
						}
						ip++
					}
					v = uint32(*pr)
					bound = (rng >> probBits) * v
					b = uint32((uint64(bound) - uint64(code) - 1) >> 63) // 1 when code >= bound
					mask = -b
					rng = bound + (rng-2*bound)&mask
					code -= bound & mask
					p0, p1 = v+(1<<probBits-v)>>moveBits, v-v>>moveBits
					*pr = uint16(p0 ^ (p0^p1)&mask)
					m = m<<1 | b
				}
				l = m - 8 + lenLowSymbols
			} else {
				rng -= bound
				code -= bound
				*pr -= *pr >> moveBits
				m = 1
				for m < 256 {
					pr = &lcd.high[m&0xff]
					if rng < topValue {
						rng <<= 8
						code <<= 8
						if uint(ip) < uint(len(in)) {
							code |= uint32(in[ip])
						}
						ip++
					}
					v = uint32(*pr)
					bound = (rng >> probBits) * v
					b = uint32((uint64(bound) - uint64(code) - 1) >> 63) // 1 when code >= bound
					mask = -b
					rng = bound + (rng-2*bound)&mask
					code -= bound & mask
					p0, p1 = v+(1<<probBits-v)>>moveBits, v-v>>moveBits
					*pr = uint16(p0 ^ (p0^p1)&mask)
					m = m<<1 | b
				}
				l = m - lenHighSymbols + lenLowSymbols + lenMidSymbols
			}
		}
		if simple {
			m = 1
			for m < 64 {
				pr = &p.distSlot[min(l, distStates-1)][m&(distSlots-1)]
				if rng < topValue {
					rng <<= 8
					code <<= 8
					if uint(ip) < uint(len(in)) {
						code |= uint32(in[ip])
					}
					ip++
				}
				v = uint32(*pr)
				bound = (rng >> probBits) * v
				b = uint32((uint64(bound) - uint64(code) - 1) >> 63) // 1 when code >= bound
				mask = -b
				rng = bound + (rng-2*bound)&mask
				code -= bound & mask
				p0, p1 = v+(1<<probBits-v)>>moveBits, v-v>>moveBits
				*pr = uint16(p0 ^ (p0^p1)&mask)
				m = m<<1 | b
			}
			slot := m - distSlots
			if slot < distModelStart {
				rep0 = slot
			} else {
				nb := slot>>1 - 1
				dist := (2 | slot&1) << nb
				if slot < distModelEnd {
					// Reverse bit tree over distSpec[dist-slot-1+m].
					base := dist - slot - 1
					m = 1
					for i := uint32(0); i < nb; i++ {
						pr = &p.distSpec[(base+m)&(fullDistances-1)]
						if rng < topValue {
							rng <<= 8
							code <<= 8
							if uint(ip) < uint(len(in)) {
								code |= uint32(in[ip])
							}
							ip++
						}
						v = uint32(*pr)
						bound = (rng >> probBits) * v
						b = uint32((uint64(bound) - uint64(code) - 1) >> 63) // 1 when code >= bound
						mask = -b
						rng = bound + (rng-2*bound)&mask
						code -= bound & mask
						p0, p1 = v+(1<<probBits-v)>>moveBits, v-v>>moveBits
						*pr = uint16(p0 ^ (p0^p1)&mask)
						m = m<<1 | b
						dist |= b << i
					}
				} else {
					var direct uint32
					for k := nb - alignBits; k > 0; k-- {
						if rng < topValue {
							rng <<= 8
							code <<= 8
							if uint(ip) < uint(len(in)) {
								code |= uint32(in[ip])
							}
							ip++
						}
						rng >>= 1
						t := (code - rng) >> 31 // 1 when code < rng: bit 0
						code -= rng & (t - 1)
						direct = direct<<1 | (1 - t)
					}
					dist += direct << alignBits
					m = 1
					for i := uint32(0); i < alignBits; i++ {
						pr = &p.align[m&(alignSize-1)]
						if rng < topValue {
							rng <<= 8
							code <<= 8
							if uint(ip) < uint(len(in)) {
								code |= uint32(in[ip])
							}
							ip++
						}
						v = uint32(*pr)
						bound = (rng >> probBits) * v
						b = uint32((uint64(bound) - uint64(code) - 1) >> 63) // 1 when code >= bound
						mask = -b
						rng = bound + (rng-2*bound)&mask
						code -= bound & mask
						p0, p1 = v+(1<<probBits-v)>>moveBits, v-v>>moveBits
						*pr = uint16(p0 ^ (p0^p1)&mask)
						m = m<<1 | b
						dist |= b << i
					}
				}
				rep0 = dist
			}
		}

		// Copy l+minMatchLen bytes from distance rep0+1.
		n := int(l) + minMatchLen
		back := pos - int(rep0) - 1
		if back < dictStart || int(rep0) >= dictSize {
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
		case dist >= 8 && n <= 16 && pos+16 <= len(full):
			// Two words; what lands past pos+n is overwritten later,
			// and with dist >= 8 the second word reads bytes the
			// first one wrote.
			binary.LittleEndian.PutUint64(full[pos:pos+8], binary.LittleEndian.Uint64(full[back:back+8]))
			binary.LittleEndian.PutUint64(full[pos+8:pos+16], binary.LittleEndian.Uint64(full[back+8:back+16]))
		case dist >= n:
			copy(out[pos:pos+n], out[back:back+n])
		case dist >= 8 && pos+n+8 <= len(full):
			for i := 0; i < n; i += 8 {
				binary.LittleEndian.PutUint64(full[pos+i:], binary.LittleEndian.Uint64(full[back+i:]))
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
	d.rep = [4]uint32{rep0, rep1, rep2, rep3}
	if err != nil {
		return err
	}
	if rng < topValue {
		rng <<= 8
		code <<= 8
		if uint(ip) < uint(len(in)) {
			code |= uint32(in[ip])
		}
		ip++
	}
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
