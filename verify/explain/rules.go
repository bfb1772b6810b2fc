package explain

import (
	"github.com/tarcheck/tarcheck/verify/report"
)

// ClassTagRule is a file only in the tarball that a rule of the tag's own
// makefiles made again byte for byte (Input.Reproduce).
const ClassTagRule = "tag-rule-output"

// RuleCandidate is a file only in the tarball that nothing proved and
// that is at least medium: what Input.Reproduce is asked to make again.
type RuleCandidate struct {
	Path string
	// ID is the git blob id of the tarball's bytes.
	ID [20]byte
}

// reproduce asks Input.Reproduce to make the unproved files only in the
// tarball with the tag's rules, and turns each one reproduced into an
// info file with its proof, dropping its findings.
func (x *explainer) reproduce() {
	if x.in.Reproduce == nil {
		return
	}
	var cands []RuleCandidate
	for _, fd := range x.res.Files {
		// Documentation built at release is one grouped finding, and
		// a manual's rules can run for minutes: not tried.
		if fd.Status != report.OnlyInTarball || fd.Origin != nil || fd.Severity < report.SevMedium || releaseCategory(fd.Path) != "" {
			continue
		}
		if m := x.cmp.Member(fd.Path); m != nil && !m.Stray {
			cands = append(cands, RuleCandidate{Path: fd.Path, ID: m.ID})
		}
	}
	if len(cands) == 0 {
		return
	}
	proofs := x.in.Reproduce(x.ctx, cands)
	if len(proofs) == 0 {
		return
	}
	for i := range x.res.Files {
		fd := &x.res.Files[i]
		o := proofs[fd.Path]
		if o == nil || fd.Status != report.OnlyInTarball {
			continue
		}
		x.res.Classes[fd.Class]--
		if x.res.Classes[fd.Class] == 0 {
			delete(x.res.Classes, fd.Class)
		}
		fd.Class, fd.Severity, fd.Reason, fd.Origin = ClassTagRule, report.SevInfo, Describe(o), o
		x.res.Classes[fd.Class]++
	}
	x.dropFindings(func(f report.Finding) bool { return f.Path != "" && proofs[f.Path] != nil })
}
