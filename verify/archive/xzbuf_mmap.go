//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package archive

import (
	"syscall"
	"unsafe"
)

// blockAlign is the alignment of a mapped block buffer: a transparent huge
// page (2 MiB on amd64 and arm64). The kernel backs only the whole huge
// pages inside an advised range with huge pages; mmap aligns to 4 KiB, so
// an unaligned 8 MiB buffer got three of them and 512 small pages, each a
// page fault as the decoder wrote it.
const blockAlign = 2 << 20

// allocBlockBuffer maps n bytes of anonymous memory, backed by huge
// pages where the kernel allows (adviseHugePages), or falls back to the
// heap (mapped false). A buffer of at least blockAlign bytes starts on a
// blockAlign boundary: it is a view into a mapping blockAlign larger (the
// slack is address space, never touched), which freeBlockBuffer unmaps.
func allocBlockBuffer(n int) (buf, mapping []byte, mapped bool) {
	size := n
	if n >= blockAlign {
		size = n + blockAlign
	}
	m, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil || len(m) != size {
		return make([]byte, n), nil, false
	}
	off := 0
	if size > n {
		p := uintptr(unsafe.Pointer(unsafe.SliceData(m)))
		off = int((p+blockAlign-1)&^(blockAlign-1) - p)
	}
	buf = m[off : off+n : off+n]
	adviseHugePages(buf)
	return buf, m, true
}

// freeBlockBuffer unmaps a mapping from allocBlockBuffer.
func freeBlockBuffer(mapping []byte) {
	_ = syscall.Munmap(mapping)
}
