package profile

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// touchedBytes is how much fresh heap the child touches after the
// reservation: 4,096 pages of 4 KiB, or 8 huge ones.
const touchedBytes = 16 << 20

// TestReserveHugeHeap runs a fresh process (this test binary) that
// reserves, then touches touchedBytes of fresh heap, and reads from
// /proc/self/smaps how much of the mapping holding it is in huge pages:
// at least half of it; with GODEBUG=disablethp=1, the Go runtime's
// switch, none (in the kernel's default madvise mode unadvised memory
// gets no huge page). Under the race detector too, whose shadow memory
// would drown a count of page faults.
func TestReserveHugeHeap(t *testing.T) {
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || strings.Contains(string(mode), "[never]") {
		t.Skipf("transparent huge pages are off on this kernel (%q): nothing to reserve", strings.TrimSpace(string(mode)))
	}
	if kb := childHugeKB(t, ""); kb < touchedBytes>>10/2 {
		t.Fatalf("%d MiB of fresh heap touched after the reservation: %d KiB of its mapping in huge pages", touchedBytes>>20, kb)
	}
	if !strings.Contains(string(mode), "[madvise]") {
		return
	}
	if kb := childHugeKB(t, "disablethp=1"); kb != 0 {
		t.Fatalf("with GODEBUG=disablethp=1, %d KiB of the touched heap's mapping in huge pages: the reservation was not turned off", kb)
	}
}

// childHugeKB runs TestHugeHeapChild in a new process with GODEBUG set to
// godebug and returns the huge page KiB it reports.
func childHugeKB(t *testing.T, godebug string) int64 {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHugeHeapChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "TARCHECK_HUGEHEAP_CHILD=1", "GODEBUG="+godebug)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(l, "hugekb "); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err == nil {
				return n
			}
		}
	}
	t.Fatalf("child printed no huge page size:\n%s", out)
	return 0
}

// TestHugeHeapChild is TestReserveHugeHeap's child process.
func TestHugeHeapChild(t *testing.T) {
	if os.Getenv("TARCHECK_HUGEHEAP_CHILD") != "1" {
		t.Skip("run by TestReserveHugeHeap")
	}
	ReserveHugeHeap()
	runtime.GC()
	runtime.GC() // the reservation swept and free
	b := make([]byte, touchedBytes)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	// The middle of the buffer: its first bytes may lie before the first
	// huge page boundary of the reservation, in a mapping not advised.
	kb, err := HugePagesAt(unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), touchedBytes/2))
	if err != nil {
		t.Fatal(err)
	}
	runtime.KeepAlive(b)
	fmt.Printf("hugekb %d\n", kb>>10)
}
