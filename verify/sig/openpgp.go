package sig

import (
	"bytes"
	"crypto"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

const (
	armorSignatureType = "PGP SIGNATURE"
	armorBegin         = "-----BEGIN PGP "
)

// ReadKeyring parses OpenPGP public keys from one or more keyring files.
// Each file may be binary (gpg --export) or ASCII-armored, and an armored
// file may hold several armored blocks one after the other. A file that
// yields no key is skipped; it is an error (a *KeyringError for the last
// such file, named "keyring N", wrapping ErrNoKeys) when no key at all is
// found. A file over MaxKeyringSize or holding an OpenPGP secret key is
// always an error. Self-signatures,
// subkey bindings and revocations are checked by the parser; the caller
// must still decide which keys it trusts: every key returned is accepted
// as a signer. ReadKeyringFiles is stricter and names the files.
func ReadKeyring(data ...[]byte) (keyring openpgp.EntityList, err error) {
	var lastErr error
	for i, d := range data {
		els, err := readKeyringFile(fmt.Sprintf("keyring %d", i+1), d)
		if err != nil {
			if ke, ok := errors.AsType[*KeyringError](err); ok && (ke.Problem == KeyringTooLarge || ke.Problem == KeyringIsSecretKey) {
				return nil, err
			}
			lastErr = err
			continue
		}
		keyring = append(keyring, els...)
	}
	if len(keyring) == 0 {
		if lastErr != nil {
			return nil, lastErr
		}
		return nil, ErrNoKeys
	}
	return keyring, nil
}

// isArmored reports whether d looks like ASCII armor rather than binary
// OpenPGP packets (binary packets always have the high bit of byte 0 set).
func isArmored(d []byte) bool {
	t := bytes.TrimLeft(d, " \t\r\n")
	if len(t) > 0 && t[0]&0x80 != 0 {
		return false
	}
	return bytes.Contains(d, []byte(armorBegin))
}

// armorChunks splits d at each armored block's begin line (a block may
// follow the previous end line without a newline).
func armorChunks(d []byte) [][]byte {
	var starts []int
	for off := 0; off < len(d); {
		i := bytes.Index(d[off:], []byte(armorBegin))
		if i < 0 {
			break
		}
		pos := off + i
		starts = append(starts, pos)
		off = pos + len(armorBegin)
	}
	chunks := make([][]byte, 0, len(starts))
	for i, s := range starts {
		end := len(d)
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		chunks = append(chunks, d[s:end])
	}
	return chunks
}

// VerifyDetached checks an OpenPGP detached signature (armored or binary)
// over the bytes read from signed, with the keys of keyring, at time now.
//
// Outcomes (Subject "tarball", Kind "openpgp"):
//   - valid: the signature verifies with a key of the keyring, which was
//     neither expired nor revoked when the signature was made. A key that
//     expired since is still valid, with the expiry in Detail; so is a key
//     retired or superseded (soft revocation) after the signature was made.
//   - invalid: other bytes, a key revoked as compromised or without reason,
//     a signature made before the key was created, a
//     MD5 or RIPEMD-160 signature hash (SHA-1 is valid, as with gpgv, with
//     a WarningSHA1Signature), a signature expired or made in
//     the future, a malformed signature file, or a key not allowed to sign.
//   - unverifiable: no key of the keyring matches the issuer (Signer and
//     Issuer then hold the issuer's fingerprint or key id, and Reason is
//     ReasonUnknownKey, or ReasonNoTrustMaterial for an empty keyring), an
//     unsupported packet version or algorithm, or a read error on signed.
//
// A signature made after the keyring's copy of the key (or signing
// subkey) had expired is valid, as with gpgv, with a
// WarningKeyExpiredBeforeSignature in Warnings: the caller reports it
// (medium) and asks the user to refresh the keyring.
//
// VerifyDetached reads signed to its end; it does not cap its size.
func VerifyDetached(signed io.Reader, signature []byte, keyring openpgp.EntityList, now time.Time) Result {
	return verifyOpenPGP(SubjectTarball, signed, signature, keyring, now)
}

func verifyOpenPGP(subject string, signed io.Reader, signature []byte, keyring openpgp.EntityList, now time.Time) (res Result) {
	res = Result{Subject: subject, Kind: KindOpenPGP}
	defer func() {
		if r := recover(); r != nil {
			res.Status, res.Detail = StatusInvalid, oneLine(fmt.Sprintf("signature parser failure: %v", r))
		}
	}()
	sigs, unsupported, err := parseSignaturePackets(signature)
	if err != nil {
		res.Status, res.Detail = StatusInvalid, oneLine("malformed signature: "+err.Error())
		return res
	}
	if len(sigs) == 0 {
		if len(unsupported) > 0 {
			return unsupportedResult(res, unsupported[0])
		}
		res.Status, res.Detail = StatusInvalid, "malformed signature: no OpenPGP signature packet"
		return res
	}
	var (
		chosen *packet.Signature
		keys   []openpgp.Key
	)
	for _, s := range sigs {
		if k := candidateKeys(keyring, s); len(k) > 0 {
			chosen, keys = s, k
			break
		}
	}
	if chosen == nil {
		return unknownKeyResult(res, sigs, len(keyring) == 0)
	}
	res.Issuer = issuerString(chosen)
	res.Signer = fingerprint(keys[0].PublicKey)
	if keys[0].PublicKey != keys[0].Entity.PrimaryKey {
		res.Primary = fingerprint(keys[0].Entity.PrimaryKey)
	}
	if name, weak := weakHash(chosen.Hash); weak {
		res.Status, res.Detail = StatusInvalid, name+" signature hash rejected"
		return res
	}
	if chosen.SigType != packet.SigTypeBinary && chosen.SigType != packet.SigTypeText {
		res.Status, res.Detail = StatusInvalid, fmt.Sprintf("signature type 0x%02x is not a document signature", uint8(chosen.SigType))
		return res
	}
	h, err := chosen.PrepareVerify()
	if err != nil {
		return unsupportedResult(res, err)
	}
	var w io.Writer = h
	if chosen.SigType == packet.SigTypeText {
		w = openpgp.NewCanonicalTextHash(h)
	}
	if _, err := io.Copy(w, signed); err != nil {
		res.Status, res.Detail = StatusUnverifiable, oneLine("reading signed data: "+err.Error())
		return res
	}
	key, verr := verifyWithKeys(h, chosen, keys)
	if key == nil {
		res.Status = StatusInvalid
		res.Detail = oneLine("BAD signature: the data does not match the signature (" + verr.Error() + ")")
		return res
	}
	res.Signer = fingerprint(key.PublicKey)
	res.Primary = ""
	if key.PublicKey != key.Entity.PrimaryKey {
		res.Primary = fingerprint(key.Entity.PrimaryKey)
	}
	res.Status, res.Detail, res.Warnings = checkKeyAtSigning(key, chosen, now)
	if chosen.Hash == crypto.SHA1 && res.Status == StatusValid {
		res.Warnings = append(res.Warnings, Warning{Kind: WarningSHA1Signature, Key: res.Signer})
	}
	return res
}

// unknownKeyResult is the result for signatures none of whose issuers is in
// the keyring (or with no keyring at all).
func unknownKeyResult(res Result, sigs []*packet.Signature, noKeyring bool) Result {
	res.Status = StatusUnverifiable
	res.Signer = issuerString(sigs[0])
	res.Issuer = res.Signer
	res.Reason = ReasonUnknownKey
	if noKeyring {
		res.Reason = ReasonNoTrustMaterial
		res.Detail = "no keyring to check issuer " + res.Signer + " against"
		return res
	}
	res.Detail = "signed by " + res.Signer + ", which is not in the keyring"
	if len(sigs) > 1 {
		res.Detail += fmt.Sprintf(" (nor are the issuers of the %d other signatures)", len(sigs)-1)
	}
	return res
}

// verifyWithKeys verifies sig over the data hashed into h with each of keys
// in turn (on a clone of h when there are several) and returns the first key
// that verifies, or the last error.
func verifyWithKeys(h hash.Hash, sig *packet.Signature, keys []openpgp.Key) (*openpgp.Key, error) {
	var verr error
	for i := range keys {
		hh := h
		if len(keys) > 1 {
			if c, ok := h.(hash.Cloner); ok {
				if cl, err := c.Clone(); err == nil {
					hh = cl
				}
			}
		}
		if verr = keys[i].PublicKey.VerifySignature(hh, sig); verr == nil {
			return &keys[i], nil
		}
	}
	return nil, verr
}

// parseSignaturePackets reads the signature packets of a detached
// signature. Unsupported signature packets are returned separately.
func parseSignaturePackets(signature []byte) ([]*packet.Signature, []error, error) {
	if len(signature) > MaxSignatureSize {
		return nil, nil, fmt.Errorf("%w (%d bytes, limit %d)", ErrTooLarge, len(signature), MaxSignatureSize)
	}
	var r io.Reader = bytes.NewReader(signature)
	if isArmored(signature) {
		chunks := armorChunks(signature)
		if len(chunks) == 0 {
			return nil, nil, errors.New("no armored block")
		}
		if len(chunks) > 1 {
			return nil, nil, errors.New("more than one armored block")
		}
		block, err := armor.Decode(bytes.NewReader(chunks[0]))
		if err != nil {
			return nil, nil, fmt.Errorf("decoding armor: %w", err)
		}
		if block.Type != armorSignatureType {
			return nil, nil, fmt.Errorf("armored block %q is not a signature", block.Type)
		}
		r = io.LimitReader(block.Body, MaxSignatureSize)
	}
	var (
		sigs        []*packet.Signature
		unsupported []error
	)
	pr := packet.NewReader(r)
	for n := 0; ; n++ {
		if n >= MaxSignaturePackets {
			return nil, nil, fmt.Errorf("more than %d packets", MaxSignaturePackets)
		}
		p, err := pr.NextWithUnsupported()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		switch p := p.(type) {
		case *packet.Signature:
			sigs = append(sigs, p)
		case *packet.UnsupportedPacket:
			if _, ok := p.IncompletePacket.(*packet.Signature); !ok {
				return nil, nil, fmt.Errorf("unexpected unsupported packet: %v", p.Error)
			}
			unsupported = append(unsupported, p.Error)
		default:
			return nil, nil, fmt.Errorf("unexpected %T in a detached signature", p)
		}
	}
	return sigs, unsupported, nil
}

// unsupportedResult maps an unsupported-signature error: weak hashes the
// parser does not even know (MD5, RIPEMD-160) are invalid, the rest
// (e.g. a version 3 signature packet) unverifiable.
func unsupportedResult(res Result, err error) Result {
	msg := err.Error()
	switch {
	case strings.HasSuffix(msg, "hash function 1"):
		res.Status, res.Detail = StatusInvalid, "MD5 signature hash rejected"
	case strings.HasSuffix(msg, "hash function 3"):
		res.Status, res.Detail = StatusInvalid, "RIPEMD-160 signature hash rejected"
	default:
		res.Status, res.Detail = StatusUnverifiable, oneLine("unsupported signature: "+msg)
	}
	return res
}

func weakHash(h crypto.Hash) (string, bool) {
	switch h {
	case crypto.MD5:
		return "MD5", true
	case crypto.RIPEMD160:
		return "RIPEMD-160", true
	}
	return "", false
}

// candidateKeys returns the keys of keyring that match the signature's
// issuer, whatever their flags, expiry or revocation (checked later).
func candidateKeys(keyring openpgp.EntityList, s *packet.Signature) []openpgp.Key {
	var keys []openpgp.Key
	switch {
	case s.IssuerKeyId != nil:
		keys = keyring.KeysById(*s.IssuerKeyId)
	case len(s.IssuerFingerprint) >= 8:
		fp := s.IssuerFingerprint
		// The key id is the low 64 bits (v4) or high 64 bits (v5, v6).
		var id uint64
		if s.IssuerKeyVersion == 4 || len(fp) == 20 {
			for _, b := range fp[len(fp)-8:] {
				id = id<<8 | uint64(b)
			}
		} else {
			for _, b := range fp[:8] {
				id = id<<8 | uint64(b)
			}
		}
		keys = keyring.KeysById(id)
	default:
		return nil
	}
	if len(s.IssuerFingerprint) == 0 {
		return keys
	}
	out := keys[:0]
	for _, k := range keys {
		if bytes.Equal(k.PublicKey.Fingerprint, s.IssuerFingerprint) {
			out = append(out, k)
		}
	}
	return out
}

func issuerString(s *packet.Signature) string {
	if len(s.IssuerFingerprint) > 0 {
		return fmt.Sprintf("%X", s.IssuerFingerprint)
	}
	if s.IssuerKeyId != nil {
		return fmt.Sprintf("key id %016X", *s.IssuerKeyId)
	}
	return "(no issuer)"
}

func fingerprint(pk *packet.PublicKey) string {
	return fmt.Sprintf("%X", pk.Fingerprint)
}

// keyExpiry returns when pk expires according to its self-signature, or
// the zero time when it does not expire.
func keyExpiry(pk *packet.PublicKey, self *packet.Signature) time.Time {
	if self == nil || self.KeyLifetimeSecs == nil || *self.KeyLifetimeSecs == 0 {
		return time.Time{}
	}
	return pk.CreationTime.Add(time.Duration(*self.KeyLifetimeSecs) * time.Second)
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

// checkKeyAtSigning judges a cryptographically good signature: the key
// must have been usable when the signature was made (its creation time),
// and must not be revoked as compromised since.
//
// A key whose self-signature (in the keyring) says it had already expired
// when the signature was made is accepted as gpgv accepts it, with a
// WarningKeyExpiredBeforeSignature: expiry is not revocation, and the
// key's holder may have extended it since the keyring copy was made.
func checkKeyAtSigning(key *openpgp.Key, s *packet.Signature, now time.Time) (Status, string, []Warning) {
	signedAt := s.CreationTime
	if signedAt.After(now.Add(MaxClockSkew)) {
		return StatusInvalid, "signature creation time " + signedAt.UTC().Format(time.RFC3339) + " is in the future", nil
	}
	for _, n := range s.Notations {
		if n.IsCritical {
			return StatusInvalid, oneLine("unknown critical notation " + n.Name), nil
		}
	}
	if s.SigLifetimeSecs != nil && *s.SigLifetimeSecs != 0 {
		exp := signedAt.Add(time.Duration(*s.SigLifetimeSecs) * time.Second)
		if now.After(exp) {
			return StatusInvalid, "signature expired " + day(exp), nil
		}
	}
	if key.PublicKey.CreationTime.After(signedAt) {
		return StatusInvalid, "signature made " + day(signedAt) + " before the key was created " + day(key.PublicKey.CreationTime), nil
	}
	entity := key.Entity
	primarySelf, _ := entity.PrimarySelfSignature()
	if primarySelf == nil {
		return StatusUnverifiable, "key has no valid self-signature", nil
	}
	self := key.SelfSignature
	if key.PublicKey == entity.PrimaryKey {
		self = primarySelf
	}
	if self != nil && self.FlagsValid && !self.FlagSign {
		return StatusInvalid, "key " + fingerprint(key.PublicKey) + " is not allowed to sign data", nil
	}

	var notes []string
	revs := append([]*packet.Signature{}, entity.Revocations...)
	if key.PublicKey != entity.PrimaryKey {
		revs = append(revs, key.Revocations...)
	}
	for _, rev := range revs {
		reason, text := packet.NoReason, ""
		if rev.RevocationReason != nil {
			reason, text = *rev.RevocationReason, rev.RevocationReasonText
		}
		what := revocationReasonName(reason)
		if text != "" {
			what += ": " + text
		}
		soft := reason == packet.KeySuperseded || reason == packet.KeyRetired
		if soft && rev.CreationTime.After(signedAt) {
			notes = append(notes, "key "+revocationVerb(reason)+" "+day(rev.CreationTime)+" after signing ("+what+")")
			continue
		}
		return StatusInvalid, oneLine("key revoked " + day(rev.CreationTime) + " (" + what + ")"), nil
	}

	var warnings []Warning
	expiry := func(pk *packet.PublicKey, self *packet.Signature, subkey bool) {
		exp := keyExpiry(pk, self)
		if exp.IsZero() {
			return
		}
		what := "key"
		if subkey {
			what = "signing subkey"
		}
		switch {
		case signedAt.After(exp):
			warnings = append(warnings, Warning{Kind: WarningKeyExpiredBeforeSignature, Key: fingerprint(pk),
				Subkey: subkey, ExpiredAt: exp, SignedAt: signedAt})
			notes = append(notes, "the keyring's copy of the "+what+" expired "+day(exp)+", before the signature (probably extended since)")
		case now.After(exp):
			notes = append(notes, what+" expired "+day(exp)+" after signing")
		}
	}
	expiry(entity.PrimaryKey, primarySelf, false)
	if key.PublicKey != entity.PrimaryKey && self != nil {
		expiry(key.PublicKey, self, true)
	}
	detail := "good signature made " + signedAt.UTC().Format(time.RFC3339)
	if name := PrimaryName(entity); name != "" {
		detail += " by " + name
	}
	if len(notes) > 0 {
		detail += "; " + strings.Join(notes, "; ")
	}
	return StatusValid, oneLine(detail), warnings
}

// PrimaryName is the name of entity.PrimaryIdentity(), chosen as it
// chooses (fewest revocations, the primary flag, the newest
// self-signature) but with a tie, which go-crypto breaks by Go's random
// map order (a key whose user ids were all certified at one time:
// gnutls' signer, reported as ueno@gnu.org or ueno@unixuser.org from one
// run to the next), broken by the smallest name: the same report for the
// same inputs.
func PrimaryName(entity *openpgp.Entity) string {
	p := entity.PrimaryIdentity()
	if p == nil {
		return ""
	}
	best := p.Name
	for name, id := range entity.Identities {
		if name < best && sameRank(id, p) {
			best = name
		}
	}
	return best
}

// sameRank reports whether PrimaryIdentity cannot tell a and b apart.
func sameRank(a, b *openpgp.Identity) bool {
	if len(a.Revocations) != len(b.Revocations) || (a.SelfSignature == nil) != (b.SelfSignature == nil) {
		return false
	}
	if a.SelfSignature == nil {
		return true
	}
	primary := func(s *packet.Signature) bool { return s.IsPrimaryId != nil && *s.IsPrimaryId }
	return primary(a.SelfSignature) == primary(b.SelfSignature) && a.SelfSignature.CreationTime.Equal(b.SelfSignature.CreationTime)
}

func revocationReasonName(r packet.ReasonForRevocation) string {
	switch r {
	case packet.KeySuperseded:
		return "superseded"
	case packet.KeyCompromised:
		return "compromised"
	case packet.KeyRetired:
		return "retired"
	case packet.NoReason:
		return "no reason given"
	}
	return fmt.Sprintf("reason %d", uint8(r))
}

func revocationVerb(r packet.ReasonForRevocation) string {
	if r == packet.KeySuperseded {
		return "superseded"
	}
	return "retired"
}
