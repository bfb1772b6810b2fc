package autotools

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"slices"
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
	x, err := openM4Index(baselineIndex)
	if err != nil {
		t.Fatal(err)
	}
	db.index = x
	return db, &n
}

// TestBaselineDecodesLazily: exact copies and unknown names are answered
// from the origin database without decoding the m4 baseline; a modified copy
// of a known file decodes only that name's entries and gets its closest copy.
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
	if *decoded != 0 {
		t.Errorf("the whole m4 baseline was decoded %d times for one name", *decoded)
	}
	if db.NameSnapshot("stdlib_h.m4").IsZero() {
		t.Error("no snapshot for stdlib_h.m4 from its index entries")
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

// TestBaselineIndexInSync: m4db.idx holds exactly the entries of
// m4db.gob.gz (regenerate both with go generate ./autotools).
func TestBaselineIndexInSync(t *testing.T) {
	if got := M4DBIndex(decodedBaseline()); !bytes.Equal(got, baselineIndex) {
		t.Fatalf("m4db.idx (%d bytes) does not match m4db.gob.gz (%d bytes as an index): regenerate with go generate ./autotools", len(baselineIndex), len(got))
	}
}

// TestM4IndexPerName: every name's entries decode from the index exactly as
// the whole database has them, and corrupt indexes are refused or fall back.
func TestM4IndexPerName(t *testing.T) {
	full := decodedBaseline()
	x, err := openM4Index(baselineIndex)
	if err != nil {
		t.Fatal(err)
	}
	if x.names != len(full.byName) || x.entries != len(full.entries) {
		t.Fatalf("index: %d names, %d entries; database: %d, %d", x.names, x.entries, len(full.byName), len(full.entries))
	}
	for _, name := range []string{"stdlib_h.m4", "gettext.m4", "config.guess", "install-sh", "hash.c"} {
		i := x.find(name)
		ents, err := x.load(i)
		if err != nil || len(ents) != len(full.byName[name]) {
			t.Fatalf("%s: %d entries, %v; want %d", name, len(ents), err, len(full.byName[name]))
		}
		for k, e := range ents {
			w := full.byName[name][k]
			if e.serial != w.Serial || e.sum != w.SHA256 || !slices.Equal(e.origins, w.Origins) || !slices.Equal(e.lines, w.lines) {
				t.Errorf("%s entry %d differs", name, k)
			}
		}
	}
	if x.find("no-such-name.m4") >= 0 || x.find("") >= 0 {
		t.Error("found a name that is not there")
	}
	for _, bad := range [][]byte{nil, []byte("TCM4IX01"), baselineIndex[:len(baselineIndex)-1], append([]byte("XXXXXXXX"), baselineIndex[8:]...)} {
		if _, err := openM4Index(bad); !errors.Is(err, errBadIndex) {
			t.Errorf("corrupt index of %d bytes: %v", len(bad), err)
		}
	}
	// A corrupt chunk makes the lookup fall back to decoding everything.
	corrupt := bytes.Clone(baselineIndex)
	cx, _ := openM4Index(corrupt)
	i := cx.find("stdlib_h.m4")
	off := cx.chunks + cx.field(i, 2)
	copy(corrupt[off:], bytes.Repeat([]byte{0xff}, 8))
	if _, err := cx.load(i); err == nil {
		t.Fatal("corrupt chunk decoded")
	}
	db, decoded := lazyBaseline(t)
	db.index = cx
	if len(db.Known("stdlib_h.m4")) != len(full.byName["stdlib_h.m4"]) || *decoded != 1 {
		t.Errorf("fallback: %d entries, decoded %d times", len(db.Known("stdlib_h.m4")), *decoded)
	}
}

func FuzzM4Index(f *testing.F) {
	x, _ := openM4Index(baselineIndex)
	i := x.find("stdlib_h.m4")
	off, n := x.chunks+x.field(i, 2), x.field(i, 3)
	f.Add(baselineIndex[off : off+n])
	f.Fuzz(func(t *testing.T, chunk []byte) {
		var b bytes.Buffer
		b.WriteString(m4IndexMagic)
		for _, v := range []uint32{1, 1, 1, uint32(len(chunk))} {
			b.Write(binary.LittleEndian.AppendUint32(nil, v))
		}
		for _, v := range []uint32{0, 1, 0, uint32(len(chunk))} {
			b.Write(binary.LittleEndian.AppendUint32(nil, v))
		}
		b.WriteString("a")
		b.Write(chunk)
		x, err := openM4Index(b.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		x.load(x.find("a"))
	})
}

// BenchmarkOpenBaseline is the first use of the embedded databases by a
// verify (Baseline): the m4 index and the origin database opened in place.
// The origin database's own Open is origindb's BenchmarkOpenEmbedded.
func BenchmarkOpenBaseline(b *testing.B) {
	for b.Loop() {
		if _, err := openBaseline(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkM4IndexLoad is the lazy cost of a differing m4 file: decode the
// entries of its name.
func BenchmarkM4IndexLoad(b *testing.B) {
	x, err := openM4Index(baselineIndex)
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"stdlib_h.m4", "gettext.m4"} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := x.load(x.find(name)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLookupModified is a differing m4 file on a fresh lazy baseline:
// its name's entries decoded and the closest copy found.
func BenchmarkLookupModified(b *testing.B) {
	orig, err := os.ReadFile("/usr/share/gnulib/m4/stdlib_h.m4")
	if err != nil {
		b.Skip(err)
	}
	modified := append([]byte("probe=`cat x`\n"), orig...)
	for b.Loop() {
		db, _ := lazyBaseline(b)
		if db.Lookup("m4/stdlib_h.m4", modified).Closest == nil {
			b.Fatal("no closest copy")
		}
	}
}

// TestLazyConcurrent: concurrent lookups on a fresh lazy baseline, each
// merging its name's entries in, agree with the whole decoded database (run
// it with -race).
func TestLazyConcurrent(t *testing.T) {
	orig := requireFile(t, "/usr/share/gnulib/m4/stdlib_h.m4")
	db, _ := lazyBaseline(t)
	full := decodedBaseline()
	names := []string{"stdlib_h.m4", "gettext.m4", "po.m4", "iconv.m4", "lib-link.m4", "build-to-host.m4", "nls.m4", "progtest.m4"}
	done := make(chan string, 4*len(names))
	for k := 0; k < 4; k++ {
		for _, n := range names {
			go func() {
				m := db.Lookup("m4/"+n, append([]byte("x=`cat y`\n"), orig...))
				if got, want := len(db.Known(n)), len(full.byName[n]); got != want || m.Kind == MatchUnknownName {
					done <- n + ": wrong"
					return
				}
				db.NameSnapshot(n)
				done <- ""
			}()
		}
	}
	for range 4 * len(names) {
		if msg := <-done; msg != "" {
			t.Error(msg)
		}
	}
	if db.Len() != full.Len() {
		t.Errorf("after a full merge: %d entries, want %d", db.Len(), full.Len())
	}
}
