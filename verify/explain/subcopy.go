package explain

import (
	"bytes"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/tarcheck/tarcheck/verify/compare"
	"github.com/tarcheck/tarcheck/verify/report"
)

// Copies of a submodule's files at other paths: a bootstrap copies files
// from the submodules the tag pins into the release's own tree (tar's
// bootstrap takes lib/paxerror.c, rmt/rmt.c and tests/genfile.c from
// paxutils; gnutls' takes lib/minitasn1/ from devel/libtasn1's lib/).
// Such a file is proved when its exact bytes (its git blob id) are a file
// of a pinned submodule at the commit the tag pins, at any path.

// pin is a gitlink of the tag: a submodule's path and pinned commit.
type pin struct{ path, commit string }

// SetSubmodules gives the search a reader of the commit the tag pins for
// a submodule (Input.Submodule; nil when it cannot be read), so that a
// file copied from a submodule to another path is proved by its blob at
// the pinned commit. gnulib is not searched here: it has its own step.
func (p *Provenance) SetSubmodules(read func(path, commit string) *GnulibTree) {
	p.readSub = read
	p.subs = nil
}

// submodules are the tag's gitlinks other than gnulib, by path.
func (p *Provenance) submodules() []pin {
	if p.subs != nil || p.tag == nil {
		return p.subs
	}
	p.subs = []pin{}
	for rel, g := range p.tag.Where(compare.IsSubmodule) {
		if rel == "gnulib" || strings.HasSuffix(rel, "/gnulib") ||
			(p.gnulib != nil && g.HexID() == p.gnulib.Commit) {
			continue
		}
		p.subs = append(p.subs, pin{rel, g.HexID()})
	}
	sort.Slice(p.subs, func(i, j int) bool { return p.subs[i].path < p.subs[j].path })
	return p.subs
}

// fromSubmodule finds the blob id in the tree of a submodule at the
// commit the tag pins, in the order of the submodules' paths. Only the
// submodules' readers are consulted, each once (the reader caches).
func (p *Provenance) fromSubmodule(rel string, id [20]byte) *report.Origin {
	return p.eachSubmodule(rel, func(s pin, t *GnulibTree) *report.Origin {
		q, ok := t.ByID[id]
		if !ok {
			return nil
		}
		return &report.Origin{Kind: report.OriginTag, Submodule: s.path, Commit: s.commit, Path: s.path + "/" + q}
	})
}

// eachSubmodule calls try with each submodule that rel is not below
// (files below a submodule are submoduleFile's case, proved at their own
// path only) and whose pinned commit was read, until one proves rel.
func (p *Provenance) eachSubmodule(rel string, try func(s pin, t *GnulibTree) *report.Origin) *report.Origin {
	if p.readSub == nil {
		return nil
	}
	for _, s := range p.submodules() {
		if strings.HasPrefix(rel, s.path+"/") {
			continue
		}
		if t := p.readSub(s.path, s.commit); t != nil && t.Commit == s.commit {
			if o := try(s, t); o != nil {
				return o
			}
		}
	}
	return nil
}

// TransformVersionNumbers names the rewrite of a submodule's template
// whose @PLACEHOLDER@s a bootstrap replaced by version numbers (gnutls'
// import-minitasn1.sh writes lib/minitasn1/libtasn1.h from libtasn1's
// lib/includes/libtasn1.h.in with @VERSION@ → 4.20.0).
const TransformVersionNumbers = "@PLACEHOLDER@s replaced by version numbers"

// fromSubmoduleTemplate proves a file made from a template X.in of a
// pinned submodule (any directory of it, X the file's base name): every
// line is the template's, except that @PLACEHOLDER@s are replaced, the
// same one always by the same value, by version numbers (4.20.0,
// 0x041400), which carry no code.
func (p *Provenance) fromSubmoduleTemplate(rel string, content []byte) *report.Origin {
	if len(content) == 0 || bytes.IndexByte(content, 0) >= 0 {
		return nil
	}
	base := path.Base(rel) + ".in"
	return p.eachSubmodule(rel, func(s pin, t *GnulibTree) *report.Origin {
		if t.Read == nil {
			return nil
		}
		for _, q := range p.subTemplates(s.path, t)[base] {
			tmpl, ok := t.Read(q)
			if !ok {
				continue
			}
			if vals, ok := versionInstance(tmpl, content); ok {
				return &report.Origin{Kind: report.OriginTag, Submodule: s.path, Commit: s.commit, Path: s.path + "/" + q,
					Transform: TransformVersionNumbers + " (" + vals + ")"}
			}
		}
		return nil
	})
}

// subTemplates indexes the templates (*.in) of submodule sub's read tree
// by base name, once.
func (p *Provenance) subTemplates(sub string, t *GnulibTree) map[string][]string {
	if idx, ok := p.subIn[sub]; ok {
		return idx
	}
	idx := map[string][]string{}
	for _, q := range t.ByID {
		if strings.HasSuffix(q, ".in") {
			b := path.Base(q)
			idx[b] = append(idx[b], q)
		}
	}
	for _, qs := range idx {
		sort.Strings(qs)
	}
	if p.subIn == nil {
		p.subIn = map[string]map[string][]string{}
	}
	p.subIn[sub] = idx
	return idx
}

// versionValue is what a placeholder may become: a dotted version or a
// hex version number.
const versionValue = `([0-9]+(?:\.[0-9]+)*|0x[0-9A-Fa-f]+)`

// versionInstance reports whether out is tmpl with at least one
// @PLACEHOLDER@ replaced, each consistently, by a version number and
// nothing else changed, and the values ("VERSION=4.20.0").
func versionInstance(tmpl, out []byte) (string, bool) {
	tl := strings.Split(string(tmpl), "\n")
	ol := strings.Split(string(out), "\n")
	if len(tl) != len(ol) {
		return "", false
	}
	vals := map[string]string{}
	for i, t := range tl {
		if t == ol[i] {
			continue
		}
		names := placeholderRe().FindAllString(t, -1)
		if len(names) == 0 {
			return "", false
		}
		pat := "^" + strings.Join(strings.Split(regexp.QuoteMeta(placeholderRe().ReplaceAllString(t, "\x00")), "\x00"), versionValue) + "$"
		re, err := regexp.Compile(pat)
		if err != nil {
			return "", false
		}
		m := re.FindStringSubmatch(ol[i])
		if m == nil {
			return "", false
		}
		for j, n := range names {
			if v, ok := vals[n]; ok && v != m[j+1] {
				return "", false
			}
			vals[n] = m[j+1]
		}
	}
	if len(vals) == 0 {
		return "", false
	}
	var kv []string
	for n, v := range vals {
		kv = append(kv, strings.Trim(n, "@")+"="+v)
	}
	sort.Strings(kv)
	return strings.Join(kv, ", "), true
}

// placeholderRe is a configure-style @PLACEHOLDER@.
var placeholderRe = lazyRegexp(`@[A-Za-z_][A-Za-z0-9_]*@`)
