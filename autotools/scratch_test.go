package autotools

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestScratchFP(t *testing.T) {
	root := "/tmp/fpproj"
	git := map[string]bool{"configure.ac": true, "Makefile.am": true, "src/main.c": true, "po/POTFILES.in": true}
	start := time.Now()
	n := 0
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if d.IsDir() || strings.Contains(p, "autom4te") {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		if git[rel] {
			return nil
		}
		b, _ := os.ReadFile(p)
		r := Classify(Input{Path: rel, Status: StatusOnlyInTarball, Tarball: b, TarballSize: int64(len(b)), TarballMode: ModeFile}, &Context{Version: "1.0.3", TagTime: time.Now()})
		n++
		if r.Severity.Rank() > 0 {
			t.Logf("%-30s %-8s %-15s %s %s %s", rel, r.Severity, r.Class, r.Reason, r.Generator, r.GeneratorVersion)
		}
		return nil
	})
	t.Logf("%d files in %v", n, time.Since(start))
}
