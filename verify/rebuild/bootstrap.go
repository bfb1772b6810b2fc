package rebuild

import (
	"context"

	"fmt"
	"github.com/tarcheck/tarcheck/autotools"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Gnulib is the gnulib commit a tag pins (as its gnulib submodule), for a
// rebuild through the project's gnulib bootstrap: gnulib-tool then imports
// the modules from exactly that commit, so that lib/gnulib.mk,
// m4/gnulib-comp.m4 and every copied gnulib file are regenerated and
// compared instead of taken from the tarball.
type Gnulib struct {
	// Commit is the pinned commit's hex id (part of the result cache key).
	Commit string
	// Path is where the tag expects gnulib: the submodule's path ("gnulib").
	Path string
	// Export writes the commit's files into dir (which does not exist yet)
	// and returns the paths it had to leave out (blobs the mirror lacks).
	Export func(ctx context.Context, dir string) (skipped []string, err error)
}

// bootstrapArgs run gnulib's bootstrap offline from the pinned gnulib:
// --no-git never clones or updates gnulib, --skip-po never downloads
// translations, --no-bootstrap-sync keeps the tag's own bootstrap, and
// --copy copies files as the release's `make dist` does (no symlinks).
const bootstrapArgs = "--no-git --skip-po --no-bootstrap-sync --copy"

// bootstrapShimTools are build prerequisites a gnulib bootstrap.conf lists
// (buildreq) that only later build steps run: when the sandbox lacks one,
// a placeholder that only prints "NAME (tarcheck placeholder) 9999" for
// --version is put at the end of PATH for the bootstrap run, so that
// bootstrap's presence and version checks pass. A placeholder writes no
// file; an output that depended on one differs and is reported.
var bootstrapShimTools = []string{"gperf", "gengetopt", "help2man", "makeinfo", "texi2pdf", "rsync", "wget", "xz", "lzip", "bison", "flex", "patch"}

// gnulibSubmoduleRE is a safe relative submodule path.
var gnulibSubmoduleRE = lazyRegexp(`^[A-Za-z0-9._-]+(?:/[A-Za-z0-9._-]+)*$`)

// useGnulibBootstrap reports whether the rebuild runs the tag's gnulib
// bootstrap with the pinned gnulib: no --rebuild-script was given, gnulib
// is known, and the tag has ./bootstrap and bootstrap.conf at the top.
func (b *rebuilder) useGnulibBootstrap() bool {
	g := b.in.Gnulib
	if strings.TrimSpace(b.in.Script) != "" || g == nil || g.Export == nil || !gnulibSubmoduleRE().MatchString(g.Path) ||
		strings.Contains("/"+g.Path+"/", "/../") || strings.Contains("/"+g.Path+"/", "/./") {
		return false
	}
	idx := b.cmp.Index
	return idx != nil && idx.Get("bootstrap") != nil && idx.Get("bootstrap.conf") != nil
}

// bootstrapScript is the sandbox script of a gnulib bootstrap from the
// gnulib at srcdir (relative to the work directory).
func bootstrapScript(srcdir string) string {
	var s strings.Builder
	s.WriteString("shimdir=$(mktemp -d)\nfor t in " + strings.Join(bootstrapShimTools, " ") + "; do\n")
	s.WriteString("  command -v \"$t\" >/dev/null 2>&1 && continue\n")
	s.WriteString("  printf '#! /bin/sh\\necho \"%s (tarcheck placeholder) 9999\"\\n' \"$t\" >\"$shimdir/$t\" && chmod +x \"$shimdir/$t\"\n")
	s.WriteString("done\n")
	fmt.Fprintf(&s, "PATH=$PATH:$shimdir sh ./bootstrap %s --gnulib-srcdir=%s\n", bootstrapArgs, srcdir)
	return s.String()
}

// bootstrapLabel names the gnulib bootstrap in the report.
func bootstrapLabel(g *Gnulib) string {
	return fmt.Sprintf("./bootstrap %s --gnulib-srcdir=%s (gnulib %s)", bootstrapArgs, g.Path, shortID(g.Commit))
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// exportGnulib writes the pinned gnulib into the work directory at the
// submodule's path, which the tag's export left empty.
func (b *rebuilder) exportGnulib(ctx context.Context) error {
	g := b.in.Gnulib
	b.progress("rebuild: gnulib " + shortID(g.Commit) + " into " + g.Path)
	dst := filepath.Join(b.dir, filepath.FromSlash(g.Path))
	if fi, err := os.Lstat(dst); err == nil {
		if !fi.IsDir() {
			return &SandboxError{fmt.Errorf("the tag's %s is not a submodule directory", g.Path)}
		}
		if ents, err := os.ReadDir(dst); err != nil || len(ents) > 0 {
			return &SandboxError{fmt.Errorf("the tag's %s is not empty: the pinned gnulib cannot be put there", g.Path)}
		}
		if err := os.Remove(dst); err != nil {
			return &SandboxError{err}
		}
	} else if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return &SandboxError{err}
	}
	skipped, err := g.Export(ctx, dst)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &SandboxError{fmt.Errorf("exporting gnulib %s: %w", shortID(g.Commit), err)}
	}
	if len(skipped) > 0 {
		for i, s := range skipped {
			skipped[i] = path.Join(g.Path, s)
		}
		b.info.Notes = append(b.info.Notes, "gnulib files the repository lacks, left out of the bootstrap: "+listSome(skipped))
	}
	return nil
}

// toolchainWritten are the classes of files a gnulib bootstrap writes
// through the pinned toolchain and gnulib: a difference in them is judged
// like any regenerated file's.
var toolchainWritten = map[string]bool{autotools.ClassGenerated: true, autotools.ClassGnulibCopy: true,
	autotools.ClassGnulibModified: true, autotools.ClassUpstreamCopy: true, autotools.ClassUpstreamUnknownVersion: true}

// bootstrapHookTool names, in the grouped finding, what wrote a file the
// bootstrap's project hooks produce.
const bootstrapHookTool = "the bootstrap's own hooks"
