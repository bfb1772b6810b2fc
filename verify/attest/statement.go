// Package attest turns the outcome of one tarcheck run into an in-toto
// attestation: a Statement v1 about the release tarball whose predicate is a
// SLSA Verification Summary (VSA v1) carrying tarcheck's own details in an
// extension field, and signs it as a DSSE envelope with an SSH or OpenPGP
// key, or verifies such an envelope.
//
// The package is pure: values in, bytes out. It does not read the report
// model (the caller maps its report onto Input), the file system, the
// network or a clock (the time of verification is part of Input).
//
// The predicate format is documented in docs/attestation.md and described by
// the JSON Schema docs/attestation.schema.json.
package attest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Type URIs used in a Statement.
const (
	// StatementType is the in-toto Statement v1 _type.
	StatementType = "https://in-toto.io/Statement/v1"
	// PredicateTypeVSA is SLSA's Verification Summary v1, the predicateType
	// of every statement this package writes.
	PredicateTypeVSA = "https://slsa.dev/verification_summary/v1"
	// DetailsField is the name of the VSA extension field (a URI, as the
	// in-toto parsing rules ask) that holds tarcheck's details, and the
	// $id of their JSON Schema.
	DetailsField = "https://tarcheck.dev/verification/v1"
	// VerifierID is the default VSA verifier.id.
	VerifierID = "https://tarcheck.dev/tarcheck"
	// DefaultPolicyURI names tarcheck's built-in rules in policy.uri when
	// the run had no policy file.
	DefaultPolicyURI = "https://tarcheck.dev/policy/default/v1"
	// LevelPassed is the verifiedLevels value of a passing run: the tarball
	// matches its tag as tarcheck's rules and policy require. It is a custom
	// SlsaResult (custom values must not start with "SLSA_").
	LevelPassed = "TARCHECK_TARBALL_MATCHES_TAG"
	// LevelFailed is the verifiedLevels value of a failing run, as the VSA
	// specification prescribes.
	LevelFailed = "FAILED"
)

// VSA verification results.
const (
	ResultPassed = "PASSED"
	ResultFailed = "FAILED"
)

// Verdicts, as in the tarcheck JSON report.
const (
	VerdictPass = "pass"
	VerdictFail = "fail"
)

// severities in increasing order, as in the tarcheck JSON report.
var severities = []string{"info", "low", "medium", "high", "critical"}

// fileStatuses are the comparison statuses of a path, as in the tarcheck
// JSON report (its summary counts "identical" too).
var fileStatuses = []string{"identical", "only_in_tarball", "only_in_git", "content_differs", "mode_differs", "type_differs"}

// minSeverity is the lowest severity whose findings are recorded.
const minSeverity = "medium"

// Input is what a statement records about one run. The caller maps its
// report onto it; Build checks it and fills in nothing but derived values.
type Input struct {
	// ToolName and ToolVersion identify the verifier ("tarcheck", "1.4.0").
	ToolName    string
	ToolVersion string
	// VerifierID overrides the VSA verifier.id (default VerifierID); a
	// publisher may use the URI of its CI workflow.
	VerifierID string

	// TarballName is the subject name (normally the file's base name) and
	// TarballSHA256 the lowercase hex sha256 of its bytes. Both required.
	TarballName   string
	TarballSHA256 string
	// TarballURI is where the tarball came from (its http(s) URL); it
	// becomes resourceUri. Empty means "file:" + TarballName.
	TarballURI string

	// Repository is the git source as given (URL or path), Tag the tag
	// compared with, TagObject the tag object id (empty for a lightweight
	// tag) and Commit the commit compared with.
	Repository string
	Tag        string
	TagObject  string
	Commit     string

	// Policy is the content of the policy file, or nil when none was used;
	// its sha256 is recorded. PolicyURI names it, e.g. "file:policy.yaml"
	// (default: "file:policy", or DefaultPolicyURI when Policy is nil).
	Policy    []byte
	PolicyURI string
	// FailOn is the lowest severity that fails the run ("high").
	FailOn string

	// Signatures are the signature checks of the run, in any order.
	Signatures []Signature
	// StatusCounts counts paths per comparison status ("identical",
	// "only_in_tarball", ...) and ClassCounts non-identical paths per
	// class; zero counts may be left out.
	StatusCounts map[string]int
	ClassCounts  map[string]int
	// Findings are all findings of the run; those below medium are left
	// out of the statement.
	Findings []Finding

	// Verdict is VerdictPass or VerdictFail.
	Verdict string
	// Time is when the verification ran; it is recorded in UTC to the
	// second.
	Time time.Time
}

// Signature is one signature check, as in the report's "signatures" list.
type Signature struct {
	Subject string `json:"subject"`          // "tarball" | "tag" | "checksum"
	Kind    string `json:"kind"`             // "openpgp" | "ssh" | "sigstore" | "x509" | "checksum"
	Status  string `json:"status"`           // "valid" | "invalid" | "missing" | "unverifiable" | "not-checked"
	Signer  string `json:"signer,omitempty"` // fingerprint, SSH principal or certificate identity
	Detail  string `json:"detail,omitempty"`
}

// Finding is one finding of the run.
type Finding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Path     string `json:"path,omitempty"`
	Message  string `json:"message"`
}

// Statement is an in-toto Statement v1 with a VSA predicate.
type Statement struct {
	Type          string       `json:"_type"`
	Subject       []Descriptor `json:"subject"`
	PredicateType string       `json:"predicateType"`
	Predicate     Predicate    `json:"predicate"`
}

// Descriptor is an in-toto ResourceDescriptor (the fields used here).
type Descriptor struct {
	Name        string            `json:"name,omitempty"`
	URI         string            `json:"uri,omitempty"`
	Digest      map[string]string `json:"digest,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// Predicate is a SLSA VSA v1 predicate plus tarcheck's extension field.
type Predicate struct {
	Verifier           Verifier   `json:"verifier"`
	TimeVerified       string     `json:"timeVerified"`
	ResourceURI        string     `json:"resourceUri"`
	Policy             Descriptor `json:"policy"`
	VerificationResult string     `json:"verificationResult"`
	VerifiedLevels     []string   `json:"verifiedLevels"`
	SLSAVersion        string     `json:"slsaVersion"`
	Details            Details    `json:"https://tarcheck.dev/verification/v1"`
}

// Verifier is the VSA verifier (version as in VSA v1.1).
type Verifier struct {
	ID      string            `json:"id"`
	Version map[string]string `json:"version,omitempty"`
}

// Details is what tarcheck adds to the VSA.
type Details struct {
	Tool       Tool        `json:"tool"`
	Tarball    Tarball     `json:"tarball"`
	Source     Source      `json:"source"`
	Policy     PolicyInfo  `json:"policy"`
	Signatures []Signature `json:"signatures"`
	Counts     Counts      `json:"counts"`
	Findings   []Finding   `json:"findings"`
	Verdict    string      `json:"verdict"`
}

// Tool names the verifier program.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Tarball repeats the subject with the URI it came from.
type Tarball struct {
	Name   string `json:"name"`
	URI    string `json:"uri"`
	SHA256 string `json:"sha256"`
}

// Source is the git side compared with.
type Source struct {
	Repository string `json:"repository"`
	Tag        string `json:"tag"`
	TagObject  string `json:"tagObject,omitempty"`
	Commit     string `json:"commit"`
}

// PolicyInfo records the policy in force.
type PolicyInfo struct {
	SHA256 string `json:"sha256,omitempty"`
	FailOn string `json:"failOn"`
}

// Counts holds paths per comparison status and per class.
type Counts struct {
	ByStatus map[string]int `json:"byStatus"`
	ByClass  map[string]int `json:"byClass"`
}

// ErrInput means Input lacks a required value or holds a malformed one.
var ErrInput = errors.New("invalid attestation input")

// Build checks in and returns the statement. Signatures are sorted by
// subject, kind, signer and status; findings of at least medium severity by
// path, rule, severity and message; so equal inputs give equal statements.
func Build(in Input) (*Statement, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	resource := in.TarballURI
	if resource == "" {
		resource = "file:" + (&url.URL{Path: in.TarballName}).EscapedPath()
	}
	policy := Descriptor{URI: in.PolicyURI, Annotations: map[string]string{"failOn": in.FailOn}}
	var policySum string
	if in.Policy != nil {
		s := sha256.Sum256(in.Policy)
		policySum = hex.EncodeToString(s[:])
		policy.Digest = map[string]string{"sha256": policySum}
		if policy.URI == "" {
			policy.URI = "file:policy"
		}
	} else if policy.URI == "" {
		policy.URI = DefaultPolicyURI
	}
	result, level := ResultPassed, LevelPassed
	if in.Verdict == VerdictFail {
		result, level = ResultFailed, LevelFailed
	}
	verifier := in.VerifierID
	if verifier == "" {
		verifier = VerifierID
	}
	sigs := slices.Clone(in.Signatures)
	if sigs == nil {
		sigs = []Signature{}
	}
	slices.SortStableFunc(sigs, func(a, b Signature) int {
		return cmpStrings(a.Subject, b.Subject, a.Kind, b.Kind, a.Signer, b.Signer, a.Status, b.Status, a.Detail, b.Detail)
	})
	findings := []Finding{}
	for _, f := range in.Findings {
		if severityRank(f.Severity) >= severityRank(minSeverity) {
			findings = append(findings, f)
		}
	}
	slices.SortStableFunc(findings, func(a, b Finding) int {
		return cmpStrings(a.Path, b.Path, a.Rule, b.Rule, a.Severity, b.Severity, a.Message, b.Message)
	})
	return &Statement{
		Type: StatementType,
		Subject: []Descriptor{{
			Name:   in.TarballName,
			Digest: map[string]string{"sha256": in.TarballSHA256},
		}},
		PredicateType: PredicateTypeVSA,
		Predicate: Predicate{
			Verifier:           Verifier{ID: verifier, Version: map[string]string{in.ToolName: in.ToolVersion}},
			TimeVerified:       in.Time.UTC().Truncate(time.Second).Format(time.RFC3339),
			ResourceURI:        resource,
			Policy:             policy,
			VerificationResult: result,
			VerifiedLevels:     []string{level},
			SLSAVersion:        "1.0",
			Details: Details{
				Tool:       Tool{Name: in.ToolName, Version: in.ToolVersion},
				Tarball:    Tarball{Name: in.TarballName, URI: resource, SHA256: in.TarballSHA256},
				Source:     Source{Repository: in.Repository, Tag: in.Tag, TagObject: in.TagObject, Commit: in.Commit},
				Policy:     PolicyInfo{SHA256: policySum, FailOn: in.FailOn},
				Signatures: sigs,
				Counts:     Counts{ByStatus: nonZero(in.StatusCounts), ByClass: nonZero(in.ClassCounts)},
				Findings:   findings,
				Verdict:    in.Verdict,
			},
		},
	}, nil
}

// check reports the first problem with in.
func (in *Input) check() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInput, fmt.Sprintf(format, args...))
	}
	switch {
	case in.ToolName == "" || in.ToolVersion == "":
		return bad("tool name and version are required")
	case in.TarballName == "":
		return bad("tarball name is required")
	case !isSHA256Hex(in.TarballSHA256):
		return bad("tarball sha256 %q is not 64 lowercase hex digits", in.TarballSHA256)
	case in.Repository == "" || in.Tag == "":
		return bad("repository and tag are required")
	case !isObjectID(in.Commit):
		return bad("commit %q is not a git object id", in.Commit)
	case in.TagObject != "" && !isObjectID(in.TagObject):
		return bad("tag object %q is not a git object id", in.TagObject)
	case in.Verdict != VerdictPass && in.Verdict != VerdictFail:
		return bad("verdict %q is neither %q nor %q", in.Verdict, VerdictPass, VerdictFail)
	case severityRank(in.FailOn) < 0:
		return bad("fail-on severity %q is unknown", in.FailOn)
	case in.Time.IsZero():
		return bad("time of verification is required")
	}
	for _, u := range []string{in.TarballURI, in.PolicyURI, in.VerifierID} {
		if u == "" {
			continue
		}
		if p, err := url.Parse(u); err != nil || p.Scheme == "" {
			return bad("%q is not an absolute URI", u)
		}
	}
	for _, f := range in.Findings {
		if severityRank(f.Severity) < 0 {
			return bad("finding %s on %q has unknown severity %q", f.Rule, f.Path, f.Severity)
		}
	}
	for _, s := range in.Signatures {
		if s.Subject == "" || s.Kind == "" || s.Status == "" {
			return bad("signature %+v lacks subject, kind or status", s)
		}
	}
	for k, v := range in.StatusCounts {
		if !slices.Contains(fileStatuses, k) {
			return bad("unknown file status %q in counts", k)
		}
		if v < 0 {
			return bad("negative count for status %q", k)
		}
	}
	for k, v := range in.ClassCounts {
		if v < 0 {
			return bad("negative count for class %q", k)
		}
	}
	return nil
}

// Marshal returns the statement as compact JSON followed by a newline. The
// encoding is deterministic: struct fields in declaration order, map keys
// sorted, no HTML escaping.
func (s *Statement) Marshal() ([]byte, error) { return marshal(s) }

// MarshalPredicate returns only the predicate, as cosign attest-blob
// --predicate and gh attestation expect it.
func (s *Statement) MarshalPredicate() ([]byte, error) { return marshal(&s.Predicate) }

func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encoding attestation: %w", err)
	}
	return b.Bytes(), nil
}

func severityRank(s string) int { return slices.Index(severities, s) }

func nonZero(m map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range m {
		if v != 0 {
			out[k] = v
		}
	}
	return out
}

// cmpStrings compares pairs (a1, b1), (a2, b2), ... in turn.
func cmpStrings(pairs ...string) int {
	for i := 0; i+1 < len(pairs); i += 2 {
		if c := strings.Compare(pairs[i], pairs[i+1]); c != 0 {
			return c
		}
	}
	return 0
}

// isObjectID reports whether s is a lowercase hex SHA-1 or SHA-256 git
// object id.
func isObjectID(s string) bool {
	return (len(s) == 40 || len(s) == 64) && isLowerHex(s)
}

// isSHA256Hex reports whether s is 64 lowercase hex digits.
func isSHA256Hex(s string) bool {
	return len(s) == sha256.Size*2 && isLowerHex(s)
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; !('0' <= b && b <= '9' || 'a' <= b && b <= 'f') {
			return false
		}
	}
	return true
}
