package profile

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"unsafe"
)

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
//
// For a process that verifies one release (tarcheck verify, debian): its
// heap grows once. A batch's heap grows and shrinks with every job, and
// there the huge pages the scavenger splits and the next job faults in
// again cost more than they save (the corpus in one batch: CPU +7%).
func ReserveHugeHeap() { reserveOnce.Do(reserveHugeHeap) }

// reserveOnce makes ReserveHugeHeap act once a process: the heap's first
// growth is the one it is for.
var reserveOnce sync.Once

func reserveHugeHeap() {
	if strings.Contains(os.Getenv("GODEBUG"), "disablethp=1") {
		return
	}
	b := make([]byte, HugeHeapBytes)
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	start := int((p+hugePageBytes-1)&^(hugePageBytes-1) - p)
	end := int((p+uintptr(len(b)))&^(hugePageBytes-1) - p)
	if start < end {
		_ = syscall.Madvise(b[start:end], syscall.MADV_HUGEPAGE) // best effort: EINVAL where THP is not built in
	}
}

// HugePagesAt returns how many bytes of the mapping holding p the kernel
// backs with transparent huge pages (AnonHugePages in /proc/self/smaps):
// how the tests see that ReserveHugeHeap and the xz block buffers work,
// where a count of page faults would be drowned by the race detector's
// shadow memory.
func HugePagesAt(p unsafe.Pointer) (int64, error) {
	f, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		return 0, err
	}
	addr := uint64(uintptr(p))
	in := false
	for _, l := range strings.Split(string(f), "\n") {
		fs := strings.Fields(l)
		if len(fs) == 0 {
			continue
		}
		if lo, hi, ok := strings.Cut(fs[0], "-"); ok && !strings.HasSuffix(fs[0], ":") {
			a, errA := strconv.ParseUint(lo, 16, 64)
			z, errZ := strconv.ParseUint(hi, 16, 64)
			in = errA == nil && errZ == nil && addr >= a && addr < z
			continue
		}
		if in && fs[0] == "AnonHugePages:" && len(fs) >= 2 {
			kb, err := strconv.ParseInt(fs[1], 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no mapping holds %#x in /proc/self/smaps", addr)
}
