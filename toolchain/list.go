package toolchain

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
)

// DefaultDir is the toolchain cache used when --toolchain-dir is not
// given: "tarcheck/toolchains" in the user cache directory.
func DefaultDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no user cache directory (set --toolchain-dir): %w", err)
	}
	return filepath.Join(d, "tarcheck", "toolchains"), nil
}

// WriteList writes the catalog as a table for `tarcheck toolchain list`:
// tool, version, Debian package and version, suites, and whether the
// package is unpacked in c (c may be nil). The first candidate of a
// version is the one Select picks. An upstream release entry shows as
// version "2.72+upstream" (the request that selects it), its tarball as
// the package, "upstream" as the Debian version, and in SUITES how it is
// checked beyond its pinned sha256: "signed:FINGERPRINT" (upstream's
// signature), else "sources:SUITE" (listed in that suite's signed Sources
// index), else "sha256-pinned".
func (cat *Catalog) WriteList(w io.Writer, c *Cache) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TOOL\tVERSION\tPACKAGE\tDEBIAN VERSION\tSUITES\tCACHED")
	upstream := false
	for _, t := range cat.Tools {
		for _, p := range t.Packages {
			cached := "-"
			if c != nil && c.unpacked(strings.ToLower(p.SHA256)) {
				cached = "yes"
			}
			if u := p.Upstream; u != nil {
				upstream = true
				check := "sha256-pinned"
				if len(u.Suites) > 0 {
					check = "sources:" + strings.Join(u.Suites, ",")
				}
				if u.Signature != "" {
					check = "signed:" + strings.Join(u.Signers, ",")
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.Name, t.Version+UpstreamSuffix, u.File, ArchUpstream, check, cached)
				continue
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.Name, t.Version, p.Name, p.Version, strings.Join(p.Suites, ","), cached)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if upstream {
		_, err := fmt.Fprintln(w, "\nVERSION+upstream: built from the upstream release tarball inside the sandbox, without network\n"+
			"(`tarcheck toolchain fetch autoconf=2.72+upstream`; a signed one needs --keyring FILE with the pinned signer's key).")
		return err
	}
	return nil
}

// WritePath writes where the toolchain is, for `tarcheck toolchain path`:
// one "tool version from package" line per tool, then the overlay layers,
// the binds and the environment, as the sandbox gets them.
func (t *Toolchain) WritePath(w io.Writer) error {
	var b strings.Builder
	for _, d := range t.Describe() {
		b.WriteString(d + "\n")
	}
	for _, l := range t.Layers {
		fmt.Fprintf(&b, "layer /usr <- %s\n", l)
	}
	for _, bd := range t.Binds {
		fmt.Fprintf(&b, "bind %s <- %s\n", bd.Dst, bd.Src)
	}
	for _, e := range t.Env {
		fmt.Fprintf(&b, "env %s\n", e)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
