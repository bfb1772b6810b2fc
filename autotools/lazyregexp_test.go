package autotools

import (
	"testing"

	"github.com/tarcheck/tarcheck/internal/lazyre"
)

// Every expression compiled on first use compiles: a typo must fail here,
// not panic in the middle of a verify.
func TestLazyRegexpsCompile(t *testing.T) {
	generatorStamps() // registers the stamps' expressions
	if n, err := lazyre.CompileAll(); err != nil || n == 0 {
		t.Fatalf("CompileAll = %d, %v", n, err)
	}
}

// The tables built on first use build (one with a bad expression of its
// own panics here).
func TestLazyTablesBuild(t *testing.T) {
	if len(generatorStamps()) == 0 || len(helperStampRes()) == 0 || len(helperVersionRes()) == 0 || len(pytestFixed()) == 0 {
		t.Fatal("an empty table")
	}
}
