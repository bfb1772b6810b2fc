package report

import "strings"

// FoldSignerFindings makes one finding of the two a new signing key
// raises about one signed subject: RuleUnknownSigner (the key is outside
// the trust material) and RuleSignerChanged (the previous release was
// signed by another key), when both name the same subject and key
// (Finding.Subject and Finding.Signer). The RuleUnknownSigner finding
// stays, at the higher severity of the two, its message and evidence
// extended with the other's; the RuleSignerChanged finding is dropped (the
// report's signers_history still records the change). Findings about
// other keys or subjects are kept as they are.
func FoldSignerFindings(fs []Finding) []Finding {
	drop := map[int]bool{}
	for i := range fs {
		u := &fs[i]
		if u.Rule != RuleUnknownSigner || u.Signer == "" {
			continue
		}
		for j := range fs {
			c := fs[j]
			if drop[j] || c.Rule != RuleSignerChanged || c.Subject != u.Subject || !sameSigner(c.Signer, u.Signer) {
				continue
			}
			u.Severity = max(u.Severity, c.Severity)
			u.Message += "; a new signer: " + c.Message
			u.Evidence = append(u.Evidence, c.Evidence...)
			drop[j] = true
			break
		}
	}
	if len(drop) == 0 {
		return fs
	}
	out := fs[:0]
	for i, f := range fs {
		if !drop[i] {
			out = append(out, f)
		}
	}
	return out
}

// sameSigner reports whether two key identities name one key: equal, or
// (OpenPGP) a key id that ends the other's fingerprint.
func sameSigner(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	a, b = strings.ToUpper(a), strings.ToUpper(b)
	if len(a) < len(b) {
		a, b = b, a
	}
	return a == b || len(b) >= 16 && strings.HasSuffix(a, b) && isHex(b)
}

func isHex(s string) bool {
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
