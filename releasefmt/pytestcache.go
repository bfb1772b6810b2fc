package releasefmt

import (
	"bytes"
	"encoding/json"
	"github.com/tarcheck/tarcheck/internal/limits"
	"strings"
	"unicode/utf8"
)

// KindToolCache is the origin kind of a file a test tool wrote into its
// cache directory (pytest's .pytest_cache), packed into a release made
// from a working tree where the tests had run.
const KindToolCache = "tool-cache"

// Files pytest writes verbatim when it creates .pytest_cache (cacheprovider.py).
const (
	pytestGitignore = "# Created by pytest automatically.\n*\n"
	// cachedirSignature is the first line of every CACHEDIR.TAG
	// (https://bford.info/cachedir/): the directory holds a cache.
	cachedirSignature = "Signature: 8a477f597d28d172789f06886806bc55\n"
	pytestReadmeHead  = "# pytest cache directory #\n"
	maxPytestFile     = limits.ReleasefmtMaxPytestFile
)

// explainPytestCache proves files under a ".pytest_cache" directory only
// in the tarball by their content, each as pytest writes it: the fixed
// .gitignore, a CACHEDIR.TAG with the cache-directory signature and only
// comments after it, pytest's README, and JSON values under v/ (the cache
// plugin's data: lastfailed, nodeids, stepwise and plugins' keys). They are
// data no build reads, left by running the tests before packaging: low.
// Anything else there (code, another file, a file that is not valid JSON
// under v/) is not explained and goes on through the other origins.
func explainPytestCache(in Input, c *collector) {
	for _, f := range in.TarFiles {
		if f.InTag {
			continue
		}
		dir, rel, ok := cutPytestCache(f.Path)
		if !ok {
			continue
		}
		b, has := in.TarContent(f.Path)
		if !has || len(b) > maxPytestFile || !utf8.Valid(b) {
			continue
		}
		what := pytestCacheFile(rel, b)
		if what == "" {
			continue
		}
		c.formats["pytest-cache"] = true
		c.explain(Explanation{Path: f.Path, Origin: Origin{Kind: KindToolCache, Detail: "pytest cache directory " + dir + "/ (" + what + ")"},
			Severity: SevLow, Reason: "written by pytest when the tests ran in the tree the release was packed from (" + what + "); data, not source"})
	}
}

// cutPytestCache splits a path at its ".pytest_cache" component.
func cutPytestCache(p string) (dir, rel string, ok bool) {
	const name = ".pytest_cache"
	parts := strings.Split(p, "/")
	for i, part := range parts[:len(parts)-1] {
		if part == name {
			return strings.Join(parts[:i+1], "/"), strings.Join(parts[i+1:], "/"), true
		}
	}
	return "", "", false
}

// pytestCacheFile says what pytest file rel (relative to the cache
// directory) with content b is, or "" when pytest does not write it so.
func pytestCacheFile(rel string, b []byte) string {
	switch {
	case rel == ".gitignore":
		if string(b) == pytestGitignore {
			return "its .gitignore"
		}
	case rel == "CACHEDIR.TAG":
		rest, ok := bytes.CutPrefix(b, []byte(cachedirSignature))
		if !ok {
			return ""
		}
		for _, l := range strings.Split(string(rest), "\n") {
			if l != "" && !strings.HasPrefix(l, "#") {
				return ""
			}
		}
		return "cache directory tag"
	case rel == "README.md":
		if bytes.HasPrefix(b, []byte(pytestReadmeHead)) && bytes.IndexByte(b, 0) < 0 && !bytes.Contains(b, []byte("```")) {
			return "its README"
		}
	case strings.HasPrefix(rel, "v/") && !strings.HasSuffix(rel, "/"):
		var v any
		if json.Unmarshal(b, &v) == nil {
			return "cache value " + rel + ", JSON"
		}
	}
	return ""
}
