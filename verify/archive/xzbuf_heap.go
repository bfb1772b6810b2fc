//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package archive

// allocBlockBuffer allocates on the heap where anonymous mappings are
// not available.
func allocBlockBuffer(n int) (buf, mapping []byte, mapped bool) { return make([]byte, n), nil, false }

func freeBlockBuffer([]byte) {}
