package collect

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tarcheck/tarcheck/verify/gitsrc"
)

// VocabHelpers are the copied helpers whose line vocabulary is built
// (origindb.Vocab): what automake --add-missing, libtoolize, autopoint,
// gettextize and gnulib-tool copy verbatim into releases.
var VocabHelpers = []string{
	"config.guess", "config.sub", "install-sh", "ltmain.sh", "depcomp", "missing", "compile", "ar-lib",
	"config.rpath", "test-driver", "mdate-sh", "texinfo.tex", "ylwrap", "py-compile", "tap-driver.sh",
	"mkinstalldirs", "Makefile.in.in", "Rules-quot", "boldquot.sed", "quot.sed", "en@quot.header",
	"en@boldquot.header", "insert-header.sin", "remove-potcdate.sin",
}

// ltmainSources are the libtool sources ltmain.sh is assembled from
// (libtool 2.x inlines funclib.sh and options-parser into ltmain.in; 2.2
// built it from ltmain.m4sh with general.m4sh and getopt.m4sh).
var ltmainSources = map[string]bool{"ltmain.sh": true, "ltmain.in": true, "ltmain.m4sh": true, "funclib.sh": true,
	"options-parser": true, "general.m4sh": true, "getopt.m4sh": true}

// VocabHelper maps a path of an upstream tree to the helper whose
// vocabulary its lines belong to; patch is true for a gnulib-tool patch of
// the helper (build-aux/test-driver.diff) whose added lines count.
func VocabHelper(p string) (helper string, patch bool) {
	base := path.Base(p)
	if ltmainSources[base] {
		return "ltmain.sh", false
	}
	if stem, ok := strings.CutSuffix(base, ".diff"); ok {
		h, _ := VocabHelper(stem)
		return h, h != ""
	}
	for _, h := range VocabHelpers {
		if base == h {
			return h, false
		}
	}
	return "", false
}

// vocabDirs are the directories upstream trees keep their helpers in
// (gnulib and autoconf build-aux/, automake lib/, libtool build-aux/ and
// libltdl/config/, gettext build-aux/ and */po/): literal pathspecs let
// git prune the history walk, which "**/" globs cannot.
var vocabDirs = []string{"build-aux", "lib", "config", "libltdl/config", "po", "gettext-runtime/po", "gettext-tools/po",
	"gettext-runtime/build-aux", "gettext-tools/misc", "autoconf-lib-link/config", "doc"}

// vocabPathspecs select the helper files of an upstream tree, in
// vocabDirs and at the top level, as literal paths (VocabHelper filters
// exactly).
func vocabPathspecs() []string {
	names := []string{}
	for _, h := range VocabHelpers {
		names = append(names, h, h+".diff")
	}
	for n := range ltmainSources {
		names = append(names, n)
	}
	out := []string{}
	for _, d := range append([]string{""}, vocabDirs...) {
		for _, n := range names {
			out = append(out, ":(top,literal)"+path.Join(d, n))
		}
	}
	sort.Strings(out)
	return out
}

// HelperSink receives helper versions: *origindb.VocabBuilder (their
// lines) and *origindb.StampsBuilder (their stamp-normalised keys).
type HelperSink interface {
	// AddFile adds one version of helper.
	AddFile(helper string, content []byte)
	// AddLines adds the lines a patch of helper adds.
	AddLines(helper string, lines [][]byte)
}

// addVocab adds one file's lines to b.
func addVocab(b HelperSink, p string, content []byte) {
	h, patch := VocabHelper(p)
	if h == "" || len(content) > MaxFileSize || bytes.IndexByte(content, 0) >= 0 {
		return
	}
	if !patch {
		b.AddFile(h, content)
		return
	}
	var plus [][]byte
	for _, l := range bytes.Split(content, []byte("\n")) {
		if len(l) > 0 && l[0] == '+' && !bytes.HasPrefix(l, []byte("+++")) {
			plus = append(plus, l[1:])
		}
	}
	b.AddLines(h, plus)
}

// VocabGit adds every version of every helper file ever committed on any
// ref of the repository at dir to b. It returns how many file versions it
// read.
func VocabGit(ctx context.Context, b HelperSink, dir string) (int, error) {
	return countHistory(ctx, dir, vocabPathspecs(), func(p string, content []byte) bool {
		if h, _ := VocabHelper(p); h != "" {
			addVocab(b, p, content)
			return true
		}
		return false
	})
}

// countHistory calls fn with every version of every file the pathspecs
// select, on any ref of the repository at dir, and returns how many fn
// counted.
func countHistory(ctx context.Context, dir string, pathspecs []string, fn func(path string, content []byte) bool) (int, error) {
	repo, err := gitsrc.Open(ctx, dir, gitsrc.Options{Offline: true})
	if err != nil {
		return 0, fmt.Errorf("opening %s: %w", dir, err)
	}
	n := 0
	err = repo.HistoryFiles(ctx, pathspecs, func(p string, content []byte) error {
		if fn(p, content) {
			n++
		}
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("reading the history of %s: %w", dir, err)
	}
	return n, nil
}

// VocabDir adds every helper file below dir (unpacked Debian packages,
// /usr/share) to b and returns how many it read. Missing directories add
// nothing.
func VocabDir(b HelperSink, dir string) (int, error) {
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) || os.IsPermission(err) {
				return nil
			}
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if d.Name() == "archive.dir.tar.xz" {
			// autopoint's archive: the po/ and m4/ files of every
			// gettext release.
			err := AutopointArchive(p, func(_, name string, content []byte) error {
				if h, _ := VocabHelper(name); h != "" {
					addVocab(b, name, content)
					n++
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("reading %s: %w", p, err)
			}
			return nil
		}
		if h, _ := VocabHelper(p); h == "" {
			return nil
		}
		c, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		addVocab(b, p, c)
		n++
		return nil
	})
	return n, err
}
