package explain

import (
	"path"
	"strings"

	"github.com/tarcheck/tarcheck/autotools"
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
		for q, g := range p.tag.All() {
			if g.Mode == 0o100755 || strings.HasSuffix(q, ".sh") {
				p.scriptsByDir[path.Dir(q)] = append(p.scriptsByDir[path.Dir(q)], q)
			}
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
