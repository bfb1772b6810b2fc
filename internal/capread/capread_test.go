package capread

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// File returns a file of at most limit bytes whole, refuses a longer one
// naming it and the limit, and passes a missing file's error through.
func TestFile(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "f")
	if err := os.WriteFile(name, []byte("12345"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := File(name, 5); err != nil || string(b) != "12345" {
		t.Errorf("at the limit: %q, %v", b, err)
	}
	if _, err := File(name, 4); err == nil || !strings.Contains(err.Error(), name+" is larger than 4 bytes") {
		t.Errorf("over the limit: %v", err)
	}
	if _, err := File(filepath.Join(dir, "missing"), 4); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}
