package report

import (
	"strings"
	"testing"
)

// A new tag signer outside the keyring gives one finding: TC205, at the
// higher severity, carrying TC804's fact; other keys and subjects, and
// findings without a signer, are left alone.
func TestFoldSignerFindings(t *testing.T) {
	const fp = "5D46CB0F763405A7053556F47A75A648B3F9220C"
	unknown := Finding{Rule: RuleUnknownSigner, Severity: SevMedium, Subject: "tag", Signer: fp,
		Message: "the tag's openpgp signature is by " + fp + ", which is not in k.asc"}
	changed := Finding{Rule: RuleSignerChanged, Severity: SevHigh, Subject: "tag", Signer: fp,
		Message: "the tag of 3.7.9 is signed by " + fp + ", the previous release 3.7.8 by A6AB", Evidence: []string{"previous (3.7.8): openpgp A6AB"}}
	other := Finding{Rule: RuleBinaryOnlyInTarball, Severity: SevHigh, Path: "x.bin", Message: "binary"}
	got := FoldSignerFindings([]Finding{unknown, other, changed})
	if len(got) != 2 || got[0].Rule != RuleUnknownSigner || got[1].Rule != RuleBinaryOnlyInTarball {
		t.Fatalf("folded %+v", got)
	}
	f := got[0]
	if f.Severity != SevHigh || !strings.Contains(f.Message, "which is not in k.asc") || !strings.Contains(f.Message, "the previous release 3.7.8 by A6AB") ||
		len(f.Evidence) != 1 || f.Evidence[0] != changed.Evidence[0] {
		t.Errorf("folded finding %+v", f)
	}
	// A key id (the signature's issuer) names the same key as the fingerprint.
	byID := unknown
	byID.Signer = strings.ToLower(fp[24:])
	if got := FoldSignerFindings([]Finding{byID, changed}); len(got) != 1 {
		t.Errorf("key id and fingerprint not folded: %+v", got)
	}
	for name, fs := range map[string][]Finding{
		"other key":     {unknown, func() Finding { c := changed; c.Signer = "A6AB53A01D237A94F9EEC4D0412748A40AFCC2FB"; return c }()},
		"other subject": {unknown, func() Finding { c := changed; c.Subject = "tarball"; return c }()},
		"no signer":     {func() Finding { u := unknown; u.Signer = ""; return u }(), changed},
		"short id":      {func() Finding { u := unknown; u.Signer = fp[36:]; return u }(), changed},
	} {
		if got := FoldSignerFindings(fs); len(got) != 2 {
			t.Errorf("%s: folded %+v", name, got)
		}
	}
}
