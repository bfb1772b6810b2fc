package main

import (
	"fmt"
	"github.com/tarcheck/tarcheck/verify/report"

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
		Long:  helpLong("demo"),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cases, err := demo.Run(cmd.Context(), keep, verify.Options{Output: verify.Output{FailOn: out.failOnOr(nil), ToolVersion: version()}})
			if err != nil {
				return err
			}
			for i, c := range cases {
				if out.format == "text" {
					if i > 0 {
						fmt.Fprintln(e.stdout)
					}
					fmt.Fprintf(e.stdout, "=== tarcheck demo %s\n$ %s\n\n", c.Title, c.Command)
				}
				if err := out.emit(e, c.Report); err != nil {
					return err
				}
			}
			clean, tampered := cases[0].Report.Verdict, cases[1].Report.Verdict
			if out.format == "text" {
				fmt.Fprintf(e.stdout, "\nThe clean release %s; the tampered one %s, although both carry valid signatures.\n",
					passed(clean), passed(tampered))
				if keep != "" {
					fmt.Fprintf(e.stdout, "The demo files are in %s.\n", keep)
				}
			}
			// The demo succeeds when tarcheck tells the two apart.
			if clean != report.Pass || tampered != report.Fail {
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
