package rebuild

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/tarcheck/tarcheck/verify/archive"
	"github.com/tarcheck/tarcheck/verify/report"
)

// Upstream tells which inputs the tarball adds are proved: identical to a
// known upstream copy (the origin database, the m4 baseline, the pinned
// gnulib commit). The spine implements it.
type Upstream interface {
	// Proved returns the origin of content when it is byte-identical to a
	// known upstream copy of a file named like rel ("gnulib 2024-01-01").
	Proved(rel string, content []byte) (origin string, ok bool)
	// Closest returns the content of the known upstream copy closest to
	// content, and its origin; nil when no content is available.
	Closest(rel string, content []byte) (upstream []byte, origin string)
}

// versionFileRE is what a .tarball-version or .version may hold: one version.
var versionFileRE = lazyRegexp(`^[0-9A-Za-z][0-9A-Za-z.+~_-]{0,63}\n?$`)

// copyInputs writes the inputs that exist only in the tarball (m4 macro
// files that bootstrap tools copied in upstream, version files) into the
// export, but never launders one: an m4 file is used only when it is
// proved; an unproved one is replaced by its closest known upstream copy
// (or left out), so that whatever it injected shows up as a difference in
// the outputs. Version files are used when they hold one version string.
func (b *rebuilder) copyInputs(ctx context.Context) error {
	want := map[string]bool{}
	for rel, t := range b.cmp.Members {
		// A gnulib bootstrap writes the m4 files itself (gnulib-tool,
		// autopoint, libtoolize): only version files are inputs then.
		if t.Status == report.OnlyInTarball && !t.Stray && isReleaseInput(rel) && (!b.bootstrap || releaseInputs[rel]) || rel == "configure" || rel == "aclocal.m4" {
			want[rel] = true
		}
	}
	if len(want) == 0 {
		return nil
	}
	var skipped []string
	err := b.cmp.Read(ctx, maxReleaseInputBytes, func(rel string, e *archive.Entry) bool {
		return e.Type == archive.TypeRegular && want[rel] && !b.copied[rel] && b.cmp.Members[rel].ID == e.BlobID
	}, func(rel string, e *archive.Entry) error {
		if rel == "aclocal.m4" {
			b.pkgM4Foreign = foreignPkgM4(e.Content, hostPkgM4Path)
			b.releaseIncludes = m4Includes(e.Content)
			b.releaseAclocal = bytes.Clone(e.Content) // e.Content is reused for the next member
			b.releaseGettextM4, b.releaseGettext = gettextEmbedded(e.Content)
			return nil
		}
		if rel == "configure" {
			b.runstatedir = e.Content != nil && strings.Contains(string(e.Content), "--runstatedir")
			b.upstreamLargefile = upstreamLargefile(e.Content)
			b.releaseDebianPython = bytes.Contains(e.Content, []byte(debianPythonMarker))
			b.releaseUpstreamPython = !b.releaseDebianPython && bytes.Contains(e.Content, []byte(amPathPythonMarker))
			if t := b.cmp.Members[rel]; t.Status != report.OnlyInTarball || !isReleaseInput(rel) {
				return nil
			}
		}
		if e.Content == nil {
			skipped = append(skipped, rel+" (too large)")
			return nil
		}
		content, use := b.proveInput(rel, e.Content)
		if content == nil {
			return nil
		}
		mode := fs.FileMode(0o644)
		if e.GitMode == archive.GitModeExec {
			mode = 0o755
		}
		if err := writeNoFollow(b.root, rel, content, mode); err != nil {
			skipped = append(skipped, rel+" ("+err.Error()+")")
			return nil
		}
		b.copied[rel] = true
		b.inputIDs = append(b.inputIDs, fmt.Sprintf("%s %x %s", rel, blobID(content, b.in.ObjectFormat), use))
		return nil
	})
	if err != nil {
		return archiveError(ctx, err)
	}
	if len(skipped) > 0 {
		sort.Strings(skipped)
		b.info.Notes = append(b.info.Notes, "inputs in the tarball not used in the rebuild: "+listSome(skipped))
	}
	sort.Strings(b.info.InputsProved)
	sort.Strings(b.info.InputsReplaced)
	if len(b.info.InputsReplaced) > 0 {
		b.info.Notes = append(b.info.Notes, "inputs the tarball adds that match no known upstream copy were replaced by their closest "+
			"upstream copy or left out (inputs_replaced): whatever they inject shows up as a difference in the outputs")
	}
	return nil
}

// proveInput decides what of a tarball-only input the rebuild may use: the
// content itself when proved, the closest upstream copy, or nil (left out).
func (b *rebuilder) proveInput(rel string, content []byte) ([]byte, string) {
	if releaseInputs[rel] {
		if versionFileRE().Match(content) {
			return content, "version"
		}
		b.info.InputsReplaced = append(b.info.InputsReplaced, rel+" (left out: not a single version string)")
		return nil, ""
	}
	if b.in.Upstream != nil {
		if origin, ok := b.in.Upstream.Proved(rel, content); ok {
			b.info.InputsProved = append(b.info.InputsProved, rel+" ("+origin+")")
			return content, "proved"
		}
		if up, origin := b.in.Upstream.Closest(rel, content); up != nil {
			b.info.InputsReplaced = append(b.info.InputsReplaced, rel+" (replaced by "+origin+")")
			return up, "replaced"
		}
	}
	b.info.InputsReplaced = append(b.info.InputsReplaced, rel+" (left out: no known upstream copy)")
	return nil, ""
}

// isReleaseInput reports whether a tarball-only path is an input of the
// regeneration: an m4 macro file (not aclocal.m4, which is an output) or a
// version file.
func isReleaseInput(rel string) bool {
	base := path.Base(rel)
	return releaseInputs[rel] || strings.HasSuffix(base, ".m4") && base != "aclocal.m4"
}
