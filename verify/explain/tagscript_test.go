package explain

import (
	"testing"

	"github.com/tarcheck/tarcheck/verify/report"
)

// A Makefile only in the tarball that a script of the tag writes with echo
// (libarchive's doc/update.sh writes doc/html/Makefile) is proved by the
// script, line by line; an attacker's variant with one more recipe line is
// not, and stays high.
func TestProveTagScriptEcho(t *testing.T) {
	script := "#!/bin/sh\nset -e\ncd html\necho > Makefile\necho \"default: all\" >>Makefile\nall=\"all:\"\n" +
		"for f in $MANPAGES; do\n  out=\"`basename $f`.html\"\n  echo $out: $f >> Makefile\n" +
		"  echo \"\tgroff -mdoc -T html $f > $out\" >> Makefile\n  all=\"$all $out\"\ndone\necho $all >> Makefile\n"
	mk := "\ndefault: all\nbsdtar.1.html: ../../tar/bsdtar.1\n\tgroff -mdoc -T html ../../tar/bsdtar.1 > bsdtar.1.html\nall: bsdtar.1.html\n"
	tree := map[string]string{"doc/update.sh": script, "configure.ac": "AC_INIT\n"}
	tarball := map[string]string{"doc/update.sh": script, "configure.ac": "AC_INIT\n", "doc/html/Makefile": mk}
	_, files := explainRelease(t, tarball, tree, Input{Origins: emptyDB()})
	o := wantOrigin(t, files, "doc/html/Makefile", report.OriginTag, "doc/update.sh")
	if o.Transform != TransformEcho {
		t.Errorf("transform %q", o.Transform)
	}
	tarball["doc/html/Makefile"] = mk + "\tsh ../../tests/files/bad-3.xz\n"
	_, files = explainRelease(t, tarball, tree, Input{Origins: emptyDB()})
	if f := files["doc/html/Makefile"]; f.Origin != nil || f.Severity < report.SevHigh {
		t.Errorf("Makefile with an added recipe: %+v", f)
	}
	// The script's templates do not prove a file in another directory.
	delete(tarball, "doc/html/Makefile")
	tarball["doc/man/Makefile"] = mk
	_, files = explainRelease(t, tarball, tree, Input{Origins: emptyDB()})
	if f := files["doc/man/Makefile"]; f.Origin != nil {
		t.Errorf("Makefile the script does not write proved: %+v", f)
	}
}
