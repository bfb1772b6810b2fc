package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tarcheck/tarcheck/autotools"
)

// TestGeneratorReproducesEmbeddedDB re-runs the generator and checks that the
// committed m4db.gob.gz is exactly its output, when this machine has the same
// inputs the committed database records: the same Debian package versions
// and, for each git repository (git:NAME), a clone in $NAME_GIT (GNULIB_GIT
// for gnulib) at the recorded HEAD with the same refs. Otherwise it says
// which input differs and skips: the inputs are data, not tools, so even
// TARCHECK_REQUIRE_TOOLS=1 does not turn a different input into a failure;
// TestCommittedDBHoldsPackageFiles checks a weaker property everywhere.
func TestGeneratorReproducesEmbeddedDB(t *testing.T) {
	if testing.Short() {
		t.Skip("reads every installed m4 file; skipped in -short mode")
	}
	committed, err := os.ReadFile("../../m4db.gob.gz")
	if err != nil {
		t.Fatal(err)
	}
	db, err := autotools.LoadM4DB(bytes.NewReader(committed))
	if err != nil {
		t.Fatal(err)
	}
	installed, err := dpkgVersions("/var/lib/dpkg/status")
	if err != nil {
		skipOrFail(t, "no dpkg status: %v", err)
	}
	var repos []string
	for _, p := range db.Packages {
		if name, ok := strings.CutPrefix(p.Name, gitPackagePrefix); ok {
			env := strings.ToUpper(name) + "_GIT"
			dir := os.Getenv(env)
			if dir == "" {
				t.Skipf("the committed database includes %s at %s; set %s to that repository to compare", p.Name, p.Version, env)
			}
			requireGit(t)
			st, err := gitRepo{dir: dir}.state()
			if err != nil {
				t.Skipf("%s=%s: %v", env, dir, err)
			}
			if st.version() != p.Version {
				t.Skipf("%s is at %s here, %s in the committed database", env, st.version(), p.Version)
			}
			repos = append(repos, name+"="+dir)
			continue
		}
		if installed[p.Name] != p.Version {
			t.Skipf("package %s is %q here, %q in the committed database", p.Name, installed[p.Name], p.Version)
		}
	}
	out := filepath.Join(t.TempDir(), "m4db.gob.gz")
	if err := run("/", out, repos); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, committed) {
		t.Fatalf("generator output (%d bytes) differs from the committed m4db.gob.gz (%d bytes): run go generate ./autotools", len(got), len(committed))
	}
	gotIdx, err := os.ReadFile(indexFile(out))
	if err != nil {
		t.Fatal(err)
	}
	if committedIdx, err := os.ReadFile("../../m4db.idx"); err != nil || !bytes.Equal(gotIdx, committedIdx) {
		t.Fatalf("generator index (%d bytes) differs from the committed m4db.idx (%v): run go generate ./autotools", len(gotIdx), err)
	}
}

// TestCommittedDBHoldsPackageFiles checks what holds on any machine: the
// committed database loads, records its inputs, dates every origin, and
// knows every file of each installed Debian package whose version it
// records.
func TestCommittedDBHoldsPackageFiles(t *testing.T) {
	committed, err := os.ReadFile("../../m4db.gob.gz")
	if err != nil {
		t.Fatal(err)
	}
	db, err := autotools.LoadM4DB(bytes.NewReader(committed))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range db.Packages {
		if p.Version == "" {
			t.Errorf("input %s has no version", p.Name)
		}
		names = append(names, p.Name)
	}
	for _, want := range []string{"gnulib", "autoconf-archive", "automake", "libtool", "gettext", "autopoint", "pkgconf", "git:gnulib"} {
		if !slices.Contains(names, want) {
			t.Errorf("committed database inputs %v lack %s", names, want)
		}
	}
	if db.Len() < 20000 {
		t.Errorf("committed database has %d entries, want the gnulib history (> 20000)", db.Len())
	}
	// gnulib's history: build-to-host.m4 was at serial 3 when xz's copy
	// claimed 30; every serial gnulib ever had is known.
	if n := len(db.Known("build-to-host.m4")); n < 3 {
		t.Errorf("build-to-host.m4: %d versions known", n)
	}
	for _, n := range []string{"gettext.m4", "po.m4", "libtool.m4", "stdlib_h.m4"} {
		if s := db.NameSnapshot(n); s.IsZero() || s.After(time.Now()) {
			t.Errorf("NameSnapshot(%s) = %v", n, s)
		}
	}
	installed, err := dpkgVersions("/var/lib/dpkg/status")
	if err != nil {
		t.Skipf("no dpkg status here (%v): package contents not checked", err)
	}
	checked := 0
	for _, p := range db.Packages {
		if strings.HasPrefix(p.Name, gitPackagePrefix) || installed[p.Name] != p.Version {
			continue
		}
		files, err := packageFiles("/", p.Name)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if !wanted(p.Name, f) {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil || len(b) > autotools.MaxDBFileSize {
				continue
			}
			m := db.Lookup(f, b)
			if m.Kind != autotools.MatchExact || !slices.ContainsFunc(m.Origins, func(o string) bool { return o == p.Name+" "+p.Version }) {
				t.Errorf("%s (%s %s): %s, origins %v", f, p.Name, p.Version, m.Kind, m.Origins)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Skip("none of the recorded package versions is installed here: package contents not checked")
	}
	t.Logf("%d package files found in the committed database", checked)
}

func requireGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		skipOrFail(t, "git not found")
	}
}

// TestAddGitHistory builds a small repository with several versions of an m4
// file on two branches and checks every version is added, with the origin,
// snapshot and recorded state.
func TestAddGitHistory(t *testing.T) {
	requireGit(t)
	dir := t.TempDir()
	git := func(args ...string) string {
		t.Helper()
		c := exec.Command("git", args...)
		c.Dir = dir
		c.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.org",
			"GIT_COMMITTER_NAME=T", "GIT_COMMITTER_EMAIL=t@example.org", "GIT_AUTHOR_DATE=2021-03-04T05:06:07Z", "GIT_COMMITTER_DATE=2021-03-04T05:06:07Z")
		out, err := c.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	write := func(p, s string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	version := func(n int) string {
		return "# thing.m4 serial " + strconv.Itoa(n) + "\nAC_DEFUN([THING], [v" + strconv.Itoa(n) + "])\n"
	}
	git("init", "-q", "-b", "main")
	write("m4/thing.m4", version(1))
	write("lib/x.c", "int x;\n")
	git("add", ".")
	git("commit", "-q", "-m", "one")
	write("m4/thing.m4", version(2))
	git("commit", "-q", "-am", "two")
	git("checkout", "-q", "-b", "side")
	write("m4/thing.m4", version(3))
	write("m4/other.m4", "# serial 9\n")
	git("add", ".")
	git("commit", "-q", "-m", "three")
	git("checkout", "-q", "main")
	git("mv", "m4/thing.m4", "m4/renamed.m4")
	git("commit", "-q", "-m", "rename")

	db := autotools.NewM4DB()
	snap, err := addGitHistory(db, "proj="+dir)
	if err != nil {
		t.Fatal(err)
	}
	if !snap.Equal(time.Date(2021, 3, 4, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("snapshot %v, want 2021-03-04", snap)
	}
	head := git("rev-parse", "HEAD")
	origin := "proj@" + head[:10]
	for n := 1; n <= 3; n++ {
		m := db.Lookup("thing.m4", []byte(version(n)))
		if m.Kind != autotools.MatchExact || !slices.Equal(m.Origins, []string{origin}) {
			t.Errorf("serial %d: %s %v", n, m.Kind, m.Origins)
		}
	}
	if m := db.Lookup("renamed.m4", []byte(version(2))); m.Kind != autotools.MatchExact {
		t.Errorf("renamed copy: %s", m.Kind)
	}
	if len(db.Known("x.c")) != 0 {
		t.Error("non-m4 file added")
	}
	if !db.OriginSnapshot(origin).Equal(snap) {
		t.Errorf("origin snapshot %v", db.OriginSnapshot(origin))
	}
	if len(db.Packages) != 1 || db.Packages[0].Name != "git:proj" || !strings.HasPrefix(db.Packages[0].Version, head+" refs:") {
		t.Errorf("packages %+v", db.Packages)
	}
	// A bare clone gives the same state.
	bare := filepath.Join(t.TempDir(), "owner+proj", "repo")
	if out, err := exec.Command("git", "clone", "-q", "--mirror", dir, bare).CombinedOutput(); err != nil {
		t.Fatalf("clone: %v\n%s", err, out)
	}
	db2 := autotools.NewM4DB()
	if _, err := addGitHistory(db2, bare); err != nil {
		t.Fatal(err)
	}
	if db2.Len() != db.Len() || db2.Packages[0] != db.Packages[0] {
		t.Errorf("bare mirror: %d entries %+v, want %d %+v", db2.Len(), db2.Packages, db.Len(), db.Packages)
	}
	if _, err := addGitHistory(autotools.NewM4DB(), filepath.Join(dir, "missing")); err == nil {
		t.Error("missing repository accepted")
	}
}

func TestRepoSpec(t *testing.T) {
	tests := []struct{ arg, name, dir string }{
		{"/work/.mirror/coreutils+gnulib/repo", "gnulib", "/work/.mirror/coreutils+gnulib/repo"},
		{"/src/gnulib.git", "gnulib", "/src/gnulib.git"},
		{"/src/gnulib/", "gnulib", "/src/gnulib/"},
		{"lib=/x/y", "lib", "/x/y"},
		{"/a=b/c", "c", "/a=b/c"},
	}
	for _, tt := range tests {
		if n, d := repoSpec(tt.arg); n != tt.name || d != tt.dir {
			t.Errorf("repoSpec(%q) = %q, %q, want %q, %q", tt.arg, n, d, tt.name, tt.dir)
		}
	}
}

func TestWanted(t *testing.T) {
	tests := []struct {
		pkg, file string
		want      bool
	}{
		{"gnulib", "/usr/share/gnulib/m4/stdlib_h.m4", true},
		{"gnulib", "/usr/share/gnulib/lib/xalloc.h", true},
		{"gnulib", "/usr/share/gnulib/modules/xalloc", false},
		{"autoconf-archive", "/usr/share/aclocal/ax_pthread.m4", true},
		{"autoconf-archive", "/usr/share/doc/autoconf-archive/README", false},
		{"automake", "/usr/share/automake-1.16/install-sh", true},
		{"automake", "/usr/share/automake-1.16/am/lex.am", false},
		{"gettext", "/usr/share/gettext/po/Makefile.in.in", true},
		{"autoconf", "/usr/share/autoconf/autoconf/general.m4", false},
	}
	for _, tt := range tests {
		if got := wanted(tt.pkg, tt.file); got != tt.want {
			t.Errorf("wanted(%s, %s) = %v, want %v", tt.pkg, tt.file, got, tt.want)
		}
	}
	if !slices.Contains(packages, "pkgconf") {
		t.Error("pkgconf missing from packages")
	}
}

func skipOrFail(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("TARCHECK_REQUIRE_TOOLS") == "1" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}
