package explain

import (
	"encoding/hex"
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
	// Other bytes behind the link, an unread submodule, a tree of another
	// commit: the type difference stays high.
	evil := foreach + "m4_define([m4_init], [esyscmd([sh tests/files/x])])\n"
	other := gnulibTree(map[string]string{"lib/m4sugar/foreach.m4": foreach}) // its own commit id
	for name, c := range map[string]struct {
		content string
		sub     func(p, c string) *GnulibTree
	}{
		"other bytes":    {evil, sub},
		"unread":         {foreach, func(string, string) *GnulibTree { return nil }},
		"no reader":      {foreach, nil},
		"another commit": {foreach, func(string, string) *GnulibTree { return other }},
	} {
		_, files := explainRelease(t, map[string]string{"data/m4sugar/foreach.m4": c.content}, tree, Input{Origins: emptyDB(), Submodule: c.sub})
		if f := files["data/m4sugar/foreach.m4"]; f.Origin != nil || f.Severity < report.SevHigh {
			t.Errorf("%s: %+v", name, f)
		}
	}
}
