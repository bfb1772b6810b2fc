package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tarcheck/tarcheck/verify"
)

// registerAttest binds verify's attestation flags (docs/attestation.md).
func registerAttest(cmd *cobra.Command, a *verify.Attestation) {
	fl := cmd.Flags()
	fl.StringVar(&a.File, "attest", "", "write an in-toto attestation of the result (pass or fail) to `FILE`")
	fl.StringVar(&a.PredicateFile, "attest-predicate", "", "write only the attestation's predicate to `FILE` (for cosign attest-blob, actions/attest)")
	fl.StringVar(&a.KeyFile, "attest-key", "", "sign the attestation as a DSSE envelope with this SSH or OpenPGP private key `FILE`")
	fl.StringVar(&a.PassphraseFile, "attest-key-passphrase-file", "", "passphrase `FILE` of --attest-key (or TARCHECK_ATTEST_PASSPHRASE)")
	fl.StringVar(&a.VerifierID, "attest-verifier-id", "", "verifier.id `URI` of the attestation (default https://tarcheck.dev/tarcheck)")
}

func newVerifyAttestationCmd(e *env) *cobra.Command {
	var c verify.AttestationCheck
	var format string
	cmd := &cobra.Command{
		Use:     "verify-attestation ENVELOPE --tarball FILE (--allowed-signers FILE | --keyring FILE...)",
		Short:   "Check a signed tarcheck attestation against a tarball and trusted keys",
		Long:    helpLong("verify-attestation"),
		Example: `  tarcheck verify-attestation foo-1.2.tar.gz.intoto.json --tarball foo-1.2.tar.gz --allowed-signers allowed_signers`,
		Args: func(cmd *cobra.Command, args []string) error {
			if err := oneArg("ENVELOPE")(cmd, args); err != nil {
				return err
			}
			if format != "text" && format != "json" {
				return usageError{fmt.Errorf("--format %q: want text or json", format)}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			c.Envelope = args[0]
			res, err := verify.CheckAttestation(c)
			if err != nil {
				return err
			}
			res.Write(e.stdout, format) // as before: a write error does not change the verdict
			if !res.Accepted {
				return errVerdictFail
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&c.Tarball, "tarball", "", "the tarball `FILE` the attestation must be about")
	fl.StringVar(&c.AllowedSigners, "allowed-signers", "", "OpenSSH allowed-signers `FILE` of trusted attestation signers")
	fl.StringArrayVar(&c.Keyrings, "keyring", nil, "OpenPGP public keys `FILE` of trusted attestation signers (repeatable)")
	fl.BoolVar(&c.AllowFailed, "allow-failed", false, "accept an authentic FAILED result too (exit 0)")
	fl.StringVar(&format, "format", "text", "output: text (signer, tag, commit, result) or json (the statement)")
	return cmd
}
