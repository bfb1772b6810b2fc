package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/tarcheck/tarcheck/verify/render/escape"
	"github.com/tarcheck/tarcheck/verify/report"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/tarcheck/tarcheck/sandbox"
	"github.com/tarcheck/tarcheck/verify"
	"github.com/tarcheck/tarcheck/verify/render"
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
}

func (f *outputFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.format, "format", "text", "report format: text, json, sarif or markdown")
	fl.StringVarP(&f.output, "output", "o", "", "write the report to `FILE` instead of stdout")
	fl.StringVar(&f.failOn, "fail-on", "", "lowest severity that fails: info, low, medium, high, critical (default high)")
	fl.StringVar(&f.color, "color", "auto", "colour the text report: auto, always or never")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "print only the verdict and critical/high findings")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "list every difference with diff excerpts, and log progress")
	var noProgress bool
	fl.BoolVar(&noProgress, "no-progress", false, "never show progress bars")
	cmd.PreRunE = chainPreRun(cmd.PreRunE, func(cmd *cobra.Command, args []string) error {
		f.progress = !noProgress
		switch f.format {
		case "text", "json", "sarif", "markdown":
		default:
			return usageError{fmt.Errorf("--format %q: want text, json, sarif or markdown", f.format)}
		}
		switch f.color {
		case "auto", "always", "never":
		default:
			return usageError{fmt.Errorf("--color %q: want auto, always or never", f.color)}
		}
		if f.failOn != "" {
			if _, err := report.ParseSeverity(f.failOn); err != nil {
				return usageError{fmt.Errorf("--fail-on: %v", err)}
			}
		}
		return nil
	})
}

func chainPreRun(a, b func(*cobra.Command, []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if a != nil {
			if err := a(cmd, args); err != nil {
				return err
			}
		}
		return b(cmd, args)
	}
}

// failOnOr returns --fail-on, else the policy's, else high.
func (f *outputFlags) failOnOr(policy *verify.Policy) report.Severity {
	s := f.failOn
	if s == "" && policy != nil && policy.FailOn != "" {
		s = policy.FailOn
	}
	if s == "" {
		return report.SevHigh
	}
	sev, _ := report.ParseSeverity(s)
	return sev
}

func (f *outputFlags) renderOptions(e *env, w io.Writer) render.Options {
	color := false
	switch f.color {
	case "always":
		color = true
	case "auto":
		color = isTerminal(w) && e.getenv("NO_COLOR") == "" && e.getenv("TERM") != "dumb"
	}
	return render.Options{Color: color, Verbose: f.verbose, Quiet: f.quiet}
}

// emit renders r to --output or stdout.
func (f *outputFlags) emit(e *env, r *report.Report) error {
	if f.output == "" || f.output == "-" {
		return render.Render(e.stdout, f.format, r, f.renderOptions(e, e.stdout))
	}
	var buf bytes.Buffer
	if err := render.Render(&buf, f.format, r, f.renderOptions(e, &buf)); err != nil {
		return err
	}
	return verify.WriteFileAtomic(f.output, buf.Bytes())
}

// verifyFlags are the inputs of one verification.
type verifyFlags struct {
	git, tag                               string
	keyrings, tagKeyrings                  []string
	signature, allowedSigners              string
	bundle, trustedRoot                    string
	identity, identityRe, issuer, issuerRe string
	tagIdentity, tagIdentityRe             string
	tagIssuer, tagIssuerRe                 string
	requireSig                             bool
	rebuild, sandbox, rebuildScript        string
	policy                                 string
	offline                                bool
	cacheDir                               string
	maxDownload                            int64
	m4db                                   string
	gnulib                                 string
	maxUnpacked                            int64
	maxRatio                               float64
	maxEntries                             int
}

func (v *verifyFlags) register(cmd *cobra.Command, withGit bool) {
	fl := cmd.Flags()
	if withGit {
		fl.StringVar(&v.git, "git", "", "git repository: URL, local path (work tree or bare) or `git bundle` file")
		fl.StringVar(&v.tag, "tag", "", "tag to compare with (default: inferred from the archive's version)")
	}
	fl.StringArrayVar(&v.keyrings, "keyring", nil, "OpenPGP public keys accepted for the tarball and tag signatures (repeatable)")
	fl.StringArrayVar(&v.tagKeyrings, "tag-keyring", nil, "OpenPGP keys for the tag signature only (overrides --keyring for the tag)")
	fl.StringVar(&v.signature, "signature", "", "detached signature `PATH|URL` (default: discovered next to the tarball)")
	fl.StringVar(&v.allowedSigners, "allowed-signers", "", "SSH allowed-signers `FILE` for SSH-signed tags")
	fl.StringVar(&v.bundle, "bundle", "", "Sigstore bundle `PATH|URL`")
	fl.StringVar(&v.trustedRoot, "trusted-root", "", "Sigstore trusted_root.json `FILE`")
	fl.StringVar(&v.identity, "certificate-identity", "", "required Sigstore certificate identity (SAN)")
	fl.StringVar(&v.identityRe, "certificate-identity-regexp", "", "required Sigstore certificate identity, as a regexp")
	fl.StringVar(&v.issuer, "certificate-oidc-issuer", "", "required Sigstore OIDC issuer")
	fl.StringVar(&v.issuerRe, "certificate-oidc-issuer-regexp", "", "required Sigstore OIDC issuer, as a regexp")
	fl.StringVar(&v.tagIdentity, "tag-certificate-identity", "", "certificate identity for an x509 (gitsign) tag signature only (overrides --certificate-identity* and --certificate-oidc-issuer* for the tag)")
	fl.StringVar(&v.tagIdentityRe, "tag-certificate-identity-regexp", "", "certificate identity for the tag only, as a regexp")
	fl.StringVar(&v.tagIssuer, "tag-certificate-oidc-issuer", "", "OIDC issuer for the tag only")
	fl.StringVar(&v.tagIssuerRe, "tag-certificate-oidc-issuer-regexp", "", "OIDC issuer for the tag only, as a regexp")
	fl.BoolVar(&v.requireSig, "require-signature", false, "fail unless a signature over the tarball or the tag verifies")
	fl.StringVar(&v.rebuild, "rebuild", "", "regenerate autotools outputs in a sandbox and compare: autoreconf (default when given bare) or dist")
	fl.Lookup("rebuild").NoOptDefVal = "autoreconf"
	fl.StringVar(&v.sandbox, "sandbox", "auto", "sandbox backend for --rebuild: auto, bwrap, namespaces or none (unsafe)")
	fl.StringVar(&v.rebuildScript, "rebuild-script", "", "run this upstream bootstrap script (e.g. ./bootstrap) instead of autoreconf -fi, in the sandbox")
	fl.StringVar(&v.policy, "policy", "", "policy `FILE` (.tarcheck.yaml)")
	fl.BoolVar(&v.offline, "offline", false, "no network at all; URL inputs must be in the cache")
	fl.StringVar(&v.cacheDir, "cache-dir", "", "cache `DIR` for downloads and git data (default: the user cache dir)")
	fl.Int64Var(&v.maxDownload, "max-download", 0, "largest download accepted, in bytes (default 4 GiB)")
	fl.StringVar(&v.m4db, "m4db", "", "m4 database `FILE` made by `tarcheck m4db build` (default: the cache's, else the embedded baseline)")
	fl.StringVar(&v.gnulib, "gnulib", "", "gnulib repository (path or URL) to compare gnulib copies with")
	fl.Int64Var(&v.maxUnpacked, "max-unpacked", 0, "largest total unpacked size of the archive, in bytes (default 64 GiB)")
	fl.Float64Var(&v.maxRatio, "max-ratio", 0, "largest unpacked/compressed ratio, checked past 64 MiB (default 1000)")
	fl.IntVar(&v.maxEntries, "max-entries", 0, "largest number of archive members (default 2,097,152)")
}

// options turns flags into verify.Options.
func (v *verifyFlags) options(ctx context.Context, e *env, out *outputFlags, tarball string) (verify.Options, error) {
	o := verify.Options{
		Sources: verify.Sources{Tarball: tarball, Git: v.git, Tag: v.tag, Gnulib: v.gnulib, Offline: v.offline, CacheDir: v.cacheDir},
		Trust: verify.Trust{Keyrings: v.keyrings, TagKeyrings: v.tagKeyrings, Signature: v.signature,
			AllowedSigners: v.allowedSigners, Bundle: v.bundle, TrustedRoot: v.trustedRoot,
			Identity:         verify.Identity{SAN: v.identity, SANRegexp: v.identityRe, Issuer: v.issuer, IssuerRegexp: v.issuerRe},
			TagIdentity:      verify.Identity{SAN: v.tagIdentity, SANRegexp: v.tagIdentityRe, Issuer: v.tagIssuer, IssuerRegexp: v.tagIssuerRe},
			RequireSignature: v.requireSig},
		Rebuild: verify.Rebuild{Mode: v.rebuild, Script: v.rebuildScript},
		Limits:  verify.Limits{MaxUnpacked: v.maxUnpacked, MaxRatio: v.maxRatio, MaxEntries: v.maxEntries, MaxDownload: v.maxDownload},
		Output:  verify.Output{ToolVersion: version()},
	}
	if v.maxUnpacked < 0 || v.maxRatio < 0 || v.maxEntries < 0 {
		return o, usageError{fmt.Errorf("--max-unpacked, --max-ratio and --max-entries must not be negative")}
	}
	switch o.Rebuild.Mode {
	case "", "autoreconf", "dist":
	default:
		return o, usageError{fmt.Errorf("--rebuild=%q: want autoreconf or dist", o.Rebuild.Mode)}
	}
	if v.policy != "" {
		data, err := os.ReadFile(v.policy)
		if err != nil {
			return o, usageError{fmt.Errorf("--policy: %v", err)}
		}
		if o.Policy, err = verify.ParsePolicy(v.policy, data); err != nil {
			return o, err
		}
	}
	o.Output.FailOn = out.failOnOr(o.Policy)
	if out.verbose {
		o.Output.Logf = func(format string, args ...any) {
			fmt.Fprintf(e.stderr, "tarcheck: %s\n", escape.Line(fmt.Sprintf(format, args...)))
		}
	}
	if out.progress && !out.quiet && isTerminal(e.stderr) {
		o.Output.Progress = newProgress(e.stderr)
	}
	db, err := verify.LoadM4DB(v.m4db, v.cacheDir)
	if err != nil {
		if verify.KindOf(err) == verify.KindUsage {
			return o, usageError{fmt.Errorf("--m4db: %w", err)}
		}
		return o, err
	}
	o.Sources.M4DB = db
	if o.Rebuild.Mode != "" {
		if o.Rebuild.Runner, err = sandbox.NewContext(ctx, v.sandbox); err != nil {
			if ctx.Err() != nil {
				return o, ctx.Err()
			}
			if errors.Is(err, sandbox.ErrUnknownBackend) {
				return o, usageError{fmt.Errorf("--sandbox: %w", err)}
			}
			return o, verify.Errorf(verify.KindEnvironment, "--rebuild needs a sandbox: %w (hint: %s)", err, sandbox.UnavailableHint)
		}
	}
	return o, nil
}

func newVerifyCmd(e *env) *cobra.Command {
	var out outputFlags
	var vf verifyFlags
	cmd := &cobra.Command{
		Use:   "verify TARBALL",
		Short: "Compare a release archive with its git tag",
		Long: `Compare a release archive (path or http(s) URL; tar, tar.gz, tar.xz, tar.bz2,
tar.zst or zip, detected by content) with a git tag, verify signatures, and
classify every difference.

Exit codes: 0 pass, 1 fail, 2 usage or unreadable input, 3 environment
(network, git missing, sandbox unavailable), 130 interrupted.`,
		Example: `  tarcheck verify ./xz-5.4.1.tar.xz --git ./xz --tag v5.4.1
  tarcheck verify ./foo-1.2.tar.gz --git ./foo.bundle --format json --output report.json
  tarcheck verify https://example.org/foo-1.2.tar.xz --git https://example.org/foo.git --keyring keys.asc`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError{fmt.Errorf("verify needs exactly one TARBALL argument, got %d", len(args))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if vf.git == "" {
				return usageError{fmt.Errorf("--git is required: the repository to compare with")}
			}
			o, err := vf.options(cmd.Context(), e, &out, args[0])
			if err != nil {
				return err
			}
			return runAndEmit(cmd.Context(), e, &out, o)
		},
	}
	out.register(cmd)
	vf.register(cmd, true)
	return cmd
}

// runAndEmit verifies one release, renders the report and turns a failing
// verdict into errVerdictFail (exit 1).
func runAndEmit(ctx context.Context, e *env, out *outputFlags, o verify.Options) error {
	r, err := verify.Run(ctx, o)
	if err != nil {
		return err
	}
	if err := out.emit(e, r); err != nil {
		return err
	}
	if r.Verdict == report.Fail {
		return errVerdictFail
	}
	return nil
}
