package autotools

import (
	"bytes"
	"os"
	"testing"
)

// TestCopiedHelperEdited: a verbatim-copied helper (install-sh, ltmain.sh)
// whose content matches no known copy is not waved through as "generated",
// even when its edit trips no scan rule.
func TestCopiedHelperEdited(t *testing.T) {
	const src = "/usr/share/automake-1.16/install-sh"
	orig, err := os.ReadFile(src)
	if err != nil {
		if os.Getenv("TARCHECK_REQUIRE_TOOLS") == "1" {
			t.Fatalf("%s is required: %v", src, err)
		}
		t.Skipf("automake not installed: %v", err)
	}
	r := Classify(tarOnly("build-aux/install-sh", string(orig)), nil)
	if r.Severity != SevInfo || r.Class != ClassUpstreamCopy {
		t.Errorf("verbatim install-sh: %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
	edited := bytes.Replace(orig, []byte("\nscriptversion="), []byte("\nLIBS=\"$LIBS -ldl\"\nscriptversion="), 1)
	r = Classify(tarOnly("build-aux/install-sh", string(edited)), nil)
	if r.Severity.Rank() < SevMedium.Rank() || r.Class != ClassUpstreamUnknownVersion {
		t.Errorf("edited install-sh: %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
}
