package toolchain

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tarcheck/tarcheck/internal/capread"
	"github.com/tarcheck/tarcheck/internal/filehash"
	"github.com/tarcheck/tarcheck/internal/limits"
	"github.com/tarcheck/tarcheck/internal/scratch"
	"github.com/tarcheck/tarcheck/sandbox"
	"github.com/tarcheck/tarcheck/verify/sig"
)

// UpstreamSuffix marks an upstream build in a request or a version:
// `tarcheck toolchain fetch autoconf=2.72+upstream`.
const UpstreamSuffix = "+upstream"

// ArchUpstream is the Arch of a catalog Package built from an upstream
// release tarball.
const ArchUpstream = "upstream"

// DefaultRecipe builds and installs a GNU release in its top directory;
// $DESTDIR is the tree that goes into the cache.
const DefaultRecipe = "./configure --prefix=/usr\nmake\nmake install DESTDIR=\"$DESTDIR\""

// BuildTimeout caps one upstream build in the sandbox.
const BuildTimeout = 30 * time.Minute

// upstreamKeyVersion changes when the way a tree is built from a tarball
// changes (the script around the recipe), so that old trees are not used.
const upstreamKeyVersion = "tarcheck upstream build 1"

// Upstream is an upstream release tarball that provides a tool once built
// in the sandbox: Debian's archive serves GNU releases as the orig
// tarballs of their source packages, often with upstream's detached
// signature beside them.
type Upstream struct {
	// File is upstream's name of the release ("autoconf-2.72.tar.xz").
	File string `json:"file"`
	// Pool is its path below the mirror root
	// ("pool/main/a/autoconf/autoconf_2.72.orig.tar.xz").
	Pool string `json:"pool"`
	// Size and SHA256 pin the tarball.
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	// Signature is the pool path of upstream's detached OpenPGP signature
	// of the tarball; "" when the archive serves none (the pinned sha256,
	// which Debian's signed Sources index lists too, is then the check).
	Signature string `json:"signature,omitempty"`
	// Signers are the fingerprints (40 hex digits) of the keys allowed
	// to make that signature.
	Signers []string `json:"signers,omitempty"`
	// Suites are the Debian suites whose signed Sources index lists the
	// tarball (the orig tarball of a source package they hold): a
	// download is also checked against one of them.
	Suites []string `json:"suites,omitempty"`
	// Recipe is the shell script (sh -e) run in the release's top
	// directory inside the sandbox, without network; it installs below
	// $DESTDIR/usr.
	Recipe string `json:"recipe"`
}

// BuildKey is the cache key of the tree built from u: the sha256 of the
// tarball's sha256 and the recipe, so that another tarball or recipe is
// another entry.
func (u *Upstream) BuildKey() string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%s\n", upstreamKeyVersion, strings.ToLower(u.SHA256), u.Recipe)
	return hex.EncodeToString(h.Sum(nil))
}

//go:embed upstream.txt
var embeddedUpstream []byte

// ParseUpstream reads the upstream catalog format (upstream.txt): deb822
// paragraphs with Tool, Tool-Version, Upstream ("file size sha256
// pool-path"), optionally Signature (pool path of the detached signature)
// with Signers (fingerprints), Suites (whose signed Sources index lists
// the tarball) and Build (the recipe; DefaultRecipe when absent). Each
// paragraph becomes a Tool with one Package of Arch ArchUpstream whose
// SHA256 is the build key.
func ParseUpstream(data []byte) ([]Tool, error) {
	var out []Tool
	err := paragraphs(bytes.NewReader(data), func(p paragraph) error {
		name, version := p.get("Tool"), p.get("Tool-Version")
		if ruleFor(name) == nil || version == "" {
			return fmt.Errorf("%w: upstream catalog: unknown tool %q", ErrBadIndex, clip(name))
		}
		f := strings.Fields(p.get("Upstream"))
		if len(f) != 4 || !isHex64(f[2]) || !safePoolPath(f[3]) || !safePoolPath(f[0]) || strings.Contains(f[0], "/") {
			return fmt.Errorf("%w: upstream catalog: %s %s: bad Upstream line %q", ErrBadIndex, name, version, clip(p.get("Upstream")))
		}
		size, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil || size <= 0 {
			return fmt.Errorf("%w: upstream catalog: %s %s: bad size %q", ErrBadIndex, name, version, clip(f[1]))
		}
		u := &Upstream{File: f[0], Size: size, SHA256: strings.ToLower(f[2]), Pool: f[3],
			Signature: p.get("Signature"), Recipe: DefaultRecipe}
		if u.Signature != "" {
			if !safePoolPath(u.Signature) {
				return fmt.Errorf("%w: upstream catalog: %s %s: bad Signature %q", ErrBadIndex, name, version, clip(u.Signature))
			}
			for _, fp := range strings.Fields(p.get("Signers")) {
				fp = normFingerprint(fp)
				if len(fp) != 40 || !isHex(fp) {
					return fmt.Errorf("%w: upstream catalog: %s %s: bad signer fingerprint %q", ErrBadIndex, name, version, clip(fp))
				}
				u.Signers = append(u.Signers, fp)
			}
			if len(u.Signers) == 0 {
				return fmt.Errorf("%w: upstream catalog: %s %s has a Signature but no Signers", ErrBadIndex, name, version)
			}
		}
		u.Suites = strings.Fields(p.get("Suites"))
		if r := p.get("Build"); r != "" {
			u.Recipe = r
		}
		out = append(out, Tool{Name: name, Version: version, Packages: []Package{{Name: name, Version: version,
			Arch: ArchUpstream, Filename: u.Pool, Size: u.Size, SHA256: u.BuildKey(), Upstream: u}}})
		return nil
	})
	return out, err
}

// normFingerprint is fp in upper case without spaces or a 0x prefix.
func normFingerprint(fp string) string {
	fp = strings.ToUpper(strings.ReplaceAll(fp, " ", ""))
	return strings.TrimPrefix(fp, "0X")
}

func isHex(s string) bool {
	for _, c := range []byte(s) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return s != ""
}

// IsUpstream reports whether p is built from an upstream release tarball.
func (p Package) IsUpstream() bool { return p.Upstream != nil }

// srcPath is where a verified tarball is kept (its sha256 names it).
func (c *Cache) srcPath(sum, file string) string {
	return filepath.Join(c.dir, "src", strings.ToLower(sum)+"-"+file)
}

// ensureUpstream makes the tree built from p's release present: already
// built, or built from the kept tarball, or downloaded, verified (sha256,
// signature) and built.
func (c *Cache) ensureUpstream(ctx context.Context, p Package) error {
	u := p.Upstream
	if c.unpacked(p.SHA256) {
		return nil
	}
	kept := c.srcPath(u.SHA256, u.File)
	tarball, sigData := "", []byte(nil)
	if tmp, err := c.copyHashed(kept, u.File, u.SHA256, u.Size, "src-*"); err == nil {
		tarball = tmp
		defer os.Remove(tmp)
		if u.Signature != "" {
			sigData, _ = os.ReadFile(kept + ".sig")
		}
	}
	if tarball == "" || (u.Signature != "" && sigData == nil) {
		if c.get == nil {
			return fmt.Errorf("%w (run `tarcheck toolchain fetch` with network access, or point --toolchain-dir at a prepared cache)", ErrOffline)
		}
		if tarball == "" {
			c.progress("downloading " + u.File + " (" + u.Pool + ")")
			f, err := c.get.Get(ctx, c.mirror+"/"+u.Pool)
			if err != nil {
				return fmt.Errorf("downloading %s: %w", u.Pool, err)
			}
			tmp, err := c.copyHashed(f.Path, u.File, u.SHA256, u.Size, "src-*")
			if err != nil {
				return err
			}
			tarball = tmp
			defer os.Remove(tmp)
			if err := c.checkSources(ctx, u); err != nil {
				return err
			}
		}
		if u.Signature != "" {
			f, err := c.get.Get(ctx, c.mirror+"/"+u.Signature)
			if err != nil {
				return fmt.Errorf("downloading %s: %w", u.Signature, err)
			}
			if f.Size > maxSignatureSize {
				return fmt.Errorf("%w: %s is %d bytes", ErrUpstreamSignature, u.Signature, f.Size)
			}
			if sigData, err = os.ReadFile(f.Path); err != nil {
				return err
			}
		}
	}
	return c.verifyAndBuild(ctx, p, tarball, sigData)
}

// errListed stops the walk of a Sources index.
var errListed = errors.New("listed")

// checkSources verifies that the signed Sources index of one of u.Suites
// lists the tarball (its pool directory and file name) with the pinned
// sha256 and size: Debian's archive signature then vouches for the pin,
// which matters most where upstream's own signature is not served.
func (c *Cache) checkSources(ctx context.Context, u *Upstream) error {
	if len(u.Suites) == 0 {
		return nil
	}
	dir, file := path.Dir(u.Pool), path.Base(u.Pool)
	var errs []error
	for _, suite := range u.Suites {
		c.progress("checking " + file + " against the signed " + suite + " Sources index")
		r, idx, closeIndex, err := c.signedIndex(ctx, suite, "main/source/Sources")
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", suite, err))
			continue
		}
		var mismatch error
		err = paragraphs(r, func(p paragraph) error {
			if p.get("Directory") != dir {
				return nil
			}
			for line := range strings.SplitSeq(p.get("Checksums-Sha256"), "\n") {
				f := strings.Fields(line)
				if len(f) != 3 || f[2] != file {
					continue
				}
				if strings.EqualFold(f[0], u.SHA256) && f[1] == strconv.FormatInt(u.Size, 10) {
					return errListed
				}
				mismatch = fmt.Errorf("%w: the signed %s Sources index gives %s sha256 %s (%s bytes), the catalog pins %s (%d bytes)",
					ErrHashMismatch, suite, file, f[0], f[1], u.SHA256, u.Size)
			}
			return nil
		})
		closeIndex()
		switch {
		case errors.Is(err, errListed):
			return nil
		case err != nil:
			errs = append(errs, fmt.Errorf("%s: %w", idx, err))
		case mismatch != nil:
			return mismatch
		default:
			errs = append(errs, fmt.Errorf("%w: %s is not in the %s Sources index", ErrNotFound, u.Pool, suite))
		}
	}
	return errors.Join(errs...)
}

// maxSignatureSize caps a detached signature file.
const maxSignatureSize = limits.ToolchainMaxSignatureSize

// AddUpstream imports a local release tarball for p (an upstream entry of
// the catalog) and, when p pins a signature, its detached signature file:
// both are verified as a download would be (the Sources index check only
// when the cache has a Getter), then the release is built in the sandbox.
// For offline preparation of a cache.
func (c *Cache) AddUpstream(ctx context.Context, p Package, tarball, signature string) error {
	if p.Upstream == nil {
		return fmt.Errorf("%s is not an upstream release entry", p)
	}
	if c.unpacked(p.SHA256) {
		return nil
	}
	tmp, err := c.copyHashed(tarball, p.Upstream.File, p.Upstream.SHA256, p.Upstream.Size, "src-*")
	if err != nil {
		return fmt.Errorf("%s: %w", tarball, err)
	}
	defer os.Remove(tmp)
	if c.get != nil {
		if err := c.checkSources(ctx, p.Upstream); err != nil {
			return err
		}
	}
	var sigData []byte
	if p.Upstream.Signature != "" {
		if signature == "" {
			return fmt.Errorf("%w: %s needs its detached signature (%s); pass it with the tarball", ErrUpstreamSignature, p.Upstream.File, path.Base(p.Upstream.Signature))
		}
		if sigData, err = capread.File(signature, maxSignatureSize); err != nil {
			return fmt.Errorf("%w: %v", ErrUpstreamSignature, err)
		}
	}
	return c.verifyAndBuild(ctx, p, tmp, sigData)
}

// verifyAndBuild checks the signature of the verified tarball at tmp (when
// p pins one), keeps both, and builds the release.
func (c *Cache) verifyAndBuild(ctx context.Context, p Package, tmp string, sigData []byte) error {
	u := p.Upstream
	if u.Signature != "" {
		if err := c.checkUpstreamSignature(u, tmp, sigData); err != nil {
			return err
		}
	}
	kept := c.srcPath(u.SHA256, u.File)
	if _, err := os.Stat(kept); err != nil {
		if err := copyFile(tmp, kept); err != nil {
			return err
		}
	}
	if sigData != nil {
		if err := os.WriteFile(kept+".sig", sigData, 0o644); err != nil {
			return err
		}
	}
	return c.buildUpstream(ctx, p, tmp)
}

// checkUpstreamSignature verifies sigData over the tarball with the
// user's keyring (verify/sig, as for a release): it must be valid and
// made by one of u.Signers.
func (c *Cache) checkUpstreamSignature(u *Upstream, tarball string, sigData []byte) error {
	if len(c.upstreamKeys) == 0 {
		return fmt.Errorf("%w: %s: no keyring to check its signature with; pass --keyring FILE (the signer %s: the GNU keyring, or debian/upstream/signing-key.asc of its Debian source package)",
			ErrUpstreamSignature, u.File, strings.Join(u.Signers, " or "))
	}
	f, err := os.Open(tarball)
	if err != nil {
		return err
	}
	defer f.Close()
	res := sig.VerifyDetached(f, sigData, c.upstreamKeys, c.now())
	if res.Status != sig.StatusValid {
		return fmt.Errorf("%w: %s: %s", ErrUpstreamSignature, u.File, res.Detail)
	}
	for _, fp := range []string{res.Signer, res.Primary} {
		if fp != "" && slices.Contains(u.Signers, normFingerprint(fp)) {
			c.progress("signature of " + u.File + " verified (" + normFingerprint(fp) + ")")
			return nil
		}
	}
	who := res.Primary
	if who == "" {
		who = res.Signer
	}
	return fmt.Errorf("%w: %s is signed by %s, not by the pinned signer %s", ErrUpstreamSignature, u.File, normFingerprint(who), strings.Join(u.Signers, " or "))
}

// runner returns the sandbox the releases are built in: Options.Builder,
// else the best isolating backend of this machine. Never "none".
func (c *Cache) runner(ctx context.Context) (sandbox.Runner, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.builder == nil {
		r, err := sandbox.NewContext(ctx, sandbox.BackendAuto)
		if err != nil {
			return nil, fmt.Errorf("%w: %w (%s)", ErrBuild, err, sandbox.UnavailableHint)
		}
		c.builder = r
	}
	if sandbox.Unsafe(c.builder) {
		return nil, fmt.Errorf("%w: an upstream release is built only in an isolating sandbox (bwrap or namespaces), not with --sandbox none", ErrBuild)
	}
	return c.builder, nil
}

// buildScript unpacks the tarball in the sandbox's work directory and runs
// the recipe in its one top directory.
const buildScript = `mkdir src
tar -xf "$TARBALL" -C src --no-same-owner
set -- src/*/
if [ $# -ne 1 ] || [ ! -d "$1" ]; then echo "tarcheck: the release tarball has not exactly one top directory" >&2; exit 1; fi
cd "$1"
`

// buildUpstream builds p's release from the verified tarball at tarball
// inside the sandbox (no network, one writable directory), and installs
// the tree below $DESTDIR into the cache under p's build key with its
// manifest.
func (c *Cache) buildUpstream(ctx context.Context, p Package, tarball string) error {
	u := p.Upstream
	r, err := c.runner(ctx)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp(filepath.Join(c.dir, "tmp"), "build-*")
	if err != nil {
		return err
	}
	defer scratch.Remove(work)
	if err := copyFile(tarball, filepath.Join(work, u.File)); err != nil {
		return err
	}
	dest := filepath.Join(work, "destdir")
	if err := os.Mkdir(dest, 0o755); err != nil {
		return err
	}
	if real, err := filepath.EvalSymlinks(work); err == nil {
		work, dest = real, filepath.Join(real, "destdir")
	}
	c.progress(fmt.Sprintf("building %s %s from %s in the sandbox (%s, no network)", p.Name, p.Version, u.File, r.Name()))
	env := []string{"PATH=/usr/bin:/bin", "LC_ALL=C", "TZ=UTC0", "DESTDIR=" + dest, "TARBALL=" + filepath.Join(work, u.File)}
	spec := sandbox.ScriptSpec(work, buildScript+u.Recipe, env, BuildTimeout)
	start := time.Now()
	res, err := r.Run(ctx, spec)
	if err != nil {
		return fmt.Errorf("%w: %s %s: %w", ErrBuild, p.Name, p.Version, err)
	}
	log := res.Output
	if res.ExitCode != 0 || res.TimedOut {
		why := fmt.Sprintf("exit %d", res.ExitCode)
		if res.TimedOut {
			why = "timed out after " + BuildTimeout.String()
		}
		return fmt.Errorf("%w: %s %s from %s: %s; last output: %s", ErrBuild, p.Name, p.Version, u.File, why, lastLines(log, 5))
	}
	c.progress(fmt.Sprintf("built %s %s in %s", p.Name, p.Version, time.Since(start).Round(time.Second)))
	entries, err := treeManifest(dest)
	if err != nil {
		return fmt.Errorf("%w: %s %s: %w", ErrBuild, p.Name, p.Version, err)
	}
	if !slices.ContainsFunc(entries, func(e ManifestEntry) bool { return e.Path == "usr" && e.Type == "dir" }) {
		return fmt.Errorf("%w: %s %s: the recipe installed nothing below $DESTDIR/usr", ErrBuild, p.Name, p.Version)
	}
	data, err := json.MarshalIndent(manifest{Package: p, Entries: entries}, "", " ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(work, "build.log"), log, 0o644); err != nil {
		return err
	}
	return c.placeTree(dest, data, filepath.Join(work, "build.log"), strings.ToLower(p.SHA256))
}

// placeTree renames a finished tree and its manifest into place under
// sum (a tree without a manifest, left by a crash, is replaced). logFile,
// when not "", is kept beside them as SUM.log.
func (c *Cache) placeTree(tree string, manifestJSON []byte, logFile, sum string) error {
	mtmp := tree + ".json"
	if err := os.WriteFile(mtmp, manifestJSON, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tree, c.treeDir(sum)); err != nil {
		if c.unpacked(sum) {
			return nil // another process was faster
		}
		if err2 := os.RemoveAll(c.treeDir(sum)); err2 != nil {
			return err
		}
		if err := os.Rename(tree, c.treeDir(sum)); err != nil {
			return err
		}
	}
	if logFile != "" {
		_ = os.Rename(logFile, filepath.Join(c.dir, "tree", sum+".log"))
	}
	return os.Rename(mtmp, c.manifestPath(sum))
}

// treeManifest lists the tree at root, as unpackDeb's manifest does, after
// normalising it: permission bits are cut to 0o755 (no setuid, no group or
// other write), and only directories, regular files and symlinks that stay
// inside the tree (or are absolute, resolved in the sandbox) are allowed.
func treeManifest(root string) ([]ManifestEntry, error) {
	var out []ManifestEntry
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == root {
			return nil
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, root+string(filepath.Separator)))
		switch {
		case d.IsDir():
			if err := os.Chmod(p, 0o755); err != nil {
				return err
			}
			out = append(out, ManifestEntry{Path: rel, Type: "dir", Mode: 0o755})
		case d.Type()&fs.ModeSymlink != 0:
			t, err := os.Readlink(p)
			if err != nil {
				return err
			}
			if !strings.HasPrefix(t, "/") {
				if res := path.Join(path.Dir(rel), t); res == ".." || strings.HasPrefix(res, "../") {
					return fmt.Errorf("installed symlink %s -> %s leaves the tree", rel, t)
				}
			}
			out = append(out, ManifestEntry{Path: rel, Type: "symlink", Mode: 0o777, Target: t})
		case d.Type().IsRegular():
			fi, err := d.Info()
			if err != nil {
				return err
			}
			perm := uint32(fi.Mode().Perm()) & 0o755
			if err := os.Chmod(p, fs.FileMode(perm)); err != nil {
				return err
			}
			sum, err := filehash.SHA256(p)
			if err != nil {
				return err
			}
			out = append(out, ManifestEntry{Path: rel, Type: "file", Mode: perm, Size: fi.Size(), SHA256: sum})
		default:
			return fmt.Errorf("installed %s is a %s, not a file, directory or symlink", rel, d.Type())
		}
		return nil
	})
	return out, err
}

// lastLines is the end of a build log, on one line.
func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	s := strings.Join(lines, " | ")
	if len(s) > 400 {
		s = "..." + s[len(s)-400:]
	}
	return strings.ToValidUTF8(s, "?")
}

// copyFile copies src to a new file dst (0o644), via a temporary name.
func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	tmp := dst + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}

// upstreamTools are the upstream entries of the default catalog.
func upstreamTools() ([]Tool, error) {
	tools, err := ParseUpstream(embeddedUpstream)
	if err != nil {
		return nil, errors.New("embedded upstream.txt: " + err.Error())
	}
	return tools, nil
}
