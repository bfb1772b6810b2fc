package releasefmt

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// cargoWorkspace is a tag with a two-crate workspace: foo inherits package
// fields and lints from the workspace, has a build script, a lib and a bin,
// a readme outside its directory and a path-only dev-dependency on bar.
var cargoWorkspace = map[string]string{
	"Cargo.toml": `[workspace]
members = ["crates/foo", "crates/bar"]
resolver = "2"

[workspace.package]
version = "1.2.3"
edition = "2021"
license = "MIT"
authors = ["A <a@example.org>"]
repository = "https://example.org/r"

[workspace.lints.rust]
unsafe_code = "forbid"
`,
	"crates/foo/Cargo.toml": `# the foo crate
[package]
name = "foo"
version.workspace = true
edition.workspace = true
license.workspace = true
authors.workspace = true
repository.workspace = true
readme = "../../README.md"
description = "foo"

[dev-dependencies]
bar = { path = "../bar" }

[features]
default = []
extra = []

[lints]
workspace = true
`,
	"crates/foo/src/lib.rs":  "pub fn f() {}\n",
	"crates/foo/src/main.rs": "fn main() {}\n",
	"crates/foo/build.rs":    "fn main() {}\n",
	"crates/bar/Cargo.toml":  "[package]\nname = \"bar\"\nversion = \"0.1.0\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"bar\"\n",
	"crates/bar/src/lib.rs":  "pub fn g() {}\n",
	"README.md":              "readme\n",
}

// cargoPackage runs `cargo package` on crates/foo of a throwaway workspace
// and returns the tag's files, commit and the crate's files.
func cargoPackage(t *testing.T) (tag map[string][]byte, commit string, crate map[string][]byte) {
	return cargoPackageOf(t, cargoWorkspace, nil)
}

// cargoPackageOf packages crates/foo of the workspace files, with extra
// arguments to `cargo package`.
func cargoPackageOf(t *testing.T, files map[string]string, extra []string) (tag map[string][]byte, commit string, crate map[string][]byte) {
	t.Helper()
	requireTool(t, "cargo")
	dir := t.TempDir()
	writeTree(t, dir, files)
	env := []string{"CARGO_HOME=" + filepath.Join(dir, ".cargo-home"), "CARGO_TARGET_DIR=" + filepath.Join(t.TempDir(), "target"), "CARGO_NET_OFFLINE=true"}
	writeTree(t, dir, map[string]string{".gitignore": "/.cargo-home\n"})
	run(t, dir, env, "cargo", "generate-lockfile", "--offline")
	commit, tag = gitCommitAll(t, dir)
	run(t, filepath.Join(dir, "crates/foo"), env, "cargo", append([]string{"package", "--offline", "--no-verify"}, extra...)...)
	return tag, commit, readTarGz(t, filepath.Join(strings.TrimPrefix(env[1], "CARGO_TARGET_DIR="), "package", "foo-1.2.3.crate"))
}

func crateInput(t *testing.T, tag map[string][]byte, commit string, crate map[string][]byte) Input {
	t.Helper()
	vcs, ok, err := DetectCrate(func(p string) ([]byte, bool) { b, ok := crate[p]; return b, ok })
	if !ok || err != nil {
		t.Fatalf("DetectCrate = %v, %v", ok, err)
	}
	return makeInput(tag, crate, vcs.PathInVCS, commit, "1.2.3")
}

func TestCrateFromCargoPackage(t *testing.T) {
	tag, commit, crate := cargoPackage(t)
	vcs, ok, err := DetectCrate(func(p string) ([]byte, bool) { b, ok := crate[p]; return b, ok })
	if !ok || err != nil || vcs.PathInVCS != "crates/foo" || vcs.Commit != commit {
		t.Fatalf("DetectCrate = %+v %v %v, want crates/foo at %s", vcs, ok, err, commit)
	}
	in := crateInput(t, tag, commit, crate)
	r := Explain(in)
	if len(r.Findings) != 0 {
		t.Fatalf("findings on an honest crate: %+v\nCargo.toml:\n%s", r.Findings, crate["Cargo.toml"])
	}
	if left := unexplained(in, r); len(left) != 0 {
		t.Fatalf("unexplained: %v (explained %+v)", left, r.Explained)
	}
	want := map[string]Severity{"Cargo.toml": SevInfo, "Cargo.toml.orig": SevInfo, ".cargo_vcs_info.json": SevInfo, "README.md": SevInfo}
	for p, sev := range want {
		if e, ok := explained(r, p); !ok || e.Severity != sev || e.Origin.Kind != KindCargoPackage {
			t.Errorf("%s: explained %v as %+v, want %s cargo-package", p, ok, e, sev)
		}
	}
	if e, ok := explained(r, "Cargo.lock"); ok && e.Severity != SevLow {
		t.Errorf("Cargo.lock severity %s, want low", e.Severity)
	}
}

func TestCrateNegatives(t *testing.T) {
	tag, commit, crate := cargoPackage(t)
	cases := []struct {
		name   string
		mutate func(tar map[string][]byte)
		rule   string
		path   string
	}{
		{"vcs info names another commit", func(m map[string][]byte) {
			m[".cargo_vcs_info.json"] = bytes.ReplaceAll(m[".cargo_vcs_info.json"], []byte(commit), []byte(strings.Repeat("ab", 20)))
		}, RuleCrateCommit, ".cargo_vcs_info.json"},
		{"Cargo.toml.orig differs from the tag", func(m map[string][]byte) {
			m["Cargo.toml.orig"] = append(m["Cargo.toml.orig"], []byte("\n[dependencies]\nevil = \"1\"\n")...)
		}, RuleCrateOrig, "Cargo.toml.orig"},
		{"new dependency", func(m map[string][]byte) {
			m["Cargo.toml"] = append(m["Cargo.toml"], []byte("\n[dependencies.evil]\nversion = \"1\"\n")...)
		}, RuleCrateNormalized, "Cargo.toml"},
		{"new build script", func(m map[string][]byte) {
			toml := bytes.Replace(m["Cargo.toml"], []byte(`build = "build.rs"`), []byte(`build = "src/gen.rs"`), 1)
			if bytes.Equal(toml, m["Cargo.toml"]) { // cargo before 1.80 writes no build key
				toml = bytes.Replace(toml, []byte("[package]\n"), []byte("[package]\nbuild = \"src/gen.rs\"\n"), 1)
			}
			m["Cargo.toml"] = toml
		}, RuleCrateNormalized, "Cargo.toml"},
		{"changed feature", func(m map[string][]byte) {
			m["Cargo.toml"] = bytes.Replace(m["Cargo.toml"], []byte("extra = []"), []byte(`extra = ["dep:evil"]`), 1)
		}, RuleCrateNormalized, "Cargo.toml"},
		{"readme copy differs", func(m map[string][]byte) {
			m["README.md"] = []byte("other\n")
		}, RuleCrateNormalized, "Cargo.toml"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tar := copyMap(crate)
			tc.mutate(tar)
			r := Explain(crateInput(t, tag, commit, tar))
			if !hasFinding(r, tc.rule, tc.path, SevHigh) {
				t.Fatalf("no high %s on %s; findings %+v", tc.rule, tc.path, r.Findings)
			}
			if tc.rule == RuleCrateNormalized {
				if _, ok := explained(r, "Cargo.toml"); ok {
					t.Fatalf("Cargo.toml explained despite %s", tc.name)
				}
			}
		})
	}
}

// TestCrateWorkspaceDependency uses the output of cargo 1.95's
// `cargo package --workspace` (which needs the other crate in a registry,
// so it cannot run offline with older cargo): a workspace path dependency
// rewritten to a version dependency.
func TestCrateWorkspaceDependency(t *testing.T) {
	tag := map[string][]byte{
		"Cargo.toml": []byte(cargoWorkspace["Cargo.toml"] + "\n[workspace.dependencies]\nbar = { path = \"crates/bar\", version = \"0.1.0\", features = [\"y\"] }\n"),
		"crates/foo/Cargo.toml": []byte(`[package]
name = "foo"
version.workspace = true
edition.workspace = true

[dependencies]
bar = { workspace = true, features = ["x"] }
`),
		"crates/foo/src/lib.rs": []byte("pub fn f() {}\n"),
		"Cargo.lock":            []byte("version = 4\n\n[[package]]\nname = \"bar\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"foo\"\nversion = \"1.2.3\"\ndependencies = [\n \"bar\",\n]\n"),
	}
	commit := strings.Repeat("1f", 20)
	crate := map[string][]byte{
		"Cargo.toml.orig":      tag["crates/foo/Cargo.toml"],
		".cargo_vcs_info.json": []byte(`{"git": {"sha1": "` + commit + `"}, "path_in_vcs": "crates/foo"}`),
		"src/lib.rs":           tag["crates/foo/src/lib.rs"],
		"Cargo.toml": []byte(`# THIS FILE IS AUTOMATICALLY GENERATED BY CARGO
[package]
edition = "2021"
name = "foo"
version = "1.2.3"
build = false
autolib = false
autobins = false
autoexamples = false
autotests = false
autobenches = false
readme = false

[lib]
name = "foo"
path = "src/lib.rs"

[dependencies.bar]
version = "0.1.0"
features = [
    "x",
    "y",
]
`),
		"Cargo.lock": []byte("version = 4\n\n[[package]]\nname = \"bar\"\nversion = \"0.1.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"1d11\"\n\n[[package]]\nname = \"foo\"\nversion = \"1.2.3\"\ndependencies = [\n \"bar\",\n]\n"),
	}
	in := crateInput(t, tag, commit, crate)
	r := Explain(in)
	if len(r.Findings) != 0 {
		t.Fatalf("findings: %+v", r.Findings)
	}
	if e, ok := explained(r, "Cargo.lock"); !ok || e.Severity != SevLow {
		t.Fatalf("Cargo.lock: %+v %v, want low", e, ok)
	}
	bad := copyMap(crate)
	bad["Cargo.toml"] = bytes.Replace(bad["Cargo.toml"], []byte(`version = "0.1.0"`), []byte(`version = "0.2.0"`), 1)
	bad["Cargo.lock"] = append(bad["Cargo.lock"], []byte("\n[[package]]\nname = \"evil\"\nversion = \"1.0.0\"\n")...)
	r = Explain(crateInput(t, tag, commit, bad))
	if !hasFinding(r, RuleCrateNormalized, "Cargo.toml", SevHigh) {
		t.Fatalf("changed dependency version not reported: %+v", r.Findings)
	}
	if _, ok := explained(r, "Cargo.lock"); ok {
		t.Fatalf("Cargo.lock with a package the tag's lock lacks was explained")
	}
}

func TestParseCargoVCSInfo(t *testing.T) {
	for _, bad := range []string{`{}`, `{"git":{"sha1":"xyz"}}`, `{"git":{"sha1":"` + strings.Repeat("a", 40) + `"},"path_in_vcs":"../x"}`,
		`{"git":{"sha1":"` + strings.Repeat("a", 40) + `"},"path_in_vcs":"/etc"}`, `not json`} {
		if _, err := ParseCargoVCSInfo([]byte(bad)); err == nil {
			t.Errorf("ParseCargoVCSInfo(%s) accepted", bad)
		}
	}
	v, err := ParseCargoVCSInfo([]byte(`{"git":{"sha1":"` + strings.Repeat("A", 40) + `","dirty":true},"path_in_vcs":""}`))
	if err != nil || v.Commit != strings.Repeat("a", 40) || !v.Dirty || v.PathInVCS != "" {
		t.Fatalf("got %+v %v", v, err)
	}
}

// TestCrateWorkspacePathDependency runs `cargo package --workspace`
// (cargo 1.83 and later: it packages bar into a local registry first) on a
// member with a workspace path dependency, rewritten to a version one.
func TestCrateWorkspacePathDependency(t *testing.T) {
	requireTool(t, "cargo")
	out, _ := exec.Command("cargo", "--version").Output()
	var minor int
	if _, err := fmt.Sscanf(string(out), "cargo 1.%d.", &minor); err != nil || minor < 83 {
		t.Skip("cargo older than 1.83 cannot package a workspace offline (Debian 12's is 1.65); TestCrateWorkspaceDependency covers its output")
	}
	files := map[string]string{}
	for k, v := range cargoWorkspace {
		files[k] = v
	}
	files["Cargo.toml"] += "\n[workspace.dependencies]\nbar = { path = \"crates/bar\", version = \"0.1.0\" }\n"
	files["crates/foo/Cargo.toml"] = strings.Replace(files["crates/foo/Cargo.toml"], "[dev-dependencies]", "[dependencies]\nbar = { workspace = true }\n\n[dev-dependencies]", 1)
	files["crates/foo/Cargo.toml"] = strings.Replace(files["crates/foo/Cargo.toml"], "bar = { path = \"../bar\" }", "", 1)
	tag, commit, crate := cargoPackageOf(t, files, []string{"--workspace"})
	in := crateInput(t, tag, commit, crate)
	r := Explain(in)
	if len(r.Findings) != 0 {
		t.Fatalf("findings: %+v\n%s", r.Findings, crate["Cargo.toml"])
	}
	if !bytes.Contains(crate["Cargo.toml"], []byte("[dependencies.bar]")) {
		t.Fatalf("cargo did not rewrite the path dependency:\n%s", crate["Cargo.toml"])
	}
	if left := unexplained(in, r); len(left) != 0 {
		t.Fatalf("unexplained: %v", left)
	}
}
