// Command m4dbgen builds the m4 database embedded in package autotools from the
// files installed by Debian's gnulib, autoconf-archive, automake, libtool,
// gettext, autopoint, pkgconf and autoconf packages. It reads dpkg's status
// file for package versions and each package's file list for ownership, so
// every entry's origin names the package and version it came from.
//
// Re-run it after upgrading those packages (from the autotools directory):
//
//	go generate ./autotools
//
// or: go run ./autotools/cmd/m4dbgen -o autotools/m4db.gob.gz
// The output is deterministic for the same installed packages.
package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/tarcheck/tarcheck/autotools"
	"github.com/ulikunitz/xz"
)

// packages are the Debian packages the database is built from.
var packages = []string{"gnulib", "autoconf-archive", "automake", "libtool", "gettext", "autopoint", "pkgconf", "autoconf"}

// maxArchiveMember caps a member read from gettext's archive.dir.tar.xz.
const maxArchiveMember = 4 << 20

func main() {
	root := flag.String("root", "/", "file system root holding /var/lib/dpkg and /usr/share")
	out := flag.String("o", "m4db.gob.gz", "output file")
	flag.Parse()
	if err := run(*root, *out); err != nil {
		fmt.Fprintln(os.Stderr, "m4dbgen: error:", err)
		os.Exit(1)
	}
}

func run(root, out string) error {
	versions, err := dpkgVersions(filepath.Join(root, "var/lib/dpkg/status"))
	if err != nil {
		return err
	}
	db := autotools.NewM4DB()
	var snapshot time.Time
	dateRe := regexp.MustCompile(`(20[0-9]{2})([01][0-9])([0-3][0-9])`)
	for _, pkg := range packages {
		ver, ok := versions[pkg]
		if !ok {
			fmt.Fprintf(os.Stderr, "m4dbgen: warning: package %s is not installed; skipped\n", pkg)
			continue
		}
		db.Packages = append(db.Packages, autotools.PackageVersion{Name: pkg, Version: ver})
		if m := dateRe.FindStringSubmatch(ver); m != nil {
			if t, err := time.Parse("20060102", m[1]+m[2]+m[3]); err == nil && t.After(snapshot) {
				snapshot = t
			}
		}
		files, err := packageFiles(root, pkg)
		if err != nil {
			return err
		}
		origin := pkg + " " + ver
		for _, f := range files {
			switch {
			case strings.HasSuffix(f, "/archive.dir.tar.xz"):
				if err := addGettextArchive(db, filepath.Join(root, f)); err != nil {
					return err
				}
			case wanted(pkg, f):
				b, err := os.ReadFile(filepath.Join(root, f))
				if err != nil {
					if errors.Is(err, os.ErrNotExist) {
						continue
					}
					return fmt.Errorf("reading %s: %w", f, err)
				}
				if len(b) <= autotools.MaxDBFileSize {
					db.AddFile(path.Base(f), b, origin)
				}
			}
		}
	}
	if snapshot.IsZero() {
		snapshot = time.Now().UTC().Truncate(24 * time.Hour)
	}
	db.Snapshot = snapshot
	var buf bytes.Buffer
	if err := db.Save(&buf); err != nil {
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	fmt.Fprintf(os.Stderr, "m4dbgen: %d entries, snapshot %s, %d bytes -> %s\n", db.Len(), snapshot.Format(time.DateOnly), buf.Len(), out)
	return nil
}

// wanted selects the files of a package that releases copy verbatim.
func wanted(pkg, f string) bool {
	switch {
	case strings.HasPrefix(f, "/usr/share/aclocal") && strings.HasSuffix(f, ".m4"):
		return true
	case pkg == "gnulib":
		for _, d := range []string{"/usr/share/gnulib/m4/", "/usr/share/gnulib/lib/", "/usr/share/gnulib/build-aux/", "/usr/share/gnulib/tests/", "/usr/share/gnulib/top/"} {
			if strings.HasPrefix(f, d) {
				return true
			}
		}
	case pkg == "automake":
		return strings.HasPrefix(f, "/usr/share/automake-") && strings.Count(f, "/") == 4
	case pkg == "libtool":
		return strings.HasPrefix(f, "/usr/share/libtool/")
	case pkg == "gettext", pkg == "autopoint":
		return strings.HasPrefix(f, "/usr/share/gettext/po/") || f == "/usr/share/gettext/ABOUT-NLS" || f == "/usr/share/gettext/config.rpath"
	case pkg == "autoconf":
		return strings.HasPrefix(f, "/usr/share/autoconf/build-aux/") || f == "/usr/share/autoconf/INSTALL"
	}
	return false
}

// dpkgVersions parses dpkg's status file into package → version for the
// installed packages.
func dpkgVersions(status string) (map[string]string, error) {
	f, err := os.Open(status)
	if err != nil {
		return nil, fmt.Errorf("reading dpkg status: %w", err)
	}
	defer f.Close()
	out := map[string]string{}
	var name, ver, st string
	flush := func() {
		if name != "" && ver != "" && strings.HasSuffix(st, " installed") {
			out[name] = ver
		}
		name, ver, st = "", "", ""
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			flush()
		case strings.HasPrefix(line, "Package: "):
			name = strings.TrimPrefix(line, "Package: ")
		case strings.HasPrefix(line, "Version: "):
			ver = strings.TrimPrefix(line, "Version: ")
		case strings.HasPrefix(line, "Status: "):
			st = strings.TrimPrefix(line, "Status: ")
		}
	}
	flush()
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading dpkg status: %w", err)
	}
	return out, nil
}

// packageFiles returns the regular files a package owns, sorted.
func packageFiles(root, pkg string) ([]string, error) {
	lists, _ := filepath.Glob(filepath.Join(root, "var/lib/dpkg/info", pkg+".list"))
	more, _ := filepath.Glob(filepath.Join(root, "var/lib/dpkg/info", pkg+":*.list"))
	lists = append(lists, more...)
	var files []string
	for _, l := range lists {
		b, err := os.ReadFile(l)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", l, err)
		}
		for _, f := range strings.Split(string(b), "\n") {
			if f == "" {
				continue
			}
			if st, err := os.Lstat(filepath.Join(root, f)); err == nil && st.Mode().IsRegular() {
				files = append(files, f)
			}
		}
	}
	slices.Sort(files)
	return files, nil
}

// addGettextArchive adds the m4 files, po infrastructure and top-level helper
// files of every gettext version in autopoint's archive.dir.tar.xz.
func addGettextArchive(db *autotools.M4DB, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("reading gettext archive: %w", err)
	}
	defer f.Close()
	xr, err := xz.NewReader(bufio.NewReader(f))
	if err != nil {
		return fmt.Errorf("reading gettext archive: %w", err)
	}
	tr := tar.NewReader(xr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading gettext archive: %w", err)
		}
		if h.Typeflag != tar.TypeReg || h.Size > maxArchiveMember {
			continue
		}
		parts := strings.Split(strings.TrimPrefix(h.Name, "./"), "/")
		if len(parts) < 2 || !strings.HasPrefix(parts[0], "gettext-") {
			continue
		}
		keep := (len(parts) == 3 && (parts[1] == "m4" || parts[1] == "po")) || (len(parts) == 2 && (parts[1] == "ABOUT-NLS" || parts[1] == "config.rpath" || parts[1] == "mkinstalldirs"))
		if !keep {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return fmt.Errorf("reading gettext archive: %w", err)
		}
		db.AddFile(parts[len(parts)-1], b, strings.Replace(parts[0], "gettext-", "gettext ", 1)+" (autopoint archive)")
	}
}
