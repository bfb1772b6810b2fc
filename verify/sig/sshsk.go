package sig

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"

	"golang.org/x/crypto/ssh"
)

// Authenticator flags of a FIDO security-key signature (OpenSSH sk-api.h).
const (
	SKFlagUserPresence     = 0x01
	SKFlagUserVerification = 0x04
)

// SecurityKeyInfo is what a FIDO authenticator adds to an SSH signature
// (OpenSSH PROTOCOL.u2f): the application the key was made for, the flags
// and the signature counter. It is covered by the signature.
type SecurityKeyInfo struct {
	Application string // usually "ssh:"
	Flags       byte
	Counter     uint32
}

// UserPresent reports whether the authenticator saw a touch.
func (i SecurityKeyInfo) UserPresent() bool { return i.Flags&SKFlagUserPresence != 0 }

// UserVerified reports whether the authenticator verified the user (PIN).
func (i SecurityKeyInfo) UserVerified() bool { return i.Flags&SKFlagUserVerification != 0 }

// String renders the flags as OpenSSH's options name them.
func (i SecurityKeyInfo) String() string {
	touch, verify := "touch", "user verification"
	if !i.UserPresent() {
		touch = "no touch"
	}
	if !i.UserVerified() {
		verify = "no user verification"
	}
	return fmt.Sprintf("security key, %s, %s, counter %d", touch, verify, i.Counter)
}

// isSecurityKey reports whether k is an OpenSSH FIDO key type.
func isSecurityKey(k ssh.PublicKey) bool {
	t := k.Type()
	return t == ssh.KeyAlgoSKED25519 || t == ssh.KeyAlgoSKECDSA256
}

// verifySecurityKey verifies sig over data with the FIDO key k as
// ssh-keygen -Y verify does: the signature must verify, whatever its
// flags; the flags are returned for the caller's policy.
// golang.org/x/crypto/ssh verifies these types too, but insists on the
// user-presence flag with no way to waive it outside its SSH server.
func verifySecurityKey(k ssh.PublicKey, data []byte, sig *ssh.Signature) (*SecurityKeyInfo, error) {
	if sig.Format != k.Type() {
		return nil, fmt.Errorf("signature type %s for key type %s", sig.Format, k.Type())
	}
	cpk, ok := k.(ssh.CryptoPublicKey)
	if !ok {
		return nil, errors.New("unsupported security key")
	}
	info, err := securityKeyInfo(k, sig)
	if err != nil {
		return nil, err
	}

	// The authenticator signs sha256(application) || flags || counter ||
	// sha256(data).
	appDigest := sha256.Sum256([]byte(info.Application))
	dataDigest := sha256.Sum256(data)
	signed := make([]byte, 0, 2*sha256.Size+5)
	signed = append(signed, appDigest[:]...)
	signed = append(signed, sig.Rest...)
	signed = append(signed, dataDigest[:]...)

	switch pub := cpk.CryptoPublicKey().(type) {
	case ed25519.PublicKey:
		if len(pub) != ed25519.PublicKeySize || len(sig.Blob) != ed25519.SignatureSize {
			return nil, errors.New("malformed Ed25519 security-key signature")
		}
		if !ed25519.Verify(pub, signed, sig.Blob) {
			return nil, errors.New("signature did not verify")
		}
	case *ecdsa.PublicKey:
		var ec struct {
			R, S *big.Int
		}
		if err := ssh.Unmarshal(sig.Blob, &ec); err != nil {
			return nil, fmt.Errorf("malformed ECDSA security-key signature: %w", err)
		}
		digest := sha256.Sum256(signed)
		if !ecdsa.Verify(pub, digest[:], ec.R, ec.S) {
			return nil, errors.New("signature did not verify")
		}
	default:
		return nil, errors.New("unsupported security key")
	}
	return info, nil
}

// securityKeyInfo reads the application from the FIDO key k and the
// flags and counter from sig (unverified).
func securityKeyInfo(k ssh.PublicKey, sig *ssh.Signature) (*SecurityKeyInfo, error) {
	r := sshReader{b: k.Marshal()}
	r.str() // key type
	if k.Type() == ssh.KeyAlgoSKECDSA256 {
		r.str() // curve
	}
	r.str() // key bytes
	app := r.str()
	if r.err != nil {
		return nil, fmt.Errorf("security key: %w", r.err)
	}
	if len(sig.Rest) != 5 {
		return nil, fmt.Errorf("security-key signature carries %d bytes of authenticator data, want 5", len(sig.Rest))
	}
	return &SecurityKeyInfo{Application: string(app), Flags: sig.Rest[0], Counter: binary.BigEndian.Uint32(sig.Rest[1:])}, nil
}

// checkSecurityKeyFlags applies an allowed-signers line's FIDO options to
// the authenticator data of a good signature (nil for other keys):
// verify-required demands the user-verification flag. The user-presence
// (touch) flag is demanded only when requireTouch is set and the line
// lacks no-touch-required, as sshd does for authorized_keys:
// ssh-keygen -Y verify never checks it, and real security-key tags (all
// of OpenSSH's own release tags) are made without touch, by keys whose
// allowed-signers lines cannot say no-touch-required to ssh-keygen.
func (a AllowedSigner) checkSecurityKeyFlags(info *SecurityKeyInfo, requireTouch bool) error {
	if info == nil {
		return nil
	}
	if requireTouch && !info.UserPresent() && !a.NoTouchRequired {
		return errors.New("signature made without touching the security key (no user-presence flag) and the line lacks no-touch-required")
	}
	if a.VerifyRequired && !info.UserVerified() {
		return errors.New("the line says verify-required but the signature lacks the user-verification flag")
	}
	return nil
}
