package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tarcheck/tarcheck/internal/adversary"
)

func TestWriteTable(t *testing.T) {
	s := &adversary.Suite{Variants: []adversary.Variant{
		{ID: "control", Family: adversary.FamilyControl, Trigger: adversary.TriggerNone},
		{ID: "a", Family: adversary.FamilyM4, Trigger: adversary.TriggerConfigure, ExpectDefault: true},
		{ID: "b", Family: adversary.FamilyM4, Trigger: adversary.TriggerConfigure, ExpectDefault: true},
		{ID: "c", Family: adversary.FamilyRegenerated, Trigger: adversary.TriggerMake},
	}}
	outs := []*adversary.Outcome{
		{Variant: "control", Verdict: "pass"},
		{Variant: "a", Verdict: "fail", ExitCode: 1, Path: "m4/a.m4", Severity: "high", Reason: "x | y", Caught: true, Expected: true},
		{Variant: "b", Verdict: "pass", Path: "m4/b.m4", Severity: "medium", Expected: true},
		{Variant: "c", Verdict: "fail", ExitCode: 1, Path: "configure", Severity: "high", RebuildStatus: "differs", Caught: true},
	}
	var buf bytes.Buffer
	writeTable(&buf, s, outs, true)
	out := buf.String()
	for _, want := range []string{
		"### tarcheck verify --rebuild",
		"| a | m4-serial-kept | configure | fail | 1 | `m4/a.m4` |  |  | high |  | x \\| y | yes | yes |",
		"high (rebuild: differs)",
		"Caught (--rebuild): 2/3 (66 %) of all variants; 1/2 (50 %) of variants whose injected file is not a regenerated output.",
		"- m4-serial-kept: 1/2 (50 %)",
		"- regenerated-output: 1/1 (100 %)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestRunErrors(t *testing.T) {
	for _, args := range [][]string{nil, {"generate"}, {"verify", "-dir", t.TempDir()}, {"bogus", "-dir", "x"}} {
		if err := run(context.Background(), args, &bytes.Buffer{}); err == nil {
			t.Errorf("run %q: no error", args)
		}
	}
	// verify on a directory without suite.json names the fix.
	err := run(context.Background(), []string{"verify", "-dir", t.TempDir(), "-tarcheck", "/bin/true"}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "genadversary generate") {
		t.Errorf("verify without a suite: %v", err)
	}
}

// TestTableMerge: a variant from a second suite goes after its family.
func TestTableMerge(t *testing.T) {
	write := func(vs []adversary.Variant, outs []*adversary.Outcome) (string, string) {
		dir := t.TempDir()
		b, _ := json.Marshal(adversary.Suite{Variants: vs})
		os.WriteFile(filepath.Join(dir, "suite.json"), b, 0o644)
		b, _ = json.Marshal(outs)
		os.WriteFile(filepath.Join(dir, "out.json"), b, 0o644)
		return dir, filepath.Join(dir, "out.json")
	}
	d1, j1 := write([]adversary.Variant{{ID: "control", Family: adversary.FamilyControl}, {ID: "h1", Family: adversary.FamilyHelper}, {ID: "c1", Family: adversary.FamilyClaim}},
		[]*adversary.Outcome{{Variant: "control", Verdict: "pass"}, {Variant: "h1", Verdict: "pass"}, {Variant: "c1", Verdict: "fail", Caught: true}})
	d2, j2 := write([]adversary.Variant{{ID: "control", Family: adversary.FamilyControl}, {ID: "h2", Family: adversary.FamilyHelper}},
		[]*adversary.Outcome{{Variant: "control", Verdict: "pass"}, {Variant: "h2", Verdict: "fail", Caught: true}})
	var buf bytes.Buffer
	if err := run(context.Background(), []string{"table", "-dir", d1 + "," + d2, "-json", j1 + "," + j2}, &buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Count(out, "| control |") != 1 {
		t.Errorf("control listed %d times", strings.Count(out, "| control |"))
	}
	h1, h2, c1 := strings.Index(out, "| h1 |"), strings.Index(out, "| h2 |"), strings.Index(out, "| c1 |")
	if !(h1 >= 0 && h1 < h2 && h2 < c1) {
		t.Errorf("order h1 %d, h2 %d, c1 %d:\n%s", h1, h2, c1, out)
	}
	if !strings.Contains(out, "- helper-stamp: 1/2 (50 %)") || !strings.Contains(out, "2/3 (66 %) of all") {
		t.Errorf("rates:\n%s", out)
	}
}
