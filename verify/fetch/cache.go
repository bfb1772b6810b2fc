package fetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tarcheck/tarcheck/internal/filelock"
	"github.com/tarcheck/tarcheck/internal/limits"
)

// Cache layout under Cache.Dir (every name is chosen here, never taken from a
// URL):
//
//	blobs/sha256/<hex>      downloaded content, named by its sha256
//	urls/<hex>.json         index: sha256(URL) -> content hash, size, validators
//	tmp/                    downloads in progress; removed on failure
//	locks/<hex>.lock        per-URL lock (flock) held while an entry is
//	                        looked up, downloaded and written
//
// Directories are created 0700 and files 0600.
const (
	blobsDir = "blobs/sha256"
	urlsDir  = "urls"
	tmpDir   = "tmp"
	locksDir = "locks"

	indexVersion = 1

	// maxIndexEntrySize caps how much of an index file is read.
	maxIndexEntrySize = limits.FetchMaxIndexEntrySize
	// maxIndexURLLen caps the URL length stored in an index entry.
	maxIndexURLLen = limits.FetchMaxIndexURLLen
	// maxValidatorLen caps a stored ETag or Last-Modified value.
	maxValidatorLen = limits.FetchMaxValidatorLen
	// staleTempAge is how old a leftover temporary file (from a process that
	// was killed) must be before OpenCache removes it.
	staleTempAge = 24 * time.Hour

	statusOK     = "ok"
	statusAbsent = "absent"
)

// Cache is a content-addressed download cache: blobs are stored by sha256
// and an index maps each URL to its blob and HTTP validators. It is safe for
// concurrent use by several processes: every write is a rename of a fully
// written, fsynced temporary file, and a Fetcher holds a per-URL file lock
// from lookup to index write, so N processes asking for the same URL at
// once make one download and the others reuse it.
type Cache struct {
	// Dir is the cache root, e.g. DefaultCacheDir().
	Dir string
}

// DefaultCacheDir returns the default cache root, os.UserCacheDir()/tarcheck.
func DefaultCacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("locating the user cache directory: %w", err)
	}
	return filepath.Join(dir, "tarcheck"), nil
}

// OpenCache creates the cache layout under dir if needed and removes
// temporary files left behind by killed processes.
func OpenCache(dir string) (*Cache, error) {
	if dir == "" {
		return nil, fmt.Errorf("%w: empty cache directory", ErrCache)
	}
	c := &Cache{Dir: dir}
	for _, sub := range []string{blobsDir, urlsDir, tmpDir} {
		if err := os.MkdirAll(filepath.Join(dir, filepath.FromSlash(sub)), 0o700); err != nil {
			return nil, fmt.Errorf("%w: creating %s: %w", ErrCache, dir, err)
		}
	}
	c.sweepTemp(time.Now().Add(-staleTempAge))
	return c, nil
}

// sweepTemp removes temporary files older than cutoff; errors are ignored
// because a leftover temporary file is harmless.
func (c *Cache) sweepTemp(cutoff time.Time) {
	entries, err := os.ReadDir(filepath.Join(c.Dir, tmpDir))
	if err != nil {
		return
	}
	for _, e := range entries {
		info, err := e.Info()
		if err == nil && info.Mode().IsRegular() && info.ModTime().Before(cutoff) {
			_ = os.Remove(filepath.Join(c.Dir, tmpDir, e.Name()))
		}
	}
}

// Lookup returns the cached file for rawURL after checking that its content
// still hashes to the recorded sha256. It returns ErrNotCached when the URL
// has no entry, only a "not published" entry, or a damaged one. It never
// touches the network.
func (c *Cache) Lookup(rawURL string) (*File, error) {
	u, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	ent, err := c.lookup(u)
	if err != nil {
		return nil, err
	}
	if ent == nil || ent.Status != statusOK {
		return nil, fmt.Errorf("%s: %w", redact(u), ErrNotCached)
	}
	f, err := c.open(ent)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %w", redact(u), ErrNotCached, err)
	}
	return f, nil
}

// lockEntry takes the per-URL lock of u, waiting for another process that
// holds it. When the lock file cannot be created (a read-only cache, which
// cannot be written either) it returns a nil lock, which unlocks as a
// no-op, and no error; only a done ctx is an error.
func (c *Cache) lockEntry(ctx context.Context, u *parsedURL) (*filelock.Lock, error) {
	sum := sha256.Sum256([]byte(u.canonical))
	dir := filepath.Join(c.Dir, locksDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil
	}
	l, err := filelock.Acquire(ctx, filepath.Join(dir, hex.EncodeToString(sum[:])+".lock"))
	if err != nil && ctx.Err() != nil {
		return nil, fmt.Errorf("%s: %w", redact(u), err)
	}
	return l, nil
}

// indexEntry is one urls/<hex>.json file.
type indexEntry struct {
	Version      int       `json:"v"`
	URL          string    `json:"url"` // redacted form of the requested URL
	FinalURL     string    `json:"final_url,omitempty"`
	Status       string    `json:"status"` // statusOK or statusAbsent
	HTTPStatus   int       `json:"http_status,omitempty"`
	SHA256       string    `json:"sha256,omitempty"`
	Size         int64     `json:"size"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	FetchedAt    time.Time `json:"fetched_at"`
}

// errBadIndex reports an index entry that does not parse or validate.
var errBadIndex = errors.New("invalid cache index entry")

// parseIndexEntry decodes and validates an index file. The bytes come from
// disk and may be damaged or tampered with, so nothing is trusted.
func parseIndexEntry(data []byte) (*indexEntry, error) {
	if len(data) > maxIndexEntrySize {
		return nil, fmt.Errorf("%w: %d bytes", errBadIndex, len(data))
	}
	var e indexEntry
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&e); err != nil {
		return nil, fmt.Errorf("%w: %w", errBadIndex, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data", errBadIndex)
	}
	if err := e.validate(); err != nil {
		return nil, err
	}
	return &e, nil
}

func (e *indexEntry) validate() error {
	switch {
	case e.Version != indexVersion:
		return fmt.Errorf("%w: version %d", errBadIndex, e.Version)
	case e.URL == "" || len(e.URL) > maxIndexURLLen || len(e.FinalURL) > maxIndexURLLen:
		return fmt.Errorf("%w: bad url", errBadIndex)
	case e.Size < 0:
		return fmt.Errorf("%w: negative size", errBadIndex)
	case !validHeaderValue(e.ETag) || !validHeaderValue(e.LastModified):
		return fmt.Errorf("%w: bad validator", errBadIndex)
	}
	switch e.Status {
	case statusOK:
		if !isSHA256Hex(e.SHA256) {
			return fmt.Errorf("%w: bad sha256", errBadIndex)
		}
	case statusAbsent:
		if e.SHA256 != "" || e.Size != 0 {
			return fmt.Errorf("%w: absent entry with content", errBadIndex)
		}
	default:
		return fmt.Errorf("%w: status %q", errBadIndex, e.Status)
	}
	return nil
}

// validHeaderValue accepts what may be sent back as an HTTP header value.
func validHeaderValue(s string) bool {
	if len(s) > maxValidatorLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if b := s[i]; b < 0x20 && b != '\t' || b == 0x7f {
			return false
		}
	}
	return true
}

// isSHA256Hex reports whether s is 64 lowercase hex digits.
func isSHA256Hex(s string) bool {
	if len(s) != sha256.Size*2 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if b := s[i]; !('0' <= b && b <= '9' || 'a' <= b && b <= 'f') {
			return false
		}
	}
	return true
}

// indexPath returns the index file for a canonical URL.
func (c *Cache) indexPath(canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	return filepath.Join(c.Dir, urlsDir, hex.EncodeToString(sum[:])+".json")
}

// blobPath returns the blob file for a content hash (already validated).
func (c *Cache) blobPath(sum string) string {
	return filepath.Join(c.Dir, filepath.FromSlash(blobsDir), sum)
}

// lookup reads the index entry for u. A missing entry is (nil, nil); a
// damaged one is removed and reported as missing.
func (c *Cache) lookup(u *parsedURL) (*indexEntry, error) {
	p := c.indexPath(u.canonical)
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w: reading index: %w", ErrCache, err)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxIndexEntrySize+1))
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("%w: reading index: %w", ErrCache, err)
	}
	ent, err := parseIndexEntry(data)
	if err != nil || ent.URL != redact(u) {
		_ = os.Remove(p)
		return nil, nil
	}
	return ent, nil
}

// open checks that the blob of ent exists with the recorded size and hash.
func (c *Cache) open(ent *indexEntry) (*File, error) {
	p := c.blobPath(ent.SHA256)
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("%w: opening blob: %w", ErrCache, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%w: opening blob: %w", ErrCache, err)
	}
	if !info.Mode().IsRegular() || info.Size() != ent.Size {
		return nil, fmt.Errorf("%w: blob %s has size %d, index says %d", ErrCache, ent.SHA256, info.Size(), ent.Size)
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, fmt.Errorf("%w: reading blob: %w", ErrCache, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != ent.SHA256 {
		return nil, fmt.Errorf("%w: blob %s hashes to %s", ErrCache, ent.SHA256, got)
	}
	return &File{
		Path:      p,
		SHA256:    ent.SHA256,
		Size:      ent.Size,
		URL:       ent.URL,
		FinalURL:  ent.FinalURL,
		FromCache: true,
	}, nil
}

// remove deletes the index entry of u (the blob may be shared and stays).
func (c *Cache) remove(u *parsedURL) {
	_ = os.Remove(c.indexPath(u.canonical))
}

// tempFile creates a new temporary file (mode 0600) in the cache's tmp dir,
// on the same file system as the blobs so that rename is atomic.
func (c *Cache) tempFile(pattern string) (*os.File, error) {
	f, err := os.CreateTemp(filepath.Join(c.Dir, tmpDir), pattern)
	if err != nil {
		return nil, fmt.Errorf("%w: creating temporary file: %w", ErrCache, err)
	}
	return f, nil
}

// commitBlob moves a complete, synced and closed temporary file to its
// content address.
func (c *Cache) commitBlob(tmpPath, sum string) (string, error) {
	// An existing blob of that name is replaced, not trusted: it may have
	// been damaged on disk. Rename is atomic, so readers see either copy.
	dst := c.blobPath(sum)
	if err := os.Rename(tmpPath, dst); err != nil {
		_ = os.Remove(tmpPath)
		return "", fmt.Errorf("%w: storing blob: %w", ErrCache, err)
	}
	syncDir(filepath.Dir(dst))
	return dst, nil
}

// writeIndex atomically writes the index entry for u.
func (c *Cache) writeIndex(u *parsedURL, ent *indexEntry) (err error) {
	ent.Version = indexVersion
	ent.URL = redact(u)
	if !validHeaderValue(ent.ETag) {
		ent.ETag = ""
	}
	if !validHeaderValue(ent.LastModified) {
		ent.LastModified = ""
	}
	if len(ent.FinalURL) > maxIndexURLLen {
		ent.FinalURL = ""
	}
	if err := ent.validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrCache, err)
	}
	data, err := json.Marshal(ent)
	if err != nil {
		return fmt.Errorf("%w: encoding index: %w", ErrCache, err)
	}
	tmp, err := c.tempFile("index-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(append(data, '\n')); err != nil {
		return fmt.Errorf("%w: writing index: %w", ErrCache, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("%w: writing index: %w", ErrCache, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("%w: writing index: %w", ErrCache, err)
	}
	dst := c.indexPath(u.canonical)
	if err = os.Rename(tmp.Name(), dst); err != nil {
		return fmt.Errorf("%w: writing index: %w", ErrCache, err)
	}
	syncDir(filepath.Dir(dst))
	return nil
}

// syncDir makes a rename durable; failures are ignored (not all file systems
// support syncing a directory).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// hashLocalFile hashes a local regular file of at most max bytes.
func hashLocalFile(path string, max int64) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	if info.Size() > max {
		return nil, fmt.Errorf("%s: %w (%d > %d bytes)", path, ErrTooLarge, info.Size(), max)
	}
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if n > max {
		return nil, fmt.Errorf("%s: %w (more than %d bytes)", path, ErrTooLarge, max)
	}
	return &File{Path: path, SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}, nil
}

// trimValidator returns a header value fit for storage, or "".
func trimValidator(s string) string {
	s = strings.TrimSpace(s)
	if !validHeaderValue(s) {
		return ""
	}
	return s
}
