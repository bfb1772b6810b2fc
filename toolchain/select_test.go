package toolchain

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestUpstreamVersion(t *testing.T) {
	for in, want := range map[string]string{
		"1:1.16.5-1.3": "1.16.5", "2.69-3.1": "2.69", "2.64+dfsg-1.1": "2.64", "2.4.7-7~deb12u1": "2.4.7",
		"0.23.1-2": "0.23.1", "1.7.4~git20210206+dcf529b-3": "1.7.4", "20240727.1+nmu1": "20240727.1", "1.0": "1.0",
	} {
		if got := UpstreamVersion(in); got != want {
			t.Errorf("UpstreamVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCompareVersions(t *testing.T) {
	ordered := []string{"0.19.8", "0.20", "0.21", "0.23.1", "1.0", "1.9", "1.10", "1.16.3", "1.16.5", "1.17", "2.69", "2.69-14", "2.71"}
	for i := range ordered {
		for j := range ordered {
			got := CompareVersions(ordered[i], ordered[j])
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got != want {
				t.Errorf("CompareVersions(%q, %q) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
}

func TestDefaultCatalogCoversTheCommonVersions(t *testing.T) {
	c := DefaultCatalog()
	for _, tv := range [][2]string{
		{ToolAutoconf, "2.69"}, {ToolAutoconf, "2.71"}, {ToolAutoconf, "2.72"},
		{ToolAutomake, "1.11.6"}, {ToolAutomake, "1.16.3"}, {ToolAutomake, "1.16.5"}, {ToolAutomake, "1.17"},
		{ToolLibtool, "2.4.6"}, {ToolLibtool, "2.4.7"}, {ToolLibtool, "2.5.4"},
		{ToolGettext, "0.19.8"}, {ToolGettext, "0.21"}, {ToolGettext, "0.22"}, {ToolGettext, "0.23.1"},
	} {
		if len(c.Candidates(tv[0], tv[1])) == 0 {
			t.Errorf("no candidate for %s %s", tv[0], tv[1])
		}
	}
	// autoconf 2.69: the unpatched autoconf2.69 build comes first.
	if p := c.Candidates(ToolAutoconf, "2.69")[0].Packages[0]; p.Name != "autoconf2.69" || p.Version != "2.69-3.1" {
		t.Errorf("first autoconf 2.69 candidate is %s", p)
	}
	// The catalog round-trips through its own format.
	again, err := ParseCatalog(c.Marshal())
	if err != nil || !bytes.Equal(again.Marshal(), c.Marshal()) {
		t.Fatalf("catalog does not round-trip: %v", err)
	}
}

func TestSelect(t *testing.T) {
	spec, missing := Select([]Stamp{
		{Generator: "GNU Autoconf", Version: "2.69"}, {Generator: "Autoheader", Version: "2.69"},
		{Generator: "GNU Automake", Version: "1.16.5"}, {Generator: "aclocal", Version: "1.16.5"},
		{Generator: "GNU Libtool", Version: "2.4.7 Debian-2.4.7-7~deb12u1"},
		{Generator: "GNU gettext", Version: "0.20"}, // GETTEXT_MACRO_VERSION: a lower bound
		{Generator: "GNU Bison", Version: "3.8.2"},  // not a toolchain tool: ignored
	})
	if len(missing) != 0 {
		t.Fatalf("missing %v", missing)
	}
	got := map[string]string{}
	for _, tool := range spec.Tools {
		got[tool.Name] = tool.Packages[0].Name + " " + tool.Packages[0].Version
	}
	want := map[string]string{
		ToolAutoconf: "autoconf2.69 2.69-3.1", ToolAutomake: "automake 1:1.16.5-1.3",
		ToolLibtool: "libtool 2.4.7-7~deb12u1", ToolGettext: "autopoint 0.21-12",
		ToolAutotoolsDev: "autotools-dev 20220109.1",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
	if len(spec.Tools) != len(want) {
		t.Errorf("tools %v", spec)
	}
	if spec.ID() == "" || spec.ID() == (Spec{}).ID() {
		t.Error("no spec ID")
	}
	back, err := DefaultCatalog().Resolve(spec.Requests())
	if err != nil || back.ID() != spec.ID() {
		t.Errorf("Resolve(Requests()) = %v, %v; want %v", back, err, spec)
	}

	// A configure with --runstatedir was made by Debian's patched 2.69.
	spec, _ = Select([]Stamp{{Generator: "GNU Autoconf", Version: "2.69", Hints: []string{HintRunstatedir}}})
	if p := spec.Tools[0].Packages[0]; !runstatedirBuilds[p.Name+" "+p.Version] {
		t.Errorf("runstatedir hint chose %s", p)
	}

	// Versions no Debian suite serves are reported as fetch arguments.
	_, missing = Select([]Stamp{{Generator: "GNU Autoconf", Version: "2.70"}, {Generator: "GNU Automake", Version: "1.15"}})
	if !slices.Equal(missing, []string{"autoconf=2.70", "automake=1.15"}) {
		t.Errorf("missing %v", missing)
	}
	// Two versions of one tool: the highest, with a note.
	spec, _ = Select([]Stamp{{Generator: "GNU Autoconf", Version: "2.69"}, {Generator: "Autoheader", Version: "2.71"}})
	if spec.Version(ToolAutoconf) != "2.71" || len(spec.Notes) != 1 {
		t.Errorf("conflict: %v notes %v", spec, spec.Notes)
	}
}

func TestResolve(t *testing.T) {
	c := DefaultCatalog()
	spec, err := c.Resolve([]string{"automake=1.16.3", "autoconf=2.69=2.69-14"})
	if err != nil {
		t.Fatal(err)
	}
	if spec.Tools[0].Packages[0].Name != "autoconf" || spec.Version(ToolAutomake) != "1.16.3" || spec.Version(ToolAutotoolsDev) == "" {
		t.Errorf("spec %v", spec)
	}
	for _, bad := range [][]string{{"autoconf"}, {"cmake=3.1"}, {"autoconf=9.9"}, {"autoconf=2.69", "autoconf=2.71"}} {
		if _, err := c.Resolve(bad); err == nil {
			t.Errorf("Resolve(%v) accepted", bad)
		}
	}
	if _, err := c.Resolve([]string{"autoconf=9.9"}); !errors.Is(err, ErrUnknownTool) {
		t.Errorf("unknown version: %v", err)
	}
}

func TestParseAr(t *testing.T) {
	good := arArchive([2]string{"debian-binary", "2.0\n"}, [2]string{"control.tar.xz", "abc"}, [2]string{"data.tar.zst", "de"})
	ms, err := parseAr(bytes.NewReader(good), int64(len(good)))
	if err != nil || len(ms) != 3 || ms[1].Size != 3 || ms[2].Name != "data.tar.zst" || ms[2].Offset != ms[1].Offset+3+1+60 {
		t.Fatalf("parseAr = %+v, %v", ms, err)
	}
	if m, err := dataMember(bytes.NewReader(good), ms); err != nil || m.Name != "data.tar.zst" {
		t.Fatalf("dataMember = %+v, %v", m, err)
	}
	for name, data := range map[string][]byte{
		"no magic":     []byte("not ar"),
		"truncated":    good[:len(good)-1],
		"bad header":   bytes.Replace(good, []byte("`\n"), []byte("x\n"), 1),
		"long name":    arArchive([2]string{"/0", "x"}),
		"negative len": bytes.Replace(good, []byte("4         `"), []byte("-4        `"), 1),
	} {
		if _, err := parseAr(bytes.NewReader(data), int64(len(data))); !errors.Is(err, ErrBadDeb) {
			t.Errorf("%s: err = %v, want ErrBadDeb", name, err)
		}
	}
	for name, ms := range map[string][][2]string{
		"no debian-binary": {{"control.tar.xz", ""}, {"data.tar.xz", ""}, {"x", ""}},
		"format 3":         {{"debian-binary", "3.0\n"}, {"control.tar.xz", ""}, {"data.tar.xz", ""}},
		"bzip2 data":       {{"debian-binary", "2.0\n"}, {"control.tar.xz", ""}, {"data.tar.bz2", ""}},
		"no data":          {{"debian-binary", "2.0\n"}, {"control.tar.xz", ""}, {"other", ""}},
	} {
		data := arArchive(ms...)
		parsed, err := parseAr(bytes.NewReader(data), int64(len(data)))
		if err == nil {
			_, err = dataMember(bytes.NewReader(data), parsed)
		}
		if !errors.Is(err, ErrBadDeb) {
			t.Errorf("%s: err = %v, want ErrBadDeb", name, err)
		}
	}
}

func TestParseIndexes(t *testing.T) {
	rel, err := ParseRelease([]byte("Suite: oldstable\nCodename: bookworm\nDate: Sat, 11 Jul 2026 10:16:37 UTC\nAcquire-By-Hash: yes\nMD5Sum:\n 00 1 x\nSHA256:\n " +
		strings.Repeat("a", 64) + " 42 main/binary-amd64/Packages.xz\n"))
	if err != nil || rel.Codename != "bookworm" || !rel.AcquireByHash || rel.Date.IsZero() || rel.SHA256["main/binary-amd64/Packages.xz"].Size != 42 {
		t.Fatalf("ParseRelease = %+v, %v", rel, err)
	}
	for name, text := range map[string]string{
		"no sha256":    "Suite: x\n",
		"bad line":     "SHA256:\n zz 1 x\n",
		"bad size":     "SHA256:\n " + strings.Repeat("a", 64) + " -1 x\n",
		"stray line":   "Suite x\n",
		"continuation": " x\n",
	} {
		if _, err := ParseRelease([]byte(text)); !errors.Is(err, ErrBadIndex) {
			t.Errorf("%s: err = %v, want ErrBadIndex", name, err)
		}
	}
	sum := strings.Repeat("b", 64)
	pk, err := ParsePackages(strings.NewReader("Package: a\nVersion: 1\nArchitecture: all\nFilename: pool/a.deb\nSize: 3\nSHA256: "+sum+
		"\nDescription: x\n long\n\nPackage: skipme\nVersion: 1\n"), func(n string) bool { return n == "a" })
	if err != nil || len(pk) != 1 || pk[0].Size != 3 || pk[0].SHA256 != sum {
		t.Fatalf("ParsePackages = %+v, %v", pk, err)
	}
	for _, fn := range []string{"/etc/passwd", "pool/../../x.deb", "pool//x.deb", "http://x/y.deb", "pool/a b.deb"} {
		_, err := ParsePackages(strings.NewReader("Package: a\nVersion: 1\nFilename: "+fn+"\nSize: 3\nSHA256: "+sum+"\n"), nil)
		if !errors.Is(err, ErrBadIndex) {
			t.Errorf("Filename %q: err = %v, want ErrBadIndex", fn, err)
		}
	}
}

func TestWriteList(t *testing.T) {
	var b strings.Builder
	if err := DefaultCatalog().WriteList(&b, nil); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"TOOL", "autoconf2.69", "2.69-3.1", "bookworm,trixie", "automake1.11", "autopoint"} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
}

func TestIsSnapshot(t *testing.T) {
	for v, want := range map[string]bool{
		"2.5.4.1-baa1-dirty": true, "2.4.6.42-b88ce": true, "2.4.6.42": true, "2.72c": true, "1.16.1-dirty": true,
		"2.69": false, "1.16.5": false, "2.4.7": false, "0.21": false, "": false,
	} {
		if got := IsSnapshot(v); got != want {
			t.Errorf("IsSnapshot(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestSelectSnapshotTakesTheNearestRelease(t *testing.T) {
	for _, tc := range []struct {
		tool, stamp, want string
	}{
		{ToolLibtool, "2.5.4.1-baa1-dirty", "2.5.4"},         // xz 5.8.1: same major.minor.patch
		{ToolLibtool, "2.4.6.42-b88ce", "2.4.6"},             // a snapshot after 2.4.6
		{ToolLibtool, "2.5.3.7-0abc", "2.4.7"},               // no 2.5.3 in the catalog: the nearest lower
		{ToolAutoconf, "2.72c", "2.72"},                      // a pre-release of 2.72
		{ToolAutomake, "1.16.5.12-deadbeef-dirty", "1.16.5"}, // automake
	} {
		spec, missing := Select([]Stamp{{Generator: tc.tool, Version: tc.stamp}})
		if len(missing) != 0 || spec.Version(tc.tool) != tc.want {
			t.Errorf("%s %s: chose %q (missing %v), want %s", tc.tool, tc.stamp, spec.Version(tc.tool), missing, tc.want)
			continue
		}
		if len(spec.Nearest) != 1 || spec.Nearest[0] != (Nearest{Tool: tc.tool, Stamped: tc.stamp, Version: tc.want}) {
			t.Errorf("%s %s: Nearest = %+v, want it marked not exact", tc.tool, tc.stamp, spec.Nearest)
		}
	}
	// A release the catalog lacks is still missing, never replaced.
	spec, missing := Select([]Stamp{{Generator: "GNU Automake", Version: "1.15.1"}})
	if len(missing) != 1 || missing[0] != "automake=1.15.1" || spec.Version(ToolAutomake) != "" || len(spec.Nearest) != 0 {
		t.Errorf("automake 1.15.1: spec %v missing %v nearest %v", spec, missing, spec.Nearest)
	}
	// An exact release is not marked.
	if spec, _ := Select([]Stamp{{Generator: "libtool", Version: "2.5.4"}}); len(spec.Nearest) != 0 || spec.Version(ToolLibtool) != "2.5.4" {
		t.Errorf("libtool 2.5.4: %v, nearest %v", spec, spec.Nearest)
	}
}
