package verify

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/tarcheck/tarcheck/verify/rebuild"
	"github.com/tarcheck/tarcheck/verify/report"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tarcheck/tarcheck/sandbox"
	"github.com/tarcheck/tarcheck/verify/gitsrc"
)

// requireTool skips the test when a tool is missing, or fails it when
// TARCHECK_REQUIRE_TOOLS=1 (as in CI).
func requireTool(t testing.TB, names ...string) {
	t.Helper()
	for _, name := range names {
		if _, err := exec.LookPath(name); err != nil {
			if os.Getenv("TARCHECK_REQUIRE_TOOLS") == "1" {
				t.Fatalf("%s is required (TARCHECK_REQUIRE_TOOLS=1): %v", name, err)
			}
			t.Skipf("%s not installed", name)
		}
	}
}

// gitEnv is a git environment with no user or system configuration.
func gitEnv() []string {
	return append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.invalid", "GIT_COMMITTER_NAME=Test",
		"GIT_COMMITTER_EMAIL=test@example.invalid", "GIT_AUTHOR_DATE=2024-01-01T00:00:00Z",
		"GIT_COMMITTER_DATE=2024-01-01T00:00:00Z")
}

func gitRun(t testing.TB, dir string, stdin []byte, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = gitEnv()
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return strings.TrimSpace(string(out))
}

// srcFile is one file of a fixture: content, exec bit, or a symlink target.
type srcFile struct {
	body string
	exec bool
	link string
}

func writeTree(t testing.TB, dir string, files map[string]srcFile) {
	t.Helper()
	for name, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if f.link != "" {
			if err := os.Symlink(f.link, p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		mode := os.FileMode(0o644)
		if f.exec {
			mode = 0o755
		}
		if err := os.WriteFile(p, []byte(f.body), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
	}
}

// makeRepo commits files and tags them v1.0 (annotated).
func makeRepo(t testing.TB, files map[string]srcFile) string {
	t.Helper()
	requireTool(t, "git")
	dir := filepath.Join(t.TempDir(), "repo")
	writeTree(t, dir, files)
	gitRun(t, dir, nil, "-c", "init.defaultBranch=main", "init", "-q")
	gitRun(t, dir, nil, "add", "-A")
	gitRun(t, dir, nil, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "import")
	gitRun(t, dir, nil, "-c", "tag.gpgsign=false", "tag", "-a", "v1.0", "-m", "v1.0")
	return dir
}

// makeTarball writes a .tar.gz with every file under root/.
func makeTarball(t testing.TB, path, root string, files map[string]srcFile) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	mtime := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := tw.WriteHeader(&tar.Header{Name: root + "/", Typeflag: tar.TypeDir, Mode: 0o755, ModTime: mtime}); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		f := files[n]
		h := &tar.Header{Name: root + "/" + n, Mode: 0o644, ModTime: mtime, Size: int64(len(f.body)), Typeflag: tar.TypeReg}
		if f.exec {
			h.Mode = 0o755
		}
		if f.link != "" {
			h.Typeflag, h.Linkname, h.Size = tar.TypeSymlink, f.link, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if f.link == "" {
			if _, err := tw.Write([]byte(f.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func merge(maps ...map[string]srcFile) map[string]srcFile {
	out := map[string]srcFile{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func findFile(t testing.TB, r *report.Report, path string) report.FileDiff {
	t.Helper()
	for _, f := range r.Files {
		if f.Path == path {
			return f
		}
	}
	t.Fatalf("%s not in the report", path)
	return report.FileDiff{}
}

func findingsFor(r *report.Report, rule string) []report.Finding {
	var out []report.Finding
	for _, f := range r.Findings {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

// isolatingBackend returns "auto" when an isolating sandbox works here; it
// skips (or fails with TARCHECK_REQUIRE_TOOLS=1) otherwise.
func isolatingBackend(t testing.TB) string {
	t.Helper()
	if _, err := sandbox.New(sandbox.BackendAuto); err != nil {
		if os.Getenv("TARCHECK_REQUIRE_TOOLS") == "1" {
			t.Fatalf("no sandbox backend (TARCHECK_REQUIRE_TOOLS=1): %v", err)
		}
		t.Skipf("no sandbox backend: %v", err)
	}
	return sandbox.BackendAuto
}

// The fake project: an upstream "bootstrap" script (run with
// --rebuild-script, so no autotools are needed) that writes Bison-stamped
// C files, writes a libtool m4 file and writes a configure that makes a
// Makefile with a dist target.
const fakeBootstrap = `#!/bin/sh
set -e
stamp='/* A Bison parser, made by GNU Bison 3.8.2.  */'
printf '%s\nint a;\n' "$stamp" > a.c
printf '%s\nint b;\n' "$stamp" > b.c
printf '/* A Bison parser, made by GNU Bison 3.7.6.  */\nint c;\n' > c.c
mkdir -p m4
printf '%s\n' '# libtool.m4 - Configure libtool for the host system. -*-Autoconf-*-' '# serial 58 LT_INIT' > m4/libtool.m4
cat > configure <<'EOF'
#!/bin/sh
printf 'dist:\n\trm -rf foo-1.0 && mkdir -p foo-1.0/m4 && cp a.c b.c c.c bootstrap foo-1.0/ && cp m4/*.m4 foo-1.0/m4/ && tar -czf foo-1.0.tar.gz foo-1.0 && rm -rf foo-1.0\n' > Makefile
EOF
chmod +x configure
`

var fakeGit = map[string]srcFile{
	"bootstrap": {body: fakeBootstrap, exec: true},
}

var fakeGenerated = map[string]srcFile{
	"a.c":           {body: "/* A Bison parser, made by GNU Bison 3.8.2.  */\nint a;\n"},
	"b.c":           {body: "/* A Bison parser, made by GNU Bison 3.8.2.  */\nint b;\nint tampered;\n"},
	"c.c":           {body: "/* A Bison parser, made by GNU Bison 3.8.2.  */\nint c;\n"},
	"m4/evil.m4":    {body: "# evil.m4 serial 30\nAC_DEFUN([EVIL], [:])\n"},
	"m4/libtool.m4": {body: "# libtool.m4 - Configure libtool for the host system. -*-Autoconf-*-\n# serial 58 LT_INIT\n"},
	"doc/foo.1":     {body: ".\\\" DO NOT MODIFY THIS FILE!  It was generated by help2man 1.49.3.\n.TH FOO 1\n"},
}

func fakeRelease(t testing.TB) (repo, tarball string) {
	repo = makeRepo(t, fakeGit)
	tarball = filepath.Join(t.TempDir(), "foo-1.0.tar.gz")
	makeTarball(t, tarball, "foo-1.0", merge(fakeGit, fakeGenerated))
	return repo, tarball
}

// TestRebuildFakeGenerators runs the rebuild pipeline in the real sandbox
// with an upstream bootstrap script standing in for the autotools.
func TestRebuildFakeGenerators(t *testing.T) {
	backend := isolatingBackend(t)
	repo, tarball := fakeRelease(t)
	for _, mode := range []string{"autoreconf", "dist"} {
		t.Run(mode, func(t *testing.T) {
			if mode == "dist" {
				requireTool(t, "make", "tar", "gzip")
			}
			cache := t.TempDir()
			r, err := Run(context.Background(), Options{Sources: Sources{Tarball: tarball, Git: repo, Tag: "v1.0", CacheDir: cache},
				Rebuild: Rebuild{Mode: mode, Runner: testRunner(t, backend), Script: "./bootstrap"}, Output: Output{FailOn: report.SevHigh}})
			if err != nil {
				t.Fatal(err)
			}
			rb := r.Rebuild
			if rb == nil {
				t.Fatal("no rebuild info")
			}
			if rb.Sandbox == "none (unsafe)" || rb.Mode != mode || rb.Commands[0] != "./bootstrap" {
				t.Errorf("rebuild info = %+v", rb)
			}
			for path, want := range map[string]string{
				"a.c": report.RebuildReproduced, "b.c": report.RebuildDiffers, "c.c": report.RebuildNotReproducible,
				"m4/libtool.m4": report.RebuildReproduced, "m4/evil.m4": report.RebuildNotAttempted, "doc/foo.1": report.RebuildNotAttempted,
			} {
				if got := findFile(t, r, path).Rebuild; got != want {
					t.Errorf("%s: rebuild = %q, want %q", path, got, want)
				}
			}
			if f := findFile(t, r, "b.c"); f.Severity != report.SevHigh || !strings.Contains(f.Diff, "+int tampered;") {
				t.Errorf("b.c: severity %v, diff %q", f.Severity, f.Diff)
			}
			hi := findingsFor(r, report.RuleRegeneratedFileDiffers)
			if len(hi) != 1 || hi[0].Path != "b.c" || hi[0].Severity != report.SevHigh || !strings.Contains(strings.Join(hi[0].Evidence, "\n"), "+int tampered;") {
				t.Errorf("TC601 findings = %+v", hi)
			}
			// Issue 16: a stamp naming a generator version this machine
			// lacks no longer excuses the difference (it was TC602 medium
			// on the file): the file is not proved (info), and one grouped
			// medium finding names the missing toolchain.
			c := findFile(t, r, "c.c")
			if c.Severity != report.SevInfo || c.Rebuild != report.RebuildNotReproducible || !strings.Contains(c.Reason, "not proved: upstream used GNU Bison 3.8.2, this machine has 3.7.6") {
				t.Errorf("c.c = %+v", c)
			}
			med := findingsFor(r, report.RuleNotReproducible)
			if len(med) != 1 || med[0].Path != "" || med[0].Severity != report.SevMedium || med[0].Message != "GNU Bison 3.8.2 not available: 1 generated file not proved" {
				t.Errorf("TC602 findings = %+v", med)
			}
			// Issue 16: the tarball-only evil.m4 matches no upstream copy, so
			// it is left out of the rebuild instead of being used as an input.
			if len(rb.M4Inputs) != 0 || strings.Join(rb.InputsReplaced, ",") != "m4/evil.m4 (left out: no known upstream copy),m4/libtool.m4 (left out: no known upstream copy)" {
				t.Errorf("m4 inputs = %q, replaced %q", rb.M4Inputs, rb.InputsReplaced)
			}
			if !slices.Contains(rb.Notes, rebuild.NoteNoInputs) {
				t.Errorf("notes lack the no-input note: %q", rb.Notes)
			}
			if rb.Reproduced != 2 || rb.Differs != 1 || rb.NotRepro != 1 {
				t.Errorf("counts = %d/%d/%d", rb.Reproduced, rb.Differs, rb.NotRepro)
			}
			if len(rb.HostTools) != 4 { // autoconf, automake, libtool, gettext
				t.Errorf("host tools = %q", rb.HostTools)
			}
			if r.Verdict != report.Fail {
				t.Errorf("verdict %s, want fail (b.c)", r.Verdict)
			}
			notFromDist := findingsFor(r, report.RuleNotFromDist)
			if mode == "dist" {
				if len(notFromDist) != 2 || notFromDist[0].Path+notFromDist[1].Path != "m4/evil.m4doc/foo.1" {
					t.Errorf("TC603 findings = %+v", notFromDist)
				}
				if !strings.Contains(strings.Join(rb.Notes, "\n"), "make dist from the tag produced foo-1.0.tar.gz") {
					t.Errorf("notes = %q", rb.Notes)
				}
			} else if len(notFromDist) != 0 {
				t.Errorf("TC603 without dist: %+v", notFromDist)
			}
			// The scratch directory is gone.
			if ents, _ := os.ReadDir(filepath.Join(cache, "rebuild")); len(ents) != 0 {
				t.Errorf("rebuild scratch left behind: %v", ents)
			}
		})
	}
}

// TestRebuildNoneIsStated checks that --sandbox none says so in the report.
func TestRebuildNoneIsStated(t *testing.T) {
	repo, tarball := fakeRelease(t)
	r, err := Run(context.Background(), Options{Sources: Sources{Tarball: tarball, Git: repo, Tag: "v1.0", CacheDir: t.TempDir()},
		Rebuild: Rebuild{Mode: "autoreconf", Runner: testRunner(t, sandbox.BackendNone), Script: "./bootstrap"}, Output: Output{FailOn: report.SevHigh}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Rebuild.Sandbox != "none (unsafe)" || !slices.Contains(r.Rebuild.Notes, rebuild.NoteUnsafe) {
		t.Errorf("rebuild info = %+v", r.Rebuild)
	}
	if findFile(t, r, "b.c").Rebuild != report.RebuildDiffers {
		t.Errorf("b.c not compared")
	}
}

// TestRebuildScriptFails: a failing regeneration is a medium finding with
// the output's tail, not an error; nothing is marked reproduced.
func TestRebuildScriptFails(t *testing.T) {
	repo, tarball := fakeRelease(t)
	r, err := Run(context.Background(), Options{Sources: Sources{Tarball: tarball, Git: repo, Tag: "v1.0", CacheDir: t.TempDir()},
		Rebuild: Rebuild{Mode: "dist", Runner: testRunner(t, sandbox.BackendNone), Script: "echo macro FOO not found >&2; exit 3"}, Output: Output{FailOn: report.SevHigh}})
	if err != nil {
		t.Fatal(err)
	}
	med := findingsFor(r, report.RuleNotReproducible)
	if len(med) != 1 || !strings.Contains(med[0].Message, "exit status 3") || !strings.Contains(strings.Join(med[0].Evidence, "\n"), "macro FOO not found") {
		t.Errorf("findings = %+v", r.Findings)
	}
	for _, f := range r.Files {
		if f.Rebuild != report.RebuildNotAttempted {
			t.Errorf("%s: rebuild %q", f.Path, f.Rebuild)
		}
	}
	if len(r.Rebuild.Commands) != 1 || r.Verdict != report.Pass {
		t.Errorf("commands %q (dist must not run after a failed regeneration), verdict %s", r.Rebuild.Commands, r.Verdict)
	}
}

// TestRebuildNothingToRegenerate: without configure.ac (and no
// --rebuild-script) nothing runs and the report says why.
func TestRebuildNothingToRegenerate(t *testing.T) {
	repo, tarball := fakeRelease(t)
	r, err := Run(context.Background(), Options{Sources: Sources{Tarball: tarball, Git: repo, Tag: "v1.0", CacheDir: t.TempDir()},
		Rebuild: Rebuild{Mode: "autoreconf", Runner: testRunner(t, sandbox.BackendNone)}, Output: Output{FailOn: report.SevHigh}})
	if err != nil {
		t.Fatal(err)
	}
	rb := r.Rebuild
	if len(rb.Commands) != 0 || len(rb.Notes) < 2 || !strings.Contains(rb.Notes[len(rb.Notes)-1], "no configure.ac") {
		t.Errorf("rebuild info = %+v", rb)
	}
	for _, f := range r.Files {
		if f.Rebuild != report.RebuildNotAttempted {
			t.Errorf("%s: rebuild %q", f.Path, f.Rebuild)
		}
	}
}

// TestRebuildSandboxUnavailable: no working backend is an environment error
// (exit 3); the CLI adds the hint.
func TestRebuildSandboxUnavailable(t *testing.T) {
	repo, tarball := fakeRelease(t)
	saved := newSandbox
	t.Cleanup(func() { newSandbox = saved })
	newSandbox = func(ctx context.Context, name string) (sandbox.Runner, error) {
		return nil, fmt.Errorf("%w: bwrap: not installed; namespaces: operation not permitted", sandbox.ErrUnavailable)
	}
	_, err := Run(context.Background(), Options{Sources: Sources{Tarball: tarball, Git: repo, Tag: "v1.0", CacheDir: t.TempDir()},
		Rebuild: Rebuild{Mode: "autoreconf"}, Output: Output{FailOn: report.SevHigh}})
	if !errors.Is(err, ErrEnvironment) || !errors.Is(err, sandbox.ErrUnavailable) {
		t.Fatalf("err = %v", err)
	}
}

// TestRebuildAutotools is the real thing: a tiny autotools project released
// with this machine's autoreconf/configure/make dist, then verified with
// --rebuild. (cmd/tarcheck/testdata/script/rebuild.txtar covers the hand-edited
// and version-mismatch releases through the CLI.)
func TestRebuildAutotools(t *testing.T) {
	requireTool(t, "git", "autoreconf", "autoconf", "automake", "make", "cc", "tar", "gzip")
	if testing.Short() {
		t.Skip("slow: runs autoreconf twice")
	}
	backend := isolatingBackend(t)
	repo := makeRepo(t, map[string]srcFile{
		"configure.ac": {body: "AC_INIT([foo], [1.0])\nAM_INIT_AUTOMAKE([foreign])\nAC_PROG_CC\nAC_CONFIG_HEADERS([config.h])\nAC_CONFIG_FILES([Makefile])\nAC_OUTPUT\n"},
		"Makefile.am":  {body: "bin_PROGRAMS = foo\nfoo_SOURCES = foo.c\n"},
		"foo.c":        {body: "#include \"config.h\"\nint main(void) { return 0; }\n"},
	})
	work := t.TempDir()
	gitRun(t, repo, nil, "worktree", "add", "-q", "--detach", filepath.Join(work, "co"), "v1.0")
	cmd := exec.Command("sh", "-c", "autoreconf -fi && ./configure && make dist")
	cmd.Dir = filepath.Join(work, "co")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("making the release: %v\n%s", err, out)
	}
	tarball := filepath.Join(work, "co", "foo-1.0.tar.gz")
	r, err := Run(context.Background(), Options{Sources: Sources{Tarball: tarball, Git: repo, Tag: "v1.0", CacheDir: t.TempDir()},
		Rebuild: Rebuild{Mode: "autoreconf", Runner: testRunner(t, backend)}, Output: Output{FailOn: report.SevHigh}})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"configure", "Makefile.in", "aclocal.m4", "config.h.in", "install-sh", "missing"} {
		if f := findFile(t, r, p); f.Rebuild != report.RebuildReproduced {
			t.Errorf("%s: rebuild %q (%s)", p, f.Rebuild, f.Reason)
		}
	}
	if r.Verdict != report.Pass || r.Rebuild.Differs != 0 || r.Rebuild.NotRepro != 0 {
		t.Errorf("verdict %s, rebuild %+v, findings %+v", r.Verdict, r.Rebuild, r.Findings)
	}
	if r.Rebuild.Commands[0] != "autoreconf -fi" || !slices.Contains(r.Rebuild.Notes, rebuild.NoteNoInputs) {
		t.Errorf("rebuild info %+v", r.Rebuild)
	}
}

// TestExportRaw: the export is the tree's blobs byte for byte, with exec
// bits and symlinks, and no .gitattributes or repository configuration
// applies (no export-ignore, no eol conversion, no smudge filter runs).
func TestExportRaw(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "filter-ran")
	files := map[string]srcFile{
		".gitattributes": {body: "ignored export-ignore\ncrlf.txt text eol=crlf\nfiltered filter=evil\nsubst export-subst\n"},
		"ignored":        {body: "still exported\n"},
		"crlf.txt":       {body: "a\nb\n"},
		"filtered":       {body: "raw\n"},
		"subst":          {body: "$Format:%H$\n"},
		"bin/run.sh":     {body: "#!/bin/sh\n", exec: true},
		"link":           {link: "../../../outside"},
		"dir/deep/f":     {body: "deep\n"},
	}
	repo := makeRepo(t, files)
	gitRun(t, repo, nil, "config", "filter.evil.smudge", "touch "+marker+"; cat")
	ctx := context.Background()
	r, err := gitsrc.Open(ctx, repo, gitsrc.Options{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	tag, err := r.Resolve(ctx, "v1.0")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "export")
	if err := r.Export(ctx, tag.Tree, out); err != nil {
		t.Fatal(err)
	}
	for name, f := range files {
		p := filepath.Join(out, filepath.FromSlash(name))
		fi, err := os.Lstat(p)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if f.link != "" {
			got, err := os.Readlink(p)
			if err != nil || got != f.link {
				t.Errorf("%s: link %q, %v", name, got, err)
			}
			continue
		}
		got, _ := os.ReadFile(p)
		if string(got) != f.body {
			t.Errorf("%s = %q, want %q", name, got, f.body)
		}
		want := os.FileMode(0o644)
		if f.exec {
			want = 0o755
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", name, fi.Mode().Perm(), want)
		}
	}
	if _, err := os.Stat(marker); err == nil {
		t.Errorf("a smudge filter from the repository configuration ran")
	}
	// Exporting again into a non-empty directory is refused.
	if err := r.Export(ctx, tag.Tree, out); err == nil {
		t.Errorf("export into a non-empty directory succeeded")
	}
}

// rawTree writes a tree object with arbitrary entries (git's checks skipped).
func rawTree(t testing.TB, repo string, entries ...[3]string) string {
	t.Helper()
	var buf bytes.Buffer
	for _, e := range entries {
		id, err := hex.DecodeString(e[2])
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&buf, "%s %s\x00", e[0], e[1])
		buf.Write(id)
	}
	return gitRun(t, repo, buf.Bytes(), "hash-object", "-t", "tree", "-w", "--literally", "--stdin")
}

// TestExportHostileTree: crafted trees cannot make Export write outside its
// directory or through a symlink.
func TestExportHostileTree(t *testing.T) {
	requireTool(t, "git")
	repo := filepath.Join(t.TempDir(), "repo")
	if err := os.MkdirAll(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	gitRun(t, repo, nil, "init", "-q")
	outside := t.TempDir()
	blob := gitRun(t, repo, []byte("pwned\n"), "hash-object", "-w", "--stdin")
	link := gitRun(t, repo, []byte(outside), "hash-object", "-w", "--stdin")
	sub := rawTree(t, repo, [3]string{"100644", "b", blob})

	cases := map[string]string{
		// "a" is a symlink to outside, then "a/b" would be written through it.
		"below symlink": rawTree(t, repo, [3]string{"120000", "a", link}, [3]string{"40000", "a", sub}),
		"dot-dot":       rawTree(t, repo, [3]string{"40000", "..", sub}),
		"dot-git":       rawTree(t, repo, [3]string{"40000", ".git", sub}),
		"duplicate":     rawTree(t, repo, [3]string{"100644", "b", blob}, [3]string{"100644", "b", blob}),
		"below file":    rawTree(t, repo, [3]string{"100644", "a", blob}, [3]string{"40000", "a", sub}),
	}
	ctx := context.Background()
	r, err := gitsrc.Open(ctx, repo, gitsrc.Options{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for name, tree := range cases {
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "deep", "export")
			if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
				t.Fatal(err)
			}
			err := r.Export(ctx, tree, out)
			t.Log(err)
			if !errors.Is(err, gitsrc.ErrUnsafeTree) {
				t.Errorf("err = %v, want ErrUnsafeTree", err)
			}
			if ents, _ := os.ReadDir(outside); len(ents) != 0 {
				t.Errorf("written outside the export: %v", ents)
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(out), "b")); err == nil {
				t.Errorf("written next to the export")
			}
		})
	}
}

// BenchmarkExport exports a 2,000-file tag (about 8 MiB).
func BenchmarkExport(b *testing.B) {
	files := map[string]srcFile{}
	for i := 0; i < 2000; i++ {
		files[fmt.Sprintf("d%02d/f%04d.c", i%40, i)] = srcFile{body: strings.Repeat(fmt.Sprintf("int v%d;\n", i), 400)}
	}
	repo := makeRepo(b, files)
	ctx := context.Background()
	r, err := gitsrc.Open(ctx, repo, gitsrc.Options{CacheDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	tag, err := r.Resolve(ctx, "v1.0")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out := filepath.Join(b.TempDir(), "x")
		if err := r.Export(ctx, tag.Tree, out); err != nil {
			b.Fatal(err)
		}
	}
}

// testRunner opens a sandbox backend, as the CLI does before Run.
func testRunner(t testing.TB, backend string) sandbox.Runner {
	t.Helper()
	r, err := sandbox.NewContext(context.Background(), backend)
	if err != nil {
		t.Fatalf("sandbox %s: %v", backend, err)
	}
	return r
}
