package batch

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/tarcheck/tarcheck/verify"
	"github.com/tarcheck/tarcheck/verify/render"
	"github.com/tarcheck/tarcheck/verify/report"
)

// Output says how a batch's results are rendered.
type Output struct {
	// Format is text, json, sarif or markdown.
	Format string
	// Render tunes the text reports.
	Render render.Options
	// ExitCode is the exit code of a release whose verification failed.
	ExitCode func(err error) int
	// Hint is the hint shown with such a release's error ("" none).
	Hint func(err error) string
	// ToolVersion names tarcheck in SARIF runs without a report.
	ToolVersion string
	// OnError is told about each release that could not be verified, in
	// manifest order.
	OnError func(name string, err error)
}

// Summary is the outcome of a batch.
type Summary struct {
	// Releases is how many were run; Errors how many could not be verified.
	Releases, Errors int
	// Worst is the worst exit code (see Worst).
	Worst int
}

// Write verifies the selected releases (see Run) and writes the batch
// output to w: each release's part in manifest order as it is ready, then
// the summary table (text, markdown) or the one SARIF log of all the runs.
// An error is a failure to write, or ctx's.
func Write(ctx context.Context, w io.Writer, rels []Release, sel []int, o Options, out Output) (Summary, error) {
	var entries []*render.Entry
	var runs [][]byte
	var writeErr error
	o.Render = func(res *Result) { renderResult(res, out) }
	results, err := Run(ctx, rels, sel, o, func(res *Result) {
		if res.Err != nil && ctx.Err() == nil && out.OnError != nil {
			out.OnError(res.Release.Name, res.Err)
		}
		entries = append(entries, entry(res, out))
		if out.Format == "sarif" {
			runs = append(runs, res.Output) // one document at the end
		} else if writeErr == nil {
			_, writeErr = w.Write(res.Output)
		}
	})
	if err != nil {
		return Summary{}, err
	}
	if writeErr != nil {
		return Summary{}, verify.Errorf(verify.KindEnvironment, "writing output: %v", writeErr)
	}
	s := Summary{Releases: len(results)}
	codes := make([]int, len(entries))
	for i, en := range entries {
		codes[i] = en.ExitCode
		if results[i].Err != nil {
			s.Errors++
		}
	}
	s.Worst = Worst(codes...)
	return s, render.BatchEnd(w, out.Format, entries, runs, s.Worst)
}

// entry is the rendering view of a result.
func entry(res *Result, out Output) *render.Entry {
	en := &render.Entry{Name: res.Release.Name, Report: res.Report, ToolVersion: out.ToolVersion, Index: res.Index}
	switch {
	case res.Err != nil:
		en.Report, en.ExitCode, en.Error = nil, out.ExitCode(res.Err), res.Err.Error()
		if out.Hint != nil {
			en.Hint = out.Hint(res.Err)
		}
	case res.Report.Verdict == report.Fail:
		en.ExitCode = 1
	}
	return en
}

// renderResult renders one release's part of the output in its worker; a
// report that cannot be rendered becomes the release's error.
func renderResult(res *Result, out Output) {
	var chunk bytes.Buffer
	if err := render.BatchEntry(&chunk, out.Format, entry(res, out), out.Render); err != nil && res.Err == nil {
		res.Err, res.Report = verify.WithKind(verify.KindEnvironment, err), nil
		chunk.Reset()
		render.BatchEntry(&chunk, out.Format, entry(res, out), out.Render)
	}
	res.Output = chunk.Bytes()
}

// Apply gives base (the options every release shares) this release's
// inputs: its sources, its keyrings added to base's, its signature, bundle,
// identities, allowed signers and trusted root, its policy file in place of
// base's, and its signature requirement.
func (r *Release) Apply(base verify.Options) (verify.Options, error) {
	o := base
	o.Sources.Tarball, o.Sources.Git, o.Sources.Tag = r.Tarball, r.Git, r.Tag
	t := &o.Trust
	t.Keyrings = append(append([]string{}, base.Trust.Keyrings...), r.Keyring...)
	if len(r.TagKeyring) > 0 {
		t.TagKeyrings = append(append([]string{}, base.Trust.TagKeyrings...), r.TagKeyring...)
	}
	t.Signature, t.Bundle = r.Signature, r.Bundle
	t.Identity = verify.Identity{SAN: r.CertificateIdentity, Issuer: r.CertificateOIDCIssuer}
	t.TagIdentity = verify.Identity{SAN: r.TagIdentity, Issuer: r.TagOIDCIssuer}
	if r.AllowedSigners != "" {
		t.AllowedSigners = r.AllowedSigners
	}
	if r.TrustedRoot != "" {
		t.TrustedRoot = r.TrustedRoot
	}
	t.RequireSignature = t.RequireSignature || r.RequireSignature
	if r.Policy != "" {
		var err error
		if o.Policy, err = verify.ReadPolicy(r.Policy); err != nil {
			return o, err
		}
	}
	return o, nil
}

// Err is the error a batch with this summary exits with: nil when the worst
// exit code is 0, fail when it is 1 (a failing verdict), else an error of
// kind input (2) or environment (3 and above) saying how many releases could
// not be verified.
func (s Summary) Err(fail error) error {
	summary := fmt.Sprintf("%d of %d releases could not be verified (exit code %d)", s.Errors, s.Releases, s.Worst)
	switch s.Worst {
	case 0:
		return nil
	case 1:
		return fail
	case 2:
		return verify.Errorf(verify.KindInput, "%s", summary)
	}
	return verify.Errorf(verify.KindEnvironment, "%s", summary)
}

// Verifier is an Options.Verify for releases that share base: each release
// is verified with base as Apply completes it, failing at failOn (a
// severity name; "" the release's policy's threshold, else high), its log
// lines passed to base.Output.Logf (if set) after the release's name.
func Verifier(base verify.Options, failOn string) func(ctx context.Context, rel *Release) (*report.Report, error) {
	logf := base.Output.Logf
	return func(ctx context.Context, rel *Release) (*report.Report, error) {
		o, err := rel.Options(ctx, base)
		if err != nil {
			return nil, err
		}
		o.Output.FailOn, _ = verify.FailOn(failOn, o.Policy) // failOn is checked by the caller, the policy's by ReadPolicy
		if logf != nil {
			name := rel.Name
			o.Output.Logf = func(format string, args ...any) { logf("%s: %s", name, fmt.Sprintf(format, args...)) }
		}
		return verify.Run(ctx, o)
	}
}
