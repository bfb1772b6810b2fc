package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

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

// BenchmarkStartup is what `tarcheck version` costs after the package
// inits: the command tree built, the flags parsed, the line printed. The
// inits themselves are bench/startup.sh's (GODEBUG=inittrace=1).
func BenchmarkStartup(b *testing.B) {
	var out bytes.Buffer
	for b.Loop() {
		out.Reset()
		if code := run(context.Background(), []string{"version"}, nil, &out, &out); code != 0 {
			b.Fatalf("version: exit %d: %s", code, out.String())
		}
	}
}
