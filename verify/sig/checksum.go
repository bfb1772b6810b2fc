package sig

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
)

// ChecksumEntry is one SHA-256 line of a checksum list.
type ChecksumEntry struct {
	Name   string // as written, possibly with a directory; "" for a bare digest
	SHA256 string // lowercase hex
}

// ParseChecksums reads the SHA-256 entries of a checksum list: a bare
// digest (foo.tar.gz.sha256), GNU coreutils lines ("HEX  name",
// "HEX *name", "\HEX  escaped\nname"), and BSD/--tag lines
// ("SHA256 (name) = HEX"). Lines of other lengths or algorithms (SHA-512
// lists, PGP armor around a clearsigned list) are ignored.
func ParseChecksums(list []byte) ([]ChecksumEntry, error) {
	if len(list) > MaxChecksumListSize {
		return nil, fmt.Errorf("parsing checksum list: %w", ErrTooLarge)
	}
	var out []ChecksumEntry
	sc := bufio.NewScanner(bytes.NewReader(list))
	sc.Buffer(make([]byte, 0, 64*1024), MaxChecksumListSize)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if e, ok := parseChecksumLine(line); ok {
			out = append(out, e)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("parsing checksum list: %w", err)
	}
	return out, nil
}

func parseChecksumLine(line string) (ChecksumEntry, bool) {
	t := strings.TrimSpace(line)
	if rest, ok := strings.CutPrefix(t, "SHA256 ("); ok {
		i := strings.LastIndex(rest, ") = ")
		if i < 0 || !isHex(rest[i+4:], 64) {
			return ChecksumEntry{}, false
		}
		return ChecksumEntry{Name: rest[:i], SHA256: strings.ToLower(rest[i+4:])}, true
	}
	if isHex(t, 64) {
		return ChecksumEntry{SHA256: strings.ToLower(t)}, true
	}
	escaped := strings.HasPrefix(t, `\`)
	t = strings.TrimPrefix(t, `\`)
	if len(t) < 66 || !isHex(t[:64], 64) || (t[64] != ' ' && t[64] != '\t') {
		return ChecksumEntry{}, false
	}
	name := t[65:]
	if strings.HasPrefix(name, "*") || strings.HasPrefix(name, " ") {
		name = name[1:]
	}
	if escaped {
		name = strings.NewReplacer(`\\`, `\`, `\n`, "\n", `\r`, "\r").Replace(name)
	}
	if name == "" {
		return ChecksumEntry{}, false
	}
	return ChecksumEntry{Name: name, SHA256: strings.ToLower(t[:64])}, true
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// VerifyChecksums checks the tarball's SHA-256 (hex) against a checksum
// list (Subject "checksum", Kind "checksum"). An entry matches fileName
// when its name, or the last element of its path, equals fileName; a bare
// digest applies to any file. The list's own signature is a separate
// check (VerifyDetached over the list's bytes).
//
// Outcomes: valid when a matching entry has the digest; invalid when a
// matching entry has another digest (a critical finding) or the list is
// malformed; unverifiable when no entry names the file.
func VerifyChecksums(list []byte, fileName string, sha256hex string) Result {
	res := Result{Subject: SubjectChecksum, Kind: KindChecksum}
	want := strings.ToLower(sha256hex)
	if !isHex(want, 64) {
		res.Status, res.Detail = StatusUnverifiable, "no SHA-256 of the tarball"
		return res
	}
	entries, err := ParseChecksums(list)
	if err != nil {
		res.Status, res.Detail = StatusInvalid, oneLine(err.Error())
		return res
	}
	var matched, mismatched []ChecksumEntry
	for _, e := range entries {
		if e.Name != "" && e.Name != fileName && path.Base(e.Name) != fileName {
			continue
		}
		if e.SHA256 == want {
			matched = append(matched, e)
		} else {
			mismatched = append(mismatched, e)
		}
	}
	switch {
	case len(mismatched) > 0:
		res.Status = StatusInvalid
		res.Detail = oneLine(fmt.Sprintf("SHA-256 mismatch for %s: list says %s, tarball is %s", fileName, mismatched[0].SHA256, want))
	case len(matched) > 0:
		res.Status = StatusValid
		res.Detail = oneLine("SHA-256 matches the list entry for " + fileName)
	default:
		res.Status = StatusUnverifiable
		res.Detail = oneLine("no SHA-256 entry for " + fileName + " in the list")
	}
	return res
}

// VerifyClearsigned checks the inline OpenPGP signature of a clearsigned
// checksum list (kernel.org's sha256sums.asc style). The Result's Subject is
// "checksum". ok is false when data is not a clearsigned message at all; the
// caller then looks for a detached signature instead.
func VerifyClearsigned(data []byte, keyring openpgp.EntityList, now time.Time) (res Result, ok bool) {
	if len(data) > MaxChecksumListSize {
		return Result{Subject: SubjectChecksum, Kind: KindOpenPGP, Status: StatusInvalid,
			Detail: fmt.Sprintf("clearsigned list larger than %d bytes", MaxChecksumListSize)}, true
	}
	block, _ := clearsign.Decode(data)
	if block == nil {
		return Result{}, false
	}
	sig, err := io.ReadAll(block.ArmoredSignature.Body)
	if err != nil {
		return Result{Subject: SubjectChecksum, Kind: KindOpenPGP, Status: StatusInvalid,
			Detail: "clearsigned list: unreadable signature: " + oneLine(err.Error())}, true
	}
	if len(keyring) == 0 {
		return Result{Subject: SubjectChecksum, Kind: KindOpenPGP, Status: StatusUnverifiable, Reason: ReasonNoTrustMaterial,
			Detail: "clearsigned checksum list, but no keyring given (--keyring)"}, true
	}
	return verifyOpenPGP(SubjectChecksum, bytes.NewReader(block.Bytes), sig, keyring, now), true
}
