package report

import "testing"

func TestLookupRule(t *testing.T) {
	required := []string{
		"TC101", "TC102", "TC103", "TC104", "TC105", "TC106", "TC107", "TC108", "TC109", "TC110", "TC111",
		"TC201", "TC202", "TC203", "TC204",
		"TC301", "TC302", "TC303", "TC304", "TC305", "TC306", "TC307",
		"TC401", "TC402", "TC403", "TC501", "TC502", "TC601", "TC602", "TC701",
	}
	for _, id := range required {
		r, ok := LookupRule(id)
		if !ok || r.ID != id || r.Name == "" || r.Short == "" || r.Full == "" {
			t.Errorf("rule %s: %+v ok=%v", id, r, ok)
		}
	}
	sev := func(id string) Severity { r, _ := LookupRule(id); return r.Severity }
	if sev("TC501") != SevCritical || sev("TC202") != SevHigh || sev("TC307") != SevLow {
		t.Error("default severities do not follow DESIGN.md")
	}
	r, ok := LookupRule("TC999")
	if ok || r.ID != "TC999" || r.Short == "" {
		t.Errorf("unknown rule: %+v ok=%v", r, ok)
	}
}

// The catalogue has one row per id, each complete, and Rules returns a copy.
func TestRuleCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules() {
		if seen[r.ID] || r.Name == "" || r.Short == "" || r.Full == "" {
			t.Errorf("rule %s: duplicate or incomplete: %+v", r.ID, r)
		}
		seen[r.ID] = true
	}
	if len(seen) != len(RuleIDs()) {
		t.Errorf("%d rules, %d ids", len(seen), len(RuleIDs()))
	}
	all := Rules()
	all[0].Name = "Changed"
	if Rules()[0].Name == "Changed" {
		t.Error("Rules returned the catalogue itself, not a copy")
	}
}

// TestRulesHelp: every catalogued rule says how to resolve or accept it.
func TestRulesHelp(t *testing.T) {
	for _, r := range Rules() {
		if r.Help == "" || r.Full == "" || r.Short == "" {
			t.Errorf("%s: Short, Full and Help must all be set", r.ID)
		}
		if l, _ := LookupRule(r.ID); l.Help != r.Help {
			t.Errorf("%s: LookupRule and Rules disagree on Help", r.ID)
		}
	}
	for id := range help {
		if _, ok := LookupRule(id); !ok && id != RuleArchiveHazard {
			t.Errorf("help for %s, which is not catalogued", id)
		}
	}
}
