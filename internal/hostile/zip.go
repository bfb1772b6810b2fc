package hostile

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io/fs"
)

// fileMode maps a member's tar type and permission bits to an fs.FileMode,
// which archive/zip stores as Unix mode bits in the external attributes.
func fileMode(m Member) (fs.FileMode, error) {
	mode := fs.FileMode(m.Mode & 0o777)
	if m.Mode&0o4000 != 0 {
		mode |= fs.ModeSetuid
	}
	if m.Mode&0o2000 != 0 {
		mode |= fs.ModeSetgid
	}
	if m.Mode&0o1000 != 0 {
		mode |= fs.ModeSticky
	}
	switch m.Type {
	case TypeReg:
	case TypeDir:
		mode |= fs.ModeDir
	case TypeSymlink:
		mode |= fs.ModeSymlink
	case TypeChar:
		mode |= fs.ModeDevice | fs.ModeCharDevice
	case TypeBlock:
		mode |= fs.ModeDevice
	case TypeFifo:
		mode |= fs.ModeNamedPipe
	default:
		return 0, fmt.Errorf("type %q has no zip form", m.Type)
	}
	return mode, nil
}

// ZipMember is a Member plus the zip-only field LocalName: when set (it
// must have the length of Name), the local file header carries LocalName
// while the central directory carries Name.
type ZipMember struct {
	Member
	LocalName string
}

// rawZip writes members as a zip archive (deflate, Unix attributes),
// keeping duplicate and hostile names as given.
func rawZip(ms []ZipMember) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	type patch struct {
		off  int
		name string
	}
	var patches []patch
	for _, m := range ms {
		mode, err := fileMode(m.Member)
		if err != nil {
			return nil, fmt.Errorf("member %q: %w", m.Name, err)
		}
		fh := &zip.FileHeader{Name: m.Name, Method: zip.Deflate}
		fh.SetMode(mode)
		if err := zw.Flush(); err != nil {
			return nil, err
		}
		if m.LocalName != "" {
			if len(m.LocalName) != len(m.Name) {
				return nil, fmt.Errorf("member %q: local name of another length", m.Name)
			}
			patches = append(patches, patch{buf.Len(), m.LocalName})
		}
		w, err := zw.CreateHeader(fh)
		if err != nil {
			return nil, fmt.Errorf("member %q: %w", m.Name, err)
		}
		body := m.Body
		if m.Type == TypeSymlink {
			body = m.Link
		}
		if _, err := w.Write([]byte(body)); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	out := buf.Bytes()
	for _, p := range patches {
		copy(out[p.off+30:], p.name) // the name follows the 30-byte fixed local header
	}
	return out, nil
}
