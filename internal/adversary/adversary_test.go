package adversary

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tarcheck/tarcheck/sandbox"
)

// requireTool fails (TARCHECK_REQUIRE_TOOLS=1, as in CI) or skips when a
// tool is missing.
func requireTool(t testing.TB, names ...string) {
	t.Helper()
	for _, name := range names {
		if _, err := exec.LookPath(name); err != nil {
			if os.Getenv("TARCHECK_REQUIRE_TOOLS") == "1" {
				t.Fatalf("%s is required (TARCHECK_REQUIRE_TOOLS=1): %v", name, err)
			}
			t.Skipf("%s not installed", name)
		}
	}
}

var (
	suiteOnce sync.Once
	suiteVal  *Suite
	suiteErr  error
	suiteDir  string
)

// testSuite generates the whole suite once per test binary; with
// ADVERSARY_SUITE=DIR it loads the suite genadversary generate wrote there.
func testSuite(t *testing.T) *Suite {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a real autotools release and every variant; skipped in -short mode")
	}
	requireTool(t, Tools...)
	suiteOnce.Do(func() {
		if dir := os.Getenv("ADVERSARY_SUITE"); dir != "" {
			suiteVal, suiteErr = LoadSuite(dir)
			return
		}
		suiteDir, suiteErr = os.MkdirTemp("", "tarcheck-adversary-")
		if suiteErr == nil {
			suiteVal, suiteErr = Generate(context.Background(), suiteDir)
		}
	})
	if suiteErr != nil {
		t.Fatal(suiteErr)
	}
	return suiteVal
}

func TestMain(m *testing.M) {
	code := m.Run()
	if suiteDir != "" {
		os.RemoveAll(suiteDir)
	}
	os.Exit(code)
}

// TestGenerate: at least 30 variants across every family, each a readable
// release that differs from the honest one exactly where it says.
func TestGenerate(t *testing.T) {
	s := testSuite(t)
	t.Logf("base release %v, %d variants %v", s.BaseTook.Round(time.Millisecond), len(s.Variants), s.VariantsTook.Round(time.Millisecond))
	base, err := readTarball(s.Release)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"configure", "Makefile.in", "aclocal.m4", "config.h.in", "build-aux/ltmain.sh",
		"build-aux/config.guess", "build-aux/config.rpath", "po/Makefile.in.in", "po/de.gmo", "m4/visibility.m4",
		"m4/gettext.m4", "m4/libtool.m4", "tests/t-version.sh", nfcUnicodeTest, "src/hardening.h", "doc/logo.png"} {
		if base[want] == nil {
			t.Errorf("the make dist release lacks %s", want)
		}
	}
	families := map[string]int{}
	ids := map[string]bool{}
	for _, v := range s.Variants {
		if ids[v.ID] {
			t.Errorf("duplicate variant id %s", v.ID)
		}
		ids[v.ID] = true
		families[v.Family]++
		vt, err := readTarball(v.Tarball)
		if err != nil {
			t.Errorf("%s: %v", v.ID, err)
			continue
		}
		if v.Family == FamilyControl {
			if d := treeDiff(base, vt); len(d) > 0 {
				t.Errorf("control differs from the release: %v", d)
			}
			continue
		}
		if len(v.Injected) == 0 || v.Note == "" || v.Trigger == "" {
			t.Errorf("%s: incomplete record %+v", v.ID, v)
		}
		if v.ExpectDefault != (v.Family != FamilyRegenerated) || !v.ExpectRebuild {
			t.Errorf("%s: expectations default=%v rebuild=%v", v.ID, v.ExpectDefault, v.ExpectRebuild)
		}
		changed := map[string]bool{}
		for _, p := range treeDiff(base, vt) {
			changed[p] = true
		}
		for _, p := range append(append([]string(nil), v.Injected...), v.Regenerated...) {
			if !changed[p] {
				t.Errorf("%s: %s is recorded as edited but equals the release's", v.ID, p)
			}
		}
		for p := range changed {
			if !contains(v.Injected, p) && !contains(v.Regenerated, p) && !contains(v.Removed, p) && !(v.Regenerated != nil && isGenerated(p)) {
				t.Errorf("%s: %s changed but is not recorded", v.ID, p)
			}
		}
	}
	for _, f := range []string{FamilyM4, FamilyDecoder, FamilyHelper, FamilyClaim, FamilyNewContent, FamilyRegenerated} {
		if families[f] < 4 {
			t.Errorf("family %s has %d variants, want at least 4", f, families[f])
		}
	}
	if n := len(s.Variants) - families[FamilyControl]; n < 30 {
		t.Errorf("%d variants, want at least 30", n)
	}
	if families[FamilyDecoder] != len(decoders) {
		t.Errorf("%d decoder variants for %d decoders", families[FamilyDecoder], len(decoders))
	}
	loaded, err := LoadSuite(s.Dir)
	if err != nil || len(loaded.Variants) != len(s.Variants) {
		t.Errorf("LoadSuite: %v (%d variants)", err, len(loaded.Variants))
	}
}

// isGenerated reports the outputs a regeneration may touch besides the
// recorded ones (autoconf rewrites configure, automake every Makefile.in).
func isGenerated(p string) bool {
	return p == "configure" || p == "aclocal.m4" || strings.HasSuffix(p, "Makefile.in") || p == "config.h.in"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// treeDiff lists the paths whose content, mode or link differ.
func treeDiff(a, b tree) []string {
	var out []string
	for p, m := range a {
		n := b[p]
		if n == nil || string(n.data) != string(m.data) || n.mode != m.mode || n.link != m.link {
			out = append(out, p)
		}
	}
	for p := range b {
		if a[p] == nil {
			out = append(out, p)
		}
	}
	return out
}

// proveSubset is one variant per family with a build step, the cheapest
// step of the family where it has several; ADVERSARY_PROVE=all proves all.
var proveSubset = []string{
	"m4-new-hook-ac-prog-cc",     // configure, via a top-level m4_define
	"dec-python3-c",              // configure, via gnulib warnings.m4
	"dec-openssl-enc",            // make, via ltmain.sh
	"helper-config-guess-future", // configure
	"claim-exec-flip",            // make check, via the harness glob
	"new-wildcard-mk",            // make, via -include $(wildcard ...)
	"regen-configure-forged",     // configure
}

// TestPayloadsRun builds variants in the sandbox and checks that their
// payload created its marker.
func TestPayloadsRun(t *testing.T) {
	s := testSuite(t)
	requireTool(t, "gzip", "od", "awk", "dd", "perl", "python3", "openssl", "base32", "sed", "cut", "cc", "make")
	r, err := sandbox.New(sandbox.BackendAuto)
	if err != nil {
		if os.Getenv("TARCHECK_REQUIRE_TOOLS") == "1" {
			t.Fatalf("a sandbox is required (TARCHECK_REQUIRE_TOOLS=1): %v", err)
		}
		t.Skipf("no sandbox: %v", err)
	}
	all := os.Getenv("ADVERSARY_PROVE") == "all"
	for _, v := range s.Variants {
		if !all && !contains(proveSubset, v.ID) {
			continue
		}
		t.Run(v.ID, func(t *testing.T) {
			t.Parallel()
			p, err := Prove(context.Background(), r, v, t.TempDir())
			if errors.Is(err, ErrNoTrigger) {
				t.Skipf("%s: %v", v.Trigger, err)
			}
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s (%s): marker %v, exit %d, %v", v.ID, v.Trigger, p.Ran, p.ExitCode, p.Took.Round(time.Millisecond))
			if !p.Ran {
				t.Errorf("%s did not run its payload (%s exit %d):\n%s", v.ID, v.Trigger, p.ExitCode, p.Output)
			}
			if p.ExitCode != 0 && !v.BuildFails {
				t.Errorf("%s: the build failed (exit %d), a stealthy variant must build:\n%s", v.ID, p.ExitCode, p.Output)
			}
		})
	}
	for _, id := range proveSubset {
		found := false
		for _, v := range s.Variants {
			found = found || v.ID == id
		}
		if !found {
			t.Errorf("proveSubset names unknown variant %s", id)
		}
	}
}
