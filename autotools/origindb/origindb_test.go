package origindb

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"path"
	"strings"
	"testing"
	"time"
)

func blobID(content string) []byte {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00%s", len(content), content)
	return h.Sum(nil)
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// sample builds a small database: two projects, a file in three versions,
// one content shared by two projects.
func sample(t testing.TB) ([]byte, *DB) {
	t.Helper()
	b := NewBuilder()
	b.AddProject("automake", "git test", day("2024-06-01"))
	b.AddVersion("automake", "1.16.4", day("2021-07-25"))
	b.AddVersion("automake", "1.16.5", day("2021-10-03"))
	b.AddProject("gnulib", "git test", day("2024-05-01"))
	add := func(content string, o Origin) {
		if err := b.Add(blobID(content), o); err != nil {
			t.Fatal(err)
		}
	}
	add("compile v1\n", Origin{Project: "automake", Path: "lib/compile", FirstVersion: "1.16.4", LastVersion: "1.16.4", First: day("2021-01-01"), Last: day("2021-08-01")})
	add("compile v2\n", Origin{Project: "automake", Path: "lib/compile", FirstVersion: "1.16.5", LastVersion: "1.16.5", First: day("2021-08-01"), Last: day("2024-06-01")})
	add("compile v2\n", Origin{Project: "gnulib", Path: "build-aux/compile", First: day("2021-09-01"), Last: day("2024-05-01")})
	add("compile v2\n", Origin{Project: "automake", Path: "/usr/share/automake-1.16/compile", Package: true, FirstVersion: "Debian bookworm 1:1.16.5-1.3", LastVersion: "Debian bookworm 1:1.16.5-1.3", First: day("2023-01-01")})
	add("serial 3\n", Origin{Project: "gnulib", Path: "m4/build-to-host.m4", First: day("2023-01-01"), Last: day("2024-05-01")})
	b.Built = day("2024-06-02")
	data, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	db, err := Open(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Verify(); err != nil {
		t.Fatal(err)
	}
	return data, db
}

func TestLookupBlob(t *testing.T) {
	_, db := sample(t)
	if db.Blobs() != 3 || db.Origins() != 5 {
		t.Fatalf("%d blobs, %d origins, want 3 and 5", db.Blobs(), db.Origins())
	}
	got := db.LookupBlob(blobID("compile v2\n"))
	if len(got) != 3 {
		t.Fatalf("LookupBlob = %v, want 3 origins", got)
	}
	want := []string{
		"automake 1.16.5 lib/compile",
		"gnulib git 2021-09-01..2024-05-01 build-aux/compile",
		"automake Debian bookworm 1:1.16.5-1.3 /usr/share/automake-1.16/compile",
	}
	for i, o := range got {
		if o.String() != want[i] {
			t.Errorf("origin %d = %q, want %q", i, o, want[i])
		}
	}
	if !got[2].Package || got[0].Package || !got[0].First.Equal(day("2021-08-01")) || !got[0].Last.Equal(day("2024-06-01")) {
		t.Errorf("origin fields: %+v", got)
	}
	if o := db.LookupBlob(blobID("compile v3\n")); o != nil {
		t.Errorf("unknown blob found: %v", o)
	}
	if o := db.LookupBlob([]byte{1, 2}); o != nil {
		t.Errorf("short id found: %v", o)
	}
	if o := db.LookupHex(fmt.Sprintf("%x", blobID("serial 3\n"))); len(o) != 1 || o[0].Path != "m4/build-to-host.m4" {
		t.Errorf("LookupHex = %v", o)
	}
	if o := db.LookupHex("not hex"); o != nil {
		t.Errorf("LookupHex(bad) = %v", o)
	}
	if !db.Has(blobID("serial 3\n")) || db.Has(blobID("serial 30\n")) {
		t.Error("Has disagrees with LookupBlob")
	}
	if !db.Built().Equal(day("2024-06-02")) {
		t.Errorf("Built = %v", db.Built())
	}
}

func TestVersionsAndNames(t *testing.T) {
	_, db := sample(t)
	vs := db.VersionsOf("automake", "lib/compile")
	if len(vs) != 2 || vs[0].Origin.FirstVersion != "1.16.4" || vs[1].Origin.FirstVersion != "1.16.5" {
		t.Fatalf("VersionsOf(automake, lib/compile) = %+v", vs)
	}
	if vs[1].BlobPrefix != fmt.Sprintf("%x", blobID("compile v2\n")[:PrefixLen]) {
		t.Errorf("blob prefix %s", vs[1].BlobPrefix)
	}
	if vs := db.VersionsOf("gnulib", "lib/compile"); len(vs) != 0 {
		t.Errorf("VersionsOf filtered by project = %v", vs)
	}
	if vs := db.ByName("compile"); len(vs) != 4 {
		t.Errorf("ByName(compile) = %d versions, want 4", len(vs))
	}
	info := db.Name("build-aux/compile")
	if info.Versions != 2 || !info.NewestFirst.Equal(day("2021-09-01")) || !info.Covered.Equal(day("2024-06-01")) {
		t.Errorf("Name(compile) = %+v", info)
	}
	if info := db.Name("nothing.m4"); info.Versions != 0 || !info.Covered.IsZero() {
		t.Errorf("Name(unknown) = %+v", info)
	}
	ps := db.Projects()
	if len(ps) != 2 || ps[0].Name != "automake" || len(ps[0].Versions) != 3 || ps[0].Versions[0].Name != "1.16.4" || !ps[0].Snapshot.Equal(day("2024-06-01")) {
		t.Errorf("Projects = %+v", ps)
	}
}

func TestRoundTrip(t *testing.T) {
	data, db := sample(t)
	b := NewBuilder()
	b.Merge(db)
	b.Built = db.Built()
	again, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, again) {
		t.Fatalf("merge into a new builder changed the encoding (%d vs %d bytes)", len(data), len(again))
	}
	// Deterministic: the same input builds the same bytes.
	data2, _ := sample(t)
	if !bytes.Equal(data, data2) {
		t.Error("two builds of the same input differ")
	}
}

func TestCorruptRejected(t *testing.T) {
	data, _ := sample(t)
	cases := map[string][]byte{
		"empty":     nil,
		"short":     data[:20],
		"truncated": data[:len(data)-1],
		"extended":  append(bytes.Clone(data), 0),
		"magic":     append([]byte("TCORIGN9"), data[8:]...),
	}
	huge := bytes.Clone(data)
	binary.LittleEndian.PutUint32(huge[8:], 1<<31)
	cases["huge count"] = huge
	for name, d := range cases {
		_, err := Open(d)
		if !errors.Is(err, ErrBadDB) {
			t.Errorf("%s: Open error %v, want ErrBadDB", name, err)
		} else if !strings.Contains(err.Error(), "origin database") {
			t.Errorf("%s: unclear error %q", name, err)
		}
	}
	// Same size, bad contents: Open accepts, Verify refuses, lookups never panic.
	bad := bytes.Clone(data)
	copy(bad[headerSize:], bytes.Repeat([]byte{0xff}, PrefixLen)) // first prefix now sorts last
	db, err := Open(bad)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Verify(); !errors.Is(err, ErrBadDB) {
		t.Errorf("Verify of unsorted ids = %v", err)
	}
}

func TestEmbedded(t *testing.T) {
	db, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Verify(); err != nil {
		t.Fatal(err)
	}
	if db.Blobs() < 100000 {
		t.Errorf("embedded database has %d blobs, want the whole gnulib history", db.Blobs())
	}
	have := map[string]bool{}
	for _, p := range db.Projects() {
		have[p.Name] = len(p.Versions) > 0 || !p.Snapshot.IsZero()
	}
	for _, p := range []string{"gnulib", "autoconf", "automake", "libtool", "gettext", "autoconf-archive", "pkgconf", "pkg-config", "gtk-doc"} {
		if !have[p] {
			t.Errorf("embedded database lacks project %s", p)
		}
	}
	// gtkdocize's copies, as Debian's gtk-doc-tools installs them.
	gtkdoc := 0
	for _, fv := range db.ByName("gtk-doc.make") {
		if fv.Origin.Project == "gtk-doc" && fv.Origin.Package {
			gtkdoc++
		}
	}
	if gtkdoc < 2 {
		t.Errorf("embedded database has %d versions of gtk-doc.make, want those of bookworm and trixie", gtkdoc)
	}
	if Empty().Blobs() != 0 {
		t.Error("Empty is not empty")
	}
}

func FuzzOpen(f *testing.F) {
	data, _ := sample(f)
	f.Add(data)
	f.Add(data[:headerSize])
	f.Fuzz(func(t *testing.T, d []byte) {
		db, err := Open(d)
		if err != nil {
			return
		}
		_ = db.Verify()
		db.LookupBlob(blobID("compile v2\n"))
		db.ByName("compile")
		db.VersionsOf("", "lib/compile")
		db.Name("compile")
		db.Projects()
		for i := 0; i < db.nBlobs && i < 8; i++ {
			db.LookupBlob(append(db.prefix(i), make([]byte, 8)...))
		}
	})
}

// BenchmarkOpenEmbedded is the first use of each database embedded in
// the package, what Embedded, EmbeddedStamps and EmbeddedVocab run once:
// opened in place, nothing decoded.
func BenchmarkOpenEmbedded(b *testing.B) {
	b.Run("origins", func(b *testing.B) {
		for b.Loop() {
			if _, err := Open(embedded); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("stamps", func(b *testing.B) {
		for b.Loop() {
			if _, err := OpenStamps(embeddedStamps); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("vocab", func(b *testing.B) {
		for b.Loop() {
			if _, err := OpenVocab(embeddedVocab); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkLookupBlob(b *testing.B) {
	db, err := Embedded()
	if err != nil {
		b.Fatal(err)
	}
	hit := append(bytes.Clone(db.prefix(db.nBlobs/3)), make([]byte, 8)...)
	miss := blobID("not in any upstream project\n")
	b.Run("hit", func(b *testing.B) {
		for b.Loop() {
			if db.LookupBlob(hit) == nil {
				b.Fatal("miss")
			}
		}
	})
	b.Run("miss", func(b *testing.B) {
		for b.Loop() {
			if db.Has(miss) {
				b.Fatal("hit")
			}
		}
	})
}

func BenchmarkByName(b *testing.B) {
	db, _ := Embedded()
	for b.Loop() {
		if len(db.ByName("config.guess")) == 0 {
			b.Fatal("config.guess unknown")
		}
	}
}

// TestAnyOriginIsByName: on the embedded database, for every base name it
// holds and two predicates, AnyOrigin answers what a walk of ByName's
// versions answers.
func TestAnyOriginIsByName(t *testing.T) {
	db, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	preds := map[string]func(project, path string) bool{
		"gnulib lib": func(project, p string) bool {
			return project == "gnulib" && !strings.HasPrefix(path.Base(p), "ChangeLog")
		},
		"automake": func(project, _ string) bool { return project == "automake" },
	}
	seen := map[string]bool{}
	yes := map[string]int{}
	for i := range db.nPaths {
		base := path.Base(db.pathString(i))
		if seen[base] {
			continue
		}
		seen[base] = true
		for name, keep := range preds {
			want := false
			for _, v := range db.ByName(base) {
				if keep(v.Origin.Project, v.Origin.Path) {
					want = true
					break
				}
			}
			if got := db.AnyOrigin(base, keep); got != want {
				t.Fatalf("%s, %q: AnyOrigin %v, ByName %v", name, base, got, want)
			}
			if want {
				yes[name]++
			}
		}
	}
	if db.AnyOrigin("no-such-file.xyz", func(string, string) bool { return true }) {
		t.Error("an unknown name has an origin")
	}
	if len(seen) < 100 || yes["gnulib lib"] == 0 || yes["automake"] == 0 {
		t.Errorf("%d names, %v true: the comparison saw too little", len(seen), yes)
	}
}
