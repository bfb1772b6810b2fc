package explain

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/tarcheck/tarcheck/verify/compare"
	"github.com/tarcheck/tarcheck/verify/report"
)

// blobs is the tag's side, by hex blob id.
type blobs map[string][]byte

func (b blobs) Read(id string) ([]byte, error) {
	c, ok := b[id]
	if !ok {
		return nil, fmt.Errorf("no blob %s", id)
	}
	return c, nil
}

func blobID(content string) [20]byte {
	return sha1.Sum(fmt.Appendf(nil, "blob %d\x00%s", len(content), content))
}

// release compares an in-memory tarball (name -> content, under root/)
// with a tree (path -> content), as compare does, without git.
func release(t *testing.T, root string, tarball, tree map[string]string, stray map[string]string) (*compare.Result, blobs) {
	t.Helper()
	return releaseKeep(t, root, tarball, tree, stray, 0)
}

// releaseKeep is release with the comparison's inspection limit keep.
func releaseKeep(t *testing.T, root string, tarball, tree map[string]string, stray map[string]string, keep int64) (*compare.Result, blobs) {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	add := func(name, content string) {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(content)), Typeflag: tar.TypeReg})
		tw.Write([]byte(content))
	}
	for _, name := range slices.Sorted(maps.Keys(tarball)) {
		add(root+"/"+name, tarball[name])
	}
	for name, content := range stray {
		add(name, content)
	}
	tw.Close()
	file := filepath.Join(t.TempDir(), "r.tar")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	idx := compare.NewIndex()
	bl := blobs{}
	for _, p := range slices.Sorted(maps.Keys(tree)) {
		// "symlink:TARGET" makes a symlink in the tree, "gitlink:X" a submodule.
		mode, content := uint32(0o100644), tree[p]
		if target, ok := strings.CutPrefix(content, "symlink:"); ok {
			mode, content = 0o120000, target
		}
		if _, ok := strings.CutPrefix(content, "gitlink:"); ok {
			mode = 0o160000 // a submodule; its "content" only makes an id
		}
		id := blobID(content)
		idx.Add(p, mode, id)
		bl[hex.EncodeToString(id[:])] = []byte(content)
	}
	cmp, err := compare.Run(context.Background(), file, idx, compare.Options{KeepBytes: keep})
	if err != nil {
		t.Fatal(err)
	}
	return cmp, bl
}

// Every difference gets a class, a severity and a finding: a modified
// source, xz-style build logic only in the tarball, a file only in git and
// a member outside the release directory (an archive hazard). No git, no CLI.
func TestExplain(t *testing.T) {
	tree := map[string]string{
		"README":       "hello\n",
		"src/main.c":   "int main(void) { return 0; }\n",
		"docs/old.txt": "only in git\n",
		"configure.ac": "AC_INIT([foo], [1.2])\n",
	}
	tarball := map[string]string{
		"README":       "hello\n",
		"src/main.c":   "int main(void) { exfiltrate(); return 0; }\n",
		"configure.ac": "AC_INIT([foo], [1.2])\n",
		"m4/evil.m4":   "# serial 99 evil.m4\nAC_DEFUN([EVIL], [eval \"$(echo ZWNobyBoaQ== | base64 -d)\"])\n",
	}
	cmp, bl := release(t, "foo-1.2", tarball, tree, map[string]string{"stray.txt": "beside\n"})
	res, err := Explain(context.Background(), Input{Compare: cmp, Blobs: bl, Version: "1.2", KeepBytes: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]report.FileDiff{}
	for _, f := range res.Files {
		files[f.Path] = f
	}
	for path, want := range map[string]struct {
		class string
		sev   report.Severity
	}{
		"src/main.c":   {"source-modified", report.SevHigh},
		"m4/evil.m4":   {"suspicious-build-logic", report.SevCritical},
		"docs/old.txt": {"not-distributed", report.SevLow},
		"stray.txt":    {"outside-root", report.SevCritical},
	} {
		f, ok := files[path]
		if !ok || f.Class != want.class || f.Severity != want.sev || f.Reason == "" {
			t.Errorf("%s: %+v, want class %s severity %s", path, f, want.class, want.sev)
		}
	}
	if d := files["src/main.c"].Diff; !bytes.Contains([]byte(d), []byte("+int main(void) { exfiltrate(); return 0; }")) {
		t.Errorf("no diff excerpt for the modified source:\n%s", d)
	}
	rules := map[string]int{}
	for _, f := range res.Findings {
		rules[f.Rule]++
	}
	for _, rule := range []string{report.RuleSourceDiffersFromTag, report.RuleSuspiciousBuildLogic, report.RuleFileOnlyInGit,
		report.RuleArchiveMultipleRoots, report.RuleBase64ToShell} {
		if rules[rule] == 0 {
			t.Errorf("no %s finding; findings: %v", rule, rules)
		}
	}
	if res.Classes["source-modified"] != 1 || res.Classes["outside-root"] != 1 {
		t.Errorf("classes %v", res.Classes)
	}
}

// A member whose content did not fit in the first pass is gathered and
// classified like the others.
func TestExplainGathers(t *testing.T) {
	cmp, bl := release(t, "p-1", map[string]string{"a.c": "changed\n"}, map[string]string{"a.c": "original\n"}, nil)
	m := cmp.Members["a.c"]
	m.Content, m.Missing = nil, true
	res, err := Explain(context.Background(), Input{Compare: cmp, Blobs: bl, KeepBytes: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 1 || res.Files[0].Class != "source-modified" || res.Files[0].Diff == "" {
		t.Errorf("files %+v", res.Files)
	}
}

func TestHazardRule(t *testing.T) {
	for kind, want := range hazardRules {
		if r, ok := report.LookupRule(want); !ok || r.Severity != report.SevCritical {
			t.Errorf("hazard %s maps to %s, not a critical catalogued rule", kind, want)
		}
	}
}

// A symlink in git that make dist dereferenced: proved when the tarball's
// file is byte for byte the link target's content in the tag (bison's
// m4sugar links); anything else stays a type difference.
func TestExplainDereferencedSymlink(t *testing.T) {
	tree := map[string]string{
		"data/real.m4": "dnl real macro\n",
		"m4/link.m4":   "symlink:../data/real.m4",
		"m4/evil.m4":   "symlink:../data/real.m4",
		"m4/out.m4":    "symlink:../../etc/passwd",
	}
	tarball := map[string]string{
		"data/real.m4": "dnl real macro\n",
		"m4/link.m4":   "dnl real macro\n",
		"m4/evil.m4":   "dnl real macro\nAC_DEFUN([X], [eval \"$x\"])\n",
		"m4/out.m4":    "root:x:0:0\n",
	}
	cmp, bl := release(t, "foo-1.2", tarball, tree, nil)
	res, err := Explain(context.Background(), Input{Compare: cmp, Blobs: bl, Version: "1.2", KeepBytes: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]report.FileDiff{}
	for _, f := range res.Files {
		files[f.Path] = f
	}
	if f := files["m4/link.m4"]; f.Class != "tag-copy" || f.Severity != report.SevLow || f.Origin == nil || f.Origin.Path != "data/real.m4" {
		t.Errorf("dereferenced link: %+v", f)
	}
	for _, p := range []string{"m4/evil.m4", "m4/out.m4"} {
		if f := files[p]; f.Class == "tag-copy" || f.Severity < report.SevMedium {
			t.Errorf("%s must not be proved: %+v", p, f)
		}
	}
}

// A member over the comparison's inspection limit is read on its own and
// classified like any other: a generated script is recognised, and a
// payload past the limit is still found by the scan.
func TestExplainLargeMember(t *testing.T) {
	pad := strings.Repeat("# filler line of a long generated test suite\n", 200)
	suite := "#! /bin/sh\n# Generated from testsuite.at by GNU Autoconf 2.71.\n" + pad + "at_fn_check_status 0 $at_status\n"
	evil := "#! /bin/sh\n" + pad + "eval \"$(xz -dc tests/files/bad.xz | tail -c +1024 | head -c 2048)\"\n"
	cmp, bl := releaseKeep(t, "p-1.0", map[string]string{"tests/testsuite": suite, "tests/run.sh": evil}, map[string]string{}, nil, 1024)
	res, err := Explain(context.Background(), Input{Compare: cmp, Blobs: bl, KeepBytes: 1024})
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]report.FileDiff{}
	for _, f := range res.Files {
		files[f.Path] = f
	}
	if f := files["tests/testsuite"]; strings.Contains(f.Reason, "too large") || f.Generator == "" {
		t.Errorf("large generated suite not inspected: %+v", f)
	}
	if f := files["tests/run.sh"]; f.Severity < report.SevHigh || strings.Contains(f.Reason, "too large") {
		t.Errorf("large script with a payload: %+v", f)
	}
	found := false
	for _, f := range res.Findings {
		if f.Path == "tests/run.sh" && f.Rule != "" && len(f.Evidence) > 0 {
			found = true
		}
	}
	if !found {
		t.Errorf("no scan evidence on the large script: %+v", res.Findings)
	}
}

// Explaining a release costs memory for what differs, not for what is
// identical: the tag's paths are walked, never listed, when no check needs
// them (a 640,000-file tree's lists were 60 MiB live and 150 MiB
// allocated at the end of the run).
func TestExplainIdenticalFilesAllocateNothing(t *testing.T) {
	perRelease := func(n int) uint64 {
		tree := map[string]string{"src/main.c": "int main(void) { return 0; }\n", "Makefile.am": "bin_PROGRAMS = main\n"}
		tarball := map[string]string{"src/main.c": "int main(void) { return 1; }\n", "Makefile.am": "bin_PROGRAMS = main\n"}
		for i := range n {
			p := fmt.Sprintf("data/some/deeper/directory/file-number-%06d.txt", i)
			tree[p], tarball[p] = "same\n", "same\n"
		}
		cmp, bl := release(t, "p-1", tarball, tree, nil)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		res, err := Explain(context.Background(), Input{Compare: cmp, Blobs: bl, Version: "1"})
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Files) != 1 || res.Files[0].Path != "src/main.c" {
			t.Fatalf("explained %+v, want only src/main.c", res.Files)
		}
		return after.TotalAlloc - before.TotalAlloc
	}
	perRelease(1000) // the first run also compiles regexps and loads databases
	// The least of two runs: TotalAlloc counts every goroutine's.
	small := min(perRelease(1000), perRelease(1000))
	large := min(perRelease(9000), perRelease(9000))
	// The tag's blob-id table (16 bytes a file) is built for src/main.c;
	// a list of paths costs far more (988 bytes a file before, 179 with
	// the blob ids in a map of strings).
	if perFile := (int64(large) - int64(small)) / 8000; perFile > 64 {
		t.Errorf("Explain allocates %d bytes per identical file (%d bytes at 1,000 files, %d at 9,000); want at most 64", perFile, small, large)
	}
}
