package releasefmt

import "testing"

// pytestCache is what pytest 8 leaves in tests/.pytest_cache after a run.
var pytestCache = map[string]string{
	"tests/.pytest_cache/.gitignore": pytestGitignore,
	"tests/.pytest_cache/CACHEDIR.TAG": cachedirSignature + "# This file is a cache directory tag created by pytest.\n" +
		"# For information about cache directory tags, see:\n#\thttps://bford.info/cachedir/spec.html\n",
	"tests/.pytest_cache/README.md": pytestReadmeHead + "\nThis directory contains data from the pytest's cache plugin,\n" +
		"which provides the `--lf` and `--ff` options, as well as the `cache` fixture.\n\n**Do not** commit this to version control.\n",
	"tests/.pytest_cache/v/cache/lastfailed": "{\n  \"test_a.py::test_x\": true\n}",
	"tests/.pytest_cache/v/cache/nodeids":    "[\n  \"test_a.py::test_x\"\n]",
	"tests/.pytest_cache/v/cache/stepwise":   "[]",
}

// A pytest cache left in an sdist is proved file by file (low); a file
// there that pytest does not write so is not.
func TestPytestCache(t *testing.T) {
	tag := map[string][]byte{"tests/test_a.py": []byte("def test_x(): pass\n")}
	tar := map[string][]byte{"tests/test_a.py": tag["tests/test_a.py"]}
	for p, b := range pytestCache {
		tar[p] = []byte(b)
	}
	// Not pytest's: other content at pytest's names, other files, a file
	// named like the directory, another directory name.
	bad := map[string]string{
		"tests/.pytest_cache/.gitignore":         "*\n!payload.sh\n",
		"tests/.pytest_cache/CACHEDIR.TAG":       cachedirSignature + "echo pwned\n",
		"tests/.pytest_cache/README.md":          "# notes\n",
		"tests/.pytest_cache/v/cache/lastfailed": "import os\n",
	}
	for _, p := range []string{"tests/.pytest_cache/payload.py", "tests/.pytest_cache", "pytest_cache/v/cache/x"} {
		tar[p] = []byte("{}")
	}
	r := Explain(makeInput(tag, tar, "", "", "1.0"))
	for p := range pytestCache {
		e, ok := explained(r, p)
		if !ok || e.Severity != SevLow || e.Origin.Kind != KindToolCache {
			t.Errorf("%s: %+v %v", p, e, ok)
		}
	}
	for _, p := range []string{"tests/.pytest_cache/payload.py", "tests/.pytest_cache", "pytest_cache/v/cache/x"} {
		if e, ok := explained(r, p); ok {
			t.Errorf("%s explained: %+v", p, e)
		}
	}
	for p, b := range bad {
		tar2 := map[string][]byte{p: []byte(b)}
		if e, ok := explained(Explain(makeInput(tag, tar2, "", "", "1.0")), p); ok {
			t.Errorf("%s with %q explained: %+v", p, b, e)
		}
	}
}
