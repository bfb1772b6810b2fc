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
// this module, and cobra stays in cmd/tarcheck.
func TestPackageRules(t *testing.T) {
	const module = "github.com/tarcheck/tarcheck"
	allowed := map[string][]string{
		"os/exec":                           {"verify/gitsrc", "sandbox", "autotools/cmd/m4dbgen", "internal/hostile", "bench"},
		"net/http":                          {"verify/fetch"},
		"github.com/spf13/cobra":            {"cmd/tarcheck"},
		"github.com/spf13/pflag":            {"cmd/tarcheck"},
		"github.com/schollz/progressbar/v3": {"cmd/tarcheck"},
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
			if strings.HasPrefix(path, module+"/") && (dir == "autotools" || dir == "sandbox") {
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

func underAny(dir string, prefixes []string) bool {
	for _, p := range prefixes {
		if dir == p || strings.HasPrefix(dir, p+"/") {
			return true
		}
	}
	return false
}
