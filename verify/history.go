package verify

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tarcheck/tarcheck/verify/compare"
	"github.com/tarcheck/tarcheck/verify/fetch"
	"github.com/tarcheck/tarcheck/verify/gitsrc"
	"github.com/tarcheck/tarcheck/verify/history"
	"github.com/tarcheck/tarcheck/verify/report"
	"github.com/tarcheck/tarcheck/verify/sig"
	"github.com/tarcheck/tarcheck/verify/trust"
)

// earlierReleases is how many releases before the previous one the
// new-committer check looks back over.
const earlierReleases = 3

// previous compares this release with the one before it (step 9): what
// drifted in git between the two tags, whether the same key signed both, and
// (--previous-tarball) which only-in-tarball files are new. An inferred
// previous release that cannot be read is a note, never a failure; one named
// with --previous must be readable.
func (p *pipeline) previous(ctx context.Context) error {
	spec := p.o.History.Previous
	if spec == gitsrc.PreviousNone {
		return nil
	}
	start := time.Now()
	defer p.itemPhase("compare with the previous release")()
	prev, err := p.previousTag(ctx, spec)
	if err == nil && prev != nil {
		err = p.previousAnalysis(ctx, prev)
	}
	if err != nil {
		if spec != "" || ctx.Err() != nil {
			return gitErr(err)
		}
		p.report.Notes = append(p.report.Notes, fmt.Sprintf("previous release not analysed: %v (--previous none skips it)", err))
		return nil
	}
	p.o.logf("previous-release analysis took %v", time.Since(start).Round(time.Millisecond))
	return nil
}

// previousTag resolves the previous release: spec, or inferred when "".
// nil with a nil error means there is none (said through Logf only: a
// repository with one release has nothing to compare).
func (p *pipeline) previousTag(ctx context.Context, spec string) (*gitsrc.Tag, error) {
	var prev *gitsrc.Tag
	var err error
	if a := p.ahead.wait(); a != nil {
		prev, err = a.prev, a.prevErr
	} else {
		prev, err = previousTagOf(ctx, p.repo, p.tag, spec)
	}
	if err == nil && prev == nil {
		p.o.logf("no earlier release of the naming scheme of %s: no previous-release analysis", p.tag.Name)
	}
	return prev, err
}

// previousTagOf is previousTag's git work on repo: the previous release of
// tag, nil when there is none.
func previousTagOf(ctx context.Context, repo *gitsrc.Repo, tag *gitsrc.Tag, spec string) (*gitsrc.Tag, error) {
	if err := repo.FetchHistory(ctx, tag.Name); err != nil {
		return nil, err
	}
	name, err := repo.PreviousTag(ctx, tag, spec)
	if err != nil || name == "" {
		return nil, err
	}
	return repo.Resolve(ctx, name)
}

// previousAnalysis fills the report's previous, drift and signers_history
// fields and their findings.
func (p *pipeline) previousAnalysis(ctx context.Context, prev *gitsrc.Tag) error {
	r := p.report
	r.Previous = &report.Previous{Tag: prev.Name, Commit: prev.Commit, Inferred: p.o.History.Previous == "",
		Tarball: p.o.History.PreviousTarball}
	drift, findings, err := p.drift(ctx, prev)
	if err != nil {
		return err
	}
	var prevFile string
	if p.o.History.PreviousTarball != "" {
		added, more, file, err := p.tarballDrift(ctx, prev)
		if err != nil {
			return err
		}
		drift.NewOnlyInTarball = added
		findings = append(findings, more...)
		prevFile = file
	}
	r.Drift = &drift
	sh, more, err := p.signerHistory(ctx, prev, prevFile)
	if err != nil {
		return err
	}
	if sh != nil {
		r.SignersHistory = sh
		findings = append(findings, more...)
	}
	for _, f := range findings {
		sev, err := report.ParseSeverity(f.Severity)
		if err != nil {
			sev = report.SevMedium
		}
		r.Findings = append(r.Findings, report.Finding{Rule: f.Rule, Severity: sev, Path: f.Path, Message: f.Message, Evidence: f.Evidence,
			Subject: f.Subject, Signer: f.Signer})
	}
	return nil
}

// drift reads what changed in git between prev and the tag (trees and
// commits; blobs only for the changed and the test and build files).
func (p *pipeline) drift(ctx context.Context, prev *gitsrc.Tag) (history.DriftReport, []history.Finding, error) {
	repo, tag := p.repo, p.tag
	in := history.DriftInput{Previous: prev.Name, Current: tag.Name, Flagged: p.flaggedBuildFiles(), Selected: p.selected()}
	var g driftGit
	var err error
	if a := p.ahead.wait(); a != nil && a.prev == prev {
		g, err = a.git, a.gitErr
	} else {
		g, err = readDriftGit(ctx, repo, prev, tag)
	}
	if err != nil {
		return history.DriftReport{}, nil, err
	}
	in.Changes, in.Commits, in.Earlier = g.changes, g.commits, g.earlier
	in.CheckCommitters = true
	if in.Content = p.ahead.driftContent(prev); in.Content != nil {
		d, f := history.Drift(in) // its blobs were read ahead
		return d, f, nil
	}
	if in.Tree, err = p.tagTree(ctx); err != nil {
		return history.DriftReport{}, nil, err
	}
	if err := repo.Prefetch(ctx, tag.Tree, history.NeededBlobs(in.Changes, in.Tree)); err != nil {
		return history.DriftReport{}, nil, err
	}
	blobs := p.ahead.takeBlobs(prev) // started ahead, else now
	if blobs == nil {
		if blobs, err = repo.OpenBlobs(ctx); err != nil {
			return history.DriftReport{}, nil, err
		}
	}
	defer blobs.Close()
	in.Blobs = blobs
	d, f := history.Drift(in)
	return d, f, nil
}

// driftGit is what drift reads from git's history: the tree changes and
// the commits between the two tags, and the earlier commits touching the
// changed build files.
type driftGit struct {
	changes          []gitsrc.Change
	commits, earlier []gitsrc.Commit
}

// readDriftGit reads driftGit for prev and tag from repo.
func readDriftGit(ctx context.Context, repo *gitsrc.Repo, prev, tag *gitsrc.Tag) (driftGit, error) {
	var g driftGit
	var err error
	if g.changes, err = repo.DiffTrees(ctx, prev.Tree, tag.Tree); err != nil {
		return driftGit{}, err
	}
	if g.commits, err = repo.Log(ctx, prev.Commit, tag.Commit, nil); err != nil {
		return driftGit{}, err
	}
	if g.earlier, err = earlier(ctx, repo, prev, g.changes); err != nil {
		return driftGit{}, err
	}
	return g, nil
}

// tagTree is the tag's whole tree as `git ls-tree -r` lists it: rebuilt
// from step 4's index (in git's order) when it holds whole ids (sha1),
// else listed again.
func (p *pipeline) tagTree(ctx context.Context) ([]gitsrc.TreeEntry, error) {
	root := p.git
	if p.gitRoot != nil {
		root = p.gitRoot // p.git is a crate's subtree
	}
	if p.format == "sha1" && root != nil {
		return treeEntries(root), nil
	}
	var out []gitsrc.TreeEntry
	err := p.repo.ListTree(ctx, p.tag.Tree, func(e gitsrc.TreeEntry) error {
		out = append(out, e)
		return nil
	})
	return out, err
}

// treeEntries is a tag's tree as `git ls-tree -r` lists it, rebuilt from
// its index of whole (sha1) ids, in git's order. It reads each file's id
// and mode only, never the comparison's marks, so it may run beside the
// comparison.
func treeEntries(root *compare.Index) []gitsrc.TreeEntry {
	out := make([]gitsrc.TreeEntry, 0, root.Len())
	for path, g := range root.All() {
		typ := "blob"
		if g.Mode == 0o160000 {
			typ = "commit"
		}
		out = append(out, gitsrc.TreeEntry{Mode: g.Mode, Type: typ, ID: g.HexID(), Path: path})
	}
	return out
}

// earlier is who touched the changed build files in the releases before
// prev (up to earlierReleases of them; the whole history when prev is the
// first release).
func earlier(ctx context.Context, repo *gitsrc.Repo, prev *gitsrc.Tag, changes []gitsrc.Change) ([]gitsrc.Commit, error) {
	paths := history.BuildPaths(changes)
	if len(paths) == 0 {
		return nil, nil
	}
	from, err := olderCommit(ctx, repo, prev)
	if err != nil {
		return nil, err
	}
	return repo.Log(ctx, from, prev.Commit, paths)
}

// olderCommit is the commit of the oldest of the earlierReleases releases
// before prev, "" when prev is the first.
func olderCommit(ctx context.Context, repo *gitsrc.Repo, prev *gitsrc.Tag) (string, error) {
	older, err := repo.PreviousTags(ctx, prev, earlierReleases)
	if err != nil || len(older) == 0 {
		return "", err
	}
	t, err := repo.Resolve(ctx, older[len(older)-1])
	if err != nil {
		return "", err
	}
	return t.Commit, nil
}

// flaggedBuildFiles are the build files with a finding of severity high or
// more, each with the first such finding's rule and message.
func (p *pipeline) flaggedBuildFiles() map[string]string {
	m := map[string]string{}
	for _, f := range p.report.Findings {
		if f.Severity >= report.SevHigh && f.Path != "" && history.IsBuildFile(f.Path) && m[f.Path] == "" {
			m[f.Path] = f.Rule + ": " + f.Message
		}
	}
	return m
}

// selected maps each file that flagged build logic selects by pattern to
// the evidence lines naming it ("m4/x.m4 line 86: selects tests/files/...").
func (p *pipeline) selected() map[string][]string {
	m := map[string][]string{}
	for _, f := range p.report.Findings {
		for _, s := range f.Selects {
			line := f.Path + ": selects " + s
			for _, e := range f.Evidence {
				if strings.Contains(e, "selects "+s) {
					line = f.Path + " " + e
					break
				}
			}
			m[s] = append(m[s], line)
		}
	}
	return m
}

// signerHistory compares the tag signers of prev and this release, and
// with the previous tarball (prevFile, local) the tarball signers, with the
// same trust material. nil when no signer is named.
func (p *pipeline) signerHistory(ctx context.Context, prev *gitsrc.Tag, prevFile string) (*history.SignersHistory, []history.Finding, error) {
	cur, old := p.tagSigners(p.tag), p.tagSigners(prev)
	if prevFile != "" {
		c, o, err := p.tarballSigners(ctx, prevFile)
		if err != nil {
			return nil, nil, err
		}
		cur, old = append(c, cur...), append(o, old...)
	}
	if len(cur) == 0 && len(old) == 0 {
		return nil, nil, nil
	}
	in := history.SignerInput{Previous: prev.Name, Current: p.tag.Name, CurrentSigners: cur, PreviousSigners: old}
	if pol := p.o.Policy; pol != nil {
		req := pol.Require
		in.Pinned = len(req.OpenPGPFingerprints) > 0 || len(req.SSHPrincipals) > 0 || req.Sigstore != nil
	}
	if m := p.material; m != nil {
		in.Keyring = append(append(in.Keyring, m.Keyring...), m.TagKeyring...)
	}
	sh, f := history.Signers(in)
	return &sh, f, nil
}

// tarballSigners are the signers of this tarball's detached signatures and
// of the previous tarball's (--previous-signature, else published next to
// it), each verified with this release's keyring as step 3 verifies this
// tarball's.
func (p *pipeline) tarballSigners(ctx context.Context, prevFile string) (cur, old []history.Signer, err error) {
	m := p.material
	if m == nil {
		return nil, nil, nil
	}
	now := time.Now()
	signers := func(file string, sigs []trust.File) ([]history.Signer, error) {
		results, err := m.VerifyDetached(func() (io.ReadCloser, error) { return os.Open(file) }, sigs, now)
		if err != nil {
			return nil, Errorf(KindEnvironment, "reading %s: %v", filepath.Base(file), err)
		}
		var out []history.Signer
		for _, res := range results {
			if s, ok := history.SignerFromResult(res); ok {
				out = append(out, s)
			}
		}
		return out, nil
	}
	if cur, err = signers(p.tarPath, m.Signatures); err != nil {
		return nil, nil, err
	}
	prevSigs, err := trust.TarballSignatures(ctx, materialReader{p}, p.o.History.PreviousTarball, p.o.History.PreviousSignature)
	if err != nil {
		return nil, nil, WithKind(KindOf(err), fmt.Errorf("--previous-signature: %w", err))
	}
	if len(prevSigs) == 0 {
		p.report.Notes = append(p.report.Notes, fmt.Sprintf("no signature over the previous tarball %s (none published next to it): its signer is not compared",
			filepath.Base(p.o.History.PreviousTarball)))
		return cur, nil, nil
	}
	old, err = signers(prevFile, prevSigs)
	return cur, old, err
}

// tagSigners is the signer of tag's signature, checked as step 3 checks
// the current tag's (none for a lightweight or unsigned tag).
func (p *pipeline) tagSigners(tag *gitsrc.Tag) []history.Signer {
	if len(tag.Raw) == 0 {
		return nil
	}
	t, err := sig.ParseTag(tag.Raw)
	if err != nil {
		return nil
	}
	pol := sig.TagPolicy{Name: tag.Name, Object: tag.Commit}
	if m := p.material; m != nil {
		pol.Keyring, pol.AllowedSigners, pol.TrustedRoot, pol.Identity = m.TagKeyring, m.AllowedSigners, m.TrustedRoot, m.TagIdentity
	}
	res := sig.VerifyTag(t, pol, time.Now())
	res.Subject = sig.SubjectTag
	if s, ok := history.SignerFromResult(res); ok {
		return []history.Signer{s}
	}
	return nil
}

// tarballDrift compares the previous release's tarball with its tag (no
// classification, no rebuild) and lists the only-in-tarball files that are
// new in this release.
// It returns the previous tarball's local path too.
func (p *pipeline) tarballDrift(ctx context.Context, prev *gitsrc.Tag) ([]string, []history.Finding, string, error) {
	file := p.o.History.PreviousTarball
	if fetch.IsURL(file) {
		f, err := p.get(ctx, file)
		if err != nil {
			return nil, nil, "", err
		}
		file = f.Path
	}
	idx, err := treeIndex(ctx, p.repo, prev)
	if err != nil {
		return nil, nil, "", err
	}
	res, err := compare.Run(ctx, file, idx, compare.Options{Limits: p.o.Limits.archive(), KeepBytes: 1, Logf: p.o.Output.Logf})
	if err != nil {
		return nil, nil, "", archiveErr(ctx, "reading", "--previous-tarball "+filepath.Base(file), err)
	}
	added, findings := history.TarballDrift(onlyInTarball(p.cmp), onlyInTarball(res), prev.Name)
	return added, findings, file, nil
}

// onlyInTarball lists the members of a comparison that the tag lacks.
func onlyInTarball(res *compare.Result) []string {
	var out []string
	for rel, m := range res.Members {
		if m.Status == report.OnlyInTarball && !m.Stray {
			out = append(out, rel)
		}
	}
	return out
}
