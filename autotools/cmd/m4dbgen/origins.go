package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/tarcheck/tarcheck/autotools/origindb"
	"github.com/tarcheck/tarcheck/autotools/origindb/collect"
)

// runOrigins builds the origin database (package origindb) from git
// histories ("PROJECT=DIR") and directories of unpacked Debian packages
// ("SUITE=DIR"), on top of the database in base when it is set, and
// writes it to out.
func runOrigins(ctx context.Context, out, base string, gits, debs []string) error {
	cfg := collect.Config{Logf: func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "m4dbgen: "+format+"\n", args...)
	}}
	if base != "" {
		data, err := os.ReadFile(base)
		if err != nil {
			return fmt.Errorf("-origins-base: %w", err)
		}
		db, err := origindb.Open(data)
		if err == nil {
			err = db.Verify()
		}
		if err != nil {
			return fmt.Errorf("-origins-base %s: %w", base, err)
		}
		cfg.Base = db
	}
	for _, g := range gits {
		r, err := collect.ParseRepo(g)
		if err != nil {
			return err
		}
		cfg.Repos = append(cfg.Repos, r)
	}
	for _, d := range debs {
		suite, dir, ok := strings.Cut(d, "=")
		if !ok || suite == "" || dir == "" {
			return fmt.Errorf("-deb %q: want SUITE=DIR (a directory of packages unpacked with dpkg-deb -x)", d)
		}
		cfg.Debian = append(cfg.Debian, collect.DebianSource{Suite: suite, Dir: dir})
	}
	data, _, err := collect.Build(ctx, cfg)
	if err != nil {
		return err
	}
	db, err := origindb.Open(data)
	if err != nil {
		return err
	}
	if err := db.Verify(); err != nil {
		return err
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	fmt.Fprintf(os.Stderr, "m4dbgen: origin database: %d blobs, %d origins, %d bytes -> %s\n", db.Blobs(), db.Origins(), len(data), out)
	for _, p := range db.Projects() {
		fmt.Fprintf(os.Stderr, "m4dbgen:   %s: %d versions; %s\n", p.Name, len(p.Versions), p.Source)
	}
	return nil
}
