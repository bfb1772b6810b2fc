package explain

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/tarcheck/tarcheck/verify/report"
)

// The files meson writes from the tag's wraps while a test suite runs are
// proved by the wrap they name; a hash of another wrap, a hash in another
// directory, a redirect to a wrap the tag lacks or out of the tree are not.
func TestProveMesonWrapFiles(t *testing.T) {
	wrap := "[wrap-file]\ndirectory = foo-1.0-patchfile\n\nsource_filename = foo-1.0.tar.xz\n"
	other := "[wrap-file]\ndirectory = other\n"
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) + "\n" }
	tree := map[string]string{
		"t/subprojects/patchfile.wrap":              wrap,
		"t/subprojects/other.wrap":                  other,
		"u/subprojects/sub/subprojects/subsub.wrap": "[wrap-file]\ndirectory = subsub-1.0\n",
		"u/meson.build":                             "project('u')\n",
	}
	tarball := map[string]string{
		"t/subprojects/foo-1.0-patchfile/" + mesonWrapHash: sum(wrap),
		"t/subprojects/wrong-dir/" + mesonWrapHash:         sum(wrap),
		"t/subprojects/other/" + mesonWrapHash:             sum(other + "x"),
		"u/subprojects/subsub.wrap":                        "[wrap-redirect]\nfilename = sub/subprojects/subsub.wrap\n",
		"u/subprojects/missing.wrap":                       "[wrap-redirect]\nfilename = sub/subprojects/missing.wrap\n",
		"u/subprojects/up.wrap":                            "[wrap-redirect]\nfilename = ../subprojects/up.wrap\n",
	}
	for p, c := range tree {
		tarball[p] = c
	}
	_, files := explainRelease(t, tarball, tree, Input{Origins: emptyDB()})
	o := wantOrigin(t, files, "t/subprojects/foo-1.0-patchfile/"+mesonWrapHash, report.OriginTag, "t/subprojects/patchfile.wrap")
	if o.Transform != TransformWrapHash {
		t.Errorf("hash: transform %q", o.Transform)
	}
	o = wantOrigin(t, files, "u/subprojects/subsub.wrap", report.OriginTag, "u/subprojects/sub/subprojects/subsub.wrap")
	if o.Transform != TransformWrapRedirect {
		t.Errorf("redirect: transform %q", o.Transform)
	}
	for _, rel := range []string{"t/subprojects/wrong-dir/" + mesonWrapHash, "t/subprojects/other/" + mesonWrapHash,
		"u/subprojects/missing.wrap", "u/subprojects/up.wrap"} {
		if f := files[rel]; f.Origin != nil || f.Severity < report.SevMedium {
			t.Errorf("%s: %+v origin %+v, want unproved", rel, f, f.Origin)
		}
	}
}

func TestRedirectForm(t *testing.T) {
	for f, want := range map[string]bool{
		"sub/subprojects/x.wrap": true, "a/subprojects/b/subprojects/x.wrap": true,
		"x.wrap": false, "sub/other/x.wrap": false, "../subprojects/x.wrap": false, "/a/subprojects/x.wrap": false,
		"a/subprojects/b/x.wrap": false, "a//subprojects/x.wrap": false,
	} {
		if got := redirectForm(f); got != want {
			t.Errorf("redirectForm(%q) = %v, want %v", f, got, want)
		}
	}
}
