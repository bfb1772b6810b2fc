package rebuild

import (
	"encoding/hex"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/tarcheck/tarcheck/autotools/origindb"
	"github.com/tarcheck/tarcheck/sandbox"
)

// pkgM4Layer lays the release's own pkg.m4 over /usr/share/aclocal when
// the release's aclocal.m4 embeds one the sandbox lacks (pkgM4Foreign)
// and that copy is byte for byte a known upstream pkg.m4 (pkgconf's and
// pkg-config's histories and packages in the origin database): aclocal
// copied it from the maintainer's system, and Debian serves no package of
// that version (datamash 1.9 embeds pkgconf 2.3.0's). The copy is proved
// by its blob id, so it is an input like a toolchain file, never a
// laundered one; an embedded pkg.m4 that matches no known copy stays out
// and what it feeds stays not proved. It returns the part of the result
// cache key it adds ("" when it did nothing).
func (b *rebuilder) pkgM4Layer(db originLookup) string {
	if b.tc == nil || !b.pkgM4Foreign || len(b.tc.Layers) >= sandbox.MaxOverlayLayers || db == nil {
		return ""
	}
	content, origin := knownPkgM4(b.releaseAclocal, db)
	if content == nil {
		return ""
	}
	layer := filepath.Join(filepath.Dir(b.dir), "pkg-aclocal")
	dst := filepath.Join(layer, "share", "aclocal", "pkg.m4")
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return ""
	}
	if err := os.WriteFile(dst, content, 0o644); err != nil {
		return ""
	}
	tc := *b.tc
	tc.Layers = append([]string{layer}, b.tc.Layers...)
	b.tc = &tc
	b.pkgM4Foreign = false
	b.info.Notes = append(b.info.Notes, "the release's pkg.m4 ("+origin+", a known upstream copy embedded byte for byte in its aclocal.m4: "+
		"the maintainer's system macros, not in the tag) laid over /usr/share/aclocal")
	b.logf("rebuild: pkg.m4 of %s over /usr/share/aclocal", origin)
	return "\npkg-m4 " + hex.EncodeToString(origindb.BlobID(content))
}

// knownPkgM4 returns the pkg.m4 that aclocal embeds in aclocal, with the
// origin that proves it, when its bytes are a known upstream pkg.m4.
func knownPkgM4(aclocal []byte, db originLookup) ([]byte, string) {
	if !hasPkgM4(aclocal) {
		return nil, ""
	}
	lines := strings.Split(strings.TrimSuffix(string(aclocal), "\n"), "\n")
	for _, s := range knownM4Sections(lines, db) {
		f := strings.Fields(s.origin)
		if len(f) == 0 || path.Base(f[len(f)-1]) != "pkg.m4" {
			continue
		}
		content := []byte(strings.Join(lines[s.first:s.end], "\n") + "\n")
		if hasPkgM4(content) {
			return content, s.origin
		}
	}
	return nil, ""
}
