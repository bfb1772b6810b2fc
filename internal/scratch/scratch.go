// Package scratch removes the scratch directories tarcheck builds and
// runs upstream code in.
package scratch

import (
	"io/fs"
	"os"
	"path/filepath"
)

// Remove deletes dir and everything below it. A build may leave
// read-only directories behind (`make distcheck` does), which RemoveAll
// cannot empty: when it fails, every directory is made writable by its
// owner and the removal is tried again. Errors are ignored: what stays is
// under the cache directory.
func Remove(dir string) {
	if os.RemoveAll(dir) == nil {
		return
	}
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			_ = os.Chmod(p, 0o700)
		}
		return nil
	})
	_ = os.RemoveAll(dir)
}
