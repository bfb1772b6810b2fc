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

// gnutls' import-minitasn1.sh writes lib/minitasn1/libtasn1.h from
// libtasn1's lib/includes/libtasn1.h.in, @VERSION@ replaced by 4.20.0.
func TestSubmoduleTemplateVersionNumbers(t *testing.T) {
	tmpl := "#ifndef LIBTASN1_H\n# define ASN1_VERSION \"@VERSION@\"\n# define ASN1_VERSION_NUMBER @ASN1_VERSION_NUMBER@\nint asn1_x(void);\n#endif\n"
	good := "#ifndef LIBTASN1_H\n# define ASN1_VERSION \"4.20.0\"\n# define ASN1_VERSION_NUMBER 0x041400\nint asn1_x(void);\n#endif\n"
	tree := map[string]string{"devel/libtasn1": "gitlink:6b45b25e"}
	pinned := blobID(tree["devel/libtasn1"])
	commit := hex.EncodeToString(pinned[:])
	tasn := gnulibTree(map[string]string{"lib/includes/libtasn1.h.in": tmpl})
	tasn.Commit = commit
	read := func(p, c string) *GnulibTree {
		if p == "devel/libtasn1" && c == commit {
			return tasn
		}
		return nil
	}
	_, files := explainRelease(t, map[string]string{"lib/minitasn1/libtasn1.h": good}, tree, Input{Origins: emptyDB(), Submodule: read})
	o := wantOrigin(t, files, "lib/minitasn1/libtasn1.h", report.OriginTag, "devel/libtasn1/lib/includes/libtasn1.h.in")
	if o.Submodule != "devel/libtasn1" || o.Commit != commit || !strings.Contains(o.Transform, "VERSION=4.20.0") || !strings.Contains(o.Transform, "ASN1_VERSION_NUMBER=0x041400") {
		t.Errorf("origin %+v", o)
	}
	for name, bad := range map[string]string{
		"code for a placeholder": strings.Replace(good, "0x041400", "0x041400; system(\"sh x\")", 1),
		"another line changed":   strings.Replace(good, "int asn1_x(void);", "int asn1_y(void);", 1),
		"a word for a version":   strings.Replace(good, "4.20.0", "evil", 1),
		"a line added":           good + "int backdoor;\n",
	} {
		_, files := explainRelease(t, map[string]string{"lib/minitasn1/libtasn1.h": bad}, tree, Input{Origins: emptyDB(), Submodule: read})
		if f := files["lib/minitasn1/libtasn1.h"]; f.Origin != nil && f.Origin.Submodule != "" {
			t.Errorf("%s: proved %+v", name, f.Origin)
		}
	}
	// One placeholder, two values: not one substitution.
	twice := "A=@VERSION@\nB=@VERSION@\n"
	if _, ok := versionInstance([]byte(twice), []byte("A=1.0\nB=2.0\n")); ok {
		t.Error("inconsistent values accepted")
	}
	if v, ok := versionInstance([]byte(twice), []byte("A=1.0\nB=1.0\n")); !ok || v != "VERSION=1.0" {
		t.Errorf("versionInstance = %q, %v", v, ok)
	}
}

// FuzzVersionInstance: any template and output are compared without a
// panic, and an accepted output differs from the template only in
// version numbers.
func FuzzVersionInstance(f *testing.F) {
	f.Add([]byte("V=\"@VERSION@\"\n"), []byte("V=\"4.20.0\"\n"))
	f.Add([]byte("@A@@B@(.*)\n"), []byte("1.20x1f(.*)\n"))
	f.Fuzz(func(t *testing.T, tmpl, out []byte) {
		vals, ok := versionInstance(tmpl, out)
		if ok && (vals == "" || len(strings.Split(string(tmpl), "\n")) != len(strings.Split(string(out), "\n"))) {
			t.Errorf("accepted %q for %q with values %q", out, tmpl, vals)
		}
	})
}
