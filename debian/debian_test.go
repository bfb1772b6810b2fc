package debian

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseChangelog(t *testing.T) {
	for _, tc := range []struct {
		in                              string
		source, full, upstream, release string
		err                             string
	}{
		{in: "foo (1.2-3) unstable; urgency=medium\n\n  * x\n", source: "foo", full: "1.2-3", upstream: "1.2", release: "1.2"},
		{in: "foo (1:1.2-3) unstable; urgency=medium\n", source: "foo", full: "1:1.2-3", upstream: "1.2", release: "1.2"},
		{in: "xz-utils (5.6.1+really5.4.5-1) unstable; urgency=critical\n", source: "xz-utils", full: "5.6.1+really5.4.5-1",
			upstream: "5.6.1+really5.4.5", release: "5.6.1+really5.4.5"},
		{in: "foo (2.0+dfsg-1) unstable; urgency=low\n", source: "foo", full: "2.0+dfsg-1", upstream: "2.0+dfsg", release: "2.0"},
		{in: "foo (2.0+dfsg1-1) unstable; urgency=low\n", source: "foo", full: "2.0+dfsg1-1", upstream: "2.0+dfsg1", release: "2.0"},
		{in: "foo (2.0+ds.1-1) unstable; urgency=low\n", source: "foo", full: "2.0+ds.1-1", upstream: "2.0+ds.1", release: "2.0"},
		{in: "foo (2.0~ds-1) unstable; urgency=low\n", source: "foo", full: "2.0~ds-1", upstream: "2.0~ds", release: "2.0"},
		{in: "foo (3:2.0~rc1+repack2-1~bpo12+1) bookworm-backports; urgency=low\n", source: "foo", full: "3:2.0~rc1+repack2-1~bpo12+1",
			upstream: "2.0~rc1+repack2", release: "2.0~rc1"},
		{in: "foo (1.2-3-4) unstable; urgency=low\n", source: "foo", full: "1.2-3-4", upstream: "1.2-3", release: "1.2-3"},
		{in: "\n# comment\nlib.foo+x (1.0-1) experimental unstable; urgency=low\n", source: "lib.foo+x", full: "1.0-1", upstream: "1.0", release: "1.0"},
		{in: "foo (1.0-1) UNRELEASED; urgency=medium\r\n", source: "foo", full: "1.0-1", upstream: "1.0", release: "1.0"},
		{in: "foo (1.0) unstable; urgency=low\n", err: "no Debian revision: a native package"},
		{in: "", err: "no entry"},
		{in: "hello world\n", err: "is not `source (version)"},
		{in: "Foo (1.0-1) unstable; urgency=low\n", err: "not a valid source package name"},
		{in: "../../etc (1.0-1) unstable; urgency=low\n", err: "not a valid source package name"},
		{in: "foo (../../x-1) unstable; urgency=low\n", err: "not a valid Debian upstream version"},
		{in: "foo (1:/etc/passwd-1) unstable; urgency=low\n", err: "not a valid Debian upstream version"},
		{in: "foo (a1.0-1) unstable; urgency=low\n", err: "not a valid Debian upstream version"},
	} {
		got, err := ParseChangelog([]byte(tc.in))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: err = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if got.Source != tc.source || got.Full != tc.full || got.Upstream != tc.upstream || got.Release != tc.release {
			t.Errorf("%q = %+v, want %s %s %s %s", tc.in, got, tc.source, tc.full, tc.upstream, tc.release)
		}
	}
}

// TestParseChangelogDpkg cross-checks the source and version with
// dpkg-parsechangelog when it is installed.
func TestParseChangelogDpkg(t *testing.T) {
	if _, err := exec.LookPath("dpkg-parsechangelog"); err != nil {
		t.Skip("dpkg-parsechangelog not installed")
	}
	for _, head := range []string{"foo (1:1.2~rc1+dfsg-3) unstable; urgency=medium", "lib.foo+x (1.0-1) experimental; urgency=low",
		"bar (2.0-1~bpo12+1) bookworm-backports; urgency=low"} {
		dir := t.TempDir()
		cl := head + "\n\n  * Entry.\n\n -- Test <test@example.invalid>  Mon, 01 Jan 2024 00:00:00 +0000\n"
		p := filepath.Join(dir, "changelog")
		os.WriteFile(p, []byte(cl), 0o644)
		src, err := exec.Command("dpkg-parsechangelog", "-l", p, "-S", "Source").Output()
		if err != nil {
			t.Fatal(err)
		}
		ver, _ := exec.Command("dpkg-parsechangelog", "-l", p, "-S", "Version").Output()
		got, err := ParseChangelog([]byte(cl))
		if err != nil {
			t.Fatal(err)
		}
		if got.Source != strings.TrimSpace(string(src)) || got.Full != strings.TrimSpace(string(ver)) {
			t.Errorf("%s: got %s %s, dpkg says %s %s", head, got.Source, got.Full, src, ver)
		}
	}
}

func TestGbpVersionToTag(t *testing.T) {
	for _, tc := range []struct{ format, version, want, err string }{
		// git-buildpackage's own doctests (gbp/deb/git.py).
		{"debian/%(version)s", "0:0~0", "debian/0%0_0", ""},
		{"libfoo-%(hversion)s", "1.8.1", "libfoo-1-8-1", ""},
		{"v%(version%.%_)s", "1.2.3", "v1_2_3", ""},
		{`%(version%-%\%)s`, "0-1.2.3", "0%1.2.3", ""},
		{"%(version)s", "0....0", "0.#.#.#.0", ""},
		{"%(version)s", "0.lock", "0.#lock", ""},
		// Typical upstream-vcs-tag settings.
		{"v%(version%~%-)s", "1.2~rc1", "v1.2-rc1", ""},
		{"v%(version)s", "1.2~rc1", "v1.2_rc1", ""},
		{"upstream/%(version)s", "1.2", "upstream/1.2", ""},
		{"release-%(version%.%_)s", "1.2.3", "release-1_2_3", ""},
		{"100%% %(version)s", "1", "100% 1", ""},
		{"plain", "1.2", "plain", ""},
		{"%(version%~%)s", "1", "", "bad substitution"},
		{"%(version%%%x)s", "1", "", "bad substitution"},
		{"%(version%a%b%c)s", "1", "", "bad substitution"},
		{"%(version", "1", "", "unsupported"},
		{"%(version%a%b", "1", "", "unterminated"},
		{"%(upstreamversion)s", "1", "", "unsupported"},
		{"%s", "1", "", "unsupported"},
		{"v%", "1", "", "unsupported"},
	} {
		got, err := VersionToTag(tc.format, tc.version)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("VersionToTag(%q, %q) = %q, %v; want error %q", tc.format, tc.version, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("VersionToTag(%q, %q) = %q, %v; want %q", tc.format, tc.version, got, err, tc.want)
		}
	}
}

func TestParseGbpConf(t *testing.T) {
	conf, err := ParseGbpConf([]byte(`# gbp.conf
[DEFAULT]
pristine-tar = True
upstream_vcs_tag = default-%(version)s

; another comment
[import-orig]
Upstream-VCS-Tag: v%(version%~%-)s
filter = [ 'a',
   'b' ]
`))
	if err != nil {
		t.Fatal(err)
	}
	if got := conf.UpstreamVCSTag(); got != "v%(version%~%-)s" {
		t.Errorf("upstream-vcs-tag = %q, want [import-orig]'s", got)
	}
	if got := conf["import-orig"]["filter"]; got != "[ 'a',\n'b' ]" {
		t.Errorf("continuation: %q", got)
	}
	conf, _ = ParseGbpConf([]byte("[DEFAULT]\nupstream-vcs-tag = %(version)s\n[buildpackage]\nexport-dir = ../build\n"))
	if got := conf.UpstreamVCSTag(); got != "%(version)s" {
		t.Errorf("DEFAULT fallback: %q", got)
	}
	for _, bad := range []string{"  indented first\n", "[unterminated\n", "novalue\n", "=x\n"} {
		if _, err := ParseGbpConf([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestParseUpstreamMetadata(t *testing.T) {
	for _, tc := range []struct{ in, repo, name, err string }{
		{"Name: foo\nRepository: https://github.com/foo/foo.git\nBug-Database: x\n", "https://github.com/foo/foo.git", "foo", ""},
		{"---\nRepository: https://example.org/foo.git -b main\n", "https://example.org/foo.git", "", ""},
		{"Repository-Browse: https://example.org/foo\n", "", "", ""},
		{"", "", "", ""},
		{"Repository: [a, b]\n", "", "", "not a single URL"},
		{"- a\n- b\n", "", "", "not a YAML mapping"},
		{"Repository: \"unterminated\n", "", "", "not valid YAML"},
	} {
		repo, name, err := ParseUpstreamMetadata([]byte(tc.in))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: err %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || repo != tc.repo || name != tc.name {
			t.Errorf("%q = %q %q %v, want %q %q", tc.in, repo, name, err, tc.repo, tc.name)
		}
	}
	for _, u := range []string{"https://example.org/x.git", "git://example.org/x", "ssh://git@example.org/x", "git@example.org:x/y.git", "file:///srv/x"} {
		if !repoURL.MatchString(u) {
			t.Errorf("%s rejected", u)
		}
	}
	for _, u := range []string{"ext::sh -c touch% /tmp/pwned", "--upload-pack=touch", "/srv/x", "fd::3", "example.org:x"} {
		if repoURL.MatchString(u) {
			t.Errorf("%s accepted", u)
		}
	}
}

func FuzzParseChangelog(f *testing.F) {
	f.Add([]byte("foo (1:1.2~rc1+dfsg-3) unstable; urgency=medium\n"))
	f.Add([]byte("\n# c\nlib.foo+x (1.0-1) experimental unstable; urgency=low\n"))
	f.Add([]byte("foo (1.0) unstable; urgency=low\n"))
	f.Add([]byte("foo (../../x-1) unstable;\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := ParseChangelog(data)
		if err != nil {
			return
		}
		// What reaches a file name must be one path component.
		name := v.Source + "_" + v.Upstream + ".orig.tar.gz"
		if strings.ContainsAny(name, "/\\\x00") || filepath.Base(name) != name {
			t.Fatalf("unsafe orig name %q", name)
		}
		if !sourceName.MatchString(v.Source) || !upstreamVer.MatchString(v.Upstream) || v.Release == "" {
			t.Fatalf("bad result %+v", v)
		}
	})
}

func FuzzParseGbpConf(f *testing.F) {
	f.Add([]byte("[DEFAULT]\nupstream-vcs-tag = v%(version%~%-)s\n"), "1.2~rc1")
	f.Add([]byte("[import-orig]\nupstream_vcs_tag: %(hversion)s-%%\n  cont\n"), "1:2.0..lock")
	f.Add([]byte(`[import-orig]`+"\nupstream-vcs-tag = %(version%-%\\%)s\n"), "0-1.2.3")
	f.Fuzz(func(t *testing.T, data []byte, version string) {
		conf, err := ParseGbpConf(data)
		if err != nil {
			return
		}
		if format := conf.UpstreamVCSTag(); format != "" {
			VersionToTag(format, version)
		}
	})
}

func FuzzParseUpstreamMetadata(f *testing.F) {
	f.Add([]byte("Name: foo\nRepository: https://example.org/foo.git -b main\n"))
	f.Add([]byte("Repository: &a [*a]\n"))
	f.Add([]byte("- x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		repo, _, err := ParseUpstreamMetadata(data)
		if err == nil && strings.ContainsAny(repo, " \t\n") {
			t.Fatalf("repository %q has white space", repo)
		}
	})
}
