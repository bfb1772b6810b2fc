package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"

	"github.com/tarcheck/tarcheck/autotools"
	"github.com/tarcheck/tarcheck/toolchain"
	"github.com/tarcheck/tarcheck/verify/compare"
	"github.com/tarcheck/tarcheck/verify/fetch"
	"github.com/tarcheck/tarcheck/verify/report"
	"github.com/tarcheck/tarcheck/verify/sig"
)

// Toolchains says where exact toolchains come from (`--toolchain-dir`,
// `tarcheck toolchain`).
type Toolchains struct {
	// Dir is the toolchain cache; "" means "toolchains" in the cache directory.
	Dir string
	// Fetch lets a rebuild download (verified) toolchains it lacks, unless
	// Sources.Offline; without it a rebuild uses only what is cached.
	Fetch bool
	// Keyrings are OpenPGP keyring files that verify the signatures of
	// upstream release tarballs (`toolchain fetch --keyring`: the GNU
	// keyring, or a Debian source package's debian/upstream/signing-key.asc);
	// without them a signed upstream entry cannot be fetched (a rebuild
	// then falls back to Debian's build and says so).
	Keyrings []string
}

// toolchainDir is t.Dir, else "toolchains" under the cache directory.
func (t Toolchains) dir(cacheDir string) (string, error) {
	if t.Dir != "" {
		return t.Dir, nil
	}
	c, err := cacheDirName(cacheDir)
	if err != nil {
		return "", err
	}
	return filepath.Join(c, "toolchains"), nil
}

// ToolchainOptions are the inputs of the `tarcheck toolchain` commands.
type ToolchainOptions struct {
	// Toolchains is the cache (Dir) to show or prepare.
	Toolchains Toolchains
	// CacheDir holds downloads ("" the user's cache directory).
	CacheDir string
	// Offline forbids downloads: fetch then only checks what is cached.
	Offline bool
	// MaxDownload caps one download (0: fetch's default).
	MaxDownload int64
	// Logf receives one line per fetch step; nil discards them.
	Logf func(format string, args ...any)
	// Tarball and Signature are a local upstream release tarball and its
	// detached signature for the one upstream request of a fetch
	// (`fetch tool=VERSION+upstream --tarball FILE --signature FILE`).
	Tarball, Signature string
}

// upstreamKeys reads t.Keyrings (nil when none is given).
func (t Toolchains) upstreamKeys() (openpgp.EntityList, error) {
	if len(t.Keyrings) == 0 {
		return nil, nil
	}
	var files []sig.KeyringFile
	for _, k := range t.Keyrings {
		data, err := os.ReadFile(k)
		if err != nil {
			return nil, fileError(KindInput, "--keyring", err)
		}
		files = append(files, sig.KeyringFile{Name: k, Data: data})
	}
	keys, err := sig.ReadKeyringFiles(files...)
	if err != nil {
		return nil, Errorf(KindInput, "--keyring: %v", err)
	}
	return keys, nil
}

// openToolchains opens the toolchain cache; getter nil keeps it offline.
func openToolchains(t Toolchains, cacheDir string, getter toolchain.Getter, logf func(string, ...any)) (*toolchain.Cache, error) {
	dir, err := t.dir(cacheDir)
	if err != nil {
		return nil, err
	}
	keys, err := t.upstreamKeys()
	if err != nil {
		return nil, err
	}
	opts := toolchain.Options{Dir: dir, UpstreamKeyring: keys}
	if getter != nil {
		opts.Getter = getter
	}
	if logf != nil {
		opts.Progress = func(step string) { logf("toolchain: %s", step) }
	}
	c, err := toolchain.Open(opts)
	if err != nil {
		return nil, Errorf(KindEnvironment, "%w", err)
	}
	return c, nil
}

// ToolchainList writes the catalog of toolchains with what the cache holds
// (`tarcheck toolchain list`).
func ToolchainList(w io.Writer, o ToolchainOptions) error {
	c, err := openToolchains(o.Toolchains, o.CacheDir, nil, nil)
	if err != nil {
		return err
	}
	return toolchain.DefaultCatalog().WriteList(w, c)
}

// ToolchainFetch downloads, verifies and unpacks the toolchain of requests
// ("autoconf=2.69"; "autoconf=2.72+upstream" builds the upstream release
// in the sandbox), then writes where it is (`tarcheck toolchain fetch`).
func ToolchainFetch(ctx context.Context, w io.Writer, o ToolchainOptions, requests []string) error {
	spec, err := toolchain.DefaultCatalog().Resolve(requests)
	if err != nil {
		return toolchainErr(err)
	}
	dir, err := cacheDir(o.CacheDir)
	if err != nil {
		return err
	}
	var getter toolchain.Getter
	if !o.Offline {
		f, err := fetch.New(fetch.Options{CacheDir: dir, MaxSize: o.MaxDownload, Logf: o.Logf})
		if err != nil {
			return Errorf(KindEnvironment, "%v", err)
		}
		getter = f
	}
	c, err := openToolchains(o.Toolchains, dir, getter, o.Logf)
	if err != nil {
		return err
	}
	if o.Tarball != "" || o.Signature != "" {
		if err := addLocalUpstream(ctx, c, spec, o); err != nil {
			return err
		}
	}
	tc, err := c.Fetch(ctx, spec)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, toolchain.ErrBuild) {
			return WithKind(KindEnvironment, err)
		}
		return toolchainErr(err)
	}
	return tc.WritePath(w)
}

// addLocalUpstream imports --tarball (and --signature) for the one
// upstream release entry of spec.
func addLocalUpstream(ctx context.Context, c *toolchain.Cache, spec toolchain.Spec, o ToolchainOptions) error {
	var up []toolchain.Package
	for _, t := range spec.Tools {
		for _, p := range t.Packages {
			if p.Upstream != nil {
				up = append(up, p)
			}
		}
	}
	if o.Tarball == "" || len(up) != 1 {
		return Errorf(KindUsage, "--tarball FILE (and --signature FILE) go with exactly one TOOL=VERSION+upstream request, e.g. `tarcheck toolchain fetch automake=1.16.5+upstream --tarball automake-1.16.5.tar.xz --signature automake-1.16.5.tar.xz.sig --keyring gnu-keyring.gpg`")
	}
	if err := c.AddUpstream(ctx, up[0], o.Tarball, o.Signature); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, toolchain.ErrBuild) {
			return WithKind(KindEnvironment, err)
		}
		return toolchainErr(err)
	}
	return nil
}

// ToolchainPath writes where a cached toolchain is, without any network
// access, checking every file (`tarcheck toolchain path`).
func ToolchainPath(w io.Writer, o ToolchainOptions, requests []string) error {
	spec, err := toolchain.DefaultCatalog().Resolve(requests)
	if err != nil {
		return toolchainErr(err)
	}
	c, err := openToolchains(o.Toolchains, o.CacheDir, nil, nil)
	if err != nil {
		return err
	}
	tc, err := c.Path(spec)
	if err != nil {
		return toolchainErr(err)
	}
	return tc.WritePath(w)
}

// rebuildToolchains gives the rebuild stage the toolchain cache: Path
// only, or Fetch when downloads are allowed.
type rebuildToolchains struct {
	c     *toolchain.Cache
	fetch bool
}

func (t rebuildToolchains) Toolchain(ctx context.Context, spec toolchain.Spec) (*toolchain.Toolchain, error) {
	if t.fetch {
		return t.c.Fetch(ctx, spec)
	}
	return t.c.Path(spec)
}

// upstreamCopies proves the inputs a tarball adds for the rebuild: a copy
// identical to one in the m4 database (gnulib, automake, libtool, gettext,
// autoconf-archive histories) or to the pinned gnulib commit's. Replacement
// content comes from the pinned gnulib commit (the m4 database keeps no
// content).
type upstreamCopies struct {
	db     *autotools.M4DB
	gnulib map[string][]byte // base name -> the pinned gnulib commit's m4/ copy
}

func (u upstreamCopies) Proved(rel string, content []byte) (string, bool) {
	if g, ok := u.gnulib[path.Base(rel)]; ok && bytes.Equal(g, content) {
		return "the pinned gnulib commit", true
	}
	if u.db == nil {
		return "", false
	}
	m := u.db.Lookup(rel, content)
	if m.Kind != autotools.MatchExact || m.KnownAs != "" {
		return "", false
	}
	origins := m.Origins
	if len(origins) > 2 {
		origins = append(origins[:2:2], fmt.Sprintf("%d more", len(m.Origins)-2))
	}
	return strings.Join(origins, ", "), true
}

func (u upstreamCopies) Closest(rel string, content []byte) ([]byte, string) {
	if g, ok := u.gnulib[path.Base(rel)]; ok {
		return g, "the pinned gnulib commit's copy"
	}
	return nil, ""
}

// gnulibM4 reads the pinned gnulib commit's m4/ copy of every m4 file only
// in the tarball, for the rebuild's inputs (nil when not rebuilding or no
// gnulib is pinned).
func gnulibM4(cmp *compare.Result, lookup func(string) ([]byte, bool), rebuilding bool) map[string][]byte {
	if !rebuilding || lookup == nil {
		return nil
	}
	out := map[string][]byte{}
	for rel, t := range cmp.Members {
		base := path.Base(rel)
		if t.Status != report.OnlyInTarball || !strings.HasSuffix(base, ".m4") {
			continue
		}
		if data, ok := lookup("m4/" + base); ok {
			out[base] = data
		}
	}
	return out
}
