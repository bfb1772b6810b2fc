package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/tarcheck/tarcheck/autotools"
	"github.com/tarcheck/tarcheck/verify"
	"github.com/tarcheck/tarcheck/verify/fetch"
	"github.com/tarcheck/tarcheck/verify/gitsrc"
)

// m4dbFile is the extended database's name inside the cache directory.
const m4dbFile = "m4db.gob.gz"

func cacheDirOr(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	d, err := fetch.DefaultCacheDir()
	if err != nil {
		return "", verify.Errorf(verify.KindEnvironment, "no cache directory: %v", err)
	}
	return d, nil
}

// loadM4DB returns the database to classify with: --m4db, else the cache's
// extension, each merged over the embedded baseline; nil means the baseline.
func loadM4DB(file, cacheDir string) (*autotools.M4DB, error) {
	if file == "" {
		d, err := cacheDirOr(cacheDir)
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
		return nil, usageError{fmt.Errorf("--m4db: %v", err)}
	}
	db, err := autotools.LoadM4DB(bytes.NewReader(data))
	if err != nil {
		return nil, verify.Errorf(verify.KindInput, "m4 database %s: %v", file, err)
	}
	return autotools.MergeM4DB(autotools.Baseline(), db), nil
}

func newM4DBCmd(e *env) *cobra.Command {
	root := &cobra.Command{Use: "m4db", Short: "Manage the database of known upstream m4 files"}
	var from, fromGit []string
	var output, cacheDir string
	build := &cobra.Command{
		Use:   "build",
		Short: "Extend the m4 database from directories and git histories",
		Long: `build adds every m4 file below each --from directory, and every version of every
*.m4 file ever committed in each --from-git repository (for instance a gnulib
clone), to the database, merged with the one embedded in tarcheck, and writes
it to the cache directory (or --output), where verify finds it.`,
		Example: `  tarcheck m4db build --from /usr/share/aclocal --from-git ~/src/gnulib`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(from) == 0 && len(fromGit) == 0 {
				return usageError{errors.New("give at least one --from DIR or --from-git REPO")}
			}
			dir, err := cacheDirOr(cacheDir)
			if err != nil {
				return err
			}
			db := autotools.NewM4DB()
			if prev, err := os.ReadFile(filepath.Join(dir, m4dbFile)); err == nil {
				if old, err := autotools.LoadM4DB(bytes.NewReader(prev)); err == nil {
					db.Merge(old)
				}
			}
			before := db.Len()
			for _, d := range from {
				if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
					return usageError{fmt.Errorf("--from %s: not a directory", d)}
				}
				if err := db.AddDir(d, "dir:"+filepath.Base(filepath.Clean(d))); err != nil {
					return verify.Errorf(verify.KindInput, "%v", err)
				}
			}
			for _, g := range fromGit {
				repo, err := gitsrc.Open(cmd.Context(), g, gitsrc.Options{CacheDir: dir})
				if err != nil {
					return verify.Errorf(verify.KindInput, "%w", err)
				}
				origin := "git:" + filepath.Base(filepath.Clean(g))
				n := 0
				err = repo.HistoryFiles(cmd.Context(), []string{"*.m4"}, func(p string, content []byte) error {
					db.AddFile(p, content, origin)
					n++
					return nil
				})
				if err != nil {
					return verify.Errorf(verify.KindInput, "reading history of %s: %w", g, err)
				}
				if when, err := repo.NewestCommitTime(cmd.Context()); err == nil {
					db.SetOriginSnapshot(origin, when)
				}
				fmt.Fprintf(e.stderr, "tarcheck: %d m4 file versions from %s\n", n, g)
			}
			if output == "" {
				output = filepath.Join(dir, m4dbFile)
			}
			if err := os.MkdirAll(filepath.Dir(output), 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
				return verify.Errorf(verify.KindEnvironment, "%v", err)
			}
			var buf bytes.Buffer
			if err := db.Save(&buf); err != nil {
				return err
			}
			if err := writeFileAtomic(output, buf.Bytes()); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "m4 database: %d entries (%d new), written to %s\n", db.Len(), db.Len()-before, output)
			return nil
		},
	}
	build.Flags().StringArrayVar(&from, "from", nil, "directory of m4 files to add (repeatable)")
	build.Flags().StringArrayVar(&fromGit, "from-git", nil, "git repository whose whole m4 history to add (repeatable)")
	build.Flags().StringVarP(&output, "output", "o", "", "write the database to `FILE` (default: in the cache directory)")
	build.Flags().StringVar(&cacheDir, "cache-dir", "", "cache `DIR` (default: the user cache dir)")
	root.AddCommand(build)
	return root
}
