package batch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tarcheck/tarcheck/verify"
)

func TestParseManifest(t *testing.T) {
	base := filepath.FromSlash("/srv/m")
	for _, tc := range []struct {
		name, in string
		want     []Release
		err      string
	}{
		{name: "yaml", in: `
releases:
  - name: foo-1.2
    tarball: https://example.org/foo-1.2.tar.xz
    git: https://example.org/foo.git
    tag: v1.2
    keyring: keys/foo.asc
    policy: policies/foo.yaml
  - tarball: /abs/bar-2.0.tar.gz
    git: git@example.org:bar.git
    keyring: [a.asc, https://example.org/b.asc]
    signature: bar.sig
    require-signature: true
`, want: []Release{
			{Name: "foo-1.2", Tarball: "https://example.org/foo-1.2.tar.xz", Git: "https://example.org/foo.git", Tag: "v1.2",
				Keyring: StringList{filepath.Join(base, "keys/foo.asc")}, Policy: filepath.Join(base, "policies/foo.yaml")},
			{Name: "bar-2.0", Tarball: "/abs/bar-2.0.tar.gz", Git: "git@example.org:bar.git",
				Keyring: StringList{filepath.Join(base, "a.asc"), "https://example.org/b.asc"}, Signature: filepath.Join(base, "bar.sig"),
				RequireSignature: true},
		}},
		{name: "json", in: "{\n\t\"releases\": [{\"name\": \"x\", \"tarball\": \"x-1.tgz\", \"git\": \"repo\", \"keyring\": \"k.asc\"}]\n}\n",
			want: []Release{{Name: "x", Tarball: filepath.Join(base, "x-1.tgz"), Git: filepath.Join(base, "repo"),
				Keyring: StringList{filepath.Join(base, "k.asc")}}}},
		{name: "unknown key", in: "releases:\n  - {tarball: a.tgz, git: r, sha256: x}\n", err: "field sha256 not found"},
		{name: "unknown top key", in: "release:\n  - {tarball: a.tgz, git: r}\n", err: "field release not found"},
		{name: "unknown json key", in: `{"releases": [{"tarball": "a", "git": "b", "tags": "c"}]}`, err: `unknown field "tags"`},
		{name: "json trailing", in: `{"releases": [{"tarball": "a", "git": "b"}]} {}`, err: "trailing data"},
		{name: "two documents", in: "releases: [{tarball: a, git: b}]\n---\nreleases: []\n", err: "more than one YAML document"},
		{name: "empty", in: "", err: "empty"},
		{name: "no releases", in: "releases: []\n", err: "no releases"},
		{name: "no tarball", in: "releases: [{git: b}]\n", err: "releases[0]: tarball is required"},
		{name: "no git", in: "releases: [{tarball: a}]\n", err: "releases[0]: git is required"},
		{name: "debian", in: "releases: [{debian: pkgs/foo}, {name: b, debian: /p/bar, unsigned: true, tag: v2}]\n",
			want: []Release{{Name: "foo", Debian: filepath.Join(base, "pkgs/foo")},
				{Name: "b", Debian: "/p/bar", Unsigned: true, Tag: "v2"}}},
		{name: "empty debian", in: "releases: [{debian: ' ', git: b}]\n", err: "debian is empty"},
		{name: "unsigned without debian", in: "releases: [{tarball: a, git: b, unsigned: true}]\n", err: "unsigned applies only to debian entries"},
		{name: "duplicate", in: "releases: [{tarball: a/x-1.tgz, git: b}, {tarball: c/x-1.tgz, git: b}]\n", err: `both named "x-1"`},
		{name: "control name", in: "releases: [{name: \"a\\x1b[31m\", tarball: a, git: b}]\n", err: "non-printable"},
		{name: "keyring map", in: "releases: [{tarball: a, git: b, keyring: {x: y}}]\n", err: "string or a list"},
		{name: "null keyring", in: "releases: [{tarball: a, git: /r, keyring: }]\n",
			want: []Release{{Name: "a", Tarball: filepath.Join(base, "a"), Git: "/r"}}},
		{name: "empty keyring", in: "releases: [{tarball: a, git: b, keyring: [x, '']}]\n", err: "empty keyring"},
		{name: "json null keyring", in: `{"releases": [{"tarball": "a", "git": "b", "keyring": null, "tag-keyring": [""]}]}`, err: "empty keyring"},
		{name: "not a list", in: "releases: foo\n", err: "cannot unmarshal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseManifest("m.yaml", []byte(tc.in), base)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				if k := verify.KindOf(err); k != verify.KindUsage {
					t.Errorf("kind %v, want usage", k)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(tc.want)
			if !bytes.Equal(g, w) {
				t.Errorf("got  %s\nwant %s", g, w)
			}
		})
	}
}

func TestParseManifestLimits(t *testing.T) {
	big := bytes.Repeat([]byte("#"), maxManifestSize+1)
	if _, err := ParseManifest("m", big, "."); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("oversized manifest: %v", err)
	}
	long := "releases: [{name: " + strings.Repeat("n", maxReleaseName+1) + ", tarball: a, git: b}]"
	if _, err := ParseManifest("m", []byte(long), "."); err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Errorf("long name: %v", err)
	}
}

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Shard
		ok   bool
	}{
		{"", Shard{1, 1}, true}, {"1/1", Shard{1, 1}, true}, {"2/8", Shard{2, 8}, true}, {"8/8", Shard{8, 8}, true},
		{"0/8", Shard{}, false}, {"9/8", Shard{}, false}, {"1/0", Shard{}, false}, {"-1/3", Shard{}, false},
		{"1", Shard{}, false}, {"a/b", Shard{}, false}, {"1/2/3", Shard{}, false}, {"1/99999999999", Shard{}, false},
	} {
		got, err := ParseShard(tc.in)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("ParseShard(%q) = %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
	// Every index is in exactly one shard, for every N.
	for n := 1; n <= 7; n++ {
		for i := 0; i < 50; i++ {
			c := 0
			for k := 1; k <= n; k++ {
				if (Shard{k, n}).Has(i) {
					c++
				}
			}
			if c != 1 {
				t.Fatalf("index %d is in %d of %d shards", i, c, n)
			}
		}
	}
}

func TestWorst(t *testing.T) {
	order := []int{0, 1, 2, 3, 130}
	for i := 1; i < len(order); i++ {
		if Worst(order[i], order[i-1]) != order[i] || Worst(order[i-1], order[i]) != order[i] {
			t.Errorf("exit %d should outrank %d", order[i], order[i-1])
		}
	}
	if Worst() != 0 {
		t.Error("no releases: want 0")
	}
}

func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(mixedManifest))
	f.Add([]byte(manyManifest(3)))
	f.Add([]byte(`{"releases": [{"name": "x", "tarball": "x-1.tgz", "git": "repo", "keyring": ["a", "b"]}]}`))
	f.Add([]byte("releases: [{tarball: a, git: b, keyring: [&a x, *a]}]"))
	f.Add([]byte("releases:\n  - name: \"\\u202e\"\n    tarball: a\n    git: b\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rels, err := ParseManifest("fuzz.yaml", data, "/base")
		if err != nil {
			return
		}
		names := map[string]bool{}
		for _, r := range rels {
			if r.Tarball == "" || r.Git == "" || checkReleaseName(r.Name) != nil || names[r.Name] {
				t.Fatalf("accepted a bad release %+v", r)
			}
			names[r.Name] = true
		}
	})
}

func BenchmarkParseManifest1000(b *testing.B) {
	data := []byte(manyManifest(1000))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseManifest("m.yaml", data, "/base"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBatchJobs verifies 16 small releases (git + tar.gz fixtures) per
// iteration with --jobs 1 and --jobs 4.

const mixedManifest = `# releases with every outcome
releases:
  - name: foo-1.2
    tarball: tarballs/foo-1.2.tar.gz
    git: repos/foo
    tag: v1.2
  - name: bar-2.0
    tarball: tarballs/bar-2.0.tar.gz
    git: repos/bar
  - name: missing
    tarball: tarballs/missing-1.0.tar.gz
    git: repos/foo
  - name: no-such-tag
    tarball: tarballs/foo-1.2.tar.gz
    git: repos/foo
    tag: v9.9
`

func manyManifest(n int) string {
	var b strings.Builder
	b.WriteString("releases:\n")
	for i := 0; i < n; i++ {
		if i%2 == 0 {
			fmt.Fprintf(&b, "  - {name: foo-%02d, tarball: tarballs/foo-1.2.tar.gz, git: repos/foo, tag: v1.2}\n", i)
		} else {
			fmt.Fprintf(&b, "  - {name: bar-%02d, tarball: tarballs/bar-2.0.tar.gz, git: repos/bar, tag: v2.0}\n", i)
		}
	}
	return b.String()
}
