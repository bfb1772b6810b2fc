package toolchain

import (
	"bytes"
	_ "embed"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Tool names: the generators a toolchain provides.
const (
	ToolAutoconf     = "autoconf"
	ToolAutomake     = "automake"
	ToolLibtool      = "libtool"
	ToolGettext      = "gettext"       // autopoint
	ToolAutotoolsDev = "autotools-dev" // config.guess, config.sub (a companion of automake and libtool)
	ToolPkgConfig    = "pkg-config"    // pkg.m4, the macros aclocal copies (upstream builds only)
)

// rule says which Debian packages provide a tool and how they are laid
// out.
type rule struct {
	tool string
	// names matches the binary package names that provide the tool (nil:
	// no Debian package does; upstream builds only).
	names *regexp.Regexp
	// own lists the directories below usr/share that the tool owns: they
	// replace the host's copy wholesale inside the sandbox (glob patterns).
	own []string
	// links gives the /usr/bin symlinks a Debian install would create
	// (alternatives, unsuffixed names), from the files of usr/bin.
	links func(bin []string) [][2]string
	// env maps environment variables to the program the tools should use.
	env map[string]string
}

var rules = []rule{
	{tool: ToolAutoconf, names: regexp.MustCompile(`^autoconf(2\.[0-9]+)?$`),
		own: []string{"autoconf", "autoconf2.*"}, links: suffixLinks(`^(autoconf|autoheader|autom4te|autoreconf|autoscan|autoupdate|ifnames)(2\.[0-9]+)$`),
		env: map[string]string{"AUTOCONF": "autoconf", "AUTOHEADER": "autoheader", "AUTOM4TE": "autom4te"}},
	{tool: ToolAutomake, names: regexp.MustCompile(`^automake(-?1\.[0-9]+)?$`),
		own: []string{"automake-*", "aclocal-*"}, links: suffixLinks(`^(automake|aclocal)(-1\.[0-9]+)$`),
		env: map[string]string{"AUTOMAKE": "automake", "ACLOCAL": "aclocal"}},
	{tool: ToolLibtool, names: regexp.MustCompile(`^libtool$`), own: []string{"libtool"},
		env: map[string]string{"LIBTOOLIZE": "libtoolize"}},
	{tool: ToolGettext, names: regexp.MustCompile(`^autopoint$`), own: []string{"gettext"},
		env: map[string]string{"AUTOPOINT": "autopoint"}},
	{tool: ToolAutotoolsDev, names: regexp.MustCompile(`^autotools-dev$`)},
	// pkg-config's pkg.m4 goes to usr/share/aclocal, which stays a merge:
	// the toolchain's copy hides the host's.
	{tool: ToolPkgConfig},
}

// suffixLinks makes an unsuffixed link for every program whose name
// matches re (group 1 is the plain name): autoconf -> autoconf2.69,
// automake -> automake-1.16.
func suffixLinks(re string) func([]string) [][2]string {
	rx := sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(re) }) // on first use, not at init
	return func(bin []string) [][2]string {
		var out [][2]string
		for _, b := range bin {
			if m := rx().FindStringSubmatch(b); m != nil {
				out = append(out, [2]string{m[1], b})
			}
		}
		return out
	}
}

func ruleFor(tool string) *rule {
	for i := range rules {
		if rules[i].tool == tool {
			return &rules[i]
		}
	}
	return nil
}

// toolOfPackage returns the tool a binary package provides, or "".
func toolOfPackage(name string) string {
	for _, r := range rules {
		if r.names != nil && r.names.MatchString(name) {
			return r.tool
		}
	}
	return ""
}

// UpstreamVersion returns the upstream part of a Debian version:
// "1:1.16.5-1.3" -> "1.16.5", "2.64+dfsg-1.1" -> "2.64", "2.4.7-7~deb12u1" -> "2.4.7".
func UpstreamVersion(debVersion string) string {
	v := debVersion
	if i := strings.IndexByte(v, ':'); i >= 0 {
		v = v[i+1:]
	}
	if i := strings.LastIndexByte(v, '-'); i >= 0 {
		v = v[:i]
	}
	if i := strings.IndexAny(v, "+~"); i >= 0 {
		v = v[:i]
	}
	return v
}

// Tool is one generator at one version with the Debian packages that
// provide it.
type Tool struct {
	Name     string    `json:"tool"`
	Version  string    `json:"version"` // upstream version, "2.69"
	Packages []Package `json:"packages"`
}

// String is "autoconf 2.69 (autoconf2.69 2.69-3.1)", "autoconf 2.72
// (upstream autoconf-2.72.tar.xz)".
func (t Tool) String() string {
	var p []string
	for _, pkg := range t.Packages {
		if pkg.Upstream != nil {
			p = append(p, "upstream "+pkg.Upstream.File)
			continue
		}
		p = append(p, pkg.Name+" "+pkg.Version)
	}
	return t.Name + " " + t.Version + " (" + strings.Join(p, ", ") + ")"
}

// Catalog lists the tool versions tarcheck knows Debian packages for,
// each with its pinned package hashes. Candidates for one tool version are
// in order of preference.
type Catalog struct {
	Tools []Tool
}

//go:embed catalog.txt
var embeddedCatalog []byte

var defaultCatalog = sync.OnceValues(parseDefaultCatalog)

// parseDefaultCatalog parses the embedded catalog.txt and upstream.txt
// (DefaultCatalog's first use).
func parseDefaultCatalog() (*Catalog, error) {
	c, err := ParseCatalog(embeddedCatalog)
	if err != nil {
		return nil, err
	}
	up, err := upstreamTools()
	if err != nil {
		return nil, err
	}
	c.Tools = append(c.Tools, up...)
	return c, nil
}

// DefaultCatalog is the catalog built into tarcheck: the Debian packages
// of catalog.txt (made by bench/toolchain-catalog.sh from the Debian
// archive), then the upstream release tarballs of upstream.txt; see the
// package documentation for how to add a version.
func DefaultCatalog() *Catalog {
	c, err := defaultCatalog()
	if err != nil {
		panic("toolchain: embedded catalog.txt: " + err.Error()) // a build defect, caught by the tests
	}
	return c
}

// ParseCatalog reads the catalog format: deb822 paragraphs with the
// fields Tool, Tool-Version and Packages, whose lines are
// "name version arch size sha256 filename suite[,suite...]".
func ParseCatalog(data []byte) (*Catalog, error) {
	c := &Catalog{}
	err := paragraphs(bytes.NewReader(data), func(p paragraph) error {
		t := Tool{Name: p.get("Tool"), Version: p.get("Tool-Version")}
		if ruleFor(t.Name) == nil || t.Version == "" {
			return fmt.Errorf("%w: catalog: unknown tool %q", ErrBadIndex, clip(t.Name))
		}
		for _, line := range strings.Split(p.get("Packages"), "\n") {
			f := strings.Fields(line)
			if len(f) == 0 {
				continue
			}
			if len(f) != 7 || !isHex64(f[4]) || !safePoolPath(f[5]) {
				return fmt.Errorf("%w: catalog: bad package line %q", ErrBadIndex, clip(line))
			}
			size, err := strconv.ParseInt(f[3], 10, 64)
			if err != nil || size <= 0 {
				return fmt.Errorf("%w: catalog: bad size in %q", ErrBadIndex, clip(line))
			}
			t.Packages = append(t.Packages, Package{Name: f[0], Version: f[1], Arch: f[2], Size: size,
				SHA256: f[4], Filename: f[5], Suites: strings.Split(f[6], ",")})
		}
		if len(t.Packages) == 0 {
			return fmt.Errorf("%w: catalog: %s %s has no package", ErrBadIndex, t.Name, t.Version)
		}
		c.Tools = append(c.Tools, t)
		return nil
	})
	return c, err
}

// Marshal writes c in the format ParseCatalog reads.
func (c *Catalog) Marshal() []byte {
	var b bytes.Buffer
	b.WriteString("# Debian packages that provide each generator version (tarcheck toolchain catalog).\n" +
		"# Generated by bench/toolchain-catalog.sh; candidates for one version in order of preference.\n" +
		"# Packages: name version architecture size sha256 pool-filename suites\n\n")
	for _, t := range c.Tools {
		if slices.ContainsFunc(t.Packages, Package.IsUpstream) {
			continue // upstream.txt's
		}
		fmt.Fprintf(&b, "Tool: %s\nTool-Version: %s\nPackages:\n", t.Name, t.Version)
		for _, p := range t.Packages {
			fmt.Fprintf(&b, " %s %s %s %d %s %s %s\n", p.Name, p.Version, p.Arch, p.Size, p.SHA256, p.Filename, strings.Join(p.Suites, ","))
		}
		b.WriteString("\n")
	}
	return b.Bytes()
}

// BuildCatalog makes a catalog from the records of verified Packages
// indexes (Package.Suites says where each was seen): one candidate Tool
// per providing package version, arch "all" only, in order of preference:
// a package named after the exact version (autoconf2.69) first, then by
// the order of suites given (earlier is preferred), then newer Debian
// revisions first. autotools-dev has one entry per version too; it is
// added to a toolchain as a companion of automake and libtool.
func BuildCatalog(pkgs []Package, suiteOrder []string) *Catalog {
	rank := func(p Package) int {
		best := len(suiteOrder)
		for _, s := range p.Suites {
			if i := slices.Index(suiteOrder, s); i >= 0 && i < best {
				best = i
			}
		}
		return best
	}
	merged := map[string]*Package{} // name version arch -> package with all suites
	var keys []string
	for _, p := range pkgs {
		if p.Arch != "all" || toolOfPackage(p.Name) == "" {
			continue
		}
		k := p.Name + " " + p.Version
		if m, ok := merged[k]; ok {
			for _, s := range p.Suites {
				if !slices.Contains(m.Suites, s) {
					m.Suites = append(m.Suites, s)
				}
			}
			continue
		}
		cp := p
		cp.Suites = slices.Clone(p.Suites)
		merged[k] = &cp
		keys = append(keys, k)
	}
	byTool := map[[2]string][]Package{}
	var order [][2]string
	for _, k := range keys {
		p := *merged[k]
		slices.SortFunc(p.Suites, func(a, b string) int { return slices.Index(suiteOrder, a) - slices.Index(suiteOrder, b) })
		tk := [2]string{toolOfPackage(p.Name), UpstreamVersion(p.Version)}
		if _, ok := byTool[tk]; !ok {
			order = append(order, tk)
		}
		byTool[tk] = append(byTool[tk], p)
	}
	slices.SortFunc(order, func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return CompareVersions(a[1], b[1])
	})
	c := &Catalog{}
	for _, tk := range order {
		cands := byTool[tk]
		slices.SortStableFunc(cands, func(a, b Package) int {
			an, bn := a.Name != tk[0], b.Name != tk[0] // suffixed name (autoconf2.69) first
			if an != bn {
				if an {
					return -1
				}
				return 1
			}
			if d := rank(a) - rank(b); d != 0 {
				return d
			}
			return -CompareVersions(a.Version, b.Version)
		})
		for _, p := range cands {
			c.Tools = append(c.Tools, Tool{Name: tk[0], Version: tk[1], Packages: []Package{p}})
		}
	}
	return c
}

// CompareVersions orders version strings by their numeric and non-numeric
// runs (2.9 < 2.10, 1.16.5 < 1.17), enough for upstream and Debian
// versions of the tools in the catalog.
func CompareVersions(a, b string) int {
	for a != "" || b != "" {
		an, arest := splitRun(a)
		bn, brest := splitRun(b)
		ad, bd := an != "" && an[0] >= '0' && an[0] <= '9', bn != "" && bn[0] >= '0' && bn[0] <= '9'
		switch {
		case ad && bd:
			ai, _ := strconv.ParseUint(strings.TrimLeft(an, "0")+"0", 10, 64)
			bi, _ := strconv.ParseUint(strings.TrimLeft(bn, "0")+"0", 10, 64)
			if ai != bi {
				if ai < bi {
					return -1
				}
				return 1
			}
		default:
			if c := strings.Compare(an, bn); c != 0 {
				return c
			}
		}
		a, b = arest, brest
	}
	return 0
}

func splitRun(s string) (run, rest string) {
	if s == "" {
		return "", ""
	}
	digit := s[0] >= '0' && s[0] <= '9'
	i := 1
	for i < len(s) && (s[i] >= '0' && s[i] <= '9') == digit {
		i++
	}
	return s[:i], s[i:]
}

// Candidates returns the catalog's candidates for tool at version, in
// order of preference. For gettext the version is a minimum: autopoint
// carries the infrastructure of every earlier gettext release and copies
// the one AM_GNU_GETTEXT_VERSION names, so the lowest autopoint at or
// above version comes first.
func (c *Catalog) Candidates(tool, version string) []Tool {
	var out []Tool
	for _, t := range c.Tools {
		if t.Name == tool && t.Version == version {
			out = append(out, t)
		}
	}
	if tool != ToolGettext {
		return out
	}
	var above []Tool
	for _, t := range c.Tools {
		if t.Name == tool && CompareVersions(t.Version, version) > 0 {
			above = append(above, t)
		}
	}
	slices.SortStableFunc(above, func(a, b Tool) int { return CompareVersions(a.Version, b.Version) })
	return append(out, above...)
}
