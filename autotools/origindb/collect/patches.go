package collect

import (
	"bytes"
	"context"
	"path"
	"strconv"
	"strings"
)

// Distributions patch the autotools they ship, and release managers who
// run `make dist` on such a system copy the patched helpers into their
// tarballs: flac 1.4.2's ltmain.sh carries MSYS2's libtool patches,
// findutils' test-driver a distribution's automake fix. The patch sets of
// a distribution's packaging repository (msys2/MSYS2-packages,
// msys2/MINGW-packages, a Debian source package's debian/patches) are
// public, reviewed code: their added lines join the helpers' vocabulary,
// so a helper patched by them is a known recombination (medium), not
// unexplained lines (high).

// patchToolDirs are the names a packaging directory of the helpers' tools
// contains (mingw-w64-libtool/, automake1.16/, autoconf2.71/, gettext/,
// debian/patches of a source package named so).
var patchToolDirs = []string{"libtool", "automake", "autoconf", "gettext", "config", "texinfo"}

// patchPathspecs select the patch files of the tools' packaging
// directories, at any depth.
func patchPathspecs() []string {
	var out []string
	for _, d := range patchToolDirs {
		for _, ext := range []string{"patch", "diff"} {
			out = append(out, ":(glob)*"+d+"*/**/*."+ext, ":(glob)**/*"+d+"*/**/*."+ext)
		}
	}
	return out
}

// PatchAdditions parses a unified diff (a patch series file, with or
// without a mail header) and returns, per helper it patches (by the path
// after "+++ ", VocabHelper's mapping), the lines it adds. Hunks are read
// by their line counts, so an added line that itself starts with "++" is
// not taken for a file header. Files that are not copied helpers are left
// out.
func PatchAdditions(content []byte) map[string][][]byte {
	out := map[string][][]byte{}
	helper := ""
	oldLeft, newLeft := 0, 0
	for _, l := range bytes.Split(content, []byte("\n")) {
		if oldLeft > 0 || newLeft > 0 {
			switch {
			case len(l) == 0 || l[0] == ' ':
				oldLeft--
				newLeft--
			case l[0] == '-':
				oldLeft--
			case l[0] == '+':
				newLeft--
				if helper != "" {
					out[helper] = append(out[helper], l[1:])
				}
			case l[0] == '\\':
				// "\ No newline at end of file"
			default:
				oldLeft, newLeft = 0, 0
			}
			continue
		}
		switch {
		case bytes.HasPrefix(l, []byte("+++ ")):
			target, _, _ := strings.Cut(strings.TrimSpace(string(l[4:])), "\t")
			var isDiff bool
			helper, isDiff = VocabHelper(strings.TrimPrefix(path.Clean(target), "b/"))
			if isDiff {
				helper = "" // a patch of a patch adds no helper line
			}
		case bytes.HasPrefix(l, []byte("@@ ")):
			oldLeft, newLeft = hunkCounts(string(l))
		}
	}
	return out
}

// hunkCounts reads the old and new line counts of a hunk header
// "@@ -a,b +c,d @@" (a count left out is 1).
func hunkCounts(h string) (int, int) {
	f := strings.Fields(h)
	if len(f) < 3 {
		return 0, 0
	}
	count := func(r string) int {
		_, c, ok := strings.Cut(r, ",")
		if !ok {
			return 1
		}
		n, err := strconv.Atoi(c)
		if err != nil || n < 0 {
			return 0
		}
		return n
	}
	return count(f[1]), count(f[2])
}

// VocabPatchesGit adds the lines that every version of every patch file of
// the tools' packaging directories (patchToolDirs) in the history of the
// repository at dir adds to a copied helper. It returns how many patch
// versions contributed lines.
func VocabPatchesGit(ctx context.Context, b HelperSink, dir string) (int, error) {
	return countHistory(ctx, dir, patchPathspecs(), func(_ string, content []byte) bool {
		if len(content) > MaxFileSize || bytes.IndexByte(content, 0) >= 0 {
			return false
		}
		added := PatchAdditions(content)
		for h, lines := range added {
			b.AddLines(h, lines)
		}
		return len(added) > 0
	})
}
