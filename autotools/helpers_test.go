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
