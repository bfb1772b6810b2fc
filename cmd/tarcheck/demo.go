package main

import (
	"fmt"

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
			failOn, _ := verify.FailOn(out.failOn, nil) // checked before any command runs
			cases, err := demo.Run(cmd.Context(), keep, verify.Options{Output: verify.Output{FailOn: failOn, ToolVersion: version()}})
			if err != nil {
				return err
			}
			text := out.format == "text"
			for i, c := range cases {
				if text {
					fmt.Fprint(e.stdout, c.Header(i))
				}
				if err := out.emit(e, c.Report); err != nil {
					return err
				}
			}
			if text {
				fmt.Fprint(e.stdout, demo.Conclusion(cases, keep))
			}
			if !demo.ToldApart(cases) { // the demo succeeds when tarcheck tells the two apart
				return errVerdictFail
			}
			return nil
		},
	}
	out.register(cmd)
	cmd.Flags().StringVar(&keep, "dir", "", "build the demo in `DIR` and keep it (default: a temporary directory, removed)")
	return cmd
}
