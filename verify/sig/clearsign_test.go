package sig

import (
	"bytes"
	"crypto"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

func clearsignFor(t *testing.T, key *openpgp.Entity, body string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := clearsign.Encode(&buf, key.PrivateKey, &packet.Config{DefaultHash: crypto.SHA256})
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(body))
	w.Close()
	return buf.Bytes()
}

func TestVerifyClearsigned(t *testing.T) {
	key, err := openpgp.NewEntity("Release", "", "rel@example.invalid", &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	if err != nil {
		t.Fatal(err)
	}
	other, _ := openpgp.NewEntity("Other", "", "o@example.invalid", &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	body := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef  foo-1.2.tar.xz\n"
	signed := clearsignFor(t, key, body)
	now := time.Now()

	if r, ok := VerifyClearsigned(signed, openpgp.EntityList{key}, now); !ok || r.Status != StatusValid || r.Subject != SubjectChecksum {
		t.Errorf("valid clearsigned list: %v (ok %v)", r, ok)
	}
	if r, _ := VerifyClearsigned(signed, openpgp.EntityList{other}, now); r.Status != StatusUnverifiable {
		t.Errorf("unknown key: %v", r)
	}
	if r, _ := VerifyClearsigned(signed, nil, now); r.Status != StatusUnverifiable {
		t.Errorf("no keyring: %v", r)
	}
	tampered := bytes.Replace(signed, []byte("foo-1.2.tar.xz"), []byte("foo-6.6.tar.xz"), 1)
	if r, _ := VerifyClearsigned(tampered, openpgp.EntityList{key}, now); r.Status != StatusInvalid {
		t.Errorf("tampered list: %v", r)
	}
	if _, ok := VerifyClearsigned([]byte(body), openpgp.EntityList{key}, now); ok {
		t.Errorf("a plain list was taken for a clearsigned one")
	}
	// The list inside still parses for the checksum check.
	if entries, err := ParseChecksums(signed); err != nil || len(entries) != 1 {
		t.Errorf("ParseChecksums(clearsigned) = %v, %v", entries, err)
	}
}
