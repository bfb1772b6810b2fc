package rebuild

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tarcheck/tarcheck/toolchain"
	"github.com/tarcheck/tarcheck/verify/report"
)

// TestChoosePkgM4: the pkg-config entry the embedded pkg.m4's serial line
// selects is laid only when the release's aclocal.m4 embeds its pkg.m4
// byte for byte; another pkg.m4 with the same serial line (pkgconf's) is
// dropped, and the release's copy stays not proved.
func TestChoosePkgM4(t *testing.T) {
	pkgM4 := pkgM4Header + "\n# serial 12 (pkg-config-0.29.2)\nAC_DEFUN([PKG_PROG_PKG_CONFIG], [x])\n"
	if v := pkgM4Version([]byte("# generated\n" + pkgM4)); v != "0.29.2" {
		t.Fatalf("pkgM4Version = %q", v)
	}
	if v := pkgM4Version([]byte(strings.Replace(pkgM4, "use pkg", "utilise pkg", 1))); v != "0.29.2" {
		t.Errorf("pkg-config 0.29.2's own header: pkgM4Version = %q", v)
	}
	if v := pkgM4Version([]byte("# serial 12 (pkg-config-0.29.2)\n")); v != "" {
		t.Errorf("a serial line without pkg.m4's header gave %q", v)
	}
	layer := t.TempDir()
	if err := os.MkdirAll(filepath.Join(layer, "share", "aclocal"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(layer, "share", "aclocal", "pkg.m4"), []byte(pkgM4), 0o644); err != nil {
		t.Fatal(err)
	}
	other := t.TempDir()
	spec := toolchain.Spec{Tools: []toolchain.Tool{{Name: toolchain.ToolAutoconf, Version: "2.72"}, {Name: toolchain.ToolPkgConfig, Version: "0.29.2"}}}
	for _, tc := range []struct {
		name    string
		aclocal string
		keep    bool
	}{
		{"the release's pkg.m4", "# aclocal.m4\n" + pkgM4 + "m4_include([m4/x.m4])\n", true},
		{"another pkg.m4, same serial", "# aclocal.m4\n" + strings.Replace(pkgM4, "[x]", "[y]", 1), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &rebuilder{releaseAclocal: []byte(tc.aclocal), pkgM4Foreign: true, info: &report.RebuildInfo{}}
			tcs := &toolchain.Toolchain{Spec: spec, Layers: []string{other, layer}}
			b.choosePkgM4(tcs)
			kept := slices.Contains(tcs.Layers, layer) && tcs.Spec.Version(toolchain.ToolPkgConfig) != ""
			if kept != tc.keep || b.pkgM4Foreign == tc.keep || !slices.Contains(tcs.Layers, other) || tcs.Spec.Version(toolchain.ToolAutoconf) == "" {
				t.Fatalf("kept %v (want %v), foreign %v, layers %q, spec %s", kept, tc.keep, b.pkgM4Foreign, tcs.Layers, tcs.Spec)
			}
			if !tc.keep && (len(b.info.Notes) != 1 || !strings.Contains(b.info.Notes[0], "pkg-config 0.29.2's pkg.m4 is not the one")) {
				t.Errorf("notes = %q", b.info.Notes)
			}
			if len(spec.Tools) != 2 {
				t.Error("the caller's spec was changed")
			}
		})
	}
}
