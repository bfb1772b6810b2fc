package render

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/tarcheck/tarcheck/verify/report"
)

// SARIF constants.
const (
	// SARIFSchemaURI is the $schema written into SARIF logs.
	SARIFSchemaURI = "https://json.schemastore.org/sarif-2.1.0.json"
	// SARIFVersion is the SARIF version written.
	SARIFVersion = "2.1.0"
	// InformationURI is tarcheck's home page in tool.driver.informationUri.
	InformationURI = "https://github.com/tarcheck/tarcheck"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool       sarifTool      `json:"tool"`
	Results    []sarifResult  `json:"results"`
	Properties map[string]any `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name,omitempty"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 *sarifText     `json:"help,omitempty"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           sarifRuleProps `json:"properties"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	Tags []string `json:"tags"`
	// SecuritySeverity is GitHub code scanning's 0-10 score, as a string.
	SecuritySeverity string `json:"security-severity"`
	Severity         string `json:"severity"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          sarifResultProps  `json:"properties"`
}

type sarifResultProps struct {
	Severity string   `json:"severity"`
	Path     string   `json:"path,omitempty"`
	Evidence []string `json:"evidence,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine int        `json:"startLine"`
	Snippet   *sarifText `json:"snippet,omitempty"`
}

// sarifLevel maps a tarcheck severity to a SARIF result level.
func sarifLevel(s report.Severity) string {
	switch {
	case s >= report.SevHigh:
		return "error"
	case s == report.SevMedium:
		return "warning"
	}
	return "note"
}

// securitySeverity is the GitHub code scanning score for a severity
// (critical ≥ 9.0, high ≥ 7.0, medium ≥ 4.0, low > 0).
func securitySeverity(s report.Severity) string {
	switch s {
	case report.SevCritical:
		return "9.5"
	case report.SevHigh:
		return "8.0"
	case report.SevMedium:
		return "5.5"
	case report.SevLow:
		return "2.0"
	}
	return "0.0"
}

// SARIF writes the findings as a SARIF 2.1.0 log with one run. tool.driver
// lists every catalogued rule plus any other rule id that occurs; each
// finding becomes one result whose level follows its severity (critical and
// high: error, medium: warning, low and info: note) and whose location is
// the path inside the release as a relative, percent-encoded URI reference,
// with region.startLine when an evidence string starts with "<line>:".
// A finding without a path is located at the tarball's file name, or has no
// location when that is unknown. Differing files without a finding are not
// results; the caller turns what matters into findings.
func SARIF(w io.Writer, r *report.Report) error {
	if r == nil {
		return ErrNilReport
	}
	log := buildSARIF(r)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(log); err != nil {
		return fmt.Errorf("writing sarif report: %w", err)
	}
	return nil
}

func buildSARIF(r *report.Report) sarifLog {
	// Rules: the catalogue plus unknown ids in order of first appearance;
	// an unknown rule's default level is the highest severity it was seen with.
	ids := report.RuleIDs()
	seen := map[string]report.Severity{}
	var extra []string
	for _, f := range r.Findings {
		if _, ok := report.LookupRule(f.Rule); ok {
			continue
		}
		if s, ok := seen[f.Rule]; !ok {
			extra = append(extra, f.Rule)
			seen[f.Rule] = f.Severity
		} else if f.Severity > s {
			seen[f.Rule] = f.Severity
		}
	}
	sort.Strings(extra)
	ids = append(ids, extra...)
	index := make(map[string]int, len(ids))
	rules := make([]sarifRule, 0, len(ids))
	for i, id := range ids {
		rule, ok := report.LookupRule(id)
		if !ok {
			rule.Severity = seen[id]
		}
		index[id] = i
		rules = append(rules, sarifRule{
			ID:                   id,
			Name:                 rule.Name,
			ShortDescription:     sarifText{rule.Short},
			FullDescription:      sarifText{rule.Full},
			Help:                 sarifHelp(rule.Help),
			DefaultConfiguration: sarifConfig{sarifLevel(rule.Severity)},
			Properties: sarifRuleProps{
				Tags:             []string{"security", "supply-chain"},
				SecuritySeverity: securitySeverity(rule.Severity),
				Severity:         rule.Severity.String(),
			},
		})
	}

	results := sarifResults(r, index)

	props := map[string]any{
		"verdict": r.Outcome().Verdict,
		"failOn":  r.FailOn.String(),
		"tarball": r.Tarball.Source,
		"tag":     r.Git.Tag,
		"summary": r.Summary,
	}
	name := r.Tool.Name
	if name == "" {
		name = "tarcheck"
	}
	return sarifLog{
		Schema:  SARIFSchemaURI,
		Version: SARIFVersion,
		Runs: []sarifRun{{
			Tool: sarifTool{Driver: sarifDriver{
				Name:           name,
				Version:        r.Tool.Version,
				InformationURI: InformationURI,
				Rules:          rules,
			}},
			Results:    results,
			Properties: props,
		}},
	}
}

// fingerprint identifies a finding across runs for code scanning's
// de-duplication: rule, path and message.
func fingerprint(f report.Finding) string {
	h := sha256.New()
	h.Write([]byte(f.Rule))
	h.Write([]byte{0})
	h.Write([]byte(f.Path))
	h.Write([]byte{0})
	h.Write([]byte(f.Message))
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// artifactName is the file name at the end of a tarball path or URL.
func artifactName(source string) string {
	if i := strings.IndexAny(source, "?#"); i >= 0 && strings.Contains(source, "://") {
		source = source[:i]
	}
	source = strings.TrimRight(source, "/")
	if i := strings.LastIndexAny(source, `/\`); i >= 0 {
		source = source[i+1:]
	}
	return source
}

// URIReference percent-encodes a path inside the release as a relative URI
// reference (RFC 3986): unreserved characters and "/" are kept, every other
// byte, including those of invalid UTF-8, becomes %XX. A leading "/" (an
// absolute path in a hostile archive) is encoded too, so the result never
// parses as an absolute path or a network-path reference, and ":" is always
// encoded, so it never parses as a scheme.
func URIReference(p string) string {
	const hexdigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(p))
	leading := true
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '/' && !leading:
			b.WriteByte(c)
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexdigits[c>>4])
			b.WriteByte(hexdigits[c&15])
		}
		if c != '/' {
			leading = false
		}
	}
	return b.String()
}

// sarifResults makes one result per finding; index gives each rule's
// position in tool.driver.rules.
func sarifResults(r *report.Report, index map[string]int) []sarifResult {
	tarballName := artifactName(r.Tarball.Source)
	results := make([]sarifResult, 0, len(r.Findings))
	for _, f := range r.Findings {
		msg := f.Message
		if strings.TrimSpace(msg) == "" {
			rule, _ := report.LookupRule(f.Rule)
			msg = rule.Short
		}
		results = append(results, sarifResultOf(f, msg, index[f.Rule], tarballName))
	}
	return results
}

// sarifResultOf is the result of one finding, located at its path (with the
// line of the first "<line>: text" evidence) or at the tarball.
func sarifResultOf(f report.Finding, msg string, ruleIndex int, tarballName string) sarifResult {
	res := sarifResult{
		RuleID:    f.Rule,
		RuleIndex: ruleIndex,
		Level:     sarifLevel(f.Severity),
		Message:   sarifText{msg},
		PartialFingerprints: map[string]string{
			"tarcheckFinding/v1": fingerprint(f),
		},
		Properties: sarifResultProps{
			Severity: f.Severity.String(),
			Path:     f.Path,
			Evidence: f.Evidence,
		},
	}
	switch {
	case f.Path != "":
		loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: URIReference(f.Path)}}}
		for _, e := range f.Evidence {
			if line, rest, ok := lineOf(e); ok {
				reg := &sarifRegion{StartLine: line}
				if rest != "" {
					reg.Snippet = &sarifText{rest}
				}
				loc.PhysicalLocation.Region = reg
				break
			}
		}
		res.Locations = []sarifLocation{loc}
	case tarballName != "":
		res.Locations = []sarifLocation{{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: URIReference(tarballName)}}}}
	}
	return res
}

// sarifHelp is a rule's help text, absent when there is none.
func sarifHelp(h string) *sarifText {
	if h == "" {
		return nil
	}
	return &sarifText{h}
}
