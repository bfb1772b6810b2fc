package autotools

import (
	"os"
	"os/exec"
	"testing"
)

// requireTool skips the test when name is not on PATH, or fails it when
// TARCHECK_REQUIRE_TOOLS=1.
func requireTool(t testing.TB, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err == nil {
		return
	}
	if os.Getenv("TARCHECK_REQUIRE_TOOLS") == "1" {
		t.Fatalf("required tool %s not found (TARCHECK_REQUIRE_TOOLS=1)", name)
	}
	t.Skipf("%s not found", name)
}

// requireFile returns the content of a file installed by a Debian package,
// skipping the test when it is absent, or failing it when
// TARCHECK_REQUIRE_TOOLS=1.
func requireFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err == nil {
		return b
	}
	if os.Getenv("TARCHECK_REQUIRE_TOOLS") == "1" {
		t.Fatalf("required file %s: %v (TARCHECK_REQUIRE_TOOLS=1)", path, err)
	}
	t.Skipf("%s not available: %v", path, err)
	return nil
}
