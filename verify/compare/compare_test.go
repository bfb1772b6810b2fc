package compare

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha1"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/tarcheck/tarcheck/verify/archive"
	"github.com/tarcheck/tarcheck/verify/report"
)

// treeEntry is one ls-tree row of a test tree.
type treeEntry struct {
	path    string
	mode    uint32
	content string
}

func blobID(content string) [20]byte {
	return sha1.Sum(fmt.Appendf(nil, "blob %d\x00%s", len(content), content))
}

func indexOf(entries []treeEntry) *Index {
	x := NewIndex()
	for _, e := range entries {
		x.Add(e.path, e.mode, blobID(e.content))
	}
	return x
}

// tarMember is one member of an in-memory test tarball.
type tarMember struct {
	name, content, link string
	mode                int64
	typ                 byte
}

func writeTar(t *testing.T, members []tarMember) string {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, m := range members {
		h := &tar.Header{Name: m.name, Mode: m.mode, Size: int64(len(m.content)), Typeflag: m.typ, Linkname: m.link}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Typeflag != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			tw.Write([]byte(m.content))
		}
	}
	tw.Close()
	name := filepath.Join(t.TempDir(), "r.tar")
	if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

// Every status, counted on both sides, from an in-memory tar and a slice of
// tree entries: no git, no CLI.
func TestRun(t *testing.T) {
	tree := []treeEntry{
		{"README", 0o100644, "readme\n"},
		{"src/main.c", 0o100644, "int main(void) { return 0; }\n"},
		{"run.sh", 0o100755, "#!/bin/sh\n"},
		{"link", 0o120000, "README"},
		{"docs/only-git.txt", 0o100644, "only in git\n"},
	}
	tarball := writeTar(t, []tarMember{
		{name: "foo-1.2/", typ: tar.TypeDir, mode: 0o755},
		{name: "foo-1.2/README", content: "readme\n", mode: 0o644},
		{name: "foo-1.2/src/main.c", content: "int main(void) { exfiltrate(); }\n", mode: 0o644},
		{name: "foo-1.2/run.sh", content: "#!/bin/sh\n", mode: 0o644},
		{name: "foo-1.2/link", content: "not a link\n", mode: 0o644},
		{name: "foo-1.2/configure", content: "#!/bin/sh\n# generated\n", mode: 0o755},
		{name: "foo-1.2/data.bin", content: "\x00\x01binary\x00", mode: 0o644},
		{name: "stray.txt", content: "beside the release\n", mode: 0o644},
	})
	r, err := Run(context.Background(), tarball, indexOf(tree), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := report.Summary{TarballFiles: 7, GitFiles: 5, Identical: 1, OnlyInTarball: 3, OnlyInGit: 1,
		ContentDiffers: 1, ModeDiffers: 1, TypeDiffers: 1}
	if r.Summary != want {
		t.Errorf("summary %+v\nwant    %+v", r.Summary, want)
	}
	if r.Root != "foo-1.2" {
		t.Errorf("root %q", r.Root)
	}
	for key, st := range map[string]report.Status{"src/main.c": report.ContentDiffers, "run.sh": report.ModeDiffers,
		"link": report.TypeDiffers, "configure": report.OnlyInTarball, MemberKey("foo-1.2", "stray.txt"): report.OnlyInTarball} {
		m := r.Members[key]
		if m == nil || m.Status != st {
			t.Errorf("%q: %+v, want status %s", DisplayPath(key), m, st)
		}
	}
	if m := r.Members["src/main.c"]; m == nil || string(m.Content) != "int main(void) { exfiltrate(); }\n" {
		t.Errorf("differing content not kept: %+v", m)
	}
	if !r.Members[MemberKey("foo-1.2", "stray.txt")].Stray || DisplayPath(MemberKey("foo-1.2", "stray.txt")) != "stray.txt" {
		t.Error("the member outside the root is not marked stray")
	}
	if r.Members["README"] != nil || r.Member("README") == nil {
		t.Error("identical members are only counted, but Member finds them")
	}
	if r.Binary["data.bin"] == "" {
		t.Errorf("binary data not recognised: %v", r.Binary)
	}
	if len(r.Archive.Hazards) == 0 {
		t.Error("no hazard for the member outside the root")
	}
	var onlyGit []string
	for p := range r.Index.Where(Unseen) {
		onlyGit = append(onlyGit, p)
	}
	if fmt.Sprint(onlyGit) != "[docs/only-git.txt]" {
		t.Errorf("only in git: %v", onlyGit)
	}
}

// A content that was not kept is gathered by a further pass.
func TestGather(t *testing.T) {
	tarball := writeTar(t, []tarMember{{name: "p-1/a.c", content: "changed\n", mode: 0o644}})
	r, err := Run(context.Background(), tarball, indexOf([]treeEntry{{"a.c", 0o100644, "original\n"}}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := r.Members["a.c"]
	m.Content, m.Missing = nil, true
	got, err := r.Gather(context.Background(), []string{"a.c"})
	if err != nil || got != 1 || string(m.Content) != "changed\n" {
		t.Fatalf("Gather = %d, %v; content %q", got, err, m.Content)
	}
}

func TestStrip(t *testing.T) {
	for _, tc := range []struct {
		root, name, want string
		ok               bool
	}{
		{"foo-1.2", "foo-1.2/src/a.c", "src/a.c", true},
		{"foo-1.2", "foo-1.2x/a", "foo-1.2x/a", false},
		{"foo-1.2", "foo-1.2", "foo-1.2", false},
		{"", "a/b", "a/b", true},
	} {
		got, ok := strip(tc.root, tc.name)
		if got != tc.want || ok != tc.ok {
			t.Errorf("strip(%q, %q) = %q, %v", tc.root, tc.name, got, ok)
		}
	}
}

// A re-read stops where found says so: members after it are not read, and
// Read reports no error. Gather stops once it has every member it wants.
func TestReadStops(t *testing.T) {
	tarball := writeTar(t, []tarMember{{name: "p-1/a.c", content: "a\n", mode: 0o644},
		{name: "p-1/b.c", content: "b\n", mode: 0o644}, {name: "p-1/c.c", content: "c\n", mode: 0o644}})
	r, err := Run(context.Background(), tarball, indexOf(nil), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	err = r.Read(context.Background(), 1<<20, func(key string, e *archive.Entry) bool { return true }, func(key string, e *archive.Entry) error {
		seen = append(seen, key)
		if key == "b.c" {
			return ErrStopRead
		}
		return nil
	})
	if err != nil || fmt.Sprint(seen) != "[a.c b.c]" {
		t.Fatalf("Read = %v, saw %v; want nil after a.c and b.c", err, seen)
	}
	for _, rel := range []string{"a.c", "b.c", "c.c"} {
		r.Members[rel].Content, r.Members[rel].Missing = nil, true
	}
	got, err := r.Gather(context.Background(), []string{"a.c", "b.c"})
	if err != nil || got != 2 || string(r.Members["b.c"].Content) != "b\n" || r.Members["c.c"].Content != nil {
		t.Fatalf("Gather = %d, %v", got, err)
	}
}

// Options.Kept hears of every regular member under the root that differs
// from the tag, with its kept bytes, during the walk; identical members
// and members outside the root are not reported.
func TestRunKept(t *testing.T) {
	tree := []treeEntry{
		{"README", 0o100644, "readme\n"},
		{"src/main.c", 0o100644, "int main(void) { return 0; }\n"},
		{"run.sh", 0o100755, "#!/bin/sh\n"},
	}
	tarball := writeTar(t, []tarMember{
		{name: "foo-1.2/README", content: "readme\n", mode: 0o644},
		{name: "foo-1.2/src/main.c", content: "int main(void) { exfiltrate(); }\n", mode: 0o644},
		{name: "foo-1.2/run.sh", content: "#!/bin/sh\n", mode: 0o644},
		{name: "foo-1.2/configure", content: "#!/bin/sh\n# generated\n", mode: 0o755},
		{name: "foo-1.2/sub", typ: tar.TypeSymlink, link: "README"},
		{name: "stray.txt", content: "beside the release\n", mode: 0o644},
	})
	got := map[string]string{}
	kept := func(rel string, content []byte, mode uint32, inTag bool) {
		got[rel] = fmt.Sprintf("%q %o %v", content, mode, inTag)
	}
	if _, err := Run(context.Background(), tarball, indexOf(tree), Options{Kept: kept}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"src/main.c": fmt.Sprintf("%q %o %v", "int main(void) { exfiltrate(); }\n", 0o100644, true),
		"run.sh":     fmt.Sprintf("%q %o %v", "#!/bin/sh\n", 0o100644, true),
		"configure":  fmt.Sprintf("%q %o %v", "#!/bin/sh\n# generated\n", 0o100755, false),
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Kept heard\n%v\nwant\n%v", got, want)
	}
}
