//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package archive

import "syscall"

// allocBlockBuffer maps n bytes of anonymous memory, backed by huge
// pages where the kernel allows (adviseHugePages), or falls back to the
// heap (mapped false).
func allocBlockBuffer(n int) (buf []byte, mapped bool) {
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil || len(b) != n {
		return make([]byte, n), false
	}
	adviseHugePages(b)
	return b, true
}

// freeBlockBuffer unmaps a buffer from allocBlockBuffer.
func freeBlockBuffer(b []byte) {
	_ = syscall.Munmap(b)
}
