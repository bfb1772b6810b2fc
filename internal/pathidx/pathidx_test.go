package pathidx

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// checkAgainstMap adds paths to an Index and to a map and checks that both
// agree on every lookup, number and reconstructed path.
func checkAgainstMap(t testing.TB, paths []string) {
	x := New()
	ref := map[string]int{}
	for _, p := range paths {
		if got, want := x.Lookup(p), lookup(ref, p); got != want {
			t.Fatalf("Lookup(%q) before Add = %d, want %d", p, got, want)
		}
		i, added := x.Add(p)
		want, had := ref[p]
		if had && (added || i != want) {
			t.Fatalf("Add(%q) of a known path = %d, %v; want %d, false", p, i, added, want)
		}
		if !had {
			if !added || i != len(ref) {
				t.Fatalf("Add(%q) = %d, %v; want %d, true", p, i, added, len(ref))
			}
			ref[p] = i
		}
	}
	if x.Len() != len(ref) {
		t.Fatalf("Len = %d, want %d", x.Len(), len(ref))
	}
	for p, i := range ref {
		if got := x.Lookup(p); got != i {
			t.Fatalf("Lookup(%q) = %d, want %d", p, got, i)
		}
		if got := x.Path(i); got != p {
			t.Fatalf("Path(%d) = %q, want %q", i, got, p)
		}
		for _, q := range []string{p + "/", p + "x", "/" + p, strings.TrimSuffix(p, "/")} {
			if got, want := x.Lookup(q), lookup(ref, q); got != want {
				t.Fatalf("Lookup(%q) = %d, want %d", q, got, want)
			}
		}
	}
}

func lookup(m map[string]int, p string) int {
	if i, ok := m[p]; ok {
		return i
	}
	return -1
}

func TestIndexMatchesMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	parts := []string{"", ".", "..", "a", "b", "src", "caf\u00e9", "a b", "x.c", "Makefile.in", "m4"}
	var paths []string
	for range 30000 {
		var b strings.Builder
		for k := 0; k < 1+rng.IntN(6); k++ {
			if k > 0 {
				b.WriteByte('/')
			}
			b.WriteString(parts[rng.IntN(len(parts))])
		}
		paths = append(paths, b.String())
	}
	paths = append(paths, "", "/", "//", "a/", "/a", "a//b")
	checkAgainstMap(t, paths)
}

// TestFileAndDirOfOneName: "a" as a file and "a" as a directory are
// different entries, as in a tar with both "a" and "a/b".
func TestFileAndDirOfOneName(t *testing.T) {
	x := New()
	f, _ := x.Add("a")
	g, _ := x.Add("a/b")
	if f == g || x.Lookup("a") != f || x.Lookup("a/b") != g || x.Path(g) != "a/b" {
		t.Fatalf("a=%d a/b=%d lookups %d %d", f, g, x.Lookup("a"), x.Lookup("a/b"))
	}
}

func TestTableSameKey(t *testing.T) {
	var tab Table
	keys := make([]string, 2000)
	for i := range keys {
		keys[i] = fmt.Sprint("k", i)
		tab.Insert(7, i, func(int) uint32 { return 7 })
	}
	for i, k := range keys {
		if got := tab.Find(7, func(j int) bool { return keys[j] == k }); got != i {
			t.Fatalf("Find(%q) = %d, want %d", k, got, i)
		}
	}
	if tab.Find(7, func(int) bool { return false }) != -1 || tab.Find(8, func(j int) bool { return keys[j] == "k" }) != -1 {
		t.Fatal("Find of an absent key found something")
	}
}

func TestSlice(t *testing.T) {
	var s Slice[int]
	var ptrs []*int
	for i := range 10000 {
		if got := s.Append(i * 3); got != i {
			t.Fatalf("Append returned %d, want %d", got, i)
		}
		ptrs = append(ptrs, s.At(i))
	}
	for i, p := range ptrs {
		if *p != i*3 || s.At(i) != p {
			t.Fatalf("element %d = %d (pointer moved: %v)", i, *p, s.At(i) != p)
		}
	}
	if s.Len() != 10000 || s.MemBytes(8) != 3*4096*8 {
		t.Fatalf("Len %d, MemBytes %d", s.Len(), s.MemBytes(8))
	}
}

// TestLongNames: names longer than an arena chunk, and chunks filled to
// the brim.
func TestLongNames(t *testing.T) {
	var paths []string
	for i := range 200 {
		paths = append(paths, fmt.Sprintf("d%d/%s", i%7, strings.Repeat(string(rune('a'+i%26)), 1+i*i%70000)))
	}
	checkAgainstMap(t, paths)
}

func FuzzIndex(f *testing.F) {
	f.Add("a/b\na\na/b\n/x//y\n\nrel-1.0/m4/build-to-host.m4")
	f.Add("caf\u00e9/\u00e9\nCAF\u00c9")
	f.Fuzz(func(t *testing.T, s string) {
		checkAgainstMap(t, strings.Split(s, "\n"))
	})
}

// kernelPaths is a tree of the Linux kernel's shape: n files in about
// n/16 directories up to 6 deep, 45-byte paths on average.
func kernelPaths(n int) []string {
	rng := rand.New(rand.NewPCG(5, 6))
	dirs := []string{"rel-1.0"}
	for len(dirs) < n/16 {
		parent := dirs[rng.IntN(len(dirs))]
		if strings.Count(parent, "/") < 6 {
			dirs = append(dirs, fmt.Sprintf("%s/sub%d", parent, rng.IntN(1000)))
		}
	}
	paths := make([]string, n)
	for i := range paths {
		paths[i] = fmt.Sprintf("%s/file_%d.c", dirs[rng.IntN(len(dirs))], i)
	}
	return paths
}

func BenchmarkIndexAdd(b *testing.B) {
	paths := kernelPaths(80000)
	var total int
	for _, p := range paths {
		total += len(p)
	}
	b.ReportAllocs()
	var x *Index
	for b.Loop() {
		x = New()
		for _, p := range paths {
			x.Add(p)
		}
	}
	b.ReportMetric(float64(x.MemBytes())/float64(len(paths)), "B/path")
	b.ReportMetric(float64(total)/float64(len(paths)), "pathlen")
}

func BenchmarkLookup(b *testing.B) {
	paths := kernelPaths(80000)
	x := New()
	for _, p := range paths {
		x.Add(p)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if x.Lookup(paths[i%len(paths)]) < 0 {
			b.Fatal("missing")
		}
		i++
	}
}
