package autotools

import (
	"bytes"
	"encoding/json"
	"path"
	"regexp"
	"strings"
	"sync"
)

// pytestCacheDir is the directory pytest's cache plugin writes into the
// directory it runs from (rootdir/.pytest_cache). Python sdists built from a
// working tree where the tests were run carry it (packaging 25.0 ships
// tests/.pytest_cache).
const pytestCacheDir = ".pytest_cache"

// pytestFixed are the files pytest writes with fixed text when it creates
// its cache directory (_pytest/cacheprovider.py, pytest 3.8 and later). The
// README's link changed between releases; every form pytest wrote is
// accepted and nothing else.
var pytestFixed = sync.OnceValue(func() map[string]*regexp.Regexp {
	return map[string]*regexp.Regexp{
		".gitignore": regexp.MustCompile(`\A# Created by pytest automatically\.\n\*\n?\z`),
		"CACHEDIR.TAG": regexp.MustCompile(`\ASignature: 8a477f597d28d172789f06886806bc55\n` +
			`# This file is a cache directory tag created by pytest\.\n` +
			`# For information about cache directory tags, see:\n` +
			`#\thttps?://(?:www\.)?bford\.info/cachedir/(?:spec\.html)?\n?\z`),
		"README.md": regexp.MustCompile(`\A# pytest cache directory #\n\n` +
			`This directory contains data from the pytest's cache plugin,\n` +
			"which provides the `--lf` and `--ff` options, as well as the `cache` fixture\\.\n\n" +
			`\*\*Do not\*\* commit this to version control\.\n\n` +
			`See \[the docs\]\(https://docs\.pytest\.org/en/(?:stable|latest)/(?:how-to/)?cache\.html\) for more information\.\n?\z`),
	}
})

// pytestCacheFile proves a file only in the tarball to be one pytest's cache
// plugin wrote: one of its fixed files with pytest's exact text, or one of
// the plugin's own JSON records (v/cache/lastfailed: test ids mapped to true;
// v/cache/nodeids and v/cache/stepwise: lists of test ids) that parses as
// exactly that shape. It returns the reason, or false for anything else in
// the directory (another name, other text, other JSON), which then stays as
// unexplained as it would be elsewhere.
func pytestCacheFile(p string, content []byte) (string, bool) {
	_, rel, ok := cutDirComponent(p, pytestCacheDir)
	if !ok || rel == "" || content == nil {
		return "", false
	}
	if re, ok := pytestFixed()[rel]; ok {
		if re.Match(content) {
			return "written by pytest's cache plugin when the tests were run before packaging (pytest's fixed text)", true
		}
		return "", false
	}
	switch rel {
	case "v/cache/lastfailed":
		var m map[string]bool
		if strictJSON(content, &m) && allTrue(m) {
			return "pytest's record of the tests that failed when they were run before packaging (JSON, test ids only)", true
		}
	case "v/cache/nodeids", "v/cache/stepwise":
		var l []string
		if strictJSON(content, &l) {
			return "pytest's record of the test ids seen when the tests were run before packaging (JSON, test ids only)", true
		}
	}
	return "", false
}

// cutDirComponent splits p around its first path component named dir:
// the directories before it and the path inside it.
func cutDirComponent(p, dir string) (before, inside string, ok bool) {
	if rest, ok := strings.CutPrefix(p, dir+"/"); ok {
		return "", rest, true
	}
	i := strings.Index(p, "/"+dir+"/")
	if i < 0 {
		return "", "", false
	}
	return p[:i], p[i+len(dir)+2:], true
}

// strictJSON decodes one JSON value into v, rejecting unknown shapes and
// trailing data.
func strictJSON(b []byte, v any) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		return false
	}
	var extra json.RawMessage
	return dec.Decode(&extra) != nil && len(bytes.TrimSpace(b[dec.InputOffset():])) == 0
}

func allTrue(m map[string]bool) bool {
	for _, v := range m {
		if !v {
			return false
		}
	}
	return true
}

// rulePytestCache explains the files of a pytest cache directory that
// pytest itself wrote (see pytestCacheFile).
func rulePytestCache(c *classification) (Result, bool) {
	if c.in.Status != StatusOnlyInTarball || c.in.TarballMode == ModeSymlink || c.in.TarballMode == ModeExec || path.Ext(c.in.Path) == ".py" {
		return Result{}, false
	}
	why, ok := pytestCacheFile(c.in.Path, c.in.Tarball)
	if !ok {
		return Result{}, false
	}
	c.skipScan = true
	return Result{Class: ClassGenerated, Severity: SevLow, Generator: "pytest", Reason: why}, true
}
