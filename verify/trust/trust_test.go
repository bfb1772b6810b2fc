package trust

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/tarcheck/tarcheck/verify/fetch"
	"github.com/tarcheck/tarcheck/verify/report"
)

var tarball = []byte("the release\n")

func subject() Subject {
	sum := sha256.Sum256(tarball)
	return Subject{Name: "foo-1.2.tar.gz",
		Open:   func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(tarball)), nil },
		SHA256: func() ([]byte, error) { return sum[:], nil }, TagName: "v1.2", CheckingTime: time.Now()}
}

// Check is pure: no signature and a lightweight tag are "missing", a
// required signature then is a TC202 finding, and a checksum list that
// names another digest is a critical TC203.
func TestCheck(t *testing.T) {
	sum := sha256.Sum256(tarball)
	m := &Material{RequireSignature: true, Checksums: []File{
		{"SHA256SUMS", fmt.Appendf(nil, "%x  foo-1.2.tar.gz\n", sum)},
		{"BAD.SUMS", []byte("0000000000000000000000000000000000000000000000000000000000000000  foo-1.2.tar.gz\n")},
	}}
	sigs, findings, err := Check(m, subject())
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, s := range sigs {
		status[s.Subject+"/"+s.Kind+"/"+s.Source] = s.Status
	}
	for key, want := range map[string]string{"tarball/openpgp/": "missing", "tag/openpgp/": "missing",
		"checksum/checksum/SHA256SUMS": "valid", "checksum/checksum/BAD.SUMS": "invalid"} {
		if status[key] != want {
			t.Errorf("%s: %q, want %q (all: %v)", key, status[key], want, status)
		}
	}
	rules := map[string]report.Severity{}
	for _, f := range findings {
		rules[f.Rule] = f.Severity
	}
	if rules[report.RuleChecksumMismatch] != report.SevCritical || rules[report.RuleSignatureMissing] != report.SevHigh || len(findings) != 2 {
		t.Errorf("findings %+v", findings)
	}
}

// reader serves material from memory.
type reader map[string][]byte

func (r reader) Read(ctx context.Context, src string) ([]byte, error) {
	if b, ok := r[src]; ok {
		return b, nil
	}
	return nil, errors.New(src + ": not found")
}

func (r reader) ReadOptional(ctx context.Context, src string) ([]byte, error) { return r[src], nil }

func (r reader) Sidecars(ctx context.Context, tarball string) (*fetch.Sidecars, error) {
	return nil, nil
}

// Gather reads what the request names; a missing file is an error, a bad
// keyring too.
func TestGather(t *testing.T) {
	rd := reader{"sig.asc": []byte("sig"), "root.json": []byte("{}"), "bad.asc": []byte("not a key")}
	m, err := Gather(context.Background(), rd, Request{Signature: "sig.asc", TrustedRoot: "root.json"})
	if err != nil || len(m.Signatures) != 1 || m.Signatures[0].Name != "sig.asc" || string(m.TrustedRoot) != "{}" {
		t.Fatalf("Gather = %+v, %v", m, err)
	}
	if _, err := Gather(context.Background(), rd, Request{Bundle: "missing.json"}); err == nil {
		t.Error("a missing bundle was not an error")
	}
	if _, err := Gather(context.Background(), rd, Request{Keyrings: []string{"bad.asc"}}); err == nil {
		t.Error("a bad keyring was not an error")
	}
}
