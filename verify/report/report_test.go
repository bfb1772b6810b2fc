package report

import (
	"strings"
	"testing"
)

func TestSeverity(t *testing.T) {
	for i, n := range severityNames {
		s, err := ParseSeverity(strings.ToUpper(n))
		if err != nil || s != Severity(i) || s.String() != n {
			t.Errorf("ParseSeverity(%q) = %v, %v", n, s, err)
		}
	}
	if _, err := ParseSeverity("severe"); err == nil {
		t.Errorf("ParseSeverity accepted a bad name")
	}
	r := &Report{FailOn: SevHigh, Findings: []Finding{{Severity: SevMedium}}}
	r.Decide()
	if r.Verdict != Pass {
		t.Errorf("medium with fail-on high: %s", r.Verdict)
	}
	r.Files = append(r.Files, FileDiff{Severity: SevCritical})
	r.Decide()
	if r.Verdict != Fail {
		t.Errorf("critical file with fail-on high: %s", r.Verdict)
	}
}
