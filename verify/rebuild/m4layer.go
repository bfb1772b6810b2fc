package rebuild

import (
	"bytes"
	"encoding/hex"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tarcheck/tarcheck/autotools/origindb"
	"github.com/tarcheck/tarcheck/sandbox"
)

// hostAclocalDir is the system macro directory aclocal searches in the
// sandbox: the host's /usr/share/aclocal (tests point it elsewhere).
var hostAclocalDir = "/usr/share/aclocal"

// toolchainM4Projects are the projects whose m4 files the toolchain itself
// provides (aclocal's own directory, libtoolize, autopoint): their copies
// are proved by the toolchain, never laid from the release.
var toolchainM4Projects = map[string]bool{"autoconf": true, "automake": true, "libtool": true, "gettext": true}

// systemM4 is an m4 file the release's aclocal.m4 embeds that aclocal
// copied from the maintainer's system macro directory.
type systemM4 struct {
	name    string // upstream file name ("ax_code_coverage.m4")
	origin  string // what proves it ("autoconf-archive 2019.01.06 m4/ax_code_coverage.m4")
	content []byte
}

// provedSystemM4 returns the sections of the release's aclocal.m4 that are
// byte for byte a known upstream m4 file of a project other than the
// toolchain's own (autoconf-archive, pkgconf, pkg-config, gtk-doc,
// gnulib...), once per file name, in order.
func provedSystemM4(aclocal []byte, db originLookup) []systemM4 {
	if db == nil || len(aclocal) == 0 {
		return nil
	}
	lines := strings.Split(strings.TrimSuffix(string(aclocal), "\n"), "\n")
	var out []systemM4
	seen := map[string]bool{}
	for _, s := range knownM4Sections(lines, db) {
		if s.toolchain || toolchainM4Projects[s.project] || seen[s.file] || s.file == "aclocal.m4" || !strings.HasSuffix(s.file, ".m4") {
			continue
		}
		seen[s.file] = true
		out = append(out, systemM4{name: s.file, origin: s.origin, content: []byte(strings.Join(lines[s.first:s.end], "\n") + "\n")})
	}
	return out
}

// sandboxAclocalFile returns the content of name as aclocal finds it in
// the sandbox's /usr/share/aclocal: the topmost toolchain layer that has
// it, else the host's (nil when none).
func (b *rebuilder) sandboxAclocalFile(name string) []byte {
	if b.tc != nil {
		for _, l := range b.tc.Layers {
			if c, err := os.ReadFile(filepath.Join(l, "share", "aclocal", name)); err == nil {
				return c
			}
		}
	}
	host := filepath.Join(hostAclocalDir, name)
	if name == "pkg.m4" {
		host = hostPkgM4Path
	}
	c, err := os.ReadFile(host)
	if err != nil {
		return nil
	}
	return c
}

// systemM4Layer lays over /usr/share/aclocal, under its upstream file name,
// every m4 file the release's aclocal.m4 embeds (aclocal copied it from the
// maintainer's system macro directory: autoconf-archive's
// ax_code_coverage.m4, pkgconf's pkg.m4, ...) that is byte for byte a known
// upstream copy (the origin database) and that the sandbox does not have
// with those bytes. A copy is proved by its blob id, so it is an input like
// a toolchain file, never a laundered one: the release only chooses among
// known upstream files, and an edited copy matches none and stays out
// (what it feeds stays not proved, lackedSystemMacros). The toolchain's
// own files (automake, autoconf, libtool, gettext) are never laid. It
// returns the part of the result cache key it adds ("" when it did
// nothing).
func (b *rebuilder) systemM4Layer(db originLookup) string {
	if b.tc == nil || len(b.tc.Layers) >= sandbox.MaxOverlayLayers || db == nil {
		return ""
	}
	var laid []systemM4
	for _, m := range provedSystemM4(b.releaseAclocal, db) {
		if bytes.Equal(b.sandboxAclocalFile(m.name), m.content) {
			continue // the sandbox already has these bytes
		}
		laid = append(laid, m)
	}
	if len(laid) == 0 {
		return ""
	}
	files := map[string][]byte{}
	for _, m := range laid {
		files[m.name] = m.content
	}
	if !b.layAclocal("system-aclocal", files) {
		return ""
	}
	var names, key []string
	for _, m := range laid {
		names = append(names, m.name+" ("+m.origin+")")
		key = append(key, m.name+" "+hex.EncodeToString(origindb.BlobID(m.content)))
		if m.name == "pkg.m4" {
			b.pkgM4Foreign = false
		}
		b.systemLaid = append(b.systemLaid, m.name)
	}
	b.info.Notes = append(b.info.Notes, "system macros the release's aclocal.m4 embeds byte for byte, known upstream copies "+
		"(the maintainer's /usr/share/aclocal, not in the tag), laid over /usr/share/aclocal: "+strings.Join(names, "; "))
	b.logf("rebuild: system macros over /usr/share/aclocal: %s", strings.Join(names, "; "))
	slices.Sort(key)
	return "\nsystem-m4 " + strings.Join(key, " ")
}

// layAclocal writes files (name → content) into share/aclocal of a new
// overlay layer, the directory dir beside the rebuild tree, and puts that
// layer over the toolchain's (gettextM4Layer, systemM4Layer). It reports
// false, leaving the toolchain as it was, when a write fails.
func (b *rebuilder) layAclocal(dir string, files map[string][]byte) bool {
	layer := filepath.Join(filepath.Dir(b.dir), dir)
	for _, n := range slices.Sorted(maps.Keys(files)) {
		dst := filepath.Join(layer, "share", "aclocal", n)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return false
		}
		if err := os.WriteFile(dst, files[n], 0o644); err != nil {
			return false
		}
	}
	tc := *b.tc
	tc.Layers = append([]string{layer}, b.tc.Layers...)
	b.tc = &tc
	return true
}
