package explain

import (
	"bytes"
	"strings"
	"testing"
)

func TestApplyPatch(t *testing.T) {
	orig := "a\nb\nc\nd\ne\nf\ng\nh\n"
	for _, tc := range []struct {
		name, diff, want string
		err              bool
	}{
		{"replace", "--- a/x\n+++ b/x\n@@ -2,3 +2,3 @@\n b\n-c\n+C\n d\n", "a\nb\nC\nd\ne\nf\ng\nh\n", false},
		{"offset", "@@ -1,3 +1,3 @@\n e\n-f\n+F\n g\n", "a\nb\nc\nd\ne\nF\ng\nh\n", false},
		{"insert at top", "@@ -0,0 +1,1 @@\n+top\n", "top\n" + orig, false},
		{"insert after 8", "@@ -8,0 +9,1 @@\n+end\n", orig + "end\n", false},
		{"two hunks", "@@ -1,2 +1,2 @@\n-a\n+A\n b\n@@ -7,2 +7,3 @@\n g\n h\n+i\n", "A\nb\nc\nd\ne\nf\ng\nh\ni\n", false},
		{"delete", "@@ -4,1 +3,0 @@\n-d\n", "a\nb\nc\ne\nf\ng\nh\n", false},
		{"no newline at end", "@@ -8 +8 @@\n-h\n+H\n\\ No newline at end of file\n", "a\nb\nc\nd\ne\nf\ng\nH", false},
		{"stripped empty context line, fuzz 2 as patch(1)", "@@ -1,3 +1,3 @@\n a\n\n-c\n+C\n", "a\nb\nC\nd\ne\nf\ng\nh\n", false},
		{"context mismatch", "@@ -2,3 +2,3 @@\n b\n-x\n+C\n d\n", "", true},
		{"no hunk", "--- a/x\n+++ b/x\n", "", true},
		{"short hunk", "@@ -2,3 +2,3 @@\n b\n-c\n", "", true},
		{"bad header", "@@ -a +b @@\n", "", true},
		{"two files", "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+A\n--- a/y\n+++ b/y\n@@ -1 +1 @@\n-a\n+A\n", "", true},
		{"out of order", "@@ -5,1 +5,1 @@\n-e\n+E\n@@ -1,1 +1,1 @@\n-a\n+A\n", "", true},
	} {
		got, err := ApplyPatch([]byte(orig), []byte(tc.diff))
		if (err != nil) != tc.err || !tc.err && string(got) != tc.want {
			t.Errorf("%s: got %q, %v; want %q (error %v)", tc.name, got, err, tc.want, tc.err)
		}
	}
}

// The license rewrites of gnulib-tool, redone and undone.
func TestLicenseRewrites(t *testing.T) {
	lgpl21 := "   under the terms of the GNU Lesser General Public License as published by\n   the Free Software Foundation; either version 2.1 of the License, or\n"
	gpl := string(licenseRewrites[0].apply([]byte(lgpl21)))
	if want := "   under the terms of the GNU General Public License as published by\n   the Free Software Foundation; either version 3 of the License, or\n"; gpl != want {
		t.Errorf("GPL rewrite: %q", gpl)
	}
	found := false
	for _, c := range licenseRewrites[0].undo([]byte(gpl)) {
		found = found || string(c) == lgpl21
	}
	if !found {
		t.Error("undo of the GPL rewrite misses the LGPLv2.1+ original")
	}
	if got := string(licenseRewrites[1].apply([]byte("#ifdef HAVE_CONFIG_H\n# include <config.h>\n"))); got != "#if 1\n# include <config.h>\n" {
		t.Errorf("config-h rewrite: %q", got)
	}
	if got := string(licenseRewrites[3].apply([]byte("the GNU General Public License; either version 3 of"))); !strings.Contains(got, "GNU Lesser General Public License; either version 2.1 of") {
		t.Errorf("LGPLv2.1 rewrite: %q", got)
	}
}

func FuzzApplyPatch(f *testing.F) {
	f.Add([]byte("a\nb\nc\n"), []byte("@@ -2,1 +2,1 @@\n-b\n+B\n"))
	f.Add([]byte("x"), []byte("@@ -1 +1 @@\n-x\n\\ No newline at end of file\n+y\n"))
	f.Add([]byte(""), []byte("@@ -0,0 +1,2 @@\n+a\n+b\n"))
	f.Fuzz(func(t *testing.T, orig, diff []byte) {
		out, err := ApplyPatch(orig, diff)
		if err != nil {
			return
		}
		// A patch that applies keeps the lines it did not touch: the
		// result is never longer than the file plus the patch.
		if len(out) > len(orig)+len(diff) {
			t.Fatalf("result of %d bytes from %d + %d", len(out), len(orig), len(diff))
		}
		if bytes.Equal(diff, nil) {
			t.Fatal("empty patch applied")
		}
	})
}

// A git diff whose empty context line lost its space (as in diffutils'
// gl/lib/sh-quote.c.diff) applies as patch(1) applies it.
func TestApplyPatchStrippedBlankContext(t *testing.T) {
	orig := "x\n\n/* doc */\nstatic void\nf ()\n{\n}\n"
	diff := "diff --git a/lib/f.c b/lib/f.c\nindex e349f40..788989a 100644\n--- a/lib/f.c\n+++ b/lib/f.c\n@@ -2,4 +2,4 @@ x\n\n /* doc */\n static void\n-f ()\n+f (void)\n-- \n2.31.1\n"
	got, err := ApplyPatch([]byte(orig), []byte(diff))
	if want := "x\n\n/* doc */\nstatic void\nf (void)\n{\n}\n"; err != nil || string(got) != want {
		t.Errorf("got %q, %v; want %q", got, err, want)
	}
}

// patch(1)'s default fuzz, as gnulib-tool applies a --local-dir .diff made
// against an older gnulib file (libidn2 2.3.3's gnu-web-doc-update.diff:
// its first hunk's trailing context names the old copyright year).
func TestApplyPatchFuzz(t *testing.T) {
	// Results checked against GNU patch 2.7.6.
	orig := "#!/bin/sh\n# doc at $pkg\n\nVERSION=2\n\n# Copyright 2009-2022\nbody\n"
	diff := "--- x.orig\n+++ x\n@@ -1,6 +1,6 @@\n #!/bin/sh\n-# doc at $pkg\n+# doc at libidn2\n \n VERSION=2\n \n # Copyright 2009-2021\n"
	got, err := ApplyPatch([]byte(orig), []byte(diff))
	if want := "#!/bin/sh\n# doc at libidn2\n\nVERSION=2\n\n# Copyright 2009-2022\nbody\n"; err != nil || string(got) != want {
		t.Errorf("fuzz 1: got %q, %v; want %q", got, err, want)
	}
	// Less leading context than trailing anchors the hunk at the top: the
	// same hunk does not apply lower in the file with fuzz.
	if _, err := ApplyPatch([]byte("x\n"+orig), []byte(diff)); err == nil {
		t.Error("an anchored hunk applied away from the top of the file")
	}
	// A mismatch in the context fuzz keeps: no result.
	if _, err := ApplyPatch([]byte(orig), []byte(strings.Replace(diff, " VERSION=2\n", " VERSION=1\n", 1))); err == nil {
		t.Error("a hunk with a mismatch inside its kept context applied")
	}
	// A changed line must always match exactly.
	if _, err := ApplyPatch([]byte(orig), []byte(strings.Replace(diff, "-# doc at $pkg", "-# doc at $PKG", 1))); err == nil {
		t.Error("a removed line that the file does not have was fuzzed away")
	}
}
