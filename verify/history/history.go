// Package history compares a release with the release before it: what
// changed in git between the two tags that matters for supply-chain review
// (binary files, build-system files, the people who touched them), whether
// the release was signed by the same key as the one before, and which files
// became only-in-tarball. It sees what no single tarball-vs-tag comparison
// can: the xz-utils payload was committed as "test files" one release early,
// updated in the release itself, and the release was signed by a new key.
//
// The package is pure: values in, values out. The caller reads git (with
// verify/gitsrc: DiffTrees, Log, ListTree, OpenBlobs), runs the scan and the
// signature checks, and hands the results here. Findings are plain values
// with the shape of the report's findings; rule ids are TC8xx.
package history

import (
	"github.com/tarcheck/tarcheck/verify/report"
	"strconv"
	"strings"
)

// Severities, as DESIGN.md names them.
const (
	SevInfo   = "info"
	SevLow    = "low"
	SevMedium = "medium"
	SevHigh   = "high"
)

// Rule ids of the findings this package makes (proposed; the report's rule
// catalogue should list them).
const (
	// RuleBinaryDrift: a binary file added or changed in git since the
	// previous release that no test or build file names (medium), or that
	// build logic flagged by the scan names or selects (high).
	RuleBinaryDrift = report.RuleBinaryDrift
	// RuleBuildDrift: build-system files changed since the previous
	// release (info, one grouped finding).
	RuleBuildDrift = report.RuleBuildDrift
	// RuleNewCommitter: someone who had not touched the build system in
	// the earlier releases changed it in this one (low; medium when they
	// also added or changed binary files).
	RuleNewCommitter = report.RuleNewCommitter
	// RuleSignerChanged: this release is signed by another key or
	// identity than the previous one (medium; high when the policy pins
	// signers).
	RuleSignerChanged = report.RuleSignerChanged
	// RuleSignerHandOver: the keyring shows the new key certified by the
	// old one (info).
	RuleSignerHandOver = report.RuleSignerHandOver
	// RuleTarballDrift: files only in this tarball that were not
	// only-in-tarball in the previous release's tarball (info, grouped;
	// each file keeps its own classification).
	RuleTarballDrift = report.RuleTarballDrift
)

// Finding is one finding, shaped as the report's findings (report.Finding):
// the caller copies the fields.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity string   `json:"severity"`
	Path     string   `json:"path,omitempty"`
	Message  string   `json:"message"`
	Evidence []string `json:"evidence,omitempty"`
	// Subject and Signer name the signed subject and the new key of a
	// RuleSignerChanged finding (report.Finding's, not in the JSON).
	Subject string `json:"-"`
	Signer  string `json:"-"`
}

// Previous is report.Previous: the JSON shape lives in the model (verify/report).
type Previous = report.Previous

// shortID abbreviates an object id for messages.
func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// listText joins up to n items for a message, saying how many are left.
func listText(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:n], ", ") + ", … (" + strconv.Itoa(len(items)-n) + " more)"
}
