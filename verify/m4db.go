package verify

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/tarcheck/tarcheck/autotools"
	"github.com/tarcheck/tarcheck/autotools/origindb"
	"github.com/tarcheck/tarcheck/autotools/origindb/collect"
	"github.com/tarcheck/tarcheck/verify/gitsrc"
)

// m4dbFile is the extended m4 database's name inside the cache directory.
const m4dbFile = "m4db.gob.gz"

// OriginsFile is the extended origin database's name inside the cache
// directory: BuildM4DB writes it (the embedded database plus what the
// build added), LoadM4DB loads it in place of the embedded one.
const OriginsFile = "origins.bin"

// ErrCorruptOriginDB is a cached origin database (OriginsFile) that does
// not open or fails its consistency check; the error names the file.
var ErrCorruptOriginDB = errors.New("corrupt origin database")

// LoadM4DB returns the m4 database to classify with (for Options.M4DB):
// file, else the cache directory's extension (made by BuildM4DB), each
// merged over the embedded baseline; nil means the baseline alone. When
// the cache directory holds an origin database (OriginsFile, made by
// BuildM4DB), exact matches are answered from it instead of the embedded
// one (it extends it); one that is corrupt is an error (kind input,
// ErrCorruptOriginDB) naming the file, not silently ignored: the user
// built it to widen the coverage, and verifying without it could turn
// proved files into findings.
func LoadM4DB(file, cacheDir string) (*autotools.M4DB, error) {
	db, err := loadM4DB(file, cacheDir)
	if err != nil {
		return nil, err
	}
	origins, err := loadOrigins(cacheDir)
	if err != nil || origins == nil {
		return db, err
	}
	if db == nil {
		db = autotools.MergeM4DB(autotools.Baseline())
	}
	db.UseOrigins(origins)
	for _, p := range origins.Projects() {
		if p.Snapshot.After(db.Snapshot) {
			db.Snapshot = p.Snapshot
		}
	}
	return db, nil
}

// loadOrigins opens and checks the cache directory's origin database; nil
// when there is none.
func loadOrigins(cacheDir string) (*origindb.DB, error) {
	d, err := cacheDirName(cacheDir)
	if err != nil {
		return nil, nil
	}
	file := filepath.Join(d, OriginsFile)
	data, err := os.ReadFile(file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, Errorf(KindEnvironment, "reading origin database %s: %v", file, err)
	}
	db, err := origindb.Open(data)
	if err == nil {
		err = db.Verify()
	}
	if err != nil {
		return nil, Errorf(KindInput, "%w %s: %v", ErrCorruptOriginDB, file, err)
	}
	return db, nil
}

func loadM4DB(file, cacheDir string) (*autotools.M4DB, error) {
	if file == "" {
		d, err := cacheDirName(cacheDir)
		if err != nil {
			return nil, nil
		}
		file = filepath.Join(d, m4dbFile)
		if _, err := os.Stat(file); err != nil {
			return nil, nil
		}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, Errorf(KindUsage, "%v", err)
	}
	db, err := autotools.LoadM4DB(bytes.NewReader(data))
	if err != nil {
		return nil, Errorf(KindInput, "m4 database %s: %v", file, err)
	}
	return autotools.MergeM4DB(autotools.Baseline(), db), nil
}

// M4DBBuild says what BuildM4DB adds to the cache's m4 database and
// origin database.
type M4DBBuild struct {
	// Dirs are directories whose m4 files are added to the m4 database
	// and whose every file is added to the origin database (project
	// "local", version the directory's name).
	Dirs []string
	// Gits are repositories every version of whose *.m4 files is added to
	// the m4 database; "PROJECT=DIR" or a directory named after a project
	// the origin database knows (gnulib, automake, autoconf, libtool,
	// gettext, autoconf-archive, pkgconf, pkg-config) also adds its
	// selected history (all of gnulib's lib/ m4/ build-aux/ tests/ top/
	// doc/, …) to the origin database.
	Gits []string
	// CacheDir is the cache directory ("" the user's).
	CacheDir string
	// Output is where the database is written ("" the cache directory's).
	Output string
	// Logf, when set, is told how many files each repository gave.
	Logf func(format string, args ...any)
}

// M4DBBuilt is what BuildM4DB did.
type M4DBBuilt struct {
	// Entries is the database's size, Added how many entries are new.
	Entries, Added int
	// Output is the file written.
	Output string
	// Blobs is the origin database's number of blob ids, BlobsAdded how
	// many the build added to the cached (or else embedded) one.
	Blobs, BlobsAdded int
	// OriginsOutput is the origin database written (OriginsFile in the
	// cache directory).
	OriginsOutput string
}

// BuildM4DB adds the m4 files of b.Dirs and the m4 histories of b.Gits to
// the cache's m4 database and writes it (atomically) to b.Output.
func BuildM4DB(ctx context.Context, b M4DBBuild) (*M4DBBuilt, error) {
	dir, err := cacheDirName(b.CacheDir)
	if err != nil {
		return nil, err
	}
	db := autotools.NewM4DB()
	if prev, err := os.ReadFile(filepath.Join(dir, m4dbFile)); err == nil {
		if old, err := autotools.LoadM4DB(bytes.NewReader(prev)); err == nil {
			db.Merge(old)
		}
	}
	before := db.Len()
	for _, d := range b.Dirs {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			return nil, Errorf(KindUsage, "%s: not a directory", d)
		}
		if err := db.AddDir(d, "dir:"+filepath.Base(filepath.Clean(d))); err != nil {
			return nil, Errorf(KindInput, "%v", err)
		}
	}
	cfg := collect.Config{Logf: b.Logf}
	for _, d := range b.Dirs {
		cfg.Dirs = append(cfg.Dirs, collect.DirSource{Project: "local", Label: filepath.Base(filepath.Clean(d)), Dir: d})
	}
	for _, g := range b.Gits {
		repo, rerr := collect.ParseRepo(g)
		if fi, err := os.Stat(repo.Dir); rerr == nil && (err != nil || !fi.IsDir()) {
			rerr = errors.New("the origin database reads local clones only")
		}
		if rerr == nil {
			cfg.Repos = append(cfg.Repos, repo)
		} else if b.Logf != nil {
			b.Logf("%s: m4 history only, not added to %s: %v", g, OriginsFile, rerr)
		}
		if _, after, ok := strings.Cut(g, "="); ok && !strings.ContainsAny(g[:len(g)-len(after)-1], `/\`) {
			g = after
		}
		if err := addM4History(ctx, db, g, dir, b.Logf); err != nil {
			return nil, err
		}
	}
	out := b.Output
	if out == "" {
		out = filepath.Join(dir, m4dbFile)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, Errorf(KindEnvironment, "%v", err)
	}
	var buf bytes.Buffer
	if err := db.Save(&buf); err != nil {
		return nil, err
	}
	if err := WriteFileAtomic(out, buf.Bytes()); err != nil {
		return nil, err
	}
	built := &M4DBBuilt{Entries: db.Len(), Added: db.Len() - before, Output: out}
	if err := buildOrigins(ctx, cfg, dir, built); err != nil {
		return nil, err
	}
	return built, nil
}

// buildOrigins extends the cached origin database (else the embedded one)
// with cfg's sources and writes it to dir's OriginsFile.
func buildOrigins(ctx context.Context, cfg collect.Config, dir string, built *M4DBBuilt) error {
	base, err := loadOrigins(dir)
	if err != nil || base == nil {
		// A corrupt cached database is replaced by a fresh build.
		if base, err = origindb.Embedded(); err != nil {
			return Errorf(KindEnvironment, "the embedded origin database: %v", err)
		}
	}
	cfg.Base = base
	data, _, err := collect.Build(ctx, cfg)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return Errorf(KindInput, "building the origin database: %v", err)
	}
	db, err := origindb.Open(data)
	if err != nil {
		return Errorf(KindEnvironment, "building the origin database: %v", err)
	}
	built.OriginsOutput = filepath.Join(dir, OriginsFile)
	built.Blobs, built.BlobsAdded = db.Blobs(), db.Blobs()-base.Blobs()
	return WriteFileAtomic(built.OriginsOutput, data)
}

// addM4History adds every version of every *.m4 file ever committed in the
// repository g.
func addM4History(ctx context.Context, db *autotools.M4DB, g, cache string, logf func(string, ...any)) error {
	repo, err := gitsrc.Open(ctx, g, gitsrc.Options{CacheDir: cache})
	if err != nil {
		return gitErr(err)
	}
	origin := "git:" + filepath.Base(filepath.Clean(g))
	n := 0
	err = repo.HistoryFiles(ctx, []string{"*.m4"}, func(p string, content []byte) error {
		db.AddFile(p, content, origin)
		n++
		return nil
	})
	if err != nil {
		return Errorf(KindInput, "reading history of %s: %w", g, err)
	}
	if when, err := repo.NewestCommitTime(ctx); err == nil {
		db.SetOriginSnapshot(origin, when)
	}
	if logf != nil {
		logf("%d m4 file versions from %s", n, g)
	}
	return nil
}

// WriteFileAtomic writes data to name through a temporary file in the same
// directory, renamed into place: a reader never sees half a file.
func WriteFileAtomic(name string, data []byte) error {
	if fi, err := os.Stat(name); err == nil && !fi.Mode().IsRegular() {
		// A device, FIFO or the like (--output /dev/stdout, /dev/null):
		// write to it; renaming over it would replace the device node.
		if err := os.WriteFile(name, data, 0o644); err != nil {
			return Errorf(KindEnvironment, "writing %s: %v", name, err)
		}
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), ".tarcheck-*")
	if err != nil {
		return Errorf(KindEnvironment, "writing %s: %v", name, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return Errorf(KindEnvironment, "writing %s: %v", name, err)
	}
	if err := tmp.Close(); err != nil {
		return Errorf(KindEnvironment, "writing %s: %v", name, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return Errorf(KindEnvironment, "writing %s: %v", name, err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return Errorf(KindEnvironment, "writing %s: %v", name, err)
	}
	return nil
}
