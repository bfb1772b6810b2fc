package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/tarcheck/tarcheck/verify/report/reporttest"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"tarcheck": func() {
			os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
		},
	})
}

// requireTool skips a test when a tool is missing, or fails it when
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

// TestScripts runs the end-to-end scripts in testdata/script with the real
// CLI, git and tar. Each script builds its fixtures in its work directory.
func TestScripts(t *testing.T) {
	requireTool(t, "git", "tar", "xz", "gzip", "bzip2", "zstd", "gpg", "autoreconf", "make")
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			home := filepath.Join(env.WorkDir, ".home")
			env.Setenv("HOME", home)
			env.Setenv("XDG_CACHE_HOME", filepath.Join(env.WorkDir, ".cache"))
			env.Setenv("NO_COLOR", "1")
			env.Setenv("GIT_CONFIG_NOSYSTEM", "1")
			env.Setenv("GIT_AUTHOR_NAME", "Test")
			env.Setenv("GIT_AUTHOR_EMAIL", "test@example.invalid")
			env.Setenv("GIT_COMMITTER_NAME", "Test")
			env.Setenv("GIT_COMMITTER_EMAIL", "test@example.invalid")
			env.Setenv("GIT_AUTHOR_DATE", "2024-01-01T00:00:00Z")
			env.Setenv("GIT_COMMITTER_DATE", "2024-01-01T00:00:00Z")
			return os.MkdirAll(home, 0o700)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// mkrepo DIR: git init, commit everything, with no global config.
			"mkrepo": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: mkrepo DIR")
				}
				dir := ts.MkAbs(args[0])
				for _, a := range [][]string{
					{"-c", "init.defaultBranch=main", "init", "-q"},
					{"add", "-A"},
					{"-c", "commit.gpgsign=false", "commit", "-q", "-m", "import"},
				} {
					gitIn(ts, dir, a...)
				}
			},
			// gitc DIR ARGS...: run git in DIR.
			"gitc": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) < 2 {
					ts.Fatalf("usage: gitc DIR ARGS...")
				}
				gitIn(ts, ts.MkAbs(args[0]), args[1:]...)
			},
			// jsonfield FILE KEY.PATH VALUE: assert a JSON field's value.
			"jsonfield": cmdJSONField,
			// schema FILE: validate a JSON report against DESIGN.md's schema.
			"schema": cmdSchema,
			// sarif FILE: validate against the official SARIF 2.1.0 schema.
			"sarif": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: sarif FILE")
				}
				data, err := os.ReadFile(ts.MkAbs(args[0]))
				ts.Check(err)
				if err := reporttest.SARIF(data); (err == nil) == neg {
					ts.Fatalf("%s: SARIF validation: %v", args[0], err)
				}
			},
			// truncfile SRC DST N: copy the first N bytes (negative: all but the last -N).
			"truncfile": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 3 {
					ts.Fatalf("usage: truncfile SRC DST N")
				}
				data, err := os.ReadFile(ts.MkAbs(args[0]))
				ts.Check(err)
				n, err := strconv.Atoi(args[2])
				ts.Check(err)
				if n < 0 {
					n += len(data)
				}
				if n < 0 || n > len(data) {
					ts.Fatalf("truncfile: %d out of range (%d bytes)", n, len(data))
				}
				ts.Check(os.WriteFile(ts.MkAbs(args[1]), data[:n], 0o644))
			},
			// flipbyte SRC DST OFFSET: copy with one byte inverted (negative offset: from the end).
			"flipbyte": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 3 {
					ts.Fatalf("usage: flipbyte SRC DST OFFSET")
				}
				data, err := os.ReadFile(ts.MkAbs(args[0]))
				ts.Check(err)
				n, err := strconv.Atoi(args[2])
				ts.Check(err)
				if n < 0 {
					n += len(data)
				}
				data[n] ^= 0xff
				ts.Check(os.WriteFile(ts.MkAbs(args[1]), data, 0o644))
			},
		},
	})
}

func gitIn(ts *testscript.TestScript, dir string, args ...string) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+ts.Getenv("HOME"), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.invalid", "GIT_COMMITTER_NAME=Test",
		"GIT_COMMITTER_EMAIL=test@example.invalid", "GIT_AUTHOR_DATE=2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2024-01-01T00:00:00Z")
	out, err := cmd.CombinedOutput()
	if err != nil {
		ts.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

var _ = fmt.Sprintf
