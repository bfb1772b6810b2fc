package toolchain

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Stamp is a generator version recorded in a release file, as the
// autotools package reports it.
type Stamp struct {
	// Generator is the stamped name: "GNU Autoconf", "Autoheader", "GNU
	// Automake", "aclocal", "GNU Libtool", "GNU gettext", or a tool name
	// ("autoconf", "automake", "libtool", "gettext", "autopoint").
	Generator string
	// Version is the stamped version: "2.69", "1.16.5". A libtool stamp
	// may carry the distribution build after a space ("2.4.7
	// Debian-2.4.7-7~deb12u1"): the candidate of that exact Debian version
	// is then preferred. For "GNU gettext" it is the macro version of
	// po/Makefile.in.in, a lower bound for the autopoint to use.
	Version string
	// Hints are properties of the stamped files that tell builds of one
	// version apart. "runstatedir": configure has the --runstatedir
	// option, which autoconf 2.69 has only with the Debian/Ubuntu patch
	// (Debian's autoconf 2.69-14 and autoconf2.69 2.69-2); without the
	// hint the unpatched build is preferred.
	Hints []string
}

// HintRunstatedir is the Stamp hint for a configure with --runstatedir.
const HintRunstatedir = "runstatedir"

// HintUpstream is the Stamp hint for files that show the tool's upstream
// build, not a distribution's patched one (autoconf 2.72's large-file
// checks as released): the catalog's upstream release entry of that
// version, built in the sandbox, is then preferred.
const HintUpstream = "upstream"

// runstatedirBuilds are the catalog's autoconf 2.69 builds that carry the
// runstatedir backport (autoconf2.69 dropped it in 2.69-3).
var runstatedirBuilds = map[string]bool{"autoconf 2.69-14": true, "autoconf2.69 2.69-2": true}

// generatorTools maps stamped generator names to tools.
var generatorTools = map[string]string{
	"GNU Autoconf": ToolAutoconf, "Autoheader": ToolAutoconf, "autoconf": ToolAutoconf,
	"GNU Automake": ToolAutomake, "aclocal": ToolAutomake, "automake": ToolAutomake,
	"GNU Libtool": ToolLibtool, "libtool": ToolLibtool, "libtoolize": ToolLibtool,
	"GNU gettext": ToolGettext, "gettext": ToolGettext, "autopoint": ToolGettext,
	"pkg-config": ToolPkgConfig, "pkg.m4": ToolPkgConfig,
}

// Spec is a toolchain: one Tool per generator, each with the Debian
// packages that provide it (hashes pinned).
type Spec struct {
	Tools []Tool `json:"tools"`
	// Notes explain choices Select made (conflicting stamps).
	Notes []string `json:"notes,omitempty"`
	// Nearest lists the tools chosen for a snapshot stamp (a build
	// between releases, "2.5.4.1-baa1-dirty"): the nearest catalog release,
	// not the stamped build. The caller must treat their output as not
	// exact (a difference is not proved, never excused).
	Nearest []Nearest `json:"nearest,omitempty"`
}

// Nearest is a tool of a Spec chosen for a snapshot stamp.
type Nearest struct {
	Tool    string `json:"tool"`    // "libtool"
	Stamped string `json:"stamped"` // "2.5.4.1-baa1-dirty"
	Version string `json:"version"` // "2.5.4", the catalog release chosen
}

// ID identifies the toolchain by content: the sha256 of its tools and
// package hashes. Use it in keys of results that depend on the toolchain.
func (s Spec) ID() string {
	h := sha256.New()
	for _, t := range s.Tools {
		fmt.Fprintf(h, "%s %s\n", t.Name, t.Version)
		for _, p := range t.Packages {
			fmt.Fprintf(h, " %s %s\n", p.Name, p.SHA256)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// String lists the tools: "autoconf 2.69 (autoconf2.69 2.69-3.1), automake 1.16.5 (...)".
func (s Spec) String() string {
	var parts []string
	for _, t := range s.Tools {
		parts = append(parts, t.String())
	}
	return strings.Join(parts, ", ")
}

// Requests returns s as the arguments of `tarcheck toolchain fetch`
// ("autoconf=2.69=2.69-3.1", "autoconf=2.72+upstream"), which Resolve
// turns back into s.
func (s Spec) Requests() []string {
	var out []string
	for _, t := range s.Tools {
		if len(t.Packages) == 1 && t.Packages[0].Upstream != nil {
			out = append(out, t.Name+"="+t.Version+UpstreamSuffix)
		} else if len(t.Packages) == 1 {
			out = append(out, t.Name+"="+t.Version+"="+t.Packages[0].Version)
		} else {
			out = append(out, t.Name+"="+t.Version)
		}
	}
	return out
}

// Version returns the version of tool in s, or "".
func (s Spec) Version(tool string) string {
	for _, t := range s.Tools {
		if t.Name == tool {
			return t.Version
		}
	}
	return ""
}

// Select chooses a toolchain for the stamps of a release from the
// default catalog; see [Catalog.Select].
func Select(stamps []Stamp) (Spec, []string) { return DefaultCatalog().Select(stamps) }

// Select chooses, for each tool the stamps name, the preferred catalog
// candidate of exactly that version (for gettext: the lowest autopoint at
// or above it), and adds autotools-dev as a companion of automake and
// libtool. A snapshot stamp of autoconf, automake or libtool (IsSnapshot:
// "2.5.4.1-baa1-dirty") that no candidate has selects the nearest release
// instead (same major.minor.patch, else the highest below), recorded in
// spec.Nearest as not exact. missing lists the tool versions the catalog cannot provide, as
// "tool=version" (the argument `tarcheck toolchain fetch` takes). Stamps of
// other generators are ignored. When one tool is stamped with several
// versions the highest is chosen and a note says so; the caller must still
// decide what a file stamped with the other version means.
func (c *Catalog) Select(stamps []Stamp) (spec Spec, missing []string) {
	type want struct {
		versions []string
		build    string
		hints    []string
	}
	wants := map[string]*want{}
	for _, st := range stamps {
		tool, ok := generatorTools[st.Generator]
		if !ok {
			continue
		}
		v, build, _ := strings.Cut(strings.TrimSpace(st.Version), " ")
		if v == "" {
			continue
		}
		w := wants[tool]
		if w == nil {
			w = &want{}
			wants[tool] = w
		}
		if !slices.Contains(w.versions, v) {
			w.versions = append(w.versions, v)
		}
		if build != "" {
			w.build = build
		}
		w.hints = append(w.hints, st.Hints...)
	}
	tools := make([]string, 0, len(wants))
	for t := range wants {
		tools = append(tools, t)
	}
	slices.Sort(tools)
	for _, tool := range tools {
		w := wants[tool]
		slices.SortFunc(w.versions, CompareVersions)
		v := w.versions[len(w.versions)-1]
		if len(w.versions) > 1 {
			spec.Notes = append(spec.Notes, fmt.Sprintf("%s stamped with several versions (%s): using %s",
				tool, strings.Join(w.versions, ", "), v))
		}
		cands := c.Candidates(tool, v)
		if len(cands) == 0 && nearestTools[tool] && IsSnapshot(v) {
			if near := c.nearestRelease(tool, v); near != "" {
				cands = c.Candidates(tool, near)
				spec.Nearest = append(spec.Nearest, Nearest{Tool: tool, Stamped: v, Version: near})
				spec.Notes = append(spec.Notes, fmt.Sprintf("%s %s is a snapshot build: using the nearest release in the catalog, %s (not exact)", tool, v, near))
			}
		}
		if len(cands) == 0 {
			missing = append(missing, tool+"="+v)
			continue
		}
		if tool == ToolAutoconf && v == "2.69" {
			patched := slices.Contains(w.hints, HintRunstatedir)
			slices.SortStableFunc(cands, func(a, b Tool) int {
				ap := runstatedirBuilds[a.Packages[0].Name+" "+a.Packages[0].Version] == patched
				bp := runstatedirBuilds[b.Packages[0].Name+" "+b.Packages[0].Version] == patched
				switch {
				case ap && !bp:
					return -1
				case bp && !ap:
					return 1
				}
				return 0
			})
		}
		if slices.Contains(w.hints, HintUpstream) {
			slices.SortStableFunc(cands, func(a, b Tool) int { return upstreamFirst(a) - upstreamFirst(b) })
		}
		spec.Tools = append(spec.Tools, preferBuild(cands, w.build))
	}
	if spec.Version(ToolAutomake) != "" || spec.Version(ToolLibtool) != "" {
		if dev := c.companion(spec); dev != nil {
			spec.Tools = append(spec.Tools, *dev)
		}
	}
	sortTools(spec.Tools)
	return spec, missing
}

// upstreamFirst orders upstream release entries before Debian packages.
func upstreamFirst(t Tool) int {
	if slices.ContainsFunc(t.Packages, Package.IsUpstream) {
		return 0
	}
	return 1
}

// preferBuild returns the candidate whose Debian version the stamp's build
// string names ("Debian-2.4.7-7~deb12u1"), else the first.
func preferBuild(cands []Tool, build string) Tool {
	if build != "" {
		for _, t := range cands {
			for _, p := range t.Packages {
				if strings.HasSuffix(build, "-"+p.Version) || build == p.Version {
					return t
				}
			}
		}
	}
	return cands[0]
}

// companion picks the autotools-dev from the suite of the automake (or
// libtool) package chosen, else the newest in the catalog.
func (c *Catalog) companion(spec Spec) *Tool {
	var suites []string
	for _, t := range spec.Tools {
		if t.Name == ToolAutomake || t.Name == ToolLibtool {
			suites = append(suites, t.Packages[0].Suites...)
		}
	}
	var best *Tool
	for i := range c.Tools {
		t := &c.Tools[i]
		if t.Name != ToolAutotoolsDev {
			continue
		}
		for _, s := range suites {
			if slices.Contains(t.Packages[0].Suites, s) {
				return t
			}
		}
		if best == nil || CompareVersions(t.Version, best.Version) > 0 {
			best = t
		}
	}
	return best
}

// Resolve turns requests of the form "tool=version" (as `tarcheck
// toolchain fetch autoconf=2.69 automake=1.16.5` takes them) into a Spec,
// adding autotools-dev as Select does. "tool=version=debian-version" picks
// that exact Debian package version; "tool=version+upstream" the upstream
// release tarball, built in the sandbox.
func (c *Catalog) Resolve(requests []string) (Spec, error) {
	var spec Spec
	for _, r := range requests {
		tool, v, ok := strings.Cut(r, "=")
		if !ok || tool == "" || v == "" {
			return Spec{}, fmt.Errorf("toolchain request %q: want tool=version (e.g. autoconf=2.69)", r)
		}
		if t, ok := generatorTools[tool]; ok {
			tool = t
		}
		if ruleFor(tool) == nil {
			return Spec{}, fmt.Errorf("%w: unknown tool %q (known: autoconf, automake, libtool, gettext, autotools-dev, pkg-config)", ErrUnknownTool, tool)
		}
		v, deb, _ := strings.Cut(v, "=")
		v, upstream := strings.CutSuffix(v, UpstreamSuffix)
		cands := c.Candidates(tool, v)
		if deb != "" {
			cands = slices.DeleteFunc(cands, func(t Tool) bool { return t.Packages[0].Version != deb || t.Packages[0].Upstream != nil })
		}
		if upstream {
			cands = slices.DeleteFunc(cands, func(t Tool) bool { return t.Packages[0].Upstream == nil })
		}
		if len(cands) == 0 {
			if upstream {
				v += UpstreamSuffix
			}
			return Spec{}, fmt.Errorf("%w: %s %s (see `tarcheck toolchain list`)", ErrUnknownTool, tool, v)
		}
		if spec.Version(tool) != "" {
			return Spec{}, fmt.Errorf("toolchain request %q: %s given twice", r, tool)
		}
		spec.Tools = append(spec.Tools, cands[0])
	}
	if spec.Version(ToolAutotoolsDev) == "" && (spec.Version(ToolAutomake) != "" || spec.Version(ToolLibtool) != "") {
		if dev := c.companion(spec); dev != nil {
			spec.Tools = append(spec.Tools, *dev)
		}
	}
	sortTools(spec.Tools)
	return spec, nil
}

// sortTools orders a Spec's tools by name, so that equal toolchains have
// equal IDs.
func sortTools(tools []Tool) {
	slices.SortStableFunc(tools, func(a, b Tool) int { return strings.Compare(a.Name, b.Name) })
}

// NeedsKeyring reports whether fetching request ("automake=1.16.5+upstream")
// verifies an upstream signature, so that `tarcheck toolchain fetch` needs
// --keyring.
func (c *Catalog) NeedsKeyring(request string) bool {
	spec, err := c.Resolve([]string{request})
	if err != nil {
		return false
	}
	for _, t := range spec.Tools {
		for _, p := range t.Packages {
			if p.Upstream != nil && p.Upstream.Signature != "" {
				return true
			}
		}
	}
	return false
}

// nearestTools are the tools whose snapshot stamps select the nearest
// release (gettext already selects the lowest autopoint at or above).
var nearestTools = map[string]bool{ToolAutoconf: true, ToolAutomake: true, ToolLibtool: true}

// snapshotRE is a version stamped by a build between releases: more than
// three numbers ("2.4.6.42"), a git suffix ("-baa1", "-dirty",
// "-b88ce"), or a letter ("2.72c", "1.16a": a pre-release).
var snapshotRE = regexp.MustCompile(`^[0-9]+(?:\.[0-9]+){3,}(?:-[0-9A-Za-z.+~-]+)?$|^[0-9]+(?:\.[0-9]+)+(?:[a-z]|-[0-9A-Za-z.+~-]+)$`)

// IsSnapshot reports whether a stamped version is a snapshot or
// pre-release build rather than a release ("2.5.4.1-baa1-dirty",
// "2.4.6.42-b88ce", "2.72c"; not "2.69", "1.16.5").
func IsSnapshot(v string) bool { return snapshotRE.MatchString(v) }

// releasePrefix is the major.minor[.patch] numbers a snapshot version
// starts with ("2.5.4" of "2.5.4.1-baa1-dirty", "2.72" of "2.72c").
var releasePrefix = regexp.MustCompile(`^[0-9]+\.[0-9]+(?:\.[0-9]+)?`)

// nearestRelease returns the catalog version of tool that a snapshot
// version v is nearest: the release of v's major.minor.patch when the
// catalog has it, else the highest release below v; "" when none.
func (c *Catalog) nearestRelease(tool, v string) string {
	prefix := releasePrefix.FindString(v)
	best := ""
	for _, t := range c.Tools {
		if t.Name != tool {
			continue
		}
		if t.Version == prefix {
			return prefix
		}
		if CompareVersions(t.Version, v) < 0 && (best == "" || CompareVersions(t.Version, best) > 0) {
			best = t.Version
		}
	}
	return best
}
