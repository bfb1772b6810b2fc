package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"

	"github.com/tarcheck/tarcheck/verify/report/reporttest"
	"github.com/tarcheck/tarcheck/verify/sig/sigtest"
)

func TestMain(m *testing.M) {
	if out := os.Getenv(spawnEnv); out != "" {
		os.Exit(spawnChild(out, os.Args[1:])) // a spawner (rss_test.go), not a test run
	}
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
	testscript.Run(t, scriptParams("testdata/script"))
}

// scriptParams are the testscript parameters shared by the end-to-end
// scripts and the golden-output scripts.
func scriptParams(dir string) testscript.Params {
	return testscript.Params{
		Dir:                 dir,
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
			env.Values[sigstoresKey{}] = map[string]*ca.VirtualSigstore{}
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
			// atmostlines FILE N: FILE has at most N lines.
			"atmostlines": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: atmostlines FILE N")
				}
				n, err := strconv.Atoi(args[1])
				ts.Check(err)
				got := strings.Count(ts.ReadFile(args[0]), "\n")
				if (got > n) != neg {
					ts.Fatalf("%s has %d lines, want at most %d", args[0], got, n)
				}
			},
			// gitc DIR ARGS...: run git in DIR.
			"gitc": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) < 2 {
					ts.Fatalf("usage: gitc DIR ARGS...")
				}
				gitIn(ts, ts.MkAbs(args[0]), args[1:]...)
			},
			// exitcode N PROG ARGS...: run PROG (as exec does) and assert
			// its exit code is N; stdout and stderr are kept for the
			// commands that follow.
			"exitcode": cmdExitCode,
			// mksigstore DIR: a new in-process virtual Sigstore (Fulcio,
			// Rekor, timestamp authority), named DIR; writes
			// DIR/trusted_root.json.
			"mksigstore": cmdMkSigstore,
			// mkbundle SIGSTORE FILE SAN ISSUER OUT: a Sigstore bundle over
			// FILE's bytes, for identity SAN issued by ISSUER.
			"mkbundle": cmdMkBundle,
			// gitsigntag SIGSTORE REPO TAG SAN ISSUER [-no-timestamp]
			// [-no-rekor] [-cert-from SIGSTORE2]: an annotated tag TAG on
			// REPO's HEAD, signed as gitsign does, made with git mktag.
			"gitsigntag": cmdGitsignTag,
			// jsonfield FILE KEY.PATH VALUE: assert a JSON field's value.
			"jsonfield": cmdJSONField,
			// attestschema FILE: validate an attestation (statement or
			// envelope) against the in-toto, SLSA VSA and tarcheck schemas.
			"attestschema": cmdAttestSchema,
			// attestsubject FILE TARBALL: the subject is TARBALL's sha256.
			"attestsubject": cmdAttestSubject,
			// tamper ENVELOPE OLD NEW: rewrite a signed payload.
			"tamper": cmdTamper,
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
	}
}

func gitIn(ts *testscript.TestScript, dir string, args ...string) {
	gitOutput(ts, dir, nil, args...)
}

// gitOutput runs git in dir with stdin, isolated from any user
// configuration, and returns its standard output without the last newline.
func gitOutput(ts *testscript.TestScript, dir string, stdin []byte, args ...string) string {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(stdin)
	cmd.Env = append(os.Environ(), "HOME="+ts.Getenv("HOME"), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.invalid", "GIT_COMMITTER_NAME=Test",
		"GIT_COMMITTER_EMAIL=test@example.invalid", "GIT_AUTHOR_DATE=2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2024-01-01T00:00:00Z")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		ts.Fatalf("git %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.Bytes())
	}
	return strings.TrimSuffix(string(out), "\n")
}

// sigstoresKey keys a script's virtual Sigstores (a map from the
// absolute directory given to mksigstore) in its testscript values.
type sigstoresKey struct{}

func virtualSigstore(ts *testscript.TestScript, dir string) *ca.VirtualSigstore {
	vs, ok := ts.Value(sigstoresKey{}).(map[string]*ca.VirtualSigstore)[ts.MkAbs(dir)]
	if !ok {
		ts.Fatalf("no virtual sigstore %s (run mksigstore %[1]s first)", dir)
	}
	return vs
}

func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N PROG ARGS...")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("%s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
	}
}

func cmdMkSigstore(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: mksigstore DIR")
	}
	vs := sigtest.NewSigstore(ts)
	dir := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(dir, 0o755))
	ts.Check(os.WriteFile(filepath.Join(dir, "trusted_root.json"), sigtest.TrustedRoot(ts, vs), 0o644))
	ts.Value(sigstoresKey{}).(map[string]*ca.VirtualSigstore)[dir] = vs
}

func cmdMkBundle(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 5 {
		ts.Fatalf("usage: mkbundle SIGSTORE FILE SAN ISSUER OUT")
	}
	vs := virtualSigstore(ts, args[0])
	data, err := os.ReadFile(ts.MkAbs(args[1]))
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[4]), sigtest.Bundle(ts, vs, args[2], args[3], data), 0o644))
}

func cmdGitsignTag(ts *testscript.TestScript, neg bool, args []string) {
	const usage = "usage: gitsigntag SIGSTORE REPO TAG SAN ISSUER [-no-timestamp] [-no-rekor] [-cert-from SIGSTORE2]"
	if neg || len(args) < 5 {
		ts.Fatalf(usage)
	}
	vs := virtualSigstore(ts, args[0])
	repo, tag, san, issuer := ts.MkAbs(args[1]), args[2], args[3], args[4]
	var o sigtest.GitsignOpts
	for rest := args[5:]; len(rest) > 0; rest = rest[1:] {
		switch rest[0] {
		case "-no-timestamp":
			o.NoTimestamp = true
		case "-no-rekor":
			o.NoRekor = true
		case "-cert-from":
			if len(rest) < 2 {
				ts.Fatalf(usage)
			}
			o.CertFrom, rest = virtualSigstore(ts, rest[1]), rest[1:]
		default:
			ts.Fatalf("gitsigntag: unknown flag %q\n%s", rest[0], usage)
		}
	}
	head := gitOutput(ts, repo, nil, "rev-parse", "HEAD")
	payload := fmt.Appendf(nil, "object %s\ntype commit\ntag %s\ntagger T <t@example.invalid> %d +0000\n\n%s\n",
		head, tag, time.Now().Unix(), "release "+tag)
	obj := append(payload, sigtest.MintGitsign(ts, vs, san, issuer, payload, o)...)
	id := gitOutput(ts, repo, obj, "mktag")
	gitIn(ts, repo, "update-ref", "refs/tags/"+tag, id)
}

var _ = fmt.Sprintf
