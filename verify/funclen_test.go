package verify

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// maxFuncLines is the longest a function of verify/... may be, from its
// func line to its closing brace (issue 13): longer ones are split into
// named steps.
const maxFuncLines = 100

// longFuncExceptions are the functions allowed to be longer, by file and
// name, each with the reason.
var longFuncExceptions = map[string]string{
	// The LZMA decoder's hot loop: state lives in locals the compiler
	// keeps in registers; splitting it costs measurable throughput.
	"archive/internal/lzma2/lzma.go decodeLZMA": "hot loop",
}

// TestFunctionLength fails when a function of the non-test code of
// verify/... is longer than maxFuncLines, except the listed ones.
func TestFunctionLength(t *testing.T) {
	checked, seen := 0, map[string]bool{}
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && p != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok {
				continue
			}
			checked++
			n := fset.Position(fd.End()).Line - fset.Position(fd.Pos()).Line + 1
			key := filepath.ToSlash(p) + " " + fd.Name.Name
			if _, excepted := longFuncExceptions[key]; excepted {
				seen[key] = true
				continue
			}
			if n > maxFuncLines {
				t.Errorf("%s:%d: %s is %d lines, over %d: split it into named steps",
					p, fset.Position(fd.Pos()).Line, fd.Name.Name, n, maxFuncLines)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 500 {
		t.Fatalf("checked only %d functions: wrong root?", checked)
	}
	for key := range longFuncExceptions {
		if !seen[key] {
			t.Errorf("exception %q names no function: drop it", key)
		}
	}
}
