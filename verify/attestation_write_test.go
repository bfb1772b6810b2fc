package verify

import (
	"bytes"
	"testing"
)

func TestAttestationResultWrite(t *testing.T) {
	r := &AttestationResult{Problem: "no trusted signature", Payload: []byte(`{"_type":"x"}`)}
	var b bytes.Buffer
	if err := r.Write(&b, "json"); err != nil || b.String() != "{\"_type\":\"x\"}\n" {
		t.Errorf("json: got %q, %v", b.String(), err)
	}
	b.Reset()
	if err := r.Write(&b, "text"); err != nil || b.String() != "attestation REJECTED: no trusted signature\n" {
		t.Errorf("text: got %q, %v", b.String(), err)
	}
	b.Reset()
	r.Payload = nil
	if err := r.Write(&b, "json"); err != nil || b.String() != r.Summary() {
		t.Errorf("json without a statement: got %q, want the summary", b.String())
	}
}
