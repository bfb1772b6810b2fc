package debian

import (
	"os"
	"path/filepath"
)

// PolicyPath is where a packaging directory keeps its tarcheck policy:
// the accepted differences of this package, beside the upstream signing key.
const PolicyPath = "debian/upstream/tarcheck.yaml"

// PolicyFile returns dir's PolicyPath when it is a regular file, else "".
func PolicyFile(dir string) string {
	p := filepath.Join(dir, PolicyPath)
	if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
		return p
	}
	return ""
}
