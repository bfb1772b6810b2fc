package collect

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/tarcheck/tarcheck/autotools/origindb"
)

// Config lists the sources of one database build.
type Config struct {
	// Base, when set, is merged in first (the embedded database, or the
	// extension a previous build wrote), so a build extends it.
	Base *origindb.DB
	// Repos are git histories ("automake=/src/automake"; see ParseRepo).
	Repos []Repo
	// Debian are directories of unpacked Debian packages, by suite.
	Debian []DebianSource
	// Packages are single unpacked package trees (files under
	// usr/share/… below Root are recorded).
	Packages []Package
	// Dirs are plain directories whose every file is recorded
	// (`tarcheck db build --from /usr/share/aclocal`).
	Dirs []DirSource
	// Logf receives one progress line per source (may be nil).
	Logf func(format string, args ...any)
	// Built is recorded as the build date (default: the newest source).
	Built time.Time
}

// DirSource is a plain directory of files from one project: every regular
// file below Dir (up to MaxFileSize, .git skipped) is recorded with the path
// "Label/REL" and version Label.
type DirSource struct{ Project, Label, Dir string }

// DebianSource is a directory of unpacked .deb files of one suite.
type DebianSource struct{ Suite, Dir string }

// ParseRepo parses "PROJECT=DIR" or "DIR" (the project then comes from the
// directory name: "gnulib", ".../autotools-mirror+automake/repo") into a
// Repo with the project's default selection and tag handling.
func ParseRepo(arg string) (Repo, error) {
	project, dir, ok := strings.Cut(arg, "=")
	if !ok || strings.ContainsAny(project, `/\`) {
		dir = arg
		base := strings.TrimSuffix(filepath.Base(filepath.Clean(dir)), ".git")
		if base == "repo" {
			base = filepath.Base(filepath.Dir(filepath.Clean(dir)))
		}
		if _, after, ok := strings.Cut(base, "+"); ok {
			base = after
		}
		project = base
	}
	sel, known := Selections[project]
	if !known {
		return Repo{}, fmt.Errorf("git history %q: unknown project %q (known: gnulib, autoconf, automake, libtool, gettext, autoconf-archive, pkgconf, pkg-config); write PROJECT=DIR", arg, project)
	}
	return Repo{Project: project, Dir: dir, Select: sel, Tags: Tagged[project]}, nil
}

// Build reads every source of cfg and returns the encoded database with
// per-source statistics.
func Build(ctx context.Context, cfg Config) ([]byte, []Stats, error) {
	logf := cfg.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	b := origindb.NewBuilder()
	if cfg.Base != nil {
		b.Merge(cfg.Base)
	}
	var all []Stats
	built := cfg.Built
	if built.IsZero() && cfg.Base != nil {
		built = cfg.Base.Built() // the base's sources are among this build's
	}
	for _, r := range cfg.Repos {
		st, err := GitHistory(ctx, b, r)
		if err != nil {
			return nil, all, err
		}
		logf("%s: %d blobs at %d (blob, path) pairs, %d release tags, history to %s", r.Project, st.Blobs, st.Origins, len(st.Versions), st.Newest.Format(time.DateOnly))
		all = append(all, st)
		if st.Newest.After(built) && cfg.Built.IsZero() {
			built = st.Newest
		}
	}
	for _, d := range cfg.Debian {
		sts, err := DebianDir(b, d.Suite, d.Dir)
		if err != nil {
			return nil, all, fmt.Errorf("debian packages %s: %w", d.Dir, err)
		}
		for _, st := range sts {
			logf("%s: %d blobs, %d files", st.Source, st.Blobs, st.Origins)
		}
		all = append(all, sts...)
	}
	for _, p := range cfg.Packages {
		st, err := PackageFiles(b, p)
		if err != nil {
			return nil, all, err
		}
		logf("%s: %d blobs, %d files", p.Root, st.Blobs, st.Origins)
		all = append(all, st)
	}
	for _, d := range cfg.Dirs {
		st, err := DirFiles(b, d)
		if err != nil {
			return nil, all, err
		}
		logf("%s: %d blobs, %d files", d.Dir, st.Blobs, st.Origins)
		all = append(all, st)
	}
	b.Built = built
	data, err := b.Bytes()
	return data, all, err
}
