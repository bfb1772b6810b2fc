package sig

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/tarcheck/tarcheck/internal/limits"
)

const (
	sshsigMagic    = "SSHSIG"
	sshsigBegin    = "-----BEGIN SSH SIGNATURE-----"
	sshsigEnd      = "-----END SSH SIGNATURE-----"
	sshsigVersion  = 1
	gitSSHNamspace = "git"
)

// SSHSignature is a parsed SSHSIG blob (PROTOCOL.sshsig in OpenSSH).
type SSHSignature struct {
	PublicKey     ssh.PublicKey
	Namespace     string
	HashAlgorithm string // "sha256" or "sha512"
	Signature     *ssh.Signature
}

// ParseSSHSignature decodes an armored SSH signature
// ("-----BEGIN SSH SIGNATURE-----") and parses its SSHSIG blob.
// Trailing bytes after the end line are ignored, as ssh-keygen does.
func ParseSSHSignature(armored []byte) (*SSHSignature, error) {
	if len(armored) > MaxSignatureSize {
		return nil, fmt.Errorf("parsing SSH signature: %w", ErrTooLarge)
	}
	s := bytes.TrimLeft(armored, " \t\r\n")
	if !bytes.HasPrefix(s, []byte(sshsigBegin)) {
		return nil, errors.New("parsing SSH signature: no begin line")
	}
	s = s[len(sshsigBegin):]
	end := bytes.Index(s, []byte(sshsigEnd))
	if end < 0 {
		return nil, errors.New("parsing SSH signature: no end line")
	}
	var b64 []byte
	for _, c := range s[:end] {
		if c != '\n' && c != '\r' && c != ' ' && c != '\t' {
			b64 = append(b64, c)
		}
	}
	blob := make([]byte, base64.StdEncoding.DecodedLen(len(b64)))
	n, err := base64.StdEncoding.Decode(blob, b64)
	if err != nil {
		return nil, fmt.Errorf("parsing SSH signature: base64: %w", err)
	}
	return parseSSHSigBlob(blob[:n])
}

func parseSSHSigBlob(blob []byte) (*SSHSignature, error) {
	if !bytes.HasPrefix(blob, []byte(sshsigMagic)) {
		return nil, errors.New("parsing SSH signature: not an SSHSIG blob")
	}
	r := sshReader{b: blob[len(sshsigMagic):]}
	version := r.uint32()
	pub := r.str()
	ns := r.str()
	_ = r.str() // reserved
	halg := r.str()
	sigBlob := r.str()
	if r.err != nil {
		return nil, fmt.Errorf("parsing SSH signature: %w", r.err)
	}
	if version != sshsigVersion {
		return nil, fmt.Errorf("parsing SSH signature: unsupported version %d", version)
	}
	pk, err := ssh.ParsePublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("parsing SSH signature: public key: %w", err)
	}
	sig := new(ssh.Signature)
	if err := ssh.Unmarshal(sigBlob, sig); err != nil {
		return nil, fmt.Errorf("parsing SSH signature: signature: %w", err)
	}
	return &SSHSignature{PublicKey: pk, Namespace: string(ns), HashAlgorithm: string(halg), Signature: sig}, nil
}

type sshReader struct {
	b   []byte
	err error
}

func (r *sshReader) uint32() uint32 {
	if r.err != nil || len(r.b) < 4 {
		r.err = errors.New("truncated")
		return 0
	}
	v := binary.BigEndian.Uint32(r.b)
	r.b = r.b[4:]
	return v
}

func (r *sshReader) str() []byte {
	n := r.uint32()
	if r.err != nil {
		return nil
	}
	if uint64(n) > uint64(len(r.b)) {
		r.err = errors.New("truncated")
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func sshString(b *bytes.Buffer, s []byte) {
	var l [4]byte
	binary.BigEndian.PutUint32(l[:], uint32(len(s)))
	b.Write(l[:])
	b.Write(s)
}

// Verify checks that s signs message in namespace. It does not say
// whether the key is trusted: see AllowedSigners. A FIDO security-key
// signature verifies whatever its authenticator flags, as with
// ssh-keygen -Y verify; SecurityKey returns them for the caller's policy.
func (s *SSHSignature) Verify(message []byte, namespace string) error {
	_, err := s.verify(message, namespace)
	return err
}

// SecurityKey returns the authenticator data (flags, counter) of a
// signature made with a FIDO security key, unverified, or nil for other
// key types or malformed data. Verify says whether it is authentic.
func (s *SSHSignature) SecurityKey() *SecurityKeyInfo {
	k := s.PublicKey
	if c, ok := k.(*ssh.Certificate); ok {
		k = c.Key
	}
	if !isSecurityKey(k) {
		return nil
	}
	info, err := securityKeyInfo(k, s.Signature)
	if err != nil {
		return nil
	}
	return info
}

// verify is Verify, returning the authenticator data of a good
// security-key signature (nil for other keys).
func (s *SSHSignature) verify(message []byte, namespace string) (*SecurityKeyInfo, error) {
	if s.Namespace != namespace {
		return nil, fmt.Errorf("signature namespace %q, want %q", s.Namespace, namespace)
	}
	var digest []byte
	switch s.HashAlgorithm {
	case "sha256":
		d := sha256.Sum256(message)
		digest = d[:]
	case "sha512":
		d := sha512.Sum512(message)
		digest = d[:]
	default:
		return nil, fmt.Errorf("unsupported SSHSIG hash %q", s.HashAlgorithm)
	}
	if s.Signature.Format == ssh.KeyAlgoRSA {
		return nil, errors.New("SHA-1 RSA signature (ssh-rsa) rejected")
	}
	var signed bytes.Buffer
	signed.WriteString(sshsigMagic)
	sshString(&signed, []byte(s.Namespace))
	sshString(&signed, nil)
	sshString(&signed, []byte(s.HashAlgorithm))
	sshString(&signed, digest)
	key := s.PublicKey
	if c, ok := key.(*ssh.Certificate); ok {
		key = c.Key
	}
	if isSecurityKey(key) {
		return verifySecurityKey(key, signed.Bytes(), s.Signature)
	}
	return nil, s.PublicKey.Verify(signed.Bytes(), s.Signature)
}

// MaxCertPrincipals caps the principals of an OpenSSH certificate, as
// OpenSSH does (SSHKEY_CERT_MAX_PRINCIPALS); a certificate with more is
// refused.
const MaxCertPrincipals = limits.SigMaxCertPrincipals

// AllowedSigner is one line of an OpenSSH allowed-signers file.
type AllowedSigner struct {
	Principals string // comma-separated patterns, as written
	Key        ssh.PublicKey
	// CertAuthority is set by the cert-authority option: Key is a CA key,
	// and the line accepts OpenSSH user certificates signed by it (never
	// Key itself). A line without it accepts only signatures by Key.
	CertAuthority bool
	Namespaces    []string // patterns; empty: any namespace
	ValidAfter    time.Time
	ValidBefore   time.Time
	// NoTouchRequired and VerifyRequired are the FIDO options of
	// authorized_keys (sshd(8)), honoured for security-key signatures: a
	// signature without the user-presence flag is refused unless
	// NoTouchRequired, and VerifyRequired demands the user-verification
	// flag. ssh-keygen -Y verify (OpenSSH 9.x) neither checks the flags
	// nor accepts these options in allowed-signers files.
	NoTouchRequired bool
	VerifyRequired  bool
}

// ParseAllowedSigners parses an OpenSSH allowed-signers file
// (ssh-keygen(1), ALLOWED SIGNERS). Options understood: cert-authority,
// namespaces, valid-after, valid-before, and for FIDO keys
// no-touch-required and verify-required (dates are read as UTC, with or
// without the "Z" suffix). Unparseable lines are an error. Callers that
// match keys themselves must honour AllowedSigner.CertAuthority: a CA line
// does not vouch for signatures made by the CA key.
func ParseAllowedSigners(data []byte) ([]AllowedSigner, error) {
	if len(data) > MaxAllowedSignersSize {
		return nil, fmt.Errorf("parsing allowed signers: %w", ErrTooLarge)
	}
	var out []AllowedSigner
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), MaxAllowedSignersSize)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		var principals, rest string
		if line[0] == '"' {
			i := strings.IndexByte(line[1:], '"')
			if i < 0 {
				return nil, fmt.Errorf("parsing allowed signers: line %d: unterminated quote", n)
			}
			principals, rest = line[1:1+i], line[2+i:]
		} else {
			i := strings.IndexAny(line, " \t")
			if i < 0 {
				return nil, fmt.Errorf("parsing allowed signers: line %d: no key", n)
			}
			principals, rest = line[:i], line[i:]
		}
		key, _, options, _, err := ssh.ParseAuthorizedKey([]byte(strings.TrimSpace(rest)))
		if err != nil {
			return nil, fmt.Errorf("parsing allowed signers: line %d: %w", n, err)
		}
		as := AllowedSigner{Principals: principals, Key: key}
		for _, o := range options {
			name, val, _ := strings.Cut(o, "=")
			val = strings.Trim(val, `"`)
			switch strings.ToLower(name) {
			case "cert-authority":
				as.CertAuthority = true
			case "no-touch-required":
				as.NoTouchRequired = true
			case "verify-required":
				as.VerifyRequired = true
			case "namespaces":
				as.Namespaces = strings.Split(val, ",")
			case "valid-after":
				if as.ValidAfter, err = parseSSHTime(val); err != nil {
					return nil, fmt.Errorf("parsing allowed signers: line %d: valid-after: %w", n, err)
				}
			case "valid-before":
				if as.ValidBefore, err = parseSSHTime(val); err != nil {
					return nil, fmt.Errorf("parsing allowed signers: line %d: valid-before: %w", n, err)
				}
			default:
				return nil, fmt.Errorf("parsing allowed signers: line %d: unknown option %q", n, name)
			}
		}
		out = append(out, as)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("parsing allowed signers: %w", err)
	}
	return out, nil
}

func parseSSHTime(v string) (time.Time, error) {
	v = strings.TrimSuffix(v, "Z")
	for _, layout := range []string{"20060102", "200601021504", "20060102150405"} {
		if len(v) == len(layout) {
			return time.Parse(layout, v)
		}
	}
	return time.Time{}, fmt.Errorf("bad time %q", v)
}

// permits reports whether a allows namespace at time at, and why not.
func (a AllowedSigner) permits(namespace string, at time.Time) error {
	if len(a.Namespaces) > 0 && !matchPatternList(namespace, a.Namespaces) {
		return fmt.Errorf("key is not allowed for namespace %q", namespace)
	}
	if !a.ValidAfter.IsZero() && at.Before(a.ValidAfter) {
		return fmt.Errorf("key valid only after %s", a.ValidAfter.Format(time.RFC3339))
	}
	if !a.ValidBefore.IsZero() && at.After(a.ValidBefore) {
		return fmt.Errorf("key valid only before %s", a.ValidBefore.Format(time.RFC3339))
	}
	return nil
}

// matchPatternList is OpenSSH's match_pattern_list: wildcard patterns,
// a leading "!" negates, a negated match wins.
func matchPatternList(s string, patterns []string) bool {
	matched := false
	for _, p := range patterns {
		p = strings.TrimSpace(p)
		neg := strings.HasPrefix(p, "!")
		p = strings.TrimPrefix(p, "!")
		if matchGlob(p, s) {
			if neg {
				return false
			}
			matched = true
		}
	}
	return matched
}

// matchGlob is OpenSSH's match_pattern: '*' matches any run of bytes
// (slashes included) and '?' any one byte; every other byte, '[' and '\'
// included, matches itself.
func matchGlob(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p, i = p+1, i+1
		case star >= 0:
			mark++
			p, i = star+1, mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// sessionCriticalOptions are the certificate critical options that only
// restrict login sessions.
var sessionCriticalOptions = []string{"force-command", "source-address"}

// authorizeCert reports which of cert's principals a cert-authority line
// a accepts at time at, or why it accepts none. It implements OpenSSH's
// sshkey_cert_check_authority for user certificates, plus the CA
// signature: the caller has already checked that a's key is the CA key.
func (a AllowedSigner) authorizeCert(cert *ssh.Certificate, at time.Time) ([]string, error) {
	if cert.CertType != ssh.UserCert {
		return nil, errors.New("not a user certificate")
	}
	if len(cert.ValidPrincipals) == 0 {
		return nil, errors.New("certificate lists no principals")
	}
	if len(cert.ValidPrincipals) > MaxCertPrincipals {
		return nil, fmt.Errorf("certificate lists %d principals, limit %d", len(cert.ValidPrincipals), MaxCertPrincipals)
	}
	// force-command and source-address restrict login sessions, not
	// signatures: ssh-keygen -Y verify accepts them, and so do we. Any
	// other critical option (verify-required, unknown ones) is a
	// restriction we cannot honour, so the certificate is refused.
	var unknown []string
	for o := range cert.CriticalOptions {
		if !slices.Contains(sessionCriticalOptions, o) {
			unknown = append(unknown, o)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return nil, fmt.Errorf("unsupported critical option %q in certificate", unknown[0])
	}
	if cert.Signature == nil || cert.Signature.Format == ssh.KeyAlgoRSA {
		return nil, errors.New("certificate signed with SHA-1 RSA (ssh-rsa) rejected")
	}
	var matched []string
	patterns := strings.Split(a.Principals, ",")
	for _, p := range cert.ValidPrincipals {
		if matchPatternList(p, patterns) && !slices.Contains(matched, p) {
			matched = append(matched, p)
		}
	}
	if len(matched) == 0 {
		return nil, fmt.Errorf("certificate principals %q do not match %q", cert.ValidPrincipals, a.Principals)
	}
	t := at.Unix()
	if t < 0 || uint64(t) < cert.ValidAfter {
		return nil, fmt.Errorf("certificate valid only after %s", certTime(cert.ValidAfter))
	}
	if cert.ValidBefore != ssh.CertTimeInfinity && uint64(t) >= cert.ValidBefore {
		return nil, fmt.Errorf("certificate expired at %s", certTime(cert.ValidBefore))
	}
	// CheckCert verifies the CA's signature over the certificate; it
	// repeats the checks above.
	cc := ssh.CertChecker{Clock: func() time.Time { return at }, SupportedCriticalOptions: sessionCriticalOptions}
	if err := cc.CheckCert(matched[0], cert); err != nil {
		return nil, errors.New(strings.TrimPrefix(err.Error(), "ssh: "))
	}
	return matched, nil
}

// certTime renders a certificate validity bound.
func certTime(v uint64) string {
	const year9999 = 253402300799
	if v > year9999 {
		return "the end of time"
	}
	return time.Unix(int64(v), 0).UTC().Format(time.RFC3339)
}

// certKeyID quotes a certificate key id (chosen by the CA, often the
// user's name) for Result.Detail, shortened so that the rest fits.
func certKeyID(id string) string {
	const maxKeyID = 64
	if r := []rune(id); len(r) > maxKeyID {
		id = string(r[:maxKeyID]) + "..."
	}
	return strconv.Quote(id)
}

func verifySSHTag(res Result, payload, signature, allowedSigners []byte, requireTouch bool, at time.Time) Result {
	s, err := ParseSSHSignature(signature)
	if err != nil {
		res.Status, res.Detail = StatusInvalid, oneLine("malformed signature: "+err.Error())
		return res
	}
	cert, isCert := s.PublicKey.(*ssh.Certificate)
	// As OpenSSH does, a certificate's fingerprint is its key's.
	signingKey := s.PublicKey
	if isCert {
		signingKey = cert.Key
	}
	fp := ssh.FingerprintSHA256(signingKey)
	res.Signer, res.Issuer = fp, fp
	if isCert {
		res.Issuer = ssh.FingerprintSHA256(cert.SignatureKey)
	}
	sk, err := s.verify(payload, gitSSHNamspace)
	if err != nil {
		res.Status, res.Detail = StatusInvalid, oneLine("BAD signature: "+err.Error())
		return res
	}
	res.SecurityKey = sk
	if len(allowedSigners) == 0 {
		res.Status, res.Reason = StatusUnverifiable, ReasonNoTrustMaterial
		res.Detail = "SSH-signed tag but no allowed-signers file given (--allowed-signers)"
		if sk != nil {
			res.Detail = "SSH-signed tag by FIDO security key " + fp + " but no allowed-signers file given (--allowed-signers); " +
				"projects often keep one in their repository (e.g. .git_allowed_signers): use it only from a source you trust"
		}
		return res
	}
	signers, err := ParseAllowedSigners(allowedSigners)
	if err != nil {
		res.Status, res.Detail = StatusUnverifiable, oneLine(err.Error())
		return res
	}
	if isCert {
		return verifySSHCert(res, cert, fp, signers, requireTouch, at)
	}
	want := s.PublicKey.Marshal()
	var refusal error
	caOnly := false
	for _, a := range signers {
		if !bytes.Equal(a.Key.Marshal(), want) {
			continue
		}
		if a.CertAuthority {
			// A CA key vouches for certificates, not for itself.
			caOnly = true
			continue
		}
		if err := a.permits(gitSSHNamspace, at); err != nil {
			refusal = fmt.Errorf("%s: %w", a.Principals, err)
			continue
		}
		if err := a.checkSecurityKeyFlags(sk, requireTouch); err != nil {
			res.Status, res.Reason = StatusInvalid, ReasonSecurityKeyFlags
			res.Detail = oneLine("allowed signers refuse the signature: " + a.Principals + ": " + err.Error())
			return res
		}
		res.Signer = a.Principals
		res.Status = StatusValid
		res.Detail = oneLine("good signature by " + fp + skNote(sk))
		return res
	}
	if refusal != nil {
		res.Status, res.Detail = StatusInvalid, oneLine("allowed signers refuse the key: "+refusal.Error())
		return res
	}
	res.Status, res.Reason = StatusUnverifiable, ReasonUnknownKey
	if caOnly {
		res.Detail = "key " + fp + " is not in the allowed-signers file as a signer, only as a cert-authority"
		return res
	}
	res.Detail = "signed by key " + fp + ", which is not in the allowed-signers file"
	return res
}

// skNote describes a security key's flags for Result.Detail.
func skNote(sk *SecurityKeyInfo) string {
	if sk == nil {
		return ""
	}
	return " (" + sk.String() + ")"
}

// verifySSHCert judges a good SSHSIG made with an OpenSSH certificate:
// some cert-authority line for its CA must accept it at time at.
func verifySSHCert(res Result, cert *ssh.Certificate, fp string, signers []AllowedSigner, requireTouch bool, at time.Time) Result {
	ca := cert.SignatureKey.Marshal()
	caFP := ssh.FingerprintSHA256(cert.SignatureKey)
	about := fmt.Sprintf("certificate %s serial %d by CA %s", certKeyID(cert.KeyId), cert.Serial, caFP)
	var refusal error
	plainCA := false
	for _, a := range signers {
		if !bytes.Equal(a.Key.Marshal(), ca) {
			continue
		}
		if !a.CertAuthority {
			plainCA = true
			continue
		}
		principals, err := a.authorizeCert(cert, at)
		if err == nil {
			err = a.permits(gitSSHNamspace, at)
		}
		if err != nil {
			refusal = fmt.Errorf("%s: %w", a.Principals, err)
			continue
		}
		if err := a.checkSecurityKeyFlags(res.SecurityKey, requireTouch); err != nil {
			res.Status, res.Reason = StatusInvalid, ReasonSecurityKeyFlags
			res.Detail = oneLine("allowed signers refuse the certificate by CA " + caFP + ": " + a.Principals + ": " + err.Error())
			return res
		}
		res.Signer = strings.Join(principals, ",")
		res.Status = StatusValid
		// The CA fingerprint comes before the key id so that a long key
		// id cannot push it out of the bounded Detail.
		res.Detail = oneLine("good signature by " + fp + " with certificate by CA " + caFP +
			", key id " + certKeyID(cert.KeyId) + fmt.Sprintf(", serial %d", cert.Serial))
		return res
	}
	if refusal != nil {
		res.Status, res.Detail = StatusInvalid, oneLine("allowed signers refuse the certificate by CA "+caFP+": "+refusal.Error())
		return res
	}
	res.Reason = ReasonUnknownKey
	if plainCA {
		res.Status, res.Detail = StatusUnverifiable, oneLine(about+": the CA key is listed without the cert-authority option")
		return res
	}
	res.Status, res.Detail = StatusUnverifiable, oneLine(about+": the CA is not in the allowed-signers file")
	return res
}
