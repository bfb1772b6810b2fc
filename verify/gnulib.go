package verify

import (
	"context"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/tarcheck/tarcheck/verify/compare"
	"github.com/tarcheck/tarcheck/verify/explain"
	"github.com/tarcheck/tarcheck/verify/gitsrc"
)

// gnulibPin is the gnulib commit a tag pins as a submodule, and where to get it.
type gnulibPin struct {
	path, commit, source string
}

// findGnulibPin looks for a gnulib submodule (a gitlink named gnulib) in the
// tag's tree and the repository to read it from: --gnulib, else the URL
// .gitmodules gives.
func (p *pipeline) findGnulibPin(blobs *gitsrc.Blobs) *gnulibPin {
	for rel, g := range p.git.Where(compare.IsSubmodule) {
		if !(rel == "gnulib" || strings.HasSuffix(rel, "/gnulib")) {
			continue
		}
		pin := &gnulibPin{path: rel, commit: g.HexID(), source: p.o.Sources.Gnulib}
		if pin.source == "" {
			if gm := p.git.Get(".gitmodules"); gm != nil {
				if data, err := blobs.Read(gm.HexID()); err == nil {
					pin.source = submoduleURL(string(data), rel)
				}
			}
		}
		return pin
	}
	return p.scriptGnulibPin(blobs)
}

// gnulibPinLine is a gnulib commit pinned in a bootstrap script:
// autogen.sh's gnulib_hash= (nano) or bootstrap.conf's GNULIB_REVISION=.
var gnulibPinLine = regexp.MustCompile(`(?m)^[ \t]*(?:gnulib_hash|GNULIB_REVISION)=["']?([0-9a-f]{40})["']?[ \t]*$`)

// gnulibURLLine is the gnulib repository autogen.sh names (gnulib_url=).
var gnulibURLLine = regexp.MustCompile(`(?m)^[ \t]*gnulib_url=["']?([^"'\s]+)["']?[ \t]*$`)

// scriptGnulibPin finds a gnulib commit pinned by autogen.sh or
// bootstrap.conf at the top of the tag, read from --gnulib or the URL
// the script names.
func (p *pipeline) scriptGnulibPin(blobs *gitsrc.Blobs) *gnulibPin {
	for _, name := range []string{"autogen.sh", "bootstrap.conf"} {
		g := p.git.Get(name)
		if g == nil {
			continue
		}
		data, err := blobs.Read(g.HexID())
		if err != nil {
			continue
		}
		m := gnulibPinLine.FindSubmatch(data)
		if m == nil {
			continue
		}
		pin := &gnulibPin{path: name, commit: string(m[1]), source: p.o.Sources.Gnulib}
		if u := gnulibURLLine.FindSubmatch(data); pin.source == "" && u != nil && strings.Contains(string(u[1]), "://") && !strings.HasPrefix(string(u[1]), "-") {
			pin.source = string(u[1])
		}
		return pin
	}
	return nil
}

var gitmodulesLine = regexp.MustCompile(`^\s*(\[submodule\s+"([^"]*)"\]|path\s*=\s*(.*?)\s*$|url\s*=\s*(.*?)\s*$)`)

// submoduleURL returns the url of the submodule at path in a .gitmodules file.
func submoduleURL(gitmodules, path string) string {
	var curPath, curURL string
	var found string
	flush := func() {
		if curPath == path && found == "" {
			found = curURL
		}
	}
	for _, line := range strings.Split(gitmodules, "\n") {
		m := gitmodulesLine.FindStringSubmatch(line)
		switch {
		case m == nil:
		case m[2] != "" || strings.HasPrefix(strings.TrimSpace(line), "[submodule"):
			flush()
			curPath, curURL = "", ""
		case m[3] != "":
			curPath = m[3]
		case m[4] != "":
			curURL = m[4]
		}
	}
	flush()
	// Only URLs git would fetch over an allowed transport; never options.
	if strings.HasPrefix(found, "-") || !(strings.Contains(found, "://") || strings.Contains(found, "@")) {
		return ""
	}
	return found
}

// gnulibFiles opens the pinned gnulib commit and returns a lookup of its
// files by path, for autotools.Context.Gnulib, and a closer.
func (p *pipeline) gnulibFiles(ctx context.Context, pin *gnulibPin) (*explain.GnulibTree, func(), error) {
	tree, closeFn, err := p.pinnedFiles(ctx, pin)
	if err != nil {
		return nil, nil, err
	}
	p.report.Notes = append(p.report.Notes, fmt.Sprintf("gnulib copies compared with gnulib commit %s (pinned by %s) from %s",
		pin.commit[:12], pin.path, pin.source))
	return tree, closeFn, nil
}

// pinnedFiles opens a pinned commit of another repository (gnulib, a
// submodule) and returns a lookup of its files by path and a closer.
func (p *pipeline) pinnedFiles(ctx context.Context, pin *gnulibPin) (*explain.GnulibTree, func(), error) {
	repo, err := gitsrc.Open(ctx, pin.source, gitsrc.Options{CacheDir: p.o.Sources.CacheDir, Offline: p.o.Sources.Offline, Logf: p.o.Output.Logf})
	if err != nil {
		return nil, nil, err
	}
	tree, err := repo.ResolveCommit(ctx, pin.commit)
	if err != nil {
		return nil, nil, err
	}
	ids := map[string]string{}
	byID := map[[20]byte]string{}
	if err := repo.ListTree(ctx, tree, func(e gitsrc.TreeEntry) error {
		if e.Type == "blob" {
			ids[e.Path] = e.ID
			var id [20]byte
			if n, err := hex.Decode(id[:], []byte(e.ID)); err == nil && n == len(id) {
				if old, ok := byID[id]; !ok || e.Path < old {
					byID[id] = e.Path
				}
			}
		}
		return nil
	}); err != nil {
		return nil, nil, err
	}
	blobs, err := repo.OpenBlobs(ctx)
	if err != nil {
		return nil, nil, err
	}
	lookup := func(path string) ([]byte, bool) {
		id, ok := ids[path]
		if !ok {
			return nil, false
		}
		data, err := blobs.Read(id)
		if err != nil {
			return nil, false
		}
		return data, true
	}
	return &explain.GnulibTree{Commit: pin.commit, ByID: byID, Read: lookup}, func() { blobs.Close() }, nil
}

// submoduleReader reads, on first need and once per submodule, the commit
// the tag pins for a submodule, from the repository --submodule PATH=REPO
// names (--gnulib for gnulib), else from the URL .gitmodules gives; nil
// when it cannot be read (a note says why). The closer closes them all.
func (p *pipeline) submoduleReader(ctx context.Context, blobs *gitsrc.Blobs) (func(path, commit string) *explain.GnulibTree, func()) {
	done := map[string]*explain.GnulibTree{}
	var closers []func()
	var unread []string // one note for all: a release may pin many (gnutls: 10)
	read := func(path, commit string) *explain.GnulibTree {
		if t, ok := done[path]; ok {
			return t
		}
		done[path] = nil
		pin := &gnulibPin{path: path, commit: commit}
		for _, s := range p.o.Sources.Submodules {
			if k, v, ok := strings.Cut(s, "="); ok && strings.Trim(k, "/") == path {
				pin.source = v
			}
		}
		if pin.source == "" && (path == "gnulib" || strings.HasSuffix(path, "/gnulib")) {
			pin.source = p.o.Sources.Gnulib
		}
		if gm := p.git.Get(".gitmodules"); pin.source == "" && gm != nil {
			if data, err := blobs.Read(gm.HexID()); err == nil {
				pin.source = submoduleURL(string(data), path)
			}
		}
		if pin.source == "" || ctx.Err() != nil {
			return nil
		}
		tree, closeFn, err := p.pinnedFiles(ctx, pin)
		if err != nil {
			unread = append(unread, fmt.Sprintf("%s at %s from %s: %v", path, commit[:min(12, len(commit))], pin.source, err))
			return nil
		}
		closers = append(closers, closeFn)
		p.report.Notes = append(p.report.Notes, fmt.Sprintf("links into submodule %s compared with its commit %s from %s", path, commit[:min(12, len(commit))], pin.source))
		done[path] = tree
		return tree
	}
	return read, func() {
		for _, c := range closers {
			c()
		}
		if len(unread) > 0 {
			sort.Strings(unread)
			p.report.Notes = append(p.report.Notes, fmt.Sprintf("submodules not read (pass --submodule PATH=DIR): %s", strings.Join(unread, "; ")))
		}
	}
}
