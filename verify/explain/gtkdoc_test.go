package explain

import (
	"strings"
	"testing"

	"github.com/tarcheck/tarcheck/autotools/origindb"
	"github.com/tarcheck/tarcheck/verify/report"
)

// gtkdocize's gtk-doc.make equal to a copy of a gtk-doc release in the
// database is proved, naming gtk-doc and the version; an edited one stays
// medium, saying that it matches none of the known copies.
func TestProveGtkDocMake(t *testing.T) {
	known := "# -*- mode: makefile -*-\n#\n# gtk-doc.make - make rules for gtk-doc\n\nGTK_DOC_V_SETUP=$(GTK_DOC_V_SETUP_$(V))\n"
	b := origindb.NewBuilder()
	if err := b.Add(origindb.BlobID([]byte(known)), origindb.Origin{Project: "gtk-doc", Path: "/usr/share/gtk-doc/data/gtk-doc.make",
		Package: true, FirstVersion: "Debian bookworm 1.33.2-1", LastVersion: "Debian bookworm 1.33.2-1"}); err != nil {
		t.Fatal(err)
	}
	data, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	db, err := origindb.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	_, files := explainRelease(t, map[string]string{"gtk-doc.make": known, "sub/gtk-doc.make": known + "# a local edit\n"},
		map[string]string{"configure.ac": "GTK_DOC_CHECK\n"}, Input{Origins: db})
	f := files["gtk-doc.make"]
	if o := f.Origin; o == nil || o.Kind != report.OriginUpstream || o.Project != "gtk-doc" || o.Version != "Debian bookworm 1.33.2-1" || f.Severity != report.SevInfo {
		t.Errorf("known copy: %+v origin %+v", f, f.Origin)
	}
	f = files["sub/gtk-doc.make"]
	if f.Origin != nil || f.Severity < report.SevMedium || !strings.Contains(f.Reason, "gtkdocize") || strings.Contains(f.Reason, "no published copy") {
		t.Errorf("edited copy: %+v", f)
	}
	if !strings.Contains(f.Reason, "matching none of the copies") {
		t.Errorf("edited copy: reason %q", f.Reason)
	}
}
