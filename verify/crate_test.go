package verify

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tarcheck/tarcheck/verify/report"
)

// workspaceFiles is a two-crate Cargo workspace: foo inherits package
// fields from the workspace root and has a path-only dev-dependency on bar,
// so `cargo package --offline` needs no registry.
var workspaceFiles = map[string]srcFile{
	"Cargo.toml": {body: "[workspace]\nmembers = [\"crates/foo\", \"crates/bar\"]\nresolver = \"2\"\n\n" +
		"[workspace.package]\nversion = \"1.2.3\"\nedition = \"2021\"\nlicense = \"MIT\"\n"},
	"crates/foo/Cargo.toml": {body: "[package]\nname = \"foo\"\nversion.workspace = true\nedition.workspace = true\n" +
		"license.workspace = true\ndescription = \"foo\"\n\n[dev-dependencies]\nbar = { path = \"../bar\" }\n"},
	"crates/foo/src/lib.rs":  {body: "pub fn f() -> u32 { 1 }\n"},
	"crates/foo/src/util.rs": {body: "pub fn u() {}\n"},
	"crates/bar/Cargo.toml":  {body: "[package]\nname = \"bar\"\nversion = \"0.1.0\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"bar\"\n"},
	"crates/bar/src/lib.rs":  {body: "pub fn g() {}\n"},
	"README.md":              {body: "workspace\n"},
}

// cargoWorkspaceRelease makes a tagged workspace (v1.2.3) and packages
// crates/foo with `cargo package --offline --no-verify`; it returns the
// repository, the .crate file and the tag's commit.
func cargoWorkspaceRelease(t *testing.T) (repo, crate, commit string) {
	t.Helper()
	requireTool(t, "git", "cargo")
	repo = filepath.Join(t.TempDir(), "repo")
	writeTree(t, repo, workspaceFiles)
	writeTree(t, repo, map[string]srcFile{".gitignore": {body: "/target\n/.cargo-home\n"}})
	env := append(gitEnv(), "CARGO_HOME="+filepath.Join(repo, ".cargo-home"), "CARGO_TARGET_DIR="+filepath.Join(repo, "target"), "CARGO_NET_OFFLINE=true")
	cargo := func(dir string, args ...string) {
		cmd := exec.Command("cargo", args...)
		cmd.Dir, cmd.Env = dir, env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("cargo %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	gitRun(t, repo, nil, "-c", "init.defaultBranch=main", "init", "-q")
	cargo(repo, "generate-lockfile", "--offline")
	gitRun(t, repo, nil, "add", "-A")
	gitRun(t, repo, nil, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "import")
	gitRun(t, repo, nil, "-c", "tag.gpgsign=false", "tag", "-a", "v1.2.3", "-m", "v1.2.3")
	commit = gitRun(t, repo, nil, "rev-parse", "v1.2.3^{commit}")
	cargo(filepath.Join(repo, "crates", "foo"), "package", "--offline", "--no-verify")
	crate = filepath.Join(t.TempDir(), "foo-1.2.3.crate")
	b, err := os.ReadFile(filepath.Join(repo, "target", "package", "foo-1.2.3.crate"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(crate, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return repo, crate, commit
}

// rewriteCrate copies the .crate at src to a new file with edit applied to
// every member's path and content.
func rewriteCrate(t *testing.T, src string, edit func(name string, body []byte) []byte) string {
	t.Helper()
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			body = edit(h.Name, body)
			h.Size = int64(len(body))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), filepath.Base(src))
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// setVCSInfo rewrites a JSON field of the crate's .cargo_vcs_info.json.
func setVCSInfo(t *testing.T, crate, field, value string) string {
	t.Helper()
	re := regexp.MustCompile(`("` + field + `":\s*)"[^"]*"`)
	return rewriteCrate(t, crate, func(name string, body []byte) []byte {
		if !strings.HasSuffix(name, "/.cargo_vcs_info.json") {
			return body
		}
		if !re.Match(body) {
			t.Fatalf("%s has no %s: %s", name, field, body)
		}
		return re.ReplaceAll(body, []byte(`${1}"`+value+`"`))
	})
}

func runCrate(t *testing.T, repo, crate string) *report.Report {
	t.Helper()
	r, err := Run(context.Background(), Options{Sources: Sources{Tarball: crate, Git: repo, Tag: "v1.2.3", CacheDir: t.TempDir(), Offline: true},
		Output: Output{FailOn: report.SevHigh}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func atOrAbove(r *report.Report, sev report.Severity) []report.Finding {
	var out []report.Finding
	for _, f := range r.Findings {
		if f.Severity >= sev {
			out = append(out, f)
		}
	}
	return out
}

func hasRule(r *report.Report, rule string, sev report.Severity) bool {
	for _, f := range r.Findings {
		if f.Rule == rule && f.Severity >= sev {
			return true
		}
	}
	return false
}

// A crate of a workspace member is compared with the member's directory of
// the tag (path_in_vcs), and the release-format pass proves cargo's files:
// PASS with nothing at or above medium, and the counts are those of the
// crate (tar tf) and of the subtree (git ls-tree -r TAG -- crates/foo).
func TestCrateFromWorkspace(t *testing.T) {
	repo, crate, _ := cargoWorkspaceRelease(t)
	r := runCrate(t, repo, crate)
	if hi := atOrAbove(r, report.SevMedium); len(hi) > 0 || r.Verdict != "pass" {
		t.Fatalf("verdict %s, findings >= medium: %+v", r.Verdict, hi)
	}
	gitFiles := len(strings.Fields(gitRun(t, repo, nil, "ls-tree", "-r", "--name-only", "v1.2.3", "--", "crates/foo")))
	if r.Summary.GitFiles != gitFiles {
		t.Errorf("git files = %d, git ls-tree -r -- crates/foo lists %d", r.Summary.GitFiles, gitFiles)
	}
	out, err := exec.Command("tar", "tzf", crate).Output()
	if err != nil {
		t.Fatal(err)
	}
	tarFiles := 0
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if !strings.HasSuffix(l, "/") {
			tarFiles++
		}
	}
	if r.Summary.TarballFiles != tarFiles {
		t.Errorf("tarball files = %d, tar tf lists %d", r.Summary.TarballFiles, tarFiles)
	}
	if r.Summary.Identical != 2 { // src/lib.rs, src/util.rs
		t.Errorf("%d identical files, want 2: the subtree was not compared (%+v)", r.Summary.Identical, r.Summary)
	}
	byPath := map[string]report.FileDiff{}
	for _, f := range r.Files {
		byPath[f.Path] = f
	}
	for _, p := range []string{"Cargo.toml", ".cargo_vcs_info.json"} {
		if f, ok := byPath[p]; !ok || f.Origin == nil || f.Origin.Kind != "cargo-package" {
			t.Errorf("%s not proved by cargo package: %+v", p, f)
		}
	}
	// Cargo.toml.orig is the tag's crates/foo/Cargo.toml, found first as a tag copy.
	if f := byPath["Cargo.toml.orig"]; f.Origin == nil || f.Severity > report.SevLow {
		t.Errorf("Cargo.toml.orig not proved: %+v", f)
	}
	noted := false
	for _, n := range r.Notes {
		noted = noted || strings.Contains(n, "crates/foo/")
	}
	if !noted || r.Git.Subtree != "crates/foo" {
		t.Errorf("no note names the subtree (%q) or git.subtree = %q", r.Notes, r.Git.Subtree)
	}
}

// A crate whose path_in_vcs names another directory of the tag (bar's),
// a directory the tag does not have, or whose commit is another one, FAILs
// with a high finding.
func TestCrateFromWorkspaceNegative(t *testing.T) {
	repo, crate, commit := cargoWorkspaceRelease(t)
	// A later commit, so that "another commit" is a real one of the repository.
	writeTree(t, repo, map[string]srcFile{"crates/foo/src/util.rs": {body: "pub fn u() { /* later */ }\n"}})
	gitRun(t, repo, nil, "-c", "commit.gpgsign=false", "commit", "-q", "-am", "later")
	later := gitRun(t, repo, nil, "rev-parse", "HEAD")
	if later == commit {
		t.Fatal("no later commit")
	}
	for _, tc := range []struct {
		name, field, value, rule string
	}{
		{"other subtree", "path_in_vcs", "crates/bar", report.RuleCrateOrigDiffers},
		{"missing subtree", "path_in_vcs", "crates/none", report.RuleCrateOrigDiffers},
		{"repository root", "path_in_vcs", "", report.RuleCrateOrigDiffers},
		{"other commit", "sha1", later, report.RuleCrateOtherCommit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCrate(t, repo, setVCSInfo(t, crate, tc.field, tc.value))
			if r.Verdict != "fail" || !hasRule(r, tc.rule, report.SevHigh) {
				t.Errorf("verdict %s, want fail with %s high; findings >= medium: %+v", r.Verdict, tc.rule, atOrAbove(r, report.SevMedium))
			}
		})
	}
}
