package gitsrc

import (
	"context"
	"testing"
)

func TestHistoryChanges(t *testing.T) {
	requireTool(t, "git")
	dir := smallRepo(t)
	gitT(t, dir, nil, "rm", "--quiet", "m4/foo.m4")
	writeFiles(t, dir, map[string]string{"m4/odd name\n.m4": "dnl odd\n"})
	gitT(t, dir, nil, "add", "-A")
	gitT(t, dir, nil, "commit", "--quiet", "-m", "drop foo")
	ctx := context.Background()
	r, err := Open(ctx, dir, Options{Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []HistoryChange
	if err := r.HistoryChanges(ctx, []string{"m4/"}, func(c HistoryChange) error { got = append(got, c); return nil }); err != nil {
		t.Fatal(err)
	}
	// Newest first: the deletion and the odd name, then three versions of foo.m4.
	if len(got) != 5 {
		t.Fatalf("HistoryChanges = %d changes, want 5: %+v", len(got), got)
	}
	var dels, adds, mods int
	blobs := map[string]bool{}
	for _, c := range got {
		switch c.Status {
		case 'D':
			dels++
			if c.Path != "m4/foo.m4" || c.Mode != 0 {
				t.Errorf("deletion %+v", c)
			}
		case 'A':
			adds++
			blobs[c.Blob] = true
		case 'M':
			mods++
			blobs[c.Blob] = true
		}
		if c.Time.IsZero() || len(c.Commit) != 40 {
			t.Errorf("change without commit or date: %+v", c)
		}
	}
	if dels != 1 || adds != 2 || mods != 2 || len(blobs) != 4 {
		t.Errorf("changes: %d deleted, %d added, %d modified, %d blobs", dels, adds, mods, len(blobs))
	}
	if got[0].Path != "m4/odd name\n.m4" && got[1].Path != "m4/odd name\n.m4" {
		t.Errorf("a path with a newline was not kept byte for byte: %q, %q", got[0].Path, got[1].Path)
	}
	want := gitT(t, dir, nil, "rev-parse", "HEAD~1:m4/foo.m4")
	if !blobs[want] {
		t.Errorf("blob %s of foo.m4 at v1.2 missing", want)
	}
}
