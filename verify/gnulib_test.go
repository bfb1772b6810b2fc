package verify

import "testing"

// A gnulib commit pinned by autogen.sh (nano) or bootstrap.conf.
func TestGnulibPinLine(t *testing.T) {
	for _, tc := range []struct{ script, commit, url string }{
		{"#!/bin/sh\ngnulib_url=\"git://git.sv.gnu.org/gnulib.git\"\ngnulib_hash=\"f1daedcb4c6c653dfc2936847dfe55f5a076d94b\"\n",
			"f1daedcb4c6c653dfc2936847dfe55f5a076d94b", "git://git.sv.gnu.org/gnulib.git"},
		{"GNULIB_REVISION=0123456789abcdef0123456789abcdef01234567\n", "0123456789abcdef0123456789abcdef01234567", ""},
		{"# gnulib_hash=\"f1daedcb4c6c653dfc2936847dfe55f5a076d94b\"\n", "", ""},
		{"gnulib_hash=$(cat hash)\n", "", ""},
	} {
		got := ""
		if m := gnulibPinLine.FindStringSubmatch(tc.script); m != nil {
			got = m[1]
		}
		url := ""
		if m := gnulibURLLine.FindStringSubmatch(tc.script); m != nil {
			url = m[1]
		}
		if got != tc.commit || url != tc.url {
			t.Errorf("%q: pin %q url %q, want %q %q", tc.script, got, url, tc.commit, tc.url)
		}
	}
}
