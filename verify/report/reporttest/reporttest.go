// Package reporttest validates tarcheck's machine-readable reports in tests:
// the JSON report against the tarcheck.report/v1 JSON Schema (the contract in
// DESIGN.md) and SARIF logs against the official SARIF 2.1.0 JSON schema.
// Both schemas are embedded; see testdata/README-sarif-schema.md.
//
// It is meant for tests only (it imports testing).
package reporttest

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed testdata/report.schema.json
var reportSchemaJSON []byte

//go:embed testdata/sarif-schema-2.1.0.json
var sarifSchemaJSON []byte

const (
	reportSchemaURL = "file:///tarcheck/report.schema.json"
	sarifSchemaURL  = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)

var (
	compileOnce  sync.Once
	reportSchema *jsonschema.Schema
	sarifSchema  *jsonschema.Schema
	compileErr   error
)

func compile() {
	compileOnce.Do(func() {
		reportSchema, compileErr = compileSchema(reportSchemaURL, reportSchemaJSON)
		if compileErr != nil {
			return
		}
		sarifSchema, compileErr = compileSchema(sarifSchemaURL, sarifSchemaJSON)
	})
}

func compileSchema(url string, data []byte) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("parsing schema %s: %w", url, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	c.RegisterFormat(&jsonschema.Format{Name: "uri-reference", Validate: strictURIReference})
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("adding schema %s: %w", url, err)
	}
	s, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("compiling schema %s: %w", url, err)
	}
	return s, nil
}

// ReportJSON checks data, one JSON report, against the tarcheck.report/v1
// schema and returns the first problem, or nil.
func ReportJSON(data []byte) error {
	compile()
	if compileErr != nil {
		return compileErr
	}
	return validate(reportSchema, data)
}

// SARIF checks data, one SARIF log, against the SARIF 2.1.0 schema (formats
// such as uri-reference asserted) and returns the first problem, or nil.
func SARIF(data []byte) error {
	compile()
	if compileErr != nil {
		return compileErr
	}
	return validate(sarifSchema, data)
}

// strictURIReference checks the characters of an RFC 3986 URI reference:
// only unreserved, reserved and well-formed percent-encoded octets, at most
// one "#". (The library's own check accepts anything net/url parses,
// spaces included.)
func strictURIReference(v any) error {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	const allowed = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?#[]@!$&'()*+,;="
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return fmt.Errorf("bad percent-encoding at %d", i)
			}
			i += 2
		case strings.IndexByte(allowed, c) < 0:
			return fmt.Errorf("character %q not allowed in a URI reference", c)
		}
	}
	if strings.Count(s, "#") > 1 {
		return errors.New("more than one '#'")
	}
	return nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

var errTrailing = errors.New("trailing data after the JSON value")

func validate(s *jsonschema.Schema, data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("decoding json: %w", err)
	}
	if dec.More() {
		return errTrailing
	}
	if err := s.Validate(v); err != nil {
		return fmt.Errorf("schema validation: %w", err)
	}
	return nil
}

// ValidateReportJSON fails t unless data is a JSON report valid against the
// tarcheck.report/v1 schema.
func ValidateReportJSON(t testing.TB, data []byte) {
	t.Helper()
	if err := ReportJSON(data); err != nil {
		t.Fatalf("invalid tarcheck JSON report: %v\n%s", err, truncate(data))
	}
}

// ValidateSARIF fails t unless data is a SARIF log valid against the SARIF
// 2.1.0 schema.
func ValidateSARIF(t testing.TB, data []byte) {
	t.Helper()
	if err := SARIF(data); err != nil {
		t.Fatalf("invalid SARIF: %v\n%s", err, truncate(data))
	}
}

func truncate(data []byte) []byte {
	const max = 4096
	if len(data) > max {
		return append(data[:max:max], "\n..."...)
	}
	return data
}
