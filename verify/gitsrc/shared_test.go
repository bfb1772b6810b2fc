package gitsrc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// TestShareBlobs: with ShareBlobs, the tags a repository and its twin
// resolve, the commits of its log and the blobs their readers read, from
// many goroutines at once,
// go through one cat-file process (counted by a git wrapper), with the
// same answers as unshared; closing a handle leaves the process to the
// others, and once the run ends it every read fails with ErrBlobsEnded.
func TestShareBlobs(t *testing.T) {
	requireTool(t, "git")
	ctx := context.Background()
	work := smallRepo(t)
	real, err := Open(ctx, work, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := real.Resolve(ctx, "v1.2")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "git.log")
	wrapper := filepath.Join(dir, "git")
	script := fmt.Sprintf("#!/bin/sh\necho \"$*\" >>%q\nexec %q \"$@\"\n", log, real.git)
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	r, err := Open(ctx, work, Options{Git: wrapper})
	if err != nil {
		t.Fatal(err)
	}
	end := r.ShareBlobs(ctx)
	got, err := r.Resolve(ctx, "v1.2")
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("shared Resolve = %+v, %v; unshared %+v", got, err, want)
	}
	if _, err := r.Resolve(ctx, "v9.9"); !errors.Is(err, ErrTagNotFound) {
		t.Fatalf("shared Resolve of a missing tag: %v, want ErrTagNotFound", err)
	}
	first, err := real.Resolve(ctx, "v1.0")
	if err != nil {
		t.Fatal(err)
	}
	wantLog, err := real.Log(ctx, first.Commit, want.Commit, nil)
	if err != nil {
		t.Fatal(err)
	}
	gotLog, err := r.Log(ctx, first.Commit, want.Commit, nil)
	if err != nil || len(gotLog) != 2 || !reflect.DeepEqual(gotLog, wantLog) {
		t.Fatalf("shared Log = %+v, %v; unshared %+v", gotLog, err, wantLog)
	}
	tree := listTree(t, ctx, real, want.Tree)
	twin, ok := r.Twin()
	if !ok {
		t.Fatal("no twin of a local repository")
	}
	var handles []*Blobs
	for _, repo := range []*Repo{r, twin, r} {
		b, err := repo.OpenBlobs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		handles = append(handles, b)
	}
	if err := handles[2].Close(); err != nil {
		t.Fatalf("closing a shared handle: %v", err)
	}
	files := map[string]string{"README": "hello 1.2\n", "src/main.c": "int main(void) { return 2; }\n"}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 8 {
		wg.Go(func() {
			b := handles[g%2]
			for i := range 40 {
				p := "README"
				if (g+i)%2 == 1 {
					p = "src/main.c"
				}
				c, err := b.Read(tree[p].ID)
				if err != nil || string(c) != files[p] {
					errs <- fmt.Errorf("read %s = %q, %v", p, c, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := end(); err != nil {
		t.Fatalf("ending the shared reader: %v", err)
	}
	if _, err := handles[1].Read(tree["README"].ID); !errors.Is(err, ErrBlobsEnded) {
		t.Errorf("read after the end: %v, want ErrBlobsEnded", err)
	}
	out, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(out), "cat-file --batch"); n != 1 {
		t.Errorf("%d cat-file processes started, want 1:\n%s", n, out)
	}
}

// TestSharedReadNamesInStep: 600 names through the shared process (three
// writes of namesPerWrite), present and missing ones mixed, come back in
// order; an error from the callback stops the reading and leaves the
// process in step for the next reader.
func TestSharedReadNamesInStep(t *testing.T) {
	requireTool(t, "git")
	ctx := context.Background()
	work := smallRepo(t)
	r, err := Open(ctx, work, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.ShareBlobs(ctx)()
	tag, err := r.Resolve(ctx, "v1.2")
	if err != nil {
		t.Fatal(err)
	}
	tree := listTree(t, ctx, r, tag.Tree)
	readme, main := tree["README"].ID, tree["src/main.c"].ID
	names := make([]string, 600)
	for i := range names {
		switch i % 3 {
		case 0:
			names[i] = readme
		case 1:
			names[i] = main
		default:
			names[i] = strings.Repeat("0", 40)
		}
	}
	n := 0
	err = r.streamBatch(ctx, names, func(i int) bool { return i%3 == 0 }, func(i int, o batchObject) error {
		n++
		switch {
		case i%3 == 0 && (o.id != readme || string(o.data) != "hello 1.2\n"):
			return fmt.Errorf("answer %d: %+v, want README", i, o)
		case i%3 == 1 && (o.id != main || o.data != nil):
			return fmt.Errorf("answer %d: %+v, want src/main.c without content", i, o)
		case i%3 == 2 && !o.missing:
			return fmt.Errorf("answer %d: %+v, want missing", i, o)
		}
		return nil
	})
	if err != nil || n != len(names) {
		t.Fatalf("%d answers, %v", n, err)
	}
	stop := errors.New("enough")
	err = r.streamBatch(ctx, names, func(int) bool { return true }, func(i int, o batchObject) error {
		if i == 10 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Fatalf("callback error: %v, want it returned", err)
	}
	b, err := r.OpenBlobs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := b.Read(main); err != nil || string(c) != "int main(void) { return 2; }\n" {
		t.Fatalf("read after a stopped batch = %q, %v", c, err)
	}
}

// TestReadMany: ReadMany gives, object for object, what Read gives (the
// content, a missing object's error), on a process of its own and through
// the shared one, stops at the callback's error with the process in step,
// and refuses a name that is no object id.
func TestReadMany(t *testing.T) {
	requireTool(t, "git")
	ctx := context.Background()
	work := smallRepo(t)
	for _, shared := range []bool{false, true} {
		r, err := Open(ctx, work, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if shared {
			defer r.ShareBlobs(ctx)()
		}
		tag, err := r.Resolve(ctx, "v1.2")
		if err != nil {
			t.Fatal(err)
		}
		tree := listTree(t, ctx, r, tag.Tree)
		b, err := r.OpenBlobs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ids := []string{tree["README"].ID, strings.Repeat("0", 40), tree["docs/manual.txt"].ID, tree["src/main.c"].ID}
		var got []string
		err = b.ReadMany(ids, func(i int, c []byte, err error) error {
			got = append(got, fmt.Sprintf("%d:%d:%v", i, len(c), err != nil))
			return nil
		})
		want := []string{"0:10:false", "1:0:true", fmt.Sprintf("2:%d:false", len(strings.Repeat("manual 1.2\n", 100))), "3:29:false"}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("shared %v: ReadMany = %v, %v; want %v", shared, got, err, want)
		}
		stop := errors.New("stop")
		n := 0
		if err := b.ReadMany(ids, func(int, []byte, error) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
			t.Errorf("shared %v: callback error: %v after %d calls", shared, err, n)
		}
		if c, err := b.Read(tree["README"].ID); err != nil || string(c) != "hello 1.2\n" {
			t.Errorf("shared %v: read after ReadMany = %q, %v", shared, c, err)
		}
		if err := b.ReadMany([]string{"HEAD"}, func(int, []byte, error) error { return nil }); err == nil {
			t.Errorf("shared %v: ReadMany took a name that is no object id", shared)
		}
		b.Close()
	}
}
