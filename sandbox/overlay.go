package sandbox

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tarcheck/tarcheck/internal/limits"
)

// Overlay lays read-only host directories over one of the sandbox's
// read-only system directories with overlayfs: a path present in a layer
// shadows the host's, everything else of the host stays visible. tarcheck
// uses it to put an unpacked toolchain (autoconf, automake, ...) at the
// /usr paths its programs were built for.
//
// Only the "namespaces" backend mounts overlays (bubblewrap before 0.9 has
// no overlay support); the others refuse a Spec with overlays with an
// error wrapping ErrInvalidSpec. See [SupportsOverlays].
type Overlay struct {
	// Target is the sandbox directory: one of /usr, /etc (a directory on the
	// host, not a symlink).
	Target string
	// Layers are host directories, the first topmost; the host's Target is
	// the lowest layer. At most MaxOverlayLayers; no path may contain ':',
	// ',' or '\\' (overlayfs option syntax) or a newline.
	Layers []string
}

// Bind is a read-only bind mount of a host directory or file at a path
// inside the sandbox that exists in its view (for example a directory an
// [Overlay] layer provides): the whole host path replaces what the view
// had there. Binds are mounted after the system directories and overlays,
// shallower destinations first.
type Bind struct {
	Src, Dst string
}

// MaxOverlayLayers caps Overlay.Layers.
const MaxOverlayLayers = limits.SandboxMaxOverlayLayers

// SupportsOverlays reports whether r mounts Spec.Overlays.
func SupportsOverlays(r Runner) bool {
	_, ok := r.(*namespacesRunner)
	return ok
}

// overlaySteps validates s.Overlays and s.Binds and returns, per target,
// the overlayfs lowerdir option value, and the bind steps.
func overlaySteps(s Spec) (map[string]string, []mountStep, error) {
	lower := map[string]string{}
	for _, o := range s.Overlays {
		t := filepath.Clean(o.Target)
		if t != "/usr" && t != "/etc" {
			return nil, nil, fmt.Errorf("%w: overlay target %q (want /usr or /etc)", ErrInvalidSpec, o.Target)
		}
		if fi, err := os.Lstat(t); err != nil || !fi.IsDir() {
			return nil, nil, fmt.Errorf("%w: overlay target %s is not a directory on this host", ErrInvalidSpec, t)
		}
		if _, dup := lower[t]; dup {
			return nil, nil, fmt.Errorf("%w: two overlays on %s", ErrInvalidSpec, t)
		}
		if len(o.Layers) == 0 || len(o.Layers) > MaxOverlayLayers {
			return nil, nil, fmt.Errorf("%w: overlay on %s has %d layers (1 to %d)", ErrInvalidSpec, t, len(o.Layers), MaxOverlayLayers)
		}
		var dirs []string
		for _, l := range o.Layers {
			d, err := hostDir(l, true)
			if err != nil {
				return nil, nil, fmt.Errorf("%w: overlay layer: %w", ErrInvalidSpec, err)
			}
			dirs = append(dirs, d)
		}
		lower[t] = strings.Join(append(dirs, t), ":")
	}
	var binds []mountStep
	for _, b := range s.Binds {
		dst := filepath.Clean(b.Dst)
		if !filepath.IsAbs(b.Dst) || dst == "/" || strings.ContainsAny(dst, "\x00\n") {
			return nil, nil, fmt.Errorf("%w: bind destination %q", ErrInvalidSpec, b.Dst)
		}
		for _, r := range []string{"/proc", "/dev", "/sys", "/tmp"} {
			if within(dst, r) {
				return nil, nil, fmt.Errorf("%w: bind destination %s is inside %s", ErrInvalidSpec, dst, r)
			}
		}
		src, err := hostDir(b.Src, false)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: bind source: %w", ErrInvalidSpec, err)
		}
		binds = append(binds, mountStep{mountRO, src, dst})
	}
	return lower, binds, nil
}

// hostDir resolves an absolute host path that must exist (and be a
// directory when dir is set) and be usable in mount options.
func hostDir(p string, dir bool) (string, error) {
	if !filepath.IsAbs(p) {
		return "", fmt.Errorf("%q is not absolute", p)
	}
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", err
	}
	fi, err := os.Stat(r)
	if err != nil {
		return "", err
	}
	if dir && !fi.IsDir() {
		return "", fmt.Errorf("%s is not a directory", r)
	}
	if strings.ContainsAny(r, ":,\\\n\x00") {
		return "", fmt.Errorf("%q contains a character overlayfs options cannot hold (: , \\ or newline)", r)
	}
	return r, nil
}

// errNoOverlays is the error of a backend that cannot mount Spec.Overlays.
func errNoOverlays(r Runner) error {
	return fmt.Errorf("%w: the %s backend cannot lay a toolchain over /usr (overlays need the namespaces backend: --sandbox namespaces)", ErrInvalidSpec, r.Name())
}
