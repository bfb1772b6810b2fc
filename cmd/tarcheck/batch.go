package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/tarcheck/tarcheck/batch"
	"github.com/tarcheck/tarcheck/verify"
	"github.com/tarcheck/tarcheck/verify/render"
	"github.com/tarcheck/tarcheck/verify/render/escape"
	"github.com/tarcheck/tarcheck/verify/report"
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
		Use:   "batch MANIFEST",
		Short: "Verify every release listed in a manifest",
		Long: `batch verifies every release of a YAML or JSON manifest (- reads stdin):

  releases:
    - name: foo-1.2                                 # default: the tarball's file name
      tarball: https://example.org/foo-1.2.tar.xz   # path or URL
      git: https://example.org/foo.git
      tag: v1.2                                     # optional, inferred otherwise
      keyring: keys/foo.asc                         # a file or a list of files
      policy: policies/foo.yaml

Also per release: tag-keyring, signature, allowed-signers, bundle, trusted-root,
certificate-identity, certificate-oidc-issuer, tag-certificate-identity,
tag-certificate-oidc-issuer, require-signature. Relative paths
are relative to the manifest; unknown keys are errors. Flags given on the command
line apply to every release: --keyring files are added to each release's, and a
release's own policy replaces --policy.

--jobs runs releases concurrently with one shared cache; the output is in manifest
order whatever --jobs is. --shard K/N keeps release i (counting from 0) when
i mod N = K-1, so N jobs with K = 1..N split a manifest exactly.

Output: --format json writes JSON Lines, one report per release with its "name"
and "exit_code" first; a release that could not be verified is a line
{"name", "exit_code", "error"}. text and markdown write each report and then a
summary table. sarif writes one SARIF log with one run per release.

The exit code is the worst of the releases': 130 interrupted > 3 environment >
2 usage or input > 1 fail > 0 pass.`,
		Example: `  tarcheck batch releases.yaml --jobs 4 --format json > results.jsonl
  tarcheck batch releases.yaml --shard 2/8 --format markdown >> "$GITHUB_STEP_SUMMARY"`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError{fmt.Errorf("batch needs exactly one MANIFEST argument, got %d", len(args))}
			}
			return nil
		},
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
			base.Output.Logf = nil
			return runBatch(cmd.Context(), e, &out, base, rels, sh.Select(len(rels)), jobs, summaryOnly)
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
		Use:   "merge RESULTS...",
		Short: "Merge the outputs of batch --shard K/N runs into one run's",
		Long: `merge combines the outputs of batch --shard 1/N..N/N over one manifest into
what one unsharded run writes: --format json (JSON Lines, any order) gives the
same JSON Lines byte for byte; text or markdown the summary table; sarif (the
shards' SARIF logs, given in shard order 1..N) the one SARIF log.
The exit code is the worst of the releases', as batch's.`,
		Example: `  tarcheck batch merge --format json shard-*.jsonl > results.jsonl
  tarcheck batch merge --format markdown shard-*.jsonl >> "$GITHUB_STEP_SUMMARY"`,
		RunE: func(cmd *cobra.Command, args []string) error {
			var sum batch.Summary
			err := out.write(e, true, func(w io.Writer) (err error) {
				sum, err = batch.Merge(w, out.format, args)
				return err
			})
			if err != nil {
				return err
			}
			return batchExit(sum)
		},
	}
	cmd.Flags().StringVar(&out.format, "format", "json", "output: json, text, markdown (from JSON Lines) or sarif (from SARIF logs)")
	cmd.Flags().StringVarP(&out.output, "output", "o", "", "write to `FILE` instead of stdout")
	return cmd
}

// runBatch writes the batch output to --output or stdout (streamed in
// manifest order; SARIF, one document, at the end) and turns the worst
// release's exit code into the error to exit with.
func runBatch(ctx context.Context, e *env, out *outputFlags, base verify.Options, rels []batch.Release, sel []int, jobs int, summaryOnly bool) error {
	verifyOne := func(ctx context.Context, rel *batch.Release) (*report.Report, error) {
		o, err := rel.Apply(base)
		if err != nil {
			return nil, err
		}
		o.Output.FailOn = out.failOnOr(o.Policy)
		if out.verbose {
			name := escape.Line(rel.Name)
			o.Output.Logf = func(format string, args ...any) {
				fmt.Fprintf(e.stderr, "tarcheck: %s: %s\n", name, escape.Line(fmt.Sprintf(format, args...)))
			}
		}
		return verify.Run(ctx, o)
	}
	var sum batch.Summary
	err := out.write(e, out.format == "sarif", func(w io.Writer) (err error) {
		sum, err = batch.Write(ctx, w, rels, sel, batch.Options{Jobs: jobs, Verify: verifyOne}, batch.Output{
			Format: out.format, Render: out.batchRenderOptions(e, w, summaryOnly), ToolVersion: version(), Hint: hintFor,
			ExitCode: func(err error) int { return exitCode(ctx, err) },
			OnError:  func(name string, err error) { printError(e.stderr, fmt.Errorf("%s: %w", name, err)) }})
		return err
	})
	if err != nil {
		return err
	}
	return batchExit(sum)
}

// batchExit turns a batch's worst exit code into the error to exit with.
func batchExit(sum batch.Summary) error {
	summary := fmt.Sprintf("%d of %d releases could not be verified (exit code %d)", sum.Errors, sum.Releases, sum.Worst)
	switch sum.Worst {
	case exitPass:
		return nil
	case exitFail:
		return errVerdictFail
	case exitUsage:
		return verify.Errorf(verify.KindInput, "%s", summary)
	}
	return verify.Errorf(verify.KindEnvironment, "%s", summary)
}

// batchRenderOptions are the render options of a batch: --summary-only too.
func (f *outputFlags) batchRenderOptions(e *env, w io.Writer, summaryOnly bool) render.Options {
	o := f.renderOptions(e, w)
	o.SummaryOnly = summaryOnly
	return o
}
