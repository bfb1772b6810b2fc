package adversary

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/tarcheck/tarcheck/verify/gitsrc"
)

// GnulibM4Dir is where the installed gnulib keeps its macro files (Debian's
// gnulib package).
var GnulibM4Dir = "/usr/share/gnulib/m4"

// Tools are the programs Generate runs (the base build, the vectors are made
// in Go). The payload proofs also need gzip, od, awk, dd, perl, python3,
// openssl, base32, sed and cut, which Debian's base system has.
var Tools = []string{"git", "tar", "xz", "make", "cc", "m4", "perl",
	"autoconf", "autoheader", "autoreconf", "aclocal", "automake", "libtoolize",
	"autopoint", "msgfmt", "msgmerge", "xgettext"}

// buildEnv is the environment of the base build and of regenerations: the
// caller's, with a fixed locale and no site configuration.
func buildEnv() []string {
	return append(os.Environ(), "LC_ALL=C", "CONFIG_SITE=/dev/null", "MAKEFLAGS=", "XZ_OPT=-6",
		"SOURCE_DATE_EPOCH="+fmt.Sprint(releaseUnix))
}

// runIn runs args in dir with env and returns a one-line error with the
// tail of the output when it fails.
func runIn(ctx context.Context, dir string, env []string, args ...string) error {
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		if len(out) > 3000 {
			out = out[len(out)-3000:]
		}
		return fmt.Errorf("%s in %s: %w\n%s", strings.Join(args, " "), dir, err, out)
	}
	return nil
}

// upstreamFiles are the files of the git repository: the hand-written
// sources and the binary vectors.
func upstreamFiles() (tree, error) {
	t := tree{}
	for name, f := range projectSources {
		t[name] = &member{data: []byte(f.data), mode: f.mode}
	}
	bins, err := binarySources()
	if err != nil {
		return nil, err
	}
	for name, b := range bins {
		t[name] = &member{data: b, mode: 0o644}
	}
	return t, nil
}

// makeRepo writes the upstream files to dir as a git repository with one
// commit and the annotated tag Tag, with fixed names and dates.
func makeRepo(ctx context.Context, dir string, files tree) error {
	if err := files.writeDir(dir); err != nil {
		return err
	}
	b := &gitsrc.Builder{Dir: dir, Env: []string{
		"GIT_AUTHOR_DATE=" + releaseDate, "GIT_COMMITTER_DATE=" + releaseDate,
		"GIT_AUTHOR_NAME=Adv Developer", "GIT_AUTHOR_EMAIL=dev@example.invalid",
		"GIT_COMMITTER_NAME=Adv Developer", "GIT_COMMITTER_EMAIL=dev@example.invalid",
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
	}}
	for _, args := range [][]string{
		{"init", "--quiet"},
		{"add", "-A"},
		{"commit", "--quiet", "-m", Name + " " + Version},
		{"tag", "-a", Tag, "-m", Name + " " + Version},
	} {
		if _, err := b.Git(ctx, nil, args...); err != nil {
			return fmt.Errorf("adversary: git %s: %w", args[0], err)
		}
	}
	return nil
}

// buildRelease copies the upstream files and the installed gnulib macros
// into dir and runs autoreconf -fi, configure and make dist there. It
// returns the path of the tarball make dist wrote.
func buildRelease(ctx context.Context, dir string, files tree) (string, error) {
	if err := files.writeDir(dir); err != nil {
		return "", err
	}
	for _, name := range gnulibM4 {
		b, err := os.ReadFile(filepath.Join(GnulibM4Dir, name))
		if err != nil {
			return "", fmt.Errorf("adversary: gnulib macro %s: %w (install Debian's gnulib package or set adversary.GnulibM4Dir)", name, err)
		}
		if err := os.MkdirAll(filepath.Join(dir, "m4"), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dir, "m4", name), b, 0o644); err != nil {
			return "", err
		}
	}
	env := buildEnv()
	for _, args := range [][]string{
		{"autoreconf", "-fi"},
		{"./configure", "-q", "--disable-dependency-tracking"},
		{"make", "dist"},
	} {
		if err := runIn(ctx, dir, env, args...); err != nil {
			return "", fmt.Errorf("adversary: base release: %w", err)
		}
	}
	tb := filepath.Join(dir, Root+".tar.xz")
	if _, err := os.Stat(tb); err != nil {
		return "", fmt.Errorf("adversary: make dist made no %s: %w", filepath.Base(tb), err)
	}
	return tb, nil
}

// regenerate writes t to dir and reruns what a maintainer's autoreconf
// (without -i: the copied helpers stay as they are) would remake after the
// edit: autoconf, and when m4 files were added, aclocal and automake first.
// It returns the tree read back.
func regenerate(ctx context.Context, dir string, t tree, newM4 bool) (tree, error) {
	if err := t.writeDir(dir); err != nil {
		return nil, err
	}
	env := buildEnv()
	steps := [][]string{{"autoconf", "-f"}}
	if newM4 {
		steps = [][]string{{"aclocal", "-I", "m4"}, {"autoconf", "-f"}, {"automake"}}
	}
	for _, args := range steps {
		if err := runIn(ctx, dir, env, args...); err != nil {
			return nil, fmt.Errorf("adversary: regenerating: %w", err)
		}
	}
	out, err := readDir(dir, "autom4te.cache")
	if err != nil {
		return nil, err
	}
	// autoconf -f keeps the previous configure as configure~; a maintainer's
	// make dist would not ship it.
	for p := range out {
		if strings.HasSuffix(p, "~") && t[p] == nil {
			delete(out, p)
		}
	}
	return out, nil
}
