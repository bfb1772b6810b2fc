package scratch

import (
	"os"
	"path/filepath"
	"testing"
)

// Remove deletes a tree whose directories a build made read-only.
func TestRemoveReadOnlyTree(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Log("running as root: read-only directories do not stop RemoveAll")
	}
	dir := filepath.Join(t.TempDir(), "build")
	sub := filepath.Join(dir, "a", "b")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sub, "f"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{sub, filepath.Dir(sub)} {
		if err := os.Chmod(d, 0o555); err != nil {
			t.Fatal(err)
		}
	}
	Remove(dir)
	if _, err := os.Lstat(dir); !os.IsNotExist(err) {
		t.Fatalf("%s still there: %v", dir, err)
	}
}
