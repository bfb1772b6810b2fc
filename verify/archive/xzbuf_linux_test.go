package archive

import (
	"os"
	"strings"
	"testing"
	"unsafe"

	"github.com/tarcheck/tarcheck/internal/profile"
)

// TestBlockBufferHugePages: a block buffer of 8 MiB starts on a huge page
// boundary, so that written whole it is all in huge pages (a few page
// faults, not one per 4 KiB page); a small one is exactly its size.
func TestBlockBufferHugePages(t *testing.T) {
	small, m, mapped := allocBlockBuffer(100 << 10)
	if !mapped || len(small) != 100<<10 || len(m) != 100<<10 {
		t.Fatalf("small buffer: len %d, mapping %d, mapped %v", len(small), len(m), mapped)
	}
	freeBlockBuffer(m)
	const n = 8 << 20
	buf, mapping, mapped := allocBlockBuffer(n)
	if !mapped || len(buf) != n || cap(buf) != n {
		t.Fatalf("buffer: len %d cap %d, mapped %v", len(buf), cap(buf), mapped)
	}
	defer freeBlockBuffer(mapping)
	if p := uintptr(unsafe.Pointer(unsafe.SliceData(buf))); p%blockAlign != 0 {
		t.Fatalf("buffer at %#x: not aligned to %d", p, blockAlign)
	}
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || strings.Contains(string(mode), "[never]") {
		t.Skipf("transparent huge pages are off (%q): the fault count is the kernel's", strings.TrimSpace(string(mode)))
	}
	for i := 0; i < n; i += 4096 {
		buf[i] = 1
	}
	huge, err := profile.HugePagesAt(unsafe.Pointer(unsafe.SliceData(buf)))
	if err != nil {
		t.Fatal(err)
	}
	if huge < n {
		t.Fatalf("%d MiB written: %d KiB of the buffer's mapping in huge pages", n>>20, huge>>10)
	}
}
