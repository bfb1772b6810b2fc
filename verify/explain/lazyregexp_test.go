package explain

import (
	"testing"

	"github.com/tarcheck/tarcheck/internal/lazyre"
)

// Every expression compiled on first use compiles: a typo must fail here,
// not panic in the middle of a verify.
func TestLazyRegexpsCompile(t *testing.T) {
	if n, err := lazyre.CompileAll(); err != nil || n == 0 {
		t.Fatalf("CompileAll = %d, %v", n, err)
	}
}
