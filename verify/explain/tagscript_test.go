package explain

import (
	"strings"
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

// An IDE project file made from the tag's template at release (curl's
// "make vc-ide": libcurl.tmpl → libcurl.vcxproj, CRLF) is proved when only
// its placeholder lines were filled with file items; an added build step
// or a changed template line is not proved and stays flagged.
func TestProveTagTemplate(t *testing.T) {
	tmpl := "<?xml version=\"1.0\"?>\n<Project>\n  <ItemGroup>\nCURL_LIB_C_FILES\nCURL_LIB_VTLS_C_FILES\n  </ItemGroup>\n</Project>\n"
	out := "<?xml version=\"1.0\"?>\r\n<Project>\r\n  <ItemGroup>\r\n    <ClCompile Include=\"..\\..\\..\\..\\lib\\easy.c\" />\r\n" +
		"    <ClCompile Include=\"..\\..\\..\\..\\lib\\vtls\\openssl.c\" />\r\n  </ItemGroup>\r\n</Project>\r\n"
	const rel = "projects/Windows/VC14/lib/libcurl.vcxproj"
	tree := map[string]string{"projects/Windows/VC14/lib/libcurl.tmpl": tmpl}
	_, files := explainRelease(t, map[string]string{rel: out}, tree, Input{Origins: emptyDB()})
	if o := wantOrigin(t, files, rel, report.OriginTag, "projects/Windows/VC14/lib/libcurl.tmpl"); o.Transform != TransformTemplate {
		t.Errorf("transform %q", o.Transform)
	}
	for name, bad := range map[string]string{
		"custom build step":     strings.Replace(out, "  </ItemGroup>", "    <CustomBuild Include=\"x.bat\"><Command>x.bat</Command></CustomBuild>\r\n  </ItemGroup>", 1),
		"template line changed": strings.Replace(out, "<Project>", "<Project InitialTargets=\"Evil\">", 1),
		"item with code":        strings.Replace(out, "easy.c", "easy.c\" Condition=\"$([System.IO.File]::Exists('x'))", 1),
		"nothing filled":        strings.ReplaceAll(tmpl, "CURL_LIB_C_FILES\nCURL_LIB_VTLS_C_FILES\n", ""),
	} {
		_, files := explainRelease(t, map[string]string{rel: bad}, tree, Input{Origins: emptyDB()})
		if f := files[rel]; f.Origin != nil || f.Severity < report.SevMedium {
			t.Errorf("%s: %+v", name, f)
		}
	}
}

// The template of a file only in the tarball is read from the tag (curl's
// lib/libcurl.plist from lib/libcurl.plist.in, identical in the tarball, so
// its member has no content of its own).
func TestTemplateFromTag(t *testing.T) {
	in := "<string>@CURL_PLIST_VERSION@</string>\n<string>libcurl @CURL_PLIST_VERSION@</string>\n"
	out := "<string>7.88.1</string>\n<string>libcurl 7.88.1</string>\n"
	tree := map[string]string{"lib/libcurl.plist.in": in}
	tarball := map[string]string{"lib/libcurl.plist.in": in, "lib/libcurl.plist": out}
	_, files := explainRelease(t, tarball, tree, Input{Version: "7.88.1", Origins: emptyDB()})
	// Proved either by the release stamping of its template or as the
	// template with plain @NAME@ values substituted (releasefmt).
	if f := files["lib/libcurl.plist"]; f.Severity != report.SevLow || (f.Class != "release-stamped" && f.Class != "release-format") {
		t.Errorf("libcurl.plist: %+v", f)
	}
	tarball["lib/libcurl.plist"] = strings.Replace(out, "libcurl 7.88.1", "libcurl 7.88.1 $(id)", 1)
	_, files = explainRelease(t, tarball, tree, Input{Version: "7.88.1", Origins: emptyDB()})
	if f := files["lib/libcurl.plist"]; f.Severity < report.SevMedium {
		t.Errorf("libcurl.plist with more than the version: %+v", f)
	}
}
