// Package adversary generates the adversarial release suite of issues 15 and
// 16: a small but realistic autotools project (libtool library, gettext
// translation, gnulib macros copied from the installed gnulib, a test
// harness with a glob, binary test vectors, an export-subst file, a CMake
// build with file(GLOB)) is committed to a throwaway git repository and
// released with the real `autoreconf -fi && ./configure && make dist`;
// each variant then edits the unpacked release as an attacker who has read
// tarcheck's rules would, and is re-packed as a .tar.gz.
//
// Every payload is harmless: it creates the file MarkerName(id) in
// $ADVERSARY_MARKER_DIR (else in the directory it runs in). [Prove] runs a
// variant's trigger in the project's sandbox and reports whether the marker
// appeared.
//
// What the caller must still check: Generate only builds the suite; judging
// tarcheck's reports against Variant.ExpectDefault and ExpectRebuild is the
// caller's job (see Judge).
package adversary

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/tarcheck/tarcheck/verify/gitsrc"
)

// Suite is a generated suite.
type Suite struct {
	// Dir holds everything Generate wrote.
	Dir string `json:"dir"`
	// Repo is the upstream git work tree; Tag its annotated release tag.
	Repo string `json:"repo"`
	Tag  string `json:"tag"`
	// Commit is the tagged commit.
	Commit string `json:"commit"`
	// Release is the honest tarball (.tar.xz) exactly as make dist wrote it.
	Release string `json:"release"`
	// Variants are the tampered releases (the first is the re-packed control).
	Variants []Variant `json:"variants"`
	// BaseTook and VariantsTook are the wall times of the base build and of
	// deriving the variants.
	BaseTook     time.Duration `json:"base_took_ns"`
	VariantsTook time.Duration `json:"variants_took_ns"`
}

// Options narrow what Generate builds.
type Options struct {
	// Only, when not empty, limits the variants to these ids (the control
	// is always built).
	Only []string
}

// Generate builds the base release and every variant into dir (which should
// be empty or missing) and writes dir/suite.json describing them. It needs
// the programs in Tools and the gnulib macros in GnulibM4Dir.
func Generate(ctx context.Context, dir string) (*Suite, error) {
	return GenerateOptions(ctx, dir, Options{})
}

// GenerateOptions is Generate with options.
func GenerateOptions(ctx context.Context, dir string, o Options) (*Suite, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	s := &Suite{Dir: dir, Repo: filepath.Join(dir, "repo", Name), Tag: Tag}
	start := time.Now()
	files, err := upstreamFiles()
	if err != nil {
		return nil, err
	}
	if err := makeRepo(ctx, s.Repo, files); err != nil {
		return nil, err
	}
	if s.Commit, err = (&gitsrc.Builder{Dir: s.Repo}).Git(ctx, nil, "rev-parse", "HEAD"); err != nil {
		return nil, fmt.Errorf("adversary: %w", err)
	}
	s.Commit = strings.TrimSpace(s.Commit)
	build := filepath.Join(dir, "build", Name)
	tb, err := buildRelease(ctx, build, files)
	if err != nil {
		return nil, err
	}
	s.Release = filepath.Join(dir, "release", Root+".tar.xz")
	if err := os.MkdirAll(filepath.Dir(s.Release), 0o755); err != nil {
		return nil, err
	}
	if err := os.Rename(tb, s.Release); err != nil {
		return nil, err
	}
	if err := os.RemoveAll(filepath.Join(dir, "build")); err != nil {
		return nil, err
	}
	base, err := readTarball(s.Release)
	if err != nil {
		return nil, err
	}
	s.BaseTook = time.Since(start)

	start = time.Now()
	only := map[string]bool{}
	for _, id := range o.Only {
		only[id] = true
	}
	scratch := filepath.Join(dir, "scratch")
	g := &genContext{ctx: ctx, commit: s.Commit, scratch: scratch}
	var todo []spec
	for _, sp := range specs() {
		if len(only) == 0 || only[sp.ID] || sp.Family == FamilyControl {
			todo = append(todo, sp)
		}
	}
	// Two at a time: most of a variant's time is autoconf (one process).
	s.Variants = make([]Variant, len(todo))
	errs := make([]error, len(todo))
	sem := make(chan struct{}, min(2, runtime.NumCPU()))
	var wg sync.WaitGroup
	for i, sp := range todo {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			v, err := derive(g, base, sp, filepath.Join(dir, "variants"))
			if err != nil {
				err = fmt.Errorf("adversary: variant %s: %w", sp.ID, err)
			}
			s.Variants[i], errs[i] = v, err
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if err := os.RemoveAll(scratch); err != nil {
		return nil, err
	}
	s.VariantsTook = time.Since(start)
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "suite.json"), append(b, '\n'), 0o644); err != nil {
		return nil, err
	}
	return s, nil
}

// derive applies sp to a copy of base (regenerating when sp asks) and
// writes the variant's tarball into out/<id>/.
func derive(g *genContext, base tree, sp spec, out string) (Variant, error) {
	t := base.clone()
	if err := sp.edit(g, t); err != nil {
		return Variant{}, err
	}
	if sp.regen {
		var err error
		newM4 := false
		for p := range t {
			if strings.HasPrefix(p, "m4/") && base[p] == nil {
				newM4 = true
			}
		}
		if t, err = regenerate(g.ctx, filepath.Join(g.scratch, sp.ID), t, newM4); err != nil {
			return Variant{}, err
		}
		for _, p := range sp.Regenerated {
			if a, b := base[p], t[p]; a != nil && b != nil && string(a.data) == string(b.data) {
				return Variant{}, fmt.Errorf("regenerating left %s unchanged", p)
			}
		}
	}
	v := sp.Variant
	v.Tarball = filepath.Join(out, v.ID, Root+".tar.gz")
	if err := os.MkdirAll(filepath.Dir(v.Tarball), 0o755); err != nil {
		return Variant{}, err
	}
	if err := t.writeTarGz(v.Tarball); err != nil {
		return Variant{}, err
	}
	return v, nil
}

// LoadSuite reads dir/suite.json written by Generate.
func LoadSuite(dir string) (*Suite, error) {
	b, err := os.ReadFile(filepath.Join(dir, "suite.json"))
	if err != nil {
		return nil, fmt.Errorf("adversary: %w (run genadversary generate first)", err)
	}
	var s Suite
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("adversary: %s: %w", filepath.Join(dir, "suite.json"), err)
	}
	return &s, nil
}
