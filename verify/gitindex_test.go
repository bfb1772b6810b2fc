package verify

import (
	"fmt"
	"testing"
)

// TestGitIndex checks lookups, order and duplicate handling of the compact
// tree index.
func TestGitIndex(t *testing.T) {
	x := newGitIndex()
	paths := []string{"b", "a/b", "a.c", "a/a", "z", "a-b", "b"}
	for i, p := range paths {
		x.add(p, 0o100644, [20]byte{byte(i)})
	}
	var got []string
	for p := range x.all() {
		got = append(got, p)
	}
	if want := "[b a/b a.c a/a z a-b]"; fmt.Sprint(got) != want {
		t.Fatalf("order %v, want %s", got, want)
	}
	if x.len() != 6 {
		t.Fatalf("len %d, want 6", x.len())
	}
	for i, p := range paths {
		g := x.get(p)
		if g == nil {
			t.Fatalf("get(%q) = %v", p, g)
		}
		if p == "b" && g.id[0] != 6 {
			t.Fatalf("duplicate path keeps id %d, want the last (6)", g.id[0])
		} else if p != "b" && g.id[0] != byte(i) {
			t.Fatalf("get(%q) has id %d, want %d", p, g.id[0], i)
		}
	}
	for _, p := range []string{"", "a", "a/", "c", "zz"} {
		if g := x.get(p); g != nil {
			t.Fatalf("get(%q) = %x, want nil", p, g.id)
		}
	}
	var nilIndex *gitIndex
	if nilIndex.get("a") != nil || nilIndex.len() != 0 {
		t.Fatal("a nil index must be empty")
	}
}

// TestHugeTreeBlockMemory: past HugeTreeFiles files in the tag, the walk
// is given the smaller xz block budget; below, the default.
func TestHugeTreeBlockMemory(t *testing.T) {
	p := &pipeline{git: newGitIndex()}
	for i := range HugeTreeFiles {
		p.git.add(fmt.Sprintf("d%d/f%d", i%1000, i), 0o100644, [20]byte{})
	}
	if got := p.archiveOptions(0).BlockMemory; got != 0 {
		t.Fatalf("%d files: BlockMemory %d, want the default", p.git.len(), got)
	}
	p.git.add("one/more", 0o100644, [20]byte{})
	if got := p.archiveOptions(0).BlockMemory; got != HugeTreeBlockMemory {
		t.Fatalf("%d files: BlockMemory %d, want %d", p.git.len(), got, HugeTreeBlockMemory)
	}
}
