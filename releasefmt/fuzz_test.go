package releasefmt

import (
	"strings"
	"testing"
)

func FuzzParseCargoVCSInfo(f *testing.F) {
	f.Add([]byte(`{"git":{"sha1":"` + strings.Repeat("a", 40) + `"},"path_in_vcs":"crates/foo"}`))
	f.Add([]byte(`{"git":{"sha1":"` + strings.Repeat("a", 40) + `","dirty":true},"path_in_vcs":"../x"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := ParseCargoVCSInfo(b)
		if err == nil && (strings.HasPrefix(v.PathInVCS, "/") || strings.HasPrefix(v.PathInVCS, "../") || v.PathInVCS == "..") {
			t.Fatalf("accepted path_in_vcs %q", v.PathInVCS)
		}
	})
}

// FuzzCargoManifest runs the whole crate check on a fuzzed normalized
// Cargo.toml and tag manifest.
func FuzzCargoManifest(f *testing.F) {
	f.Add([]byte(cargoWorkspace["crates/foo/Cargo.toml"]), []byte("[package]\nname = \"foo\"\nversion = \"1.2.3\"\n[dependencies.bar]\nversion = \"1\"\n[[bin]]\nname = \"x\"\npath = \"src/main.rs\"\n"))
	f.Add([]byte("[package]\nname=\"a\"\n[dependencies]\nx = { workspace = true }\n[target.'cfg(unix)'.dependencies]\ny = \"1\"\n"), []byte("[lib]\npath = 3\n[lints]\nworkspace = true\n"))
	commit := strings.Repeat("ab", 20)
	f.Fuzz(func(t *testing.T, orig, norm []byte) {
		tag := map[string][]byte{"Cargo.toml": []byte(cargoWorkspace["Cargo.toml"]), "crates/foo/Cargo.toml": orig, "crates/foo/src/main.rs": nil}
		crate := map[string][]byte{"Cargo.toml": norm, "Cargo.toml.orig": orig, "Cargo.lock": norm,
			".cargo_vcs_info.json": []byte(`{"git":{"sha1":"` + commit + `"},"path_in_vcs":"crates/foo"}`)}
		r := Explain(makeInput(tag, crate, "crates/foo", commit, "1.2.3"))
		for _, fd := range r.Findings {
			if fd.Rule == "" || fd.Severity == "" {
				t.Fatalf("finding without rule or severity: %+v", fd)
			}
		}
	})
}

func FuzzParsePkgInfo(f *testing.F) {
	f.Add([]byte("Metadata-Version: 2.1\nName: a\nVersion: 1.0\n\nbody\n"))
	f.Add([]byte("Metadata-Version: 2.1\n Name: a\nVersion:\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePkgInfo(b)
		if err == nil && (p.Name == "" || p.Version == "") {
			t.Fatalf("accepted without name or version: %+v", p)
		}
		isSCMVersionFile(b, "1.0")
		withoutINISection(b, "egg_info")
		iniSection(b, "metadata")
		canonicalINI(b, "egg_info")
		eggInfoTagOnly(b)
	})
}

func FuzzParseInfo(f *testing.F) {
	f.Add([]byte("This is demo.info, produced by makeinfo version 6.8 from demo.texi.\n\n\x1f\nFile: demo.info,  Node: Top,  Up: (dir)\n\ntext\n\x1f\nTag Table:\nNode: Top\x7f69\n\x1f\nEnd Tag Table\n\n\x1f\nLocal Variables:\ncoding: utf-8\nEnd:\n"))
	f.Add([]byte("This is demo.info, produced by makeinfo version 6.8 from demo.texi.\n\x1f\nIndirect:\ndemo.info-1: 69\n\x1f\nEnd Tag Table\nx"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseInfo(b)
		if err == nil && (m.Name == "" || m.Source == "") {
			t.Fatalf("accepted without a name or source: %+v", m)
		}
	})
}

func FuzzScanDownloads(f *testing.F) {
	f.Add([]byte("URL=https://example.org/a/b-1.tar.gz\nSHA="+strings.Repeat("ab", 32)+"\ntar xzf b-1.tar.gz -C vendor\n"), []byte(strings.Repeat("cd", 20)+"  b-1.tar.gz\nMD5 (x) = "+strings.Repeat("ef", 16)+"\n"))
	f.Add([]byte("model=m-$1.tar.gz\nwget https://e.org/$model\ntar xvomf $model\n"), []byte("dl.sh \""+strings.Repeat("01", 32)+"\"\n"))
	f.Fuzz(func(t *testing.T, script, sums []byte) {
		ds := ScanDownloads(map[string][]byte{"dir/dl.sh": script, "autogen.sh": sums, "SHA256SUMS": sums})
		for _, d := range ds {
			if d.Name == "" || d.Line < 1 {
				t.Fatalf("download without a name or line: %+v", d)
			}
		}
	})
}

// Any content at pytest's cache names or a version stamp's name: no
// panic, and nothing explained unless pytestCacheFile / isVersionStamp
// accept exactly that content.
func FuzzToolCacheAndStamp(f *testing.F) {
	f.Add([]byte(pytestGitignore), "v/cache/lastfailed")
	f.Add([]byte(cachedirSignature+"# x\n"), "CACHEDIR.TAG")
	f.Add([]byte("PACKAGE_VERSION=\"1.0\"\n"), "README.md")
	tag := map[string][]byte{"Makefile.am": []byte("dist-hook:\n\techo x > $(top_distdir)/package_version\n")}
	f.Fuzz(func(t *testing.T, body []byte, rel string) {
		p := "t/.pytest_cache/" + rel
		r := Explain(makeInput(tag, map[string][]byte{p: body, "package_version": body}, "", "", "1.0"))
		if _, ok := explained(r, p); ok && pytestCacheFile(rel, body) == "" {
			t.Errorf("%q with %q explained", p, body)
		}
		if _, ok := explained(r, "package_version"); ok != isVersionStamp(string(body), "1.0", "") {
			t.Errorf("package_version %q: explained %v", body, ok)
		}
	})
}

// substitution never panics and never accepts a value that is not plain.
func FuzzSubstitution(f *testing.F) {
	f.Add([]byte("Version: @V@\n"), []byte("Version: 1.0\n"))
	f.Add([]byte("@A@@B@ x @A@\n"), []byte("12 x 1\n"))
	f.Fuzz(func(t *testing.T, tmpl, out []byte) {
		vals, ok := substitution(tmpl, out)
		if !ok {
			return
		}
		for n, v := range vals {
			if !plainValue().MatchString(v) {
				t.Fatalf("@%s@ = %q accepted", n, v)
			}
		}
	})
}
