package explain

import (
	"bytes"
	"github.com/tarcheck/tarcheck/internal/limits"
	"path"
	"strings"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"

	"github.com/tarcheck/tarcheck/autotools/origindb"
	"github.com/tarcheck/tarcheck/verify/compare"
	"github.com/tarcheck/tarcheck/verify/report"
)

// bootstrapScripts are the tag's scripts that a GNU bootstrap runs (or
// sources) before make dist: their here-documents may write files that
// then ship only in the tarball (findutils' bootstrap.conf writes
// gl/Makefile.am with cat > gl/Makefile.am <<EOF).
var bootstrapScripts = []string{"bootstrap", "bootstrap.conf", "autogen.sh", "autogen"}

// maxHeredocScript caps the size of a script parsed for here-documents.
const maxHeredocScript = limits.ExplainMaxHeredocScript

// heredoc is one here-document of a tag script that writes a file.
type heredoc struct {
	script string // the tag's script
	target string // the path it writes, relative to the top
	body   *syntax.Word
	quoted bool // <<'EOF': the body is literal
}

// fromTagHeredoc proves rel when a here-document of the tag's bootstrap
// scripts, redirected to exactly rel, expands to exactly rel's bytes: the
// file was written by the tag's own script. An unquoted body may expand
// only $0 (the name bootstrap ran as); any other expansion, command
// substitution or arithmetic makes the here-document unusable as proof.
func (p *Provenance) fromTagHeredoc(rel string, id [20]byte) *report.Origin {
	if p.tag == nil || p.blobs == nil {
		return nil
	}
	if p.heredocs == nil {
		p.heredocs = p.readHeredocs()
	}
	for _, h := range p.heredocs[rel] {
		for _, name := range dollarZero(h.script) {
			out, ok := expandHeredoc(h, name)
			if ok && [20]byte(origindb.BlobID(out)) == id {
				t := "here-document (cat > " + rel + ")"
				if !h.quoted {
					t += " with $0=" + name
				}
				return &report.Origin{Kind: report.OriginTag, Path: h.script, Transform: t}
			}
		}
	}
	return nil
}

// readHeredocs parses the tag's top-level bootstrap scripts and indexes
// their file-writing here-documents by target path.
func (p *Provenance) readHeredocs() map[string][]heredoc {
	out := map[string][]heredoc{}
	for _, name := range bootstrapScripts {
		g := p.tag.Get(name)
		if g == nil || !compare.IsRegular(g) {
			continue
		}
		src, err := p.blobs.Read(g.HexID())
		if err != nil || len(src) == 0 || len(src) > maxHeredocScript || !bytes.Contains(src, []byte("<<")) {
			continue
		}
		for _, h := range scriptHeredocs(name, src) {
			out[h.target] = append(out[h.target], h)
		}
	}
	return out
}

// scriptHeredocs lists the here-documents of the shell script src (named
// script) that a plain `cat > FILE` writes to a literal relative path.
func scriptHeredocs(script string, src []byte) []heredoc {
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(bytes.NewReader(src), script)
	if err != nil {
		return nil
	}
	var out []heredoc
	syntax.Walk(f, func(n syntax.Node) bool {
		st, ok := n.(*syntax.Stmt)
		if !ok {
			return true
		}
		call, ok := st.Cmd.(*syntax.CallExpr)
		if !ok || len(call.Args) != 1 || call.Args[0].Lit() != "cat" || len(call.Assigns) > 0 {
			return true
		}
		var target string
		var doc *syntax.Redirect
		for _, r := range st.Redirs {
			switch r.Op {
			case syntax.RdrOut, syntax.ClbOut:
				if r.N != nil && r.N.Value != "1" {
					return true
				}
				target = r.Word.Lit()
			case syntax.Hdoc:
				doc = r
			default:
				return true
			}
		}
		target = path.Clean(strings.TrimPrefix(target, "./"))
		if doc == nil || doc.Hdoc == nil || target == "." || path.IsAbs(target) || strings.HasPrefix(target, "../") {
			return true
		}
		out = append(out, heredoc{script: script, target: target, body: doc.Hdoc, quoted: quotedDelim(doc.Word)})
		return true
	})
	return out
}

// quotedDelim reports a quoted here-document delimiter (<<'EOF', <<"EOF",
// <<\EOF): the body is then taken literally.
func quotedDelim(w *syntax.Word) bool {
	if w == nil {
		return false
	}
	for _, part := range w.Parts {
		switch part := part.(type) {
		case *syntax.SglQuoted, *syntax.DblQuoted:
			return true
		case *syntax.Lit:
			if strings.Contains(part.Value, `\`) {
				return true
			}
		}
	}
	return false
}

// dollarZero are the names a bootstrap script runs as ($0), as a
// maintainer runs it from the top directory; bootstrap.conf is sourced by
// bootstrap.
func dollarZero(script string) []string {
	if script == "bootstrap.conf" {
		return []string{"./bootstrap", "bootstrap"}
	}
	return []string{"./" + script, script}
}

// expandHeredoc expands a here-document's body as the shell would with $0
// set to name and nothing else defined; false when the body needs
// anything else (a variable, a command substitution, arithmetic).
func expandHeredoc(h heredoc, name string) ([]byte, bool) {
	if h.quoted {
		var b strings.Builder
		for _, part := range h.body.Parts {
			lit, ok := part.(*syntax.Lit)
			if !ok {
				return nil, false
			}
			b.WriteString(lit.Value)
		}
		return []byte(b.String()), true
	}
	ok := true
	syntax.Walk(h.body, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.ParamExp:
			if n.Param == nil || n.Param.Value != "0" || n.Exp != nil || n.Repl != nil || n.Index != nil || n.Slice != nil || n.Excl || n.Length || n.Width {
				ok = false
			}
		case *syntax.CmdSubst, *syntax.ArithmExp, *syntax.ProcSubst:
			ok = false
		}
		return ok
	})
	if !ok {
		return nil, false
	}
	cfg := &expand.Config{Env: expand.ListEnviron("0=" + name)}
	s, err := expand.Document(cfg, h.body)
	if err != nil {
		return nil, false
	}
	return []byte(s), true
}
