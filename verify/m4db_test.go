package verify

import (
	"context"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tarcheck/tarcheck/autotools/origindb"
)

// `tarcheck db build` writes origins.bin into the cache: the embedded
// database plus the files it was given; LoadM4DB then answers from it, so
// a blob the embedded database lacks is known, and every embedded blob
// still is.
func TestCachedOriginsExtendEmbedded(t *testing.T) {
	emb, err := origindb.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	if emb.Blobs() == 0 {
		t.Fatal("the embedded origin database is empty")
	}
	cache, src := t.TempDir(), t.TempDir()
	local := []byte("dnl a macro no upstream ships\nAC_DEFUN([LOCAL_ONLY_MACRO_4711], [:])\n")
	if err := os.WriteFile(filepath.Join(src, "local.m4"), local, 0o644); err != nil {
		t.Fatal(err)
	}
	id := origindb.BlobID(local)
	if emb.Has(id) {
		t.Fatal("test blob already in the embedded database")
	}
	built, err := BuildM4DB(context.Background(), M4DBBuild{Dirs: []string{src}, CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	if built.OriginsOutput != filepath.Join(cache, OriginsFile) || built.BlobsAdded != 1 || built.Blobs != emb.Blobs()+1 {
		t.Fatalf("built %+v, want %s with %d+1 blobs", built, filepath.Join(cache, OriginsFile), emb.Blobs())
	}

	db, err := LoadM4DB("", cache)
	if err != nil {
		t.Fatal(err)
	}
	o := db.Origins()
	if o == nil || o == emb {
		t.Fatalf("LoadM4DB kept the embedded origin database")
	}
	got := o.LookupBlob(id)
	if len(got) != 1 || got[0].Project != "local" || got[0].Path != filepath.Base(src)+"/local.m4" {
		t.Fatalf("cached database: %v, want the local file", got)
	}
	// Every embedded blob is still known: spot-check some names.
	for _, name := range []string{"config.guess", "gettext.m4", "ltmain.sh", "stdio.in.h"} {
		versions := emb.ByName(name)
		if len(versions) == 0 {
			t.Fatalf("no %s in the embedded database", name)
		}
		for _, fv := range versions {
			id, _ := hex.DecodeString(fv.BlobPrefix)
			if !o.Has(id) {
				t.Fatalf("%s %s (%s) lost in the cached database", name, fv.BlobPrefix, fv.Origin)
			}
		}
	}
	if o.Blobs() != emb.Blobs()+1 {
		t.Fatalf("cached database has %d blobs, want %d+1", o.Blobs(), emb.Blobs())
	}

	// A second build extends the cached one, not the embedded one.
	again, err := BuildM4DB(context.Background(), M4DBBuild{CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	if again.Blobs != built.Blobs || again.BlobsAdded != 0 {
		t.Fatalf("rebuild: %+v, want the %d blobs kept", again, built.Blobs)
	}
}

// A corrupt cached origins.bin is a one-line input error naming the file,
// not silently ignored; a missing one is the embedded database.
func TestCorruptCachedOrigins(t *testing.T) {
	cache := t.TempDir()
	if db, err := LoadM4DB("", cache); err != nil || db != nil {
		t.Fatalf("no cache files: %v, %v; want the baseline (nil)", db, err)
	}
	file := filepath.Join(cache, OriginsFile)
	for name, data := range map[string][]byte{
		"garbage":   []byte("not a database\n"),
		"truncated": truncatedEmbedded(t),
	} {
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := LoadM4DB("", cache)
		if !errors.Is(err, ErrCorruptOriginDB) || KindOf(err) != KindInput {
			t.Fatalf("%s: err = %v (kind %v), want ErrCorruptOriginDB of kind input", name, err, KindOf(err))
		}
		if msg := err.Error(); !strings.Contains(msg, file) || strings.Contains(msg, "\n") {
			t.Fatalf("%s: error %q does not name %s on one line", name, msg, file)
		}
	}
}

func truncatedEmbedded(t *testing.T) []byte {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "autotools", "origindb", "origins.bin"))
	if err != nil {
		t.Fatal(err)
	}
	return src[:len(src)/2]
}

// BenchmarkLoadCachedOrigins measures what a cached origins.bin costs each
// verify: reading the file, Open and the whole-file Verify.
func BenchmarkLoadCachedOrigins(b *testing.B) {
	cache := b.TempDir()
	data, err := os.ReadFile(filepath.Join("..", "autotools", "origindb", "origins.bin"))
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cache, OriginsFile), data, 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := loadOrigins(cache); err != nil {
			b.Fatal(err)
		}
	}
}
