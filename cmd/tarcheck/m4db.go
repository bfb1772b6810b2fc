package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tarcheck/tarcheck/verify"
)

func newM4DBCmd(e *env) *cobra.Command {
	root := &cobra.Command{Use: "db", Aliases: []string{"m4db"}, Short: "Manage the databases of known upstream files (m4db is an alias)"}
	var from, fromGit []string
	var output, cacheDir string
	build := &cobra.Command{
		Use:     "build",
		Short:   "Extend the m4 and origin databases from directories and git histories",
		Long:    helpLong("m4db-build"),
		Example: `  tarcheck db build --from /usr/share/aclocal --from-git ~/src/gnulib`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(from) == 0 && len(fromGit) == 0 {
				return usageError{errors.New("give at least one --from DIR or --from-git REPO")}
			}
			res, err := verify.BuildM4DB(cmd.Context(), verify.M4DBBuild{Dirs: from, Gits: fromGit, CacheDir: cacheDir, Output: output, Logf: e.logf})
			if err != nil {
				if verify.KindOf(err) == verify.KindUsage {
					return usageError{fmt.Errorf("--from %w", err)}
				}
				return err
			}
			fmt.Fprintf(e.stdout, "m4 database: %d entries (%d new), written to %s\n", res.Entries, res.Added, res.Output)
			fmt.Fprintf(e.stdout, "origin database: %d blob ids (%d new), written to %s\n", res.Blobs, res.BlobsAdded, res.OriginsOutput)
			return nil
		},
	}
	build.Flags().StringArrayVar(&from, "from", nil, "`DIR` of m4 and other upstream files to add (repeatable)")
	build.Flags().StringArrayVar(&fromGit, "from-git", nil, "git clone `[PROJECT=]DIR` to add: its m4 history, and a known project's file history (repeatable)")
	build.Flags().StringVarP(&output, "output", "o", "", "write the database to `FILE` (default: in the cache directory)")
	build.Flags().StringVar(&cacheDir, "cache-dir", "", "cache `DIR` (default: the user cache dir)")
	root.AddCommand(build)
	return root
}
