package report

import (
	"runtime/debug"
	"testing"
)

func TestVersionOf(t *testing.T) {
	rev := "0123456789abcdef0123456789abcdef01234567"
	vcs := []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.time", Value: "2026-12-07T01:02:03Z"}}
	for _, tt := range []struct {
		name      string
		bi        *debug.BuildInfo
		v, detail string
	}{
		{"released", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"}, Settings: vcs},
			"v1.4.0", "revision " + rev + ", 2026-12-07T01:02:03Z, go1.26.8"},
		{"work tree", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: append(vcs, debug.BuildSetting{Key: "vcs.modified", Value: "true"})},
			"v0.0.0-20261207010203-0123456789ab+dirty", "revision " + rev + ", 2026-12-07T01:02:03Z, modified"},
		{"no vcs", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "devel", ""},
		{"no build info", nil, "devel", ""},
	} {
		v, detail := VersionOf(tt.bi)
		if v != tt.v || detail != tt.detail {
			t.Errorf("%s: versionOf = %q, %q; want %q, %q", tt.name, v, detail, tt.v, tt.detail)
		}
	}
}

func TestVersionLine(t *testing.T) {
	v, detail := Version()
	want := "tarcheck " + v + "\n"
	if detail != "" {
		want = "tarcheck " + v + " (" + detail + ")\n"
	}
	if got := VersionLine(); got != want {
		t.Errorf("VersionLine() = %q, want %q", got, want)
	}
}
