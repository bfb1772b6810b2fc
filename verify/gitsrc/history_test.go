package gitsrc

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tarcheck/tarcheck/verify/archive"
)

func TestTagScheme(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"v1.2", "v1.1", true},
		{"v1.2", "v1.2.1", true},
		{"v1.2", "1.2", false},
		{"foo-1_2", "foo-1_1", true},
		{"foo-1_2", "foo-1.1", false},
		{"release-1.2", "release-1.10", true},
		{"release-1.2", "v1.1", false},
		{"v5.6.1", "v5.6.0-rc1", false},
		{"v5.6.0-rc2", "v5.6.0-rc1", true},
		{"v2", "v1.9", true},
		{"latest", "stable", false},
	} {
		if got := SameTagScheme(c.a, c.b); got != c.same {
			t.Errorf("SameTagScheme(%q, %q) = %v, want %v", c.a, c.b, got, c.same)
		}
	}
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"v1.2", "v1.10", -1},
		{"v1.2", "v1.2.0", -1},
		{"v1.2.1", "v1.2", 1},
		{"foo-1_2", "foo-1_2", 0},
		{"v5.6.0-rc1", "v5.6.0", -1},
		{"v5.6.0-rc2", "v5.6.0-rc1", 1},
	} {
		if got := CompareTagVersions(c.a, c.b); got != c.want {
			t.Errorf("CompareTagVersions(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// historyRepo makes a work tree whose main line carries releases 1.0, 1.1
// and 1.2 under three naming schemes, with a maintenance branch tagged
// 1.1.9 (not an ancestor of 1.2), a pre-release v1.2-rc1 and a later
// v2.0 on a side branch. Commits are by two authors.
func historyRepo(t testing.TB, objectFormat string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "work")
	os.MkdirAll(dir, 0o755)
	gitT(t, dir, nil, "init", "--quiet", "--object-format="+objectFormat)
	commit := func(author, msg string, files map[string]string) {
		writeFiles(t, dir, files)
		gitT(t, dir, nil, "add", "-A")
		gitT(t, dir, nil, "-c", "user.name="+author, "-c", "user.email="+strings.ToLower(author)+"@example.invalid",
			"commit", "--quiet", "--author="+author+" <"+strings.ToLower(author)+"@example.invalid>", "-m", msg)
	}
	tagAll := func(v, u string) {
		for _, name := range []string{"v" + v, "foo-" + u, "release-" + v} {
			gitT(t, dir, nil, "tag", "-a", "-m", "release "+name, name)
		}
	}
	commit("Alice", "first", map[string]string{"README": "1.0\n", "configure.ac": "AC_INIT\n"})
	tagAll("1.0", "1_0")
	commit("Alice", "second", map[string]string{"README": "1.1\n", "tests/data.bin": "\x00\x01bin"})
	tagAll("1.1", "1_1")
	gitT(t, dir, nil, "checkout", "--quiet", "-b", "maint")
	commit("Alice", "maint fix", map[string]string{"README": "1.1.9\n"})
	tagAll("1.1.9", "1_1_9")
	gitT(t, dir, nil, "checkout", "--quiet", "main")
	commit("Bob", "rc", map[string]string{"NEWS": "rc\n"})
	gitT(t, dir, nil, "tag", "v1.2-rc1")
	commit("Bob", "third: update test data", map[string]string{"README": "1.2\n", "tests/data.bin": "\x00\x02bin", "m4/x.m4": "dnl x\n"})
	tagAll("1.2", "1_2")
	gitT(t, dir, nil, "checkout", "--quiet", "-b", "next")
	commit("Bob", "two", map[string]string{"README": "2.0\n"})
	gitT(t, dir, nil, "tag", "-a", "-m", "v2.0", "v2.0")
	gitT(t, dir, nil, "checkout", "--quiet", "main")
	return dir
}

func TestPreviousTagLocal(t *testing.T) {
	requireTool(t, "git")
	ctx := context.Background()
	r, err := Open(ctx, historyRepo(t, "sha1"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		cur, spec, want string
	}{
		{"v1.2", "", "v1.1"}, // v1.1.9 is on maint, v1.2-rc1 a pre-release, v2.0 later
		{"foo-1_2", "", "foo-1_1"},
		{"release-1.2", "", "release-1.1"},
		{"v1.1", "", "v1.0"},
		{"v1.0", "", ""},
		{"v1.1.9", "", "v1.1"},
		{"v2.0", "", "v1.2"},
		{"v1.2", "none", ""},
		{"v1.2", "v1.0", "v1.0"},
	} {
		tag, err := r.Resolve(ctx, c.cur)
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.PreviousTag(ctx, tag, c.spec)
		if err != nil || got != c.want {
			t.Errorf("PreviousTag(%s, %q) = %q, %v; want %q", c.cur, c.spec, got, err, c.want)
		}
	}
	cur, _ := r.Resolve(ctx, "v1.2")
	if got, err := r.PreviousTags(ctx, cur, 5); err != nil || !reflect.DeepEqual(got, []string{"v1.1", "v1.0"}) {
		t.Errorf("PreviousTags(v1.2, 5) = %v, %v", got, err)
	}
	if _, err := r.PreviousTag(ctx, cur, "bad..name"); err == nil {
		t.Error("PreviousTag accepted a bad tag name")
	}
}

func TestDiffTreesAndLog(t *testing.T) {
	requireTool(t, "git")
	ctx := context.Background()
	for _, format := range []string{"sha1", "sha256"} {
		r, err := Open(ctx, historyRepo(t, format), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if f, err := r.ObjectFormat(ctx); err != nil || f != format {
			t.Fatalf("ObjectFormat = %q, %v; want %s", f, err, format)
		}
		prev, _ := r.Resolve(ctx, "v1.1")
		cur, _ := r.Resolve(ctx, "v1.2")
		changes, err := r.DiffTrees(ctx, prev.Tree, cur.Tree)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]byte{}
		for _, c := range changes {
			got[c.Path] = c.Status
			if len(c.NewID) != len(cur.Commit) {
				t.Errorf("%s: id %s has the wrong length for %s", format, c.NewID, format)
			}
		}
		want := map[string]byte{"README": 'M', "tests/data.bin": 'M', "m4/x.m4": 'A', "NEWS": 'A'}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: DiffTrees = %q, want %q", format, got, want)
		}
		log, err := r.Log(ctx, prev.Commit, cur.Commit, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(log) != 2 || log[0].Subject != "third: update test data" || log[0].Author != "Bob" ||
			log[0].AuthorEmail != "bob@example.invalid" || log[0].AuthorTime.IsZero() || log[1].Subject != "rc" {
			t.Fatalf("%s: Log = %+v", format, log)
		}
		if !reflect.DeepEqual(log[0].Paths, []string{"README", "m4/x.m4", "tests/data.bin"}) {
			t.Errorf("%s: paths %q", format, log[0].Paths)
		}
		early, err := r.Log(ctx, "", prev.Commit, []string{"configure.ac", "tests/data.bin"})
		if err != nil || len(early) != 2 || early[0].Subject != "second" || early[1].Subject != "first" {
			t.Errorf("%s: Log(\"\", v1.1, paths) = %+v, %v", format, early, err)
		}
	}
}

// TestSHA256Twin checks a repository in SHA-256 object format end to end
// against its SHA-1 twin (same files, same tag): ls-tree ids have 64 hex
// digits, blobs read, and the tarball walk computes the same blob ids, so
// the comparison counts agree.
func TestSHA256Twin(t *testing.T) {
	requireTool(t, "git")
	ctx := context.Background()
	type counts struct{ files, identical, differ int }
	run := func(format string) counts {
		dir := historyRepo(t, format)
		r, err := Open(ctx, dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		tag, err := r.Resolve(ctx, "v1.2")
		if err != nil {
			t.Fatal(err)
		}
		idLen := map[string]int{"sha1": 40, "sha256": 64}[format]
		if len(tag.Commit) != idLen || len(tag.Tree) != idLen || len(tag.Object) != idLen {
			t.Fatalf("%s: ids %s %s %s", format, tag.Object, tag.Commit, tag.Tree)
		}
		tree := listTree(t, ctx, r, tag.Tree)
		b, err := r.OpenBlobs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		contents := map[string][]byte{}
		for p, e := range tree {
			if len(e.ID) != idLen {
				t.Fatalf("%s: %s id %s", format, p, e.ID)
			}
			if contents[p], err = b.Read(e.ID); err != nil {
				t.Fatalf("%s: reading %s: %v", format, p, err)
			}
		}
		// A tarball made from the SHA-1 twin's files plus one changed file,
		// walked in the repository's object format.
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		for p := range tree {
			content := contents[p]
			if p == "README" {
				content = []byte("changed")
			}
			tw.WriteHeader(&tar.Header{Name: "p-1.2/" + p, Mode: 0o644, Size: int64(len(content)), Typeflag: tar.TypeReg})
			tw.Write(content)
		}
		tw.Close()
		var c counts
		_, err = archive.Walk(ctx, &buf, archive.Options{ObjectFormat: format}, func(e *archive.Entry) error {
			if e.Type != archive.TypeRegular {
				return nil
			}
			c.files++
			id := hex.EncodeToString(e.BlobID[:])
			if format == "sha256" {
				id = hex.EncodeToString(e.BlobID256[:])
			}
			if tree[strings.TrimPrefix(e.Path, "p-1.2/")].ID == id {
				c.identical++
			} else {
				c.differ++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c1, c256 := run("sha1"), run("sha256")
	if c1 != c256 || c1.files != 5 || c1.identical != 4 || c1.differ != 1 {
		t.Fatalf("sha1 counts %+v, sha256 counts %+v; want equal, 5 files, 4 identical", c1, c256)
	}
}

// TestRemoteHistory checks FetchHistory and previous-tag inference over a
// remote served by HTTP: the first fetch is shallow and blob-less, the
// history fetch brings commits and trees, and no blob comes along.
func TestRemoteHistory(t *testing.T) {
	requireTool(t, "git")
	ctx := context.Background()
	root := t.TempDir()
	serveRepo(t, root, "hist", historyRepo(t, "sha1"))
	srv := startHTTPServer(t, root)
	var log logRecorder
	r, err := Open(ctx, srv.repoURL("hist"), Options{CacheDir: t.TempDir(), Logf: log.logf})
	if err != nil {
		t.Fatal(err)
	}
	cur, err := r.Resolve(ctx, "v1.2")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.FetchHistory(ctx, cur.Name); err != nil {
		t.Fatalf("FetchHistory: %v\n%s", err, log.String())
	}
	prevName, err := r.PreviousTag(ctx, cur, "")
	if err != nil || prevName != "v1.1" {
		t.Fatalf("PreviousTag = %q, %v", prevName, err)
	}
	prev, err := r.Resolve(ctx, prevName)
	if err != nil {
		t.Fatal(err)
	}
	commits, err := r.Log(ctx, prev.Commit, cur.Commit, nil)
	if err != nil || len(commits) != 2 || commits[0].Author != "Bob" {
		t.Fatalf("Log = %+v, %v", commits, err)
	}
	// Resolving the previous tag kept the history: the earlier releases'
	// commits are still reachable from it.
	early, err := r.Log(ctx, "", prev.Commit, []string{"configure.ac", "tests/data.bin"})
	if err != nil || len(early) != 2 || early[1].Subject != "first" {
		t.Fatalf("Log up to v1.1 after resolving it = %+v, %v\n%s", early, err, log.String())
	}
	if !log.contains("history kept, no blobs") {
		t.Errorf("the previous tag was not fetched incrementally:\n%s", log.String())
	}
	// No blob was fetched: every blob of the tag is still missing.
	out, err := exec.Command("git", "--git-dir="+r.GitDir, "rev-list", "--objects", "--missing=print", cur.Tree).Output()
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(out), "\n?"); n != 5 {
		t.Errorf("%d blobs missing after the history fetch, want all 5:\n%s", n, out)
	}
}

func FuzzParseHistory(f *testing.F) {
	f.Add([]byte(":100644 100644 " + strings.Repeat("a", 40) + " " + strings.Repeat("b", 40) + " M\x00a/b\x00"))
	f.Add([]byte("\x1e" + strings.Repeat("c", 40) + "\x00\nx y\x00z\x00\x1e" + strings.Repeat("d", 64) + "\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if cs, err := parseDiffTree(b); err == nil {
			for _, c := range cs {
				if c.Path == "" || !isHexID(c.NewID) {
					t.Fatalf("bad change %+v", c)
				}
			}
		}
		if cs, err := parseLog(b); err == nil {
			for _, c := range cs {
				if !isHexID(c.ID) || len(c.Paths) == 0 {
					t.Fatalf("bad commit %+v", c)
				}
			}
		}
		var c Commit
		parseCommitHeader(b, &c)
		parseTagVersion(string(b))
	})
}
