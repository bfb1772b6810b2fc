package rebuild

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ulikunitz/xz"

	"github.com/tarcheck/tarcheck/internal/limits"
	"github.com/tarcheck/tarcheck/sandbox"
	"github.com/tarcheck/tarcheck/toolchain"
)

// A release whose configure.ac uses gettext macros that its m4 directory
// does not hold gets them from the maintainer's system aclocal directory:
// aclocal embeds them in aclocal.m4 ("# intlmacosx.m4 serial 5
// (gettext-0.18.2)", libgpg-error 1.46), and the sandbox's own gettext
// (another series) embeds other text. autopoint carries the m4 files of
// every gettext release in its archive, so the rebuild lays the files of
// the newest gettext release whose copies the release's aclocal.m4
// contains byte for byte over /usr/share/aclocal. They come from the
// verified autopoint package, never from the tarball; the release only
// chooses among known upstream versions.

// gettextEmbeddedRE finds the first line of an m4 file of gettext embedded
// in aclocal.m4.
var gettextEmbeddedRE = lazyRegexp(`(?m)^# ([A-Za-z0-9_.+-]+\.m4) serial [0-9]+ \(gettext-([0-9]+(?:\.[0-9]+)*)\)`)

// embeddedM4RE finds the first line of any serial-numbered m4 file.
var embeddedM4RE = lazyRegexp(`(?m)^# ([A-Za-z0-9_.+-]+\.m4) serial [0-9]`)

// maxGettextArchiveFile caps one file read from autopoint's archive.
const maxGettextArchiveFile = limits.RebuildMaxGettextArchiveFile

// gettextEmbedded returns the gettext m4 files embedded in a release's
// aclocal.m4 (not m4_include'd) and the newest gettext version they name,
// or nil.
func gettextEmbedded(aclocal []byte) (names []string, version string) {
	included := map[string]bool{}
	for _, rel := range m4Includes(aclocal) {
		included[path.Base(rel)] = true
	}
	for _, m := range gettextEmbeddedRE().FindAllSubmatch(aclocal, -1) {
		name, v := string(m[1]), string(m[2])
		if included[name] || slices.Contains(names, name) {
			continue
		}
		names = append(names, name)
		if version == "" || toolchain.CompareVersions(v, version) > 0 {
			version = v
		}
	}
	return names, version
}

// gettextM4Match chooses, among the gettext releases of autopoint's
// archive (version -> m4 file name -> content), the newest one that has
// every file of want and whose copy of each serial-numbered m4 file the
// release's aclocal.m4 embeds is contained in it byte for byte. It returns
// the version and the files to lay over /usr/share/aclocal (those the
// release embeds), or "".
func gettextM4Match(aclocal []byte, want []string, versions map[string]map[string][]byte) (string, map[string][]byte) {
	embedded := map[string]bool{}
	for _, m := range embeddedM4RE().FindAllSubmatch(aclocal, -1) {
		embedded[string(m[1])] = true
	}
	vs := make([]string, 0, len(versions))
	for v := range versions {
		vs = append(vs, v)
	}
	slices.SortFunc(vs, func(a, b string) int { return toolchain.CompareVersions(b, a) })
next:
	for _, v := range vs {
		files := map[string][]byte{}
		for name, content := range versions[v] {
			if !embedded[name] {
				continue
			}
			if !bytes.Contains(aclocal, content) {
				continue next
			}
			files[name] = content
		}
		for _, name := range want {
			if files[name] == nil {
				continue next
			}
		}
		return v, files
	}
	return "", nil
}

// readGettextArchive reads the m4 files named by embedded (base names)
// from autopoint's archive.dir.tar.xz: version -> name -> content.
func readGettextArchive(file string, embedded map[string]bool) (map[string]map[string][]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := xz.NewReader(f)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string][]byte{}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		dir, name := path.Split(strings.TrimPrefix(h.Name, "./"))
		v, ok := strings.CutPrefix(strings.TrimSuffix(dir, "/"), "gettext-")
		if !ok || h.Typeflag != tar.TypeReg || !embedded[name] || h.Size > maxGettextArchiveFile {
			continue
		}
		v, ok = strings.CutSuffix(v, "/m4")
		if !ok || strings.Contains(v, "/") {
			continue
		}
		content, err := io.ReadAll(io.LimitReader(tr, maxGettextArchiveFile))
		if err != nil {
			return nil, err
		}
		if out[v] == nil {
			out[v] = map[string][]byte{}
		}
		out[v][name] = content
	}
}

// gettextArchive is where an autopoint package keeps the gettext releases.
const gettextArchive = "share/gettext/archive.dir.tar.xz"

// gettextM4Layer lays the gettext m4 files the release's aclocal.m4 embeds
// over /usr/share/aclocal (see above) and returns the part of the result
// cache key it adds ("" when it did nothing).
func (b *rebuilder) gettextM4Layer() string {
	if b.tc == nil || b.releaseGettextM4 == nil {
		return ""
	}
	archiveFile := ""
	for _, l := range b.tc.Layers {
		if fi, err := os.Stat(filepath.Join(l, gettextArchive)); err == nil && fi.Mode().IsRegular() {
			archiveFile = filepath.Join(l, gettextArchive)
			break
		}
	}
	if archiveFile == "" || len(b.tc.Layers) >= sandbox.MaxOverlayLayers {
		return ""
	}
	embedded := map[string]bool{}
	for _, m := range embeddedM4RE().FindAllSubmatch(b.releaseAclocal, -1) {
		embedded[string(m[1])] = true
	}
	versions, err := readGettextArchive(archiveFile, embedded)
	if err != nil {
		b.logf("rebuild: reading %s: %v", archiveFile, err)
		return ""
	}
	v, files := gettextM4Match(b.releaseAclocal, b.releaseGettextM4, versions)
	if v == "" {
		b.info.Notes = append(b.info.Notes, "the release's aclocal.m4 embeds gettext macros ("+strings.Join(b.releaseGettextM4, ", ")+
			") of no gettext release autopoint carries: the sandbox's own are used")
		return ""
	}
	if !b.layAclocal("gettext-aclocal", files) {
		return ""
	}
	names := slices.Sorted(maps.Keys(files))
	b.info.Notes = append(b.info.Notes, "gettext "+v+"'s "+strings.Join(names, ", ")+" (from autopoint's archive) laid over /usr/share/aclocal: "+
		"the release's aclocal.m4 embeds them byte for byte (the maintainer's system macros, not in the tag)")
	b.logf("rebuild: gettext %s macros over /usr/share/aclocal: %s", v, strings.Join(names, ", "))
	return "\ngettext-m4 " + v + " " + strings.Join(names, " ")
}

// tcNeedsGettextArchive reports whether the stamps select no gettext yet
// (a gettext stamp already brings an autopoint with the archive).
func (b *rebuilder) tcNeedsGettextArchive(stamps []toolchain.Stamp) bool {
	return !slices.ContainsFunc(stamps, func(s toolchain.Stamp) bool { return toolchainTools["gettext"] == s.Generator })
}
