package verify

import "github.com/tarcheck/tarcheck/verify/report"

// The report model lives in verify/report; these aliases keep code written
// against verify's names compiling. New code uses verify/report directly.
type (
	// Report is report.Report.
	Report = report.Report
	// Severity is report.Severity.
	Severity = report.Severity
	// Status is report.Status.
	Status = report.Status
	// Verdict is report.Verdict.
	Verdict = report.Verdict
	// FileDiff is report.FileDiff.
	FileDiff = report.FileDiff
	// Finding is report.Finding.
	Finding = report.Finding
	// Signature is report.Signature.
	Signature = report.Signature
	// Generator is report.Generator.
	Generator = report.Generator
	// RebuildInfo is report.RebuildInfo.
	RebuildInfo = report.RebuildInfo
	// PolicyInfo is report.PolicyInfo.
	PolicyInfo = report.PolicyInfo
)

// Severities, statuses and verdicts of verify/report.
const (
	SevInfo     = report.SevInfo
	SevLow      = report.SevLow
	SevMedium   = report.SevMedium
	SevHigh     = report.SevHigh
	SevCritical = report.SevCritical

	OnlyInTarball  = report.OnlyInTarball
	OnlyInGit      = report.OnlyInGit
	ContentDiffers = report.ContentDiffers
	ModeDiffers    = report.ModeDiffers
	TypeDiffers    = report.TypeDiffers

	Pass = report.Pass
	Fail = report.Fail
)

// ParseSeverity is report.ParseSeverity.
func ParseSeverity(s string) (Severity, error) { return report.ParseSeverity(s) }
