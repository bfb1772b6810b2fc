package batch

import (
	"context"
	"errors"

	"github.com/tarcheck/tarcheck/debian"
	"github.com/tarcheck/tarcheck/verify"
)

// manifestHints complete a packaging error of a `debian: DIR` entry with
// the manifest key that gives the missing piece instead (the CLI's
// debian.WithFlags names flags; a manifest entry has keys).
var manifestHints = map[debian.Override]string{
	debian.OverrideOrig:      ", or set tarball: in the manifest entry",
	debian.ChooseOrig:        "; set tarball: in the manifest entry",
	debian.OverrideKeyring:   ", or set keyring: in the manifest entry, or unsigned: true if upstream does not sign releases",
	debian.OverrideSignature: ", or set signature: in the manifest entry, or unsigned: true",
	debian.OverrideGit:       ", or set git: in the manifest entry",
}

// Options gives base (the options every release shares) this release's
// inputs. A plain entry is Apply. A `debian: DIR` entry is resolved as
// `tarcheck debian DIR` resolves it (debian.Resolve, then
// debian.Inputs.Options: the changelog's version, the orig tarball next to
// DIR, debian/upstream/signing-key.asc as trust material, the repository of
// debian/upstream/metadata, the tag from debian/gbp.conf or inferred from
// the repository's tags); the entry's tarball, git, tag, keyring and
// signature are used instead of what the packaging gives. Its policy is
// the entry's policy:, else DIR's debian/upstream/tarcheck.yaml, else
// base's. A missing piece of the packaging is a usage error naming the
// file to fix and the manifest key to set instead.
func (r *Release) Options(ctx context.Context, base verify.Options) (verify.Options, error) {
	if r.Debian == "" {
		return r.Apply(base)
	}
	in, err := debian.Resolve(debian.Request{Dir: r.Debian, Orig: r.Tarball, Signature: r.Signature, Git: r.Git,
		Tag: r.Tag, Keyrings: append(append([]string{}, base.Trust.Keyrings...), r.Keyring...), Unsigned: r.Unsigned})
	if err != nil {
		return base, withManifestKeys(err)
	}
	resolved := *r
	resolved.Tarball, resolved.Git, resolved.Tag = in.Orig, in.Git, in.Tag
	if resolved.Policy == "" {
		resolved.Policy = debian.PolicyFile(r.Debian)
	}
	o, err := resolved.Apply(base)
	if err != nil {
		return o, err
	}
	o, err = in.Options(ctx, o, r.Unsigned)
	if err != nil {
		return o, withManifestKeys(err)
	}
	return o, nil
}

// withManifestKeys is debian.WithFlags for a manifest entry: the fix names
// a manifest key, not a flag.
func withManifestKeys(err error) error {
	var de *debian.Error
	var te *debian.TagError
	switch {
	case errors.As(err, &de):
		return verify.Errorf(verify.KindUsage, "%s%s", de.Msg, manifestHints[de.Override])
	case errors.As(err, &te):
		return &debian.HintedError{Err: err, Hint: "set upstream-vcs-tag in debian/gbp.conf, or tag: in the manifest entry"}
	}
	return err
}

// lockKey is the git source that serialises rel with the releases sharing
// it: a debian entry without git: uses its packaging's repository.
func lockKey(rel *Release) string {
	if rel.Git != "" || rel.Debian == "" {
		return rel.Git
	}
	if in, err := debian.Resolve(debian.Request{Dir: rel.Debian, Orig: rel.Tarball, Tag: rel.Tag, Unsigned: true}); err == nil {
		return in.Git
	}
	return rel.Git
}
