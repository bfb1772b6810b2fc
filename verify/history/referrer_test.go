package history

import (
	"fmt"
	"math/rand/v2"
	"path"
	"strings"
	"testing"

	"github.com/tarcheck/tarcheck/verify/gitsrc"
)

// checkIndexedSameAsSearch fails when the word index of content decides
// differently from containsWord for one of names.
func checkIndexedSameAsSearch(t *testing.T, content string, names []string) {
	t.Helper()
	set := map[string]bool{}
	for _, n := range names {
		if wordIndexable(n) {
			set[n] = true
		}
	}
	refs := []referrer{{path: "tests/Makefile.am", content: []byte(content)}}
	indexWords(refs, set)
	for _, n := range names {
		r := refs[0]
		want := containsWord(r.content, n)
		if got := r.names("tests/data/" + n); got != want && len(r.globs) == 0 {
			t.Fatalf("content %q, name %q: indexed %v, search %v", content, n, got, want)
		}
	}
}

func TestIndexWordsSameAsSearch(t *testing.T) {
	names := []string{"good-1.xz", "good-1", "a.", "a", "x.tar.gz", ".hidden", "f+g.bin", "bad", "b", "xz"}
	for _, c := range []string{
		"EXTRA_DIST = files/good-1.xz files/bad-2.xz\n",
		"see good-1.xz. and a. and a.. then .hidden\n",
		"good-1.xzz good-1.x cat f+g.bin; xz -d <x.tar.gz\n",
		"tests/good-1.xz\ttests/a\n",
		"a.\n", "a", "", "..a..", "good-1.xz.", "ébad bad",
	} {
		checkIndexedSameAsSearch(t, c, names)
	}
	// Random texts over an alphabet of name bytes, separators and dots.
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "ab.-_ /\n+\xc3"
	for range 3000 {
		var sb strings.Builder
		for range rng.IntN(24) {
			sb.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		var ns []string
		for range 4 {
			var nb strings.Builder
			for range 1 + rng.IntN(4) {
				nb.WriteByte(alphabet[rng.IntN(6)])
			}
			ns = append(ns, nb.String())
		}
		checkIndexedSameAsSearch(t, sb.String(), ns)
	}
}

// BenchmarkDriftNames is Drift's inner loop for a release that changed
// many binary files: every referrer asked about every file, the base name
// worked out per referrer (names) or once per file (namesBase).
func BenchmarkDriftNames(b *testing.B) {
	var refs []referrer
	var paths []string
	names := map[string]bool{}
	for i := range 300 {
		p := fmt.Sprintf("tests/data/sub%d/file-%d.bin", i%7, i)
		paths = append(paths, p)
		names[path.Base(p)] = true
	}
	for i := range 2000 {
		content := "check_PROGRAMS = t\n"
		if i%50 == 0 { // few referrers name a binary
			content = fmt.Sprintf("EXTRA_DIST = data/file-%d.bin data/file-%d.bin\n", i%300, (i*7)%300)
		}
		if i%20 == 0 {
			content += "for f in data/*.dat; do cat $f; done\n" // a few referrers have globs
		}
		refs = append(refs, referrer{path: fmt.Sprintf("tests/t%d.sh", i), content: []byte(content), globs: baseGlobs([]byte(content))})
	}
	indexWords(refs, names)
	b.Run("names", func(b *testing.B) {
		for b.Loop() {
			for _, p := range paths {
				for _, r := range refs {
					r.names(p)
				}
			}
		}
	})
	b.Run("namesBase", func(b *testing.B) {
		for b.Loop() {
			for _, p := range paths {
				base := path.Base(p)
				indexable := wordIndexable(base)
				for i := range refs {
					refs[i].namesBase(base, indexable)
				}
			}
		}
	})
}

// mapBlobs is a BlobReader over a map of id to content.
type mapBlobs map[string][]byte

func (m mapBlobs) Read(id string) ([]byte, error) {
	c, ok := m[id]
	if !ok {
		return nil, fmt.Errorf("object %s missing", id)
	}
	return c, nil
}

// manyBlobs is mapBlobs reading many at once (ManyReader), failing after
// failAfter objects (0: never) as a dead git process would.
type manyBlobs struct {
	mapBlobs
	failAfter int
}

func (m manyBlobs) ReadMany(ids []string, fn func(int, []byte, error) error) error {
	for i, id := range ids {
		if m.failAfter > 0 && i == m.failAfter {
			return fmt.Errorf("cat-file died")
		}
		c, err := m.Read(id)
		if err := fn(i, c, err); err != nil {
			return err
		}
	}
	return nil
}

// TestLoadReferrersMany: a reader that reads many objects at once loads
// the referrers one-by-one reading loads (a missing object and one over
// MaxReferrerSize unread, a file that is no referrer skipped); when it
// dies midway, the files after it are unread.
func TestLoadReferrersMany(t *testing.T) {
	blobs := mapBlobs{"1": []byte("check: data.bin\n"), "2": []byte("x"), "4": make([]byte, MaxReferrerSize+1), "5": []byte("*.xz\n")}
	tree := []gitsrc.TreeEntry{
		{Path: "Makefile.am", Type: "blob", Mode: 0o100644, ID: "1"},
		{Path: "src/main.c", Type: "blob", Mode: 0o100644, ID: "2"},
		{Path: "tests/gone.sh", Type: "blob", Mode: 0o100644, ID: "3"},
		{Path: "tests/huge.sh", Type: "blob", Mode: 0o100644, ID: "4"},
		{Path: "tests/run.sh", Type: "blob", Mode: 0o100755, ID: "5"},
	}
	one, unreadOne := loadReferrers(tree, blobs, nil)
	many, unreadMany := loadReferrers(tree, manyBlobs{mapBlobs: blobs}, nil)
	if fmt.Sprint(one, unreadOne) != fmt.Sprint(many, unreadMany) {
		t.Fatalf("one by one %v %v, many %v %v", one, unreadOne, many, unreadMany)
	}
	if len(many) != 2 || many[0].path != "Makefile.am" || many[1].path != "tests/run.sh" || strings.Join(unreadMany, " ") != "tests/gone.sh tests/huge.sh" {
		t.Fatalf("referrers %v, unread %v", many, unreadMany)
	}
	dead, unread := loadReferrers(tree, manyBlobs{mapBlobs: blobs, failAfter: 1}, nil)
	if len(dead) != 1 || strings.Join(unread, " ") != "tests/gone.sh tests/huge.sh tests/run.sh" {
		t.Fatalf("reader dying after one object: referrers %v, unread %v", dead, unread)
	}
}
