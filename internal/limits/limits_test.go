package limits

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// notCaps are the numeric Max*/max*/Min*/Default* constants outside this
// package that are not caps on untrusted input: output layout, format
// constants of a decoder, tuning of our own processes and CLI ranges.
var notCaps = map[string]string{
	"verify/render/text.go maxGenerators":                    "report layout",
	"autotools/origindb/stamps.go maxStampEntries":           "sanity bound of the embedded stamp index (built by m4dbgen, never user input)",
	"verify/render/text.go maxSingles":                       "report layout",
	"verify/render/text.go defaultExamples":                  "report layout",
	"verify/render/text.go maxDiffFiles":                     "report layout",
	"verify/render/text.go defaultDiffRows":                  "report layout",
	"verify/archive/internal/lzma2/decoder.go minMatchLen":   "LZMA format",
	"verify/archive/internal/lzma2/decoder.go maxLcLp":       "LZMA format",
	"verify/archive/internal/lzma2/decoder.go MaxChunkInput": "LZMA2 format (a chunk's header and compressed size)",
	"verify/archive/internal/lzma2/decoder.go MaxChunk":      "LZMA2 format (a chunk's uncompressed size)",
	"verify/archive/index.go maxRecSize":                     "index encoding",
	"internal/filelock/filelock.go minPoll":                  "lock polling",
	"internal/filelock/filelock.go maxPoll":                  "lock polling",
	"internal/pathidx/pathidx.go MaxArena":                   "index encoding (archive caps names below it)",
	"internal/profile/memory.go HeapSoftLimit":               "garbage-collector tuning",
	"internal/profile/memory.go ClassifyHeapSoftLimit":       "garbage-collector tuning",
	"batch/run.go MaxJobs":                                   "range of --jobs",
	"verify/fetch/fetch.go DefaultRetries":                   "retry policy",
	"verify/fetch/fetch.go DefaultBackoff":                   "retry policy",
	"verify/fetch/fetch.go MaxBackoff":                       "retry policy",
	"verify/fetch/fetch.go DefaultNegativeTTL":               "cache policy",
	"verify/fetch/sidecar.go maxDiscoverParallel":            "concurrency",
	"verify/explain/patch.go maxFuzz":                        "patch(1)'s fuzz factor, not a cap",
}

// TestCapsLiveHere fails when a package defines a numeric cap of its own
// instead of naming one of this package's constants.
func TestCapsLiveHere(t *testing.T) {
	root := filepath.Join("..", "..")
	seen, checked := map[string]bool{}, 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != root && (d.Name() == "testdata" || d.Name() == "bench" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if strings.HasPrefix(rel, "internal/limits/") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		checked++
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if i >= len(vs.Values) || !capName(n.Name) || !numeric(vs.Values[i]) {
						continue
					}
					key := rel + " " + n.Name
					if _, ok := notCaps[key]; ok {
						seen[key] = true
						continue
					}
					t.Errorf("%s: cap %s is defined here; define it in internal/limits and name it (or list it in notCaps if it is no cap on input)", rel, n.Name)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Fatalf("checked only %d files: wrong root?", checked)
	}
	for key := range notCaps {
		if !seen[key] {
			t.Errorf("notCaps entry %q names no constant: drop it", key)
		}
	}
}

func capName(name string) bool {
	l := strings.ToLower(name)
	return strings.HasPrefix(l, "max") || strings.HasPrefix(l, "min") || strings.HasPrefix(l, "default") ||
		strings.Contains(l, "limit")
}

// numeric reports whether e is built of number literals and time units
// only, not of another package's constant.
func numeric(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.BasicLit:
		return e.Kind == token.INT || e.Kind == token.FLOAT
	case *ast.BinaryExpr:
		return numeric(e.X) && numeric(e.Y)
	case *ast.ParenExpr:
		return numeric(e.X)
	case *ast.SelectorExpr:
		x, ok := e.X.(*ast.Ident)
		return ok && x.Name == "time"
	}
	return false
}

// The caps are usable as they are: none is zero or negative.
func TestCapsPositive(t *testing.T) {
	for name, v := range map[string]int64{
		"ArchiveMaxUnpackedBytes": ArchiveMaxUnpackedBytes, "ArchiveMaxEntries": ArchiveMaxEntries,
		"ArchiveMaxRatio": ArchiveMaxRatio, "FetchMaxSize": FetchMaxSize, "CompareKeepBytes": CompareKeepBytes,
		"GitMaxObjectSize": GitMaxObjectSize, "SigMaxSignatureSize": SigMaxSignatureSize,
		"FetchReadTimeout": int64(FetchReadTimeout), "SigMaxClockSkew": int64(SigMaxClockSkew),
	} {
		if v <= 0 {
			t.Errorf("%s = %d", name, v)
		}
	}
}
