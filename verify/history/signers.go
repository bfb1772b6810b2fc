package history

import (
	"encoding/hex"
	"fmt"
	"github.com/tarcheck/tarcheck/verify/report"
	"maps"
	"slices"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/tarcheck/tarcheck/verify/sig"
)

// Signer is report.Signer: the JSON shape lives in the model (verify/report).
type Signer = report.Signer

// SignerFromResult turns a signature check (sig.VerifyTag,
// sig.VerifyDetached, sig.VerifyBundle, ...) into a Signer. ok is false
// when the result names no signer (missing or unparsable signature).
func SignerFromResult(r sig.Result) (Signer, bool) {
	s := Signer{Subject: r.Subject, Kind: string(r.Kind), Verified: r.Status == sig.StatusValid}
	switch r.Kind {
	case sig.KindOpenPGP:
		s.Key = r.Primary
		if s.Key == "" {
			s.Key = r.Signer
		} else if r.Signer != "" && !strings.EqualFold(r.Signer, r.Primary) {
			s.Principal = r.Signer
		}
		if s.Key == "" {
			s.Key = r.Issuer
		}
		s.Key = strings.ToUpper(s.Key)
	case sig.KindSSH:
		s.Key, s.Principal = r.Issuer, r.Signer
		if s.Key == "" {
			s.Key = r.Signer
		}
	default:
		s.Key = r.Signer
		if s.Key == "" {
			s.Key = r.Issuer
		}
	}
	if s.Key == "" {
		return Signer{}, false
	}
	return s, true
}

// SignersHistory is report.SignersHistory: the JSON shape lives in the model (verify/report).
type SignersHistory = report.SignersHistory

// SignerInput is what Signers compares.
type SignerInput struct {
	// Previous and Current are the tags compared (names, for messages).
	Previous, Current string
	// CurrentSigners and PreviousSigners come from SignerFromResult over
	// each release's signature results (tarball and tag).
	CurrentSigners, PreviousSigners []Signer
	// Pinned is true when the policy names required signers: a change is
	// then high.
	Pinned bool
	// Keyring is the --keyring material, searched for certifications of
	// the new key by the old one (nil: no hand-over check).
	Keyring openpgp.EntityList
}

// Signers compares the signers of two releases, subject by subject (the
// tarball's with the tarball's, the tag's with the tag's). A subject signed
// in both releases with no key in common is a change: medium, high when
// pinned, with both identities in the evidence. A certification of the new
// OpenPGP key's user id by the old key (or the reverse) that verifies in the
// keyring is noted as a hand-over (info). A subject signed only in one of
// the releases is not a change here (missing signatures have their own
// findings).
func Signers(in SignerInput) (SignersHistory, []Finding) {
	h := SignersHistory{Current: nonNilSigners(in.CurrentSigners), Previous: nonNilSigners(in.PreviousSigners), Changed: []string{}}
	var findings []Finding
	for _, subject := range []string{sig.SubjectTarball, sig.SubjectTag} {
		cur, prev := bySubject(in.CurrentSigners, subject), bySubject(in.PreviousSigners, subject)
		if len(cur) == 0 || len(prev) == 0 || shareKey(cur, prev) {
			continue
		}
		h.Changed = append(h.Changed, subject)
		sev := SevMedium
		if in.Pinned {
			sev = SevHigh
		}
		ev := []string{"previous (" + in.Previous + "): " + signerList(prev), "current (" + in.Current + "): " + signerList(cur)}
		var notes []string
		for _, c := range cur {
			for _, p := range prev {
				notes = append(notes, handOver(in.Keyring, p, c)...)
			}
		}
		ev = append(ev, notes...)
		findings = append(findings, Finding{Rule: RuleSignerChanged, Severity: sev,
			Message:  fmt.Sprintf("the %s of %s is signed by %s, the previous release %s by %s", subject, in.Current, cur[0].Key, in.Previous, prev[0].Key),
			Evidence: ev, Subject: subject, Signer: cur[0].Key})
		for _, n := range notes {
			h.HandOver = append(h.HandOver, n)
			findings = append(findings, Finding{Rule: RuleSignerHandOver, Severity: SevInfo,
				Message: "signing key hand-over: " + n})
		}
	}
	return h, findings
}

func nonNilSigners(s []Signer) []Signer {
	if s == nil {
		return []Signer{}
	}
	return s
}

func bySubject(s []Signer, subject string) []Signer {
	var out []Signer
	for _, x := range s {
		if x.Subject == subject {
			out = append(out, x)
		}
	}
	return out
}

func sameKey(a, b Signer) bool {
	if a.Kind != b.Kind {
		return false
	}
	if strings.EqualFold(a.Key, b.Key) || keyIDOf(a.Key, b.Key) || keyIDOf(b.Key, a.Key) {
		return true
	}
	// An OpenPGP signing subkey of one release may be the other's key.
	return a.Kind == string(sig.KindOpenPGP) && (a.Principal != "" && strings.EqualFold(a.Principal, b.Key) ||
		b.Principal != "" && strings.EqualFold(b.Principal, a.Key))
}

// keyIDOf reports whether id is the 16-digit OpenPGP v4 key id of the
// fingerprint fpr (a signature by a key outside the keyring names only its
// issuer key id).
func keyIDOf(id, fpr string) bool {
	return len(id) == 16 && len(fpr) == 40 && strings.EqualFold(fpr[24:], id)
}

func shareKey(a, b []Signer) bool {
	for _, x := range a {
		for _, y := range b {
			if sameKey(x, y) {
				return true
			}
		}
	}
	return false
}

func signerList(s []Signer) string {
	var parts []string
	for _, x := range s {
		t := x.Kind + " " + x.Key
		if x.Principal != "" {
			t += " (" + x.Principal + ")"
		}
		if !x.Verified {
			t += " [unverified]"
		}
		parts = append(parts, t)
	}
	return strings.Join(parts, "; ")
}

// handOver returns a note for each verified certification between the old
// and the new OpenPGP key in the keyring: a signature by the old key on a
// user id of the new one (the hand-over), or the reverse (a
// cross-signature).
func handOver(kr openpgp.EntityList, old, cur Signer) []string {
	if kr == nil || old.Kind != string(sig.KindOpenPGP) || cur.Kind != string(sig.KindOpenPGP) {
		return nil
	}
	oldE, newE := entityByFingerprint(kr, old.Key), entityByFingerprint(kr, cur.Key)
	if oldE == nil || newE == nil {
		return nil
	}
	var notes []string
	if id, ok := certifies(oldE, newE); ok {
		notes = append(notes, fmt.Sprintf("the new key %s (%s) is certified by the previous key %s", cur.Key, id, old.Key))
	}
	if id, ok := certifies(newE, oldE); ok {
		notes = append(notes, fmt.Sprintf("the previous key %s (%s) is certified by the new key %s", old.Key, id, cur.Key))
	}
	return notes
}

func entityByFingerprint(kr openpgp.EntityList, fpr string) *openpgp.Entity {
	for _, e := range kr {
		if e.PrimaryKey != nil && strings.EqualFold(hex.EncodeToString(e.PrimaryKey.Fingerprint), fpr) {
			return e
		}
	}
	return nil
}

// certifies reports whether signer made a valid, unrevoked-by-type
// certification over one of subject's user ids, and names the user id.
func certifies(signer, subject *openpgp.Entity) (string, bool) {
	// In name order: the first certified one is named, the same from
	// one run to the next (a map's order is random).
	for _, name := range slices.Sorted(maps.Keys(subject.Identities)) {
		id := subject.Identities[name]
		for _, s := range id.Signatures {
			if !issuedBy(s, signer) {
				continue
			}
			switch s.SigType {
			case packet.SigTypeGenericCert, packet.SigTypePersonaCert, packet.SigTypeCasualCert, packet.SigTypePositiveCert:
			default:
				continue
			}
			if err := signer.PrimaryKey.VerifyUserIdSignature(name, subject.PrimaryKey, s); err == nil {
				return name, true
			}
		}
	}
	return "", false
}

func issuedBy(s *packet.Signature, e *openpgp.Entity) bool {
	if s.IssuerFingerprint != nil {
		return strings.EqualFold(hex.EncodeToString(s.IssuerFingerprint), hex.EncodeToString(e.PrimaryKey.Fingerprint))
	}
	return s.IssuerKeyId != nil && *s.IssuerKeyId == e.PrimaryKey.KeyId
}
