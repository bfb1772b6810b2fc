package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tarcheck/tarcheck/verify"
)

// TestReadmePolicyExample keeps the README's commented policy example valid.
func TestReadmePolicyExample(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), "```yaml\n# .tarcheck.yaml\n")
	if !ok {
		t.Fatal("README has no .tarcheck.yaml example")
	}
	example, _, _ := strings.Cut(rest, "```")
	p, err := verify.ParsePolicy("README.md", []byte(example))
	if err != nil {
		t.Fatalf("README policy example: %v", err)
	}
	if len(p.Expect) != 2 || p.Require.Sigstore == nil || !p.Require.Signature {
		t.Errorf("README policy example parsed to %+v", p)
	}
}

// TestReadmeLinks: every relative link of the README and of docs/ resolves
// to a file or directory of the repository.
func TestReadmeLinks(t *testing.T) {
	docs, _ := filepath.Glob("../../docs/*.md")
	for _, doc := range append([]string{"../../README.md"}, docs...) {
		data, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mdLink.FindAllStringSubmatch(string(data), -1) {
			target, _, _ := strings.Cut(m[1], "#")
			if target == "" || strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			path := filepath.Join(filepath.Dir(doc), target)
			if rel, err := filepath.Rel("../..", path); err != nil || strings.HasPrefix(rel, "..") {
				t.Errorf("%s links to %s, outside the repository", doc, m[1])
			} else if _, err := os.Stat(path); err != nil {
				t.Errorf("%s links to %s, which is not in the repository", doc, m[1])
			}
		}
	}
}

var mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)
