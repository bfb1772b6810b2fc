package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tarcheck/tarcheck/debian"
	"github.com/tarcheck/tarcheck/verify"
)

func newDebianCmd(e *env) *cobra.Command {
	var out outputFlags
	var vf verifyFlags
	var orig string
	var unsigned bool
	cmd := &cobra.Command{
		Use:     "debian [DIR]",
		Short:   "Verify a Debian package's orig tarball against the upstream tag",
		Long:    helpLong("debian"),
		Example: helpExample("debian"),
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageError{fmt.Errorf("debian takes at most one DIR argument, got %d", len(args))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			in, err := debian.Resolve(debian.Request{Dir: dir, Orig: orig, Signature: vf.o.Trust.Signature, Git: vf.o.Sources.Git,
				Tag: vf.o.Sources.Tag, Keyrings: vf.o.Trust.Keyrings, Unsigned: unsigned})
			if err != nil {
				return debianError(err)
			}
			if vf.policy == "" {
				vf.policy = debian.PolicyFile(dir)
			}
			base, err := vf.options(cmd.Context(), e, &out, in.Orig)
			if err != nil {
				return err
			}
			o, err := in.Options(cmd.Context(), base, unsigned)
			if err != nil {
				return debianError(err)
			}
			return runAndEmit(cmd.Context(), e, &out, o, verify.Attestation{})
		},
	}
	out.register(cmd)
	vf.register(cmd, true)
	cmd.Flags().StringVar(&orig, "orig", "", "the orig tarball `FILE` (default: ../<source>_<version>.orig.tar.*)")
	cmd.Flags().BoolVar(&vf.o.Rebuild.Required, "require-rebuild", false, "the rebuild is mandatory for this package (as the policy's `require: rebuild`)")
	cmd.Flags().BoolVar(&unsigned, "unsigned", false, "upstream does not sign releases: need no signing key or signature")
	return cmd
}

// debianFlagHints complete a packaging error with the flag that gives the
// missing piece instead.
var debianFlagHints = map[debian.Override]string{
	debian.OverrideOrig:      ", or pass --orig FILE",
	debian.ChooseOrig:        "; pass --orig FILE",
	debian.OverrideKeyring:   ", or pass --keyring FILE, or --unsigned if upstream does not sign releases",
	debian.OverrideSignature: ", or pass --signature FILE, or --unsigned",
	debian.OverrideGit:       ", or pass --git",
}

// debianError adds the flags to pass to an error of the debian library.
func debianError(err error) error {
	var de *debian.Error
	var te *debian.TagError
	switch {
	case errors.As(err, &de):
		return verify.Errorf(verify.KindUsage, "%s%s", de.Msg, debianFlagHints[de.Override])
	case errors.As(err, &te) && te.Several:
		return withHint(err, "set upstream-vcs-tag in debian/gbp.conf, or pass --tag")
	case errors.As(err, &te):
		return withHint(err, "set upstream-vcs-tag in debian/gbp.conf (e.g. upstream-vcs-tag = v%(version%~%-)s), or pass --tag")
	}
	return err
}
