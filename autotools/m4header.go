package autotools

import (
	"bytes"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/tarcheck/tarcheck/internal/limits"
)

// Limits on what ParseM4Header reads from untrusted m4 content.
const (
	// MaxM4HeaderBytes caps the bytes of an m4 file scanned for header data.
	MaxM4HeaderBytes = limits.AutotoolsMaxM4HeaderBytes
	// maxM4Macros caps the number of macro names collected from one file.
	maxM4Macros = limits.AutotoolsMaxM4Macros
	// maxSerialParts caps the dotted components of one serial number.
	maxSerialParts = limits.AutotoolsMaxSerialParts
)

// ErrNotM4 is returned by ParseM4Header when content holds no m4 at all: no
// serial line, no macro definition and no copyright line.
var ErrNotM4 = errors.New("no m4 header found")

// M4Header is what an m4 file says about itself: the serial numbers aclocal uses
// to choose between copies, the macros it defines and its copyright years.
type M4Header struct {
	// Serial is the first serial line's number as written ("66", "1.2"),
	// or "" when the file has none.
	Serial string
	// Serials lists every serial number found, in file order.
	Serials []string
	// Macros lists the names defined with AC_DEFUN, AC_DEFUN_ONCE, AU_DEFUN or
	// AU_ALIAS, in file order, without duplicates.
	Macros []string
	// CopyrightYears lists every year named on a Copyright line, ascending,
	// without duplicates.
	CopyrightYears []int
}

// MaxYear is the latest copyright year, or 0 when there is none.
func (h M4Header) MaxYear() int {
	if len(h.CopyrightYears) == 0 {
		return 0
	}
	return h.CopyrightYears[len(h.CopyrightYears)-1]
}

var (
	// serialRe follows aclocal ("#serial N", "# serial N") and gnulib
	// ("# foo.m4 serial N") conventions, with dnl comments too.
	serialRe = lazyRegexp(`^(?:#|dnl)[ \t]*(?:[A-Za-z0-9_.~+-]+\.m4[ \t]+)?serial[ \t]+([0-9]+(?:\.[0-9]+)*)`)
	defunRe  = lazyRegexp(`\b(?:AC_DEFUN|AC_DEFUN_ONCE|AU_DEFUN|AU_ALIAS)\(\s*\[?([A-Za-z_][A-Za-z0-9_]*)`)
	yearRe   = lazyRegexp(`\b(19[6-9][0-9]|2[01][0-9][0-9])\b(?:\s*-\s*(19[6-9][0-9]|2[01][0-9][0-9])\b)?`)
)

// ParseM4Header extracts serial numbers, macro names and copyright years from
// an m4 file. Only the first MaxM4HeaderBytes are read. It returns ErrNotM4
// when none of the three is present; the returned header is then empty.
func ParseM4Header(content []byte) (M4Header, error) {
	var h M4Header
	if len(content) > MaxM4HeaderBytes {
		content = content[:MaxM4HeaderBytes]
	}
	seenMacro := map[string]bool{}
	years := map[int]bool{}
	for len(content) > 0 {
		line := content
		if i := bytes.IndexByte(content, '\n'); i >= 0 {
			line, content = content[:i], content[i+1:]
		} else {
			content = nil
		}
		t := bytes.TrimLeft(line, " \t")
		if len(t) == 0 {
			continue
		}
		if t[0] == '#' || bytes.HasPrefix(t, []byte("dnl")) {
			// Like aclocal, a serial line starts in the first column.
			if !bytes.Contains(line, []byte("serial")) {
				// serialRe cannot match: spare the regexp machine.
			} else if m := serialRe().FindSubmatch(line); m != nil && len(h.Serials) < maxM4Macros {
				s := string(m[1])
				if strings.Count(s, ".") < maxSerialParts {
					h.Serials = append(h.Serials, s)
				}
			}
			if containsCopyright(t) {
				for _, m := range yearRe().FindAllSubmatch(t, -1) {
					a, _ := strconv.Atoi(string(m[1]))
					b := a
					if len(m[2]) > 0 {
						b, _ = strconv.Atoi(string(m[2]))
					}
					if b < a || b-a > 100 {
						b = a
					}
					for y := a; y <= b; y++ {
						years[y] = true
					}
				}
			}
			continue
		}
		if bytes.Contains(t, []byte("_DEFUN")) || bytes.Contains(t, []byte("AU_ALIAS")) {
			for _, name := range defunNames(t) {
				n := string(name)
				if !seenMacro[n] && len(h.Macros) < maxM4Macros {
					seenMacro[n] = true
					h.Macros = append(h.Macros, n)
				}
			}
		}
	}
	for y := range years {
		h.CopyrightYears = append(h.CopyrightYears, y)
	}
	slices.Sort(h.CopyrightYears)
	if len(h.Serials) > 0 {
		h.Serial = h.Serials[0]
	}
	if h.Serial == "" && len(h.Macros) == 0 && len(h.CopyrightYears) == 0 {
		return M4Header{}, ErrNotM4
	}
	return h, nil
}

// CompareSerials compares two dotted serial numbers numerically ("10" > "9",
// "1.10" > "1.9"); it returns -1, 0 or +1. A missing component counts as 0 and
// components too large for an int compare by length, then lexically.
func CompareSerials(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) || i < len(pb); i++ {
		x, y := "", ""
		if i < len(pa) {
			x = strings.TrimLeft(pa[i], "0")
		}
		if i < len(pb) {
			y = strings.TrimLeft(pb[i], "0")
		}
		if len(x) != len(y) {
			if len(x) < len(y) {
				return -1
			}
			return 1
		}
		if c := strings.Compare(x, y); c != 0 {
			return c
		}
	}
	return 0
}

// serialMajor returns the first component of a serial as an int, saturating
// at 1<<30, or -1 when the serial is empty or not a number.
func serialMajor(s string) int {
	if s == "" {
		return -1
	}
	p := s
	if i := strings.IndexByte(p, '.'); i >= 0 {
		p = p[:i]
	}
	if len(p) > 9 {
		return 1 << 30
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		return -1
	}
	return n
}

// containsCopyright reports whether b holds "copyright" in any letter case:
// what (?i)copyright matches (none of its letters has a non-ASCII case
// fold), without a regexp.
func containsCopyright(b []byte) bool {
	return containsFoldASCII(b, "copyright")
}

// defunNames returns the macro names defunRe.FindAllSubmatch(b, -1) would
// capture, found with bytes.Index instead of the regexp's backtracking.
func defunNames(b []byte) [][]byte {
	var out [][]byte
	for off := 0; off < len(b); {
		// The earliest keyword: AC_DEFUN (and AC_DEFUN_ONCE), AU_DEFUN,
		// AU_ALIAS.
		p := -1
		for _, k := range [...]string{"AC_DEFUN", "AU_DEFUN", "AU_ALIAS"} {
			if i := bytes.Index(b[off:], []byte(k)); i >= 0 && (p < 0 || off+i < p) {
				p = off + i
			}
		}
		if p < 0 {
			break
		}
		off = p + 1
		if p > 0 && isWordByte(b[p-1]) {
			continue
		}
		q := p + 8
		if bytes.HasPrefix(b[p:], []byte("AC_DEFUN_ONCE(")) {
			q = p + 13
		}
		if q >= len(b) || b[q] != '(' {
			continue
		}
		q++
		for q < len(b) && (b[q] == ' ' || b[q] == '\t' || b[q] == '\n' || b[q] == '\f' || b[q] == '\r') {
			q++
		}
		if q < len(b) && b[q] == '[' {
			q++
		}
		if q >= len(b) || !(b[q] == '_' || b[q] >= 'A' && b[q] <= 'Z' || b[q] >= 'a' && b[q] <= 'z') {
			continue
		}
		e := q + 1
		for e < len(b) && isWordByte(b[e]) {
			e++
		}
		out = append(out, b[q:e])
		off = e
	}
	return out
}
