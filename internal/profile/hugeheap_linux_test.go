package profile

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// touchedBytes is how much fresh heap the child touches after the
// reservation: 4,096 pages of 4 KiB, or 8 huge ones.
const touchedBytes = 16 << 20

// TestReserveHugeHeap runs a fresh process (this test binary) that
// reserves, then touches touchedBytes of fresh heap, and counts its page
// faults: a handful with huge pages; with GODEBUG=disablethp=1, the Go
// runtime's switch, one per 4 KiB page (in the kernel's default madvise
// mode unadvised memory gets no huge page).
func TestReserveHugeHeap(t *testing.T) {
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || strings.Contains(string(mode), "[never]") {
		t.Skipf("transparent huge pages are off on this kernel (%q): nothing to reserve", strings.TrimSpace(string(mode)))
	}
	pages := int64(touchedBytes / 4096)
	if f := childFaults(t, ""); f > pages/4 {
		t.Fatalf("touching %d MiB of fresh heap after the reservation took %d page faults (of %d pages): no huge pages", touchedBytes>>20, f, pages)
	}
	if !strings.Contains(string(mode), "[madvise]") {
		return
	}
	if f := childFaults(t, "disablethp=1"); f < pages/2 {
		t.Fatalf("touching %d MiB with GODEBUG=disablethp=1 took only %d page faults (of %d pages): the reservation was not turned off", touchedBytes>>20, f, pages)
	}
}

// childFaults runs TestHugeHeapChild in a new process with GODEBUG set to
// godebug and returns the page faults it reports.
func childFaults(t *testing.T, godebug string) int64 {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHugeHeapChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "TARCHECK_HUGEHEAP_CHILD=1", "GODEBUG="+godebug)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(l, "faults "); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err == nil {
				return n
			}
		}
	}
	t.Fatalf("child printed no fault count:\n%s", out)
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
	before := minorFaults(t)
	b := make([]byte, touchedBytes)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	faults := minorFaults(t) - before
	runtime.KeepAlive(b)
	fmt.Printf("faults %d\n", faults)
}

func minorFaults(t *testing.T) int64 {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return ru.Minflt
}
