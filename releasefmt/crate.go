package releasefmt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"reflect"
	"sort"
	"strings"

	toml "github.com/pelletier/go-toml/v2"
)

// CrateVCS is what a crate's .cargo_vcs_info.json records.
type CrateVCS struct {
	// Commit is git.sha1; PathInVCS is the package directory inside the
	// repository ("" for the root); Dirty is git.dirty.
	Commit    string
	PathInVCS string
	Dirty     bool
}

type cargoVCSInfo struct {
	Git *struct {
		SHA1  string `json:"sha1"`
		Dirty bool   `json:"dirty"`
	} `json:"git"`
	PathInVCS *string `json:"path_in_vcs"`
}

// ParseCargoVCSInfo parses a .cargo_vcs_info.json. It rejects a missing
// commit and a path_in_vcs that is absolute or leaves the repository.
func ParseCargoVCSInfo(b []byte) (CrateVCS, error) {
	var v cargoVCSInfo
	if err := json.Unmarshal(b, &v); err != nil {
		return CrateVCS{}, fmt.Errorf(".cargo_vcs_info.json: %w", err)
	}
	if v.Git == nil || !isHex(v.Git.SHA1) {
		return CrateVCS{}, fmt.Errorf(".cargo_vcs_info.json: git.sha1 missing or not a hex commit id")
	}
	out := CrateVCS{Commit: strings.ToLower(v.Git.SHA1), Dirty: v.Git.Dirty}
	if v.PathInVCS != nil {
		p := strings.TrimSuffix(*v.PathInVCS, "/")
		if p != "" && (path.IsAbs(p) || path.Clean(p) != p || p == "." || p == ".." || strings.HasPrefix(p, "../") || strings.Contains(p, "\\")) {
			return CrateVCS{}, fmt.Errorf(".cargo_vcs_info.json: path_in_vcs %q is not a clean relative path", *v.PathInVCS)
		}
		out.PathInVCS = p
	}
	return out, nil
}

// DetectCrate reports whether the tarball is the output of `cargo package`
// (a Cargo.toml.orig beside Cargo.toml) and returns its .cargo_vcs_info.json.
// The caller must compare tarball paths against tag paths under
// vcs.PathInVCS (Input.Subtree), not the repository root. err is set when the
// crate's vcs info is absent or unreadable: then vcs is empty and the caller
// compares against the root (Explain reports it).
func DetectCrate(tarContent func(string) ([]byte, bool)) (vcs CrateVCS, ok bool, err error) {
	if tarContent == nil {
		return CrateVCS{}, false, nil
	}
	if _, has := tarContent("Cargo.toml.orig"); !has {
		return CrateVCS{}, false, nil
	}
	if _, has := tarContent("Cargo.toml"); !has {
		return CrateVCS{}, false, nil
	}
	b, has := tarContent(".cargo_vcs_info.json")
	if !has {
		return CrateVCS{}, true, fmt.Errorf("crate has no .cargo_vcs_info.json: it was packaged outside git or with --allow-dirty from a tree git did not track")
	}
	vcs, err = ParseCargoVCSInfo(b)
	return vcs, true, err
}

func isHex(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

func explainCrate(in Input, c *collector) {
	vcs, ok, err := DetectCrate(in.TarContent)
	if !ok {
		return
	}
	c.formats["crate"] = true
	if err != nil {
		c.find(Finding{Rule: RuleCrateVCSInfo, Severity: SevMedium, Path: ".cargo_vcs_info.json",
			Message: err.Error() + "; the crate's commit and path in the repository cannot be checked"})
		vcs.PathInVCS = in.Subtree
	} else {
		origin := Origin{Kind: KindCargoPackage, Detail: "cargo package records the commit and path it packaged", Commit: vcs.Commit}
		switch {
		case in.Commit != "" && !strings.EqualFold(vcs.Commit, in.Commit):
			c.find(Finding{Rule: RuleCrateCommit, Severity: SevHigh, Path: ".cargo_vcs_info.json",
				Message:  fmt.Sprintf("crate was packaged from commit %s, not the tag's commit %s", vcs.Commit, in.Commit),
				Evidence: "git.sha1 = " + vcs.Commit})
		default:
			c.explain(Explanation{Path: ".cargo_vcs_info.json", Origin: origin, Severity: SevInfo,
				Reason: "records the tag's commit " + short(vcs.Commit) + " and path " + quoteRoot(vcs.PathInVCS)})
		}
		if vcs.Dirty {
			c.find(Finding{Rule: RuleCrateDirty, Severity: SevMedium, Path: ".cargo_vcs_info.json",
				Message: "crate was packaged from a working tree with uncommitted changes (git.dirty = true)", Evidence: `"dirty": true`})
		}
	}
	in.Subtree = vcs.PathInVCS
	cargoOK := Origin{Kind: KindCargoPackage, Detail: "marker written by cargo when unpacking a crate"}
	for _, marker := range []string{".cargo-ok"} {
		if b, has := in.TarContent(marker); has && len(bytes.TrimSpace(b)) < 64 {
			c.explain(Explanation{Path: marker, Origin: cargoOK, Severity: SevLow, Reason: "cargo's unpack marker"})
		}
	}

	tagManifestPath := in.tagPath("Cargo.toml")
	tagManifest, hasTag := in.TagContent(tagManifestPath)
	orig, _ := in.TarContent("Cargo.toml.orig")
	if !hasTag {
		c.find(Finding{Rule: RuleCrateOrig, Severity: SevHigh, Path: "Cargo.toml.orig",
			Message: fmt.Sprintf("the tag has no %s: the crate's original manifest cannot come from the tag", tagManifestPath)})
		return
	}
	if bytes.Equal(orig, tagManifest) {
		c.explain(Explanation{Path: "Cargo.toml.orig", Origin: Origin{Kind: KindCargoPackage, Detail: "original manifest kept by cargo package", Source: tagManifestPath},
			Severity: SevInfo, Reason: "equal to the tag's " + tagManifestPath})
	} else {
		c.find(Finding{Rule: RuleCrateOrig, Severity: SevHigh, Path: "Cargo.toml.orig",
			Message:  fmt.Sprintf("Cargo.toml.orig differs from the tag's %s", tagManifestPath),
			Evidence: firstDiffLine(orig, tagManifest)})
	}

	ws := findWorkspaceRoot(in, vcs.PathInVCS)
	norm, _ := in.TarContent("Cargo.toml")
	chk := &manifestCheck{in: in, ws: ws}
	problems := chk.check(tagManifest, norm)
	if len(problems) == 0 {
		c.explain(Explanation{Path: "Cargo.toml", Origin: Origin{Kind: KindCargoPackage, Detail: "manifest normalized by cargo package", Source: tagManifestPath},
			Severity: SevInfo, Reason: "differs from the tag's " + tagManifestPath + " only by cargo's normalization"})
		for _, cp := range chk.copies {
			c.explain(Explanation{Path: cp.tar, Origin: Origin{Kind: KindCargoPackage, Detail: "file copied into the crate by cargo package (" + cp.key + ")", Source: cp.tag},
				Severity: SevInfo, Reason: "equal to the tag's " + cp.tag})
		}
	} else {
		const maxProblems = 10
		for i, p := range problems {
			if i == maxProblems {
				c.find(Finding{Rule: RuleCrateNormalized, Severity: SevHigh, Path: "Cargo.toml",
					Message: fmt.Sprintf("%d more differences cargo's normalization does not make", len(problems)-maxProblems)})
				break
			}
			c.find(Finding{Rule: RuleCrateNormalized, Severity: SevHigh, Path: "Cargo.toml", Message: p.msg, Evidence: evidence(p.evidence)})
		}
	}
	explainCargoLock(in, ws, c)
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

func quoteRoot(p string) string {
	if p == "" {
		return "(repository root)"
	}
	return p
}

// firstDiffLine quotes the first line where a and b differ.
func firstDiffLine(a, b []byte) string {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return evidence(fmt.Sprintf("line %d: tarball %q, tag %q", i+1, x, y))
		}
	}
	return ""
}

// workspace is the tag's workspace root manifest.
type workspace struct {
	dir string // tag path of the workspace root directory ("" = repository root)
	doc map[string]any
}

// findWorkspaceRoot walks up from the package directory to the nearest
// Cargo.toml with a [workspace] table, as cargo does.
func findWorkspaceRoot(in Input, pkgDir string) *workspace {
	dir := pkgDir
	for {
		p := "Cargo.toml"
		if dir != "" {
			p = dir + "/Cargo.toml"
		}
		if b, ok := in.TagContent(p); ok {
			var doc map[string]any
			if toml.Unmarshal(b, &doc) == nil {
				if _, has := doc["workspace"].(map[string]any); has {
					return &workspace{dir: dir, doc: doc}
				}
			}
		}
		if dir == "" {
			return nil
		}
		dir = parentDir(dir)
	}
}

func parentDir(p string) string {
	d := path.Dir(p)
	if d == "." {
		return ""
	}
	return d
}

func (w *workspace) table(keys ...string) map[string]any {
	if w == nil {
		return nil
	}
	t := w.doc
	for _, k := range keys {
		next, ok := t[k].(map[string]any)
		if !ok {
			return nil
		}
		t = next
	}
	return t
}

type problem struct{ msg, evidence string }

type fileCopy struct{ tar, tag, key string }

// manifestCheck compares the tag's manifest with cargo's normalized one.
type manifestCheck struct {
	in       Input
	ws       *workspace
	problems []problem
	copies   []fileCopy
}

func (m *manifestCheck) bad(msg string, ev any) {
	m.problems = append(m.problems, problem{msg: msg, evidence: fmt.Sprint(ev)})
}

// Tables cargo drops from a published manifest.
var cargoDropped = map[string]bool{"workspace": true, "patch": true, "replace": true}

// Keys cargo adds to [package].
var cargoAddedPackageBools = map[string]bool{"autolib": true, "autobins": true, "autoexamples": true, "autotests": true, "autobenches": true}

func (m *manifestCheck) check(tagManifest, normalized []byte) []problem {
	var orig, norm map[string]any
	if err := toml.Unmarshal(tagManifest, &orig); err != nil {
		m.bad("the tag's Cargo.toml does not parse: "+oneLine(err.Error()), "")
		return m.problems
	}
	if err := toml.Unmarshal(normalized, &norm); err != nil {
		m.bad("Cargo.toml does not parse as TOML: "+oneLine(err.Error()), "")
		return m.problems
	}
	keys := unionKeys(orig, norm)
	for _, k := range keys {
		ov, inOrig := orig[k]
		nv, inNorm := norm[k]
		switch {
		case cargoDropped[k]:
			if inNorm && !reflect.DeepEqual(ov, nv) {
				m.bad(fmt.Sprintf("[%s] differs from the tag's (cargo drops it)", k), nv)
			}
		case k == "package" || k == "project":
			m.checkPackage(asTable(ov), asTable(nv))
		case k == "dependencies" || k == "dev-dependencies" || k == "build-dependencies" ||
			k == "dev_dependencies" || k == "build_dependencies":
			m.checkDeps(k, asTable(ov), asTable(nv), k == "dev-dependencies" || k == "dev_dependencies")
		case k == "target":
			m.checkTargetDeps(asTable(ov), asTable(nv))
		case k == "lib":
			m.checkTargets(k, wrapList(ov), wrapList(nv))
		case k == "bin" || k == "example" || k == "test" || k == "bench":
			m.checkTargets(k, asList(ov), asList(nv))
		case k == "lints":
			want := ov
			if t := asTable(ov); t != nil && t["workspace"] == true {
				want = any(m.ws.table("workspace", "lints"))
			}
			if nv != nil && !equalValue(want, nv) { // cargo before 1.74 drops [lints]
				m.bad("[lints] differs from the tag's (after workspace inheritance)", nv)
			}
		default:
			if !inNorm {
				continue // a table cargo leaves out costs nothing
			}
			if !inOrig {
				m.bad(fmt.Sprintf("[%s] is not in the tag's Cargo.toml", k), nv)
			} else if !equalValue(ov, nv) {
				m.bad(fmt.Sprintf("[%s] differs from the tag's Cargo.toml", k), nv)
			}
		}
	}
	return m.problems
}

func (m *manifestCheck) checkPackage(orig, norm map[string]any) {
	if norm == nil {
		m.bad("Cargo.toml has no [package] table", "")
		return
	}
	wsPkg := m.ws.table("workspace", "package")
	for _, k := range unionKeys(orig, norm) {
		ov, inOrig := orig[k]
		nv, inNorm := norm[k]
		fromWS := false
		if t := asTable(ov); t != nil && t["workspace"] == true && k != "metadata" {
			w, ok := wsPkg[k]
			if !ok {
				m.bad(fmt.Sprintf("package.%s inherits from a workspace that does not set it", k), "")
				continue
			}
			ov, fromWS = w, true
		}
		switch {
		case k == "workspace":
			if inNorm {
				m.bad("package.workspace kept in the normalized manifest", nv)
			}
		case cargoAddedPackageBools[k]:
			if !inOrig {
				if _, isBool := nv.(bool); !isBool {
					m.bad(fmt.Sprintf("package.%s is not a boolean", k), nv)
				}
			} else if inNorm && !equalValue(ov, nv) {
				m.bad(fmt.Sprintf("package.%s changed from %v to %v", k, ov, nv), nv)
			}
		case k == "build":
			m.checkBuild(ov, inOrig, nv, inNorm)
		case k == "readme" || k == "license-file":
			m.checkCopiedFile(k, ov, inOrig, fromWS, nv, inNorm)
		case k == "resolver" && !inOrig:
			if ws := m.ws.table("workspace"); ws == nil || !equalValue(ws["resolver"], nv) {
				m.bad("package.resolver added with a value the workspace does not set", nv)
			}
		case k == "edition" && !inOrig:
			if nv != "2015" {
				m.bad("package.edition added with a value other than cargo's default 2015", nv)
			}
		case !inNorm:
			if k != "metadata" {
				m.bad(fmt.Sprintf("package.%s of the tag's Cargo.toml is missing", k), ov)
			}
		case !inOrig:
			m.bad(fmt.Sprintf("package.%s is not in the tag's Cargo.toml", k), nv)
		case !equalValue(ov, nv):
			m.bad(fmt.Sprintf("package.%s differs from the tag's Cargo.toml", k), fmt.Sprintf("%v (tag: %v)", nv, ov))
		}
	}
}

// checkBuild allows cargo's explicit `build = "build.rs"` when the tag has
// that file, and `build = false` when the tag has none.
func (m *manifestCheck) checkBuild(ov any, inOrig bool, nv any, inNorm bool) {
	switch {
	case inOrig && inNorm:
		if equalValue(ov, nv) {
			return
		}
		if ov == true && nv == "build.rs" && m.tagHas("build.rs") {
			return
		}
		m.bad("package.build differs from the tag's Cargo.toml: a build script the tag does not declare", nv)
	case !inNorm:
		return
	case nv == false:
		return
	case nv == "build.rs" && m.tagHas("build.rs"):
		return
	default:
		m.bad("package.build names a build script the tag's Cargo.toml does not declare", nv)
	}
}

// checkCopiedFile checks readme / license-file: cargo rewrites a path that
// leaves the package to the file's base name and copies the file in.
func (m *manifestCheck) checkCopiedFile(key string, ov any, inOrig, fromWS bool, nv any, inNorm bool) {
	if !inNorm {
		if inOrig && ov != false {
			m.bad(fmt.Sprintf("package.%s of the tag's Cargo.toml is missing", key), ov)
		}
		return
	}
	ns, isStr := nv.(string)
	if !inOrig && nv == false {
		return // cargo writes readme = false when there is none
	}
	if !isStr {
		if !inOrig || !equalValue(ov, nv) {
			m.bad(fmt.Sprintf("package.%s differs from the tag's Cargo.toml", key), nv)
		}
		return
	}
	var src string
	switch {
	case !inOrig:
		if key != "readme" || strings.Contains(ns, "/") {
			m.bad(fmt.Sprintf("package.%s is not in the tag's Cargo.toml", key), nv)
			return
		}
		src = m.in.tagPath(ns) // readme found by cargo in the package directory
	default:
		os, ok := ov.(string)
		if !ok {
			m.bad(fmt.Sprintf("package.%s differs from the tag's Cargo.toml", key), nv)
			return
		}
		base := m.in.Subtree
		if fromWS && m.ws != nil {
			base = m.ws.dir
		}
		src = path.Clean(path.Join(base, os))
		if src == ".." || strings.HasPrefix(src, "../") {
			m.bad(fmt.Sprintf("package.%s points outside the repository", key), ov)
			return
		}
		if ns == os {
			return
		}
		if ns != path.Base(os) && ns != strings.TrimPrefix(path.Clean(os), "./") {
			m.bad(fmt.Sprintf("package.%s rewritten to %q, not the base name of %q", key, ns, os), nv)
			return
		}
	}
	if path.Clean(ns) != ns || strings.HasPrefix(ns, "../") || path.IsAbs(ns) {
		m.bad(fmt.Sprintf("package.%s is not a path inside the crate", key), nv)
		return
	}
	tb, okT := m.in.TarContent(ns)
	gb, okG := m.in.TagContent(src)
	switch {
	case !okT:
		// cargo writes the key even when the file is excluded; nothing to copy.
	case !okG:
		m.bad(fmt.Sprintf("package.%s names %s, which the tag does not have", key, src), nv)
	case !bytes.Equal(tb, gb):
		m.bad(fmt.Sprintf("%s (package.%s) differs from the tag's %s", ns, key, src), firstDiffLine(tb, gb))
	default:
		if m.in.tagPath(ns) != src {
			m.copies = append(m.copies, fileCopy{tar: ns, tag: src, key: "package." + key})
		}
	}
}

func (m *manifestCheck) tagHas(rel string) bool {
	_, ok := m.in.TagContent(m.in.tagPath(rel))
	return ok
}

// resolveDep turns a dependency of the tag's manifest into what cargo
// publishes: workspace inheritance resolved, path/git sources removed.
func (m *manifestCheck) resolveDep(name string, v any) (map[string]any, bool) {
	var d map[string]any
	switch x := v.(type) {
	case string:
		return map[string]any{"version": x}, true
	case map[string]any:
		d = map[string]any{}
		for k, val := range x {
			d[strings.ReplaceAll(k, "_", "-")] = val
		}
	default:
		return nil, false
	}
	if d["workspace"] == true {
		delete(d, "workspace")
		w, ok := m.ws.table("workspace", "dependencies")[name]
		if !ok {
			m.bad(fmt.Sprintf("dependency %s inherits from a workspace that does not declare it", name), "")
			return nil, false
		}
		base, ok := m.resolveDep(name, w)
		if !ok {
			return nil, false
		}
		for k, val := range d {
			if k == "features" {
				base[k] = append(asList(base[k]), asList(val)...)
				continue
			}
			base[k] = val
		}
		d = base
	}
	for _, k := range []string{"path", "git", "branch", "tag", "rev", "base"} {
		delete(d, k)
	}
	return d, true
}

func (m *manifestCheck) checkDeps(table string, orig, norm map[string]any, dev bool) {
	for _, name := range unionKeys(orig, norm) {
		ov, inOrig := orig[name]
		nv, inNorm := norm[name]
		if !inOrig {
			m.bad(fmt.Sprintf("new dependency %s in [%s], not in the tag's Cargo.toml", name, table), nv)
			continue
		}
		want, ok := m.resolveDep(name, ov)
		if !ok {
			continue
		}
		if !inNorm {
			if _, hasVersion := want["version"]; dev && !hasVersion {
				continue // cargo drops path-only dev-dependencies
			}
			m.bad(fmt.Sprintf("dependency %s of [%s] in the tag's Cargo.toml is missing", name, table), ov)
			continue
		}
		got, isTable := nv.(map[string]any)
		if s, isStr := nv.(string); isStr {
			got, isTable = map[string]any{"version": s}, true
		}
		if !isTable {
			m.bad(fmt.Sprintf("dependency %s of [%s] is neither a version nor a table", name, table), nv)
			continue
		}
		for _, k := range unionKeys(want, got) {
			wv, inW := want[k]
			gv, inG := got[k]
			switch {
			case inW && inG && equalValue(wv, gv):
			case k == "features" && sameSet(asList(wv), asList(gv)):
			case k == "registry" && !inG && got["registry-index"] != nil:
			case k == "default-features" && wv == nil && gv == true:
			case k == "registry-index" && !inW:
			default:
				m.bad(fmt.Sprintf("dependency %s of [%s]: %s is %v, the tag's Cargo.toml gives %v", name, table, k, gv, wv), nv)
			}
		}
	}
}

func (m *manifestCheck) checkTargetDeps(orig, norm map[string]any) {
	for _, cfg := range unionKeys(orig, norm) {
		o, n := asTable(orig[cfg]), asTable(norm[cfg])
		for _, k := range unionKeys(o, n) {
			switch k {
			case "dependencies", "dev-dependencies", "build-dependencies", "dev_dependencies", "build_dependencies":
				m.checkDeps("target."+cfg+"."+k, asTable(o[k]), asTable(n[k]), strings.HasPrefix(k, "dev"))
			default:
				if !equalValue(o[k], n[k]) {
					m.bad(fmt.Sprintf("[target.%s.%s] differs from the tag's Cargo.toml", cfg, k), n[k])
				}
			}
		}
	}
}

// checkTargets allows cargo to list auto-discovered targets (name and path
// only, path a file of the tag's package) and to drop targets whose files
// were excluded; fields the tag's manifest sets must be kept.
func (m *manifestCheck) checkTargets(kind string, orig, norm []any) {
	byName := map[string]map[string]any{}
	var unnamed map[string]any
	for _, o := range orig {
		t := asTable(o)
		if t == nil {
			continue
		}
		if n, ok := t["name"].(string); ok {
			byName[n] = t
		} else {
			unnamed = t
		}
	}
	for _, n := range norm {
		t := asTable(n)
		if t == nil {
			m.bad(fmt.Sprintf("[%s] entry is not a table", kind), n)
			continue
		}
		name, _ := t["name"].(string)
		want := byName[name]
		if want == nil && (kind == "lib" || len(orig) == 1) {
			want = unnamed
		}
		for k, v := range t {
			wv, inW := want[k]
			switch {
			case inW && equalValue(wv, v):
			case !inW && k == "name":
			case !inW && k == "path":
				p, ok := v.(string)
				if !ok || !m.tagHas(p) {
					m.bad(fmt.Sprintf("[%s] %s has path %v, not a file of the tag's package", kind, name, v), v)
				}
			default:
				m.bad(fmt.Sprintf("[%s] %s: %s = %v, the tag's Cargo.toml gives %v", kind, name, k, v, wv), v)
			}
		}
		for k, wv := range want {
			if _, in := t[k]; !in {
				m.bad(fmt.Sprintf("[%s] %s: %s of the tag's Cargo.toml is missing", kind, name, k), wv)
			}
		}
	}
}

func explainCargoLock(in Input, ws *workspace, c *collector) {
	var tf *TarFile
	for i := range in.TarFiles {
		if in.TarFiles[i].Path == "Cargo.lock" {
			tf = &in.TarFiles[i]
		}
	}
	if tf == nil {
		return
	}
	lockPath := in.tagPath("Cargo.lock")
	if ws != nil {
		lockPath = path.Join(ws.dir, "Cargo.lock")
	}
	crateLock, _ := in.TarContent("Cargo.lock")
	tagLock, hasTag := in.TagContent(lockPath)
	origin := Origin{Kind: KindCargoPackage, Detail: "Cargo.lock generated by cargo package", Source: lockPath}
	if !hasTag {
		c.explain(Explanation{Path: "Cargo.lock", Origin: origin, Severity: SevLow, Reason: "the tag has no Cargo.lock; cargo package generated one"})
		return
	}
	crate, err1 := lockPackages(crateLock)
	tag, err2 := lockPackages(tagLock)
	if err1 != nil || err2 != nil {
		return
	}
	for p := range crate {
		if !tag[p] {
			return // a package the tag's lock does not have: not cargo's regeneration
		}
	}
	c.explain(Explanation{Path: "Cargo.lock", Origin: origin, Severity: SevLow,
		Reason: fmt.Sprintf("every package it locks (%d) is locked at the same version in the tag's %s", len(crate), lockPath)})
}

// lockPackages returns the name@version pairs of a Cargo.lock.
func lockPackages(b []byte) (map[string]bool, error) {
	var lock struct {
		Package []struct {
			Name    string `toml:"name"`
			Version string `toml:"version"`
		} `toml:"package"`
	}
	if err := toml.Unmarshal(b, &lock); err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, p := range lock.Package {
		out[p.Name+"@"+p.Version] = true
	}
	return out, nil
}

// sameSet compares two lists as sets (cargo merges a workspace
// dependency's features with the member's).
func sameSet(a, b []any) bool {
	in := func(x any, l []any) bool {
		for _, y := range l {
			if reflect.DeepEqual(x, y) {
				return true
			}
		}
		return false
	}
	for _, x := range a {
		if !in(x, b) {
			return false
		}
	}
	for _, y := range b {
		if !in(y, a) {
			return false
		}
	}
	return true
}

func asTable(v any) map[string]any {
	t, _ := v.(map[string]any)
	return t
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func wrapList(v any) []any {
	if v == nil {
		return nil
	}
	return []any{v}
}

func unionKeys(a, b map[string]any) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range []map[string]any{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

// equalValue compares parsed TOML values; a nil table equals an empty one.
func equalValue(a, b any) bool {
	if ta, ok := a.(map[string]any); ok && len(ta) == 0 && b == nil {
		return true
	}
	if tb, ok := b.(map[string]any); ok && len(tb) == 0 && a == nil {
		return true
	}
	return reflect.DeepEqual(a, b)
}

func oneLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
