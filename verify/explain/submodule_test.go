package explain

import (
	"encoding/hex"
	"slices"
	"strings"
	"testing"

	"github.com/tarcheck/tarcheck/verify/report"
)

// bison links data/m4sugar/*.m4 into its autoconf submodule; make dist
// ships the linked content. The submodule's pinned commit proves it; an
// unread submodule, another commit or other bytes prove nothing.
func TestSubmoduleLinks(t *testing.T) {
	foreach := "# serial 1\nm4_define([m4_foreach], [m4_if([$2], [], [], [$3])])\n"
	tree := map[string]string{
		"submodules/autoconf":     "gitlink:66fdaea",
		"data/m4sugar/foreach.m4": "symlink:../../submodules/autoconf/lib/m4sugar/foreach.m4",
	}
	pinned := blobID(tree["submodules/autoconf"])
	commit := hex.EncodeToString(pinned[:])
	autoconf := gnulibTree(map[string]string{"lib/m4sugar/foreach.m4": foreach})
	autoconf.Commit = commit
	var asked []string
	sub := func(p, c string) *GnulibTree {
		asked = append(asked, p+"@"+c)
		if p == "submodules/autoconf" {
			return autoconf
		}
		return nil
	}
	_, files := explainRelease(t, map[string]string{"data/m4sugar/foreach.m4": foreach}, tree, Input{Origins: emptyDB(), Submodule: sub})
	f := files["data/m4sugar/foreach.m4"]
	if f.Origin == nil || f.Origin.Path != "submodules/autoconf/lib/m4sugar/foreach.m4" || f.Origin.Commit != commit || f.Severity != report.SevLow {
		t.Errorf("proved link: %+v origin %+v", f, f.Origin)
	}
	if len(asked) != 1 || asked[0] != "submodules/autoconf@"+commit {
		t.Errorf("asked %v", asked)
	}
	// An unread submodule (or none to read it with): one grouped medium
	// finding naming the submodule, the file low on its own.
	for name, rd := range map[string]func(string, string) *GnulibTree{"unread": func(string, string) *GnulibTree { return nil }, "no reader": nil} {
		res, files := explainRelease(t, map[string]string{"data/m4sugar/foreach.m4": foreach}, tree, Input{Origins: emptyDB(), Submodule: rd})
		if f := files["data/m4sugar/foreach.m4"]; f.Severity != report.SevLow {
			t.Errorf("%s: file %+v", name, f)
		}
		if g := findingsOf(res, report.RuleOriginNotConsulted); len(g) != 1 || g[0].Severity != report.SevMedium || g[0].Path != "submodules/autoconf" {
			t.Errorf("%s: grouped findings %+v", name, g)
		}
	}
	// Other bytes behind the link, a tree of another commit: the type
	// difference stays high.
	evil := foreach + "m4_define([m4_init], [esyscmd([sh tests/files/x])])\n"
	other := gnulibTree(map[string]string{"lib/m4sugar/foreach.m4": foreach}) // its own commit id
	for name, c := range map[string]struct {
		content string
		sub     func(p, c string) *GnulibTree
	}{
		"other bytes":    {evil, sub},
		"another commit": {foreach, func(string, string) *GnulibTree { return other }},
	} {
		_, files := explainRelease(t, map[string]string{"data/m4sugar/foreach.m4": c.content}, tree, Input{Origins: emptyDB(), Submodule: c.sub})
		if f := files["data/m4sugar/foreach.m4"]; f.Origin != nil || f.Severity < report.SevHigh {
			t.Errorf("%s: %+v", name, f)
		}
	}
}

// make dist copies a submodule's files into the release (gnutls' cligen/):
// the pinned commit proves each by its blob at the same path; an unread
// submodule makes one grouped medium finding; other bytes, or a file at
// another path of the submodule, are classified as any tarball file.
func TestSubmoduleFiles(t *testing.T) {
	code := "#!/usr/bin/env python3\nprint('options')\n"
	tree := map[string]string{"cligen": "gitlink:59911854", "src/main.c": "int main(void){return 0;}\n"}
	pinned := blobID(tree["cligen"])
	commit := hex.EncodeToString(pinned[:])
	cligen := gnulibTree(map[string]string{"cli-codegen.py": code})
	cligen.Commit = commit
	read := func(p, c string) *GnulibTree {
		if p == "cligen" && c == commit {
			return cligen
		}
		return nil
	}
	res, files := explainRelease(t, map[string]string{"cligen/cli-codegen.py": code}, tree, Input{Origins: emptyDB(), Submodule: read})
	if f := files["cligen/cli-codegen.py"]; f.Origin == nil || f.Origin.Commit != commit || f.Severity != report.SevInfo {
		t.Errorf("proved file: %+v", f)
	}
	if g := findingsOf(res, report.RuleOriginNotConsulted); len(g) != 0 {
		t.Errorf("grouped findings for a read submodule: %+v", g)
	}
	res, files = explainRelease(t, map[string]string{"cligen/cli-codegen.py": code, "cligen/doc/x.texi": "@node Top\n"}, tree, Input{Origins: emptyDB(),
		Submodule: func(string, string) *GnulibTree { return nil }})
	if f := files["cligen/cli-codegen.py"]; f.Severity != report.SevLow {
		t.Errorf("unread: file %+v", f)
	}
	if g := findingsOf(res, report.RuleOriginNotConsulted); len(g) != 1 || g[0].Severity != report.SevMedium || len(g[0].Evidence) != 2 ||
		!strings.Contains(g[0].Message, report.SubmoduleUnread) {
		t.Errorf("unread: grouped findings %+v", g)
	}
	for _, f := range res.Findings { // in one group only, not also as documentation built at release
		if f.Rule != report.RuleOriginNotConsulted && slices.Contains(f.Evidence, "cligen/doc/x.texi") {
			t.Errorf("unread: also grouped as %+v", f)
		}
	}
	evil := code + "import os; os.system('sh tests/files/x')\n"
	for name, tarball := range map[string]map[string]string{
		"other bytes":     {"cligen/cli-codegen.py": evil},
		"moved in module": {"cligen/other.py": code},
	} {
		_, files := explainRelease(t, tarball, tree, Input{Origins: emptyDB(), Submodule: read})
		for p := range tarball {
			if f := files[p]; f.Origin != nil || f.Severity < report.SevHigh {
				t.Errorf("%s: %+v", name, f)
			}
		}
	}
}

// findingsOf are res's findings of rule.
func findingsOf(res *Result, rule string) []report.Finding {
	var out []report.Finding
	for _, f := range res.Findings {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}
