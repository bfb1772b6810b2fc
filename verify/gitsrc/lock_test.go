package gitsrc

import (
	"context"
	"sync"
	"testing"
)

// Several openers of the same remote share one cache repository; with the
// cache lock their fetches of the same tag take turns instead of failing on
// git's ref and config locks. (flock locks belong to an open file, so
// Repos in one process contend as separate processes would.)
func TestConcurrentFetchesShareCache(t *testing.T) {
	requireTool(t, "git")
	work := smallRepo(t)
	root := t.TempDir()
	serveRepo(t, root, "small", work)
	srv := startHTTPServer(t, root)
	cache := t.TempDir()
	want := gitT(t, work, nil, "rev-parse", "v1.1^{commit}")

	const openers = 4
	var wg sync.WaitGroup
	commits := make([]string, openers)
	errs := make([]error, openers)
	for i := range openers {
		wg.Go(func() {
			ctx := context.Background()
			r, err := Open(ctx, srv.repoURL("small"), Options{CacheDir: cache})
			if err != nil {
				errs[i] = err
				return
			}
			tag, err := r.Resolve(ctx, "v1.1")
			if err != nil {
				errs[i] = err
				return
			}
			commits[i] = tag.Commit
		})
	}
	wg.Wait()
	for i := range openers {
		if errs[i] != nil {
			t.Errorf("opener %d: %v", i, errs[i])
		} else if commits[i] != want {
			t.Errorf("opener %d resolved v1.1 to %s, want %s", i, commits[i], want)
		}
	}
}
