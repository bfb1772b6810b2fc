package rebuild

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tarcheck/tarcheck/internal/limits"
)

// maxCachedBytes caps the regenerated files kept for one result.
const maxCachedBytes = limits.RebuildMaxCachedBytes

// cacheFormat names the layout of a cached result; part of the key.
const cacheFormat = "tarcheck rebuild result v1"

// cachedFile is one regenerated file of a cached result.
type cachedFile struct {
	Path string      `json:"path"`
	Mode fs.FileMode `json:"mode"`
	Link string      `json:"link,omitempty"`
	Blob string      `json:"blob,omitempty"` // file name in the entry
}

// cacheKey identifies what the regeneration's outputs depend on: the tag's
// tree, the inputs written from the tarball (proved or replaced), the
// toolchain (its content id, and the versions the probe saw), the script
// and the environment. "" when results must not be cached.
func (b *rebuilder) cacheKey(script string) string {
	if b.in.ResultCache == "" || b.in.TagTree == "" || b.in.Mode != "autoreconf" {
		return ""
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\ntree %s\nscript %q\nenv %q\n", cacheFormat, b.in.TagTree, script, b.env)
	inputs := slices.Clone(b.inputIDs)
	slices.Sort(inputs)
	for _, in := range inputs {
		fmt.Fprintf(h, "input %s\n", in)
	}
	if b.tc != nil {
		fmt.Fprintf(h, "toolchain %s\n", b.tc.Spec.ID())
	}
	fmt.Fprintf(h, "probe %q\n", b.probeOut)
	return hex.EncodeToString(h.Sum(nil))
}

// restoreResult writes the cached regenerated files of key into the
// export, as if the regeneration had run. False when there is none (or it
// is unusable).
func (b *rebuilder) restoreResult(key string) bool {
	if key == "" {
		return false
	}
	dir := filepath.Join(b.in.ResultCache, key)
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return false
	}
	var files []cachedFile
	if err := json.Unmarshal(data, &files); err != nil {
		b.logf("rebuild: cached result %s unreadable: %v", key, err)
		return false
	}
	for _, f := range files {
		if !filepath.IsLocal(f.Path) || f.Blob != "" && !filepath.IsLocal(f.Blob) {
			b.logf("rebuild: cached result %s: bad path %q", key, f.Path)
			return false
		}
		_ = b.root.Remove(f.Path)
		if f.Link != "" {
			if err = mkdirParents(b.root, f.Path); err == nil {
				err = b.root.Symlink(f.Link, f.Path)
			}
		} else {
			var content []byte
			if content, err = os.ReadFile(filepath.Join(dir, f.Blob)); err == nil {
				err = writeNoFollow(b.root, f.Path, content, f.Mode.Perm())
			}
		}
		if err != nil {
			b.logf("rebuild: restoring %s from the cached result: %v", f.Path, err)
			return false
		}
	}
	b.info.Cached = true
	b.progress("rebuild: regenerated files from the result cache")
	return true
}

// storeResult keeps the files the regeneration wrote under key. Failures
// only cost the next run the regeneration.
func (b *rebuilder) storeResult(key string) {
	if key == "" {
		return
	}
	final := filepath.Join(b.in.ResultCache, key)
	if _, err := os.Stat(final); err == nil {
		return
	}
	if err := os.MkdirAll(b.in.ResultCache, 0o700); err != nil {
		return
	}
	tmp, err := os.MkdirTemp(b.in.ResultCache, "tmp-")
	if err != nil {
		return
	}
	defer os.RemoveAll(tmp)
	var files []cachedFile
	var total int64
	for _, rel := range slices.Sorted(maps.Keys(b.cmp.Members)) {
		if !b.regenerated(rel) {
			continue
		}
		fi, err := b.root.Lstat(rel)
		if err != nil {
			return
		}
		f := cachedFile{Path: rel, Mode: fi.Mode().Perm()}
		src, isLink := rel, fi.Mode()&fs.ModeSymlink != 0
		if l := b.linkInWorkDir(rel); l != "" {
			// A link into the work directory (gnulib-tool --symlink) is
			// kept as its target's content: the target is not there when
			// the result is restored.
			src, isLink = l, false
			if ti, err := b.root.Lstat(l); err == nil {
				f.Mode = ti.Mode().Perm()
			}
		}
		if isLink {
			if f.Link, err = b.root.Readlink(rel); err != nil {
				return
			}
		} else {
			content := readAt(b.root, src)
			if content == nil {
				return
			}
			if total += int64(len(content)); total > maxCachedBytes {
				return
			}
			f.Blob = fmt.Sprintf("%d", len(files))
			if err := os.WriteFile(filepath.Join(tmp, f.Blob), content, 0o600); err != nil {
				return
			}
		}
		files = append(files, f)
	}
	data, err := json.Marshal(files)
	if err != nil || os.WriteFile(filepath.Join(tmp, "manifest.json"), data, 0o600) != nil {
		return
	}
	if err := os.Rename(tmp, final); err != nil && !strings.Contains(err.Error(), "exists") {
		b.logf("rebuild: caching the result: %v", err)
	}
}
