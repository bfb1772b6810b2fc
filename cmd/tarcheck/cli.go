package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/tarcheck/tarcheck/verify/render/escape"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/tarcheck/tarcheck/internal/profile"
	"github.com/tarcheck/tarcheck/verify"
)

// Exit codes (DESIGN.md).
const (
	exitPass        = 0
	exitFail        = 1
	exitUsage       = 2
	exitEnvironment = 3
	exitInterrupted = 130
)

// errVerdictFail is returned by commands whose verdict is fail; it prints nothing.
var errVerdictFail = errors.New("verdict: fail")

// usageError marks errors from flags and arguments.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

// hintError carries a hint line.
type hintError struct {
	err  error
	hint string
}

func (h hintError) Error() string { return h.err.Error() }
func (h hintError) Unwrap() error { return h.err }

func withHint(err error, hint string) error { return hintError{err, hint} }

// version is the module version from the build info (the one reports carry).
func version() string {
	bi, _ := debug.ReadBuildInfo()
	v, _ := versionOf(bi)
	return v
}

// versionOf is the module version of bi and a detail line (VCS revision,
// commit time, modified, Go version). A binary built from a work tree, whose
// module version is "(devel)", is named by its revision as Go names one
// (v0.0.0-TIME-REVISION); only a binary without any VCS information is "devel".
func versionOf(bi *debug.BuildInfo) (v, detail string) {
	if bi == nil {
		return "devel", ""
	}
	set := map[string]string{}
	for _, s := range bi.Settings {
		set[s.Key] = s.Value
	}
	rev, when := set["vcs.revision"], set["vcs.time"]
	v = bi.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
		if len(rev) >= 12 {
			stamp := strings.NewReplacer("-", "", ":", "", "T", "", "Z", "").Replace(when)
			if len(stamp) != 14 {
				stamp = "00000000000000"
			}
			v = "v0.0.0-" + stamp + "-" + rev[:12]
			if set["vcs.modified"] == "true" {
				v += "+dirty"
			}
		}
	}
	var parts []string
	if rev != "" {
		parts = append(parts, "revision "+rev)
	}
	if when != "" {
		parts = append(parts, when)
	}
	if set["vcs.modified"] == "true" {
		parts = append(parts, "modified")
	}
	if bi.GoVersion != "" {
		parts = append(parts, bi.GoVersion)
	}
	return v, strings.Join(parts, ", ")
}

// versionText is what `tarcheck version` and `tarcheck --version` print.
func versionText() string {
	bi, _ := debug.ReadBuildInfo()
	v, detail := versionOf(bi)
	if detail != "" {
		return fmt.Sprintf("tarcheck %s (%s)\n", v, detail)
	}
	return fmt.Sprintf("tarcheck %s\n", v)
}

// env is what commands need from the process, injectable for tests.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

// run executes the CLI and returns the exit code; it is main without os.Exit.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
	root := newRootCmd(e)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	code := exitCode(ctx, err)
	if err != nil && !errors.Is(err, errVerdictFail) {
		printError(stderr, err)
	}
	return code
}

// exitCode maps an error to the exit code: the one place that does.
func exitCode(ctx context.Context, err error) int {
	var u usageError
	switch {
	case err == nil:
		return exitPass
	case errors.Is(err, errVerdictFail):
		return exitFail
	case ctx.Err() != nil:
		return exitInterrupted
	case errors.As(err, &u):
		return exitUsage // flags and arguments, cobra's own errors included
	}
	switch verify.KindOf(err) {
	case verify.KindInterrupted:
		return exitInterrupted
	case verify.KindEnvironment:
		return exitEnvironment
	}
	return exitUsage // usage and input
}

func printError(w io.Writer, err error) {
	fmt.Fprintf(w, "tarcheck: error: %s\n", escape.Line(err.Error()))
	if hint := hintFor(err); hint != "" {
		fmt.Fprintf(w, "tarcheck: hint: %s\n", hint)
	}
}

// hintFor is the hint line for err: the one it carries, else the one for its kind.
func hintFor(err error) string {
	var h hintError
	if errors.As(err, &h) && h.hint != "" {
		return h.hint
	}
	return defaultHint(err)
}

func defaultHint(err error) string {
	switch {
	case errors.Is(err, verify.ErrAmbiguousTag):
		return "name the tag with --tag"
	case errors.Is(err, verify.ErrGitMissing):
		return "install git (apt-get install git)"
	case errors.Is(err, verify.ErrTagNotFound):
		return "list the repository's tags with `git tag -l` or `git ls-remote --tags URL`"
	case errors.Is(err, verify.ErrArchiveLimit):
		return "the archive exceeds a safety limit; raise it only if you trust the archive"
	}
	return ""
}

func newRootCmd(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "tarcheck",
		Short: "Verify a release tarball against its signed git tag",
		Long: `tarcheck compares every file of an upstream release tarball with the git tag it
claims to come from, verifies the signatures, classifies every difference
(generated by autotools, copied m4 macro, release stamping, binary data,
xz-style build logic, ...) and gives a verdict and exit code for CI.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       versionText(),
	}
	root.SetVersionTemplate("{{.Version}}")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })
	// --cpuprofile and --memprofile are for benchmarking (bench/), hidden from help.
	var cpuProfile, memProfile string
	root.PersistentFlags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile to `FILE`")
	root.PersistentFlags().StringVar(&memProfile, "memprofile", "", "write a heap profile to `FILE` at exit")
	root.PersistentFlags().MarkHidden("cpuprofile")
	root.PersistentFlags().MarkHidden("memprofile")
	var stopProfile func()
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		stop, err := profile.Start(cpuProfile, memProfile)
		if err != nil {
			return usageError{err}
		}
		stopProfile = stop
		return nil
	}
	root.PersistentPostRun = func(cmd *cobra.Command, args []string) {
		if stopProfile != nil {
			stopProfile()
		}
	}
	root.AddCommand(newVerifyCmd(e), newVersionCmd(e), newDemoCmd(e), newM4DBCmd(e), newBatchCmd(e), newDebianCmd(e), newExplainCmd(e))
	return root
}

func newVersionCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprint(e.stdout, versionText())
			return nil
		},
	}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
