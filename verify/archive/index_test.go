package archive

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// TestMemberIndexMatchesMaps checks the compact index against the plain
// maps it replaced, on names with many case and normalisation collisions.
func TestMemberIndexMatchesMaps(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	parts := []string{"a", "A", "b", "B", "caf\u00e9", "cafe\u0301", "CAF\u00c9", "src", "Src", "m4", "M4", "x.c", "X.C"}
	x := newMemberIndex()
	seen := map[string]int{}
	folded := map[string]string{}
	for n := 0; n < 20000; n++ {
		var b strings.Builder
		for k := 0; k < 1+rng.IntN(4); k++ {
			if k > 0 {
				b.WriteByte('/')
			}
			b.WriteString(parts[rng.IntN(len(parts))])
		}
		p := b.String()
		i := x.lookup(p)
		ref, ok := seen[p]
		if ok != (i != noRec) || ok && i != ref {
			t.Fatalf("lookup(%q) = %d, want %d (present %v)", p, i, ref, ok)
		}
		if ok {
			continue
		}
		i = x.add(p, TypeRegular)
		seen[p] = i
		key := strings.ToLower(norm.NFC.String(p))
		j := x.foldedOwner(p, i)
		other, clash := folded[key]
		if clash != (j != noRec) || clash && x.pathString(j) != other {
			t.Fatalf("foldedOwner(%q) = %d, want owner %q (clash %v)", p, j, other, clash)
		}
		if !clash {
			folded[key] = p
		}
	}
	for p, i := range seen {
		if got := x.pathString(i); got != p {
			t.Fatalf("record %d holds %q, want %q", i, got, p)
		}
	}
	if len(seen) < 1000 {
		t.Fatalf("only %d distinct names: the test is not exercising growth", len(seen))
	}
}

// TestMemberRecSizes: sizes round-trip through the 5-byte field and the
// overflow map, and only records set as files report content.
func TestMemberRecSizes(t *testing.T) {
	x := newMemberIndex()
	sizes := []int64{0, 1, 255, 1 << 32, maxRecSize - 1, maxRecSize, maxRecSize + 1, 5 << 40}
	for k, size := range sizes {
		i := x.add(fmt.Sprint("f", k), TypeRegular)
		x.setFile(i, [20]byte{byte(k)}, size)
	}
	dir := x.add("d", TypeDir)
	for k, size := range sizes {
		blob, got, ok := x.file(k)
		if !ok || got != size || blob[0] != byte(k) || x.typ(k) != TypeRegular {
			t.Fatalf("record %d: size %d, blob %d, ok %v, type %v; want %d", k, got, blob[0], ok, x.typ(k), size)
		}
	}
	if _, _, ok := x.file(dir); ok || x.typ(dir) != TypeDir {
		t.Fatalf("a directory reports content (or type %v)", x.typ(dir))
	}
}

func BenchmarkMemberIndex(b *testing.B) {
	names := make([]string, 80000)
	for i := range names {
		names[i] = fmt.Sprintf("rel-1.0/drivers/sub%03d/Part%05d/file_%d.c", i%997, i/13, i)
	}
	b.ReportAllocs()
	for b.Loop() {
		x := newMemberIndex()
		for _, p := range names {
			if x.lookup(p) == noRec {
				i := x.add(p, TypeRegular)
				x.foldedOwner(p, i)
			}
		}
	}
}
