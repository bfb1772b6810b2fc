package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/tarcheck/tarcheck/debian"
	"github.com/tarcheck/tarcheck/internal/profile"
	"github.com/tarcheck/tarcheck/verify"
	"github.com/tarcheck/tarcheck/verify/render/escape"
	"github.com/tarcheck/tarcheck/verify/report"
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

// version is the module version from the build info (the one reports carry).
func version() string { v, _ := report.Version(); return v }

// env is what commands need from the process, injectable for tests.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// stopProfile stops and writes the profiles of --cpuprofile and
	// --memprofile; run calls it whatever the outcome (cobra skips
	// PersistentPostRun when a command fails).
	stopProfile func()
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
	if e.stopProfile != nil {
		e.stopProfile()
	}
	code := exitCode(ctx, err)
	switch {
	case code == exitInterrupted:
		fmt.Fprintln(stderr, "tarcheck: interrupted") // Ctrl-C or SIGTERM: no "context canceled"
	case err != nil && !errors.Is(err, errVerdictFail):
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
	var dh *debian.HintedError
	switch {
	case errors.As(err, &dh):
		return dh.Hint
	case errors.Is(err, verify.ErrAmbiguousTag):
		return "name the tag with --tag"
	case errors.Is(err, verify.ErrGitMissing):
		return "install git (apt-get install git)"
	case errors.Is(err, verify.ErrTagNotFound):
		return "list the repository's tags with `git tag -l` or `git ls-remote --tags URL`"
	case errors.Is(err, verify.ErrCorruptOriginDB):
		return "rebuild it with `tarcheck db build`, or delete it to use the embedded database"
	case errors.Is(err, verify.ErrArchiveLimit):
		return "the archive exceeds a safety limit; raise it only if you trust the archive"
	}
	return ""
}

func newRootCmd(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:           "tarcheck",
		Short:         "Verify a release tarball against its signed git tag",
		Long:          helpLong("tarcheck"),
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       report.VersionLine(),
	}
	root.SetVersionTemplate("{{.Version}}")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })
	// --cpuprofile and --memprofile are for benchmarking (bench/), hidden from help.
	var cpuProfile, memProfile, execTrace string
	root.PersistentFlags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile to `FILE`")
	root.PersistentFlags().StringVar(&memProfile, "memprofile", "", "write a heap profile to `FILE` at exit")
	root.PersistentFlags().MarkHidden("cpuprofile")
	root.PersistentFlags().StringVar(&execTrace, "exectrace", "", "write a runtime execution trace to `FILE` (go tool trace)")
	root.PersistentFlags().MarkHidden("memprofile")
	root.PersistentFlags().MarkHidden("exectrace")
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		stop, err := profile.Start(cpuProfile, memProfile, execTrace)
		if err != nil {
			return usageError{err}
		}
		e.stopProfile = stop
		return nil
	}
	root.AddCommand(newVerifyCmd(e), newVersionCmd(e), newDemoCmd(e), newM4DBCmd(e), newBatchCmd(e), newDebianCmd(e), newVerifyAttestationCmd(e), newToolchainCmd(e), newExplainCmd(e))
	return root
}

func newVersionCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprint(e.stdout, report.VersionLine())
			return nil
		},
	}
}

// oneArg accepts exactly one positional argument, named what in the error.
func oneArg(what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != 1 {
			return usageError{fmt.Errorf("%s needs exactly one %s argument, got %d", cmd.Name(), what, len(args))}
		}
		return nil
	}
}
