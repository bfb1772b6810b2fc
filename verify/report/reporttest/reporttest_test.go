package reporttest

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const validReport = `{
  "schema": "tarcheck.report/v1",
  "tool": {"name": "tarcheck", "version": "v1"},
  "tarball": {"source": "a.tar.gz", "sha256": "` + "0000000000000000000000000000000000000000000000000000000000000000" + `", "size": 1, "format": "tar.gz", "root": null},
  "git": {"source": ".", "tag": "v1", "tag_object": null, "commit": "c", "tree": "t"},
  "signatures": [],
  "summary": {"tarball_files": 0, "git_files": 0, "identical": 0, "only_in_tarball": 0, "only_in_git": 0, "content_differs": 0, "mode_differs": 0, "type_differs": 0},
  "files": [],
  "findings": [],
  "fail_on": "high",
  "verdict": "pass"
}`

func TestReportJSON(t *testing.T) {
	if err := ReportJSON([]byte(validReport)); err != nil {
		t.Fatalf("valid report rejected: %v", err)
	}
	bad := map[string]string{
		"null files":       strings.Replace(validReport, `"files": []`, `"files": null`, 1),
		"missing findings": strings.Replace(validReport, `"findings": [],`, ``, 1),
		"bad severity":     strings.Replace(validReport, `"fail_on": "high"`, `"fail_on": "severe"`, 1),
		"bad schema":       strings.Replace(validReport, `tarcheck.report/v1`, `tarcheck.report/v2`, 1),
		"bad sha256":       strings.Replace(validReport, `"sha256": "0`, `"sha256": "X`, 1),
		"not json":         `{"schema":`,
		"two values":       validReport + validReport,
	}
	for name, doc := range bad {
		if err := ReportJSON([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

const validSARIF = `{
  "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
  "version": "2.1.0",
  "runs": [{
    "tool": {"driver": {"name": "tarcheck", "rules": [{"id": "TC101", "defaultConfiguration": {"level": "error"}}]}},
    "results": [{"ruleId": "TC101", "level": "error", "message": {"text": "m"},
      "locations": [{"physicalLocation": {"artifactLocation": {"uri": "URI"}, "region": {"startLine": 1}}}]}]
  }]
}`

func TestSARIF(t *testing.T) {
	if err := SARIF([]byte(strings.Replace(validSARIF, "URI", "src/a%20b.c", 1))); err != nil {
		t.Fatalf("valid SARIF rejected: %v", err)
	}
	bad := map[string]string{
		"bad level":       strings.Replace(validSARIF, `"level": "error", "message"`, `"level": "critical", "message"`, 1),
		"bad version":     strings.Replace(validSARIF, `"version": "2.1.0"`, `"version": "2.0.0"`, 1),
		"zero startLine":  strings.Replace(validSARIF, `"startLine": 1`, `"startLine": 0`, 1),
		"unknown field":   strings.Replace(validSARIF, `"ruleId"`, `"bogus": 1, "ruleId"`, 1),
		"uri with space":  strings.Replace(validSARIF, "URI", "a b.c", 1),
		"missing message": strings.Replace(validSARIF, `"message": {"text": "m"},`, ``, 1),
	}
	for name, doc := range bad {
		if err := SARIF([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// The embedded contract must stay identical to the copy beside the report
// package's golden files (and DESIGN.md's report.schema.json).
func TestEmbeddedSchemaMatchesCopy(t *testing.T) {
	other, err := os.ReadFile(filepath.Join("..", "testdata", "report.schema.json"))
	if err != nil {
		t.Skipf("no copy to compare: %v", err)
	}
	if !bytes.Equal(other, reportSchemaJSON) {
		t.Error("reporttest/testdata/report.schema.json differs from verify/report/testdata/report.schema.json")
	}
}
