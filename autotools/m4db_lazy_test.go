package autotools

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/tarcheck/tarcheck/autotools/origindb"
)

// lazyBaseline returns a database built like Baseline whose m4 decode is
// counted.
func lazyBaseline(t testing.TB) (*M4DB, *int) {
	t.Helper()
	origins, err := origindb.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	db := NewM4DB()
	db.origins = origins
	db.base = func() *M4DB { n++; return decodedBaseline() }
	return db, &n
}

// TestBaselineDecodesLazily: exact copies and unknown names are answered
// from the origin database without decoding the m4 baseline; a modified copy
// of a known file decodes it, once, and gets its closest copy.
func TestBaselineDecodesLazily(t *testing.T) {
	orig := requireFile(t, "/usr/share/gnulib/m4/stdlib_h.m4")
	db, decoded := lazyBaseline(t)

	m := db.Lookup("m4/stdlib_h.m4", orig)
	if m.Kind != MatchExact || len(m.Origins) == 0 || !strings.HasPrefix(m.Origins[0], "gnulib ") || m.KnownAs != "" {
		t.Fatalf("exact copy: %s %v (known as %q)", m.Kind, m.Origins, m.KnownAs)
	}
	if m.Header.Serial == "" {
		t.Error("exact copy: header not parsed")
	}
	// The same content under another name is known as stdlib_h.m4.
	if m := db.Lookup("m4/renamed.m4", orig); m.Kind != MatchExact || m.KnownAs != "stdlib_h.m4" {
		t.Errorf("renamed copy: %s known as %q", m.Kind, m.KnownAs)
	}
	// A gnulib test file, which the m4 baseline never had, is known by blob id.
	if tf, err := readFirst("/usr/share/gnulib/tests/test-stdlib.c", "/usr/share/gnulib/tests/macros.h"); err == nil {
		if m := db.Lookup("gnulib-tests/"+tf.name, tf.content); m.Kind != MatchExact {
			t.Errorf("gnulib tests/%s: %s, want exact", tf.name, m.Kind)
		}
	}
	if m := db.Lookup("src/no-such-upstream-name-42.c", []byte("int x;\n")); m.Kind != MatchUnknownName {
		t.Errorf("unknown name: %s", m.Kind)
	}
	if *decoded != 0 {
		t.Fatalf("the m4 baseline was decoded %d times for exact and unknown lookups", *decoded)
	}

	modified := bytes.Replace(orig, []byte("AC_DEFUN"), []byte("  probe=`cat tests/x.bin`\nAC_DEFUN"), 1)
	m = db.Lookup("m4/stdlib_h.m4", modified)
	if m.Kind != MatchKnownName || m.Closest == nil || m.AddedTotal != 1 {
		t.Fatalf("modified copy: %s closest %v added %d", m.Kind, m.Closest, m.AddedTotal)
	}
	db.Lookup("m4/stdlib_h.m4", modified)
	if *decoded != 1 {
		t.Errorf("the m4 baseline was decoded %d times, want once", *decoded)
	}
}

type namedFile struct {
	name    string
	content []byte
}

func readFirst(paths ...string) (namedFile, error) {
	var err error
	for _, p := range paths {
		var b []byte
		if b, err = os.ReadFile(p); err == nil {
			return namedFile{name: p[strings.LastIndexByte(p, '/')+1:], content: b}, nil
		}
	}
	return namedFile{}, err
}

// TestMergeKeepsBaselineLazy: merging the baseline with an extension does
// not decode it, and the merged database answers from both.
func TestMergeKeepsBaselineLazy(t *testing.T) {
	orig := requireFile(t, "/usr/share/gnulib/m4/stdlib_h.m4")
	base, decoded := lazyBaseline(t)
	ext := NewM4DB()
	ext.AddFile("local.m4", []byte("# serial 1\nAC_DEFUN([LOCAL], [x])\n"), "dir:local")
	merged := MergeM4DB(base, ext)
	if *decoded != 0 {
		t.Fatal("MergeM4DB decoded the baseline")
	}
	if m := merged.Lookup("m4/stdlib_h.m4", orig); m.Kind != MatchExact {
		t.Errorf("baseline copy in merged db: %s", m.Kind)
	}
	if m := merged.Lookup("m4/local.m4", []byte("# serial 1\nAC_DEFUN([LOCAL], [x])\n")); m.Kind != MatchExact || m.Origins[0] != "dir:local" {
		t.Errorf("extension copy in merged db: %s %v", m.Kind, m.Origins)
	}
	if *decoded != 0 {
		t.Fatal("an exact lookup decoded the baseline")
	}
	if m := merged.Lookup("m4/local.m4", []byte("# serial 2\nAC_DEFUN([LOCAL], [y])\n")); m.Kind != MatchSerialAbove {
		t.Errorf("newer local copy: %s", m.Kind)
	}
	if merged.Len() <= ext.Len() || len(merged.Known("stdlib_h.m4")) == 0 || *decoded != 1 {
		t.Errorf("merged: %d entries, decoded %d times", merged.Len(), *decoded)
	}
}

// BenchmarkBaselineCreate is what Baseline costs at start-up: open the
// embedded origin database and read its project table.
func BenchmarkBaselineCreate(b *testing.B) {
	for b.Loop() {
		db, _ := lazyBaseline(b)
		if len(db.origins.Projects()) == 0 {
			b.Fatal("no projects")
		}
	}
}

func BenchmarkLookupExact(b *testing.B) {
	orig, err := os.ReadFile("/usr/share/gnulib/m4/stdlib_h.m4")
	if err != nil {
		b.Skip(err)
	}
	db, _ := lazyBaseline(b)
	b.SetBytes(int64(len(orig)))
	for b.Loop() {
		if db.Lookup("m4/stdlib_h.m4", orig).Kind != MatchExact {
			b.Fatal("not exact")
		}
	}
}

// TestBaselineNamesInSync: m4db.names lists exactly the names of
// m4db.gob.gz (regenerate both with go generate ./autotools).
func TestBaselineNamesInSync(t *testing.T) {
	if got := M4DBNames(decodedBaseline()); !bytes.Equal(got, baselineNames) {
		t.Fatalf("m4db.names (%d bytes) does not match m4db.gob.gz's names (%d bytes): regenerate with go generate ./autotools", len(baselineNames), len(got))
	}
}

func TestSortedLinesContain(t *testing.T) {
	lines := []byte("a.m4\nab\nb\nconfig.guess\nconfig.guess2\nz\n")
	for _, n := range []string{"a.m4", "ab", "b", "config.guess", "config.guess2", "z"} {
		if !sortedLinesContain(lines, n) {
			t.Errorf("%q not found", n)
		}
	}
	for _, n := range []string{"", "a", "a.m", "aa", "c", "config", "config.guess1", "zz", "b\nc"} {
		if sortedLinesContain(lines, n) {
			t.Errorf("%q found", n)
		}
	}
	if sortedLinesContain(nil, "x") {
		t.Error("found in nothing")
	}
	for _, n := range bytes.Split(bytes.TrimSuffix(baselineNames, []byte("\n")), []byte("\n")) {
		if !sortedLinesContain(baselineNames, string(n)) {
			t.Fatalf("baseline name %q not found", n)
		}
	}
}
