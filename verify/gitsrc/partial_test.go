package gitsrc

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Shape of the synthetic repository of TestPartialFetchIsCheap.
const (
	synthCommits   = 2000
	synthSmall     = 200     // small text files, one changed per commit
	synthBig       = 3       // large random files
	synthBigSize   = 2 << 20 // bytes each
	synthBigEvery  = 400     // commits between rewrites of the large files
	synthTagsEvery = 500
)

// writeSynthRepo writes, with git fast-import, a bare repository with a long
// history (synthCommits commits, a tag every synthTagsEvery commits, the last
// one on the last commit) in which synthBig files of random data are
// rewritten every synthBigEvery commits.
func writeSynthRepo(t testing.TB, dir string) (lastTag string) {
	t.Helper()
	gitT(t, filepath.Dir(dir), nil, "init", "--quiet", "--bare", dir)
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir = dir
	cmd.Env = testEnv()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(stdin, 1<<20)
	rng := rand.New(rand.NewChaCha8([32]byte{1}))
	big := make([]byte, synthBigSize)
	when := int64(1700000000)
	for i := 1; i <= synthCommits; i++ {
		when += 3600
		msg := fmt.Sprintf("commit %d\n", i)
		fmt.Fprintf(w, "commit refs/heads/main\nmark :%d\ncommitter Synth <synth@example.invalid> %d +0000\ndata %d\n%s", i, when, len(msg), msg)
		if i > 1 {
			fmt.Fprintf(w, "from :%d\n", i-1)
		}
		small := fmt.Sprintf("/* file %d, revision %d */\nint f%d(void) { return %d; }\n", i%synthSmall, i, i%synthSmall, i)
		if i <= synthSmall {
			for j := 0; j < synthSmall; j++ {
				if j != i%synthSmall {
					c := fmt.Sprintf("/* file %d */\n", j)
					fmt.Fprintf(w, "M 100644 inline src/f%03d.c\ndata %d\n%s\n", j, len(c), c)
				}
			}
		}
		fmt.Fprintf(w, "M 100644 inline src/f%03d.c\ndata %d\n%s\n", i%synthSmall, len(small), small)
		if i == 1 || i%synthBigEvery == 0 {
			for k := 0; k < synthBig; k++ {
				for j := 0; j+8 <= len(big); j += 8 {
					v := rng.Uint64()
					for b := 0; b < 8; b++ {
						big[j+b] = byte(v >> (8 * b))
					}
				}
				fmt.Fprintf(w, "M 100644 inline data/big%d.bin\ndata %d\n", k, len(big))
				w.Write(big)
				w.WriteString("\n")
			}
		}
		if i%synthTagsEvery == 0 {
			lastTag = fmt.Sprintf("v%d.0", i/synthTagsEvery)
			tmsg := "release " + lastTag + "\n"
			fmt.Fprintf(w, "tag %s\nfrom :%d\ntagger Synth <synth@example.invalid> %d +0000\ndata %d\n%s", lastTag, i, when, len(tmsg), tmsg)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("fast-import: %v", err)
	}
	return lastTag
}

// TestPartialFetchIsCheap proves on a repository with a long history and
// large blobs that resolving and listing one tag transfers a small fraction
// of a full clone, and that prefetching three differing blobs transfers about
// their size and nothing else.
func TestPartialFetchIsCheap(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a large synthetic repository")
	}
	requireTool(t, "git")
	ctx := context.Background()
	root := t.TempDir()
	served := filepath.Join(root, "synth.git")
	start := time.Now()
	tagName := writeSynthRepo(t, served)
	setServerConfig(t, served, "uploadpack.allowFilter=true", "uploadpack.allowReachableSHA1InWant=true")
	gitT(t, served, nil, "repack", "-a", "-d", "-q")
	t.Logf("synthetic repository: %d commits, %d small files, %d x %d MiB random files rewritten %d times; built in %s",
		synthCommits, synthSmall, synthBig, synthBigSize>>20, synthCommits/synthBigEvery+1, time.Since(start).Round(time.Millisecond))
	srv := startHTTPServer(t, root)
	url := srv.repoURL("synth")

	// Full clone, the reference.
	srv.reset()
	start = time.Now()
	gitT(t, root, nil, "clone", "--quiet", "--bare", url, filepath.Join(t.TempDir(), "full.git"))
	fullTime := time.Since(start)
	fullBytes := srv.reset()

	// Partial: Open + Resolve + ListTree of the last tag.
	var log logRecorder
	start = time.Now()
	r, err := Open(ctx, url, Options{CacheDir: t.TempDir(), Logf: log.logf})
	if err != nil {
		t.Fatal(err)
	}
	tag, err := r.Resolve(ctx, tagName)
	if err != nil {
		t.Fatalf("Resolve: %v\n%s", err, log.String())
	}
	tree := listTree(t, ctx, r, tag.Tree)
	partialTime := time.Since(start)
	partialBytes := srv.reset()
	if len(tree) != synthSmall+synthBig {
		t.Fatalf("ListTree: %d entries, want %d", len(tree), synthSmall+synthBig)
	}
	t.Logf("full clone:               %9d bytes in %s", fullBytes, fullTime.Round(time.Millisecond))
	t.Logf("partial Resolve+ListTree: %9d bytes in %s (1/%d of the bytes)", partialBytes, partialTime.Round(time.Millisecond), fullBytes/max(partialBytes, 1))
	if partialBytes*10 > fullBytes {
		t.Errorf("partial fetch %d bytes is not under 1/10 of a full clone's %d", partialBytes, fullBytes)
	}
	if partialBytes > 256<<10 {
		t.Errorf("partial fetch transferred %d bytes; want well under 256 KiB", partialBytes)
	}

	// Prefetch the three large blobs: about their size arrives, and only they.
	var need, all []string
	var needSize int64
	for k := 0; k < synthBig; k++ {
		e := tree[fmt.Sprintf("data/big%d.bin", k)]
		need = append(need, e.ID)
		needSize += synthBigSize
	}
	for _, e := range tree {
		all = append(all, e.ID)
	}
	// As the pipeline does: cat-file starts before the prefetch and must
	// see the fetched pack without fetching again.
	b, err := r.OpenBlobs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	start = time.Now()
	if err := r.Prefetch(ctx, tag.Tree, need); err != nil {
		t.Fatalf("Prefetch: %v\n%s", err, log.String())
	}
	prefetchTime := time.Since(start)
	prefetchBytes := srv.reset()
	t.Logf("Prefetch of %d blobs (%d bytes of content): %d bytes in %s", len(need), needSize, prefetchBytes, prefetchTime.Round(time.Millisecond))
	if prefetchBytes < needSize || prefetchBytes > needSize+needSize/20+64<<10 {
		t.Errorf("Prefetch transferred %d bytes for %d bytes of blobs", prefetchBytes, needSize)
	}
	missing, err := r.missingBlobs(ctx, tag.Tree, all)
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) != len(distinct(all))-len(need) {
		t.Errorf("after Prefetch %d blobs missing, want %d", len(missing), len(distinct(all))-len(need))
	}
	for _, id := range need {
		c, err := b.Read(id)
		if err != nil || len(c) != synthBigSize {
			t.Fatalf("Read %s: %d bytes, %v", id, len(c), err)
		}
	}
	if n := srv.Requests.Load(); n != 0 {
		t.Errorf("reading prefetched blobs made %d requests", n)
	}
}
