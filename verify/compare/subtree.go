package compare

import (
	"context"
	"strings"
)

// Subtree is the part of the index under the directory dir ("crates/foo"),
// with dir and its slash stripped from every path, in git's order: the tree
// a release packaged from that directory (a crate of a Cargo workspace) is
// compared with. It is empty when dir holds no file; dir "" is x itself.
func (x *Index) Subtree(dir string) *Index {
	dir = strings.Trim(dir, "/")
	if dir == "" {
		return x
	}
	sub := NewIndex()
	prefix := dir + "/"
	for p, g := range x.All() {
		if rel, ok := strings.CutPrefix(p, prefix); ok && rel != "" {
			sub.Add(rel, g.Mode, g.ID)
		}
	}
	return sub
}

// Again compares the same archive, with the root r found, against another
// tree idx (the subtree the release names as its origin) in one more pass,
// and returns that comparison.
func (r *Result) Again(ctx context.Context, idx *Index) (*Result, error) {
	n := &Result{Index: idx, tarball: r.tarball, opts: r.opts}
	res, err := n.walk(ctx, nil, r.Root, true)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	n.Archive = res
	n.count()
	return n, nil
}
