package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tarcheck/tarcheck/verify/report"
)

func TestExplain(t *testing.T) {
	for q, want := range map[string][]string{
		"TC301":                {"TC301 SourceDiffersFromTag (default severity high)", "Why it matters:", "What to do:", "--diff PATH"},
		"sourcedifferstag":     nil,
		"SourceDiffersFromTag": {"TC301"},
		"not-distributed":      {"class not-distributed", "Its findings use rule TC303", "What to do:"},
		"generated":            {"class generated"},
	} {
		var b bytes.Buffer
		err := Explain(&b, q)
		if want == nil {
			if err == nil || !strings.Contains(err.Error(), "tarcheck explain --list") {
				t.Errorf("%s: err = %v, want one naming --list", q, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		for _, s := range want {
			if !strings.Contains(b.String(), s) {
				t.Errorf("%s: output lacks %q:\n%s", q, s, b.String())
			}
		}
	}
	var b bytes.Buffer
	if err := ExplainList(&b); err != nil || strings.Count(b.String(), "\n") < len(report.Rules())+len(report.Classes()) {
		t.Errorf("ExplainList: %v\n%s", err, b.String())
	}
}
