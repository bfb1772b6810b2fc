package gitsrc

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestExportSkippingMissing: a blob the repository lacks (a mirror that
// dropped gnulib's ChangeLog) fails Export, but ExportSkippingMissing
// writes every other file and names the one it left out.
func TestExportSkippingMissing(t *testing.T) {
	requireTool(t, "git")
	dir := t.TempDir()
	gitT(t, dir, nil, "init", "-q")
	writeFiles(t, dir, map[string]string{"ChangeLog": "huge history\n", "modules/foo": "Files:\nlib/foo.c\n", "gnulib-tool": "#!/bin/sh\n"})
	if err := os.Chmod(filepath.Join(dir, "gnulib-tool"), 0o755); err != nil {
		t.Fatal(err)
	}
	gitT(t, dir, nil, "add", "-A")
	gitT(t, dir, nil, "commit", "-q", "-m", "c")
	blob := gitT(t, dir, nil, "rev-parse", "HEAD:ChangeLog")
	if err := os.Remove(filepath.Join(dir, ".git", "objects", blob[:2], blob[2:])); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r, err := Open(ctx, dir, Options{CacheDir: t.TempDir(), Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	tree := gitT(t, dir, nil, "rev-parse", "HEAD^{tree}")
	if err := r.Export(ctx, tree, filepath.Join(t.TempDir(), "x")); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("Export with a missing blob: %v", err)
	}
	out := filepath.Join(t.TempDir(), "y")
	skipped, err := r.ExportSkippingMissing(ctx, tree, out)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(skipped, []string{"ChangeLog"}) {
		t.Errorf("skipped = %q", skipped)
	}
	if data, err := os.ReadFile(filepath.Join(out, "modules", "foo")); err != nil || string(data) != "Files:\nlib/foo.c\n" {
		t.Errorf("modules/foo = %q, %v", data, err)
	}
	if fi, err := os.Stat(filepath.Join(out, "gnulib-tool")); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("gnulib-tool: %v %v", fi, err)
	}
	if _, err := os.Lstat(filepath.Join(out, "ChangeLog")); err == nil {
		t.Errorf("the missing ChangeLog was written")
	}
}
