package main

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestPackageRules enforces DESIGN.md's package map on the non-test code:
// only verify/fetch speaks HTTP, only verify/gitsrc and sandbox run
// programs (plus the m4 database generator and the hostile-corpus
// generator, which are tools), autotools and sandbox import nothing from
// this module but their own subpackages (autotools' embedded origin
// database, itself a leaf), internal/limits (constants only) and
// internal/lazyre (regexps compiled on first use, a leaf), cobra stays in cmd/tarcheck and progress bars
// in verify/render/term.
func TestPackageRules(t *testing.T) {
	const module = "github.com/tarcheck/tarcheck"
	allowed := map[string][]string{
		"os/exec":                           {"verify/gitsrc", "sandbox", "autotools/cmd/m4dbgen", "internal/hostile", "internal/adversary", "bench"},
		"net/http":                          {"verify/fetch"},
		"github.com/spf13/cobra":            {"cmd/tarcheck"},
		"github.com/spf13/pflag":            {"cmd/tarcheck"},
		"github.com/schollz/progressbar/v3": {"verify/render/term"},
	}
	root := "../.."
	checked := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && p != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		dir := filepath.ToSlash(filepath.Dir(rel))
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if dirs, ok := allowed[path]; ok && !underAny(dir, dirs) {
				t.Errorf("%s imports %s; only %v may", rel, path, dirs)
			}
			if pkg, ok := strings.CutPrefix(path, module+"/"); ok {
				if !moduleImportAllowed(dir, pkg) {
					t.Errorf("%s imports %s; %s may import only %v from this module", rel, pkg, dir, moduleImports[dir])
				}
			}
			if strings.HasPrefix(path, module+"/") && (dir == "autotools" || dir == "sandbox") && !strings.HasPrefix(path, module+"/"+dir+"/") && path != module+"/internal/limits" && path != module+"/internal/lazyre" {
				t.Errorf("%s imports %s: %s must import nothing from this module", rel, path, dir)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("checked only %d files: wrong root?", checked)
	}
}

// moduleImports is the package map of issue 13: which packages of this
// module each package may import (non-test code). The CLI sees the spine,
// the model and the renderers, the batch and debian libraries and the
// sandbox (for the runner), never a leaf; the stages see the leaves and the
// model, never the spine; the model and the renderers see no pipeline.
var moduleImports = map[string][]string{
	"cmd/tarcheck":         {"verify/report", "verify/render/...", "batch", "debian", "sandbox", "internal/demo", "internal/profile", "verify"},
	"batch":                {"verify", "verify/report", "verify/render", "internal/batchmerge", "debian", "internal/limits"},
	"debian":               {"verify", "internal/limits"},
	"verify/report":        {},
	"verify/render":        {"verify/report", "verify/render/escape"},
	"verify/render/escape": {"internal/limits"},
	"verify/render/term":   {"verify/render/escape"},
	"verify/compare":       {"verify/archive", "verify/report", "autotools", "internal/pathidx", "internal/limits"},
	"verify/explain":       {"verify/compare", "verify/archive", "verify/report", "verify/internal/linediff", "autotools", "autotools/origindb", "releasefmt", "internal/limits", "internal/lazyre"},
	"verify/trust":         {"verify/sig", "verify/fetch", "verify/report", "internal/limits"},
	"verify/rebuild":       {"verify/compare", "verify/explain", "verify/archive", "verify/report", "verify/internal/linediff", "autotools", "autotools/origindb", "sandbox", "toolchain", "internal/limits", "internal/lazyre"},
	"verify/tagrules":      {"sandbox", "internal/limits"},
	"verify/archive":       {"verify/archive/internal/...", "internal/..."},
	"verify/gitsrc":        {"internal/..."},
	"verify/fetch":         {"internal/..."},
	"verify/sig":           {"internal/..."},
}

// moduleImportAllowed applies moduleImports: an entry names one package,
// or a tree with "/...".
func moduleImportAllowed(dir, pkg string) bool {
	may, ruled := moduleImports[dir]
	if !ruled {
		return true
	}
	for _, m := range may {
		if tree, ok := strings.CutSuffix(m, "/..."); ok && (pkg == tree || strings.HasPrefix(pkg, tree+"/")) || pkg == m {
			return true
		}
	}
	return false
}

// The map refuses what the issue forbids.
func TestModuleImportRules(t *testing.T) {
	for _, tc := range []struct {
		dir, pkg string
		ok       bool
	}{
		{"cmd/tarcheck", "verify", true}, {"cmd/tarcheck", "verify/render", true}, {"cmd/tarcheck", "sandbox", true},
		{"cmd/tarcheck", "verify/gitsrc", false}, {"cmd/tarcheck", "verify/archive", false}, {"cmd/tarcheck", "verify/fetch", false},
		{"cmd/tarcheck", "autotools", false}, {"cmd/tarcheck", "verify/compare", false}, {"cmd/tarcheck", "verify/render/escape", true},
		{"verify/explain", "verify", false}, {"verify/report", "verify", false}, {"verify/render", "verify", false},
		{"verify/archive", "verify/archive/internal/lzma2", true}, {"batch", "verify/gitsrc", false},
		{"verify/sig", "internal/gitid", true}, {"verify/sig", "verify", false}, {"verify/gitsrc", "verify/report", false},
	} {
		if got := moduleImportAllowed(tc.dir, tc.pkg); got != tc.ok {
			t.Errorf("%s importing %s: allowed %v, want %v", tc.dir, tc.pkg, got, tc.ok)
		}
	}
}

func underAny(dir string, prefixes []string) bool {
	for _, p := range prefixes {
		if dir == p || strings.HasPrefix(dir, p+"/") {
			return true
		}
	}
	return false
}
