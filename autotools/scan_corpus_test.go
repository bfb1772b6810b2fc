package autotools

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestScanCleanUpstreamFiles scans the build scripts installed by Debian's
// autotools packages (and, when TARCHECK_FP_DIR names one, a generated
// project): clean upstream files must raise no signal.
func TestScanCleanUpstreamFiles(t *testing.T) {
	dirs := []string{"/usr/share/aclocal", "/usr/share/aclocal-1.16", "/usr/share/gnulib/m4", "/usr/share/gnulib/build-aux", "/usr/share/libtool", "/usr/share/automake-1.16", "/usr/share/gettext/po", "/usr/share/autoconf/build-aux"}
	if d := os.Getenv("TARCHECK_FP_DIR"); d != "" {
		dirs = append(dirs, d)
	}
	scanned := 0
	for _, dir := range dirs {
		if _, err := os.Stat(dir); err != nil {
			continue
		}
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() || strings.Contains(p, "autom4te.cache") {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return nil
			}
			if bin, _ := IsBinary(b); bin {
				return nil
			}
			scanned++
			for _, s := range ScanBuildScript(p, b) {
				if s.Severity.Rank() < SevHigh.Rank() {
					// e.g. gnulib's announce-gen and bootstrap use wget.
					t.Logf("medium signal %s %s: %v", s.Rule, s.Message, s.Evidence)
					continue
				}
				t.Errorf("false positive %s %s: %v", s.Rule, s.Message, s.Evidence)
			}
			return nil
		})
	}
	if scanned == 0 {
		requireTool(t, "autoconf")
		t.Skip("no Debian autotools files installed")
	}
	t.Logf("scanned %d clean files", scanned)
}
