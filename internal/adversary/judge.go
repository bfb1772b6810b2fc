package adversary

import (
	"encoding/json"
	"fmt"

	"golang.org/x/text/unicode/norm"
)

// severities ranks the report's severity names.
var severities = map[string]int{"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}

// report is the part of tarcheck's JSON report (DESIGN.md, schema
// tarcheck.report/v1) that Judge reads.
type report struct {
	Verdict string `json:"verdict"`
	Files   []struct {
		Path     string `json:"path"`
		Status   string `json:"status"`
		Class    string `json:"class"`
		Severity string `json:"severity"`
		Reason   string `json:"reason"`
		Rebuild  string `json:"rebuild"`
	} `json:"files"`
	Findings []struct {
		Rule     string `json:"rule"`
		Severity string `json:"severity"`
		Path     string `json:"path"`
		Message  string `json:"message"`
	} `json:"findings"`
}

// Outcome is tarcheck's result on one variant.
type Outcome struct {
	// Variant is the variant's id; Rebuild says whether --rebuild was given.
	Variant string `json:"variant"`
	Rebuild bool   `json:"rebuild"`
	// ExitCode and Verdict are tarcheck's.
	ExitCode int    `json:"exit_code"`
	Verdict  string `json:"verdict"`
	// Path is the injected path tarcheck rated highest, with its file entry
	// (Status, Class, Severity, Reason, RebuildStatus; empty when the path is
	// not among the report's files) and the highest finding on it (Rule,
	// FindingSeverity).
	Path            string `json:"path"`
	Status          string `json:"status,omitempty"`
	Class           string `json:"class,omitempty"`
	Severity        string `json:"severity,omitempty"`
	Reason          string `json:"reason,omitempty"`
	RebuildStatus   string `json:"rebuild_status,omitempty"`
	Rule            string `json:"rule,omitempty"`
	FindingSeverity string `json:"finding_severity,omitempty"`
	// Caught: verdict fail with an injected path at high or above (file
	// severity or a finding on it). For the control, Caught means a false FAIL.
	Caught bool `json:"caught"`
	// Expected is what the variant expects for this mode (ExpectDefault or
	// ExpectRebuild).
	Expected bool `json:"expected"`
}

// Judge reads tarcheck's JSON report on v (exit code exitCode; rebuild says
// whether --rebuild was given) and says whether v was caught. An injected
// path that the report's files do not list is also looked up in NFC, so
// that a report that normalizes names still matches.
func Judge(v Variant, reportJSON []byte, exitCode int, rebuild bool) (*Outcome, error) {
	var r report
	if err := json.Unmarshal(reportJSON, &r); err != nil {
		return nil, fmt.Errorf("adversary: %s: decoding the report: %w", v.ID, err)
	}
	o := &Outcome{Variant: v.ID, Rebuild: rebuild, ExitCode: exitCode, Verdict: r.Verdict, Expected: v.ExpectDefault}
	if rebuild {
		o.Expected = v.ExpectRebuild
	}
	listed := map[string]bool{}
	for _, f := range r.Files {
		listed[f.Path] = true
	}
	best := -1
	for _, p := range v.Injected {
		// Exact path first; the NFC spelling only when the report has no
		// entry under the exact one (a report that normalizes names).
		same := func(a, b string) bool { return a == b }
		if !listed[p] {
			same = func(a, b string) bool { return norm.NFC.String(a) == norm.NFC.String(b) }
		}
		level := -1
		cand := Outcome{Path: p}
		for _, f := range r.Files {
			if same(f.Path, p) {
				cand.Status, cand.Class, cand.Severity, cand.Reason, cand.RebuildStatus = f.Status, f.Class, f.Severity, f.Reason, f.Rebuild
				level = max(level, severities[f.Severity])
			}
		}
		for _, f := range r.Findings {
			if same(f.Path, p) && (cand.Rule == "" || severities[f.Severity] > severities[cand.FindingSeverity]) {
				cand.Rule, cand.FindingSeverity = f.Rule, f.Severity
				level = max(level, severities[f.Severity])
			}
		}
		if level > best {
			best = level
			o.Path, o.Status, o.Class, o.Severity, o.Reason, o.RebuildStatus = cand.Path, cand.Status, cand.Class, cand.Severity, cand.Reason, cand.RebuildStatus
			o.Rule, o.FindingSeverity = cand.Rule, cand.FindingSeverity
		}
	}
	if v.Family == FamilyControl {
		o.Caught = r.Verdict == "fail"
		return o, nil
	}
	o.Caught = r.Verdict == "fail" && best >= severities["high"]
	return o, nil
}
