package gitsrc

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// hostileTagNames are refused by CheckTagName before git sees them.
var hostileTagNames = []string{
	"--upload-pack=touch marker",
	"--upload-pack=touch",
	"-x",
	"-",
	"..",
	"a..b",
	"v1/../../etc",
	"v1\x1b[31m",
	"v1\n",
	"v1\r",
	"v1\x00",
	"v1\x7f",
	"v1 ; touch marker",
	"v1:refs/heads/x",
	"HEAD~1",
	"v1^{tree}",
	"v1@{0}",
	"@",
	"*",
	"v1?",
	"v[1]",
	"back\\slash",
	"/abs",
	"a//b",
	"trailing/",
	"trailing.",
	"v1.lock",
	"a/b.lock/c",
	".hidden",
	"a/.b",
	"",
	strings.Repeat("x", MaxTagNameLength+1),
}

// markerDir makes a directory for marker files and returns it with a
// function that fails the test if any marker exists.
func markerDir(t *testing.T) (string, func()) {
	dir := filepath.Join(t.TempDir(), "markers")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, func() {
		t.Helper()
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			t.Errorf("marker %s appeared: a hostile input made git run a command", e.Name())
		}
	}
}

// evilScript writes an executable that creates marker name in markers and
// returns its path.
func evilScript(t *testing.T, binDir, markers, name string) string {
	t.Helper()
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(binDir, name)
	script := "#!/bin/sh\ntouch '" + filepath.Join(markers, name) + "'\ncat >/dev/null 2>&1 </dev/null\nexit 1\n"
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestHostileTagNames: every hostile name is refused with ErrBadTagName and
// never reaches git (a wrapper records every git invocation), for a local
// repository and a remote one.
func TestHostileTagNames(t *testing.T) {
	requireTool(t, "git")
	ctx := context.Background()
	markers, check := markerDir(t)
	defer check()
	work := smallRepo(t)
	root := t.TempDir()
	serveRepo(t, root, "small", work)
	srv := startHTTPServer(t, root)

	argLog := filepath.Join(t.TempDir(), "args.log")
	realGit, err := exec.LookPath("git")
	if err != nil {
		t.Fatal(err)
	}
	wrapper := filepath.Join(t.TempDir(), "git-wrapper")
	if err := os.WriteFile(wrapper, []byte("#!/bin/sh\nprintf '%s\\n' \"$*\" >> '"+argLog+"'\nexec '"+realGit+"' \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{work, srv.repoURL("small")} {
		r, err := Open(ctx, src, Options{CacheDir: t.TempDir(), Git: wrapper})
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range hostileTagNames {
			if err := CheckTagName(name); !errors.Is(err, ErrBadTagName) {
				t.Errorf("CheckTagName(%q) = %v, want ErrBadTagName", name, err)
			}
			if _, err := r.Resolve(ctx, name); !errors.Is(err, ErrBadTagName) {
				t.Errorf("Resolve(%q) on %s = %v, want ErrBadTagName", name, src, err)
			}
		}
		// A name git accepts but a shell would not: it reaches git as one
		// argument after --end-of-options and is simply not found.
		shelly := "$(touch${IFS}" + filepath.Join(markers, "shell") + ")"
		if _, err := r.Resolve(ctx, shelly); !errors.Is(err, ErrTagNotFound) {
			t.Errorf("Resolve(%q) on %s = %v, want ErrTagNotFound", shelly, src, err)
		}
	}
	b := &Builder{Dir: work}
	if _, err := b.MakeTag(ctx, "--upload-pack=touch marker", []byte("x")); !errors.Is(err, ErrBadTagName) {
		t.Errorf("MakeTag(hostile) = %v, want ErrBadTagName", err)
	}
	logged, _ := os.ReadFile(argLog)
	if len(logged) == 0 {
		t.Fatal("the git wrapper recorded nothing")
	}
	for _, line := range strings.Split(string(logged), "\n") {
		for _, name := range hostileTagNames {
			if len(name) > 2 && strings.Contains(line, name) {
				t.Errorf("hostile tag name %q reached git: %s", name, line)
			}
		}
		if strings.Contains(line, "upload-pack=") || strings.Contains(line, "\x1b") {
			t.Errorf("hostile argument reached git: %q", line)
		}
	}
}

// TestHostileLocalRepository: a local repository whose .git/config names a
// program for every hook git knows must not make tarcheck's git run any.
func TestHostileLocalRepository(t *testing.T) {
	requireTool(t, "git")
	ctx := context.Background()
	markers, check := markerDir(t)
	work := smallRepo(t)
	gitDir := filepath.Join(work, ".git")
	bin := filepath.Join(t.TempDir(), "bin")
	evil := func(name string) string { return evilScript(t, bin, markers, name) }

	// A bundle made before the repository turns hostile.
	bundle := filepath.Join(t.TempDir(), "small.bundle")
	gitT(t, work, nil, "bundle", "create", "--quiet", bundle, "--all")

	// A promisor remote with a hostile upload-pack: reading a missing object
	// would lazily fetch from it.
	origin := filepath.Join(t.TempDir(), "origin.git")
	gitT(t, work, nil, "clone", "--quiet", "--bare", "--no-local", work, origin)
	hooks := filepath.Join(t.TempDir(), "hooks")
	for _, h := range []string{"post-index-change", "pre-commit", "post-checkout", "post-merge", "pre-auto-gc", "reference-transaction", "fsmonitor-watchman", "post-rewrite", "pre-push"} {
		s := evil("hook-" + h)
		for _, d := range []string{hooks, filepath.Join(gitDir, "hooks")} {
			os.MkdirAll(d, 0o755)
			data, _ := os.ReadFile(s)
			if err := os.WriteFile(filepath.Join(d, h), data, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	attrFile := filepath.Join(t.TempDir(), "attributes")
	writeFiles(t, filepath.Dir(attrFile), map[string]string{"attributes": "* export-subst\n"})
	writeFiles(t, gitDir, map[string]string{"info/attributes": "* export-ignore filter=evil diff=evil\n"})
	for _, kv := range [][2]string{
		{"core.repositoryformatversion", "1"},
		{"extensions.partialClone", "origin"},
		{"remote.origin.url", origin},
		{"remote.origin.promisor", "true"},
		{"remote.origin.uploadpack", evil("uploadpack")},
		{"remote.origin.receivepack", evil("receivepack")},
		{"protocol.file.allow", "always"},
		{"protocol.allow", "always"},
		{"core.fsmonitor", evil("fsmonitor")},
		{"core.hooksPath", hooks},
		{"core.pager", evil("pager")},
		{"pager.cat-file", evil("pager-cat-file")},
		{"pager.log", evil("pager-log")},
		{"diff.external", evil("diff-external")},
		{"diff.evil.textconv", evil("textconv")},
		{"filter.evil.clean", evil("filter-clean")},
		{"filter.evil.smudge", evil("filter-smudge")},
		{"filter.evil.process", evil("filter-process")},
		{"core.sshCommand", evil("ssh")},
		{"core.gitProxy", evil("gitproxy")},
		{"core.askPass", evil("askpass")},
		{"core.editor", evil("editor")},
		{"core.alternateRefsCommand", evil("alternaterefs")},
		{"core.attributesFile", attrFile},
		{"uploadpack.packObjectsHook", evil("packobjectshook")},
		{"credential.helper", evil("credential")},
		{"gpg.program", evil("gpg")},
		{"gpg.ssh.program", evil("gpg-ssh")},
		{"sequence.editor", evil("sequence-editor")},
		{"core.untrackedCache", "true"},
		{"gc.auto", "1"},
	} {
		gitT(t, gitDir, nil, "config", kv[0], kv[1])
	}
	// Remove one blob so that a read of it would trigger a lazy fetch.
	victim := gitT(t, work, nil, "rev-parse", "v1.2:docs/manual.txt")
	if err := os.Remove(filepath.Join(gitDir, "objects", victim[:2], victim[2:])); err != nil {
		t.Fatalf("removing blob %s: %v", victim, err)
	}

	// Sanity check: the trap is live for a plain git.
	plain := exec.Command("git", "--git-dir="+gitDir, "cat-file", "-p", victim)
	plain.Env = testEnv()
	plain.Run()
	if _, err := os.Stat(filepath.Join(markers, "uploadpack")); err != nil {
		t.Fatalf("sanity check: plain git did not run the hostile upload-pack, the test proves nothing")
	}
	os.RemoveAll(markers)
	os.MkdirAll(markers, 0o755)
	defer check()

	for _, src := range []string{work, gitDir, bundle} {
		r, err := Open(ctx, src, Options{CacheDir: t.TempDir()})
		if err != nil {
			t.Fatalf("Open(%s): %v", src, err)
		}
		tags, err := r.Tags(ctx)
		if err != nil || len(tags) != 3 {
			t.Errorf("Tags(%s) = %v, %v", src, tags, err)
		}
		tag, err := r.Resolve(ctx, "v1.2")
		if err != nil {
			t.Fatalf("Resolve(%s): %v", src, err)
		}
		tree := listTree(t, ctx, r, tag.Tree)
		var ids []string
		for _, e := range tree {
			ids = append(ids, e.ID)
		}
		if err := r.Prefetch(ctx, tag.Tree, ids); err != nil {
			t.Errorf("Prefetch(%s): %v", src, err)
		}
		b, err := r.OpenBlobs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for p, e := range tree {
			_, err := b.Read(e.ID)
			if wantErr := e.ID == victim && src != bundle; (err != nil) != wantErr {
				t.Errorf("Read(%s) in %s: %v", p, src, err)
			}
		}
		b.Close()
		ign, subst, err := r.Attributes(ctx, tag.Tree, t.TempDir(), []string{"README", "ci/build.sh", "version.h"})
		if err != nil {
			t.Errorf("Attributes(%s): %v", src, err)
		}
		if ign["README"] || subst["README"] || !ign["ci/build.sh"] || !subst["version.h"] {
			t.Errorf("Attributes(%s) honoured attributes from outside the tree: ignore=%v subst=%v", src, ign, subst)
		}
		var n int
		if err := r.HistoryFiles(ctx, []string{"*.m4"}, func(string, []byte) error { n++; return nil }); err != nil || n != 3 {
			t.Errorf("HistoryFiles(%s) = %d versions, %v", src, n, err)
		}
	}
}

// TestDeltaBaseCache checks the size of git's delta base cache each kind
// of command gets, whatever the repository's own config says: small for
// reads (a full cache costs page faults, not time saved), git's default
// for fetches.
func TestDeltaBaseCache(t *testing.T) {
	requireTool(t, "git")
	ctx := context.Background()
	work := smallRepo(t)
	gitT(t, work, nil, "config", "core.deltaBaseCacheLimit", "1g")
	r, err := Open(ctx, work, Options{CacheDir: t.TempDir(), Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	get := func(prefix ...string) string {
		out, err := r.run(ctx, nil, append(prefix, "config", "--get", "core.deltaBaseCacheLimit")...)
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(out))
	}
	if got := get(); got != readDeltaBaseCache {
		t.Errorf("reads: core.deltaBaseCacheLimit %q, want %q", got, readDeltaBaseCache)
	}
	for name, cfg := range map[string][]string{"fetch": fetchConfig, "history fetch": historyFetchConfig} {
		if got := get(cfg...); got != fetchDeltaBaseCache {
			t.Errorf("%s: core.deltaBaseCacheLimit %q, want %q", name, got, fetchDeltaBaseCache)
		}
	}
}
