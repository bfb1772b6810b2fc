package compare

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tarcheck/tarcheck/verify/archive"
)

// TestGitIndex checks lookups, order and duplicate handling of the compact
// tree index.
func TestGitIndex(t *testing.T) {
	x := NewIndex()
	paths := []string{"b", "a/b", "a.c", "a/a", "z", "a-b", "b"}
	for i, p := range paths {
		x.Add(p, 0o100644, [20]byte{byte(i)})
	}
	var got []string
	for p := range x.All() {
		got = append(got, p)
	}
	if want := "[b a/b a.c a/a z a-b]"; fmt.Sprint(got) != want {
		t.Fatalf("order %v, want %s", got, want)
	}
	if x.Len() != 6 {
		t.Fatalf("len %d, want 6", x.Len())
	}
	for i, p := range paths {
		g := x.Get(p)
		if g == nil {
			t.Fatalf("get(%q) = %v", p, g)
		}
		if p == "b" && g.ID[0] != 6 {
			t.Fatalf("duplicate path keeps id %d, want the last (6)", g.ID[0])
		} else if p != "b" && g.ID[0] != byte(i) {
			t.Fatalf("get(%q) has id %d, want %d", p, g.ID[0], i)
		}
	}
	for _, p := range []string{"", "a", "a/", "c", "zz"} {
		if g := x.Get(p); g != nil {
			t.Fatalf("get(%q) = %x, want nil", p, g.ID)
		}
	}
	var nilIndex *Index
	if nilIndex.Get("a") != nil || nilIndex.Len() != 0 {
		t.Fatal("a nil index must be empty")
	}
}

// TestHugeTreeBlockMemory: past hugeTreeFiles files in the tag, the walk
// is given the smaller xz block budget; below, the default.
func TestHugeTreeBlockMemory(t *testing.T) {
	x := NewIndex()
	for i := range hugeTreeFiles {
		x.Add(fmt.Sprintf("d%d/f%d", i%1000, i), 0o100644, [20]byte{})
	}
	if got := ArchiveOptions(x, archive.Limits{}, 0).BlockMemory; got != 0 {
		t.Fatalf("%d files: BlockMemory %d, want the default", x.Len(), got)
	}
	x.Add("one/more", 0o100644, [20]byte{})
	if got := ArchiveOptions(x, archive.Limits{}, 0).BlockMemory; got != hugeTreeBlockMemory {
		t.Fatalf("%d files: BlockMemory %d, want %d", x.Len(), got, hugeTreeBlockMemory)
	}
}

// Subtree keeps only the files under the directory, with the directory
// stripped, and not those of a sibling whose name merely starts alike.
func TestIndexSubtree(t *testing.T) {
	x := NewIndex()
	for i, p := range []string{"Cargo.toml", "crates/foo/Cargo.toml", "crates/foo/src/lib.rs", "crates/foobar/x", "crates/foo"} {
		x.Add(p, 0o100644, [20]byte{byte(i + 1)})
	}
	sub := x.Subtree("crates/foo/")
	var got []string
	for p, g := range sub.All() {
		got = append(got, p)
		if x.Get("crates/foo/"+p).ID != g.ID {
			t.Errorf("%s: id not kept", p)
		}
	}
	if strings.Join(got, ",") != "Cargo.toml,src/lib.rs" {
		t.Errorf("subtree = %v", got)
	}
	if x.Subtree("") != x || x.Subtree("none").Len() != 0 {
		t.Error("empty or missing directory")
	}
}

// TestIndexByID finds the first file (git's order) holding a blob, ids
// that share their first 8 bytes apart, and only the files keep selects
// (IsRegular: no symlink, no gitlink).
func TestIndexByID(t *testing.T) {
	x := NewIndex()
	id := func(prefix, last byte) [20]byte { return [20]byte{0: prefix, 19: last} }
	x.Add("a.c", 0o100644, id(1, 1))
	x.Add("a/b", 0o100644, id(1, 2)) // same first 8 bytes, another blob
	x.Add("b/copy", 0o100644, id(1, 1))
	x.Add("link", 0o120000, id(2, 0))
	x.Add("sub", 0o160000, id(4, 0))
	x.Add("z", 0o100644, id(3, 0))
	by := x.ByID(IsRegular)
	for _, c := range []struct {
		id   [20]byte
		want string
	}{{id(1, 1), "a.c"}, {id(1, 2), "a/b"}, {id(3, 0), "z"}, {id(2, 0), ""}, {id(4, 0), ""}, {id(1, 3), ""}, {id(0, 0), ""}, {id(9, 9), ""}} {
		got, ok := by.First(c.id)
		if got != c.want || ok != (c.want != "") || by.Has(c.id) != ok {
			t.Errorf("First(%x) = %q, %v (Has %v); want %q", c.id, got, ok, by.Has(c.id), c.want)
		}
	}
	var none *ByID
	if _, ok := none.First(id(1, 1)); ok || none.Has(id(1, 1)) {
		t.Error("a nil table finds a file")
	}
}
