package autotools

import (
	"strings"
	"testing"
)

// TestPytestCache covers the .pytest_cache directory that packaging 25.0's
// sdist ships: pytest's fixed files and its JSON records are proved (low);
// other text, other JSON, other names, scripts and exec bits in the same
// directory are not, and keep the severity they would have anywhere.
func TestPytestCache(t *testing.T) {
	const (
		gitignore = "# Created by pytest automatically.\n*\n"
		cachedir  = "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by pytest.\n# For information about cache directory tags, see:\n#\thttps://bford.info/cachedir/spec.html\n"
		readme    = "# pytest cache directory #\n\nThis directory contains data from the pytest's cache plugin,\nwhich provides the `--lf` and `--ff` options, as well as the `cache` fixture.\n\n**Do not** commit this to version control.\n\nSee [the docs](https://docs.pytest.org/en/stable/how-to/cache.html) for more information.\n"
	)
	ctx := &Context{Version: "25.0", DB: NewM4DB()}
	proved := []Input{
		tarOnly("tests/.pytest_cache/.gitignore", gitignore),
		tarOnly(".pytest_cache/CACHEDIR.TAG", cachedir),
		tarOnly("tests/.pytest_cache/README.md", readme),
		tarOnly("tests/.pytest_cache/README.md", strings.Replace(readme, "en/stable/how-to/", "en/latest/", 1)),
		tarOnly("tests/.pytest_cache/v/cache/lastfailed", "{\n  \"test_a.py::test_x[1]\": true\n}"),
		tarOnly("tests/.pytest_cache/v/cache/nodeids", "[\n  \"test_a.py::test_x\",\n  \"test_b.py::test_y\"\n]"),
		tarOnly("tests/.pytest_cache/v/cache/stepwise", "[]"),
	}
	for _, in := range proved {
		r := Classify(in, ctx)
		if r.Severity != SevLow || r.Generator != "pytest" {
			t.Errorf("%s: %s/%s gen %q (%s), want low, pytest", in.Path, r.Class, r.Severity, r.Generator, r.Reason)
		}
	}
	exec := tarOnly("tests/.pytest_cache/README.md", readme)
	exec.TarballMode = ModeExec
	notProved := []struct {
		in      Input
		atLeast Severity
	}{
		// An attacker's .gitignore or a script in the directory stays high.
		{tarOnly("tests/.pytest_cache/.gitignore", gitignore+"!payload.sh\n"), SevHigh},
		{tarOnly("tests/.pytest_cache/conftest.py", "import os\nos.system('id')\n"), SevHigh},
		{tarOnly("tests/.pytest_cache/v/cache/run.sh", "#!/bin/sh\nid\n"), SevHigh},
		{exec, SevHigh},
		// Other text or other JSON is not pytest's.
		{tarOnly("tests/.pytest_cache/README.md", readme+"\nRun ./build.sh first.\n"), SevMedium},
		{tarOnly("tests/.pytest_cache/CACHEDIR.TAG", strings.Replace(cachedir, "8a477f", "000000", 1)), SevMedium},
		{tarOnly("tests/.pytest_cache/v/cache/lastfailed", `{"test_a.py::x": "sh -c id"}`), SevMedium},
		{tarOnly("tests/.pytest_cache/v/cache/nodeids", `["a"] trailing`), SevMedium},
		{tarOnly("tests/.pytest_cache/v/cache/other", `[]`), SevMedium},
		// The fixed text outside a pytest cache directory proves nothing.
		{tarOnly("tests/not_pytest_cache/.gitignore", gitignore), SevHigh},
	}
	for _, tt := range notProved {
		r := Classify(tt.in, ctx)
		if r.Generator == "pytest" || r.Severity.Rank() < tt.atLeast.Rank() {
			t.Errorf("%s (mode %o): %s/%s gen %q (%s), want at least %s and not pytest", tt.in.Path, tt.in.TarballMode, r.Class, r.Severity, r.Generator, r.Reason, tt.atLeast)
		}
	}
}
