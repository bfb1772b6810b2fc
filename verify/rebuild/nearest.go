package rebuild

import (
	"path"
	"strings"

	"github.com/tarcheck/tarcheck/autotools/origindb"
)

// hunkVerdict is the judgement of the hunks by which the tarball's copy of
// a generated file differs from the one the nearest available toolchain
// regenerated.
type hunkVerdict struct {
	// added are the tarball's added lines that run a command the
	// regenerated file never runs ("+line   (runs curl)"): high.
	added []string
	// explained names the known upstream copies that explain added lines
	// of an aclocal.m4 ("automake 1.15.1 m4/depout.m4 (12 added lines)").
	explained []string
}

// judgeNearestHunks classifies the added lines of the tarball's copy of rel
// by the file's language: Makefile.in as make (only recipes and what they
// run are commands), aclocal.m4 as copies of m4 files (a known copy
// explains its lines; the rest is read as m4 code), anything else as
// shell (addedCommands). db answers known m4 copies; nil knows none.
func judgeNearestHunks(rel string, regen, tarContent []byte, db originLookup) hunkVerdict {
	return judgeNearestHunksProbes(rel, diffLines(regen, tarContent), tarContent, db, nil)
}

// judgeNearestHunksProbes is judgeNearestHunks where the command words of
// probes ("$GPGME_CONFIG": configuration scripts that unproved system
// macros search for on the user's system, lackedSystemMacros) are known in
// configure and aclocal.m4.
func judgeNearestHunksProbes(rel string, d *lineDiff, tarContent []byte, db originLookup, probes map[string]bool) hunkVerdict {
	base := path.Base(rel)
	isMake := strings.HasSuffix(base, "Makefile.in") || base == "GNUmakefile.in"
	if base != "aclocal.m4" && !isMake {
		return hunkVerdict{added: addedCommandsKnown(d, tarContent, probes)}
	}
	if d == nil {
		return hunkVerdict{}
	}
	a, c := d.regen, d.tar
	var added []int
	for _, op := range d.ops {
		if op.Kind == '+' {
			added = append(added, op.B)
		}
	}
	if len(added) == 0 {
		return hunkVerdict{}
	}
	if isMake {
		return hunkVerdict{added: makefileAddedCommands(a, c, added)}
	}
	out, explained := aclocalAddedCommandsKnown(a, c, added, db, probes)
	return hunkVerdict{added: out, explained: explained}
}

// embeddedOrigins is the origin database built into tarcheck, or nil when
// it does not open (a broken build: then no copy explains anything).
func embeddedOrigins() originLookup {
	db, err := origindb.Embedded()
	if err != nil || db == nil {
		return nil
	}
	return db
}
