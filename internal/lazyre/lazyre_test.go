package lazyre

import (
	"strings"
	"testing"
)

// New compiles once, on the first call; CompileAll reports a bad
// expression by name.
func TestNewAndCompileAll(t *testing.T) {
	re := New(`^a+b$`)
	if !re().MatchString("aab") || re() != re() {
		t.Fatal("the expression is not compiled once and kept")
	}
	if n, err := CompileAll(); err != nil || n == 0 {
		t.Fatalf("CompileAll = %d, %v", n, err)
	}
	New(`(unclosed`)
	if _, err := CompileAll(); err == nil || !strings.Contains(err.Error(), "(unclosed") {
		t.Fatalf("CompileAll = %v, want the bad expression named", err)
	}
}
