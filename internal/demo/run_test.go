package demo

import (
	"testing"

	"github.com/tarcheck/tarcheck/verify/report"
)

func TestCaseText(t *testing.T) {
	cases := []Case{
		{Title: "1/2 clean", Command: "tarcheck verify a", Report: &report.Report{Verdict: report.Pass}},
		{Title: "2/2 tampered", Command: "tarcheck verify b", Report: &report.Report{Verdict: report.Fail}},
	}
	if got, want := cases[0].Header(0), "=== tarcheck demo 1/2 clean\n$ tarcheck verify a\n\n"; got != want {
		t.Errorf("Header(0) = %q, want %q", got, want)
	}
	if got := cases[1].Header(1); got[0] != '\n' {
		t.Errorf("Header(1) = %q: want a blank line first", got)
	}
	if !ToldApart(cases) {
		t.Error("pass then fail not told apart")
	}
	want := "\nThe clean release passes; the tampered one fails, although both carry valid signatures.\nThe demo files are in /d.\n"
	if got := Conclusion(cases, "/d"); got != want {
		t.Errorf("Conclusion = %q, want %q", got, want)
	}
	cases[1].Report.Verdict = report.Pass
	if ToldApart(cases) {
		t.Error("two passes told apart")
	}
}
