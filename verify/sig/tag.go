package sig

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"

	"github.com/tarcheck/tarcheck/internal/gitid"
)

// Signature formats of a tag object, as git names its gpg.format values.
const (
	SigFormatOpenPGP = "openpgp"
	SigFormatSSH     = "ssh"
	SigFormatX509    = "x509"
)

// sigMarkers are the lines git recognises as the start of a signature
// block at the end of a tag object (gpg-interface.c, sigs[]).
var sigMarkers = []struct {
	line   string
	format string
}{
	{"-----BEGIN PGP SIGNATURE-----", SigFormatOpenPGP},
	{"-----BEGIN PGP MESSAGE-----", SigFormatOpenPGP},
	{"-----BEGIN SIGNED MESSAGE-----", SigFormatX509},
	{"-----BEGIN SSH SIGNATURE-----", SigFormatSSH},
}

// Tag is a parsed annotated tag object. Payload is the exact byte prefix
// that the signature covers; Signature is the rest (empty when unsigned).
// Tagger, Name and Message come from the object and are untrusted until
// VerifyTag says valid; escape them before display.
type Tag struct {
	Object     string // the tagged object id (hex)
	Type       string // "commit" for release tags
	Name       string // the tag header: the name the signer gave the tag
	Tagger     string // "Name <email>", empty for tags without tagger
	TaggerTime time.Time
	Message    string
	Payload    []byte
	Signature  []byte
	SigFormat  string // SigFormatOpenPGP, SigFormatSSH, SigFormatX509 or ""
}

// ParseTag parses the raw bytes of an annotated tag object, as printed by
// `git cat-file tag NAME`. The payload/signature split is git's: the
// signature starts at the last line that begins with a signature marker.
// A tag object with more than one such line, or with a gpgsig header,
// is refused with ErrMultipleSignatures.
func ParseTag(raw []byte) (*Tag, error) {
	if len(raw) > MaxTagSize {
		return nil, fmt.Errorf("parsing tag: %w (%d bytes, limit %d)", ErrTooLarge, len(raw), MaxTagSize)
	}
	t := &Tag{}
	// Signature blocks, counted over the whole object.
	sigStart, nsig := -1, 0
	for off := 0; off < len(raw); {
		end := bytes.IndexByte(raw[off:], '\n')
		line := raw[off:]
		next := len(raw)
		if end >= 0 {
			line = raw[off : off+end]
			next = off + end + 1
		}
		for _, m := range sigMarkers {
			if bytes.HasPrefix(line, []byte(m.line)) {
				nsig++
				sigStart, t.SigFormat = off, m.format
				break
			}
		}
		off = next
	}
	if nsig > 1 {
		return nil, fmt.Errorf("parsing tag: %w (%d found)", ErrMultipleSignatures, nsig)
	}
	body := raw
	if sigStart >= 0 {
		body = raw[:sigStart]
		t.Payload = raw[:sigStart]
		t.Signature = raw[sigStart:]
	} else {
		t.Payload = raw
		t.SigFormat = ""
	}

	header, message, found := bytes.Cut(body, []byte("\n\n"))
	if !found {
		// A tag without a message still ends its header with "\n".
		if len(body) == 0 || body[len(body)-1] != '\n' {
			return nil, fmt.Errorf("parsing tag: %w: header not terminated", ErrMalformedTag)
		}
		header = body[:len(body)-1]
	}
	t.Message = string(message)
	lines := strings.Split(string(header), "\n")
	want := []string{"object", "type", "tag"}
	for i, w := range want {
		if i >= len(lines) {
			return nil, fmt.Errorf("parsing tag: %w: missing %q header", ErrMalformedTag, w)
		}
		k, v, ok := strings.Cut(lines[i], " ")
		if !ok || k != w || v == "" {
			return nil, fmt.Errorf("parsing tag: %w: line %d: want %q header", ErrMalformedTag, i+1, w)
		}
		switch w {
		case "object":
			if !gitid.Valid(v) {
				return nil, fmt.Errorf("parsing tag: %w: bad object id", ErrMalformedTag)
			}
			t.Object = v
		case "type":
			t.Type = v
		case "tag":
			t.Name = v
		}
	}
	for _, l := range lines[3:] {
		k, v, _ := strings.Cut(l, " ")
		switch {
		case k == "tagger" && t.Tagger == "" && t.TaggerTime.IsZero():
			t.Tagger, t.TaggerTime = parseIdent(v)
		case k == "gpgsig" || strings.HasPrefix(k, "gpgsig-"):
			return nil, fmt.Errorf("parsing tag: %w (a %s header)", ErrMultipleSignatures, k)
		}
	}
	return t, nil
}

// parseIdent splits "Name <email> 1700000000 +0100" into the identity
// and the time; a malformed date leaves the time zero.
func parseIdent(v string) (string, time.Time) {
	i := strings.LastIndexByte(v, '>')
	if i < 0 {
		return v, time.Time{}
	}
	who, rest := v[:i+1], strings.Fields(v[i+1:])
	if len(rest) < 1 {
		return who, time.Time{}
	}
	sec, err := strconv.ParseInt(rest[0], 10, 64)
	if err != nil {
		return who, time.Time{}
	}
	loc := time.UTC
	if len(rest) > 1 && len(rest[1]) == 5 && (rest[1][0] == '+' || rest[1][0] == '-') {
		if hh, err1 := strconv.Atoi(rest[1][1:3]); err1 == nil {
			if mm, err2 := strconv.Atoi(rest[1][3:5]); err2 == nil {
				off := (hh*60 + mm) * 60
				if rest[1][0] == '-' {
					off = -off
				}
				loc = time.FixedZone(rest[1], off)
			}
		}
	}
	return who, time.Unix(sec, 0).In(loc)
}

// TagPolicy is the trusted material and the expectations for a tag.
type TagPolicy struct {
	// Name is the tag the user asked for; the object's tag header must
	// equal it. Empty skips the check (the caller must then do it).
	Name string
	// Object is the commit being compared; the object header must equal
	// it. Empty skips the check.
	Object string
	// Keyring holds the OpenPGP keys accepted for OpenPGP-signed tags.
	Keyring openpgp.EntityList
	// AllowedSigners is an OpenSSH allowed-signers file for SSH-signed tags.
	AllowedSigners []byte
	// RequireSecurityKeyTouch makes a FIDO security-key signature without
	// the user-presence flag invalid unless its allowed-signers line says
	// no-touch-required (sshd's authorized_keys rule). Off, the flag is
	// only reported (Result.SecurityKey), as ssh-keygen -Y verify does.
	RequireSecurityKeyTouch bool
	// TrustedRoot (a trusted_root.json) and Identity are for x509
	// (gitsign) tags; both are needed for a valid result.
	TrustedRoot []byte
	Identity    Identity
}

// VerifyTag checks a parsed tag against p at time now (Subject "tag").
//
// A tag header that differs from p.Name, or an object header that differs
// from p.Object, is invalid whatever the signature (a renamed or re-pointed
// tag: a downgrade attack). Otherwise: an unsigned tag is missing; an
// OpenPGP signature is judged as VerifyDetached does, over t.Payload; an SSH
// signature must be an SSHSIG in namespace "git" by a key that the
// allowed-signers file accepts for namespace "git" at the tagger time (or
// now when the tag has no tagger), or by an OpenSSH user certificate that a
// cert-authority line's CA signed, with a matching principal and valid at
// that time. A FIDO security-key signature (sk-ssh-ed25519,
// sk-ecdsa-sha2-nistp256) is verified as ssh-keygen -Y verify does,
// whatever its authenticator flags (reported in Result.SecurityKey); a
// verify-required line demands the user-verification flag, and
// p.RequireSecurityKeyTouch the user-presence flag unless the line says
// no-touch-required (invalid, ReasonSecurityKeyFlags). Without
// trust material an SSH or OpenPGP signature is unverifiable with
// ReasonNoTrustMaterial; by a key outside it, unverifiable with
// ReasonUnknownKey; Issuer names the key either way.
//
// An x509 (gitsign) signature must be a detached CMS SignedData with one
// signer whose message digest (SHA-256/384/512) matches t.Payload and whose
// signature over the signed attributes verifies with the embedded leaf
// certificate. Without p.TrustedRoot or a complete p.Identity it is then
// unverifiable (Signer: the certificate's claimed SAN). Otherwise the
// certificate must chain to the trusted root's Fulcio CAs at a time proven
// offline: an embedded RFC 3161 timestamp over the signature value (every
// one must verify against the root's TSAs) and/or gitsign's embedded Rekor
// entry (offline mode, verified against the root's logs and bound to this
// signature and certificate). A signature with neither (gitsign's default
// online mode) is unverifiable: now is never used as the signing time.
// SAN and issuer must match p.Identity as for VerifyBundle. Callers must
// still decide what unverifiable means under --require-signature.
func VerifyTag(t *Tag, p TagPolicy, now time.Time) Result {
	res := Result{Subject: SubjectTag, Kind: KindOpenPGP}
	switch t.SigFormat {
	case SigFormatSSH:
		res.Kind = KindSSH
	case SigFormatX509:
		res.Kind = KindX509
	}
	if p.Name != "" && t.Name != p.Name {
		res.Status = StatusInvalid
		res.Detail = oneLine(fmt.Sprintf("tag object names itself %q, not %q (renamed tag)", t.Name, p.Name))
		return res
	}
	if p.Object != "" && !strings.EqualFold(t.Object, p.Object) {
		res.Status = StatusInvalid
		res.Detail = oneLine(fmt.Sprintf("tag object points at %s, not %s (re-pointed tag)", t.Object, p.Object))
		return res
	}
	switch t.SigFormat {
	case "":
		res.Status, res.Detail = StatusMissing, "tag is not signed"
		return res
	case SigFormatOpenPGP:
		if len(p.Keyring) == 0 {
			res.Status, res.Reason = StatusUnverifiable, ReasonNoTrustMaterial
			res.Detail = "OpenPGP-signed tag but no keyring given (--keyring)"
			if sigs, _, err := parseSignaturePackets(t.Signature); err == nil && len(sigs) > 0 {
				res.Signer = issuerString(sigs[0])
				res.Issuer = res.Signer
				res.Detail = "OpenPGP-signed tag (issuer " + res.Issuer + ") but no keyring given (--keyring)"
			}
			return res
		}
		r := verifyOpenPGP(SubjectTag, bytes.NewReader(t.Payload), t.Signature, p.Keyring, now)
		return r
	case SigFormatSSH:
		at := t.TaggerTime
		if at.IsZero() {
			at = now
		}
		return verifySSHTag(res, t.Payload, t.Signature, p.AllowedSigners, p.RequireSecurityKeyTouch, at)
	case SigFormatX509:
		return verifyX509Tag(res, t.Payload, t.Signature, p.TrustedRoot, p.Identity, now)
	}
	res.Status, res.Detail = StatusUnverifiable, "unknown signature format"
	return res
}
