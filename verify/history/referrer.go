package history

import (
	"bytes"
	"github.com/tarcheck/tarcheck/internal/limits"
	"github.com/tarcheck/tarcheck/verify/gitsrc"
	"path"
	"sort"
	"strings"
)

// referrer is a test or build file of this tag and the base-name globs it
// contains ("good-*.xz" in `for f in "$srcdir"/files/good-*.xz`).
type referrer struct {
	path    string
	content []byte
	globs   []string
	// words are the names of indexWords' set that content holds as
	// whole words (containsWord); nil when not indexed.
	words map[string]bool
}

// indexWords records in each referrer which of names it contains as a
// whole word, in one pass over its content instead of one search per name
// (a release that adds many binary files searched every test and build
// file once per file). A name containsWord finds in other ways (one
// starting with '.', one with a byte a file-name word does not have) is
// not indexed: names searches for it directly.
func indexWords(refs []referrer, names map[string]bool) {
	for i := range refs {
		r := &refs[i]
		r.words = map[string]bool{}
		b := r.content
		for s := 0; s < len(b); {
			if !nameByte(b[s]) {
				s++
				continue
			}
			e := s + 1
			for e < len(b) && nameByte(b[e]) {
				e++
			}
			// A whole word is a maximal run of file-name bytes, or one
			// ending in a '.' that ends a sentence.
			w := b[s:e]
			if names[string(w)] {
				r.words[string(w)] = true
			}
			if w[len(w)-1] == '.' && names[string(w[:len(w)-1])] {
				r.words[string(w[:len(w)-1])] = true
			}
			s = e
		}
	}
}

// wordIndexable reports whether indexWords decides containsWord for name.
func wordIndexable(name string) bool {
	if name == "" || name[0] == '.' {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !nameByte(name[i]) {
			return false
		}
	}
	return true
}

// loadReferrers reads this tag's test and build files (up to
// MaxReferrerSize each), appending the ones it cannot read to unread.
// A reader that can (ManyReader) gets all the ids at once: a tree of
// fifteen thousand fuzzing inputs is read in sixty writes to git.
func loadReferrers(tree []gitsrc.TreeEntry, blobs BlobReader, unread []string) ([]referrer, []string) {
	var want []gitsrc.TreeEntry
	for _, e := range tree {
		if e.Type == "blob" && e.Mode != 0o120000 && isReferrer(e.Path) {
			want = append(want, e)
		}
	}
	var out []referrer
	got := func(e gitsrc.TreeEntry, content []byte, err error) {
		if err != nil || len(content) > MaxReferrerSize {
			unread = append(unread, e.Path)
			return
		}
		out = append(out, referrer{path: e.Path, content: content, globs: baseGlobs(content)})
	}
	if many, ok := blobs.(ManyReader); ok {
		ids := make([]string, len(want))
		for i, e := range want {
			ids[i] = e.ID
		}
		done := 0
		err := many.ReadMany(ids, func(i int, content []byte, err error) error {
			got(want[i], content, err)
			done = i + 1
			return nil
		})
		if err != nil {
			for _, e := range want[done:] {
				unread = append(unread, e.Path)
			}
		}
	} else {
		for _, e := range want {
			content, err := blobs.Read(e.ID)
			got(e, content, err)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out, unread
}

// nameByte reports whether b may be part of a file name as scripts write
// them.
func nameByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b == '-' || b == '.' || b >= 0x80
}

// names reports whether the referrer names the file p: its path relative
// to the top or to the referrer's directory, its base name as a whole word,
// or a base-name glob matching it.
func (r referrer) names(p string) bool {
	base := path.Base(p)
	return r.namesBase(base, wordIndexable(base))
}

// namesBase is names for a file of base name base; indexable is
// wordIndexable(base), so a caller asking every referrer about one file
// computes both once.
func (r *referrer) namesBase(base string, indexable bool) bool {
	if r.words != nil && indexable {
		if r.words[base] {
			return true
		}
	} else if containsWord(r.content, base) {
		return true
	}
	for _, g := range r.globs {
		if ok, _ := path.Match(g, base); ok {
			return true
		}
	}
	return false
}

// containsWord reports whether word occurs in b with no file-name byte on
// either side (a path before it, "/", is fine).
func containsWord(b []byte, word string) bool {
	w := []byte(word)
	for off := 0; ; {
		i := bytes.Index(b[off:], w)
		if i < 0 {
			return false
		}
		i += off
		j := i + len(w)
		if (i == 0 || !nameByte(b[i-1]) || word[0] == '.') && (j == len(b) || !nameByte(b[j]) || b[j] == '.' && (j+1 == len(b) || !nameByte(b[j+1]))) {
			return true
		}
		off = i + 1
	}
}

// specificGlob reports whether a base-name glob is specific enough to
// count as naming files: no variables or braces, and either a literal
// start with three or more letters or digits in all ("good-*.xz",
// "freebsd*"), or a leading wildcard with a literal extension ("*.xz").
// Loose patterns ("*is*", "-*", "*a") name nothing.
func specificGlob(s string) bool {
	if len(s) > 200 || !strings.ContainsAny(s, "*?") || strings.ContainsAny(s, "$\\{}`") {
		return false
	}
	alnum := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			alnum++
		}
	}
	if s[0] != '*' && s[0] != '?' && s[0] != '[' {
		return alnum >= 3
	}
	dot := strings.LastIndexByte(s, '.')
	return dot >= 0 && len(s)-dot > 2 && !strings.ContainsAny(s[dot:], "*?[]")
}

// maxGlobs caps the base-name globs taken from one file.
const maxGlobs = limits.HistoryMaxGlobs

// baseGlobs extracts base-name globs from shell-like text: the last path
// component of every word containing "*" or "?" with at least one literal
// character ("good-*.xz"; not "*" or "$f*").
func baseGlobs(b []byte) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range bytes.FieldsFunc(b, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == '"' || r == '\'' || r == '(' || r == ')' || r == ';' || r == '`' || r == '=' || r == ','
	}) {
		if !bytes.ContainsAny(w, "*?") {
			continue
		}
		s := string(w)
		if i := strings.LastIndexByte(s, '/'); i >= 0 {
			s = s[i+1:]
		}
		if !specificGlob(s) {
			continue
		}
		if _, err := path.Match(s, ""); err != nil || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
		if len(out) >= maxGlobs {
			break
		}
	}
	return out
}
