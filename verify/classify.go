package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/tarcheck/tarcheck/autotools"
	"github.com/tarcheck/tarcheck/verify/archive"
	"github.com/tarcheck/tarcheck/verify/gitsrc"
)

// Rule ids for differences the pipeline itself reports (the rule catalogue is
// in verify/report).
const (
	RuleSourceDiffers   = "TC301"
	RuleOnlyInTarball   = "TC302"
	RuleOnlyInGit       = "TC303"
	RuleModeDiffers     = "TC304"
	RuleTypeDiffers     = "TC305"
	RuleBinaryInTarball = "TC306"
	RuleStamped         = "TC307"
	RuleM4Unknown       = "TC401"
	RuleM4Serial        = "TC402"
	RuleM4UnknownName   = "TC403"
	RuleSuspicious      = "TC501"
	RuleReadsBinary     = "TC502"
)

// classRules maps a classification class to the rule id used for its finding.
var classRules = map[string]string{
	"source-modified":        RuleSourceDiffers,
	"binary-data":            RuleBinaryInTarball,
	"binary-doc":             RuleBinaryInTarball,
	"release-stamped":        RuleStamped,
	"line-endings":           RuleStamped,
	"translation":            RuleStamped,
	"changelog":              RuleStamped,
	"export-subst":           RuleStamped,
	"export-ignore":          RuleOnlyInGit,
	"m4-modified":            RuleM4Unknown,
	"m4-serial-bump":         RuleM4Serial,
	"m4-unknown":             RuleM4UnknownName,
	"suspicious-build-logic": RuleSuspicious,
}

// classify gives every non-identical path a class, a severity and a reason.
// Contents not kept in the first pass are gathered in batches so memory
// stays bounded.
func (p *pipeline) classify(ctx context.Context) error {
	blobs, err := p.repo.OpenBlobs(ctx)
	if err != nil {
		return gitErr(err)
	}
	defer blobs.Close()

	// Paths that need git-side content, fetched in one batch for remote repos.
	var need []string
	for rel, t := range p.tar {
		if t.status == ContentDiffers || t.status == TypeDiffers {
			if g := p.git.get(rel); g != nil && g.mode != 0o160000 {
				need = append(need, g.hexID())
			}
		}
	}
	if err := p.repo.Prefetch(ctx, p.tag.Tree, need); err != nil {
		return gitErr(err)
	}

	var ignorePaths, substPaths map[string]bool
	if p.hasGitattributes() {
		var paths []string
		for rel := range p.git.where(unseen) {
			paths = append(paths, rel)
		}
		for rel, t := range p.tar {
			if t.status != "" && p.git.get(rel) != nil {
				paths = append(paths, rel)
			}
		}
		ignorePaths, substPaths, err = p.repo.Attributes(ctx, p.tag.Tree, p.o.CacheDir, paths)
		if err != nil {
			p.o.logf("%v", err)
		}
	}

	actx := &autotools.Context{
		Version: versionOf(p),
		TagTime: p.tag.CommitTime,
		DB:      p.o.M4DB,
		IsBinaryInGit: func(path string) bool {
			g := p.git.get(path)
			if g == nil {
				return false
			}
			_, ok := p.binaryPaths[path]
			return ok
		},
		IsBinaryInTarball: func(path string) bool {
			_, ok := p.binaryPaths[path]
			return ok && p.tarMember(path) != nil
		},
		BinaryPaths: sortedKeys(p.binaryPaths),
		InTarball:   func(path string) bool { return p.tarMember(path) != nil },
		InGit:       func(path string) bool { return p.git.get(path) != nil },
		GitByBase:   p.gitByBase(),
	}

	if pin := p.findGnulibPin(blobs); pin != nil {
		switch {
		case pin.source == "":
			p.report.Notes = append(p.report.Notes, fmt.Sprintf("the tag pins gnulib commit %s at %s, but no gnulib repository is known: pass --gnulib to compare the copies", pin.commit[:12], pin.path))
		default:
			lookup, closeFn, err := p.gnulibFiles(ctx, pin)
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				p.report.Notes = append(p.report.Notes, fmt.Sprintf("gnulib commit %s could not be read from %s: %v", pin.commit[:12], pin.source, err))
			} else {
				defer closeFn()
				actx.Gnulib = lookup
			}
		}
	} else if p.o.Gnulib != "" {
		p.report.Notes = append(p.report.Notes, "--gnulib given, but the tag pins no gnulib submodule: nothing to compare with")
	}

	gens := map[string]*Generator{}
	classes := map[string]int{}
	add := func(fd FileDiff, res autotools.Result) {
		if fd.Class == "" {
			fd.Class = "other"
		}
		if fd.Reason == "" {
			fd.Reason = "differs from the tag"
		}
		if res.Generator != "" {
			fd.Generator = strings.TrimSpace(res.Generator + " " + res.GeneratorVersion)
			key := res.Generator + "\x00" + res.GeneratorVersion
			g := gens[key]
			if g == nil {
				g = &Generator{Name: res.Generator, Version: res.GeneratorVersion, Example: fd.Path}
				gens[key] = g
			}
			g.Files++
			g.Paths = append(g.Paths, fd.Path)
		}
		classes[fd.Class]++
		p.report.Files = append(p.report.Files, fd)
		dup := func(rule string) bool {
			for _, s := range res.Signals {
				if s.Rule == rule {
					return true
				}
			}
			return false
		}
		if rule := classRules[fd.Class]; fd.Severity >= SevLow && !dup(rule) {
			if rule == "" {
				rule = statusRule(fd.Status)
			}
			p.report.Findings = append(p.report.Findings, Finding{Rule: rule, Severity: fd.Severity, Path: fd.Path,
				Message: fd.Reason})
		}
		for _, s := range res.Signals {
			sev, err := ParseSeverity(string(s.Severity))
			if err != nil {
				sev = SevMedium
			}
			p.report.Findings = append(p.report.Findings, Finding{Rule: s.Rule, Severity: sev, Path: fd.Path,
				Message: s.Message, Evidence: s.Evidence})
		}
	}

	classifyOne := func(rel string, t *tarFile) error {
		if path.Base(rel) == "ltmain.sh" && p.releaseLibtool == "" && !t.stray {
			p.releaseLibtool = ltmainVersion(t.content)
		}
		if t.stray {
			fd := FileDiff{Path: displayPath(rel), Status: t.status, Class: "outside-root", Severity: SevCritical,
				Reason: fmt.Sprintf("outside the release directory %s/: extraction puts it beside the release, and it is not compared with the tag", p.root)}
			add(fd, autotools.Result{})
			return nil
		}
		in := autotools.Input{Path: rel, Status: string(t.status), Tarball: t.content, TarballSize: t.size,
			TarballMode: t.gitMode, ExportIgnore: ignorePaths[rel], ExportSubst: substPaths[rel]}
		if t.typ == archive.TypeSymlink {
			in.Tarball = []byte(t.link)
		}
		var gitContent []byte
		if g := p.git.get(rel); g != nil {
			in.GitMode = g.mode
			if (t.status == ContentDiffers || t.status == TypeDiffers) && g.mode != 0o160000 {
				c, err := blobs.Read(g.hexID())
				if err != nil && !errors.Is(err, gitsrc.ErrObjectTooLarge) {
					return gitErr(fmt.Errorf("reading %s from the tag: %w", rel, err))
				}
				gitContent = c
				in.Git = c
			}
		}
		res := autotools.Classify(in, actx)
		sev, err := ParseSeverity(string(res.Severity))
		if err != nil {
			sev = SevMedium
		}
		if in.Tarball == nil && t.size > 0 && t.typ == archive.TypeRegular && sev < SevHigh &&
			(t.status == OnlyInTarball || t.status == ContentDiffers) && res.Class != "generated" {
			// Content too large to inspect: an opaque large file that the tag
			// does not explain is treated as binary data would be.
			sev = SevHigh
			res.Reason = fmt.Sprintf("%s (%d bytes, over the %d-byte inspection limit: not inspected, so not explained)",
				strings.TrimSuffix(res.Reason, "."), t.size, p.o.KeepBytes)
		}
		fd := FileDiff{Path: rel, Status: t.status, Class: res.Class, Severity: sev, Reason: res.Reason}
		if t.status == ContentDiffers && gitContent != nil && t.content != nil {
			fd.Diff = unifiedExcerpt(rel, gitContent, t.content)
		}
		add(fd, res)
		return nil
	}

	// Members whose content is at hand (or not needed).
	var rels []string
	for rel, t := range p.tar {
		if t.status != "" {
			rels = append(rels, rel)
		}
	}
	sort.Strings(rels)
	for _, rel := range rels {
		t := p.tar[rel]
		if t.missing {
			continue
		}
		if err := classifyOne(rel, t); err != nil {
			return err
		}
		t.content = nil
	}
	// Members whose content did not fit: further passes, batch by batch.
	for {
		var pending []string
		for _, rel := range rels {
			if p.tar[rel].missing {
				pending = append(pending, rel)
			}
		}
		if len(pending) == 0 {
			break
		}
		got, err := p.gatherBatch(ctx, pending)
		if err != nil {
			return err
		}
		for _, rel := range pending {
			t := p.tar[rel]
			if t.content == nil && got > 0 {
				continue // next batch
			}
			t.missing = false
			if err := classifyOne(rel, t); err != nil {
				return err
			}
			t.content = nil
		}
	}

	// Paths only in git.
	for rel, g := range p.git.where(unseen) {
		in := autotools.Input{Path: rel, Status: string(OnlyInGit), GitMode: g.mode, ExportIgnore: ignorePaths[rel], ExportSubst: substPaths[rel]}
		res := autotools.Classify(in, actx)
		sev, err := ParseSeverity(string(res.Severity))
		if err != nil {
			sev = SevMedium
		}
		add(FileDiff{Path: rel, Status: OnlyInGit, Class: res.Class, Severity: sev, Reason: res.Reason}, res)
	}

	// Archive hazards.
	for _, h := range p.arch.Hazards {
		rule, msg := hazardRule(h)
		rel := displayPath(memberKey(p.root, h.Path))
		p.report.Findings = append(p.report.Findings, Finding{Rule: rule, Severity: SevCritical, Path: rel, Message: msg})
	}

	p.report.Classes = classes
	for _, g := range gens {
		p.report.Generators = append(p.report.Generators, *g)
	}
	sort.Slice(p.report.Generators, func(i, j int) bool {
		a, b := p.report.Generators[i], p.report.Generators[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Version < b.Version
	})
	return nil
}

func (p *pipeline) hasGitattributes() bool {
	var buf []byte
	for i := range p.git.len() {
		buf = p.git.paths.AppendPath(buf[:0], i)
		if bytes.Equal(buf, []byte(".gitattributes")) || bytes.HasSuffix(buf, []byte("/.gitattributes")) {
			return true
		}
	}
	return false
}

func statusRule(s Status) string {
	switch s {
	case OnlyInTarball:
		return RuleOnlyInTarball
	case OnlyInGit:
		return RuleOnlyInGit
	case ModeDiffers:
		return RuleModeDiffers
	case TypeDiffers:
		return RuleTypeDiffers
	}
	return RuleSourceDiffers
}

// hazardRule maps an archive hazard to its rule id and message.
func hazardRule(h archive.Hazard) (string, string) {
	rule := map[string]string{
		archive.HazardAbsolutePath:     "TC101",
		archive.HazardTraversal:        "TC101",
		archive.HazardLinkEscape:       "TC102",
		archive.HazardBrokenHardlink:   "TC102",
		archive.HazardDuplicate:        "TC103",
		archive.HazardDevice:           "TC104",
		archive.HazardSetuid:           "TC105",
		archive.HazardMultipleRoots:    "TC106",
		archive.HazardControlChars:     "TC107",
		archive.HazardCaseCollision:    "TC108",
		archive.HazardZipMismatch:      "TC109",
		archive.HazardParentSymlink:    "TC110",
		archive.HazardLongNameOverride: "TC111",
		archive.HazardSparse:           "TC112",
		archive.HazardTrailingData:     "TC113",
	}[h.Kind]
	if rule == "" {
		rule = "TC100"
	}
	msg := "archive hazard (" + h.Kind + ")"
	if h.Detail != "" {
		msg += ": " + h.Detail
	}
	return rule, msg
}

// versionOf is the release version, from the archive root or file name.
func versionOf(p *pipeline) string {
	name := p.root
	if name == "" {
		name = baseName(p.o.Tarball)
	}
	_, v := splitNameVersion(name)
	return v
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// gitByBase indexes the tag's paths by base name, built on first use.
func (p *pipeline) gitByBase() func(base string) []string {
	var idx map[string][]string
	return func(base string) []string {
		if idx == nil {
			idx = make(map[string][]string, p.git.len())
			for rel := range p.git.all() {
				b := rel[strings.LastIndexByte(rel, '/')+1:]
				idx[b] = append(idx[b], rel)
			}
		}
		return idx[base]
	}
}
