package main

import (
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
				return debian.WithFlags(err)
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
				return debian.WithFlags(err)
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
