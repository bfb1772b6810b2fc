package collect

import (
	"compress/gzip"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tarcheck/tarcheck/autotools/origindb"
)

// gettextPoNames are the po/ infrastructure files autopoint and gettextize copy.
var gettextPoNames = []string{"*.m4", "Makefile.in.in", "Rules-quot", "boldquot.sed", "quot.sed", "en@quot.header",
	"en@boldquot.header", "insert-header.sin", "remove-potcdate.sin", "Makevars.template", "ABOUT-NLS", "config.rpath", "mkinstalldirs"}

// Selections are the files recorded from each project's git history: what
// releases copy from it.
var Selections = map[string]Selection{
	"gnulib":           {Dirs: []string{"lib/", "m4/", "build-aux/", "tests/", "top/", "doc/"}},
	"automake":         {Dirs: []string{"lib/", "m4/"}, Exclude: []string{"lib/Automake/"}},
	"autoconf":         {Dirs: []string{"build-aux/"}, Names: []string{"INSTALL"}},
	"libtool":          {Dirs: []string{"m4/", "libltdl/", "build-aux/"}, Names: []string{"ltmain.sh", "ltmain.in", "ltmain.m4sh", "libtool.m4"}},
	"gettext":          {Names: gettextPoNames},
	"autoconf-archive": {Dirs: []string{"m4/"}},
	"pkgconf":          {Names: []string{"pkg.m4", "pkg.m4.in"}},
	"pkg-config":       {Names: []string{"pkg.m4", "pkg.m4.in"}},
}

// Tagged says which projects' tags are releases.
var Tagged = map[string]bool{"automake": true, "autoconf": true, "libtool": true, "gettext": true,
	"autoconf-archive": true, "pkgconf": true, "pkg-config": true}

// ProjectOfPackage maps a Debian binary package (and its version) to its
// upstream project; "" for packages that install nothing releases copy.
func ProjectOfPackage(pkg, version string) string {
	switch pkg {
	case "gnulib", "autoconf", "automake", "libtool", "autoconf-archive", "pkgconf":
		return pkg
	case "gettext", "autopoint":
		return "gettext"
	case "gtk-doc-tools":
		// gtkdocize copies gtk-doc.make (or gtk-doc.flat.make,
		// gtk-doc.notmpl.make) and gtk-doc.m4 into a release.
		return "gtk-doc"
	case "pkg-config":
		if strings.HasPrefix(UpstreamVersion(version), "0.") {
			return "pkg-config"
		}
		return "pkgconf"
	}
	return ""
}

// DebianDir adds every package unpacked below dir, one subdirectory per
// package named like its .deb ("automake_1%3a1.16.5-1.3_all", made with
// `dpkg-deb -x`), labelling versions "Debian SUITE VERSION".
func DebianDir(b *origindb.Builder, suite, dir string) ([]Stats, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	sort.Slice(ents, func(i, j int) bool { return ents[i].Name() < ents[j].Name() })
	var out []Stats
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		parts := strings.Split(e.Name(), "_")
		if len(parts) < 2 {
			continue
		}
		ver, err := url.PathUnescape(parts[1])
		if err != nil {
			ver = parts[1]
		}
		project := ProjectOfPackage(parts[0], ver)
		if project == "" {
			continue
		}
		root := filepath.Join(dir, e.Name())
		p := Package{Project: project, Version: fmt.Sprintf("Debian %s %s", suite, ver), Root: root}
		if cl, err := readGzip(filepath.Join(root, "usr/share/doc", parts[0], "changelog.Debian.gz")); err == nil {
			p.Date = DebianDate(cl)
		}
		st, err := PackageFiles(b, p)
		if err != nil {
			return out, err
		}
		st.Source = parts[0] + " " + ver + " (" + suite + ")"
		out = append(out, st)
	}
	return out, nil
}

func readGzip(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(io.LimitReader(zr, 1<<20))
}
