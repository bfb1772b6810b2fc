// Package demo builds, from data embedded in the binary, a small autotools
// project as a git repository with an OpenPGP-signed release tag, plus two
// signed release tarballs: a clean one, and one carrying an xz-style
// injection (a tarball-only m4 macro with an inflated serial that decodes a
// payload hidden in a binary test file that is in git). The payload is
// harmless. `tarcheck demo` and the end-to-end tests use it.
package demo

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/ulikunitz/xz"

	"github.com/tarcheck/tarcheck/internal/compress"
	"github.com/tarcheck/tarcheck/verify/gitsrc"
)

//go:embed project release tampered
var data embed.FS

// Names of the demo release.
const (
	Name    = "hello-demo"
	Version = "1.2.0"
	Tag     = "v1.2.0"
	Root    = Name + "-" + Version
)

// releaseTime is the fixed date of the demo commit, tag and tarball members.
var releaseTime = time.Date(2024, 2, 24, 12, 0, 0, 0, time.UTC)

// Fixture is what Build made.
type Fixture struct {
	Repo     string // git work tree
	Keyring  string // armored public key of the "maintainer"
	Clean    string // clean tarball (.tar.gz) with a .asc beside it
	Tampered string // tampered tarball (.tar.xz) with a .asc beside it
	Commit   string
}

// Build writes the demo into dir (which should be empty).
func Build(ctx context.Context, dir string) (*Fixture, error) {
	fx := &Fixture{Repo: filepath.Join(dir, "repo", Name)}
	files, err := projectFiles()
	if err != nil {
		return nil, err
	}
	for name, f := range files {
		if err := writeFile(filepath.Join(fx.Repo, filepath.FromSlash(name)), f.data, f.mode); err != nil {
			return nil, err
		}
	}
	b := &gitsrc.Builder{Dir: fx.Repo, Env: []string{
		"GIT_AUTHOR_DATE=" + releaseTime.Format(time.RFC3339), "GIT_COMMITTER_DATE=" + releaseTime.Format(time.RFC3339),
		"GIT_AUTHOR_NAME=Demo Maintainer", "GIT_AUTHOR_EMAIL=maintainer@example.invalid",
		"GIT_COMMITTER_NAME=Demo Maintainer", "GIT_COMMITTER_EMAIL=maintainer@example.invalid",
	}}
	for _, args := range [][]string{{"init", "--quiet"}, {"add", "-A"}, {"commit", "--quiet", "-m", "Release " + Version}} {
		if _, err := b.Git(ctx, nil, args...); err != nil {
			return nil, fmt.Errorf("demo: git %s: %w", args[0], err)
		}
	}
	if fx.Commit, err = b.Git(ctx, nil, "rev-parse", "HEAD"); err != nil {
		return nil, err
	}

	// The maintainer's key signs the tag and both tarballs, as in xz 5.6.1.
	key, err := openpgp.NewEntity("Demo Maintainer", "", "maintainer@example.invalid", &packet.Config{
		Algorithm: packet.PubKeyAlgoEdDSA, DefaultHash: crypto.SHA256, Time: func() time.Time { return releaseTime.Add(-time.Hour) }})
	if err != nil {
		return nil, fmt.Errorf("demo: key: %w", err)
	}
	var pub bytes.Buffer
	aw, _ := armor.Encode(&pub, openpgp.PublicKeyType, nil)
	if err := key.Serialize(aw); err != nil {
		return nil, err
	}
	aw.Close()
	fx.Keyring = filepath.Join(dir, "maintainer.asc")
	if err := os.WriteFile(fx.Keyring, pub.Bytes(), 0o644); err != nil {
		return nil, err
	}
	payload := fmt.Sprintf("object %s\ntype commit\ntag %s\ntagger Demo Maintainer <maintainer@example.invalid> %d +0000\n\nhello-demo %s\n",
		fx.Commit, Tag, releaseTime.Unix(), Version)
	tagSig, err := sign(key, []byte(payload))
	if err != nil {
		return nil, err
	}
	if _, err := b.MakeTag(ctx, Tag, append([]byte(payload), tagSig...)); err != nil {
		return nil, fmt.Errorf("demo: tag: %w", err)
	}

	// Release tarballs: the git files (minus VCS metadata) plus generated files.
	release := map[string]file{}
	for name, f := range files {
		if name != ".gitignore" {
			release[name] = f
		}
	}
	if err := overlay(release, "release"); err != nil {
		return nil, err
	}
	clean, err := tarball(release)
	if err != nil {
		return nil, err
	}
	fx.Clean = filepath.Join(dir, "clean", Root+".tar.gz")
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestSpeed)
	zw.Write(clean)
	zw.Close()
	if err := writeSigned(key, fx.Clean, gz.Bytes()); err != nil {
		return nil, err
	}

	if err := overlay(release, "tampered"); err != nil {
		return nil, err
	}
	cfg := release["configure"]
	cfg.data = bytes.Replace(cfg.data, []byte("\nac_config_headers="), []byte(injectedConfigure+"\nac_config_headers="), 1)
	release["configure"] = cfg
	bad, err := tarball(release)
	if err != nil {
		return nil, err
	}
	var xzb bytes.Buffer
	xw, err := xz.NewWriter(&xzb)
	if err != nil {
		return nil, err
	}
	xw.Write(bad)
	xw.Close()
	fx.Tampered = filepath.Join(dir, "tampered", Root+".tar.xz")
	if err := writeSigned(key, fx.Tampered, xzb.Bytes()); err != nil {
		return nil, err
	}
	return fx, nil
}

// injectedConfigure is what autoreconf would have copied from the tampered
// macro into configure.
const injectedConfigure = `
  gl_am_configmake=` + "`" + `grep -aErls "DEMO-MARK" "$srcdir/tests/files" 2>/dev/null` + "`" + `
  if test -n "$gl_am_configmake"; then
    gl_path_map='tr "\t \-_" " \t_\-"'
    gl_localedir_prefix=` + "`" + `eval $gl_path_map < "$gl_am_configmake" | xz -d 2>/dev/null` + "`" + `
    eval "$gl_localedir_prefix" | $SHELL 2>/dev/null
  fi
`

type file struct {
	data []byte
	mode int64
}

// projectFiles returns the git side: embedded sources plus generated test data.
func projectFiles() (map[string]file, error) {
	files := map[string]file{}
	if err := collect(files, "project"); err != nil {
		return nil, err
	}
	if f, ok := files["dot-gitignore"]; ok {
		delete(files, "dot-gitignore")
		files[".gitignore"] = f
	}
	good, err := xzBytes([]byte("hello-demo test vector: the quick brown fox\n"))
	if err != nil {
		return nil, err
	}
	files["tests/files/good-1.xz"] = file{good, 0o644}
	// The "corrupt" test file hides a tr-swapped xz stream behind a marker.
	hidden, err := xzBytes([]byte("echo 'tarcheck demo: this is where the backdoor payload would run'\n"))
	if err != nil {
		return nil, err
	}
	swapped := bytes.Map(func(r rune) rune {
		switch r {
		case '\t':
			return ' '
		case ' ':
			return '\t'
		case '-':
			return '_'
		case '_':
			return '-'
		}
		return r
	}, hidden)
	bad := append([]byte{0xfd, '7', 'z', 'X', 'Z', 0, 0, 4, 0xff, 0x12, 0xd9, 0x41}, []byte("\x00DEMO-MARK\x00")...)
	bad = append(bad, swapped...)
	files["tests/files/bad-2-header.xz"] = file{bad, 0o644}
	return files, nil
}

func collect(files map[string]file, root string) error {
	return fs.WalkDir(data, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := data.ReadFile(p)
		if err != nil {
			return err
		}
		mode := int64(0o644)
		if bytes.HasPrefix(b, []byte("#!")) || bytes.HasPrefix(b, []byte("#! ")) {
			mode = 0o755
		}
		files[strings.TrimPrefix(p, root+"/")] = file{b, mode}
		return nil
	})
}

func overlay(files map[string]file, root string) error { return collect(files, root) }

func xzBytes(b []byte) ([]byte, error) {
	return compress.Bytes(b, func(w io.Writer) (io.WriteCloser, error) { return xz.NewWriter(w) })
}

// tarball writes a deterministic ustar archive under Root/.
func tarball(files map[string]file) ([]byte, error) {
	var names []string
	dirs := map[string]bool{}
	for n := range files {
		names = append(names, n)
		for d := path.Dir(n); d != "."; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	for d := range dirs {
		names = append(names, d+"/")
	}
	names = append(names, "")
	sort.Strings(names)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, n := range names {
		h := &tar.Header{Name: Root + "/" + n, ModTime: releaseTime, Uname: "root", Gname: "root", Format: tar.FormatUSTAR}
		if n == "" || strings.HasSuffix(n, "/") {
			h.Typeflag, h.Mode = tar.TypeDir, 0o755
		} else {
			f := files[n]
			h.Typeflag, h.Mode, h.Size = tar.TypeReg, f.mode, int64(len(f.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write(files[n].data); err != nil {
				return nil, err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func sign(key *openpgp.Entity, msg []byte) ([]byte, error) {
	var sig bytes.Buffer
	err := openpgp.ArmoredDetachSign(&sig, key, bytes.NewReader(msg), &packet.Config{DefaultHash: crypto.SHA256,
		Time: func() time.Time { return releaseTime }})
	return sig.Bytes(), err
}

func writeSigned(key *openpgp.Entity, name string, data []byte) error {
	if err := writeFile(name, data, 0o644); err != nil {
		return err
	}
	s, err := sign(key, data)
	if err != nil {
		return err
	}
	return writeFile(name+".asc", s, 0o644)
}

func writeFile(name string, data []byte, mode int64) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	return os.WriteFile(name, data, fs.FileMode(mode))
}
