package explain

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/tarcheck/tarcheck/verify/report"
)

// tar's bootstrap copies paxutils' files to other paths (paxlib/error.c →
// lib/paxerror.c, rmt/rmt.c → rmt/rmt.c): the blob at the submodule's
// pinned commit proves each, at any path of that commit.
func TestSubmoduleCopiesElsewhere(t *testing.T) {
	errorC := "/* paxlib error.c */\nvoid pax_error(void) {}\n"
	rmtC := "/* rmt.c */\nint main(void) { return 0; }\n"
	tree := map[string]string{"paxutils": "gitlink:481bae11", "gnulib": "gitlink:46f9c21a", "src/tar.c": "int x;\n"}
	pinned := blobID(tree["paxutils"])
	commit := hex.EncodeToString(pinned[:])
	pax := gnulibTree(map[string]string{"paxlib/error.c": errorC, "rmt/rmt.c": rmtC})
	pax.Commit = commit
	var asked []string
	read := func(p, c string) *GnulibTree {
		asked = append(asked, p)
		if p == "paxutils" && c == commit {
			return pax
		}
		return nil
	}
	tarball := map[string]string{"lib/paxerror.c": errorC, "rmt/rmt.c": rmtC, "src/tar.c": "int x;\n"}
	_, files := explainRelease(t, tarball, tree, Input{Origins: emptyDB(), Submodule: read})
	o := wantOrigin(t, files, "lib/paxerror.c", report.OriginTag, "paxutils/paxlib/error.c")
	if o.Submodule != "paxutils" || o.Commit != commit {
		t.Errorf("origin %+v, want submodule paxutils at %s", o, commit)
	}
	if f := files["lib/paxerror.c"]; f.Class != ClassTagCopy || !strings.Contains(f.Reason, "submodule paxutils") || !strings.Contains(f.Reason, commit[:12]) {
		t.Errorf("reason %q class %q", f.Reason, f.Class)
	}
	wantOrigin(t, files, "rmt/rmt.c", report.OriginTag, "paxutils/rmt/rmt.c")
	for _, a := range asked {
		if a == "gnulib" {
			t.Errorf("gnulib searched as a submodule copy source: %v", asked)
		}
	}

	// Other bytes, or the submodule read at another commit, prove nothing:
	// the file stays as unexplained as before.
	evil := rmtC + "/* injected */ void backdoor(void) {}\n"
	other := gnulibTree(map[string]string{"rmt/rmt.c": rmtC}) // another commit id
	for name, c := range map[string]struct {
		content string
		read    func(p, c string) *GnulibTree
	}{
		"other bytes":    {evil, read},
		"another commit": {rmtC, func(string, string) *GnulibTree { return other }},
		"unread":         {rmtC, func(string, string) *GnulibTree { return nil }},
		"no reader":      {rmtC, nil},
	} {
		_, files := explainRelease(t, map[string]string{"rmt/rmt.c": c.content}, tree, Input{Origins: emptyDB(), Submodule: c.read})
		if f := files["rmt/rmt.c"]; f.Origin != nil || f.Severity < report.SevMedium {
			t.Errorf("%s: %+v origin %+v", name, f, f.Origin)
		}
	}
}

// A copy of a submodule's file is still scanned: xz-style logic in the
// submodule's bytes is not proved by being there.
func TestSubmoduleCopyScanned(t *testing.T) {
	evil := "#!/bin/sh\neval \"$(echo ZWNobyBoaQ== | base64 -d)\"\n"
	tree := map[string]string{"paxutils": "gitlink:481bae11"}
	pinned := blobID(tree["paxutils"])
	pax := gnulibTree(map[string]string{"scripts/x.sh": evil})
	pax.Commit = hex.EncodeToString(pinned[:])
	_, files := explainRelease(t, map[string]string{"build-aux/x.sh": evil}, tree,
		Input{Origins: emptyDB(), Submodule: func(string, string) *GnulibTree { return pax }})
	if f := files["build-aux/x.sh"]; f.Origin != nil || f.Severity < report.SevHigh {
		t.Errorf("submodule copy with decode-to-shell logic: %+v", f)
	}
}
