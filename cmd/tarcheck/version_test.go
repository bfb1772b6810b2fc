package main

import (
	"bytes"
	"context"
	"runtime/debug"
	"strings"
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
		v, detail := versionOf(tt.bi)
		if v != tt.v || detail != tt.detail {
			t.Errorf("%s: versionOf = %q, %q; want %q, %q", tt.name, v, detail, tt.v, tt.detail)
		}
	}
}

// TestVersionFlag: --version and the version command print the same line.
func TestVersionFlag(t *testing.T) {
	var a, b bytes.Buffer
	if code := run(context.Background(), []string{"--version"}, nil, &a, &a); code != 0 {
		t.Fatalf("--version: exit %d: %s", code, a.String())
	}
	if code := run(context.Background(), []string{"version"}, nil, &b, &b); code != 0 {
		t.Fatalf("version: exit %d: %s", code, b.String())
	}
	if a.String() != b.String() || !strings.HasPrefix(a.String(), "tarcheck ") {
		t.Errorf("--version %q, version %q", a.String(), b.String())
	}
}

// TestHelpPlaceholders: flags name what they take, and batch --help lists
// no flag that batch refuses.
func TestHelpPlaceholders(t *testing.T) {
	var out bytes.Buffer
	if code := run(context.Background(), []string{"verify", "--help"}, nil, &out, &out); code != 0 {
		t.Fatalf("verify --help: exit %d", code)
	}
	for _, s := range []string{"--keyring FILE ", "--git URL|DIR|BUNDLE ", "--tag TAG ", "--fail-on SEVERITY "} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("verify --help lacks %q", s)
		}
	}
	for _, s := range []string{"stringArray", " string ", "--git git "} {
		if strings.Contains(out.String(), s) {
			t.Errorf("verify --help shows the placeholder %q", s)
		}
	}
	out.Reset()
	if code := run(context.Background(), []string{"batch", "--help"}, nil, &out, &out); code != 0 {
		t.Fatalf("batch --help: exit %d", code)
	}
	for _, f := range batchPerRelease {
		if strings.Contains(out.String(), "--"+f+" ") {
			t.Errorf("batch --help lists --%s, which batch refuses", f)
		}
	}
}
