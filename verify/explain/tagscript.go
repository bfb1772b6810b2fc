package explain

import (
	"path"
	"strings"

	"bytes"
	"github.com/tarcheck/tarcheck/autotools"
	"github.com/tarcheck/tarcheck/verify/compare"
	"github.com/tarcheck/tarcheck/verify/report"
)

// echoScriptLevels is how many directories above a file a tag script that
// writes it may sit (libarchive's doc/update.sh writes doc/html/Makefile).
const echoScriptLevels = 2

// TransformEcho is the Transform of an origin proved by a tag script's
// echo lines.
const TransformEcho = "every line printed by the script's echo commands"

// fromTagScript proves a file only in the tarball that a shell script of
// the tag writes with echo redirections, line by line: every line of the
// file is one of the script's echo templates with plain names in its
// expansions (autotools.EchoTemplates). The script sits in the file's
// directory or up to echoScriptLevels above it, and its cd commands lead
// to the file's directory.
func (p *Provenance) fromTagScript(rel string, content []byte) *report.Origin {
	if p.tag == nil || p.blobs == nil || len(content) == 0 {
		return nil
	}
	d := path.Dir(rel)
	for range echoScriptLevels + 1 {
		for _, s := range p.tagScriptsIn(d) {
			if p.echoTemplates(s).Written(rel, content) {
				return &report.Origin{Kind: report.OriginTag, Path: s, Transform: TransformEcho}
			}
		}
		if d == "." {
			break
		}
		d = path.Dir(d)
	}
	return nil
}

// tagScriptsIn lists the tag's shell scripts (*.sh, or executable files)
// directly in dir.
func (p *Provenance) tagScriptsIn(dir string) []string {
	if p.scriptsByDir == nil {
		p.scriptsByDir = map[string][]string{}
		for q := range p.tag.Match(func(q []byte, g *compare.GitFile) bool {
			return g.Mode == 0o100755 || bytes.HasSuffix(q, []byte(".sh"))
		}) {
			p.scriptsByDir[path.Dir(q)] = append(p.scriptsByDir[path.Dir(q)], q)
		}
	}
	return p.scriptsByDir[dir]
}

// echoTemplates parses a tag script once.
func (p *Provenance) echoTemplates(script string) autotools.EchoTemplates {
	if t, ok := p.echo[script]; ok {
		return t
	}
	if p.echo == nil {
		p.echo = map[string]autotools.EchoTemplates{}
	}
	var t autotools.EchoTemplates
	if g := p.tag.Get(script); g != nil && g.Mode != 0o120000 {
		b, err := p.blobs.Read(g.HexID())
		if err == nil && (strings.HasPrefix(string(b[:min(len(b), 2)]), "#!") || strings.HasSuffix(script, ".sh")) {
			t = autotools.ScriptEchoTemplates(script, b)
		}
	}
	p.echo[script] = t
	return t
}

// TransformTemplate is the Transform of an origin proved as an instance of
// a tag template whose file-list placeholders were filled in.
const TransformTemplate = "the template with its file-list placeholder lines filled with project items"

var (
	// templatePlaceholderRe is a placeholder line of a project-file
	// template (curl's projects/Windows/VC*/lib/libcurl.tmpl holds
	// "CURL_LIB_C_FILES" alone on a line).
	templatePlaceholderRe = lazyRegexp(`^[A-Z][A-Z0-9_]*_FILES$`)
	// msbuildItemRe is one item an IDE-project generator writes for a
	// placeholder: a source, header or resource file of the release by a
	// relative path of plain names, nothing else.
	msbuildItemRe = lazyRegexp(`^[ \t]*<(?:ClCompile|ClInclude|ResourceCompile|None) Include="(?:\.\.\\)*[A-Za-z0-9_][A-Za-z0-9_.\\-]*" />$`)
)

// fromTagTemplate proves an IDE project file only in the tarball (curl's
// projects/Windows/VC14/lib/libcurl.vcxproj, written by "make vc-ide" at
// release) as an instance of the tag's template beside it (libcurl.tmpl):
// line endings aside, every line equals the template's, except that each
// placeholder line is replaced by any number of MSBuild item lines naming
// files by plain relative paths.
func (p *Provenance) fromTagTemplate(rel string, content []byte) *report.Origin {
	if p.tag == nil || p.blobs == nil || len(content) == 0 || path.Ext(rel) != ".vcxproj" {
		return nil
	}
	tmpl := strings.TrimSuffix(rel, path.Ext(rel)) + ".tmpl"
	g := p.tag.Get(tmpl)
	if g == nil || !compare.IsRegular(g) {
		return nil
	}
	b, err := p.blobs.Read(g.HexID())
	if err != nil || !templateInstance(b, content) {
		return nil
	}
	return &report.Origin{Kind: report.OriginTag, Path: tmpl, Transform: TransformTemplate}
}

// templateInstance reports whether out is tmpl with its placeholder lines
// replaced by MSBuild item lines (CRLF or LF line endings on either side).
func templateInstance(tmpl, out []byte) bool {
	tl := strings.Split(strings.TrimSuffix(strings.ReplaceAll(string(tmpl), "\r\n", "\n"), "\n"), "\n")
	ol := strings.Split(strings.TrimSuffix(strings.ReplaceAll(string(out), "\r\n", "\n"), "\n"), "\n")
	j, filled := 0, false
	for _, t := range tl {
		if templatePlaceholderRe().MatchString(t) {
			for j < len(ol) && msbuildItemRe().MatchString(ol[j]) {
				j++
				filled = true
			}
			continue
		}
		if j >= len(ol) || ol[j] != t {
			return false
		}
		j++
	}
	return j == len(ol) && filled
}
