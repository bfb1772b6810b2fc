package verify

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/tarcheck/tarcheck/internal/limits"
	"github.com/tarcheck/tarcheck/verify/report"
	"io"
	"os"
	"path"
	"regexp"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// maxPolicySize caps a policy file.
const maxPolicySize = limits.MaxPolicySize

// Policy is a parsed .tarcheck.yaml (README documents the format).
type Policy struct {
	// File is the policy's path, for the report.
	File string `yaml:"-"`
	// FailOn, when set, is the default --fail-on.
	FailOn string `yaml:"fail-on"`
	// Expect lists differences that are expected, each with a reason.
	Expect []Expectation `yaml:"expect"`
	// Severity overrides the severity of rule ids.
	Severity map[string]string `yaml:"severity"`
	// Require lists signature requirements.
	Require Require `yaml:"require"`

	severity map[string]report.Severity
	used     []bool
}

// Expectation downgrades matching differences to info.
type Expectation struct {
	Path   string `yaml:"path"`
	Status string `yaml:"status"`
	Reason string `yaml:"reason"`
}

// Require is the policy's requirements: signatures, and whether the
// rebuild is mandatory. In the file it is a mapping, or a list (or one) of
// the words "signature" and "rebuild" (`require: rebuild`).
type Require struct {
	// Rebuild makes --rebuild mandatory: a run without it rebuilds anyway.
	Rebuild             bool     `yaml:"rebuild"`
	Signature           bool     `yaml:"signature"`
	OpenPGPFingerprints []string `yaml:"openpgp-fingerprints"`
	SSHPrincipals       []string `yaml:"ssh-principals"`
	Sigstore            *struct {
		Identity string `yaml:"identity"`
		Issuer   string `yaml:"issuer"`
	} `yaml:"sigstore"`
}

// requireKeys are the keys of the require mapping.
var requireKeys = map[string]bool{"rebuild": true, "signature": true, "openpgp-fingerprints": true, "ssh-principals": true, "sigstore": true}

// UnmarshalYAML reads the mapping, or the words "rebuild" and "signature"
// alone or as a list.
func (r *Require) UnmarshalYAML(n *yaml.Node) error {
	words := []*yaml.Node{n}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i].Value; !requireKeys[k] {
				return fmt.Errorf("line %d: require: unknown key %q", n.Content[i].Line, k)
			}
		}
		type plain Require
		return n.Decode((*plain)(r))
	case yaml.SequenceNode:
		words = n.Content
	}
	for _, w := range words {
		switch w.Value {
		case "rebuild":
			r.Rebuild = true
		case "signature":
			r.Signature = true
		default:
			return fmt.Errorf("line %d: require: %q is not a requirement (want rebuild, signature, or a mapping)", w.Line, w.Value)
		}
	}
	return nil
}

// ParsePolicy parses a policy file. Unknown keys, entries without a reason,
// bad globs, statuses and severities are errors.
func ParsePolicy(name string, data []byte) (*Policy, error) {
	if len(data) > maxPolicySize {
		return nil, Errorf(KindUsage, "policy %s: larger than %d bytes", name, maxPolicySize)
	}
	p := &Policy{File: name}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(p); err != nil && !errors.Is(err, io.EOF) {
		return nil, Errorf(KindUsage, "policy %s: %s", name, yamlMessage(oneLine(err.Error())))
	}
	if p.FailOn != "" {
		if _, err := report.ParseSeverity(p.FailOn); err != nil {
			return nil, Errorf(KindUsage, "policy %s: fail-on: %v", name, err)
		}
	}
	valid := map[string]bool{string(report.OnlyInTarball): true, string(report.OnlyInGit): true, string(report.ContentDiffers): true,
		string(report.ModeDiffers): true, string(report.TypeDiffers): true, "": true, "any": true}
	for i, e := range p.Expect {
		if e.Path == "" {
			return nil, Errorf(KindUsage, "policy %s: expect[%d]: path is required", name, i)
		}
		if strings.TrimSpace(e.Reason) == "" {
			return nil, Errorf(KindUsage, "policy %s: expect[%d] (%s): reason is required", name, i, e.Path)
		}
		if !valid[e.Status] {
			return nil, Errorf(KindUsage, "policy %s: expect[%d] (%s): unknown status %q", name, i, e.Path, e.Status)
		}
		if _, err := globMatch(e.Path, "x"); err != nil {
			return nil, Errorf(KindUsage, "policy %s: expect[%d]: bad glob %q", name, i, e.Path)
		}
	}
	p.severity = map[string]report.Severity{}
	for rule, s := range p.Severity {
		if !strings.HasPrefix(rule, "TC") {
			return nil, Errorf(KindUsage, "policy %s: severity: %q is not a rule id (TCnnn)", name, rule)
		}
		sev, err := report.ParseSeverity(s)
		if err != nil {
			return nil, Errorf(KindUsage, "policy %s: severity %s: %v", name, rule, err)
		}
		p.severity[rule] = sev
	}
	for _, fp := range p.Require.OpenPGPFingerprints {
		if len(normFingerprint(fp)) < 16 {
			return nil, Errorf(KindUsage, "policy %s: require.openpgp-fingerprints: %q is not a fingerprint", name, fp)
		}
	}
	p.used = make([]bool, len(p.Expect))
	return p, nil
}

// oneLine joins a multi-line message (yaml's "unmarshal errors:\n  line 2: ...").
func oneLine(s string) string {
	s = strings.ReplaceAll(s, "yaml: unmarshal errors:\n", "")
	f := strings.Fields(strings.ReplaceAll(s, "\n", " "))
	s = strings.Join(f, " ")
	return strings.TrimPrefix(s, "yaml: ")
}

func normFingerprint(s string) string {
	return strings.ToUpper(strings.NewReplacer(" ", "", ":", "", "0x", "").Replace(s))
}

// globMatch matches a slash path against a glob where "*" stays within a
// segment and "**" spans segments.
func globMatch(pattern, name string) (bool, error) {
	if !strings.Contains(pattern, "**") {
		return path.Match(pattern, name)
	}
	pp := strings.Split(pattern, "/")
	np := strings.Split(name, "/")
	return matchSegs(pp, np)
}

func matchSegs(pp, np []string) (bool, error) {
	for len(pp) > 0 {
		if pp[0] == "**" {
			for i := 0; i <= len(np); i++ {
				if ok, err := matchSegs(pp[1:], np[i:]); ok || err != nil {
					return ok, err
				}
			}
			return false, nil
		}
		if len(np) == 0 {
			return false, nil
		}
		ok, err := path.Match(pp[0], np[0])
		if err != nil || !ok {
			return false, err
		}
		pp, np = pp[1:], np[1:]
	}
	return len(np) == 0, nil
}

// Apply rewrites the report: expected differences go to info with the
// policy's reason quoted, rule severities are overridden, requirements are
// checked, and expectations that matched nothing are reported as stale.
func (p *Policy) Apply(r *report.Report) {
	expected := map[string]string{}
	for i := range r.Files {
		f := &r.Files[i]
		for j, e := range p.Expect {
			if e.Status != "" && e.Status != "any" && e.Status != string(f.Status) {
				continue
			}
			if ok, _ := globMatch(e.Path, f.Path); !ok {
				continue
			}
			p.used[j] = true
			f.Severity = report.SevInfo
			f.Expected = e.Reason
			f.Reason = "expected by policy: " + e.Reason + " (was: " + f.Reason + ")"
			expected[f.Path] = e.Reason
			break
		}
	}
	kept := r.Findings[:0]
	for _, fd := range r.Findings {
		if _, ok := expected[fd.Path]; ok && fd.Path != "" && !strings.HasPrefix(fd.Rule, "TC1") {
			// Archive hazards are never expected away; the rest are.
			continue
		}
		if sev, ok := p.severity[fd.Rule]; ok {
			fd.Severity = sev
		}
		kept = append(kept, fd)
	}
	r.Findings = kept
	// Requirements.
	req := p.Require
	hasValid := func(kind string, ok func(report.Signature) bool) bool {
		for _, s := range r.Signatures {
			if s.Status == "valid" && (kind == "" || s.Kind == kind) && ok(s) {
				return true
			}
		}
		return false
	}
	any := func(report.Signature) bool { return true }
	if req.Signature && !hasValid("", func(s report.Signature) bool { return s.Kind != "checksum" }) {
		r.Findings = append(r.Findings, report.Finding{Rule: report.RulePolicyRequirementUnmet, Severity: report.SevHigh,
			Message: "policy requires a signature, and no signature over the tarball or the tag is valid"})
	}
	if len(req.OpenPGPFingerprints) > 0 {
		want := map[string]bool{}
		for _, fp := range req.OpenPGPFingerprints {
			want[normFingerprint(fp)] = true
		}
		if !hasValid("openpgp", func(s report.Signature) bool {
			if want[normFingerprint(s.Signer)] {
				return true
			}
			// The primary key's fingerprint is in the detail.
			for fp := range want {
				if strings.Contains(strings.ToUpper(s.Detail), fp) {
					return true
				}
			}
			return false
		}) {
			r.Findings = append(r.Findings, report.Finding{Rule: report.RulePolicyRequirementUnmet, Severity: report.SevHigh,
				Message: "policy requires an OpenPGP signature by " + strings.Join(req.OpenPGPFingerprints, ", ") + "; none found valid"})
		}
	}
	if len(req.SSHPrincipals) > 0 {
		want := map[string]bool{}
		for _, pr := range req.SSHPrincipals {
			want[pr] = true
		}
		if !hasValid("ssh", func(s report.Signature) bool { return want[s.Signer] }) {
			r.Findings = append(r.Findings, report.Finding{Rule: report.RulePolicyRequirementUnmet, Severity: report.SevHigh,
				Message: "policy requires an SSH signature by " + strings.Join(req.SSHPrincipals, ", ") + "; none found valid"})
		}
	}
	if req.Sigstore != nil {
		if !hasValid("sigstore", any) {
			r.Findings = append(r.Findings, report.Finding{Rule: report.RulePolicyRequirementUnmet, Severity: report.SevHigh,
				Message: "policy requires a valid Sigstore bundle; none found valid"})
		}
	}
	// Stale expectations.
	info := &report.PolicyInfo{File: p.File}
	for j, e := range p.Expect {
		if !p.used[j] {
			info.Stale = append(info.Stale, e.Path)
			r.Findings = append(r.Findings, report.Finding{Rule: report.RulePolicyStaleExpectation, Severity: report.SevLow, Path: e.Path,
				Message: "policy expectation matched nothing (stale): " + e.Reason})
		}
	}
	r.Policy = info
}

// ReadPolicy reads and parses the policy file name (kind usage on failure).
func ReadPolicy(name string) (*Policy, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fileError(KindUsage, "--policy", err)
	}
	return ParsePolicy(name, data)
}

// FailOn is the fail-on threshold: given (a severity name, "" if none),
// else the policy's, else high.
func FailOn(given string, p *Policy) (report.Severity, error) {
	if given == "" && p != nil {
		given = p.FailOn
	}
	if given == "" {
		return report.SevHigh, nil
	}
	return report.ParseSeverity(given)
}

// yamlGoTypes are the Go types of a policy as the YAML decoder names
// them, with what the user wrote instead; built on first use (a policy
// that does not decode), not at every start-up.
var yamlGoTypes = sync.OnceValue(func() []yamlGoType {
	return []yamlGoType{
		{regexp.MustCompile(`field (\S+) not found in type verify\.Policy`), "unknown key $1 (known: fail-on, expect, severity, require)"},
		{regexp.MustCompile(`field (\S+) not found in type verify\.Expectation`), "unknown key $1 in an expect entry (known: path, status, reason)"},
		{regexp.MustCompile(`field (\S+) not found in type verify\.Require`), "unknown key $1 in require (known: signature, openpgp-fingerprints, ssh-principals, sigstore)"},
		{regexp.MustCompile(`field (\S+) not found in type struct \{[^}]*\}`), "unknown key $1 in require.sigstore (known: identity, issuer)"},
		{regexp.MustCompile("cannot unmarshal (!!\\w+) (`[^`]*` )?into \\[\\]verify\\.Expectation"), "expect must be a list of {path, status, reason} entries, not $1 $2"},
		{regexp.MustCompile("cannot unmarshal (!!\\w+) (`[^`]*` )?into (\\[\\])?verify\\.(\\w+)"), "a $1 $2where a mapping of keys is expected"},
		{regexp.MustCompile("cannot unmarshal (!!\\w+) (`[^`]*` )?into map\\[string\\]string"), "severity must map rule ids to severities (TC301: low), not $1 $2"},
		{regexp.MustCompile("cannot unmarshal (!!\\w+) (`[^`]*` )?into \\[\\]string"), "a list of strings is expected, not $1 $2"},
		{regexp.MustCompile("cannot unmarshal (!!\\w+) (`[^`]*` )?into (string|bool)"), "a $3 is expected, not $1 $2"},
	}
})

type yamlGoType struct {
	re   *regexp.Regexp
	repl string
}

// yamlMessage rewrites a YAML decoding error in the policy's terms: no Go
// type names.
func yamlMessage(msg string) string {
	for _, t := range yamlGoTypes() {
		msg = t.re.ReplaceAllString(msg, t.repl)
	}
	msg = strings.ReplaceAll(msg, "yaml: unmarshal errors: ", "")
	return strings.TrimSpace(strings.ReplaceAll(msg, "  ", " "))
}
