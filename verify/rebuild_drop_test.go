package verify

import (
	"testing"

	"github.com/tarcheck/tarcheck/verify/report"
)

// TestDropReproduced: classification findings of a file the rebuild
// reproduced are dropped (regeneration proves it); others, and findings
// without a path, stay.
func TestDropReproduced(t *testing.T) {
	findings := []report.Finding{{Rule: "TC302", Path: "gl/Makefile.am"}, {Rule: "TC412", Path: "build-aux/test-driver"}, {Rule: "TC302"}}
	files := []report.FileDiff{{Path: "gl/Makefile.am", Rebuild: report.RebuildReproduced}, {Path: "build-aux/test-driver", Rebuild: report.RebuildNotReproducible}}
	got := dropReproduced(findings, files)
	if len(got) != 2 || got[0].Path != "build-aux/test-driver" || got[1].Path != "" {
		t.Fatalf("got %+v", got)
	}
}
