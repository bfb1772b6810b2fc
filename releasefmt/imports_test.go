package releasefmt

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestPureLeaf keeps the package pure: no files, processes or network, and
// nothing from this module but internal packages.
func TestPureLeaf(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range ast.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if p == "os" || p == "os/exec" || p == "net" || strings.HasPrefix(p, "net/") || p == "syscall" ||
				strings.HasPrefix(p, "github.com/tarcheck/tarcheck/") && !strings.HasPrefix(p, "github.com/tarcheck/tarcheck/internal/") {
				t.Errorf("%s imports %s", f, p)
			}
		}
	}
}
