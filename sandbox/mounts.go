package sandbox

import (
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
)

// mountKind is one step in building the sandbox's file system view.
type mountKind int

const (
	mountRO      mountKind = iota // bind src at dst read-only
	mountRW                       // bind src at dst read-write (the work directory)
	mountTmpfs                    // empty tmpfs at dst (src is the mode)
	mountSymlink                  // symlink dst -> src
	mountProc                     // fresh proc at dst
	mountDev                      // minimal /dev at dst
	mountOverlay                  // read-only overlayfs at dst (src is the lowerdir option)
)

// mountStep is one mount (or symlink) inside the new root.
type mountStep struct {
	kind     mountKind
	src, dst string
}

// mounts returns the steps that build the sandbox view for p, parents before
// children so that later mounts are not hidden by earlier ones.
func (p *plan) mounts() ([]mountStep, error) {
	var steps []mountStep
	for _, d := range systemDirs {
		fi, err := os.Lstat(d)
		switch {
		case err != nil:
			continue // e.g. no /lib32 on this host
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(d)
			if err != nil {
				return nil, fmt.Errorf("reading link %s: %w", d, err)
			}
			steps = append(steps, mountStep{mountSymlink, target, d})
		case fi.IsDir() && p.lower[d] != "":
			steps = append(steps, mountStep{mountOverlay, p.lower[d], d})
		case fi.IsDir():
			steps = append(steps, mountStep{mountRO, d, d})
		}
	}
	steps = append(steps,
		mountStep{mountProc, "", "/proc"},
		mountStep{mountDev, "", "/dev"},
		mountStep{mountTmpfs, "1777", "/tmp"},
	)
	for _, h := range p.hide {
		steps = append(steps, mountStep{mountTmpfs, "0700", h})
	}
	steps = append(steps, mountStep{mountRW, p.dir, p.dir})
	steps = append(steps, p.binds...)
	sort.SliceStable(steps, func(i, j int) bool {
		return strings.Count(steps[i].dst, "/") < strings.Count(steps[j].dst, "/")
	})
	return steps, nil
}
