package gitsrc

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// remoteCase exercises the remote path end to end against a served copy of
// smallRepo: tag listing, a partial fetch of one tag, the tree, a batched
// fetch of two blobs (and only those), reads, and a warm cache.
func remoteCase(t *testing.T, srv *gitServer, work string) {
	ctx := context.Background()
	served := filepath.Join(srv.Root, "small.git")
	url := srv.repoURL("small")
	cache := t.TempDir()
	var log logRecorder
	r, err := Open(ctx, url, Options{CacheDir: cache, Logf: log.logf})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if r.Remote != url || r.GitDir == "" || !strings.HasPrefix(r.GitDir, cache) {
		t.Fatalf("Open: Remote=%q GitDir=%q", r.Remote, r.GitDir)
	}

	tags, err := r.Tags(ctx)
	if err != nil {
		t.Fatalf("Tags: %v", err)
	}
	if want := []string{"v1.0", "v1.1", "v1.2"}; !reflect.DeepEqual(tags, want) {
		t.Fatalf("Tags = %v, want %v", tags, want)
	}

	tag, err := r.Resolve(ctx, "v1.1")
	if err != nil {
		t.Fatalf("Resolve: %v\n%s", err, log.String())
	}
	if want := gitT(t, served, nil, "rev-parse", "refs/tags/v1.1"); tag.Object != want {
		t.Errorf("tag object %s, want %s", tag.Object, want)
	}
	if want := gitT(t, served, nil, "rev-parse", "v1.1^{commit}"); tag.Commit != want {
		t.Errorf("commit %s, want %s", tag.Commit, want)
	}
	if want := gitT(t, served, nil, "rev-parse", "v1.1^{tree}"); tag.Tree != want {
		t.Errorf("tree %s, want %s", tag.Tree, want)
	}
	if !bytes.Contains(tag.Raw, []byte("\ntag v1.1\n")) || tag.CommitTime.IsZero() {
		t.Errorf("tag raw %q, commit time %v", tag.Raw, tag.CommitTime)
	}
	if !log.contains("tree only, no blobs") {
		t.Errorf("log does not mention a partial fetch:\n%s", log.String())
	}

	got := listTree(t, ctx, r, tag.Tree)
	want := lsTree(t, served, "v1.1")
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ListTree = %v\nwant %v", got, want)
	}

	// The partial fetch brought no blobs.
	var all []string
	for _, e := range got {
		all = append(all, e.ID)
	}
	missing, err := r.missingBlobs(ctx, tag.Tree, all)
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) != len(distinct(all)) {
		t.Fatalf("after Resolve %d of %d blobs present; want none", len(distinct(all))-len(missing), len(distinct(all)))
	}

	// Prefetch two differing blobs: exactly those arrive.
	need := []string{got["src/main.c"].ID, got["README"].ID}
	if err := r.Prefetch(ctx, tag.Tree, need); err != nil {
		t.Fatalf("Prefetch: %v\n%s", err, log.String())
	}
	missing, err = r.missingBlobs(ctx, tag.Tree, all)
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) != len(distinct(all))-2 {
		t.Fatalf("after Prefetch %d blobs still missing, want %d", len(missing), len(distinct(all))-2)
	}
	for _, id := range need {
		for _, m := range missing {
			if m == id {
				t.Fatalf("blob %s still missing after Prefetch", id)
			}
		}
	}

	b, err := r.OpenBlobs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for _, p := range []string{"src/main.c", "README", "docs/manual.txt"} { // the last is fetched lazily
		c, err := b.Read(got[p].ID)
		if err != nil {
			t.Fatalf("Read %s: %v", p, err)
		}
		if w := gitT(t, served, nil, "cat-file", "blob", got[p].ID); string(bytes.TrimSpace(c)) != w {
			t.Errorf("Read %s = %q, want %q", p, c, w)
		}
	}

	ign, subst, err := r.Attributes(ctx, tag.Tree, t.TempDir(), []string{"ci/build.sh", "version.h", "README"})
	if err != nil {
		t.Fatalf("Attributes: %v", err)
	}
	if !ign["ci/build.sh"] || !subst["version.h"] || ign["README"] || subst["README"] {
		t.Errorf("Attributes: ignore=%v subst=%v", ign, subst)
	}

	if _, err := r.Resolve(ctx, "v9.9"); !errors.Is(err, ErrTagNotFound) {
		t.Errorf("Resolve(v9.9) = %v, want ErrTagNotFound", err)
	}

	// A second run on the warm cache resolves another tag too.
	r2, err := Open(ctx, url, Options{CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	if r2.GitDir != r.GitDir {
		t.Errorf("cache repository changed: %s then %s", r.GitDir, r2.GitDir)
	}
	tag2, err := r2.Resolve(ctx, "v1.2")
	if err != nil {
		t.Fatalf("Resolve v1.2: %v", err)
	}
	if want := gitT(t, served, nil, "rev-parse", "v1.2^{tree}"); tag2.Tree != want {
		t.Errorf("v1.2 tree %s, want %s", tag2.Tree, want)
	}
}

func distinct(ids []string) map[string]bool {
	m := map[string]bool{}
	for _, id := range ids {
		m[id] = true
	}
	return m
}

func TestRemoteHTTP(t *testing.T) {
	requireTool(t, "git")
	work := smallRepo(t)
	root := t.TempDir()
	serveRepo(t, root, "small", work)
	srv := startHTTPServer(t, root)
	remoteCase(t, srv, work)
	if srv.Requests.Load() == 0 {
		t.Fatal("the HTTP server saw no request")
	}
}

func TestRemoteDaemon(t *testing.T) {
	requireTool(t, "git")
	work := smallRepo(t)
	root := t.TempDir()
	serveRepo(t, root, "small", work)
	srv := startDaemon(t, root)
	remoteCase(t, srv, work)
}

func TestHTTPWarning(t *testing.T) {
	requireTool(t, "git")
	var log logRecorder
	if _, err := Open(context.Background(), "http://127.0.0.1:1/x.git", Options{CacheDir: t.TempDir(), Logf: log.logf}); err != nil {
		t.Fatal(err)
	}
	if !log.contains("plain http") {
		t.Fatalf("no warning for http://: %q", log.String())
	}
	for _, src := range []string{"git@127.0.0.1:x.git", "ssh://127.0.0.1/x.git"} {
		r, err := Open(context.Background(), src, Options{CacheDir: t.TempDir()})
		if err != nil || r.Remote != src {
			t.Errorf("Open(%s) = %+v, %v; want a remote", src, r, err)
		}
	}
	log = logRecorder{}
	if _, err := Open(context.Background(), "https://127.0.0.1:1/x.git", Options{CacheDir: t.TempDir(), Logf: log.logf}); err != nil {
		t.Fatal(err)
	}
	if log.contains("plain http") {
		t.Fatalf("warning for https://: %q", log.String())
	}
}

func TestNetworkError(t *testing.T) {
	requireTool(t, "git")
	ctx := context.Background()
	root := t.TempDir()
	srv := startHTTPServer(t, root) // serves nothing
	r, err := Open(ctx, srv.repoURL("absent"), Options{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Tags(ctx); !errors.Is(err, ErrNetwork) {
		t.Errorf("Tags = %v, want ErrNetwork", err)
	}
	if _, err := r.Resolve(ctx, "v1.0"); !errors.Is(err, ErrNetwork) {
		t.Errorf("Resolve = %v, want ErrNetwork", err)
	}

	// A server asking for credentials gets no prompt and no helper: a
	// prompt would hang here.
	auth := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
		http.Error(w, "auth", http.StatusUnauthorized)
	}))
	defer auth.Close()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	r, err = Open(ctx, auth.URL+"/private.git", Options{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Tags(ctx); !errors.Is(err, ErrNetwork) || ctx.Err() != nil {
		t.Errorf("Tags on a server wanting credentials = %v (context: %v), want ErrNetwork", err, ctx.Err())
	}
	if _, err := r.Resolve(ctx, "v1.0"); !errors.Is(err, ErrNetwork) || ctx.Err() != nil {
		t.Errorf("Resolve on a server wanting credentials = %v (context: %v), want ErrNetwork", err, ctx.Err())
	}
}

// TestPrefetchFallback: when the server refuses the batched fetch of blobs by
// id, Prefetch fetches the whole tag with its blobs instead, and says so.
func TestPrefetchFallback(t *testing.T) {
	requireTool(t, "git")
	ctx := context.Background()
	work := smallRepo(t)
	root := t.TempDir()
	serveRepo(t, root, "small", work)
	srv := startHTTPServer(t, root)
	var log logRecorder
	r, err := Open(ctx, srv.repoURL("small"), Options{CacheDir: t.TempDir(), Logf: log.logf})
	if err != nil {
		t.Fatal(err)
	}
	tag, err := r.Resolve(ctx, "v1.2")
	if err != nil {
		t.Fatal(err)
	}
	tree := listTree(t, ctx, r, tag.Tree)
	readme := tree["README"].ID
	refuse := func(body []byte) bool { return bytes.Contains(body, []byte("want "+readme)) }
	srv.Refuse.Store(&refuse)
	if err := r.Prefetch(ctx, tag.Tree, []string{readme}); err != nil {
		t.Fatalf("Prefetch: %v\n%s", err, log.String())
	}
	if !log.contains("falling back to a full fetch of tag v1.2") {
		t.Errorf("fallback not reported:\n%s", log.String())
	}
	var ids []string
	for _, e := range tree {
		ids = append(ids, e.ID)
	}
	if missing, err := r.missingBlobs(ctx, tag.Tree, ids); err != nil || len(missing) != 0 {
		t.Errorf("after the fallback %d blobs missing (%v)", len(missing), err)
	}
}

// TestFilterRefused: a server that refuses --filter gets the tag with its
// blobs, and the fallback is reported through Logf.
func TestFilterRefused(t *testing.T) {
	requireTool(t, "git")
	ctx := context.Background()
	work := smallRepo(t)
	root := t.TempDir()
	dst := serveRepo(t, root, "small", work)
	setServerConfig(t, dst, "uploadpack.allowFilter=false")
	srv := startHTTPServer(t, root)
	var log logRecorder
	r, err := Open(ctx, srv.repoURL("small"), Options{CacheDir: t.TempDir(), Logf: log.logf})
	if err != nil {
		t.Fatal(err)
	}
	tag, err := r.Resolve(ctx, "v1.2")
	if err != nil {
		t.Fatalf("Resolve: %v\n%s", err, log.String())
	}
	if !log.contains("does not support partial fetches") {
		t.Errorf("fallback not reported:\n%s", log.String())
	}
	tree := listTree(t, ctx, r, tag.Tree)
	var ids []string
	for _, e := range tree {
		ids = append(ids, e.ID)
	}
	missing, err := r.missingBlobs(ctx, tag.Tree, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) != 0 {
		t.Errorf("%d blobs missing after a full fetch of the tag", len(missing))
	}
	srv.reset()
	if err := r.Prefetch(ctx, tag.Tree, ids); err != nil {
		t.Fatal(err)
	}
	if n := srv.Requests.Load(); n != 0 {
		t.Errorf("Prefetch made %d requests though every blob was present", n)
	}
}

// TestOffline: a cached tag resolves and reads with no server at all; an
// uncached one is ErrOffline; a blob that was never fetched is not fetched.
func TestOffline(t *testing.T) {
	requireTool(t, "git")
	ctx := context.Background()
	work := smallRepo(t)
	root := t.TempDir()
	serveRepo(t, root, "small", work)
	srv := startHTTPServer(t, root)
	url := srv.repoURL("small")
	cache := t.TempDir()

	r, err := Open(ctx, url, Options{CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	tag, err := r.Resolve(ctx, "v1.1")
	if err != nil {
		t.Fatal(err)
	}
	tree := listTree(t, ctx, r, tag.Tree)
	if err := r.Prefetch(ctx, tag.Tree, []string{tree["README"].ID}); err != nil {
		t.Fatal(err)
	}

	srv.reset()
	off, err := Open(ctx, url, Options{CacheDir: cache, Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	tags, err := off.Tags(ctx)
	if err != nil || !reflect.DeepEqual(tags, []string{"v1.1"}) {
		t.Errorf("offline Tags = %v, %v; want the cached [v1.1]", tags, err)
	}
	otag, err := off.Resolve(ctx, "v1.1")
	if err != nil {
		t.Fatalf("offline Resolve: %v", err)
	}
	if !reflect.DeepEqual(otag, tag) {
		t.Errorf("offline Resolve = %+v, want %+v", otag, tag)
	}
	if got := listTree(t, ctx, off, otag.Tree); !reflect.DeepEqual(got, tree) {
		t.Errorf("offline ListTree differs")
	}
	if err := off.Prefetch(ctx, otag.Tree, []string{tree["src/main.c"].ID}); err != nil {
		t.Errorf("offline Prefetch: %v", err)
	}
	b, err := off.OpenBlobs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if c, err := b.Read(tree["README"].ID); err != nil || string(c) != "hello 1.1\n" {
		t.Errorf("offline Read README = %q, %v", c, err)
	}
	if _, err := b.Read(tree["src/main.c"].ID); err == nil {
		t.Errorf("offline Read of a blob never fetched succeeded")
	}
	if _, err := off.Resolve(ctx, "v1.2"); !errors.Is(err, ErrOffline) {
		t.Errorf("offline Resolve(v1.2) = %v, want ErrOffline", err)
	}
	if n := srv.Requests.Load(); n != 0 {
		t.Errorf("offline use made %d requests to the server", n)
	}

	// And with no server at all.
	srvURL := srv.URL
	_ = srvURL
	off2, err := Open(ctx, url, Options{CacheDir: cache, Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := off2.Resolve(ctx, "v1.1"); err != nil {
		t.Errorf("offline Resolve with the server gone: %v", err)
	}
}

// TestFileURL: file:// URLs name local repositories and bundles.
func TestFileURL(t *testing.T) {
	requireTool(t, "git")
	ctx := context.Background()
	work := smallRepo(t)
	bundle := filepath.Join(t.TempDir(), "small.bundle")
	gitT(t, work, nil, "bundle", "create", "--quiet", bundle, "--all")
	for _, src := range []string{"file://" + work, "file://" + strings.ReplaceAll(work, "/", "/") + "/.git", "file://localhost" + work, "file://" + bundle} {
		r, err := Open(ctx, src, Options{CacheDir: t.TempDir()})
		if err != nil {
			t.Fatalf("Open(%s): %v", src, err)
		}
		if r.Remote != "" {
			t.Errorf("Open(%s): Remote = %q, want a local read", src, r.Remote)
		}
		if _, err := r.Resolve(ctx, "v1.2"); err != nil {
			t.Errorf("Open(%s).Resolve: %v", src, err)
		}
	}
	if _, err := Open(ctx, "file://"+filepath.Join(work, "nonexistent"), Options{CacheDir: t.TempDir()}); !errors.Is(err, ErrNotRepository) {
		t.Errorf("Open(file:// nonexistent) = %v, want ErrNotRepository", err)
	}
	_ = os.Remove
}

// TestDumbHTTP: a dumb HTTP server (static files) supports neither shallow
// nor filtered fetches; the tag is fetched in full, and that is reported.
func TestDumbHTTP(t *testing.T) {
	requireTool(t, "git")
	ctx := context.Background()
	work := smallRepo(t)
	root := t.TempDir()
	dst := serveRepo(t, root, "small", work)
	gitT(t, dst, nil, "update-server-info")
	srv := httptest.NewServer(http.FileServer(http.Dir(root)))
	defer srv.Close()
	var log logRecorder
	r, err := Open(ctx, srv.URL+"/small.git", Options{CacheDir: t.TempDir(), Logf: log.logf})
	if err != nil {
		t.Fatal(err)
	}
	tags, err := r.Tags(ctx)
	if err != nil || len(tags) != 3 {
		t.Fatalf("Tags = %v, %v", tags, err)
	}
	tag, err := r.Resolve(ctx, "v1.0")
	if err != nil {
		t.Fatalf("Resolve: %v\n%s", err, log.String())
	}
	if !log.contains("falling back to a full fetch of the tag") {
		t.Errorf("fallback not reported:\n%s", log.String())
	}
	tree := listTree(t, ctx, r, tag.Tree)
	b, err := r.OpenBlobs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if c, err := b.Read(tree["README"].ID); err != nil || string(c) != "hello 1.0\n" {
		t.Errorf("Read README = %q, %v", c, err)
	}
}
