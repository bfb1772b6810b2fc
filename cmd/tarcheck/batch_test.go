package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/tarcheck/tarcheck/verify/report/reporttest"
)

// gitEnv is the environment of fixture git commands: no user or system
// configuration, fixed identities and dates.
var gitEnv = []string{"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
	"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.invalid", "GIT_COMMITTER_NAME=Test",
	"GIT_COMMITTER_EMAIL=test@example.invalid", "GIT_AUTHOR_DATE=2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2024-01-01T00:00:00Z"}

// fixtureCmd runs a fixture-building command in dir.
func fixtureCmd(t testing.TB, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), gitEnv...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// makeRepo creates a git repository at dir holding files, with the given
// annotated tags on its one commit.
func makeRepo(t testing.TB, dir string, files map[string]string, tags ...string) string {
	t.Helper()
	writeFiles(t, dir, files)
	fixtureCmd(t, dir, "git", "-c", "init.defaultBranch=main", "init", "-q")
	fixtureCmd(t, dir, "git", "add", "-A")
	fixtureCmd(t, dir, "git", "-c", "commit.gpgsign=false", "commit", "-q", "-m", "import")
	for _, tag := range tags {
		fixtureCmd(t, dir, "git", "-c", "tag.gpgsign=false", "tag", "-a", tag, "-m", tag)
	}
	return dir
}

// makeTarball writes out (a .tar.gz) with the files of repo at tag under
// prefix/, with changed files overwritten.
func makeTarball(t testing.TB, repo, tag, prefix, out string, changed map[string]string) string {
	t.Helper()
	if len(changed) == 0 {
		fixtureCmd(t, repo, "git", "archive", "--format=tar.gz", "--prefix="+prefix+"/", "-o", out, tag)
		return out
	}
	tmp := t.TempDir()
	fixtureCmd(t, repo, "git", "archive", "--format=tar", "--prefix="+prefix+"/", "-o", filepath.Join(tmp, "x.tar"), tag)
	fixtureCmd(t, tmp, "tar", "-xf", "x.tar")
	writeFiles(t, filepath.Join(tmp, prefix), changed)
	fixtureCmd(t, tmp, "tar", "-czf", out, prefix)
	return out
}

// runCLI runs tarcheck in-process.
func runCLI(t testing.TB, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &o, &e)
	if strings.Contains(e.String(), "goroutine ") || strings.Contains(e.String(), "panic") {
		t.Fatalf("panic: %s", e.String())
	}
	return code, o.String(), e.String()
}

// batchFixture is a directory with two upstream projects and releases of
// them that pass, fail (a modified source file), and cannot be verified.
type batchFixture struct {
	dir   string
	cache string
}

func newBatchFixture(t *testing.T) *batchFixture {
	t.Helper()
	requireTool(t, "git", "tar", "gzip")
	dir := t.TempDir()
	foo := makeRepo(t, filepath.Join(dir, "repos", "foo"), map[string]string{
		"README": "foo\n", "src/foo.c": "int main(void) { return 0; }\n"}, "v1.2")
	bar := makeRepo(t, filepath.Join(dir, "repos", "bar"), map[string]string{
		"README": "bar\n", "bar.c": "int bar;\n"}, "v2.0")
	if err := os.MkdirAll(filepath.Join(dir, "tarballs"), 0o755); err != nil {
		t.Fatal(err)
	}
	makeTarball(t, foo, "v1.2", "foo-1.2", filepath.Join(dir, "tarballs", "foo-1.2.tar.gz"), nil)
	makeTarball(t, bar, "v2.0", "bar-2.0", filepath.Join(dir, "tarballs", "bar-2.0.tar.gz"),
		map[string]string{"bar.c": "int bar; void backdoor(void) {}\n"})
	return &batchFixture{dir: dir, cache: filepath.Join(dir, "cache")}
}

func (f *batchFixture) manifest(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(f.dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const mixedManifest = `# releases with every outcome
releases:
  - name: foo-1.2
    tarball: tarballs/foo-1.2.tar.gz
    git: repos/foo
    tag: v1.2
  - name: bar-2.0
    tarball: tarballs/bar-2.0.tar.gz
    git: repos/bar
  - name: missing
    tarball: tarballs/missing-1.0.tar.gz
    git: repos/foo
  - name: no-such-tag
    tarball: tarballs/foo-1.2.tar.gz
    git: repos/foo
    tag: v9.9
`

type jsonLineRec struct {
	Name     string `json:"name"`
	ExitCode int    `json:"exit_code"`
	Error    string `json:"error"`
	Verdict  string `json:"verdict"`
	Git      struct {
		Tag string `json:"tag"`
	} `json:"git"`
}

func parseLines(t *testing.T, out string) []jsonLineRec {
	t.Helper()
	var recs []jsonLineRec
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if line == "" {
			continue
		}
		var r jsonLineRec
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if r.Error == "" {
			if err := reporttest.ReportJSON([]byte(line)); err != nil {
				t.Errorf("line of %s is not a valid report: %v", r.Name, err)
			}
		}
		recs = append(recs, r)
	}
	return recs
}

func TestBatchMixedVerdicts(t *testing.T) {
	f := newBatchFixture(t)
	m := f.manifest(t, "releases.yaml", mixedManifest)
	code, out, errOut := runCLI(t, "", "batch", m, "--format", "json", "--cache-dir", f.cache, "--jobs", "2")
	if code != exitUsage {
		t.Errorf("exit code %d, want %d (the worst: input errors outrank a fail)\nstderr: %s", code, exitUsage, errOut)
	}
	recs := parseLines(t, out)
	want := []struct {
		name    string
		code    int
		verdict string
		err     string
	}{
		{"foo-1.2", 0, "pass", ""},
		{"bar-2.0", 1, "fail", ""},
		{"missing", 2, "", "missing-1.0.tar.gz"},
		{"no-such-tag", 2, "", "v9.9"},
	}
	if len(recs) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(recs), len(want), out)
	}
	for i, w := range want {
		r := recs[i]
		if r.Name != w.name || r.ExitCode != w.code || r.Verdict != w.verdict || !strings.Contains(r.Error, w.err) {
			t.Errorf("line %d = %+v, want %+v", i, r, w)
		}
	}
	if recs[1].Git.Tag != "v2.0" {
		t.Errorf("bar's tag = %q, want the inferred v2.0", recs[1].Git.Tag)
	}
	for _, s := range []string{"tarcheck: error: missing: ", "tarcheck: error: no-such-tag: ", "tarcheck: error: 2 of 4 releases could not be verified"} {
		if !strings.Contains(errOut, s) {
			t.Errorf("stderr lacks %q:\n%s", s, errOut)
		}
	}

	// Without the broken entries the worst is the fail.
	m2 := f.manifest(t, "two.yaml", strings.Split(mixedManifest, "  - name: missing")[0])
	code, out, errOut = runCLI(t, "", "batch", m2, "--format", "json", "--cache-dir", f.cache)
	if code != exitFail || errOut != "" {
		t.Errorf("pass+fail: exit %d, stderr %q; want 1 and nothing", code, errOut)
	}
	if n := len(parseLines(t, out)); n != 2 {
		t.Errorf("%d lines, want 2", n)
	}

	// --fail-on applies to every release.
	code, _, _ = runCLI(t, "", "batch", m2, "--format", "json", "--cache-dir", f.cache, "--fail-on", "critical")
	if code != exitPass {
		t.Errorf("--fail-on critical: exit %d, want 0", code)
	}
}

func TestBatchTextAndMarkdownSummary(t *testing.T) {
	f := newBatchFixture(t)
	m := f.manifest(t, "releases.yaml", mixedManifest)
	code, out, _ := runCLI(t, "", "batch", m, "--cache-dir", f.cache, "--no-progress")
	if code != exitUsage {
		t.Errorf("exit %d, want 2", code)
	}
	for _, s := range []string{"=== foo-1.2\n", "=== bar-2.0\n", "=== missing\nerror (exit code 2): ",
		"=== summary: 4 releases: 1 pass, 1 fail, 2 error; exit code 2"} {
		if !strings.Contains(out, s) {
			t.Errorf("text output lacks %q", s)
		}
	}
	summary := out[strings.Index(out, "=== summary"):]
	for _, row := range [][]string{{"foo-1.2", "pass", "0"}, {"bar-2.0", "fail", "high", "1", "tarball", "missing,", "tag", "missing"}, {"no-such-tag", "error", "-", "2", "-"}} {
		found := false
		for _, line := range strings.Split(summary, "\n") {
			if strings.Join(strings.Fields(line), " ") == strings.Join(row, " ") ||
				(len(row) == 3 && strings.HasPrefix(line, row[0]) && strings.Fields(line)[1] == row[1] && strings.Fields(line)[3] == row[2]) {
				found = true
			}
		}
		if !found {
			t.Errorf("summary lacks row %v:\n%s", row, summary)
		}
	}

	// Markdown, written atomically to --output.
	outFile := filepath.Join(f.dir, "summary.md")
	code, stdout, _ := runCLI(t, "", "batch", m, "--cache-dir", f.cache, "--format", "markdown", "--output", outFile)
	if code != exitUsage || stdout != "" {
		t.Errorf("markdown: exit %d, stdout %q", code, stdout)
	}
	md, err := os.ReadFile(outFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"## foo-1.2\n", "## tarcheck batch summary", "| release | verdict | highest severity | exit code | signatures |",
		"| bar-2.0 | **FAIL** | high | 1 | tarball missing, tag missing |", "| missing | **ERROR** | - | 2 | \\- |"} {
		if !strings.Contains(string(md), s) {
			t.Errorf("markdown lacks %q:\n%s", s, md)
		}
	}
}

func TestBatchSARIF(t *testing.T) {
	f := newBatchFixture(t)
	m := f.manifest(t, "releases.yaml", mixedManifest)
	code, out, _ := runCLI(t, "", "batch", m, "--cache-dir", f.cache, "--format", "sarif", "--jobs", "3")
	if code != exitUsage {
		t.Errorf("exit %d, want 2", code)
	}
	if err := reporttest.SARIF([]byte(out)); err != nil {
		t.Fatalf("batch SARIF is not valid SARIF 2.1.0: %v\n%s", err, out)
	}
	var log struct {
		Runs []struct {
			AutomationDetails struct{ ID string } `json:"automationDetails"`
			Results           []json.RawMessage   `json:"results"`
			Invocations       []struct {
				ExecutionSuccessful bool `json:"executionSuccessful"`
				ExitCode            int  `json:"exitCode"`
			} `json:"invocations"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range log.Runs {
		ids = append(ids, r.AutomationDetails.ID)
	}
	want := []string{"tarcheck/foo-1.2/", "tarcheck/bar-2.0/", "tarcheck/missing/", "tarcheck/no-such-tag/"}
	if fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Errorf("runs %v, want %v", ids, want)
	}
	if len(log.Runs) == 4 {
		if len(log.Runs[1].Results) == 0 {
			t.Errorf("the failing release's run has no results")
		}
		if inv := log.Runs[2].Invocations; len(inv) != 1 || inv[0].ExecutionSuccessful || inv[0].ExitCode != 2 {
			t.Errorf("the broken release's run: invocations %+v", inv)
		}
	}
}

// manyManifest lists n releases (the same two fixtures under different names).
func manyManifest(n int) string {
	var b strings.Builder
	b.WriteString("releases:\n")
	for i := 0; i < n; i++ {
		if i%2 == 0 {
			fmt.Fprintf(&b, "  - {name: foo-%02d, tarball: tarballs/foo-1.2.tar.gz, git: repos/foo, tag: v1.2}\n", i)
		} else {
			fmt.Fprintf(&b, "  - {name: bar-%02d, tarball: tarballs/bar-2.0.tar.gz, git: repos/bar, tag: v2.0}\n", i)
		}
	}
	return b.String()
}

func TestBatchShardsPartition(t *testing.T) {
	f := newBatchFixture(t)
	const n = 8
	m := f.manifest(t, "many.yaml", manyManifest(n))
	_, all, _ := runCLI(t, "", "batch", m, "--format", "json", "--cache-dir", f.cache, "--jobs", "4")
	allLines := strings.Split(strings.TrimSuffix(all, "\n"), "\n")
	if len(allLines) != n {
		t.Fatalf("full run: %d lines, want %d", len(allLines), n)
	}
	var union []string
	seen := map[string]int{}
	for k := 1; k <= 3; k++ {
		_, out, errOut := runCLI(t, "", "batch", m, "--format", "json", "--cache-dir", f.cache, "--shard", fmt.Sprintf("%d/3", k))
		if errOut != "" {
			t.Errorf("shard %d/3: stderr %s", k, errOut)
		}
		for _, r := range parseLines(t, out) {
			seen[r.Name]++
		}
		if out != "" {
			union = append(union, strings.Split(strings.TrimSuffix(out, "\n"), "\n")...)
		}
	}
	for name, c := range seen {
		if c != 1 {
			t.Errorf("%s is in %d shards", name, c)
		}
	}
	if len(seen) != n {
		t.Errorf("the shards hold %d releases, want %d", len(seen), n)
	}
	// The shards' lines are exactly the full run's lines.
	sort.Strings(union)
	sort.Strings(allLines)
	if strings.Join(union, "\n") != strings.Join(allLines, "\n") {
		t.Errorf("the shards' lines differ from the full run's")
	}
	// Shard 2/3 is releases 1, 4, 7.
	_, out, _ := runCLI(t, "", "batch", m, "--format", "json", "--cache-dir", f.cache, "--shard", "2/3")
	var names []string
	for _, r := range parseLines(t, out) {
		names = append(names, r.Name)
	}
	if got := strings.Join(names, " "); got != "bar-01 foo-04 bar-07" {
		t.Errorf("shard 2/3 = %s, want bar-01 foo-04 bar-07", got)
	}
	// More shards than releases: an empty shard passes and writes nothing.
	code, out, _ := runCLI(t, "", "batch", m, "--format", "json", "--cache-dir", f.cache, "--shard", "12/12")
	if code != 0 || out != "" {
		t.Errorf("empty shard: exit %d, output %q", code, out)
	}
}

func TestBatchJobsDeterministic(t *testing.T) {
	f := newBatchFixture(t)
	m := f.manifest(t, "many.yaml", manyManifest(8)+
		"  - {name: broken, tarball: tarballs/nope.tar.gz, git: repos/foo}\n")
	for _, format := range []string{"json", "text", "markdown", "sarif"} {
		c1, one, _ := runCLI(t, "", "batch", m, "--format", format, "--cache-dir", f.cache, "--jobs", "1")
		c4, four, _ := runCLI(t, "", "batch", m, "--format", format, "--cache-dir", f.cache, "--jobs", "4")
		if c1 != c4 || c1 != exitUsage {
			t.Errorf("%s: exit codes %d (--jobs 1) and %d (--jobs 4), want 2", format, c1, c4)
		}
		if one != four {
			t.Errorf("%s: --jobs 4 output differs from --jobs 1", format)
		}
	}
}

func TestBatchUsageErrors(t *testing.T) {
	requireTool(t, "git")
	dir := t.TempDir()
	good := filepath.Join(dir, "m.yaml")
	os.WriteFile(good, []byte("releases:\n  - {tarball: a.tar.gz, git: repo}\n"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"batch"}, "exactly one MANIFEST"},
		{[]string{"batch", filepath.Join(dir, "nope.yaml")}, "reading manifest"},
		{[]string{"batch", good, "--jobs", "0"}, "--jobs 0"},
		{[]string{"batch", good, "--shard", "4/3"}, `--shard "4/3"`},
		{[]string{"batch", good, "--shard", "x"}, `--shard "x"`},
		{[]string{"batch", good, "--signature", "x.asc"}, "--signature is per release"},
		{[]string{"batch", good, "--format", "yaml"}, "--format"},
	} {
		code, _, errOut := runCLI(t, "", tc.args...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
	// The manifest on stdin, with an unknown key.
	code, _, errOut := runCLI(t, "releases:\n  - {tarball: a.tgz, git: r, sha256: abc}\n", "batch", "-")
	if code != exitUsage || !strings.Contains(errOut, "sha256") {
		t.Errorf("unknown key: exit %d, stderr %q", code, errOut)
	}
}

func BenchmarkBatchJobs(b *testing.B) {
	requireTool(b, "git", "tar", "gzip")
	dir := b.TempDir()
	foo := makeRepo(b, filepath.Join(dir, "repos", "foo"), map[string]string{"README": "foo\n", "src/foo.c": "int x;\n"}, "v1.2")
	bar := makeRepo(b, filepath.Join(dir, "repos", "bar"), map[string]string{"README": "bar\n", "bar.c": "int bar;\n"}, "v2.0")
	os.MkdirAll(filepath.Join(dir, "tarballs"), 0o755)
	makeTarball(b, foo, "v1.2", "foo-1.2", filepath.Join(dir, "tarballs", "foo-1.2.tar.gz"), nil)
	makeTarball(b, bar, "v2.0", "bar-2.0", filepath.Join(dir, "tarballs", "bar-2.0.tar.gz"), map[string]string{"bar.c": "int y;\n"})
	m := filepath.Join(dir, "m.yaml")
	os.WriteFile(m, []byte(manyManifest(16)), 0o644)
	for _, jobs := range []string{"1", "4"} {
		b.Run("jobs="+jobs, func(b *testing.B) {
			for b.Loop() {
				if code, _, errOut := runCLI(b, "", "batch", m, "--format", "json", "--cache-dir", filepath.Join(dir, "cache"), "--jobs", jobs); code != exitFail {
					b.Fatalf("exit %d: %s", code, errOut)
				}
			}
		})
	}
}

func TestBatchInterrupted(t *testing.T) {
	f := newBatchFixture(t)
	m := f.manifest(t, "many.yaml", manyManifest(6))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := filepath.Join(f.dir, "out.jsonl")
	var o, e bytes.Buffer
	code := run(ctx, []string{"batch", m, "--format", "json", "--output", out, "--cache-dir", f.cache, "--jobs", "2"}, nil, &o, &e)
	if code != exitInterrupted {
		t.Errorf("exit %d, want %d; stderr %s", code, exitInterrupted, e.String())
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("an interrupted batch wrote %s", out)
	}
}
