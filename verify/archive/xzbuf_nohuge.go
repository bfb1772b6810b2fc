//go:build !linux

package archive

// adviseHugePages is a no-op where transparent huge pages cannot be
// requested.
func adviseHugePages([]byte) {}
