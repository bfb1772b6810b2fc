package verify

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/tarcheck/tarcheck/verify/archive"
	"github.com/tarcheck/tarcheck/verify/compare"
	"github.com/tarcheck/tarcheck/verify/fetch"
	"github.com/tarcheck/tarcheck/verify/gitsrc"
)

// archiveSuffixes are stripped from file names before version parsing.
var archiveSuffixes = []string{".tar.gz", ".tar.xz", ".tar.bz2", ".tar.zst", ".tar.zstd", ".tar.lz", ".tar.lzma",
	".tgz", ".txz", ".tbz2", ".tbz", ".tzst", ".tar", ".zip"}

// baseName is a tarball's file name without directories, query and archive suffix.
func baseName(src string) string {
	if i := strings.IndexAny(src, "?#"); i >= 0 && strings.Contains(src, "://") {
		src = src[:i]
	}
	b := path.Base(strings.ReplaceAll(src, "\\", "/"))
	lb := strings.ToLower(b)
	for _, s := range archiveSuffixes {
		if strings.HasSuffix(lb, s) {
			return b[:len(b)-len(s)]
		}
	}
	return b
}

// debianOrig matches Debian's orig tarball names: foo_1.2.orig.
var debianOrig = regexp.MustCompile(`^(.+)_([0-9][^_]*)\.orig(?:-[A-Za-z0-9-]+)?$`)

// versionStart finds where a version begins in "name-1.2.3", "name_1_2", "name1.2".
var versionStart = regexp.MustCompile(`[-_]v?[0-9]`)

// splitNameVersion splits "xz-5.6.1" into ("xz", "5.6.1"); "" version when there is none.
func splitNameVersion(s string) (name, version string) {
	if m := debianOrig.FindStringSubmatch(s); m != nil {
		v := m[2]
		if i := strings.Index(v, "+"); i > 0 { // +dfsg, +ds repacks
			v = v[:i]
		}
		if i := strings.Index(v, "~"); i > 0 {
			v = v[:i]
		}
		return m[1], v
	}
	locs := versionStart.FindAllStringIndex(s, -1)
	if len(locs) == 0 {
		if len(s) > 0 && (s[0] >= '0' && s[0] <= '9' || (s[0] == 'v' && len(s) > 1 && s[1] >= '0' && s[1] <= '9')) {
			return "", strings.TrimPrefix(s, "v")
		}
		return s, ""
	}
	i := locs[0][0]
	name, version = s[:i], s[i+1:]
	version = strings.TrimPrefix(version, "v")
	if strings.Count(version, "_") > 0 && !strings.Contains(version, ".") {
		version = strings.ReplaceAll(version, "_", ".") // curl-7_88_1
	}
	return name, version
}

// TagCandidates lists the tag names upstreams commonly use for a release.
func TagCandidates(name, version string) []string {
	if version == "" {
		return nil
	}
	us := strings.ReplaceAll(version, ".", "_")
	dash := strings.ReplaceAll(version, ".", "-")
	c := []string{"v" + version, version, "release-" + version, "V" + version, "r" + version,
		"release_" + us, "v" + us, "rel-" + version, "release-" + dash}
	if name != "" {
		upper := strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		c = append(c, name+"-"+version, name+"_"+version, name+"-"+us, name+"_"+us, name+"-v"+version,
			upper+"_"+us, upper+"-"+us, name+"-release-"+version, name+"-"+dash)
	}
	seen := map[string]bool{}
	var out []string
	for _, t := range c {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// inferTag picks the one tag matching the archive's version.
func (p *pipeline) inferTag(ctx context.Context) (string, error) {
	names := []string{baseName(p.o.Sources.Tarball)}
	if root := p.peekRoot(ctx); root != "" && root != names[0] {
		names = append([]string{root}, names...)
	}
	tags, err := p.repo.Tags(ctx)
	if err != nil {
		return "", gitErr(err)
	}
	if len(tags) == 0 {
		fix := "pass --tag, or check --git"
		if p.o.Sources.Offline {
			fix = "--offline and the cache holds no tags of it: run once without --offline to fill the cache, or pass --git DIR of a local clone"
		}
		return "", Errorf(KindInput, "%w: %s has no tags (%s)", ErrAmbiguousTag, p.o.Sources.Git, fix)
	}
	var tried []string
	for _, n := range names {
		name, version := splitNameVersion(n)
		if version == "" {
			continue
		}
		cands := TagCandidates(name, version)
		tried = append(tried, cands...)
		found := MatchTags(tags, cands)
		switch len(found) {
		case 1:
			return found[0], nil
		case 0:
			continue
		default:
			sort.Strings(found)
			// Several names for the same commit (sudo tags both SUDO_1_9_13p3
			// and v1.9.13p3) are one release: take a signed or annotated one.
			if pick := p.sameCommit(ctx, found); pick != "" {
				p.report.Notes = append(p.report.Notes, fmt.Sprintf("tags %s all point to the same commit; compared with %s", strings.Join(found, ", "), pick))
				return pick, nil
			}
			return "", Errorf(KindInput, "%w: several tags match version %s: %s", ErrAmbiguousTag, version, strings.Join(found, ", "))
		}
	}
	if len(tried) == 0 {
		return "", Errorf(KindInput, "%w: no version in %q", ErrAmbiguousTag, names[len(names)-1])
	}
	return "", Errorf(KindInput, "%w: no tag matches (tried %s)", ErrAmbiguousTag, ListTried(tried))
}

// MatchTags returns the candidates (in their order) that are among tags.
func MatchTags(tags, candidates []string) []string {
	have := make(map[string]bool, len(tags))
	for _, t := range tags {
		have[t] = true
	}
	var found []string
	for _, c := range candidates {
		if have[c] {
			found = append(found, c)
		}
	}
	return found
}

// ListTried lists the first tag names tried, for an error message.
func ListTried(tried []string) string {
	if len(tried) > 6 {
		tried = append(tried[:6:6], "...")
	}
	return strings.Join(tried, ", ")
}

// peekRoot reads the first member's top-level directory name.
func (p *pipeline) peekRoot(ctx context.Context) string {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	root := ""
	errStop := fmt.Errorf("stop")
	archive.WalkFile(ctx, p.tarPath, archive.Options{KeepBytes: -1, Workers: 1, Limits: p.o.Limits.archive()}, func(e *archive.Entry) error {
		root = compare.FirstComponent(e.Path, e.Type == archive.TypeDir)
		return errStop
	})
	return root
}

// sameCommit returns the preferred tag among names that all resolve to one
// commit (signed first, then annotated, then the first by name), or "" if
// they differ.
func (p *pipeline) sameCommit(ctx context.Context, names []string) string {
	commit := ""
	best, bestRank := "", -1
	for _, n := range names {
		t, err := p.repo.Resolve(ctx, n)
		if err != nil {
			return ""
		}
		if commit == "" {
			commit = t.Commit
		} else if t.Commit != commit {
			return ""
		}
		rank := 0
		if t.Object != "" {
			rank = 1
			if strings.Contains(string(t.Raw), "-----BEGIN ") {
				rank = 2
			}
		}
		if rank > bestRank {
			best, bestRank = n, rank
		}
	}
	return best
}

// ReleaseName is a tarball's file name (path or URL) without directories,
// query and archive suffix: "foo-1.2" for https://example.org/foo-1.2.tar.xz.
func ReleaseName(src string) string { return baseName(src) }

// IsURL reports whether a tarball or signature source is an http(s) URL
// (downloaded) rather than a local path.
func IsURL(src string) bool { return fetch.IsURL(src) }

// IsRemoteRepo reports whether a git source is a remote address (URL or
// scp-like user@host:path) rather than a local path.
func IsRemoteRepo(src string) bool { return gitsrc.IsRemote(src) }
