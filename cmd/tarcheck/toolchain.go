package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tarcheck/tarcheck/verify"
	"github.com/tarcheck/tarcheck/verify/render/escape"
)

// logf writes a progress line to stderr.
func (e *env) logf(format string, args ...any) {
	fmt.Fprintf(e.stderr, "tarcheck: %s\n", escape.Line(fmt.Sprintf(format, args...)))
}

// newToolchainCmd is `tarcheck toolchain list|fetch|path`: the exact
// autotools toolchains --rebuild lays over the sandbox's /usr.
func newToolchainCmd(e *env) *cobra.Command {
	var o verify.ToolchainOptions
	root := &cobra.Command{Use: "toolchain", Short: "Show and prepare the exact autotools toolchains --rebuild uses",
		Long: helpLong("toolchain")}
	fl := root.PersistentFlags()
	fl.StringVar(&o.Toolchains.Dir, "toolchain-dir", "", "toolchain cache `DIR` (default: toolchains in the cache directory)")
	fl.StringVar(&o.CacheDir, "cache-dir", "", "cache `DIR` for downloads (default: the user cache dir)")
	fl.BoolVar(&o.Offline, "offline", false, "no network: only check what is cached")
	list := &cobra.Command{Use: "list", Short: "List the toolchain versions known and whether they are cached", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return verify.ToolchainList(e.stdout, o) }}
	fetch := &cobra.Command{Use: "fetch TOOL=VERSION...", Short: "Download, verify and unpack a toolchain (VERSION+upstream: build the upstream release in the sandbox)",
		Example: "  tarcheck toolchain fetch autoconf=2.69 automake=1.16.5\n" +
			"  tarcheck toolchain fetch autoconf=2.72+upstream\n" +
			"  tarcheck toolchain fetch automake=1.16.5+upstream --keyring signing-key.asc\n" +
			"  tarcheck toolchain fetch automake=1.16.5+upstream --tarball automake-1.16.5.tar.xz --signature automake-1.16.5.tar.xz.sig --keyring gnu-keyring.gpg",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Logf = e.logf
			return verify.ToolchainFetch(cmd.Context(), e.stdout, o, args)
		}}
	ff := fetch.Flags()
	ff.StringArrayVar(&o.Toolchains.Keyrings, "keyring", nil, "OpenPGP keyring `FILE` with the signer of an upstream release tarball (repeatable)")
	ff.StringVar(&o.Tarball, "tarball", "", "local upstream release tarball `FILE` for the one TOOL=VERSION+upstream request")
	ff.StringVar(&o.Signature, "signature", "", "its detached signature `FILE` (with --tarball)")
	path := &cobra.Command{Use: "path TOOL=VERSION...", Short: "Show where a cached toolchain is (checks every file)", Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return verify.ToolchainPath(e.stdout, o, args) }}
	root.AddCommand(list, fetch, path)
	return root
}
