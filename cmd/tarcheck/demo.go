package main

import (
	"fmt"
	"github.com/tarcheck/tarcheck/verify/report"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/tarcheck/tarcheck/internal/demo"
	"github.com/tarcheck/tarcheck/verify"
)

func newDemoCmd(e *env) *cobra.Command {
	var out outputFlags
	var keep string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Build a small xz-style case from embedded data and verify it",
		Long: `demo builds, in a temporary directory, a small autotools project as a git
repository with a signed release tag, and two signed release tarballs: a clean
one and one with an xz-style injection (a tarball-only m4 macro with an inflated
serial that decodes a payload hidden in a binary test file). It verifies both
and shows the two reports. It needs git, and no network.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			dir := keep
			if dir == "" {
				d, err := os.MkdirTemp("", "tarcheck-demo-")
				if err != nil {
					return verify.Errorf(verify.KindEnvironment, "%v", err)
				}
				defer os.RemoveAll(d)
				dir = d
			} else if err := os.MkdirAll(dir, 0o755); err != nil {
				return verify.Errorf(verify.KindEnvironment, "%v", err)
			}
			fx, err := demo.Build(ctx, dir)
			if err != nil {
				return verify.Errorf(verify.KindEnvironment, "building the demo: %w", err)
			}
			failOn := out.failOnOr(nil)
			var verdicts []report.Verdict
			for i, tb := range []struct{ title, path string }{
				{"1/2  the clean release " + filepath.Base(fx.Clean), fx.Clean},
				{"2/2  the tampered release " + filepath.Base(fx.Tampered) + " (xz-style injection)", fx.Tampered},
			} {
				if out.format == "text" {
					if i > 0 {
						fmt.Fprintln(e.stdout)
					}
					fmt.Fprintf(e.stdout, "=== tarcheck demo %s\n$ tarcheck verify %s --git %s --keyring %s\n\n",
						tb.title, filepath.Base(tb.path), filepath.Base(fx.Repo), filepath.Base(fx.Keyring))
				}
				o := verify.Options{
					Sources: verify.Sources{Tarball: tb.path, Git: fx.Repo, CacheDir: filepath.Join(dir, "cache"), Offline: true},
					Trust:   verify.Trust{Keyrings: []string{fx.Keyring}},
					Output:  verify.Output{FailOn: failOn, ToolVersion: version()}}
				r, err := verify.Run(ctx, o)
				if err != nil {
					return err
				}
				r.Tarball.Source = filepath.Base(tb.path)
				r.Git.Source = filepath.Base(fx.Repo)
				for i := range r.Signatures { // show names, not the temporary directory
					if s := r.Signatures[i].Source; s != "" {
						r.Signatures[i].Source = filepath.Base(s)
					}
				}
				if err := out.emit(e, r); err != nil {
					return err
				}
				verdicts = append(verdicts, r.Verdict)
			}
			if out.format == "text" {
				fmt.Fprintf(e.stdout, "\nThe clean release %s; the tampered one %s, although both carry valid signatures.\n",
					passed(verdicts[0]), passed(verdicts[1]))
				if keep != "" {
					fmt.Fprintf(e.stdout, "The demo files are in %s.\n", dir)
				}
			}
			// The demo succeeds when tarcheck tells the two apart.
			if verdicts[0] != report.Pass || verdicts[1] != report.Fail {
				return errVerdictFail
			}
			return nil
		},
	}
	out.register(cmd)
	cmd.Flags().StringVar(&keep, "dir", "", "build the demo in `DIR` and keep it (default: a temporary directory, removed)")
	return cmd
}

func passed(v report.Verdict) string {
	if v == report.Pass {
		return "passes"
	}
	return "fails"
}
