package explain

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
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

// manyOf reads through b one blob at a time as a ManyBlobs would in one
// request; with dieAfter > 0 it ends after that many, as a git process
// killed midway.
type manyOf struct {
	Blobs
	dieAfter int
	calls    *int
}

func (m manyOf) ReadMany(ids []string, fn func(int, []byte, error) error) error {
	*m.calls++
	for i, id := range ids {
		if m.dieAfter > 0 && i == m.dieAfter {
			return errors.New("cat-file died")
		}
		c, err := m.Read(id)
		if err := fn(i, c, err); err != nil {
			return err
		}
	}
	return nil
}

// TestRepoBlobArchiveReadMany: a reader that reads many blobs at once is
// asked once for all the members (not once each), and proves the archive;
// one that dies before the last member proves nothing of it.
func TestRepoBlobArchiveReadMany(t *testing.T) {
	tree := map[string]string{"intl/gettext.c": "int gettext;\n", "m4/gettext.m4": "# serial 1\n", "m4/po.m4": "# serial 2\n"}
	good := innerTar(t, [][2]string{{"gettext-0.10/intl/gettext.c", tree["intl/gettext.c"]}, {"gettext-0.10/m4/gettext.m4", tree["m4/gettext.m4"]},
		{"gettext-0.10/m4/po.m4", tree["m4/po.m4"]}})
	for _, dieAfter := range []int{0, 2} {
		cmp, bl := release(t, "p-1.0", map[string]string{"misc/archive.dir.tar": good}, tree, nil)
		calls := 0
		res, err := Explain(context.Background(), Input{Compare: cmp, Blobs: manyOf{Blobs: bl, dieAfter: dieAfter, calls: &calls}, KeepBytes: 8 << 20, Origins: emptyDB()})
		if err != nil {
			t.Fatal(err)
		}
		var f report.FileDiff
		for _, g := range res.Files {
			if g.Path == "misc/archive.dir.tar" {
				f = g
			}
		}
		if calls != 1 {
			t.Errorf("dieAfter %d: ReadMany called %d times, want once", dieAfter, calls)
		}
		if proved := f.Origin != nil && strings.Contains(f.Reason, "3 files"); proved != (dieAfter == 0) {
			t.Errorf("dieAfter %d: %+v", dieAfter, f)
		}
	}
}
