package tagrules

import (
	"path"
	"sort"
	"strings"
)

// Candidate is a file only in the tarball that nothing else proved.
type Candidate struct {
	// Path is the file's path in the release (as in the tag's tree).
	Path string
	// ID is the git blob id of the tarball's bytes (the first 20 bytes
	// of a sha256 object id).
	ID [20]byte
}

// Tag is the tag's tree as the rules see it.
type Tag struct {
	// Files are the paths of the tag's regular files.
	Files []string
	// Read returns a regular file of the tag by path.
	Read func(path string) ([]byte, bool)
	// ReadMany, when set, reads regular files by path in one go, calling
	// fn in order with each one's content (ok false: not read) until fn
	// returns false: the rules' files are exported with it, one request
	// to git for all rather than one each (gnutls: 272 files, 1.1 s).
	ReadMany func(paths []string, fn func(i int, content []byte, ok bool) bool)
}

// Job is one candidate with the tag rule that should make it.
type Job struct {
	Candidate
	// Makefile is the tag makefile holding the rule, Line the rule's line.
	Makefile string
	Line     int
	// Target is the target as make is asked for it, relative to the
	// makefile's directory.
	Target string

	mf   *makefile
	rule rule
	// stem is the pattern rule's stem ("" for an explicit rule).
	stem string
}

// tree indexes a Tag's files and makefiles.
type tree struct {
	tag   Tag
	files map[string]bool
	dirs  map[string]bool
	mfs   map[string]*makefile // by directory; nil: none
}

func newTree(tag Tag) *tree {
	t := &tree{tag: tag, files: make(map[string]bool, len(tag.Files)), dirs: map[string]bool{}, mfs: map[string]*makefile{}}
	for _, f := range tag.Files {
		t.files[f] = true
		for d := path.Dir(f); d != "." && !t.dirs[d]; d = path.Dir(d) {
			t.dirs[d] = true
		}
	}
	return t
}

// makefileIn reads and parses the makefile of dir ("" the top):
// Makefile.am, else a plain GNUmakefile or Makefile kept in git.
func (t *tree) makefileIn(dir string) *makefile {
	if mf, ok := t.mfs[dir]; ok {
		return mf
	}
	var mf *makefile
	for _, name := range []string{"Makefile.am", "GNUmakefile", "Makefile"} {
		p := path.Join(dir, name)
		if !t.files[p] {
			continue
		}
		c, ok := t.tag.Read(p)
		if !ok || len(c) > maxMakefile {
			break
		}
		mf = &makefile{Path: p, Dir: dir, Automake: name == "Makefile.am", Text: c}
		if mf.Automake {
			mf.Text, mf.at = translate(c, p, dir, t.read, 0)
		}
		parse(mf)
		break
	}
	t.mfs[dir] = mf
	return mf
}

// read is Tag.Read limited to the tag's regular files.
func (t *tree) read(p string) ([]byte, bool) {
	if !t.files[p] {
		return nil, false
	}
	return t.tag.Read(p)
}

// Plan finds, for each candidate, the nearest makefile of the tag (its
// directory, then each parent) with a rule that makes it: an explicit
// rule naming it first, else a pattern rule whose prerequisites exist in
// the tag. Candidates without one are left out. Plan runs nothing.
func Plan(tag Tag, cands []Candidate) []Job {
	t := newTree(tag)
	var jobs []Job
	for _, c := range cands {
		if len(jobs) >= maxJobs {
			break
		}
		for dir := path.Dir(c.Path); ; dir = path.Dir(dir) {
			if dir == "." {
				dir = ""
			}
			if mf := t.makefileIn(dir); mf != nil {
				if j, ok := t.match(mf, c); ok {
					jobs = append(jobs, j)
					break
				}
			}
			if dir == "" {
				break
			}
		}
	}
	return jobs
}

// match finds mf's rule for c.
func (t *tree) match(mf *makefile, c Candidate) (Job, bool) {
	rel := relPath(mf.Dir, c.Path)
	if mf.explicit == nil {
		// Each explicit target, expanded once: the first rule naming it.
		mf.explicit = map[string]int{}
		for i, r := range mf.Rules {
			for _, w := range r.Targets {
				if e, ok := mf.expand(w); ok && !strings.Contains(w, "%") {
					if _, seen := mf.explicit[path.Clean(e)]; !seen {
						mf.explicit[path.Clean(e)] = i
					}
				}
			}
		}
	}
	if i, ok := mf.explicit[rel]; ok {
		r := mf.Rules[i]
		return Job{Candidate: c, Makefile: r.File, Line: r.Line, Target: rel, mf: mf, rule: r}, true
	}
	for _, r := range mf.Rules {
		for _, w := range r.Targets {
			pre, suf, ok := strings.Cut(w, "%")
			if !ok || strings.Contains(w, "$") || !strings.HasPrefix(rel, pre) || !strings.HasSuffix(rel, suf) || len(rel) <= len(pre)+len(suf) {
				continue
			}
			stem := rel[len(pre) : len(rel)-len(suf)]
			if t.prereqsExist(mf, r, stem) {
				return Job{Candidate: c, Makefile: r.File, Line: r.Line, Target: rel, mf: mf, rule: r, stem: stem}, true
			}
		}
	}
	return Job{}, false
}

// prereqsExist reports that every pattern prerequisite of r, with stem,
// is a file of the tag.
func (t *tree) prereqsExist(mf *makefile, r rule, stem string) bool {
	for _, p := range r.Prereqs {
		if !strings.Contains(p, "%") {
			continue
		}
		e, ok := mf.expand(strings.ReplaceAll(p, "%", stem))
		if !ok || !t.files[path.Join(mf.Dir, e)] {
			return false
		}
	}
	return true
}

// exportSet is what a job's rule may read: the tag's files directly in
// the makefile's directory, and every tag file or directory a word of
// the rule names (prerequisites and recipe, with the path variables
// replaced), within the caps; a directory of more than maxDirFiles files
// contributes only the files the rule names.
func (t *tree) exportSet(jobs []Job) []string {
	set, done := map[string]bool{}, map[string]bool{}
	var size int
	add := func(p string) {
		if !set[p] && size < maxExportFiles {
			set[p] = true
			size++
		}
	}
	for _, j := range jobs {
		add(j.mf.Path)
		// The makefile's directory, when small (a generator's sibling
		// modules and data); in a big one only what the rule names.
		if !done[j.mf.Dir] {
			done[j.mf.Dir] = true
			var here []string
			for _, f := range t.tag.Files {
				if path.Dir(f) == dirOrDot(j.mf.Dir) {
					here = append(here, f)
				}
			}
			if len(here) <= maxDirFiles {
				for _, f := range here {
					add(f)
				}
			}
		}
		words := append([]string{}, j.rule.Prereqs...)
		for _, l := range j.rule.Recipe {
			for k, v := range pathVars(j.mf.Dir) {
				l = strings.ReplaceAll(strings.ReplaceAll(l, "$("+k+")", v), "${"+k+"}", v)
			}
			words = append(words, strings.FieldsFunc(l, shellSep)...)
		}
		for _, w := range words {
			w = strings.ReplaceAll(w, "%", j.stem)
			w = strings.ReplaceAll(w, "$<", "")
			e, ok := j.mf.expand(w)
			if !ok || e == "" || strings.Contains(e, "$") {
				continue
			}
			p := path.Clean(path.Join(j.mf.Dir, e))
			if strings.HasPrefix(p, "../") || p == ".." {
				continue
			}
			switch {
			case t.files[p]:
				add(p)
			case t.dirs[p]:
				// A directory the rule names, when small: a big one
				// (a whole source tree) costs more to write than the
				// rules it could serve.
				var in []string
				for _, f := range t.tag.Files {
					if strings.HasPrefix(f, p+"/") {
						if in = append(in, f); len(in) > maxDirFiles {
							break
						}
					}
				}
				if len(in) <= maxDirFiles {
					for _, f := range in {
						add(f)
					}
				}
			}
		}
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func dirOrDot(d string) string {
	if d == "" {
		return "."
	}
	return d
}

// shellSep splits a recipe line into words that may name files.
func shellSep(r rune) bool {
	return strings.ContainsRune(" \t<>|;&()'\"=`,", r)
}
