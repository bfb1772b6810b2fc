package autotools

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestCompiledCatalogEmptyFirstPlural follows msgfmt: a plural entry whose
// msgstr[0] is empty is left out of the .mo even when msgstr[1] is not
// (gnupg 2.2.40's po/es.gmo); a .gmo that holds it anyway was not made
// from that .po.
func TestCompiledCatalogEmptyFirstPlural(t *testing.T) {
	const hdr = "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=2; plural=(n != 1);\n"
	po := "msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=UTF-8\\n\"\n\"Plural-Forms: nplurals=2; plural=(n != 1);\\n\"\n\n" +
		"msgid \"%d year\"\nmsgid_plural \"%d years\"\nmsgstr[0] \"\"\nmsgstr[1] \"%d años\"\n\n" +
		"msgid \"%d day\"\nmsgid_plural \"%d days\"\nmsgstr[0] \"%d día\"\nmsgstr[1] \"%d días\"\n"
	ctx := claimsContext()
	ctx.TarballFile = func(p string) ([]byte, bool) { return []byte(po), p == "po/es.po" }
	gmo := func(b []byte) Input {
		return Input{Path: "po/es.gmo", Status: StatusOnlyInTarball, Tarball: b, TarballSize: int64(len(b)), TarballMode: ModeFile}
	}
	good := buildMO(map[string]string{"": hdr, "%d day\x00%d days": "%d día\x00%d días"})
	if r := Classify(gmo(good), ctx); r.Class != ClassGenerated || r.Severity != SevInfo {
		t.Errorf("msgfmt's selection: %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
	extra := buildMO(map[string]string{"": hdr, "%d day\x00%d days": "%d día\x00%d días", "%d year\x00%d years": "\x00%d años"})
	if r := Classify(gmo(extra), ctx); r.Severity.Rank() < SevMedium.Rank() {
		t.Errorf(".gmo with the untranslated entry: %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
	if _, err := exec.LookPath("msgfmt"); err != nil {
		if os.Getenv("TARCHECK_REQUIRE_TOOLS") != "" {
			t.Fatal("msgfmt is required")
		}
		t.Skip("msgfmt not installed")
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "es.po"), []byte(po), 0o644)
	if out, err := exec.Command("msgfmt", "-o", filepath.Join(dir, "es.gmo"), filepath.Join(dir, "es.po")).CombinedOutput(); err != nil {
		t.Fatalf("msgfmt: %v %s", err, out)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "es.gmo"))
	if r := Classify(gmo(b), ctx); r.Class != ClassGenerated || r.Severity != SevInfo {
		t.Errorf("msgfmt's own .gmo: %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
}
