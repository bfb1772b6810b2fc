package attest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// tarballBytes stands for a release tarball; the statement's subject digest
// must be its sha256.
var tarballBytes = []byte("not really a tarball, but bytes with a digest\n")

func sampleInput(verdict string) Input {
	sum := sha256.Sum256(tarballBytes)
	in := Input{
		ToolName:      "tarcheck",
		ToolVersion:   "1.4.0",
		TarballName:   "hello-1.0.tar.gz",
		TarballSHA256: hex.EncodeToString(sum[:]),
		TarballURI:    "https://example.org/releases/hello-1.0.tar.gz",
		Repository:    "https://example.org/hello.git",
		Tag:           "v1.0",
		TagObject:     strings.Repeat("a", 40),
		Commit:        strings.Repeat("b", 40),
		Policy:        []byte("allow: []\n"),
		PolicyURI:     "file:policy.yaml",
		FailOn:        "high",
		Signatures: []Signature{
			{Subject: "tarball", Kind: "openpgp", Status: "valid", Signer: "ABCDEF"},
			{Subject: "tag", Kind: "ssh", Status: "valid", Signer: "dev@example.org"},
		},
		StatusCounts: map[string]int{"identical": 40, "only_in_tarball": 3, "content_differs": 0},
		ClassCounts:  map[string]int{"generated": 2, "documentation": 1},
		Findings: []Finding{
			{Rule: "TC101", Severity: "info", Path: "configure", Message: "generated"},
			{Rule: "TC200", Severity: "medium", Path: "NEWS.extra", Message: "documentation only in tarball <x>"},
		},
		Verdict: verdict,
		Time:    time.Date(2026, 12, 7, 1, 2, 3, 456, time.FixedZone("x", 3600)),
	}
	if verdict == VerdictFail {
		in.Findings = append(in.Findings, Finding{Rule: "TC300", Severity: "critical", Path: "m4/build-to-host.m4", Message: "m4 only in tarball"})
		in.Signatures[1].Status = "invalid"
	}
	return in
}

func mustBuild(t *testing.T, in Input) ([]byte, *Statement) {
	t.Helper()
	st, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := st.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b, st
}

// compileSchema compiles a JSON Schema file with format assertions on.
func compileSchema(t *testing.T, path string) *jsonschema.Schema {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	s, err := c.Compile(abs)
	if err != nil {
		t.Fatalf("compiling %s: %v", path, err)
	}
	return s
}

func decode(t *testing.T, b []byte) any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestStatementValidatesAgainstSchemas(t *testing.T) {
	statementSchema := compileSchema(t, "testdata/in-toto-statement-v1.schema.json")
	vsaSchema := compileSchema(t, "testdata/slsa-vsa-v1.schema.json")
	tarcheckSchema := compileSchema(t, "../../docs/attestation.schema.json")
	for _, verdict := range []string{VerdictPass, VerdictFail} {
		t.Run(verdict, func(t *testing.T) {
			in := sampleInput(verdict)
			b, st := mustBuild(t, in)
			if err := statementSchema.Validate(decode(t, b)); err != nil {
				t.Errorf("in-toto Statement v1 schema: %v\n%s", err, b)
			}
			pred, err := st.MarshalPredicate()
			if err != nil {
				t.Fatal(err)
			}
			if err := vsaSchema.Validate(decode(t, pred)); err != nil {
				t.Errorf("SLSA VSA v1 schema: %v\n%s", err, pred)
			}
			if err := tarcheckSchema.Validate(decode(t, pred)); err != nil {
				t.Errorf("docs/attestation.schema.json: %v\n%s", err, pred)
			}
			// The subject digest is the sha256 of the tarball bytes.
			sum := sha256.Sum256(tarballBytes)
			if got := st.SubjectSHA256("hello-1.0.tar.gz"); got != hex.EncodeToString(sum[:]) {
				t.Errorf("subject digest %s, want sha256 of the tarball", got)
			}
			wantResult := map[string]string{VerdictPass: "PASSED", VerdictFail: "FAILED"}[verdict]
			if st.Predicate.VerificationResult != wantResult || st.Predicate.Details.Verdict != verdict {
				t.Errorf("result %s verdict %s, want %s %s", st.Predicate.VerificationResult, st.Predicate.Details.Verdict, wantResult, verdict)
			}
		})
	}
}

// The schemas must reject what they are meant to reject, or the test
// above proves nothing.
func TestSchemasRejectBrokenStatements(t *testing.T) {
	statementSchema := compileSchema(t, "testdata/in-toto-statement-v1.schema.json")
	vsaSchema := compileSchema(t, "testdata/slsa-vsa-v1.schema.json")
	tarcheckSchema := compileSchema(t, "../../docs/attestation.schema.json")
	b, _ := mustBuild(t, sampleInput(VerdictFail))
	mutate := func(f func(m map[string]any)) any {
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		out, _ := json.Marshal(m)
		return decode(t, out)
	}
	pred := func(m map[string]any) map[string]any { return m["predicate"].(map[string]any) }
	cases := []struct {
		name   string
		schema *jsonschema.Schema
		doc    func(m map[string]any)
		onPred bool
	}{
		{"old _type", statementSchema, func(m map[string]any) { m["_type"] = "https://in-toto.io/Statement/v0.1" }, false},
		{"subject without digest", statementSchema, func(m map[string]any) { m["subject"] = []any{map[string]any{"name": "x"}} }, false},
		{"short sha256", statementSchema, func(m map[string]any) {
			m["subject"] = []any{map[string]any{"name": "x", "digest": map[string]any{"sha256": "abc"}}}
		}, false},
		{"VSA without policy", vsaSchema, func(m map[string]any) { delete(pred(m), "policy") }, true},
		{"VSA result lowercase", vsaSchema, func(m map[string]any) { pred(m)["verificationResult"] = "failed" }, true},
		{"VSA custom SLSA_ level", vsaSchema, func(m map[string]any) { pred(m)["verifiedLevels"] = []any{"SLSA_SOURCE_MAGIC"} }, true},
		{"tarcheck FAILED with pass verdict", tarcheckSchema, func(m map[string]any) {
			pred(m)[DetailsField].(map[string]any)["verdict"] = "pass"
		}, true},
		{"tarcheck low finding", tarcheckSchema, func(m map[string]any) {
			d := pred(m)[DetailsField].(map[string]any)
			d["findings"] = []any{map[string]any{"rule": "TC1", "severity": "low", "message": "m"}}
		}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := mutate(func(m map[string]any) {
				c.doc(m)
				if c.onPred {
					for k := range m {
						if k != "predicate" {
							delete(m, k)
						}
					}
				}
			})
			if c.onPred {
				doc = doc.(map[string]any)["predicate"]
			}
			if err := c.schema.Validate(doc); err == nil {
				t.Errorf("schema accepted a broken document")
			}
		})
	}
}

func TestBuildIsDeterministic(t *testing.T) {
	in := sampleInput(VerdictFail)
	a, _ := mustBuild(t, in)
	// Same facts in another order: same bytes.
	in2 := sampleInput(VerdictFail)
	in2.Signatures[0], in2.Signatures[1] = in2.Signatures[1], in2.Signatures[0]
	in2.Findings[1], in2.Findings[2] = in2.Findings[2], in2.Findings[1]
	b, _ := mustBuild(t, in2)
	if !bytes.Equal(a, b) {
		t.Fatalf("statements differ:\n%s\n%s", a, b)
	}
	golden := filepath.Join("testdata", "fail.statement.json")
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(golden, a, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with UPDATE_GOLDEN=1 to create it)", err)
	}
	if !bytes.Equal(a, want) {
		t.Errorf("statement differs from %s (UPDATE_GOLDEN=1 refreshes it):\n got %s\nwant %s", golden, a, want)
	}
}

func TestBuildContent(t *testing.T) {
	_, st := mustBuild(t, sampleInput(VerdictFail))
	p := st.Predicate
	d := p.Details
	if p.TimeVerified != "2026-12-07T00:02:03Z" {
		t.Errorf("timeVerified %s, want UTC to the second", p.TimeVerified)
	}
	if len(d.Findings) != 2 || d.Findings[0].Path != "NEWS.extra" || d.Findings[1].Severity != "critical" {
		t.Errorf("findings %+v, want the medium and the critical one, sorted by path", d.Findings)
	}
	if _, ok := d.Counts.ByStatus["content_differs"]; ok {
		t.Errorf("zero count recorded: %v", d.Counts.ByStatus)
	}
	ps := sha256.Sum256([]byte("allow: []\n"))
	if p.Policy.Digest["sha256"] != hex.EncodeToString(ps[:]) || d.Policy.SHA256 != hex.EncodeToString(ps[:]) {
		t.Errorf("policy digest %v, want sha256 of the policy bytes", p.Policy.Digest)
	}
	if p.VerifiedLevels[0] != LevelFailed || p.ResourceURI != "https://example.org/releases/hello-1.0.tar.gz" {
		t.Errorf("levels %v resource %s", p.VerifiedLevels, p.ResourceURI)
	}
	if d.Signatures[0].Subject != "tag" || d.Signatures[0].Status != "invalid" {
		t.Errorf("signatures %+v, want sorted by subject with the invalid tag first", d.Signatures)
	}

	// Without a policy file and a URL: defaults.
	in := sampleInput(VerdictPass)
	in.Policy, in.PolicyURI, in.TarballURI, in.TarballName = nil, "", "", "hello 1.0.tar.gz"
	_, st = mustBuild(t, in)
	if st.Predicate.Policy.URI != DefaultPolicyURI || st.Predicate.Policy.Digest != nil {
		t.Errorf("policy %+v, want the default policy without digest", st.Predicate.Policy)
	}
	if st.Predicate.ResourceURI != "file:hello%201.0.tar.gz" {
		t.Errorf("resourceUri %q", st.Predicate.ResourceURI)
	}
}

func TestBuildRefusesBadInput(t *testing.T) {
	cases := map[string]func(*Input){
		"no tool":          func(in *Input) { in.ToolVersion = "" },
		"uppercase digest": func(in *Input) { in.TarballSHA256 = strings.ToUpper(in.TarballSHA256) },
		"short commit":     func(in *Input) { in.Commit = "abc" },
		"verdict":          func(in *Input) { in.Verdict = "PASS" },
		"fail-on":          func(in *Input) { in.FailOn = "severe" },
		"no time":          func(in *Input) { in.Time = time.Time{} },
		"relative uri":     func(in *Input) { in.TarballURI = "releases/x.tar.gz" },
		"severity":         func(in *Input) { in.Findings[0].Severity = "HIGH" },
		"signature":        func(in *Input) { in.Signatures[0].Status = "" },
		"status key":       func(in *Input) { in.StatusCounts["weird"] = 1 },
		"negative":         func(in *Input) { in.ClassCounts["generated"] = -1 },
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			in := sampleInput(VerdictPass)
			f(&in)
			if _, err := Build(in); !errors.Is(err, ErrInput) {
				t.Errorf("Build = %v, want ErrInput", err)
			}
		})
	}
}

// The subject digest is what sha256sum prints for the tarball file.
func TestSubjectDigestEqualsSha256sum(t *testing.T) {
	tool := requireTool(t, "sha256sum")
	path := filepath.Join(t.TempDir(), "hello-1.0.tar.gz")
	if err := os.WriteFile(path, tarballBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, path).Output()
	if err != nil {
		t.Fatal(err)
	}
	want, _, _ := strings.Cut(string(out), " ")
	_, st := mustBuild(t, sampleInput(VerdictPass))
	if got := st.SubjectSHA256(""); got != want {
		t.Errorf("subject sha256 %s, sha256sum says %s", got, want)
	}
}

// A report as `tarcheck verify --format json` writes it (DESIGN.md).
const sampleReport = `{
  "schema": "tarcheck.report/v1",
  "tool": {"name": "tarcheck", "version": "v0.1.0"},
  "tarball": {"source": "https://example.org/dl/foo-1.2.tar.gz", "sha256": "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
              "size": 100, "format": "tar.gz", "root": "foo-1.2"},
  "git": {"source": "https://example.org/foo.git", "tag": "v1.2", "tag_object": null,
          "commit": "4444444444444444444444444444444444444444", "tree": "5555555555555555555555555555555555555555"},
  "signatures": [{"subject": "tag", "kind": "openpgp", "status": "missing", "detail": "tag is not signed"}],
  "summary": {"tarball_files": 5, "git_files": 4, "identical": 3, "only_in_tarball": 2, "only_in_git": 1,
              "content_differs": 0, "mode_differs": 0, "type_differs": 0},
  "files": [{"path": "configure", "status": "only_in_tarball", "class": "generated", "severity": "info", "reason": "r"},
            {"path": "m4/x.m4", "status": "only_in_tarball", "class": "m4-unknown", "severity": "high", "reason": "r"},
            {"path": "ci.sh", "status": "only_in_git", "class": "export-ignore", "severity": "low", "reason": "r"}],
  "findings": [{"rule": "TC100", "severity": "high", "path": "m4/x.m4", "message": "unknown m4", "evidence": ["+eval"]},
               {"rule": "TC101", "severity": "low", "message": "grouped"}],
  "fail_on": "high",
  "verdict": "fail"
}`

func TestFromReportJSON(t *testing.T) {
	in, err := FromReportJSON([]byte(sampleReport))
	if err != nil {
		t.Fatal(err)
	}
	in.Time = time.Unix(0, 0)
	b, st := mustBuild(t, in)
	if err := compileSchema(t, "testdata/in-toto-statement-v1.schema.json").Validate(decode(t, b)); err != nil {
		t.Errorf("statement schema: %v", err)
	}
	p := st.Predicate
	d := p.Details
	if st.Subject[0].Name != "foo-1.2.tar.gz" || p.ResourceURI != "https://example.org/dl/foo-1.2.tar.gz" {
		t.Errorf("subject %+v resource %s", st.Subject, p.ResourceURI)
	}
	if p.VerificationResult != ResultFailed || d.Source.TagObject != "" || d.Source.Commit != strings.Repeat("4", 40) {
		t.Errorf("predicate %+v", p)
	}
	wantStatus := map[string]int{"identical": 3, "only_in_tarball": 2, "only_in_git": 1}
	wantClass := map[string]int{"generated": 1, "m4-unknown": 1, "export-ignore": 1}
	if fmt.Sprint(d.Counts.ByStatus) != fmt.Sprint(wantStatus) || fmt.Sprint(d.Counts.ByClass) != fmt.Sprint(wantClass) {
		t.Errorf("counts %+v", d.Counts)
	}
	if len(d.Findings) != 1 || d.Findings[0].Rule != "TC100" || len(d.Signatures) != 1 || d.Signatures[0].Status != "missing" {
		t.Errorf("findings %+v signatures %+v", d.Findings, d.Signatures)
	}

	local := strings.Replace(sampleReport, "https://example.org/dl/foo-1.2.tar.gz", "dist/foo-1.2.tar.gz", 1)
	in, err = FromReportJSON([]byte(local))
	if err != nil || in.TarballName != "foo-1.2.tar.gz" || in.TarballURI != "" {
		t.Errorf("local source: %+v, %v", in, err)
	}
	for _, bad := range []string{"{", `{"schema":"other"}`} {
		if _, err := FromReportJSON([]byte(bad)); !errors.Is(err, ErrInput) {
			t.Errorf("FromReportJSON(%q) = %v, want ErrInput", bad, err)
		}
	}
}

func FuzzFromReportJSON(f *testing.F) {
	f.Add([]byte(sampleReport))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := FromReportJSON(data)
		if err != nil {
			return
		}
		in.Time = time.Unix(1, 0)
		if st, err := Build(in); err == nil {
			if _, err := st.Marshal(); err != nil {
				t.Fatal(err)
			}
		}
	})
}
