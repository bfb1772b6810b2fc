package gitsrc

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const (
	id1 = "0123456789abcdef0123456789abcdef01234567"
	id2 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" // sha256
)

func TestParseTreeRecord(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want TreeEntry
		err  bool
	}{
		{in: "100644 blob " + id1 + "\tREADME", want: TreeEntry{Mode: 0o100644, Type: "blob", ID: id1, Path: "README"}},
		{in: "100755 blob " + id1 + "\tbin/run me", want: TreeEntry{Mode: 0o100755, Type: "blob", ID: id1, Path: "bin/run me"}},
		{in: "120000 blob " + id2 + "\tlink", want: TreeEntry{Mode: 0o120000, Type: "blob", ID: id2, Path: "link"}},
		{in: "160000 commit " + id1 + "\tsub/mod", want: TreeEntry{Mode: 0o160000, Type: "commit", ID: id1, Path: "sub/mod"}},
		{in: "100644 blob " + id1 + "\ttab\there\nnewline\x1b[31m", want: TreeEntry{Mode: 0o100644, Type: "blob", ID: id1, Path: "tab\there\nnewline\x1b[31m"}},
		{in: "", err: true},
		{in: "100644 blob " + id1, err: true},
		{in: "100644 blob " + id1 + "\t", err: true},
		{in: "100644  blob " + id1 + "\tx", err: true},
		{in: "100644 blob\tx", err: true},
		{in: "100648 blob " + id1 + "\tx", err: true},
		{in: "-100644 blob " + id1 + "\tx", err: true},
		{in: "+100644 blob " + id1 + "\tx", err: true},
		{in: "77777777777 blob " + id1 + "\tx", err: true},
		{in: "100644 tag " + id1 + "\tx", err: true},
		{in: "100644 blob 0123\tx", err: true},
		{in: "100644 blob " + strings.ToUpper(id1) + "\tx", err: true},
		{in: "100644 blob --upload-pack=x\tx", err: true},
	} {
		got, err := parseTreeRecord([]byte(tc.in))
		if tc.err {
			if err == nil {
				t.Errorf("parseTreeRecord(%q) = %+v, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("parseTreeRecord(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

func TestParseBatchHeader(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want batchHeader
		err  bool
	}{
		{in: id1 + " blob 12\n", want: batchHeader{id: id1, typ: "blob", size: 12}},
		{in: id2 + " tree 0", want: batchHeader{id: id2, typ: "tree", size: 0}},
		{in: id1 + " missing\n", want: batchHeader{id: id1, missing: true}},
		{in: "", err: true},
		{in: "\n", err: true},
		{in: id1 + " blob -1\n", err: true},
		{in: id1 + " blob +1\n", err: true},
		{in: id1 + " blob 1x\n", err: true},
		{in: id1 + " blob 99999999999999999999\n", err: true},
		{in: id1 + "  blob 1\n", err: true},
		{in: "xyz blob 1\n", err: true},
		{in: id1 + " ambiguous\n", err: true},
		{in: id1 + " blob 1 extra\n", err: true},
	} {
		got, err := parseBatchHeader([]byte(tc.in))
		if tc.err {
			if err == nil {
				t.Errorf("parseBatchHeader(%q) = %+v, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("parseBatchHeader(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

func TestCommitterTime(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"tree " + id1 + "\nauthor A <a@x> 1 +0000\ncommitter C <c@x> 1700000000 +0100\n\nmsg\n", time.Unix(1700000000, 0).UTC()},
		{"tree " + id1 + "\ncommitter Name With Spaces <c@x> 1234567890 -0700\n\n", time.Unix(1234567890, 0).UTC()},
		{"tree " + id1 + "\n\ncommitter C <c@x> 1700000000 +0000\n", time.Time{}}, // in the message, not a header
		{"tree " + id1 + "\ncommitter C <c@x> notanumber +0000\n\n", time.Time{}},
		{"tree " + id1 + "\ncommitter\n\n", time.Time{}},
		{"", time.Time{}},
	} {
		if got := committerTime([]byte(tc.in)); !got.Equal(tc.want) {
			t.Errorf("committerTime(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestCheckTagName(t *testing.T) {
	for _, ok := range []string{"v1.2", "v5.6.1", "release/1.0", "foo-1.2", "1.0_rc1", "v1.2+build", "$(not-a-shell)", "ünicode", "a.b/c.d", "v1@2"} {
		if err := CheckTagName(ok); err != nil {
			t.Errorf("CheckTagName(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range hostileTagNames {
		if err := CheckTagName(bad); !errors.Is(err, ErrBadTagName) {
			t.Errorf("CheckTagName(%q) = %v, want ErrBadTagName", bad, err)
		}
	}
}

// TestCheckTagNameAgreesWithGit: every name CheckTagName accepts, git
// accepts too (CheckTagName may be stricter, never looser).
func TestCheckTagNameAgreesWithGit(t *testing.T) {
	requireTool(t, "git")
	dir := t.TempDir()
	names := append([]string{"v1.2", "release/1.0", "$(x)", "a.b/c.d", "v1@2", "x{y}", "a!b", "#1", "a'b", "a\"b", "<x>", "a|b", "a;b", "a&b"}, hostileTagNames...)
	for _, n := range names {
		if CheckTagName(n) != nil || strings.ContainsRune(n, 0) {
			continue
		}
		if _, err := (&Repo{git: "git"}).runIn(context.Background(), "", nil, "-C", dir, "check-ref-format", "refs/tags/"+n); err != nil {
			t.Errorf("CheckTagName accepts %q but git check-ref-format refuses it: %v", n, err)
		}
	}
}

func TestIsRemote(t *testing.T) {
	dir := t.TempDir()
	colonDir := filepath.Join(dir, "host:path")
	if err := os.Mkdir(colonDir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"https://example.org/foo.git", true},
		{"HTTPS://example.org/foo.git", true},
		{"http://example.org/foo.git", true},
		{"git://example.org/foo.git", true},
		{"ssh://git@example.org/foo.git", true},
		{"git+ssh://git@example.org/foo.git", true},
		{"file:///srv/foo.git", true},
		{"git@github.com:tukaani-project/xz.git", true},
		{"example.org:foo.git", true},
		{"example.org:/srv/git/foo.git", true},
		{"user@[::1]:foo.git", true},
		{"host:path", false}, // an existing local path wins
		{"./host:path", false},
		{"/srv/repo", false},
		{"../foo/repo", false},
		{"repo", false},
		{"foo/bar:baz", false}, // a slash before the colon: a local path
		{"C:", false},
		{":foo", false},
		{"-oProxyCommand=x:foo", false},
		{"", false},
	} {
		if got := IsRemote(tc.in); got != tc.want {
			t.Errorf("IsRemote(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestFileURLPath(t *testing.T) {
	for in, want := range map[string]string{
		"file:///srv/foo.git":          "/srv/foo.git",
		"file://localhost/srv/foo.git": "/srv/foo.git",
		"file:///srv/with%20space":     "/srv/with space",
		"file://otherhost/srv/foo.git": "",
		"https://x/y":                  "",
	} {
		if got := fileURLPath(in); got != want {
			t.Errorf("fileURLPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	requireTool(t, "git")
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := Open(ctx, filepath.Join(dir, "absent"), Options{}); !errors.Is(err, ErrNotRepository) {
		t.Errorf("Open(absent) = %v, want ErrNotRepository", err)
	}
	if _, err := Open(ctx, dir, Options{}); !errors.Is(err, ErrNotRepository) {
		t.Errorf("Open(empty dir) = %v, want ErrNotRepository", err)
	}
	f := filepath.Join(dir, "file.txt")
	os.WriteFile(f, []byte("not a bundle"), 0o644)
	if _, err := Open(ctx, f, Options{CacheDir: t.TempDir()}); !errors.Is(err, ErrNotRepository) {
		t.Errorf("Open(file) = %v, want ErrNotRepository", err)
	}
	if _, err := Open(ctx, dir, Options{Git: filepath.Join(dir, "no-such-git")}); !errors.Is(err, ErrGitMissing) {
		t.Errorf("Open with a missing git = %v, want ErrGitMissing", err)
	}
}

// TestReadTooLarge: an object over the cap comes back truncated with
// ErrObjectTooLarge, and the stream stays in step for the next read.
func TestReadTooLarge(t *testing.T) {
	requireTool(t, "git")
	ctx := context.Background()
	work := smallRepo(t)
	r, err := Open(ctx, work, Options{})
	if err != nil {
		t.Fatal(err)
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
	defer b.Close()
	b.max = 10
	c, err := b.Read(tree["docs/manual.txt"].ID)
	if !errors.Is(err, ErrObjectTooLarge) || string(c) != "manual 1.2" {
		t.Errorf("Read over the cap = %q, %v", c, err)
	}
	if c, err := b.Read(tree["README"].ID); err != nil || string(c) != "hello 1.2\n"[:10] {
		t.Errorf("Read after a truncated read = %q, %v", c, err)
	}
	b.max = MaxObjectSize
	if _, err := b.Read(strings.Repeat("0", 40)); err == nil {
		t.Errorf("Read of a missing object succeeded")
	}
	if _, err := b.Read("--batch-all-objects"); err == nil {
		t.Errorf("Read of a non-id succeeded")
	}
}

func FuzzParseTreeRecord(f *testing.F) {
	f.Add([]byte("100644 blob " + id1 + "\tREADME"))
	f.Add([]byte("160000 commit " + id2 + "\tsub"))
	f.Add([]byte("100644 blob " + id1 + "\t\x00\t"))
	f.Add([]byte("0 tree " + id1 + "\t"))
	f.Fuzz(func(t *testing.T, rec []byte) {
		e, err := parseTreeRecord(rec)
		if err != nil {
			return
		}
		if !isHexID(e.ID) || e.Path == "" || (e.Type != "blob" && e.Type != "commit" && e.Type != "tree") {
			t.Fatalf("accepted a bad record %q as %+v", rec, e)
		}
	})
}

func FuzzParseBatchHeader(f *testing.F) {
	f.Add([]byte(id1 + " blob 12\n"))
	f.Add([]byte(id1 + " missing\n"))
	f.Add([]byte(id2 + " tree 0"))
	f.Fuzz(func(t *testing.T, line []byte) {
		h, err := parseBatchHeader(line)
		if err != nil {
			return
		}
		if h.size < 0 || (!h.missing && !isHexID(h.id)) {
			t.Fatalf("accepted a bad header %q as %+v", line, h)
		}
	})
}

func FuzzCheckTagName(f *testing.F) {
	for _, n := range append([]string{"v1.2", "release/1.0"}, hostileTagNames...) {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if CheckTagName(name) != nil {
			return
		}
		if strings.HasPrefix(name, "-") || strings.ContainsAny(name, " \t\n\x00:") || strings.Contains(name, "..") {
			t.Fatalf("accepted %q", name)
		}
	})
}
