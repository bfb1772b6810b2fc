package origindb

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// requirePackageFiles returns the regular files a Debian package installed
// below dir, skipping (failing under TARCHECK_REQUIRE_TOOLS=1) when the
// package is not installed.
func requirePackageFiles(t *testing.T, pkg, dir string) []string {
	t.Helper()
	list, err := os.ReadFile(filepath.Join("/var/lib/dpkg/info", pkg+".list"))
	if err != nil {
		list, err = os.ReadFile(filepath.Join("/var/lib/dpkg/info", pkg+":amd64.list"))
	}
	if err != nil {
		if os.Getenv("TARCHECK_REQUIRE_TOOLS") == "1" {
			t.Fatalf("Debian package %s is required (.ci/run installs it): %v", pkg, err)
		}
		t.Skipf("Debian package %s not installed: %v", pkg, err)
	}
	var out []string
	for _, f := range strings.Split(string(list), "\n") {
		// autopoint's archive is recorded member by member (see
		// TestAutopointArchive), not as one file.
		if !strings.HasPrefix(f, dir+"/") || strings.HasSuffix(f, ".tar.xz") {
			continue
		}
		if st, err := os.Lstat(f); err == nil && st.Mode().IsRegular() && st.Size() <= 4<<20 {
			out = append(out, f)
		}
	}
	return out
}

// TestInstalledFilesKnown: every file the installed Debian gnulib, gettext,
// autopoint, automake, libtool, autoconf, autoconf-archive and pkgconf put
// where releases copy from is in the embedded database, by blob id.
func TestInstalledFilesKnown(t *testing.T) {
	db, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ pkg, dir string }{
		{"gnulib", "/usr/share/gnulib/m4"},
		{"gnulib", "/usr/share/gnulib/lib"},
		{"gnulib", "/usr/share/gnulib/build-aux"},
		{"gnulib", "/usr/share/gnulib/tests"},
		{"automake", "/usr/share/aclocal-1.16"},
		{"automake", "/usr/share/automake-1.16"},
		{"gettext", "/usr/share/gettext"},
		{"gettext", "/usr/share/aclocal"},
		{"autopoint", "/usr/share/gettext"},
		{"libtool", "/usr/share/libtool"},
		{"libtool", "/usr/share/aclocal"},
		{"autoconf", "/usr/share/autoconf/build-aux"},
		{"autoconf-archive", "/usr/share/aclocal"},
		{"pkgconf", "/usr/share/aclocal"},
	} {
		files := requirePackageFiles(t, c.pkg, c.dir)
		if len(files) == 0 && c.pkg != "autopoint" {
			t.Errorf("%s installs nothing below %s", c.pkg, c.dir)
			continue
		}
		missing := 0
		for _, f := range files {
			content, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if !db.Has(blobID(string(content))) {
				missing++
				if missing <= 5 {
					t.Errorf("%s (%s): blob not in the embedded origin database", f, c.pkg)
				}
			}
		}
		if missing > 0 {
			t.Errorf("%s %s: %d of %d files missing: regenerate origins.bin (see README.md)", c.pkg, c.dir, missing, len(files))
		}
	}
}

// TestAutopointArchive: the gettext releases inside autopoint's archive are
// recorded as versions of gettext.
func TestAutopointArchive(t *testing.T) {
	db, _ := Embedded()
	for _, v := range []string{"0.19.8", "0.20", "0.21"} {
		vs := db.VersionsOf("gettext", "archive:gettext-"+v+"/m4/po.m4")
		if len(vs) != 1 || vs[0].Origin.FirstVersion != v || !vs[0].Origin.Package {
			t.Errorf("gettext %s po.m4 from the autopoint archive: %+v", v, vs)
		}
	}
}
