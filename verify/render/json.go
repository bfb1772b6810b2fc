package render

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/tarcheck/tarcheck/verify/report"
)

// JSON writes the report in the DESIGN.md contract (schema
// tarcheck.report/v1), indented by two spaces and ending in a newline.
// files, findings and signatures are always arrays, never null. An empty
// Schema or Tool.Name is filled in with the contract's constant, and an empty
// Verdict is decided from the findings as report.Report.Decide would. Strings
// that are not valid UTF-8 are written with U+FFFD in place of bad bytes.
func JSON(w io.Writer, r *report.Report) error {
	if r == nil {
		return ErrNilReport
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(normalized(r)); err != nil {
		return fmt.Errorf("writing json report: %w", err)
	}
	return nil
}

// normalized returns a shallow copy of r that satisfies the JSON contract.
func normalized(r *report.Report) *report.Report {
	c := *r
	if c.Schema == "" {
		c.Schema = report.Schema
	}
	if c.Tool.Name == "" {
		c.Tool.Name = "tarcheck"
	}
	if c.Signatures == nil {
		c.Signatures = []report.Signature{}
	}
	if c.Files == nil {
		c.Files = []report.FileDiff{}
	}
	if c.Findings == nil {
		c.Findings = []report.Finding{}
	}
	if c.Verdict == "" {
		c.Verdict = r.Outcome().Verdict
	}
	return &c
}
