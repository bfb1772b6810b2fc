// Command m4dbgen builds the m4 database embedded in package autotools from the
// files installed by Debian's gnulib, autoconf-archive, automake, libtool,
// gettext, autopoint, pkgconf and autoconf packages. It reads dpkg's status
// file for package versions and each package's file list for ownership, so
// every entry's origin names the package and version it came from.
//
// With -from-git DIR (repeatable; a bare or normal git repository, e.g. a
// gnulib clone) it also adds every version of every *.m4 file ever committed
// on any ref, with origin "NAME@SHORTCOMMIT" (NAME from the directory, e.g.
// "gnulib"), and the repository's newest commit date as that origin's
// snapshot. The generator is a tool: it runs git.
//
// Every origin gets a snapshot date (the date in a package version such as
// 20230209+stable-1, else the newest copyright year of its m4 files), so a
// serial above the known ones is judged against the sources of that macro,
// not against the newest package.
//
// The inputs (package versions; for each repository its HEAD commit and a
// digest of its refs) are recorded in the database's Packages.
//
// Re-run it after upgrading those packages (from the autotools directory):
//
//	GNULIB_GIT=/path/to/gnulib go generate ./autotools
//
// or: go run ./autotools/cmd/m4dbgen -o autotools/m4db.gob.gz -from-git /path/to/gnulib
// The output is deterministic for the same installed packages and the same
// repository refs. Beside the database it writes the same entries indexed by
// name (m4db.idx, see autotools.M4DBIndex), which package autotools embeds to
// decode only the entries of a name a lookup needs.
//
// With -origins FILE it builds the origin database of package origindb
// instead, from -git PROJECT=DIR histories and -deb SUITE=DIR unpacked Debian
// packages (see autotools/origindb/README.md and gen.sh there).
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/tarcheck/tarcheck/autotools"
	"github.com/tarcheck/tarcheck/autotools/origindb/collect"
)

// packages are the Debian packages the database is built from.
var packages = []string{"gnulib", "autoconf-archive", "automake", "libtool", "gettext", "autopoint", "pkgconf", "autoconf"}

// repoList is a repeatable -from-git flag.
type repoList []string

func (r *repoList) String() string     { return strings.Join(*r, ",") }
func (r *repoList) Set(s string) error { *r = append(*r, s); return nil }

func main() {
	root := flag.String("root", "/", "file system root holding /var/lib/dpkg and /usr/share")
	out := flag.String("o", "m4db.gob.gz", "output file")
	var repos repoList
	flag.Var(&repos, "from-git", "git repository `DIR` whose whole *.m4 history to add (repeatable; NAME=DIR names the origin)")
	origins := flag.String("origins", "", "build the origin database (package origindb) into `FILE` from -git and -deb instead of the m4 database")
	var gits, debs repoList
	flag.Var(&gits, "git", "with -origins: git history `PROJECT=DIR` to add (repeatable; gnulib, autoconf, automake, libtool, gettext, autoconf-archive, pkgconf, pkg-config)")
	flag.Var(&debs, "deb", "with -origins: `SUITE=DIR` of Debian packages unpacked with dpkg-deb -x, one subdirectory per .deb named like it (repeatable)")
	vocab := flag.String("vocab", "", "build the copied helpers' line vocabulary (origindb.Vocab) into `FILE` from -git and -deb (directories walked for helper files) instead of the m4 database")
	originsBase := flag.String("origins-base", "", "with -origins: start from the origin database in `FILE` (extend it with -git and -deb without re-reading its sources)")
	vocabBase := flag.String("vocab-base", "", "with -vocab: start from the vocabulary in `FILE` (extend it without re-reading its sources)")
	stamps := flag.String("stamps", "", "build the copied helpers' stamp index (origindb.Stamps) into `FILE` from -git and -deb, as -vocab reads them")
	var patches repoList
	flag.Var(&patches, "patches", "with -vocab: packaging git repository `DIR` whose autotools patch sets (*libtool*/, *automake*/, ... *.patch) add their lines (repeatable; msys2/MSYS2-packages, msys2/MINGW-packages)")
	flag.Parse()
	if *stamps != "" {
		if err := runStamps(context.Background(), *stamps, gits, debs); err != nil {
			fmt.Fprintln(os.Stderr, "m4dbgen: error:", err)
			os.Exit(1)
		}
		return
	}
	if *vocab != "" {
		if err := runVocab(context.Background(), *vocab, *vocabBase, gits, debs, patches); err != nil {
			fmt.Fprintln(os.Stderr, "m4dbgen: error:", err)
			os.Exit(1)
		}
		return
	}
	if *origins != "" {
		if err := runOrigins(context.Background(), *origins, *originsBase, gits, debs); err != nil {
			fmt.Fprintln(os.Stderr, "m4dbgen: error:", err)
			os.Exit(1)
		}
		return
	}
	for _, r := range repos {
		if strings.TrimSpace(r) == "" {
			fmt.Fprintln(os.Stderr, "m4dbgen: error: -from-git: empty repository path (for go generate, set GNULIB_GIT to a gnulib clone)")
			os.Exit(2)
		}
	}
	if err := run(*root, *out, repos); err != nil {
		fmt.Fprintln(os.Stderr, "m4dbgen: error:", err)
		os.Exit(1)
	}
}

// originDates collects each origin's snapshot: the date in its version when
// there is one, else the newest copyright year of its m4 files.
type originDates struct {
	dated map[string]time.Time
	years map[string]int
}

var versionDateRe = regexp.MustCompile(`(20[0-9]{2})([01][0-9])([0-3][0-9])`)

func (d *originDates) version(origin, ver string) {
	if m := versionDateRe.FindStringSubmatch(ver); m != nil {
		if t, err := time.Parse("20060102", m[1]+m[2]+m[3]); err == nil {
			d.dated[origin] = t
		}
	}
}

func (d *originDates) file(origin, name string, content []byte) {
	if !strings.HasSuffix(name, ".m4") {
		return
	}
	if h, err := autotools.ParseM4Header(content); err == nil && h.MaxYear() > d.years[origin] && h.MaxYear() <= time.Now().Year() {
		d.years[origin] = h.MaxYear()
	}
}

// apply records the snapshots in db and returns the newest.
func (d *originDates) apply(db *autotools.M4DB) time.Time {
	var newest time.Time
	set := func(o string, t time.Time) {
		db.SetOriginSnapshot(o, t)
		if t.After(newest) {
			newest = t
		}
	}
	for o, y := range d.years {
		if _, ok := d.dated[o]; !ok {
			// Only the year is known: its first day, so a release later in
			// that year is not judged against files it may postdate.
			set(o, time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC))
		}
	}
	for o, t := range d.dated {
		set(o, t)
	}
	return newest
}

func run(root, out string, repos []string) error {
	versions, err := dpkgVersions(filepath.Join(root, "var/lib/dpkg/status"))
	if err != nil {
		return err
	}
	db := autotools.NewM4DB()
	dates := &originDates{dated: map[string]time.Time{}, years: map[string]int{}}
	for _, pkg := range packages {
		ver, ok := versions[pkg]
		if !ok {
			fmt.Fprintf(os.Stderr, "m4dbgen: warning: package %s is not installed; skipped\n", pkg)
			continue
		}
		db.Packages = append(db.Packages, autotools.PackageVersion{Name: pkg, Version: ver})
		files, err := packageFiles(root, pkg)
		if err != nil {
			return err
		}
		origin := pkg + " " + ver
		dates.version(origin, ver)
		for _, f := range files {
			switch {
			case strings.HasSuffix(f, "/archive.dir.tar.xz"):
				if err := addGettextArchive(db, dates, filepath.Join(root, f)); err != nil {
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
					dates.file(origin, path.Base(f), b)
				}
			}
		}
	}
	snapshot := dates.apply(db)
	for _, r := range repos {
		t, err := addGitHistory(db, r)
		if err != nil {
			return err
		}
		if t.After(snapshot) {
			snapshot = t
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
	// The index by name lets package autotools decode one name's entries
	// on demand instead of the whole database.
	// Indexed as saved (entries and origins in Save's order), so that the
	// index is exactly the embedded database's.
	saved, err := autotools.LoadM4DB(bytes.NewReader(buf.Bytes()))
	if err != nil {
		return err
	}
	idx := indexFile(out)
	if err := os.WriteFile(idx, autotools.M4DBIndex(saved), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", idx, err)
	}
	fmt.Fprintf(os.Stderr, "m4dbgen: %d entries, snapshot %s, %d bytes -> %s\n", db.Len(), snapshot.Format(time.DateOnly), buf.Len(), out)
	return nil
}

// indexFile is the index written beside the database out:
// m4db.gob.gz → m4db.idx.
func indexFile(out string) string {
	return strings.TrimSuffix(strings.TrimSuffix(out, ".gz"), ".gob") + ".idx"
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
func addGettextArchive(db *autotools.M4DB, dates *originDates, file string) error {
	err := collect.AutopointArchive(file, func(version, name string, content []byte) error {
		parts := strings.Split(name, "/")
		keep := (len(parts) == 3 && (parts[1] == "m4" || parts[1] == "po")) || (len(parts) == 2 && (parts[1] == "ABOUT-NLS" || parts[1] == "config.rpath" || parts[1] == "mkinstalldirs"))
		if !keep {
			return nil
		}
		origin := "gettext " + version + " (autopoint archive)"
		db.AddFile(parts[len(parts)-1], content, origin)
		dates.file(origin, parts[len(parts)-1], content)
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading gettext archive: %w", err)
	}
	return nil
}
