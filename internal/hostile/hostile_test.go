package hostile

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/tarcheck/tarcheck/verify/archive"
)

// ruleKinds maps rule ids to the archive hazard kinds behind them (the
// mapping of verify's hazardRule).
var ruleKinds = map[string][]string{
	"TC101": {archive.HazardAbsolutePath, archive.HazardTraversal},
	"TC102": {archive.HazardLinkEscape, archive.HazardBrokenHardlink},
	"TC103": {archive.HazardDuplicate},
	"TC104": {archive.HazardDevice},
	"TC105": {archive.HazardSetuid},
	"TC106": {archive.HazardMultipleRoots},
	"TC107": {archive.HazardControlChars},
	"TC108": {archive.HazardCaseCollision},
	"TC109": {archive.HazardZipMismatch},
	"TC110": {archive.HazardParentSymlink},
	"TC111": {archive.HazardLongNameOverride},
}

// TestCorpusHazards walks every corpus archive with the archive package and
// checks that it is well-formed and carries the intended hazard (and the
// clean control none).
func TestCorpusHazards(t *testing.T) {
	cases, err := Corpus()
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 50 {
		t.Fatalf("only %d cases", len(cases))
	}
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.Name+"."+string(c.Format), func(t *testing.T) {
			p := filepath.Join(dir, c.FileName())
			if err := os.WriteFile(p, c.Data, 0o644); err != nil {
				t.Fatal(err)
			}
			res, err := archive.WalkFile(context.Background(), p, archive.Options{}, func(*archive.Entry) error { return nil })
			if err != nil {
				t.Fatalf("walk: %v", err)
			}
			if string(res.Format) != string(c.Format) {
				t.Errorf("format %s, want %s", res.Format, c.Format)
			}
			var kinds []string
			for _, h := range res.Hazards {
				kinds = append(kinds, h.Kind)
			}
			if c.Rule == "" {
				if len(kinds) != 0 || !res.HasRoot || res.Root != Root {
					t.Fatalf("clean archive: hazards %v, root %q", kinds, res.Root)
				}
				return
			}
			for _, h := range res.Hazards {
				for _, k := range ruleKinds[c.Rule] {
					if h.Kind == k {
						return
					}
				}
			}
			t.Fatalf("no %s hazard; got %v", c.Rule, kinds)
		})
	}
}

// TestBombsAreSmall checks the bombs are small and expand as declared
// (counting the decompressed tar through the archive package with limits
// high enough not to stop it is too slow for a unit test: the tarcheck
// CLI tests run them).
func TestBombsAreSmall(t *testing.T) {
	var bz Compressor
	if _, err := exec.LookPath("bzip2"); err == nil {
		bz = Bzip2Command
	}
	bombs, err := Bombs(BombSize, bz)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bombs {
		t.Logf("%s.%s: %d bytes -> %d MiB", b.Name, b.Format, len(b.Data), b.Unpacked>>20)
		if len(b.Data) > 2<<20 {
			t.Errorf("%s.%s is %d bytes", b.Name, b.Format, len(b.Data))
		}
	}
	// A small bomb walks to the end with default limits (below the ratio
	// grace), proving the stream framing is valid.
	small, err := Bombs(2*BombChunk, bz)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, b := range small {
		p := filepath.Join(dir, b.FileName())
		if err := os.WriteFile(p, b.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		var total int64
		_, err := archive.WalkFile(context.Background(), p, archive.Options{KeepBytes: -1}, func(e *archive.Entry) error {
			if e.Type == archive.TypeRegular {
				total += e.Size
			}
			return nil
		})
		if err != nil && !errors.Is(err, archive.ErrLimit) {
			t.Errorf("%s.%s: %v", b.Name, b.Format, err)
		}
		if err == nil && total != b.Unpacked {
			t.Errorf("%s.%s: %d bytes unpacked, want %d", b.Name, b.Format, total, b.Unpacked)
		}
		t.Logf("%s.%s: walked in %v", b.Name, b.Format, time.Since(start))
	}
}
