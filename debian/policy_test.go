package debian

import (
	"os"
	"path/filepath"
	"testing"
)

func TestPolicyFile(t *testing.T) {
	dir := t.TempDir()
	if got := PolicyFile(dir); got != "" {
		t.Errorf("no policy: %q", got)
	}
	p := filepath.Join(dir, PolicyPath)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("fail-on: medium\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := PolicyFile(dir); got != p {
		t.Errorf("PolicyFile = %q, want %q", got, p)
	}
}
