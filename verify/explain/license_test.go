package explain

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/tarcheck/tarcheck/verify/report"
)

// dualSed is gnulib-tool's sed script for --lgpl=3orGPLv2, as written in
// gnulib-tool until June 2021.
const dualSed = `/^ *This program is free software/i\
   This program is free software: you can redistribute it and\/or\
   modify it under the terms of either:\
\
     * the GNU Lesser General Public License as published by the Free\
       Software Foundation; either version 3 of the License, or (at your\
       option) any later version.\
\
   or\
\
     * the GNU General Public License as published by the Free\
       Software Foundation; either version 2 of the License, or (at your\
       option) any later version.\
\
   or both in parallel, as here.
/^ *This program is free software/,/^$/d
`

// TestDualLicenseLikeSed: toDualLicense gives the bytes GNU sed gives with
// gnulib-tool's own script, on real gnulib files and edge cases (two
// notices, no blank line after the notice, none at all).
func TestDualLicenseLikeSed(t *testing.T) {
	if _, err := exec.LookPath("sed"); err != nil {
		if os.Getenv("TARCHECK_REQUIRE_TOOLS") != "" {
			t.Fatal("sed is required")
		}
		t.Skip("sed not installed")
	}
	inputs := map[string]string{
		"array-mergesort.h": gnulibFile(t, "lib/array-mergesort.h"),
		"old notice":        "/* x\n\n   This program is free software: you can redistribute it and/or modify it\n   under the terms of the GNU Lesser General Public License.\n\n   This program is distributed.  */\n",
		"two notices":       "/* a\n   This program is free software: x\n   y\n\n   z */\n/* This program is free software too\n\nint x;\n",
		"no blank after":    "/*\n   This program is free software: x\n   y */\nint x;\n",
		"no notice":         "int x;\n",
		"no final newline":  "  This program is free software\n\nint x;",
	}
	for name, in := range inputs {
		cmd := exec.Command("sed", "-e", dualSed)
		cmd.Stdin = strings.NewReader(in)
		want, err := cmd.Output()
		if err != nil {
			t.Fatalf("sed: %v", err)
		}
		if got := toDualLicense([]byte(in)); !bytes.Equal(got, want) {
			t.Errorf("%s: got\n%s\nwant (sed)\n%s", name, got, want)
		}
	}
}

// A gnulib file copied with --lgpl=3orGPLv2 (gnutls 3.7.9's
// lib/unistring/) is proved by the pinned commit's file, the rewrite named.
func TestProveDualLicenseCopy(t *testing.T) {
	// gnulib's notice before June 2021 (today's files say "This file is
	// free software" and are not rewritten any more).
	orig := "/* Stable-sorting of an array using mergesort.\n   Copyright (C) 2009-2021 Free Software Foundation, Inc.\n\n" +
		"   This program is free software: you can redistribute it and/or modify it\n   under the terms of the GNU Lesser General Public License as published\n" +
		"   by the Free Software Foundation; either version 3 of the License, or\n   (at your option) any later version.\n\n" +
		"   This program is distributed in the hope that it will be useful.  */\n\nint mergesort_placeholder;\n"
	g := gnulibTree(map[string]string{"lib/array-mergesort.h": orig})
	dual := string(toDualLicense([]byte(orig)))
	if dual == orig || !strings.Contains(dual, "or both in parallel, as here.") {
		t.Fatal("the rewrite changed nothing")
	}
	_, files := explainRelease(t, map[string]string{"lib/unistring/array-mergesort.h": dual}, map[string]string{}, Input{GnulibTree: g, Origins: emptyDB()})
	if o := wantOrigin(t, files, "lib/unistring/array-mergesort.h", report.OriginGnulib, "lib/array-mergesort.h"); !strings.Contains(o.Transform, "3orGPLv2") {
		t.Errorf("rewrite not named: %+v", o)
	}
	_, files = explainRelease(t, map[string]string{"lib/unistring/array-mergesort.h": dual + "int injected;\n"}, map[string]string{}, Input{GnulibTree: g, Origins: emptyDB()})
	if f := files["lib/unistring/array-mergesort.h"]; f.Origin != nil {
		t.Errorf("other bytes proved: %+v", f)
	}
}

func FuzzToDualLicense(f *testing.F) {
	f.Add([]byte("/* x\n   This program is free software: y\n\n int z; */\n"))
	f.Add([]byte("This program is free software"))
	f.Fuzz(func(t *testing.T, b []byte) {
		out := toDualLicense(b)
		starts := 0
		for _, l := range bytes.Split(b, []byte("\n")) {
			if freeSoftwareRe().Match(l) {
				starts++
			}
		}
		// One notice per notice line, and nothing else is added: the
		// output is at most the input plus the notices.
		if got := bytes.Count(out, []byte("or both in parallel, as here.")) - bytes.Count(b, []byte("or both in parallel, as here.")); got > starts || len(out) > len(b)+starts*len(dualNotice) {
			t.Fatalf("%d notices for %d notice lines, %d bytes from %d", got, starts, len(out), len(b))
		}
	})
}
