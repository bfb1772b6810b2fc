package hostile

import (
	"bytes"
	"fmt"
	"strconv"
)

// Tar type flags used by the corpus (POSIX ustar and GNU).
const (
	TypeReg      = '0'
	TypeLink     = '1'
	TypeSymlink  = '2'
	TypeChar     = '3'
	TypeBlock    = '4'
	TypeDir      = '5'
	TypeFifo     = '6'
	typePax      = 'x'
	typeGNULong  = 'L'
	tarBlockSize = 512
)

// Member is one archive member as the corpus writes it. Unlike
// archive/tar.Writer, the raw writer below copies every field as given, so
// names may hold "..", control bytes or anything else.
type Member struct {
	// Name is the member name (what a reader reports).
	Name string
	// Type is a tar type flag (TypeReg, TypeSymlink, ...). Zip members
	// map it to Unix mode bits.
	Type byte
	// Mode holds the permission bits, including setuid/setgid/sticky.
	Mode int64
	// Body is the content of a regular file.
	Body string
	// Link is the symlink target or the hard link name.
	Link string
	// Override, when "pax" or "gnu", stores Name in a pax "path" record or
	// a GNU long-name record and puts Stored in the ustar name field.
	Override string
	// Stored is the benign-looking ustar name that Override replaces.
	Stored string
}

// rawTar writes members as a tar stream with exactly the given fields,
// followed by the two zero blocks of the end-of-archive marker.
func rawTar(ms []Member) ([]byte, error) {
	var buf bytes.Buffer
	for _, m := range ms {
		if err := writeMember(&buf, m); err != nil {
			return nil, fmt.Errorf("member %q: %w", m.Name, err)
		}
	}
	buf.Write(make([]byte, 2*tarBlockSize))
	return buf.Bytes(), nil
}

func writeMember(buf *bytes.Buffer, m Member) error {
	name := m.Name
	switch m.Override {
	case "":
	case "pax":
		rec := paxRecord("path", m.Name)
		if err := writeHeader(buf, "PaxHeaders/"+m.Stored, typePax, 0o644, int64(len(rec)), ""); err != nil {
			return err
		}
		writeBody(buf, []byte(rec))
		name = m.Stored
	case "gnu":
		long := append([]byte(m.Name), 0)
		if err := writeHeader(buf, "././@LongLink", typeGNULong, 0o644, int64(len(long)), ""); err != nil {
			return err
		}
		writeBody(buf, long)
		name = m.Stored
	default:
		return fmt.Errorf("unknown override %q", m.Override)
	}
	var size int64
	if m.Type == TypeReg {
		size = int64(len(m.Body))
	}
	if err := writeHeader(buf, name, m.Type, m.Mode, size, m.Link); err != nil {
		return err
	}
	if size > 0 {
		writeBody(buf, []byte(m.Body))
	}
	return nil
}

// paxRecord formats one "%d key=value\n" record, whose length prefix counts
// itself.
func paxRecord(k, v string) string {
	size := len(k) + len(v) + 3 // space, '=', newline
	size += len(strconv.Itoa(size))
	rec := strconv.Itoa(size) + " " + k + "=" + v + "\n"
	if len(rec) != size {
		size = len(rec)
		rec = strconv.Itoa(size) + " " + k + "=" + v + "\n"
	}
	return rec
}

// writeHeader writes one ustar header block. Names longer than the 100-byte
// field are an error: the corpus uses Override for long names.
func writeHeader(buf *bytes.Buffer, name string, typ byte, mode, size int64, link string) error {
	if len(name) > 100 || len(link) > 100 {
		return fmt.Errorf("name or link longer than 100 bytes")
	}
	var h [tarBlockSize]byte
	copy(h[0:100], name)
	octal(h[100:108], mode)
	octal(h[108:116], 1000) // uid
	octal(h[116:124], 1000) // gid
	octal(h[124:136], size)
	octal(h[136:148], 1704067200) // 2024-01-01
	h[156] = typ
	copy(h[157:257], link)
	copy(h[257:263], "ustar\x00")
	copy(h[263:265], "00")
	copy(h[265:297], "user")
	copy(h[297:329], "user")
	octal(h[329:337], 0) // devmajor
	octal(h[337:345], 0) // devminor
	for i := 148; i < 156; i++ {
		h[i] = ' '
	}
	var sum int64
	for _, c := range h {
		sum += int64(c)
	}
	copy(h[148:156], fmt.Sprintf("%06o\x00 ", sum))
	buf.Write(h[:])
	return nil
}

// octal writes v as a NUL-terminated, zero-padded octal field.
func octal(field []byte, v int64) {
	s := strconv.FormatInt(v, 8)
	n := len(field) - 1
	for len(s) < n {
		s = "0" + s
	}
	copy(field, s[len(s)-n:])
	field[n] = 0
}

func writeBody(buf *bytes.Buffer, body []byte) {
	buf.Write(body)
	if pad := len(body) % tarBlockSize; pad != 0 {
		buf.Write(make([]byte, tarBlockSize-pad))
	}
}
