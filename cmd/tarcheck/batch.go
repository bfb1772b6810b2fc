package main

import (
	"bytes"
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

func newBatchCmd(e *env) *cobra.Command {
	var out outputFlags
	var vf verifyFlags
	var jobs int
	var shardFlag string
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
			for _, f := range []string{"signature", "bundle", "certificate-identity", "certificate-identity-regexp",
				"certificate-oidc-issuer", "certificate-oidc-issuer-regexp", "tag-certificate-identity",
				"tag-certificate-identity-regexp", "tag-certificate-oidc-issuer", "tag-certificate-oidc-issuer-regexp"} {
				if cmd.Flags().Changed(f) {
					return usageError{fmt.Errorf("--%s is per release in batch: set it in the manifest", f)}
				}
			}
			rels, err := batch.ReadManifest(args[0], e.stdin)
			if err != nil {
				return err
			}
			b := &batchRun{e: e, out: out, vf: vf}
			b.out.progress = false
			var sel []int
			for i := range rels {
				if sh.Has(i) {
					sel = append(sel, i)
				}
			}
			return b.run(cmd.Context(), rels, sel, jobs)
		},
	}
	out.register(cmd)
	vf.register(cmd, false)
	cmd.Flags().IntVarP(&jobs, "jobs", "j", 1, "verify up to `N` releases at once")
	cmd.Flags().StringVar(&shardFlag, "shard", "", "verify only shard `K/N` of the manifest (release i when i mod N = K-1)")
	return cmd
}

// batchRun is one `tarcheck batch` run.
type batchRun struct {
	e   *env
	out outputFlags
	vf  verifyFlags
}

func (b *batchRun) run(ctx context.Context, rels []batch.Release, sel []int, jobs int) error {
	// Where the output goes: streamed to stdout in manifest order, or
	// buffered and written atomically (--output, and SARIF, one document).
	var dst io.Writer = b.e.stdout
	var buf bytes.Buffer
	toFile := b.out.output != "" && b.out.output != "-"
	if toFile || b.out.format == "sarif" {
		dst = &buf
	}
	ro := b.out.renderOptions(b.e, dst)
	var entries []*render.Entry
	var runs [][]byte
	var writeErr error
	results, err := batch.Run(ctx, rels, sel, batch.Options{Jobs: jobs, Verify: b.verifyOne,
		Render: func(res *batch.Result) { b.render(ctx, res, ro) },
	}, func(res *batch.Result) {
		if res.Err != nil && ctx.Err() == nil {
			printError(b.e.stderr, fmt.Errorf("%s: %w", res.Release.Name, res.Err))
		}
		entries = append(entries, b.entry(ctx, res))
		if b.out.format == "sarif" {
			runs = append(runs, res.Output) // one document at the end
		} else if writeErr == nil {
			_, writeErr = dst.Write(res.Output)
		}
	})
	if err != nil {
		return err
	}
	if writeErr != nil {
		return verify.Errorf(verify.KindEnvironment, "writing output: %v", writeErr)
	}
	codes := make([]int, len(entries))
	nerr := 0
	for i, en := range entries {
		codes[i] = en.ExitCode
		if results[i].Err != nil {
			nerr++
		}
	}
	worst := batch.Worst(codes...)
	if err := render.BatchEnd(dst, b.out.format, entries, runs, worst); err != nil {
		return err
	}
	if toFile {
		if err := verify.WriteFileAtomic(b.out.output, buf.Bytes()); err != nil {
			return err
		}
	} else if dst == &buf {
		if _, err := b.e.stdout.Write(buf.Bytes()); err != nil {
			return verify.Errorf(verify.KindEnvironment, "writing output: %v", err)
		}
	}
	summary := fmt.Sprintf("%d of %d releases could not be verified (exit code %d)", nerr, len(entries), worst)
	switch worst {
	case exitPass:
		return nil
	case exitFail:
		return errVerdictFail
	case exitUsage:
		return verify.Errorf(verify.KindInput, "%s", summary)
	}
	return verify.Errorf(verify.KindEnvironment, "%s", summary)
}

// entry is the rendering view of a result.
func (b *batchRun) entry(ctx context.Context, res *batch.Result) *render.Entry {
	en := &render.Entry{Name: res.Release.Name, Report: res.Report, ToolVersion: version()}
	switch {
	case res.Err != nil:
		en.Report, en.ExitCode, en.Error, en.Hint = nil, exitCode(ctx, res.Err), res.Err.Error(), hintFor(res.Err)
	case res.Report.Verdict == report.Fail:
		en.ExitCode = exitFail
	}
	return en
}

// render renders one release's part of the output in its worker.
func (b *batchRun) render(ctx context.Context, res *batch.Result, ro render.Options) {
	var chunk bytes.Buffer
	if err := render.BatchEntry(&chunk, b.out.format, b.entry(ctx, res), ro); err != nil && res.Err == nil {
		res.Err, res.Report = verify.WithKind(verify.KindEnvironment, err), nil
		chunk.Reset()
		render.BatchEntry(&chunk, b.out.format, b.entry(ctx, res), ro)
	}
	res.Output = chunk.Bytes()
}

// verifyOne verifies one release: the flags, with the manifest entry's
// inputs (its keyrings added, its policy replacing --policy).
func (b *batchRun) verifyOne(ctx context.Context, rel *batch.Release) (*report.Report, error) {
	vf := b.vf
	vf.git, vf.tag = rel.Git, rel.Tag
	vf.keyrings = append(append([]string{}, b.vf.keyrings...), rel.Keyring...)
	if len(rel.TagKeyring) > 0 {
		vf.tagKeyrings = append(append([]string{}, b.vf.tagKeyrings...), rel.TagKeyring...)
	}
	vf.signature, vf.bundle = rel.Signature, rel.Bundle
	vf.identity, vf.issuer = rel.CertificateIdentity, rel.CertificateOIDCIssuer
	vf.tagIdentity, vf.tagIssuer = rel.TagIdentity, rel.TagOIDCIssuer
	if rel.AllowedSigners != "" {
		vf.allowedSigners = rel.AllowedSigners
	}
	if rel.TrustedRoot != "" {
		vf.trustedRoot = rel.TrustedRoot
	}
	if rel.Policy != "" {
		vf.policy = rel.Policy
	}
	vf.requireSig = vf.requireSig || rel.RequireSignature
	o, err := vf.options(ctx, b.e, &b.out, rel.Tarball)
	if err != nil {
		return nil, err
	}
	o.Output.Progress = nil
	if b.out.verbose {
		name := escape.Line(rel.Name)
		o.Output.Logf = func(format string, args ...any) {
			fmt.Fprintf(b.e.stderr, "tarcheck: %s: %s\n", name, escape.Line(fmt.Sprintf(format, args...)))
		}
	}
	return verify.Run(ctx, o)
}
