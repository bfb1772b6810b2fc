package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/tarcheck/tarcheck/verify/gitsrc"
	"github.com/tarcheck/tarcheck/verify/history"
	"github.com/tarcheck/tarcheck/verify/sig"
)

func main() {
	ctx := context.Background()
	r, err := gitsrc.Open(ctx, os.Args[1], gitsrc.Options{})
	if err != nil {
		panic(err)
	}
	start := time.Now()
	cur, err := r.Resolve(ctx, os.Args[2])
	if err != nil {
		panic(err)
	}
	spec := ""
	if len(os.Args) > 3 {
		spec = os.Args[3]
	}
	pn, err := r.PreviousTag(ctx, cur, spec)
	fmt.Println("previous:", pn, err, time.Since(start))
	prev, err := r.Resolve(ctx, pn)
	if err != nil {
		panic(err)
	}
	in := history.DriftInput{Previous: prev.Name, Current: cur.Name, CheckCommitters: true}
	in.Changes, _ = r.DiffTrees(ctx, prev.Tree, cur.Tree)
	in.Commits, _ = r.Log(ctx, prev.Commit, cur.Commit, nil)
	older, _ := r.PreviousTags(ctx, prev, 3)
	from := ""
	if len(older) > 0 {
		o, _ := r.Resolve(ctx, older[len(older)-1])
		from = o.Commit
	}
	fmt.Println("earlier window:", older)
	in.Earlier, _ = r.Log(ctx, from, prev.Commit, history.BuildPaths(in.Changes))
	r.ListTree(ctx, cur.Tree, func(e gitsrc.TreeEntry) error { in.Tree = append(in.Tree, e); return nil })
	b, _ := r.OpenBlobs(ctx)
	in.Blobs = b
	d, fs := history.Drift(in)
	fmt.Println("changes", len(in.Changes), "commits", len(in.Commits), "earlier", len(in.Earlier), "elapsed", time.Since(start))
	for _, f := range fs {
		j, _ := json.Marshal(f)
		fmt.Println(string(j))
	}
	fmt.Println("binaries:", len(d.Binaries), "build files:", len(d.BuildFiles))
	for _, b := range d.Binaries {
		fmt.Println(" ", b.Path, b.Status, b.Type, b.Size, b.ReferencedBy, len(b.Commits))
	}
	var sg [2][]history.Signer
	for i, t := range []*gitsrc.Tag{prev, cur} {
		pt, err := sig.ParseTag(t.Raw)
		if err != nil {
			continue
		}
		res := sig.VerifyTag(pt, sig.TagPolicy{}, time.Now())
		if s, ok := history.SignerFromResult(res); ok {
			sg[i] = append(sg[i], s)
		}
	}
	h, sf := history.Signers(history.SignerInput{Previous: prev.Name, Current: cur.Name, PreviousSigners: sg[0], CurrentSigners: sg[1]})
	j, _ := json.Marshal(h)
	fmt.Println(string(j))
	for _, f := range sf {
		j, _ := json.Marshal(f)
		fmt.Println(string(j))
	}
}
