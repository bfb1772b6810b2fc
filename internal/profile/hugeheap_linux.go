package profile

import (
	"os"
	"strings"
	"syscall"
	"unsafe"
)

// madvHugepage is MADV_HUGEPAGE (not in package syscall).
const madvHugepage = 14

// hugePageBytes is the size of a transparent huge page on amd64 and arm64
// with 4 KiB base pages; madvise needs the range aligned to it.
const hugePageBytes = 2 << 20

// ReserveHugeHeap maps HugeHeapBytes of heap address space for transparent
// huge pages, unless GODEBUG has disablethp=1 or the kernel says no.
//
// Why: a page fault costs 1-2 µs on bare metal and 10-11 µs in the VMs
// tarcheck is measured on (bench/), and a release's run grows its heap by
// tens of MiB (the syntax tree of configure alone is 16 MiB), one fault per
// fresh 4 KiB page: about 5,500 faults, a tenth of a GNU release's wall
// time. The Go runtime asks for huge pages only for its own metadata, and
// with the kernel's default THP mode (madvise) the heap gets none.
//
// How: one large object is allocated and dropped. The runtime maps fresh
// memory for it and does not touch it (the kernel's pages are zero), so
// the madvise flags the mapping before any page exists; once the object is
// collected the heap reuses that address range (the page allocator takes
// the lowest free addresses first) and each first touch gets a 2 MiB page.
// RSS does not grow (bench/: same peak RSS within noise): the pages are the
// ones the heap would have touched anyway, and the scavenger still returns
// free memory.
func ReserveHugeHeap() {
	if strings.Contains(os.Getenv("GODEBUG"), "disablethp=1") {
		return
	}
	b := make([]byte, HugeHeapBytes)
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	start := int((p+hugePageBytes-1)&^(hugePageBytes-1) - p)
	end := int((p+uintptr(len(b)))&^(hugePageBytes-1) - p)
	if start < end {
		_ = syscall.Madvise(b[start:end], madvHugepage) // best effort: EINVAL where THP is not built in
	}
}
