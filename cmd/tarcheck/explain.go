package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tarcheck/tarcheck/verify/render"
)

func newExplainCmd(e *env) *cobra.Command {
	var list bool
	cmd := &cobra.Command{
		Use:     "explain RULE|CLASS",
		Short:   "Explain a rule or a class: what it means, why it matters, what to do",
		Long:    helpLong("explain"),
		Example: helpExample("explain"),
		Args: func(cmd *cobra.Command, args []string) error {
			if list && len(args) == 0 || !list && len(args) == 1 {
				return nil
			}
			return usageError{fmt.Errorf("explain needs one RULE or CLASS argument (or --list), got %d", len(args))}
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if list {
				return render.ExplainList(e.stdout)
			}
			if err := render.Explain(e.stdout, args[0]); err != nil {
				return usageError{err}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&list, "list", false, "list every rule and class")
	return cmd
}
