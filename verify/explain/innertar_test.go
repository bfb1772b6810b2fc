package explain

import (
	"archive/tar"
	"bytes"
	"strings"
	"testing"

	"github.com/tarcheck/tarcheck/verify/report"
)

// innerTar builds a tar of files (name -> content; "symlink:T" a link).
func innerTar(t *testing.T, files [][2]string) string {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	tw.WriteHeader(&tar.Header{Name: "gettext-0.10/", Typeflag: tar.TypeDir, Mode: 0o755})
	for _, f := range files {
		if target, ok := strings.CutPrefix(f[1], "symlink:"); ok {
			tw.WriteHeader(&tar.Header{Name: f[0], Typeflag: tar.TypeSymlink, Linkname: target})
			continue
		}
		tw.WriteHeader(&tar.Header{Name: f[0], Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(f[1]))})
		tw.Write([]byte(f[1]))
	}
	tw.Close()
	return b.String()
}

// gettext's archive.dir.tar holds files of earlier releases, each a blob
// of the repository: proved. One member the repository lacks, or a link,
// and it is not.
func TestRepoBlobArchive(t *testing.T) {
	tree := map[string]string{"intl/gettext.c": "int gettext;\n", "m4/gettext.m4": "# serial 1\n"}
	good := innerTar(t, [][2]string{{"gettext-0.10/intl/gettext.c", tree["intl/gettext.c"]}, {"gettext-0.10/m4/gettext.m4", tree["m4/gettext.m4"]}})
	res, files := explainRelease(t, map[string]string{"misc/archive.dir.tar": good}, tree, Input{Origins: emptyDB()})
	if f := files["misc/archive.dir.tar"]; f.Origin == nil || f.Severity != report.SevLow || !strings.Contains(f.Reason, "2 files") {
		t.Errorf("archive of repository blobs: %+v", f)
	}
	for _, f := range res.Findings {
		if f.Severity >= report.SevMedium {
			t.Errorf("finding %+v", f)
		}
	}
	// A member the repository lacks but the database of upstream files
	// knows (automake's test-driver, as an earlier release shipped it).
	driver := installed(t, "/usr/share/automake-1.16/test-driver")
	withDB := innerTar(t, [][2]string{{"gettext-0.10/intl/gettext.c", tree["intl/gettext.c"]}, {"gettext-0.10/build-aux/test-driver", driver}})
	_, files = explainRelease(t, map[string]string{"misc/archive.dir.tar": withDB}, tree, Input{})
	if f := files["misc/archive.dir.tar"]; f.Origin == nil || !strings.Contains(f.Reason, "(1 of them) a known upstream file") {
		t.Errorf("archive with a database file: %+v", f)
	}
	for name, members := range map[string][][2]string{
		"unknown member": {{"gettext-0.10/intl/gettext.c", tree["intl/gettext.c"]}, {"gettext-0.10/m4/evil.m4", "AC_DEFUN([X], [sh x])\n"}},
		"symlink":        {{"gettext-0.10/intl/gettext.c", tree["intl/gettext.c"]}, {"gettext-0.10/m4/l.m4", "symlink:/etc/passwd"}},
	} {
		_, files := explainRelease(t, map[string]string{"misc/archive.dir.tar": innerTar(t, members)}, tree, Input{Origins: emptyDB()})
		if f := files["misc/archive.dir.tar"]; f.Origin != nil || f.Severity < report.SevHigh {
			t.Errorf("%s: %+v", name, f)
		}
	}
}
