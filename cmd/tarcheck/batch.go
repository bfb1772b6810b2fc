package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/tarcheck/tarcheck/batch"
	"github.com/tarcheck/tarcheck/verify"
)

// batchPerRelease are the verify flags batch refuses: they belong in the manifest.
var batchPerRelease = []string{"signature", "bundle", "certificate-identity", "certificate-identity-regexp",
	"certificate-oidc-issuer", "certificate-oidc-issuer-regexp", "tag-certificate-identity",
	"tag-certificate-identity-regexp", "tag-certificate-oidc-issuer", "tag-certificate-oidc-issuer-regexp"}

func newBatchCmd(e *env) *cobra.Command {
	var out outputFlags
	var vf verifyFlags
	var jobs int
	var shardFlag string
	var summaryOnly bool
	cmd := &cobra.Command{
		Use:     "batch MANIFEST",
		Short:   "Verify every release listed in a manifest",
		Long:    helpLong("batch"),
		Example: helpExample("batch"),
		Args:    oneArg("MANIFEST"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if jobs < 1 || jobs > batch.MaxJobs {
				return usageError{fmt.Errorf("--jobs %d: want 1 to %d", jobs, batch.MaxJobs)}
			}
			sh, err := batch.ParseShard(shardFlag)
			if err != nil {
				return usageError{fmt.Errorf("--shard %w", err)}
			}
			for _, f := range batchPerRelease {
				if cmd.Flags().Changed(f) {
					return usageError{fmt.Errorf("--%s is per release in batch: set it in the manifest", f)}
				}
			}
			rels, err := batch.ReadManifest(args[0], e.stdin)
			if err != nil {
				return err
			}
			out.progress = false
			base, err := vf.options(cmd.Context(), e, &out, "")
			if err != nil {
				return err
			}
			// Streamed in manifest order (SARIF, one document, at the end);
			// the worst release's exit code is the batch's.
			ctx, sel := cmd.Context(), sh.Select(len(rels))
			var sum batch.Summary
			err = verify.WriteOutput(out.output, e.stdout, out.format == "sarif", func(w io.Writer) (err error) {
				sum, err = batch.Write(ctx, w, rels, sel, batch.Options{Jobs: jobs, Verify: batch.Verifier(base, out.failOn)}, batch.Output{
					Format: out.format, Render: out.renderOptions(e, w, summaryOnly), ToolVersion: version(), Hint: hintFor,
					ExitCode: func(err error) int { return exitCode(ctx, err) },
					OnError:  func(name string, err error) { printError(e.stderr, fmt.Errorf("%s: %w", name, err)) }})
				return err
			})
			if err != nil {
				return err
			}
			return sum.Err(errVerdictFail)
		},
	}
	out.register(cmd)
	vf.register(cmd, false)
	for _, f := range batchPerRelease {
		// Per release only: parsed to say so, not listed in --help.
		cmd.Flags().MarkHidden(f)
	}
	cmd.Flags().IntVarP(&jobs, "jobs", "j", 1, "verify up to `N` releases at once")
	cmd.Flags().BoolVar(&summaryOnly, "summary-only", false, "text and markdown: print only the summary table (verdict, highest finding, signatures per release)")
	cmd.Flags().StringVar(&shardFlag, "shard", "", "verify only shard `K/N` of the manifest (release i when i mod N = K-1)")
	cmd.AddCommand(newBatchMergeCmd(e))
	return cmd
}

func newBatchMergeCmd(e *env) *cobra.Command {
	var out outputFlags
	cmd := &cobra.Command{
		Use:     "merge RESULTS...",
		Short:   "Merge the outputs of batch --shard K/N runs into one run's",
		Long:    helpLong("batch-merge"),
		Example: helpExample("batch-merge"),
		RunE: func(cmd *cobra.Command, args []string) error {
			var sum batch.Summary
			err := verify.WriteOutput(out.output, e.stdout, true, func(w io.Writer) (err error) {
				sum, err = batch.Merge(w, out.format, args)
				return err
			})
			if err != nil {
				return err
			}
			return sum.Err(errVerdictFail)
		},
	}
	cmd.Flags().StringVar(&out.format, "format", "json", "output: json, text, markdown (from JSON Lines) or sarif (from SARIF logs)")
	cmd.Flags().StringVarP(&out.output, "output", "o", "", "write to `FILE` instead of stdout")
	return cmd
}
