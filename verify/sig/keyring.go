package sig

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"golang.org/x/crypto/ssh"
)

// KeyringFile is one keyring file: its name as the user gave it (for
// messages) and its bytes.
type KeyringFile struct {
	Name string
	Data []byte
}

// KeyringProblem says what is wrong with a keyring file.
type KeyringProblem string

// Keyring problems.
const (
	// KeyringEmpty: the file is empty or blank.
	KeyringEmpty KeyringProblem = "empty"
	// KeyringTooLarge: the file exceeds MaxKeyringSize.
	KeyringTooLarge KeyringProblem = "too-large"
	// KeyringIsSignature: the file is an OpenPGP (detached) signature;
	// the user probably meant it as the tarball's signature.
	KeyringIsSignature KeyringProblem = "signature"
	// KeyringIsMessage: the file is a signed, clearsigned or encrypted
	// OpenPGP message (e.g. a clearsigned SHA256SUMS.asc).
	KeyringIsMessage KeyringProblem = "message"
	// KeyringIsSecretKey: the file holds an OpenPGP secret key. It is
	// refused: a verifier needs only the public key, and a secret key in a
	// keyring file is a leak waiting to happen.
	KeyringIsSecretKey KeyringProblem = "secret-key"
	// KeyringIsSSH: the file is OpenSSH material (a public or private
	// key, an allowed-signers file or an SSH signature); Found says which.
	KeyringIsSSH KeyringProblem = "ssh"
	// KeyringMalformed: OpenPGP data (armored or binary) that does not
	// parse as keys.
	KeyringMalformed KeyringProblem = "malformed"
	// KeyringNotOpenPGP: neither ASCII armor nor OpenPGP packets.
	KeyringNotOpenPGP KeyringProblem = "not-openpgp"
	// KeyringNoUsableKey: the keys parse but none is usable (unsupported
	// algorithm or version).
	KeyringNoUsableKey KeyringProblem = "no-usable-key"
)

// KeyringError is returned for a keyring file that yields no public key.
// Its message names the file and what it holds, in plain words and
// without command-line flags: a CLI adds its own hint (e.g. "pass it as
// --signature" when IsSignature). It unwraps to ErrNoKeys (or ErrTooLarge)
// and to the parser's error, if any.
type KeyringError struct {
	File    string         // the file's name as given in KeyringFile.Name
	Problem KeyringProblem // what is wrong
	Armored bool           // the file is ASCII-armored OpenPGP
	Found   string         // what the file holds, in words ("an SSH public key"), when known
	Err     error          // the parser's error, or nil
}

// IsSignature reports whether the file is an OpenPGP signature rather
// than a key.
func (e *KeyringError) IsSignature() bool { return e.Problem == KeyringIsSignature }

func (e *KeyringError) Error() string {
	form := "binary"
	if e.Armored {
		form = "armored"
	}
	var msg string
	switch e.Problem {
	case KeyringEmpty:
		msg = e.File + " is empty: it holds no OpenPGP public key"
	case KeyringTooLarge:
		msg = fmt.Sprintf("%s is larger than the %d-byte limit for a keyring", e.File, MaxKeyringSize)
	case KeyringIsSignature:
		msg = e.File + " holds an OpenPGP signature, not a key"
	case KeyringIsMessage:
		msg = e.File + " holds " + e.Found + ", not a key"
	case KeyringIsSecretKey:
		msg = e.File + " holds an OpenPGP secret key; refusing to use it as a keyring: give the public key only (gpg --export, not --export-secret-keys)"
	case KeyringIsSSH:
		msg = e.File + " holds " + e.Found + ", not an OpenPGP key"
	case KeyringMalformed:
		msg = e.File + ": " + form + " OpenPGP key data does not parse"
	case KeyringNotOpenPGP:
		msg = e.File + " is not an OpenPGP keyring (neither ASCII armor nor binary OpenPGP packets)"
		if e.Found != "" {
			msg = e.File + " is not an OpenPGP keyring: it looks like " + e.Found
		}
	case KeyringNoUsableKey:
		msg = e.File + " holds no usable OpenPGP public key"
	default:
		msg = e.File + ": unusable keyring"
	}
	if e.Err != nil && (e.Problem == KeyringMalformed || e.Problem == KeyringNoUsableKey) {
		msg += ": " + oneLine(e.Err.Error())
	}
	return msg
}

// Unwrap returns ErrNoKeys (ErrTooLarge for KeyringTooLarge) and the
// parser's error.
func (e *KeyringError) Unwrap() []error {
	base := ErrNoKeys
	if e.Problem == KeyringTooLarge {
		base = ErrTooLarge
	}
	if e.Err == nil {
		return []error{base}
	}
	return []error{base, e.Err}
}

// ReadKeyringFiles parses OpenPGP public keys from keyring files, binary
// (gpg --export) or ASCII-armored (several armored blocks may follow each
// other). Unlike ReadKeyring, every file must yield at least one public
// key: otherwise the error is a *KeyringError naming the file and what it
// holds (a signature, a secret key, an SSH key, nothing, ...). A file
// holding an OpenPGP secret key is refused. Self-signatures, subkey
// bindings and revocations are checked by the parser; every key returned
// is accepted as a signer.
func ReadKeyringFiles(files ...KeyringFile) (keyring openpgp.EntityList, err error) {
	if len(files) == 0 {
		return nil, ErrNoKeys
	}
	for _, f := range files {
		els, err := readKeyringFile(f.Name, f.Data)
		if err != nil {
			return nil, err
		}
		keyring = append(keyring, els...)
	}
	return keyring, nil
}

// readKeyringFile parses one keyring file; the error is a *KeyringError.
func readKeyringFile(name string, d []byte) (els openpgp.EntityList, err error) {
	defer func() {
		if r := recover(); r != nil {
			els, err = nil, &KeyringError{File: name, Problem: KeyringMalformed, Armored: isArmored(d), Err: fmt.Errorf("parser failure: %v", r)}
		}
	}()
	if len(d) > MaxKeyringSize {
		return nil, &KeyringError{File: name, Problem: KeyringTooLarge}
	}
	if len(bytes.TrimSpace(d)) == 0 {
		return nil, &KeyringError{File: name, Problem: KeyringEmpty}
	}
	if isArmored(d) {
		return readArmoredKeyring(name, d)
	}
	if d[0]&0x80 == 0 {
		return nil, foreignKeyring(name, d)
	}
	els, err = openpgp.ReadKeyRing(bytes.NewReader(d))
	if err != nil || len(els) == 0 {
		return nil, binaryKeyringProblem(name, d, err)
	}
	if hasSecretKey(els) {
		return nil, &KeyringError{File: name, Problem: KeyringIsSecretKey}
	}
	return els, nil
}

func readArmoredKeyring(name string, d []byte) (openpgp.EntityList, error) {
	var (
		all   openpgp.EntityList
		first *KeyringError // the first reason a block was not a key
	)
	note := func(e *KeyringError) {
		if first == nil {
			first = e
		}
	}
	for _, chunk := range armorChunks(d) {
		if bytes.HasPrefix(chunk, []byte("-----BEGIN PGP SIGNED MESSAGE-----")) {
			note(&KeyringError{File: name, Problem: KeyringIsMessage, Armored: true, Found: "a clearsigned OpenPGP message"})
			continue
		}
		block, err := armor.Decode(bytes.NewReader(chunk))
		if err != nil {
			note(&KeyringError{File: name, Problem: KeyringMalformed, Armored: true, Err: fmt.Errorf("decoding armor: %w", err)})
			continue
		}
		switch block.Type {
		case openpgp.PublicKeyType:
			els, err := openpgp.ReadKeyRing(block.Body)
			if err != nil || len(els) == 0 {
				p := KeyringMalformed
				if _, ok := errors.AsType[pgperrors.UnsupportedError](err); ok {
					p = KeyringNoUsableKey
				}
				note(&KeyringError{File: name, Problem: p, Armored: true, Err: err})
				continue
			}
			if hasSecretKey(els) {
				return nil, &KeyringError{File: name, Problem: KeyringIsSecretKey, Armored: true}
			}
			all = append(all, els...)
		case openpgp.PrivateKeyType:
			return nil, &KeyringError{File: name, Problem: KeyringIsSecretKey, Armored: true}
		case openpgp.SignatureType:
			note(&KeyringError{File: name, Problem: KeyringIsSignature, Armored: true})
		case "PGP MESSAGE":
			note(&KeyringError{File: name, Problem: KeyringIsMessage, Armored: true, Found: "a signed or encrypted OpenPGP message"})
		default:
			note(&KeyringError{File: name, Problem: KeyringMalformed, Armored: true,
				Err: fmt.Errorf("armored block %q is not a key", oneLine(block.Type))})
		}
	}
	if len(all) > 0 {
		return all, nil
	}
	if first == nil {
		first = &KeyringError{File: name, Problem: KeyringMalformed, Armored: true, Err: errors.New("no armored key block found")}
	}
	return nil, first
}

// binaryKeyringProblem says what binary OpenPGP data that holds no key
// is, from its first packet.
func binaryKeyringProblem(name string, d []byte, err error) *KeyringError {
	e := &KeyringError{File: name, Problem: KeyringMalformed, Err: err}
	if _, ok := errors.AsType[pgperrors.UnsupportedError](err); ok {
		e.Problem = KeyringNoUsableKey
	}
	p, perr := packet.NewReader(bytes.NewReader(d)).Next()
	if perr != nil {
		return e
	}
	switch p.(type) {
	case *packet.Signature:
		e.Problem, e.Err = KeyringIsSignature, nil
	case *packet.OnePassSignature, *packet.Compressed, *packet.LiteralData,
		*packet.SymmetricallyEncrypted, *packet.AEADEncrypted, *packet.EncryptedKey, *packet.SymmetricKeyEncrypted:
		e.Problem, e.Err, e.Found = KeyringIsMessage, nil, "a signed or encrypted OpenPGP message"
	case *packet.PrivateKey:
		e.Problem, e.Err = KeyringIsSecretKey, nil
	}
	return e
}

// foreignKeyring says what a file that is not OpenPGP data looks like.
func foreignKeyring(name string, d []byte) *KeyringError {
	e := &KeyringError{File: name, Problem: KeyringNotOpenPGP}
	t := bytes.TrimSpace(d)
	sshFound := func(found string) *KeyringError {
		e.Problem, e.Found = KeyringIsSSH, found
		return e
	}
	switch {
	case bytes.HasPrefix(t, []byte("-----BEGIN OPENSSH PRIVATE KEY-----")):
		return sshFound("an SSH private key")
	case bytes.HasPrefix(t, []byte(sshsigBegin)):
		return sshFound("an SSH signature")
	case bytes.HasPrefix(t, []byte("-----BEGIN SSH2 PUBLIC KEY-----")):
		return sshFound("an SSH public key")
	case bytes.HasPrefix(t, []byte("<")):
		e.Found = "an HTML or XML document"
		return e
	}
	line, _, _ := bytes.Cut(t, []byte("\n"))
	if _, _, _, _, err := ssh.ParseAuthorizedKey(line); err == nil {
		return sshFound("an SSH public key")
	}
	if as, err := ParseAllowedSigners(firstLines(t, 64)); err == nil && len(as) > 0 {
		return sshFound("an SSH allowed-signers file")
	}
	return e
}

// firstLines returns the first n lines of t.
func firstLines(t []byte, n int) []byte {
	off := 0
	for i := 0; i < n; i++ {
		j := bytes.IndexByte(t[off:], '\n')
		if j < 0 {
			return t
		}
		off += j + 1
	}
	return t[:off]
}

func hasSecretKey(els openpgp.EntityList) bool {
	for _, e := range els {
		if e.PrivateKey != nil {
			return true
		}
		for _, s := range e.Subkeys {
			if s.PrivateKey != nil {
				return true
			}
		}
	}
	return false
}
