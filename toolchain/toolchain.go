package toolchain

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tarcheck/tarcheck/sandbox"
)

// Toolchain is a Spec whose packages are unpacked and verified in a
// Cache, ready to be laid over the sandbox's /usr.
type Toolchain struct {
	Spec Spec
	// Layers are host directories laid over /usr, topmost first: the
	// symlink layer, then each package's usr directory.
	Layers []string
	// Binds replace directories the tools own (usr/share/autoconf,
	// usr/share/automake-1.16, ...) wholesale, so that no host file of
	// another version of the same tool stays visible beside them.
	Binds []sandbox.Bind
	// Env names the programs for autoreconf, automake and aclocal
	// (AUTOCONF=/usr/bin/autoconf2.69, ACLOCAL=/usr/bin/aclocal-1.16, ...).
	Env []string
}

// Path returns the toolchain of spec from the cache, without any network
// access: every package must be unpacked (else ErrNotCached) and intact
// (every file is checked against the manifest written when it was
// unpacked; else ErrCorruptCache).
func (c *Cache) Path(spec Spec) (*Toolchain, error) {
	if len(spec.Tools) == 0 {
		return nil, errors.New("empty toolchain spec")
	}
	tc := &Toolchain{Spec: spec}
	var links [][2]string
	var usr []string
	env := map[string]string{}
	for _, t := range spec.Tools {
		r := ruleFor(t.Name)
		if r == nil {
			return nil, fmt.Errorf("%w: %s", ErrUnknownTool, t.Name)
		}
		for _, p := range t.Packages {
			if !isHex64(p.SHA256) {
				return nil, fmt.Errorf("%w: %s has no sha256", ErrNotCached, p)
			}
			sum := strings.ToLower(p.SHA256)
			m, err := c.verifyTree(sum)
			if err != nil {
				if errors.Is(err, ErrNotCached) {
					req, what := t.Name+"="+t.Version, p.String()
					if p.Upstream != nil {
						what = "upstream release " + p.Upstream.File + ", not built yet"
						req += UpstreamSuffix
						if p.Upstream.Signature != "" {
							req += " --keyring FILE"
						}
					}
					return nil, fmt.Errorf("%w: %s %s (%s); run `tarcheck toolchain fetch %s`", ErrNotCached, t.Name, t.Version, what, req)
				}
				return nil, err
			}
			tree := c.treeDir(sum)
			if !m.isDir("usr") {
				continue
			}
			usr = append(usr, filepath.Join(tree, "usr"))
			bin := m.children("usr/bin")
			if r.links != nil {
				links = append(links, r.links(bin)...)
			}
			for k, prog := range r.env {
				if p := pick(prog, bin, links); p != "" {
					env[k] = "/usr/bin/" + p
				}
			}
			for _, d := range m.children("usr/share") {
				if !m.isDir("usr/share/"+d) || !ownedBy(r, d) {
					continue
				}
				tc.Binds = append(tc.Binds, sandbox.Bind{Src: filepath.Join(tree, "usr", "share", d), Dst: "/usr/share/" + d})
			}
		}
	}
	slices.SortFunc(links, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	links = slices.CompactFunc(links, func(a, b [2]string) bool { return a[0] == b[0] })
	ll, err := c.linkLayer(links)
	if err != nil {
		return nil, fmt.Errorf("toolchain cache: writing the symlink layer: %w", err)
	}
	if ll != "" {
		tc.Layers = append(tc.Layers, filepath.Join(ll, "usr"))
	}
	tc.Layers = append(tc.Layers, usr...)
	for k, v := range env {
		tc.Env = append(tc.Env, k+"="+v)
	}
	slices.Sort(tc.Env)
	return tc, nil
}

// pick returns prog when it is in bin or is a link name, else "".
func pick(prog string, bin []string, links [][2]string) string {
	for _, l := range links {
		if l[0] == prog {
			return l[1]
		}
	}
	if slices.Contains(bin, prog) {
		return prog
	}
	return ""
}

func ownedBy(r *rule, dir string) bool {
	for _, pat := range r.own {
		if ok, _ := path.Match(pat, dir); ok {
			return true
		}
	}
	return false
}

func (m *manifest) isDir(p string) bool {
	for _, e := range m.Entries {
		if e.Path == p {
			return e.Type == "dir"
		}
	}
	return false
}

// children lists the names directly below dir.
func (m *manifest) children(dir string) []string {
	var out []string
	for _, e := range m.Entries {
		if path.Dir(e.Path) == dir {
			out = append(out, path.Base(e.Path))
		}
	}
	slices.Sort(out)
	return out
}

// Apply adds the toolchain to a sandbox Spec: the /usr overlay, the binds
// and the environment (replacing variables of the same name). The runner
// must support overlays ([sandbox.SupportsOverlays]).
func (t *Toolchain) Apply(s *sandbox.Spec) {
	if len(t.Layers) > 0 {
		s.Overlays = append(s.Overlays, sandbox.Overlay{Target: "/usr", Layers: slices.Clone(t.Layers)})
	}
	s.Binds = append(s.Binds, t.Binds...)
	for _, kv := range t.Env {
		k, _, _ := strings.Cut(kv, "=")
		s.Env = slices.DeleteFunc(s.Env, func(e string) bool { return strings.HasPrefix(e, k+"=") })
		s.Env = append(s.Env, kv)
	}
}

// Describe is one line per tool for progress and reports:
// "autoconf 2.69 from autoconf2.69 2.69-3.1 (bookworm)".
func (t *Toolchain) Describe() []string {
	var out []string
	for _, tool := range t.Spec.Tools {
		var p []string
		for _, pkg := range tool.Packages {
			p = append(p, pkg.String())
		}
		out = append(out, tool.Name+" "+tool.Version+" from "+strings.Join(p, ", "))
	}
	return out
}
