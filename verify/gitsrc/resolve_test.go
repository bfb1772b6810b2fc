package gitsrc

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// TestResolveAgreesWithGit: Resolve, which asks one cat-file --batch
// process, gives what rev-parse and cat-file say one by one (annotated and
// lightweight tags, sha1 and sha256), refuses tags that do not peel to a
// commit and missing tags with ErrTagNotFound, and learns the object
// format rev-parse --show-object-format prints.
func TestResolveAgreesWithGit(t *testing.T) {
	requireTool(t, "git")
	ctx := context.Background()
	for _, format := range []string{"sha1", "sha256"} {
		dir := historyRepo(t, format)
		gitDir := dir + "/.git"
		gitT(t, dir, nil, "tag", "tree-tag", "HEAD^{tree}")
		gitT(t, dir, nil, "tag", "-a", "-m", "blob", "blob-tag", "HEAD:README")
		r, err := Open(ctx, dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"v1.2", "v1.2-rc1", "release-1.1"} {
			tag, err := r.Resolve(ctx, name)
			if err != nil {
				t.Fatalf("%s: Resolve(%s): %v", format, name, err)
			}
			ref := "refs/tags/" + name
			id := gitT(t, gitDir, nil, "rev-parse", ref)
			if typ := gitT(t, gitDir, nil, "cat-file", "-t", id); typ == "tag" {
				raw := gitT(t, gitDir, nil, "cat-file", "tag", id)
				if tag.Object != id || strings.TrimSpace(string(tag.Raw)) != raw {
					t.Errorf("%s: %s: object %q raw %q, want %q %q", format, name, tag.Object, tag.Raw, id, raw)
				}
			} else if tag.Object != "" || tag.Raw != nil {
				t.Errorf("%s: lightweight %s: object %q raw %q, want none", format, name, tag.Object, tag.Raw)
			}
			commit, tree := gitT(t, gitDir, nil, "rev-parse", ref+"^{commit}"), gitT(t, gitDir, nil, "rev-parse", ref+"^{tree}")
			if tag.Commit != commit || tag.Tree != tree {
				t.Errorf("%s: %s: commit %s tree %s, want %s %s", format, name, tag.Commit, tag.Tree, commit, tree)
			}
			ct := gitT(t, gitDir, nil, "log", "-1", "--format=%ct", commit)
			if got := strconv.FormatInt(tag.CommitTime.Unix(), 10); got != ct {
				t.Errorf("%s: %s: commit time %s, want %s", format, name, got, ct)
			}
		}
		if got, err := r.ObjectFormat(ctx); err != nil || got != gitT(t, gitDir, nil, "rev-parse", "--show-object-format") {
			t.Errorf("%s: ObjectFormat after Resolve = %q, %v", format, got, err)
		}
		for _, name := range []string{"tree-tag", "blob-tag", "no-such-tag"} {
			if _, err := r.Resolve(ctx, name); !errors.Is(err, ErrTagNotFound) {
				t.Errorf("%s: Resolve(%s) = %v, want ErrTagNotFound", format, name, err)
			}
		}
		if _, err := r.Resolve(ctx, "-bad"); !errors.Is(err, ErrBadTagName) {
			t.Errorf("Resolve(-bad) = %v, want ErrBadTagName", err)
		}
	}
}

// TestTwin: a twin of a local repository resolves and lists as the
// original does; a remote source has none.
func TestTwin(t *testing.T) {
	requireTool(t, "git")
	ctx := context.Background()
	r, err := Open(ctx, historyRepo(t, "sha1"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	tw, ok := r.Twin()
	if !ok {
		t.Fatal("no twin of a local repository")
	}
	a, err1 := r.Resolve(ctx, "v1.2")
	b, err2 := tw.Resolve(ctx, "v1.2")
	if err1 != nil || err2 != nil || a.Commit != b.Commit || a.Tree != b.Tree || string(a.Raw) != string(b.Raw) {
		t.Errorf("twin resolves v1.2 to %+v (%v), original to %+v (%v)", b, err2, a, err1)
	}
	prevA, _ := r.PreviousTag(ctx, a, "")
	prevB, _ := tw.PreviousTag(ctx, b, "")
	if prevA != "v1.1" || prevB != prevA {
		t.Errorf("previous tag: original %q, twin %q, want v1.1", prevA, prevB)
	}
	remote := &Repo{Remote: "https://example.invalid/x.git", GitDir: t.TempDir()}
	if _, ok := remote.Twin(); ok {
		t.Error("a remote repository has a twin")
	}
}

// TestPrepareAttributes: an index prepared before the paths are known
// answers Check as Attributes does, more than once, and Close removes it.
func TestPrepareAttributes(t *testing.T) {
	requireTool(t, "git")
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "work")
	os.MkdirAll(dir, 0o755)
	gitT(t, dir, nil, "init", "--quiet")
	writeFiles(t, dir, map[string]string{".gitattributes": "ci/ export-ignore\nversion.h export-subst\n",
		"ci/build.sh": "make\n", "version.h": "$Format:%H$\n", "README": "hi\n"})
	gitT(t, dir, nil, "add", "-A")
	gitT(t, dir, nil, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "--quiet", "-m", "x")
	gitT(t, dir, nil, "tag", "v1")
	r, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tag, err := r.Resolve(ctx, "v1")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	paths := []string{"ci/build.sh", "version.h", "README"}
	wantIgn, wantSubst, err := r.Attributes(ctx, tag.Tree, tmp, paths)
	if err != nil || !wantIgn["ci/build.sh"] || !wantSubst["version.h"] || wantIgn["README"] {
		t.Fatalf("Attributes = %v %v, %v", wantIgn, wantSubst, err)
	}
	a, err := r.PrepareAttributes(ctx, tag.Tree, tmp)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		ign, subst, err := a.Check(ctx, paths)
		if err != nil || !reflect.DeepEqual(ign, wantIgn) || !reflect.DeepEqual(subst, wantSubst) {
			t.Errorf("Check = %v %v, %v; Attributes gave %v %v", ign, subst, err, wantIgn, wantSubst)
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("Close left %d entries in the scratch directory", len(left))
	}
}

// TestPreviousTagsAnsweredAhead: with the first candidates' ancestry asked
// all at once (ancestryAhead), PreviousTags still skips the maintenance
// release off the history and keeps its order, newest first.
func TestPreviousTagsAnsweredAhead(t *testing.T) {
	requireTool(t, "git")
	ctx := context.Background()
	r, err := Open(ctx, historyRepo(t, "sha1"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		cur  string
		n    int
		want []string
	}{
		{"v2.0", 3, []string{"v1.2", "v1.1", "v1.0"}},
		{"v2.0", 2, []string{"v1.2", "v1.1"}},
		{"v1.1.9", 3, []string{"v1.1", "v1.0"}},
		{"release-1.2", 2, []string{"release-1.1", "release-1.0"}},
	} {
		cur, err := r.Resolve(ctx, c.cur)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := r.PreviousTags(ctx, cur, c.n); err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("PreviousTags(%s, %d) = %v, %v; want %v", c.cur, c.n, got, err, c.want)
		}
	}
}

// TestResolveGitKilled: a cat-file killed by a signal while Resolve reads
// its answers is ErrGitKilled (an environment failure), not a missing tag.
func TestResolveGitKilled(t *testing.T) {
	requireTool(t, "git")
	realGit, err := exec.LookPath("git")
	if err != nil {
		t.Fatal(err)
	}
	wrapper := filepath.Join(t.TempDir(), "git")
	script := "#!/bin/sh\nfor a in \"$@\"; do\n  if [ \"$a\" = cat-file ]; then kill -9 $$; fi\ndone\nexec " + realGit + " \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r, err := Open(ctx, smallRepo(t), Options{Git: wrapper})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Resolve(ctx, "v1.2"); !errors.Is(err, ErrGitKilled) {
		t.Errorf("Resolve with cat-file killed = %v, want ErrGitKilled", err)
	}
}
