package main

import (
	"os"
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
