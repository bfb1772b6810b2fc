package releasefmt

import (
	"fmt"
	"path"
	"strings"
)

// KindVersionStamp is the origin kind of a file that holds nothing but the
// release version, written at release by a rule or script of the tag.
const KindVersionStamp = "version-stamp"

// stampLine is a whole version stamp: VERSION, or NAME=VERSION with the
// value optionally quoted (a shell-sourced file).
var stampLine = lazyRegexp(`^(?:[A-Za-z_][A-Za-z0-9_]*=)?(["']?)([0-9A-Za-z.+~_-]+)(["']?)$`)

// explainVersionStamp proves a small file only in the tarball whose whole
// content is the release version (alone or as one NAME="VERSION" line) and
// (and, on a second line, the tag's commit id), and whose name a build rule
// or script of the tag writes with a shell redirect
// ("> $(top_distdir)/package_version", as opus's dist-hook does, or
// m4_esyscmd([echo ]mym4_version[>VERSION]) in GnuPG's configure.ac): low,
// release stamping. Another version, other content, or a name no tag file
// writes is not explained.
func explainVersionStamp(in Input, c *collector) {
	if in.Version == "" {
		return
	}
	var writers map[string]string // base name -> tag file writing it
	for _, f := range in.TarFiles {
		if f.InTag {
			continue
		}
		b, ok := in.TarContent(f.Path)
		if !ok || len(b) > 256 {
			continue
		}
		if !isVersionStamp(string(b), in.Version, in.Commit) {
			continue
		}
		if writers == nil {
			writers = stampWriters(in)
		}
		src, ok := writers[path.Base(f.Path)]
		if !ok {
			continue
		}
		c.formats["version-stamp"] = true
		c.explain(Explanation{Path: f.Path, Severity: SevLow,
			Origin: Origin{Kind: KindVersionStamp, Detail: "version stamp written at release", Source: src},
			Reason: fmt.Sprintf("holds only the release version %s; %s writes this file", in.Version, src)})
	}
}

// isVersionStamp says whether s is one line holding version and nothing
// else, optionally followed by a line holding the tag's commit id (or a
// prefix of at least 7 digits), as libgpg-error's
// m4_esyscmd([echo ]mym4_commitid[>>VERSION]) appends.
func isVersionStamp(s, version, commit string) bool {
	s = strings.TrimSuffix(s, "\n")
	first, second, two := strings.Cut(s, "\n")
	if strings.ContainsAny(first, "\r") || two && (len(second) < 7 || commit == "" || !strings.HasPrefix(strings.ToLower(commit), second)) {
		return false
	}
	m := stampLine().FindStringSubmatch(first)
	return m != nil && m[1] == m[3] && m[2] == version
}

// redirectTo matches a shell redirect into a file (the last path component
// is the file's base name).
var redirectTo = lazyRegexp(`>\s*["']?(?:[^\s"'<>|;&]*/)?([A-Za-z0-9_.+-]+)["']?`)

// stampWriters maps base names written by a redirect in a build rule or
// script of the tag to the first tag file that writes it.
func stampWriters(in Input) map[string]string {
	out := map[string]string{}
	for p := range in.TagPaths {
		if b := path.Base(p); !isDownloadScript(p) && b != "configure.ac" && b != "configure.in" { // build files and shell scripts
			continue
		}
		b, ok := in.TagContent(p)
		if !ok || len(b) > maxScript {
			continue
		}
		for _, m := range redirectTo().FindAllStringSubmatch(string(b), -1) {
			if _, seen := out[m[1]]; !seen {
				out[m[1]] = p
			}
		}
	}
	return out
}
