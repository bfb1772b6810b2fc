package verify

import (
	"github.com/tarcheck/tarcheck/autotools"
	"github.com/tarcheck/tarcheck/sandbox"
	"github.com/tarcheck/tarcheck/verify/archive"
	"github.com/tarcheck/tarcheck/verify/compare"
	"github.com/tarcheck/tarcheck/verify/report"
	"github.com/tarcheck/tarcheck/verify/sig"
)

// Options are the inputs of one verification, grouped by what they are
// about. Each group is read by the step named in its comment.
type Options struct {
	// Sources: what to compare (steps 1, 2, 4, 7).
	Sources Sources
	// Trust: what signatures to check and against what (step 3).
	Trust Trust
	// Rebuild: whether and how to regenerate the autotools outputs (step 8).
	Rebuild Rebuild
	// Limits: caps on what untrusted input may make tarcheck do.
	Limits Limits
	// History: the previous release compared with (step 9).
	History History
	// Output: the verdict threshold and what to tell the caller on the way.
	Output Output
	// Policy, if non-nil, is applied to the findings (step 9); its
	// signature requirements complete Trust.
	Policy *Policy
}

// Sources are the release, the repository and what classification knows.
type Sources struct {
	// Tarball is a local path or an http(s) URL.
	Tarball string
	// Git is a repository URL, a local path (work tree or bare) or a bundle file.
	Git string
	// Tag is the tag to compare with; "" infers it from the archive's version.
	Tag string
	// Gnulib is a gnulib repository (path or URL) to compare gnulib copies with.
	Gnulib string
	// Submodules are "PATH=REPO" pairs: the repository (path or URL) of
	// the tag's submodule at PATH, read when the tarball holds a symlink
	// into it dereferenced (default: the URL .gitmodules gives).
	Submodules []string
	// M4DB, when non-nil, replaces the embedded m4 baseline (see LoadM4DB).
	M4DB *autotools.M4DB
	// Offline forbids the network: URL inputs must be in the cache.
	Offline bool
	// CacheDir holds downloads and git data ("" the user's cache directory).
	CacheDir string
}

// Trust is the signature material and what is required of it.
type Trust struct {
	// Keyrings are OpenPGP keys for the tarball and tag signatures;
	// TagKeyrings, when given, replace them for the tag.
	Keyrings, TagKeyrings []string
	// Signature is a detached signature (path or URL); "" discovers one
	// next to the tarball.
	Signature string
	// AllowedSigners is an SSH allowed-signers file for SSH-signed tags.
	AllowedSigners string
	// Bundle is a Sigstore bundle (path or URL); TrustedRoot a
	// trusted_root.json for it and for x509 (gitsign) tags.
	Bundle, TrustedRoot string
	// Identity is the Sigstore certificate identity required.
	Identity Identity
	// TagIdentity, when any field is set, replaces Identity for an x509
	// (gitsign) tag signature: a developer signs the tag, a CI workflow
	// the release bundle.
	TagIdentity Identity
	// RequireSignature fails the verification unless a signature over the
	// tarball or the tag verifies.
	RequireSignature bool
}

// History chooses the previous release that this one is compared with
// (issue 19: drift in git, signer continuity, new only-in-tarball files).
type History struct {
	// Previous is the previous release's tag; "" infers it (the highest
	// earlier tag of the same naming scheme that is an ancestor), "none"
	// skips the analysis.
	Previous string
	// PreviousTarball is the previous release's tarball (path or URL),
	// compared with the previous tag to tell which only-in-tarball files
	// are new in this release, and whose signature's signer is compared
	// with this tarball's. Optional.
	PreviousTarball string
	// PreviousSignature is the detached signature over PreviousTarball
	// (path or URL); "" looks for .asc, .sig or .sign next to it.
	PreviousSignature string
}

// Rebuild says whether and how to regenerate the autotools outputs.
type Rebuild struct {
	// Mode is "" (off), "autoreconf" or "dist".
	Mode string
	// Runner runs upstream code in isolation; the caller builds it (e.g.
	// sandbox.NewContext). Nil with a Mode opens the automatic backend.
	Runner sandbox.Runner
	// Script, when set, runs the project's bootstrap instead of autoreconf -fi.
	Script string
	// Toolchains is where the exact toolchains the stamps select come from.
	Toolchains Toolchains
	// NoTagRules turns off making the files only in the tarball that
	// nothing else proved with the tag's own makefile rules, in the
	// sandbox (--tag-rules=false).
	NoTagRules bool
	// Sandbox is the backend the tag's rules run in when Runner is nil
	// ("" is auto; Prepare sets it from Setup.Sandbox).
	Sandbox string
	// Required makes a run without Mode rebuild anyway (policy
	// `require: rebuild`, `tarcheck debian --rebuild-required`).
	Required bool
}

// Limits cap what untrusted input may make tarcheck do; zero fields take
// the defaults. The leaves' own caps (git objects, signature parsing,
// archive paths and headers) stay with them.
type Limits struct {
	// MaxUnpacked caps the archive's total unpacked size, in bytes.
	MaxUnpacked int64
	// MaxRatio caps the unpacked/compressed ratio (checked past 64 MiB).
	MaxRatio float64
	// MaxEntries caps the number of archive members.
	MaxEntries int
	// MaxDownload caps a download's size, in bytes.
	MaxDownload int64
	// KeepBytes is the largest differing member read for classification.
	KeepBytes int64
}

// archive is the archive package's view of the limits.
func (l Limits) archive() archive.Limits {
	return archive.Limits{MaxUnpackedBytes: l.MaxUnpacked, MaxRatio: l.MaxRatio, MaxEntries: l.MaxEntries}
}

// Output is the verdict threshold and what the caller is told on the way.
type Output struct {
	// FailOn is the lowest severity that fails.
	FailOn report.Severity
	// ToolVersion goes into the report and the HTTP User-Agent.
	ToolVersion string
	// Logf receives verbose messages; nil discards them.
	Logf func(format string, args ...any)
	// Progress, when set, is told about downloads and the archive pass.
	Progress Progress
}

// Identity is a Sigstore certificate identity policy.
type Identity struct {
	SAN, SANRegexp, Issuer, IssuerRegexp string
}

// set reports whether any field is given.
func (id Identity) set() bool { return id != Identity{} }

func (id Identity) sig() sig.Identity {
	return sig.Identity{SAN: id.SAN, SANRegexp: id.SANRegexp, Issuer: id.Issuer, IssuerRegexp: id.IssuerRegexp}
}

// Progress receives progress updates; implementations must be cheap.
type Progress = compare.Progress

func (o *Options) logf(format string, args ...any) {
	if o.Output.Logf != nil {
		o.Output.Logf(format, args...)
	}
}

// withPolicy completes the options from the policy: its Sigstore identity
// where none is given, its signature requirement.
func (o *Options) withPolicy() {
	defer func() {
		if o.Rebuild.Required && o.Rebuild.Mode == "" {
			o.Rebuild.Mode = "autoreconf"
		}
	}()
	p := o.Policy
	if p == nil {
		return
	}
	if s := p.Require.Sigstore; s != nil {
		if o.Trust.Identity.SAN == "" && o.Trust.Identity.SANRegexp == "" {
			o.Trust.Identity.SAN = s.Identity
		}
		if o.Trust.Identity.Issuer == "" && o.Trust.Identity.IssuerRegexp == "" {
			o.Trust.Identity.Issuer = s.Issuer
		}
	}
	if p.Require.Signature {
		o.Trust.RequireSignature = true
	}
	if p.Require.Rebuild {
		o.Rebuild.Required = true
	}
}
