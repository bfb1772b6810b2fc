package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tarcheck/tarcheck/verify/report"
)

// The previous-release section appears in text and Markdown only when the
// report has a previous release, with the drift and the signer change.
func TestPreviousSection(t *testing.T) {
	r := cleanReport()
	var b bytes.Buffer
	if err := Text(&b, r, Options{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "Previous release") {
		t.Fatalf("section without a previous release:\n%s", b.String())
	}
	r.Previous = &report.Previous{Tag: "v5.6.0", Commit: "2d7d862e3ffa8cec4fd3", Inferred: true}
	r.Drift = &report.DriftReport{From: "v5.6.0", To: "v5.6.1", Binaries: []report.BinaryChange{
		{Path: "tests/files/bad-3-corrupt_lzma2.xz", Status: "modified", Size: 512, Type: "xz", Severity: "high"}}}
	r.SignersHistory = &report.SignersHistory{Changed: []string{"tag"},
		Previous: []report.Signer{{Subject: "tag", Key: "3690C240"}}, Current: []report.Signer{{Subject: "tag", Key: "22D465F2"}}}
	b.Reset()
	if err := Text(&b, r, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Previous release", "compared with v5.6.0 (commit 2d7d862e3ffa, inferred)",
		"binary modified tests/files/bad-3-corrupt_lzma2.xz (xz, 512 bytes): high", "tag signer changed: 3690C240 -> 22D465F2"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
	b.Reset()
	if err := Markdown(&b, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "### Previous release") || !strings.Contains(b.String(), "22D465F2") {
		t.Errorf("markdown lacks the section:\n%s", b.String())
	}
}
