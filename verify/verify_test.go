package verify

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/tarcheck/tarcheck/verify/report"
)

func TestSplitNameVersion(t *testing.T) {
	for _, tc := range []struct{ in, name, version string }{
		{"xz-5.6.1", "xz", "5.6.1"},
		{"curl-7_88_1", "curl", "7.88.1"},
		{"sudo-1.9.13p3", "sudo", "1.9.13p3"},
		{"foo_1.2.orig", "foo", "1.2"},
		{"foo_1.2+dfsg.orig", "foo", "1.2"},
		{"foo_1.2~rc1.orig", "foo", "1.2"},
		{"libfoo-bar-2.0.1", "libfoo-bar", "2.0.1"},
		{"pkg-v3.1", "pkg", "3.1"},
		{"1.2.3", "", "1.2.3"},
		{"noversion", "noversion", ""},
	} {
		n, v := splitNameVersion(tc.in)
		if n != tc.name || v != tc.version {
			t.Errorf("splitNameVersion(%q) = %q, %q; want %q, %q", tc.in, n, v, tc.name, tc.version)
		}
	}
}

func TestBaseName(t *testing.T) {
	for in, want := range map[string]string{
		"/x/foo-1.2.tar.gz":                   "foo-1.2",
		"https://e.org/r/foo-1.2.tar.xz?dl=1": "foo-1.2",
		"foo-1.2.tgz":                         "foo-1.2",
		"FOO-1.2.TAR.ZST":                     "FOO-1.2",
		"foo_1.2.orig.tar.xz":                 "foo_1.2.orig",
	} {
		if got := baseName(in); got != want {
			t.Errorf("baseName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTagCandidates(t *testing.T) {
	c := TagCandidates("foo", "1.2")
	for _, want := range []string{"v1.2", "1.2", "foo-1.2", "foo-1_2", "release-1.2", "FOO_1_2"} {
		if !slices.Contains(c, want) {
			t.Errorf("TagCandidates(foo, 1.2) lacks %q: %v", want, c)
		}
	}
	if TagCandidates("foo", "") != nil {
		t.Errorf("no version must give no candidates")
	}
	seen := map[string]bool{}
	for _, x := range c {
		if seen[x] {
			t.Errorf("duplicate candidate %q", x)
		}
		seen[x] = true
	}
}

const samplePolicy = `
fail-on: medium
expect:
  - path: "src/version.c"
    status: content_differs
    reason: "release script stamps the version"
  - path: "doc/**/*.1"
    reason: "man pages regenerated at release"
  - path: "never/matches"
    reason: "left over"
severity:
  TC301: low
require:
  signature: true
  openpgp-fingerprints: ["AAAA BBBB CCCC DDDD EEEE FFFF 0000 1111 2222 3333"]
`

func TestPolicy(t *testing.T) {
	p, err := ParsePolicy(".tarcheck.yaml", []byte(samplePolicy))
	if err != nil {
		t.Fatal(err)
	}
	if p.FailOn != "medium" {
		t.Errorf("fail-on = %q", p.FailOn)
	}
	r := &report.Report{
		Files: []report.FileDiff{
			{Path: "src/version.c", Status: report.ContentDiffers, Severity: report.SevHigh, Reason: "source differs"},
			{Path: "src/main.c", Status: report.ContentDiffers, Severity: report.SevHigh, Reason: "source differs"},
			{Path: "doc/man/sub/foo.1", Status: report.OnlyInTarball, Severity: report.SevMedium, Reason: "x"},
		},
		Findings: []report.Finding{
			{Rule: "TC301", Severity: report.SevHigh, Path: "src/version.c"},
			{Rule: "TC301", Severity: report.SevHigh, Path: "src/main.c"},
			{Rule: "TC103", Severity: report.SevCritical, Path: "src/version.c"},
		},
		Signatures: []report.Signature{{Subject: "tarball", Kind: "openpgp", Status: "valid", Signer: "0123456789ABCDEF0123456789ABCDEF01234567"}},
	}
	p.Apply(r)
	byPath := map[string]report.FileDiff{}
	for _, f := range r.Files {
		byPath[f.Path] = f
	}
	if f := byPath["src/version.c"]; f.Severity != report.SevInfo || f.Expected != "release script stamps the version" || !strings.Contains(f.Reason, "expected by policy") {
		t.Errorf("expected file not downgraded: %+v", f)
	}
	if f := byPath["doc/man/sub/foo.1"]; f.Severity != report.SevInfo {
		t.Errorf("** glob did not match: %+v", f)
	}
	if f := byPath["src/main.c"]; f.Severity != report.SevHigh {
		t.Errorf("unexpected file downgraded: %+v", f)
	}
	var rules []string
	for _, f := range r.Findings {
		rules = append(rules, f.Rule+":"+f.Path+":"+f.Severity.String())
	}
	for _, want := range []string{"TC301:src/main.c:low", "TC103:src/version.c:critical", "TC701:never/matches:low", "TC702::high"} {
		if !slices.Contains(rules, want) {
			t.Errorf("findings lack %s: %v", want, rules)
		}
	}
	if slices.Contains(rules, "TC301:src/version.c:high") || slices.Contains(rules, "TC301:src/version.c:low") {
		t.Errorf("finding of an expected path kept: %v", rules)
	}
	if r.Policy == nil || len(r.Policy.Stale) != 1 || r.Policy.Stale[0] != "never/matches" {
		t.Errorf("stale expectations = %+v", r.Policy)
	}
}

func TestPolicyErrors(t *testing.T) {
	for name, src := range map[string]string{
		"unknown key":    "fail-on: high\nbogus: 1\n",
		"no reason":      "expect:\n  - path: a\n    status: content_differs\n",
		"bad status":     "expect:\n  - path: a\n    status: different\n    reason: r\n",
		"bad severity":   "severity:\n  TC301: severe\n",
		"bad rule":       "severity:\n  foo: low\n",
		"bad fail-on":    "fail-on: sometimes\n",
		"bad glob":       "expect:\n  - path: \"[\"\n    reason: r\n",
		"bad fpr":        "require:\n  openpgp-fingerprints: [\"abc\"]\n",
		"not a mapping":  "- a\n- b\n",
		"unknown nested": "require:\n  signatures: true\n",
	} {
		if _, err := ParsePolicy("p.yaml", []byte(src)); err == nil {
			t.Errorf("%s: accepted", name)
		} else if !errors.Is(err, ErrUsage) {
			t.Errorf("%s: error %v is not a usage error", name, err)
		}
	}
}

func FuzzParsePolicy(f *testing.F) {
	f.Add([]byte(samplePolicy))
	f.Add([]byte("expect:\n  - path: \"**\"\n    reason: all\n"))
	f.Add([]byte("fail-on: low\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePolicy("f.yaml", data)
		if err != nil {
			return
		}
		r := &report.Report{Files: []report.FileDiff{{Path: "a/b.c", Status: report.ContentDiffers, Severity: report.SevHigh}}}
		p.Apply(r)
		for _, e := range p.Expect {
			if strings.TrimSpace(e.Reason) == "" {
				t.Fatalf("accepted an expectation without a reason")
			}
		}
	})
}

func TestSubmoduleURL(t *testing.T) {
	gm := "[submodule \"gnulib\"]\n\tpath = gnulib\n\turl = https://git.savannah.gnu.org/git/gnulib.git\n" +
		"[submodule \"other\"]\n\tpath = other\n\turl = --upload-pack=evil\n"
	for _, tc := range []struct{ path, want string }{
		{"gnulib", "https://git.savannah.gnu.org/git/gnulib.git"},
		{"other", ""},
		{"missing", ""},
	} {
		if got := submoduleURL(gm, tc.path); got != tc.want {
			t.Errorf("submoduleURL(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}
