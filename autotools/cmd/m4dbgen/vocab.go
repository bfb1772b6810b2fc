package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/tarcheck/tarcheck/autotools/origindb"
	"github.com/tarcheck/tarcheck/autotools/origindb/collect"
)

// runVocab builds the helpers' line vocabulary (origindb.Vocab) from git
// histories ("PROJECT=DIR" or "DIR") and directories of unpacked packages
// ("SUITE=DIR" or "DIR": every helper file below it) and writes it to out.
func runVocab(ctx context.Context, out string, gits, dirs []string) error {
	b := origindb.NewVocabBuilder()
	for _, g := range gits {
		_, dir, ok := strings.Cut(g, "=")
		if !ok {
			dir = g
		}
		n, err := collect.VocabGit(ctx, b, dir)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "m4dbgen: vocabulary: %d helper versions from %s\n", n, dir)
	}
	for _, d := range append(dirs, "/usr/share/automake-1.16", "/usr/share/automake-1.17", "/usr/share/libtool", "/usr/share/gettext", "/usr/share/misc", "/usr/share/texmf/tex/texinfo") {
		_, dir, ok := strings.Cut(d, "=")
		if !ok {
			dir = d
		}
		n, err := collect.VocabDir(b, dir)
		if err != nil {
			return fmt.Errorf("reading %s: %w", dir, err)
		}
		fmt.Fprintf(os.Stderr, "m4dbgen: vocabulary: %d helper files from %s\n", n, dir)
	}
	data := b.Bytes()
	v, err := origindb.OpenVocab(data)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	fmt.Fprintf(os.Stderr, "m4dbgen: vocabulary: %d bytes -> %s\n", len(data), out)
	for _, h := range v.Helpers() {
		fmt.Fprintf(os.Stderr, "m4dbgen:   %s: %d versions, %d lines\n", h, v.Versions(h), v.Lines(h))
	}
	return nil
}
