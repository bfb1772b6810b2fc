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
// ("SUITE=DIR" or "DIR": every helper file below it), the lines that
// distributions' patch sets add to helpers (patches: packaging
// repositories), and, when base is set, an existing vocabulary; it writes
// the result to out.
func runVocab(ctx context.Context, out, base string, gits, dirs, patches []string) error {
	b := origindb.NewVocabBuilder()
	if base != "" {
		data, err := os.ReadFile(base)
		if err != nil {
			return fmt.Errorf("-vocab-base: %w", err)
		}
		v, err := origindb.OpenVocab(data)
		if err != nil {
			return fmt.Errorf("-vocab-base %s: %w", base, err)
		}
		b.AddVocab(v)
		fmt.Fprintf(os.Stderr, "m4dbgen: vocabulary: %d helpers from %s\n", len(v.Helpers()), base)
	}
	if err := collectHelpers(ctx, b, gits, dirs, patches, base == ""); err != nil {
		return err
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

// collectHelpers adds to b every helper version of the git histories
// ("PROJECT=DIR" or "DIR"), the directories of unpacked packages
// ("SUITE=DIR" or "DIR") and, with host, this machine's installed copies,
// and the lines the packaging repositories' patches add.
func collectHelpers(ctx context.Context, b collect.HelperSink, gits, dirs, patches []string, host bool) error {
	for _, dir := range patches {
		n, err := collect.VocabPatchesGit(ctx, b, dir)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "m4dbgen: vocabulary: %d helper patch versions from %s\n", n, dir)
	}
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
	if host {
		// A base vocabulary already holds this machine's copies.
		dirs = append(dirs, "/usr/share/automake-1.16", "/usr/share/automake-1.17", "/usr/share/libtool", "/usr/share/gettext", "/usr/share/misc", "/usr/share/texmf/tex/texinfo")
	}
	for _, d := range dirs {
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
	return nil
}

// runStamps builds the helpers' stamp index (origindb.Stamps) from the
// same sources as the vocabulary (patch sets add no version) and writes
// it to out.
func runStamps(ctx context.Context, out string, gits, dirs []string) error {
	b := origindb.NewStampsBuilder()
	if err := collectHelpers(ctx, b, gits, dirs, nil, true); err != nil {
		return err
	}
	data := b.Bytes()
	s, err := origindb.OpenStamps(data)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	fmt.Fprintf(os.Stderr, "m4dbgen: stamp index: %d helper versions with stamps, %d bytes -> %s\n", s.Len(), len(data), out)
	return nil
}
