package autotools

import (
	"bytes"
	"reflect"
	"testing"
)

// A catalog with CRLF line ends parses as the same catalog with LF ends.
func TestParsePOCRLF(t *testing.T) {
	lf := benchPO(50)
	crlf := bytes.ReplaceAll(lf, []byte("\n"), []byte("\r\n"))
	a, okA := parsePO(lf)
	b, okB := parsePO(crlf)
	if !okA || !okB {
		t.Fatalf("parse: lf %v, crlf %v", okA, okB)
	}
	if len(a.order) != 50 {
		t.Fatalf("%d entries parsed, want 50", len(a.order))
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("CRLF catalog parses differently: %d vs %d entries", len(a.order), len(b.order))
	}
	if e := a.entries["message 1 with %s"]; e == nil || len(e.strs) != 1 || e.strs[0] != "Nachricht 1 mit %s" {
		t.Fatalf("entry 1: %+v", e)
	}
	if a.header["Project-Id-Version"] != "x 1.0" {
		t.Fatalf("header: %v", a.header)
	}
}
