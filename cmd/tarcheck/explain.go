package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tarcheck/tarcheck/verify/render"
)

func newExplainCmd(e *env) *cobra.Command {
	var list bool
	cmd := &cobra.Command{
		Use:   "explain RULE|CLASS",
		Short: "Explain a rule or a class: what it means, why it matters, what to do",
		Long: `explain prints a rule's description, why it matters and how to resolve or
accept it (the texts SARIF reports carry), or what a class of differing files
means. RULE is an id (TC301) or a name (SourceDiffersFromTag); CLASS is a class
of the report (generated, not-distributed, ...). --list lists them all.`,
		Example: `  tarcheck explain TC402
  tarcheck explain not-distributed
  tarcheck explain --list`,
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
