package releasefmt

import (
	"bufio"
	"bytes"
	"fmt"
	"path"
	"strings"

	toml "github.com/pelletier/go-toml/v2"
)

// PkgInfo is the part of a PKG-INFO (core metadata) file checked here.
type PkgInfo struct {
	MetadataVersion, Name, Version string
}

// ParsePkgInfo reads the RFC 822 style header of a PKG-INFO file. It fails
// when there is no Metadata-Version, Name or Version header.
func ParsePkgInfo(b []byte) (PkgInfo, error) {
	var p PkgInfo
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			break // the body (long description) starts
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok || strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t") {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.ToLower(k) {
		case "metadata-version":
			p.MetadataVersion = v
		case "name":
			p.Name = v
		case "version":
			p.Version = v
		}
	}
	if p.MetadataVersion == "" || p.Name == "" || p.Version == "" {
		return PkgInfo{}, fmt.Errorf("PKG-INFO: Metadata-Version, Name or Version header missing")
	}
	return p, nil
}

// pyProject is what the tag says a Python project's name and version are.
type pyProject struct {
	name, version string
	source        string // tag file that gave them
	dynamicVer    bool   // version computed at build time (setuptools_scm, attr:)
	scm           bool   // setuptools_scm configured
	scmFile       string // [tool.setuptools_scm] write_to / version_file
}

var (
	setupPyName    = lazyRegexp(`(?m)^\s*name\s*=\s*['"]([A-Za-z0-9._-]+)['"]`)
	setupPyVersion = lazyRegexp(`(?m)^\s*version\s*=\s*['"]([A-Za-z0-9.+!_-]+)['"]`)
)

// tagPyProject reads pyproject.toml, setup.cfg and setup.py of the tag.
func tagPyProject(in Input) (pyProject, bool) {
	var p pyProject
	found := false
	if b, ok := in.TagContent(in.tagPath("pyproject.toml")); ok {
		var doc map[string]any
		if toml.Unmarshal(b, &doc) == nil {
			found = true
			proj := asTable(doc["project"])
			if n, ok := proj["name"].(string); ok {
				p.name, p.source = n, "pyproject.toml [project]"
			}
			if v, ok := proj["version"].(string); ok {
				p.version = v
			}
			for _, d := range asList(proj["dynamic"]) {
				if d == "version" {
					p.dynamicVer = true
				}
			}
			if poetry := asTable(asTable(doc["tool"])["poetry"]); poetry != nil && p.name == "" {
				p.name, _ = poetry["name"].(string)
				p.version, _ = poetry["version"].(string)
				p.source = "pyproject.toml [tool.poetry]"
			}
			if scm, ok := asTable(doc["tool"])["setuptools_scm"].(map[string]any); ok {
				p.scm = true
				for _, k := range []string{"version_file", "write_to"} {
					if f, ok := scm[k].(string); ok {
						p.scmFile = path.Clean(f)
					}
				}
			}
			for _, r := range asList(asTable(doc["build-system"])["requires"]) {
				s, _ := r.(string)
				if ls := strings.ToLower(s); strings.HasPrefix(ls, "setuptools_scm") || strings.HasPrefix(ls, "setuptools-scm") {
					p.scm = true
				}
			}
		}
	}
	if b, ok := in.TagContent(in.tagPath("setup.cfg")); ok {
		meta := iniSection(b, "metadata")
		found = true
		if p.name == "" && meta["name"] != "" {
			p.name, p.source = meta["name"], "setup.cfg [metadata]"
		}
		if p.version == "" && !p.dynamicVer {
			if v := meta["version"]; strings.HasPrefix(v, "attr:") || strings.HasPrefix(v, "file:") {
				p.dynamicVer = true
			} else if v != "" {
				p.version = v
			}
		}
	}
	if b, ok := in.TagContent(in.tagPath("setup.py")); ok {
		found = true
		if p.name == "" {
			if m := setupPyName().FindSubmatch(b); m != nil {
				p.name, p.source = string(m[1]), "setup.py"
			}
		}
		if p.version == "" && !p.dynamicVer {
			if m := setupPyVersion().FindSubmatch(b); m != nil {
				p.version = string(m[1])
			} else {
				p.dynamicVer = true
			}
		}
		if bytes.Contains(b, []byte("use_scm_version")) {
			p.scm, p.dynamicVer = true, true
		}
	}
	if p.version == "" {
		p.dynamicVer = true
	}
	return p, found
}

// iniSection returns the key = value pairs of one section of an INI file
// (continuation lines ignored).
func iniSection(b []byte, name string) map[string]string {
	out := map[string]string{}
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") {
			in = strings.EqualFold(strings.TrimSpace(t[1:len(t)-1]), name)
			continue
		}
		if !in || t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, ";") || line[0] == ' ' || line[0] == '\t' {
			continue
		}
		k, v, ok := strings.Cut(t, "=")
		if !ok {
			k, v, ok = strings.Cut(t, ":")
		}
		if ok {
			out[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
		}
	}
	return out
}

// withoutINISection drops every [name] section and normalizes blank lines,
// so that two setup.cfg files can be compared.
func withoutINISection(b []byte, name string) string {
	var out []string
	skip := false
	for _, line := range strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") {
			skip = strings.EqualFold(strings.TrimSpace(t[1:len(t)-1]), name)
		}
		if skip || t == "" {
			continue
		}
		out = append(out, strings.TrimRight(line, " \t"))
	}
	return strings.Join(out, "\n")
}

// canonicalINI is b as Python's RawConfigParser reads it, one line per
// section, option and value line: comments and blank lines dropped, option
// names lower-cased, values and their continuation lines stripped. The
// section skip is left out. setuptools' egg_info rewrites setup.cfg through
// configparser, so a rewritten file has the canonical form of the original.
func canonicalINI(b []byte, skip string) string {
	var out []string
	inSkip, inOption := false, false
	for _, line := range strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n") {
		t := strings.TrimSpace(line)
		switch {
		case t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, ";"):
			continue
		case strings.HasPrefix(line, "[") && strings.HasSuffix(t, "]"):
			name := t[1 : len(t)-1]
			inSkip, inOption = name == skip, false
			if !inSkip {
				out = append(out, "["+name+"]")
			}
		case inSkip:
		case inOption && (line[0] == ' ' || line[0] == '\t'):
			out = append(out, "\t"+t)
		default:
			i := strings.IndexAny(line, "=:")
			if i < 0 {
				out = append(out, "?"+t) // configparser rejects it: keep it visible
				inOption = false
				continue
			}
			out = append(out, strings.ToLower(strings.TrimSpace(line[:i]))+"="+strings.TrimSpace(line[i+1:]))
			inOption = true
		}
	}
	return strings.Join(out, "\n")
}

// eggInfoTagOnly reports whether b's [egg_info] section sets only what
// setup.py egg_info's tagging writes (tag_build, tag_date).
func eggInfoTagOnly(b []byte) bool {
	in, saw := false, false
	for _, line := range strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") && strings.HasSuffix(t, "]") {
			in = t == "[egg_info]"
			saw = saw || in
			continue
		}
		if !in || t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, ";") {
			continue
		}
		k, v, ok := strings.Cut(t, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || !(k == "tag_build" && v == "" || k == "tag_date" && (v == "0" || v == "1")) {
			return false
		}
	}
	return saw
}

var pep503 = lazyRegexp(`[-_.]+`)

func normName(s string) string { return pep503().ReplaceAllString(strings.ToLower(s), "-") }

func normVersion(s string) string {
	return strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "v")
}

// eggInfoFiles are the files setuptools' egg_info command writes.
var eggInfoFiles = map[string]bool{
	"PKG-INFO": true, "SOURCES.txt": true, "dependency_links.txt": true, "top_level.txt": true,
	"requires.txt": true, "entry_points.txt": true, "not-zip-safe": true, "zip-safe": true,
	"namespace_packages.txt": true, "eager_resources.txt": true, "native_libs.txt": true,
}

func isEggInfo(p string) (dir string, ok bool) {
	parts := strings.Split(p, "/")
	for i, part := range parts[:len(parts)-1] {
		if strings.HasSuffix(part, ".egg-info") && len(part) > len(".egg-info") {
			return strings.Join(parts[:i+1], "/"), true
		}
	}
	return "", false
}

func explainSdist(in Input, c *collector) {
	var metaFiles []string // PKG-INFO files to check
	var eggFiles []string
	for _, f := range in.TarFiles {
		switch {
		case f.Path == "PKG-INFO":
			metaFiles = append(metaFiles, f.Path)
		case strings.HasSuffix(f.Path, ".egg-info/PKG-INFO"):
			metaFiles = append(metaFiles, f.Path)
			eggFiles = append(eggFiles, f.Path)
		default:
			if _, ok := isEggInfo(f.Path); ok && eggInfoFiles[path.Base(f.Path)] {
				eggFiles = append(eggFiles, f.Path)
			}
		}
	}
	if len(metaFiles) == 0 {
		return
	}
	proj, found := tagPyProject(in)
	if !found {
		return // no Python project in the tag: PKG-INFO is not proved by this origin
	}
	c.formats["sdist"] = true
	wantVersion, verSource := proj.version, proj.source
	if proj.dynamicVer || wantVersion == "" {
		wantVersion, verSource = in.Version, "the release version (version computed at build time)"
	}
	failed := map[string]bool{}
	for _, mp := range metaFiles {
		b, _ := in.TarContent(mp)
		pi, err := ParsePkgInfo(b)
		if err != nil {
			failed[mp] = true
			continue // not core metadata: left to the other origins
		}
		if proj.name != "" && normName(pi.Name) != normName(proj.name) {
			failed[mp] = true
			c.find(Finding{Rule: RuleSdistMeta, Severity: SevHigh, Path: mp,
				Message:  fmt.Sprintf("PKG-INFO names project %q, the tag's %s names %q", pi.Name, proj.source, proj.name),
				Evidence: "Name: " + pi.Name})
		}
		if wantVersion != "" && normVersion(pi.Version) != normVersion(wantVersion) {
			failed[mp] = true
			c.find(Finding{Rule: RuleSdistMeta, Severity: SevHigh, Path: mp,
				Message:  fmt.Sprintf("PKG-INFO gives version %q, %s gives %q", pi.Version, verSource, wantVersion),
				Evidence: "Version: " + pi.Version})
		}
	}
	origin := Origin{Kind: KindSdistMeta, Detail: "build metadata written by the Python build backend", Source: proj.source}
	anyFailed := len(failed) > 0
	for _, mp := range metaFiles {
		if !failed[mp] {
			c.explain(Explanation{Path: mp, Origin: origin, Severity: SevLow, Reason: "core metadata whose name and version match the tag"})
		}
	}
	if !anyFailed {
		for _, e := range eggFiles {
			c.explain(Explanation{Path: e, Origin: origin, Severity: SevLow, Reason: "egg-info metadata written by setuptools' egg_info"})
		}
	}
	for _, f := range in.TarFiles {
		switch {
		case f.Path == "setup.cfg" && f.InTag:
			tb, _ := in.TarContent(f.Path)
			gb, _ := in.TagContent(in.tagPath(f.Path))
			if bytes.Contains(tb, []byte("[egg_info]")) && withoutINISection(tb, "egg_info") == withoutINISection(gb, "egg_info") {
				c.explain(Explanation{Path: f.Path, Origin: Origin{Kind: KindSdistMeta, Detail: "setup.cfg with the [egg_info] tag_build/tag_date section setuptools adds", Source: in.tagPath("setup.cfg")},
					Severity: SevLow, Reason: "differs from the tag's setup.cfg only by the [egg_info] section"})
			} else if eggInfoTagOnly(tb) && canonicalINI(tb, "egg_info") == canonicalINI(gb, "egg_info") {
				c.explain(Explanation{Path: f.Path, Origin: Origin{Kind: KindSdistMeta, Detail: "setup.cfg rewritten by setuptools' configparser, with the [egg_info] section it adds", Source: in.tagPath("setup.cfg")},
					Severity: SevLow, Reason: "the tag's setup.cfg as configparser writes it back (comments dropped, keys lower-cased, continuation lines re-indented) plus the [egg_info] tag section"})
			}
		case proj.scm && in.Version != "" && (f.Path == proj.scmFile || path.Base(f.Path) == "_version.py"):
			b, _ := in.TarContent(f.Path)
			if isSCMVersionFile(b, in.Version) {
				c.explain(Explanation{Path: f.Path, Origin: Origin{Kind: KindSdistMeta, Detail: "version file written by setuptools_scm", Source: in.tagPath("pyproject.toml")},
					Severity: SevLow, Reason: "holds only the release version " + in.Version})
			}
		}
	}
}

// scmLine matches every line setuptools_scm's version-file templates hold.
var scmLine = lazyRegexp(`^(?:` +
	`\s*(?:#.*)?` +
	`|__all__ = \[[^\]]*\]` +
	`|TYPE_CHECKING = False` +
	`|if TYPE_CHECKING:|else:` +
	`|\s+from typing import [A-Za-z, ]+` +
	`|\s+(?:VERSION_TUPLE|COMMIT_ID) = [A-Za-z\[\], .]+` +
	`|[A-Za-z_]+: [A-Z_a-z]+` +
	`|(?:__version__ = )?version = ['"]([^'"\\]+)['"]` +
	`|(?:__version_tuple__ = )?version_tuple = \(['"A-Za-z0-9, .+_-]*\)` +
	`|(?:__commit_id__ = )?commit_id = (?:None|['"][0-9a-zA-Z.]+['"])` +
	`)$`)

// isSCMVersionFile reports whether b is a setuptools_scm version file (every
// line from its templates) holding version.
func isSCMVersionFile(b []byte, version string) bool {
	if len(b) > 4096 {
		return false
	}
	sawVersion := false
	for _, line := range strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n") {
		m := scmLine().FindStringSubmatch(line)
		if m == nil {
			return false
		}
		if m[1] != "" {
			if normVersion(m[1]) != normVersion(version) {
				return false
			}
			sawVersion = true
		}
	}
	return sawVersion
}
