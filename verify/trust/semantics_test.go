package trust

import (
	"strings"
	"testing"
	"time"

	"github.com/tarcheck/tarcheck/verify/report"
	"github.com/tarcheck/tarcheck/verify/sig"
)

// A signature by a key outside the trust material is a high finding; a
// keyring's outdated copy of a valid signer is a medium one naming the
// keyring; neither happens without a reason or a warning.
func TestAddMapsReasonsAndWarnings(t *testing.T) {
	c := &checker{m: &Material{KeyringNames: []string{"keys.asc"}, TagKeyringNames: []string{"debian/upstream/signing-key.asc"}}}
	c.add(sig.Result{Subject: sig.SubjectTarball, Kind: sig.KindOpenPGP, Status: sig.StatusUnverifiable,
		Reason: sig.ReasonUnknownKey, Issuer: "ABCDEF0123"}, "foo.tar.gz.asc")
	c.add(sig.Result{Subject: sig.SubjectTag, Kind: sig.KindOpenPGP, Status: sig.StatusValid, Signer: "FEED",
		Warnings: []sig.Warning{{Kind: sig.WarningKeyExpiredBeforeSignature, Key: "FEED",
			ExpiredAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), SignedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}}}, "")
	c.add(sig.Result{Subject: sig.SubjectTarball, Kind: sig.KindOpenPGP, Status: sig.StatusUnverifiable,
		Reason: sig.ReasonNoTrustMaterial}, "x.asc")
	if len(c.findings) != 2 {
		t.Fatalf("findings %+v, want 2", c.findings)
	}
	f := c.findings[0]
	if f.Rule != report.RuleUnknownSigner || f.Severity != report.SevHigh || !strings.Contains(f.Message, "ABCDEF0123, which is not in keys.asc") ||
		f.Subject != "tarball" || f.Signer != "ABCDEF0123" {
		t.Errorf("unknown key: %+v", f)
	}
	f = c.findings[1]
	if f.Rule != report.RuleKeyringOutdated || f.Severity != report.SevMedium || !strings.Contains(f.Message, "refresh debian/upstream/signing-key.asc") {
		t.Errorf("expired copy: %+v", f)
	}
	if c.sigs[1].Status != string(sig.StatusValid) {
		t.Errorf("the warning changed the status: %+v", c.sigs[1])
	}
}

func TestSHA1WarningIsItsOwnFinding(t *testing.T) {
	c := &checker{m: &Material{}}
	c.add(sig.Result{Subject: sig.SubjectTag, Kind: sig.KindOpenPGP, Status: sig.StatusValid, Signer: "FEED",
		Warnings: []sig.Warning{{Kind: sig.WarningSHA1Signature, Key: "FEED"}}}, "")
	if len(c.findings) != 1 || c.findings[0].Rule != report.RuleWeakSignatureHash || c.findings[0].Severity != report.SevMedium {
		t.Errorf("findings %+v, want one TC208 medium", c.findings)
	}
}

func TestHasTrust(t *testing.T) {
	if (&Material{}).HasTrust() {
		t.Error("empty material has trust")
	}
	if !(&Material{AllowedSigners: []byte("x")}).HasTrust() || !(&Material{Identity: sig.Identity{Issuer: "i"}}).HasTrust() {
		t.Error("allowed signers or an identity are trust material")
	}
}

// The keyring given for the tarball (Debian's signing-key.asc) vouches for
// it; a tag signed by another maintainer's key outside it is then medium,
// not a failure (gnutls 3.7.9). It stays high when the tarball's signature
// did not verify, or when the tag was given a keyring of its own.
func TestUnknownTagSignerBesideValidTarball(t *testing.T) {
	unknownTag := sig.Result{Subject: sig.SubjectTag, Kind: sig.KindOpenPGP, Status: sig.StatusUnverifiable,
		Reason: sig.ReasonUnknownKey, Issuer: "5D46CB0F"}
	validTarball := sig.Result{Subject: sig.SubjectTarball, Kind: sig.KindOpenPGP, Status: sig.StatusValid, Signer: "FEED"}
	for name, tc := range map[string]struct {
		m       Material
		tarball *sig.Result
		want    report.Severity
	}{
		"tarball valid, shared keyring": {Material{KeyringNames: []string{"k.asc"}, TagKeyringNames: []string{"k.asc"}}, &validTarball, report.SevMedium},
		"tarball not signed":            {Material{KeyringNames: []string{"k.asc"}, TagKeyringNames: []string{"k.asc"}}, nil, report.SevHigh},
		"tag keyring of its own":        {Material{KeyringNames: []string{"k.asc"}, TagKeyringNames: []string{"t.asc"}, OwnTagKeyring: true}, &validTarball, report.SevHigh},
	} {
		c := &checker{m: &tc.m}
		if tc.tarball != nil {
			c.add(*tc.tarball, "x.asc")
		}
		c.add(unknownTag, "")
		if len(c.findings) != 1 || c.findings[0].Rule != report.RuleUnknownSigner || c.findings[0].Severity != tc.want {
			t.Errorf("%s: findings %+v, want one TC205 %s", name, c.findings, tc.want)
		}
	}
}

// A keyring copy whose key and signing subkey had expired before both the
// tarball's and the tag's signatures is one thing to refresh: one TC206
// finding naming both keys, each signature in its evidence (libidn2 2.3.3
// had four findings for it). Another key's expiry is a finding of its own.
func TestKeyringOutdatedOnce(t *testing.T) {
	exp, signed := time.Date(2021, 8, 21, 0, 0, 0, 0, time.UTC), time.Date(2022, 7, 11, 0, 0, 0, 0, time.UTC)
	warn := func(keys ...string) []sig.Warning {
		var ws []sig.Warning
		for i, k := range keys {
			ws = append(ws, sig.Warning{Kind: sig.WarningKeyExpiredBeforeSignature, Key: k, Subkey: i > 0, ExpiredAt: exp, SignedAt: signed})
		}
		return ws
	}
	c := &checker{m: &Material{KeyringNames: []string{"signing-key.asc"}, TagKeyringNames: []string{"signing-key.asc"}}}
	c.add(sig.Result{Subject: sig.SubjectTarball, Kind: sig.KindOpenPGP, Status: sig.StatusValid, Signer: "A3CC", Warnings: warn("B1D2", "A3CC")}, "x.tar.gz.sig")
	c.add(sig.Result{Subject: sig.SubjectTag, Kind: sig.KindOpenPGP, Status: sig.StatusValid, Signer: "A3CC", Warnings: warn("B1D2", "A3CC")}, "")
	if len(c.findings) != 1 {
		t.Fatalf("findings %+v, want one", c.findings)
	}
	f := c.findings[0]
	if f.Rule != report.RuleKeyringOutdated || f.Severity != report.SevMedium || !strings.Contains(f.Message, "key B1D2") ||
		!strings.Contains(f.Message, "signing subkey A3CC expired on 2021-08-21") || !strings.Contains(f.Message, "refresh signing-key.asc") || len(f.Evidence) != 2 {
		t.Errorf("finding %+v", f)
	}
	c.add(sig.Result{Subject: sig.SubjectTag, Kind: sig.KindOpenPGP, Status: sig.StatusValid, Signer: "FEED", Warnings: warn("FEED")}, "")
	if len(c.findings) != 2 {
		t.Errorf("another key: findings %+v, want two", c.findings)
	}
}
