package explain

import (
	"path"

	"github.com/tarcheck/tarcheck/verify/archive"
	"github.com/tarcheck/tarcheck/verify/report"
)

// ClassTagRule is a file only in the tarball that a rule of the tag's own
// makefiles made again byte for byte (Input.Reproduce).
const ClassTagRule = "tag-rule-output"

// RuleCandidate is a regular file only in the tarball: what
// Input.Reproduce is asked to make again.
type RuleCandidate struct {
	Path string
	// ID is the git blob id of the tarball's bytes.
	ID [20]byte
}

// startRules asks Input.Reproduce, before the classification, to make
// the regular files only in the tarball again with the tag's rules (its
// sandbox runs while the files are classified). Documentation built at
// release is one grouped finding and a manual's rules can run for
// minutes: not asked.
func (x *explainer) startRules(rels []string) {
	if x.in.Reproduce == nil {
		return
	}
	var cands []RuleCandidate
	for _, rel := range rels {
		t := x.cmp.Members[rel]
		if t.Status == report.OnlyInTarball && t.Type == archive.TypeRegular && !t.Stray && releaseCategory(rel) == "" && !autotoolsOutput(rel) {
			cands = append(cands, RuleCandidate{Path: rel, ID: t.ID})
		}
	}
	if len(cands) > 0 {
		x.rules = x.in.Reproduce(x.ctx, cands)
	}
}

// reproduce waits for the tag rules' proofs and turns each unproved file
// at medium or above that a rule reproduced into an info file with its
// proof, dropping its findings.
func (x *explainer) reproduce() {
	if x.rules == nil {
		return
	}
	all := x.rules()
	proofs := map[string]*report.Origin{}
	for i := range x.res.Files {
		fd := &x.res.Files[i]
		o := all[fd.Path]
		if o == nil || fd.Status != report.OnlyInTarball || fd.Origin != nil || fd.Severity < report.SevMedium {
			continue
		}
		proofs[fd.Path] = o
		x.res.Classes[fd.Class]--
		if x.res.Classes[fd.Class] == 0 {
			delete(x.res.Classes, fd.Class)
		}
		fd.Class, fd.Severity, fd.Reason, fd.Origin = ClassTagRule, report.SevInfo, Describe(o), o
		x.res.Classes[fd.Class]++
	}
	x.dropFindings(func(f report.Finding) bool { return f.Path != "" && proofs[f.Path] != nil })
}

// autotoolsOutput names the files autoconf, automake, autoheader and
// gettext's xgettext write (what --rebuild proves): a makefile rule that
// remakes them needs those tools and the whole tree.
func autotoolsOutput(rel string) bool {
	switch path.Base(rel) {
	case "configure", "aclocal.m4", "Makefile.in", "config.h.in", "config.hin":
		return true
	}
	return path.Ext(rel) == ".pot"
}
