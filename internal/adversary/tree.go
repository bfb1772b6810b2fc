package adversary

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ulikunitz/xz"
)

// member is one file or symlink of a release tree.
type member struct {
	data []byte
	mode fs.FileMode // permission bits
	link string      // symlink target; data is empty
}

// tree is an unpacked release: paths relative to the release root.
type tree map[string]*member

// clone copies t deeply enough that edits to the copy leave t alone
// (members are replaced, never changed in place, by the editors).
func (t tree) clone() tree {
	out := make(tree, len(t))
	for k, v := range t {
		c := *v
		out[k] = &c
	}
	return out
}

// readTarball reads a .tar.xz or .tar.gz release with one top-level directory.
func readTarball(name string) (tree, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	magic, _ := br.Peek(6)
	var r io.Reader
	switch {
	case bytes.HasPrefix(magic, []byte{0xfd, '7', 'z', 'X', 'Z', 0}):
		if r, err = xz.NewReader(br); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		if r, err = gzip.NewReader(br); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	default:
		return nil, fmt.Errorf("%s: not a .tar.xz or .tar.gz", name)
	}
	t := tree{}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		_, rel, ok := strings.Cut(h.Name, "/")
		if !ok || rel == "" {
			continue
		}
		rel = strings.TrimSuffix(rel, "/")
		switch h.Typeflag {
		case tar.TypeReg:
			b, err := io.ReadAll(tr)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", name, h.Name, err)
			}
			t[rel] = &member{data: b, mode: fs.FileMode(h.Mode) & fs.ModePerm}
		case tar.TypeSymlink:
			t[rel] = &member{link: h.Linkname, mode: 0o777}
		}
	}
}

// writeTarGz writes t as name (a .tar.gz with top-level directory Root),
// members sorted, owned by 0:0, in GNU format as GNU tar writes it (names
// stored as UTF-8 bytes, no PAX records) and dated releaseDate, so that unpacking
// it leaves every file with the same time and make regenerates nothing.
func (t tree) writeTarGz(name string) error {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	tw := tar.NewWriter(zw)
	mt := time.Unix(releaseUnix, 0)
	dirs := map[string]bool{}
	for _, p := range t.paths() {
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	var names []string
	for d := range dirs {
		names = append(names, d+"/")
	}
	names = append(names, t.paths()...)
	sort.Strings(names)
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: Root + "/", Mode: 0o755, ModTime: mt, Format: tar.FormatGNU}); err != nil {
		return err
	}
	for _, n := range names {
		h := &tar.Header{Name: Root + "/" + n, ModTime: mt, Format: tar.FormatGNU}
		if strings.HasSuffix(n, "/") {
			h.Typeflag, h.Mode = tar.TypeDir, 0o755
		} else if m := t[n]; m.link != "" {
			h.Typeflag, h.Linkname, h.Mode = tar.TypeSymlink, m.link, 0o777
		} else {
			h.Typeflag, h.Mode, h.Size = tar.TypeReg, int64(m.mode), int64(len(m.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write(t[n].data); err != nil {
				return err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(name, buf.Bytes(), 0o644)
}

// paths lists t's members in order.
func (t tree) paths() []string {
	out := make([]string, 0, len(t))
	for p := range t {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// writeDir writes t below dir, every file dated releaseDate.
func (t tree) writeDir(dir string) error {
	mt := time.Unix(releaseUnix, 0)
	for _, p := range t.paths() {
		m := t[p]
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if m.link != "" {
			if err := os.Symlink(m.link, full); err != nil {
				return err
			}
			continue
		}
		if err := os.WriteFile(full, m.data, m.mode); err != nil {
			return err
		}
		if err := os.Chmod(full, m.mode); err != nil {
			return err
		}
		if err := os.Chtimes(full, mt, mt); err != nil {
			return err
		}
	}
	return nil
}

// readDir reads the files and symlinks below dir, skipping the directories
// named in skip (e.g. autom4te.cache).
func readDir(dir string, skip ...string) (tree, error) {
	t := tree{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			for _, s := range skip {
				if rel == s {
					return filepath.SkipDir
				}
			}
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			l, err := os.Readlink(p)
			if err != nil {
				return err
			}
			t[rel] = &member{link: l, mode: 0o777}
		case info.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			t[rel] = &member{data: b, mode: info.Mode().Perm()}
		}
		return nil
	})
	return t, err
}
