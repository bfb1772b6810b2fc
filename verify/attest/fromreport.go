package attest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/tarcheck/tarcheck/internal/limits"
)

// MaxReportSize caps a JSON report read by FromReportJSON.
const MaxReportSize = limits.AttestMaxReportSize

// FromReportJSON fills an Input from a tarcheck JSON report (schema
// "tarcheck.report/v1", the contract of DESIGN.md), so that a caller
// holding the rendered report needs no mapping of its own. The caller must
// still set Time and, when a policy file was used, Policy and PolicyURI.
// The subject name is the base name of tarball.source; an http(s) source
// becomes TarballURI.
func FromReportJSON(report []byte) (Input, error) {
	if len(report) > MaxReportSize {
		return Input{}, fmt.Errorf("%w: report of %d bytes, limit %d", ErrInput, len(report), MaxReportSize)
	}
	var r struct {
		Schema string `json:"schema"`
		Tool   struct {
			Name    string `json:"name"`
			Version string `json:"version"`
		} `json:"tool"`
		Tarball struct {
			Source string `json:"source"`
			SHA256 string `json:"sha256"`
		} `json:"tarball"`
		Git struct {
			Source    string  `json:"source"`
			Tag       string  `json:"tag"`
			TagObject *string `json:"tag_object"`
			Commit    string  `json:"commit"`
		} `json:"git"`
		Signatures []Signature    `json:"signatures"`
		Summary    map[string]int `json:"summary"`
		Files      []struct {
			Class string `json:"class"`
		} `json:"files"`
		Findings []Finding `json:"findings"`
		FailOn   string    `json:"fail_on"`
		Verdict  string    `json:"verdict"`
	}
	dec := json.NewDecoder(bytes.NewReader(report))
	if err := dec.Decode(&r); err != nil {
		return Input{}, fmt.Errorf("%w: reading the JSON report: %w", ErrInput, err)
	}
	if r.Schema != "tarcheck.report/v1" {
		return Input{}, fmt.Errorf("%w: report schema %q, want tarcheck.report/v1", ErrInput, r.Schema)
	}
	in := Input{
		ToolName:      r.Tool.Name,
		ToolVersion:   r.Tool.Version,
		TarballSHA256: r.Tarball.SHA256,
		Repository:    r.Git.Source,
		Tag:           r.Git.Tag,
		Commit:        r.Git.Commit,
		FailOn:        r.FailOn,
		Signatures:    r.Signatures,
		Findings:      r.Findings,
		Verdict:       r.Verdict,
		StatusCounts:  map[string]int{},
		ClassCounts:   map[string]int{},
	}
	if r.Git.TagObject != nil {
		in.TagObject = *r.Git.TagObject
	}
	in.TarballName = r.Tarball.Source
	if u, err := url.Parse(r.Tarball.Source); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		in.TarballURI = r.Tarball.Source
		in.TarballName = path.Base(u.Path)
	} else {
		in.TarballName = path.Base(strings.ReplaceAll(r.Tarball.Source, `\`, "/"))
	}
	for _, s := range fileStatuses {
		if n := r.Summary[s]; n > 0 {
			in.StatusCounts[s] = n
		}
	}
	for _, f := range r.Files {
		in.ClassCounts[f.Class]++
	}
	return in, nil
}
