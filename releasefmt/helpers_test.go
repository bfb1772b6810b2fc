package releasefmt

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// requireTool returns the tool's path; without it the test skips, or fails
// under TARCHECK_REQUIRE_TOOLS=1 (CI).
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("TARCHECK_REQUIRE_TOOLS") == "1" {
			t.Fatalf("%s is required (TARCHECK_REQUIRE_TOOLS=1) but not installed", name)
		}
		t.Skipf("%s not installed", name)
	}
	return p
}

func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

var gitEnv = []string{"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.org", "GIT_COMMITTER_NAME=t",
	"GIT_COMMITTER_EMAIL=t@example.org", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1"}

// writeTree writes files under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// gitCommitAll commits dir and returns the commit id and the tracked files.
func gitCommitAll(t *testing.T, dir string) (string, map[string][]byte) {
	t.Helper()
	requireTool(t, "git")
	if _, err := os.Stat(filepath.Join(dir, ".git")); errors.Is(err, os.ErrNotExist) {
		run(t, dir, gitEnv, "git", "init", "-q", ".")
	}
	run(t, dir, gitEnv, "git", "add", "-A")
	run(t, dir, gitEnv, "git", "commit", "-q", "-m", "release")
	commit := strings.TrimSpace(run(t, dir, gitEnv, "git", "rev-parse", "HEAD"))
	files := map[string][]byte{}
	for _, p := range strings.Split(strings.TrimSpace(run(t, dir, gitEnv, "git", "ls-files")), "\n") {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			t.Fatal(err)
		}
		files[p] = b
	}
	return commit, files
}

// readTarGz returns the regular files of a .tar.gz (or .crate) with the top
// directory stripped.
func readTarGz(t *testing.T, file string) map[string][]byte {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	out := map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		_, rel, _ := strings.Cut(h.Name, "/")
		out[rel] = b
	}
}

// makeInput compares tar against tag under subtree, as the caller does.
func makeInput(tag, tarFiles map[string][]byte, subtree, commit, version string) Input {
	in := Input{Commit: commit, Version: version, Subtree: subtree}
	in.TagPaths = slices.Values(slices.Sorted(maps.Keys(tag)))
	for p, b := range tarFiles {
		gb, ok := tag[in.tagPath(p)]
		if ok && bytes.Equal(gb, b) {
			continue
		}
		in.TarFiles = append(in.TarFiles, TarFile{Path: p, InTag: ok})
	}
	sort.Slice(in.TarFiles, func(i, j int) bool { return in.TarFiles[i].Path < in.TarFiles[j].Path })
	in.TagContent = func(p string) ([]byte, bool) { b, ok := tag[p]; return b, ok }
	in.TarContent = func(p string) ([]byte, bool) { b, ok := tarFiles[p]; return b, ok }
	return in
}

func explained(r Result, p string) (Explanation, bool) {
	for _, e := range r.Explained {
		if e.Path == p {
			return e, true
		}
	}
	return Explanation{}, false
}

func hasFinding(r Result, rule, p string, sev Severity) bool {
	for _, f := range r.Findings {
		if f.Rule == rule && f.Path == p && f.Severity == sev {
			return true
		}
	}
	return false
}

// unexplained lists tar paths neither explained nor reported.
func unexplained(in Input, r Result) []string {
	var out []string
	for _, f := range in.TarFiles {
		if _, ok := explained(r, f.Path); !ok {
			out = append(out, f.Path)
		}
	}
	return out
}

func copyMap(m map[string][]byte) map[string][]byte {
	out := make(map[string][]byte, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
