package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/tarcheck/tarcheck/internal/profile"
	"io"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/tarcheck/tarcheck/verify"
	"github.com/tarcheck/tarcheck/verify/render"
	"github.com/tarcheck/tarcheck/verify/render/term"
	"github.com/tarcheck/tarcheck/verify/report"
)

// outputFlags are shared by verify, batch and debian.
type outputFlags struct {
	format   string
	output   string
	failOn   string
	color    string
	quiet    bool
	verbose  bool
	progress bool // --no-progress inverted
	diffs    []string
}

func (f *outputFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.format, "format", "text", "report `FORMAT`: text, json, sarif or markdown")
	fl.StringVarP(&f.output, "output", "o", "", "write the report to `FILE` instead of stdout")
	fl.StringVar(&f.failOn, "fail-on", "", "lowest `SEVERITY` that fails: info, low, medium, high, critical (default high)")
	fl.StringVar(&f.color, "color", "auto", "colour the text report `WHEN`: auto, always or never")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "print one line: the verdict and the signature outcome")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "list every difference with diff excerpts, and log progress")
	fl.StringArrayVar(&f.diffs, "diff", nil, "show the whole diff excerpt of this differing `PATH` (repeatable)")
	var noProgress bool
	fl.BoolVar(&noProgress, "no-progress", false, "never show progress bars")
	cmd.PreRunE = func(cmd *cobra.Command, args []string) error {
		f.progress = !noProgress
		if !slices.Contains(render.Formats(), f.format) {
			return usageError{fmt.Errorf("--format %q: want text, json, sarif or markdown", f.format)}
		}
		if !slices.Contains([]string{"auto", "always", "never"}, f.color) {
			return usageError{fmt.Errorf("--color %q: want auto, always or never", f.color)}
		}
		if _, err := verify.FailOn(f.failOn, nil); err != nil {
			return usageError{fmt.Errorf("--fail-on: %v", err)}
		}
		return nil
	}
}

// renderOptions are the render options for output to w (batch: with --summary-only).
func (f *outputFlags) renderOptions(e *env, w io.Writer, summaryOnly bool) render.Options {
	return render.Options{Color: term.Color(f.color, w, e.getenv), Verbose: f.verbose, Quiet: f.quiet, DiffPaths: f.diffs, SummaryOnly: summaryOnly}
}

// emit renders r to --output or stdout.
func (f *outputFlags) emit(e *env, r *report.Report) error {
	return verify.WriteOutput(f.output, e.stdout, false, func(w io.Writer) error { return render.Render(w, f.format, r, f.renderOptions(e, w, false)) })
}

// verifyFlags bind the flags of one verification into verify.Options;
// what needs reading or opening (policy, m4 database, sandbox) is named here
// and done by options.
type verifyFlags struct {
	o                     verify.Options
	sandbox, policy, m4db string
	tagRules              bool
}

func (v *verifyFlags) register(cmd *cobra.Command, withGit bool) {
	fl, s, t, l := cmd.Flags(), &v.o.Sources, &v.o.Trust, &v.o.Limits
	if withGit {
		fl.StringVar(&s.Git, "git", "", "git repository to compare with: `URL|DIR|BUNDLE` (a URL, a work tree or bare repository, or a git bundle file)")
		fl.StringVar(&s.Tag, "tag", "", "`TAG` to compare with (default: inferred from the archive's version)")
	}
	fl.StringArrayVar(&t.Keyrings, "keyring", nil, "OpenPGP public keys `FILE` accepted for the tarball and tag signatures (repeatable)")
	fl.StringArrayVar(&t.TagKeyrings, "tag-keyring", nil, "OpenPGP public keys `FILE` for the tag signature only (overrides --keyring for the tag; repeatable)")
	fl.StringVar(&t.Signature, "signature", "", "detached signature `PATH|URL` (default: discovered next to the tarball)")
	fl.StringVar(&t.AllowedSigners, "allowed-signers", "", "SSH allowed-signers `FILE` for SSH-signed tags")
	fl.StringVar(&t.Bundle, "bundle", "", "Sigstore bundle `PATH|URL`")
	fl.StringVar(&t.TrustedRoot, "trusted-root", "", "Sigstore trusted_root.json `FILE`")
	fl.StringVar(&t.Identity.SAN, "certificate-identity", "", "required Sigstore certificate identity `SAN` (an e-mail address or URI)")
	fl.StringVar(&t.Identity.SANRegexp, "certificate-identity-regexp", "", "required Sigstore certificate identity, as a `REGEXP`")
	fl.StringVar(&t.Identity.Issuer, "certificate-oidc-issuer", "", "required Sigstore OIDC issuer `URL`")
	fl.StringVar(&t.Identity.IssuerRegexp, "certificate-oidc-issuer-regexp", "", "required Sigstore OIDC issuer, as a `REGEXP`")
	fl.StringVar(&t.TagIdentity.SAN, "tag-certificate-identity", "", "certificate identity `SAN` for an x509 (gitsign) tag signature only (overrides --certificate-identity* and --certificate-oidc-issuer* for the tag)")
	fl.StringVar(&t.TagIdentity.SANRegexp, "tag-certificate-identity-regexp", "", "certificate identity for the tag only, as a `REGEXP`")
	fl.StringVar(&t.TagIdentity.Issuer, "tag-certificate-oidc-issuer", "", "OIDC issuer `URL` for the tag only")
	fl.StringVar(&t.TagIdentity.IssuerRegexp, "tag-certificate-oidc-issuer-regexp", "", "OIDC issuer for the tag only, as a `REGEXP`")
	fl.BoolVar(&t.RequireSignature, "require-signature", false, "fail unless a signature over the tarball or the tag verifies")
	fl.StringVar(&v.o.Rebuild.Mode, "rebuild", "", "regenerate autotools outputs in a sandbox and compare; `MODE`: autoreconf (default when given bare) or dist")
	fl.Lookup("rebuild").NoOptDefVal = "autoreconf"
	fl.StringVar(&v.sandbox, "sandbox", "auto", "sandbox `BACKEND` for --rebuild and the tag's rules: auto, bwrap, namespaces or none (unsafe)")
	fl.BoolVar(&v.tagRules, "tag-rules", true, "make files only in the tarball that nothing else proves with the tag's own makefile rules, in the sandbox (--tag-rules=false: never run them)")
	fl.StringVar(&v.o.Rebuild.Toolchains.Dir, "toolchain-dir", "", "toolchain cache `DIR` for --rebuild (see `tarcheck toolchain`)")
	fl.StringArrayVar(&v.o.Rebuild.Toolchains.Keyrings, "toolchain-keyring", nil, "OpenPGP keys `FILE` that verify an upstream toolchain tarball's signature for --rebuild (e.g. the GNU keyring; repeatable)")
	fl.BoolVar(&v.o.Rebuild.Toolchains.Fetch, "fetch-toolchains", false, "let --rebuild download (verified) the toolchains the stamps select")
	fl.StringVar(&v.o.Rebuild.Script, "rebuild-script", "", "run this upstream bootstrap `SCRIPT` (e.g. ./bootstrap) instead of autoreconf -fi, in the sandbox")
	fl.StringVar(&v.o.History.Previous, "previous", "", "previous release's `TAG` to compare history and signers with (default: inferred, the highest earlier tag of the same scheme; none skips)")
	fl.StringVar(&v.o.History.PreviousTarball, "previous-tarball", "", "previous release's tarball (`PATH|URL`): report only-in-tarball files new in this release and a tarball signer change")
	fl.StringVar(&v.o.History.PreviousSignature, "previous-signature", "", "detached signature `FILE|URL` over --previous-tarball (default: .asc, .sig or .sign next to it)")
	fl.StringVar(&v.policy, "policy", "", "policy `FILE` (.tarcheck.yaml)")
	fl.BoolVar(&s.Offline, "offline", false, "no network at all; URL inputs must be in the cache")
	fl.StringVar(&s.CacheDir, "cache-dir", "", "cache `DIR` for downloads and git data (default: the user cache dir)")
	fl.Int64Var(&l.MaxDownload, "max-download", 0, "largest download accepted, in `BYTES` (default 4 GiB)")
	fl.StringVar(&v.m4db, "m4db", "", "m4 database `FILE` made by `tarcheck db build` (default: the cache's, else the embedded baseline)")
	fl.StringVar(&s.Gnulib, "gnulib", "", "gnulib repository `DIR|URL` to compare gnulib copies with")
	fl.StringArrayVar(&s.Submodules, "submodule", nil, "repository of the tag's submodule at PATH, for symlinks into it: `PATH=DIR|URL` (repeatable; default: .gitmodules' URL)")
	fl.Int64Var(&l.MaxUnpacked, "max-unpacked", 0, "largest total unpacked size of the archive, in `BYTES` (default 64 GiB)")
	fl.Float64Var(&l.MaxRatio, "max-ratio", 0, "largest unpacked/compressed `RATIO`, checked past 64 MiB (default 1000)")
	fl.IntVar(&l.MaxEntries, "max-entries", 0, "largest number `N` of archive members (default 2,097,152)")
}

// options completes the bound options for one tarball: what verify.Prepare
// opens (policy, m4 database, sandbox) and what the output flags ask for.
func (v *verifyFlags) options(ctx context.Context, e *env, out *outputFlags, tarball string) (verify.Options, error) {
	o := v.o
	o.Sources.Tarball, o.Output.ToolVersion = tarball, version()
	o.Rebuild.NoTagRules = !v.tagRules
	o, err := verify.Prepare(ctx, o, verify.Setup{Policy: v.policy, M4DB: v.m4db, Sandbox: v.sandbox})
	if se := new(verify.SetupError); errors.As(err, &se) {
		return o, usageError{fmt.Errorf("--%s: %w", se.Field, se.Err)} // Field names the flag
	}
	out.apply(e, &o)
	return o, err
}

// apply sets what the output flags decide: the fail-on threshold (--fail-on,
// else the policy's, else high), verbose logging and progress bars.
func (f *outputFlags) apply(e *env, o *verify.Options) {
	o.Output.FailOn, _ = verify.FailOn(f.failOn, o.Policy) // --fail-on is checked before any command runs
	if f.verbose {
		o.Output.Logf = e.logf
	}
	if f.progress && !f.quiet && term.IsTerminal(e.stderr) {
		o.Output.Progress = term.NewProgress(e.stderr)
	}
}

func newVerifyCmd(e *env) *cobra.Command {
	var out outputFlags
	var vf verifyFlags
	var att verify.Attestation
	cmd := &cobra.Command{
		Use:     "verify TARBALL",
		Short:   "Compare a release archive with its git tag",
		Long:    helpLong("verify"),
		Example: helpExample("verify"),
		Args:    oneArg("TARBALL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if vf.o.Sources.Git == "" {
				return usageError{fmt.Errorf("--git is required: the repository to compare with")}
			}
			att.Passphrase = []byte(e.getenv("TARCHECK_ATTEST_PASSPHRASE"))
			if err := att.Check(); err != nil {
				return err
			}
			o, err := vf.options(cmd.Context(), e, &out, args[0])
			if err != nil {
				return err
			}
			return runAndEmit(cmd.Context(), e, &out, o, att)
		},
	}
	out.register(cmd)
	vf.register(cmd, true)
	registerAttest(cmd, &att)
	return cmd
}

// runAndEmit verifies one release, renders the report, writes the
// attestation asked for and turns a failing verdict into errVerdictFail
// (exit 1).
func runAndEmit(ctx context.Context, e *env, out *outputFlags, o verify.Options, att verify.Attestation) error {
	// One release in this process: its heap grows once, on huge pages
	// (bench/speed-results-s28.md: wall -8..-13%). Not for batch, whose
	// heap grows and shrinks with every job: there the huge pages the
	// runtime's scavenger splits and the next job faults in again cost
	// more than they save (CPU +7% over the corpus).
	profile.ReserveHugeHeap()
	r, err := verify.Run(ctx, o)
	if err != nil {
		return err
	}
	if err := out.emit(e, r); err != nil {
		return err
	}
	if err := verify.WriteAttestation(r, att, time.Now()); err != nil {
		return err
	}
	if r.Verdict == report.Fail {
		return errVerdictFail
	}
	return nil
}
