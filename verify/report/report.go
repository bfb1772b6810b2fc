// Package report is tarcheck's report model and contract: the Report a
// verification produces (its JSON form is the tarcheck.report/v1 contract in
// DESIGN.md, schema in testdata/report.schema.json), the vocabulary shared by
// every stage and renderer (Severity, Status, Verdict, rebuild statuses) and
// the rule catalogue (rules.go). The verdict is computed here, once.
//
// It holds data and pure functions only: no I/O.
package report

import (
	"fmt"
	"strings"
)

// Schema is the value of Report.Schema for the JSON report described in DESIGN.md.
const Schema = "tarcheck.report/v1"

// Severity ranks a finding. The zero value is SevInfo.
type Severity int

// Severities, lowest first.
const (
	SevInfo Severity = iota
	SevLow
	SevMedium
	SevHigh
	SevCritical
)

var severityNames = [...]string{"info", "low", "medium", "high", "critical"}

// String returns the lowercase name used in reports and flags.
func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return "info"
	}
	return severityNames[s]
}

// ParseSeverity parses "info", "low", "medium", "high" or "critical".
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(s, n) {
			return Severity(i), nil
		}
	}
	return SevInfo, fmt.Errorf("unknown severity %q (want info, low, medium, high or critical)", s)
}

// MarshalText implements encoding.TextMarshaler.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Status says how a path differs between the tarball and the tag.
type Status string

// Statuses from DESIGN.md; identical paths are only counted, never listed.
const (
	OnlyInTarball  Status = "only_in_tarball"
	OnlyInGit      Status = "only_in_git"
	ContentDiffers Status = "content_differs"
	ModeDiffers    Status = "mode_differs"
	TypeDiffers    Status = "type_differs"
)

// Rebuild statuses for FileDiff.Rebuild.
const (
	RebuildReproduced      = "reproduced"
	RebuildDiffers         = "differs"
	RebuildNotReproducible = "not-reproducible"
	RebuildNotAttempted    = "not-attempted"
)

// Verdict is the overall outcome.
type Verdict string

// Verdicts.
const (
	Pass Verdict = "pass"
	Fail Verdict = "fail"
)

// Report is everything tarcheck learned about one release. It is rendered by
// verify/render; its JSON form is the contract in DESIGN.md.
type Report struct {
	Schema     string      `json:"schema"`
	Tool       Tool        `json:"tool"`
	Tarball    TarballInfo `json:"tarball"`
	Git        GitInfo     `json:"git"`
	Signatures []Signature `json:"signatures"`
	Summary    Summary     `json:"summary"`
	Files      []FileDiff  `json:"files"`
	Findings   []Finding   `json:"findings"`
	FailOn     Severity    `json:"fail_on"`
	Verdict    Verdict     `json:"verdict"`

	// Extensions (DESIGN.md allows new fields, never renames).
	Classes    map[string]int `json:"classes,omitempty"`
	Generators []Generator    `json:"generators,omitempty"`
	Rebuild    *RebuildInfo   `json:"rebuild_info,omitempty"`
	Policy     *PolicyInfo    `json:"policy,omitempty"`
	Notes      []string       `json:"notes,omitempty"`
	// Unauthenticated, when set, says why no signature was checked against
	// trust material ("no keyring"): the verdict is about content only.
	Unauthenticated string `json:"unauthenticated,omitempty"`
	// GitArchive is set when the tarball was made by git archive (it
	// embeds the commit id).
	GitArchive *GitArchiveInfo `json:"git_archive,omitempty"`

	// The previous-release analysis (issue 19): which release this one
	// was compared with, what drifted in git since, and its signers.
	Previous       *Previous       `json:"previous,omitempty"`
	Drift          *DriftReport    `json:"drift,omitempty"`
	SignersHistory *SignersHistory `json:"signers_history,omitempty"`
}

// GitArchiveInfo describes a tarball made by git archive.
type GitArchiveInfo struct {
	// Commit is the commit id git archive embedded.
	Commit string `json:"commit"`
	// MatchesTag says whether it is the tag's commit.
	MatchesTag bool `json:"matches_tag"`
}

// Tool names the program that wrote the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// TarballInfo describes the release archive.
type TarballInfo struct {
	Source string  `json:"source"`
	SHA256 string  `json:"sha256"`
	Size   int64   `json:"size"`
	Format string  `json:"format"`
	Root   *string `json:"root"`
	// UnpackedBytes is the sum of the members' sizes.
	UnpackedBytes int64 `json:"unpacked_bytes,omitempty"`
}

// GitInfo describes the tag compared with.
type GitInfo struct {
	Source    string  `json:"source"`
	Tag       string  `json:"tag"`
	TagObject *string `json:"tag_object"`
	Commit    string  `json:"commit"`
	Tree      string  `json:"tree"`
	// CommitTime is the committer date of the tagged commit (RFC 3339).
	CommitTime string `json:"commit_time,omitempty"`
	// Subtree is the directory of the tag the release was compared with,
	// when it is not the repository root (a crate of a Cargo workspace:
	// its .cargo_vcs_info.json path_in_vcs).
	Subtree string `json:"subtree,omitempty"`
}

// Signature is one signature check.
type Signature struct {
	Subject string `json:"subject"`
	Kind    string `json:"kind"`
	Status  string `json:"status"`
	Signer  string `json:"signer,omitempty"`
	Detail  string `json:"detail,omitempty"`
	// Source names the file the signature came from (not a cache path).
	Source string `json:"source,omitempty"`
}

// Summary counts entries on each side and differences by status.
type Summary struct {
	TarballFiles   int `json:"tarball_files"`
	GitFiles       int `json:"git_files"`
	Identical      int `json:"identical"`
	OnlyInTarball  int `json:"only_in_tarball"`
	OnlyInGit      int `json:"only_in_git"`
	ContentDiffers int `json:"content_differs"`
	ModeDiffers    int `json:"mode_differs"`
	TypeDiffers    int `json:"type_differs"`
}

// FileDiff is one non-identical path.
type FileDiff struct {
	Path     string   `json:"path"`
	Status   Status   `json:"status"`
	Class    string   `json:"class"`
	Severity Severity `json:"severity"`
	Reason   string   `json:"reason"`
	Rebuild  string   `json:"rebuild,omitempty"`
	// Diff is a unified diff excerpt for small text differences (text report with -v).
	Diff string `json:"diff,omitempty"`
	// Generator is the tool that stamped the file, when known ("GNU Autoconf 2.71").
	Generator string `json:"generator,omitempty"`
	// Expected quotes the policy reason that accepted this difference.
	Expected string `json:"expected,omitempty"`
	// Origin is what proved the file's content, when something did.
	Origin *Origin `json:"origin,omitempty"`
}

// Origin kinds: where a file's exact bytes were found.
const (
	// OriginTag: the same blob elsewhere in the tag's tree, or a gnulib
	// file patched by a .diff the tag holds (gnulib-tool --local-dir).
	OriginTag = "tag"
	// OriginGnulib: a file of the gnulib commit the tag pins.
	OriginGnulib = "gnulib"
	// OriginUpstream: a known version of an upstream project (the
	// embedded database of gnulib, autoconf, automake, libtool, gettext,
	// pkg-config, autoconf-archive and gtk-doc files).
	OriginUpstream = "upstream"
	// OriginTagRule: made again, byte for byte, by a rule of a makefile in
	// the tag (Path, rule line Line, target Target), run in the sandbox on
	// the tag's files only.
	OriginTagRule = "tag-rule"
	// OriginTagArchive: a member of an archive (tar, tar.gz, tar.xz,
	// zip, ...) that the tag holds near the file: a test suite or a
	// bootstrap unpacked it before the release was made. Path is the
	// archive's path in the tag, Member the member's path in it.
	OriginTagArchive = "tag-archive"
)

// Origin is the proof of where a file's content comes from: a file whose
// git blob id (computed from the tarball's bytes) equals that of Path in
// the origin named by Kind.
type Origin struct {
	// Kind is OriginTag, OriginGnulib, OriginUpstream or
	// OriginTagArchive, or a release
	// format's kind (cargo-package, sdist-metadata, makeinfo, download,
	// download-archive).
	Kind string `json:"kind"`
	// Project and Version name the upstream release ("automake",
	// "1.16.5"; for history versions a date range "git 2021-03-01..2023-01-10").
	Project string `json:"project,omitempty"`
	Version string `json:"version,omitempty"`
	// Commit is the gnulib commit (kind gnulib), or the commit a submodule
	// of the tag pins (kind tag, with Submodule).
	Commit string `json:"commit,omitempty"`
	// Path is the file's path in the origin.
	Path string `json:"path"`
	// Patch is the tag's .diff applied to Path (kind tag).
	Patch string `json:"patch,omitempty"`
	// Member is the path of the file inside the archive Path (kind
	// tag-archive), as the archive stores it.
	Member string `json:"member,omitempty"`
	// Submodule is the path of the tag's submodule whose pinned commit
	// (Commit) holds the file, at Path (kind tag): a bootstrap copied it
	// from the submodule to another place of the release.
	Submodule string `json:"submodule,omitempty"`
	// Transform names a rewrite the copying tool made, proved by redoing
	// it ("gnulib-tool license notice: GPLv3+").
	Transform string `json:"transform,omitempty"`
	// URL and Hash name a downloaded artefact's source and the hash the
	// tag pins ("sha256:..."), for kind download.
	URL  string `json:"url,omitempty"`
	Hash string `json:"hash,omitempty"`
	// Target and Line name the make target and the line of its rule in
	// Path, for kind tag-rule.
	Target string `json:"target,omitempty"`
	Line   int    `json:"line,omitempty"`
}

// Finding is one rule hit.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Path     string   `json:"path,omitempty"`
	Message  string   `json:"message"`
	Evidence []string `json:"evidence,omitempty"`
	// Selects are the release paths that a file-selecting pattern of the
	// flagged build logic picks (grep -l/-r, find, globs); the evidence
	// names them too.
	Selects []string `json:"selects,omitempty"`
	// Subject ("tag", "tarball") and Signer (the key's fingerprint or
	// identity, as the message names it) say which signature a signature
	// finding is about, for FoldSignerFindings; not in the JSON, whose
	// message names them.
	Subject string `json:"-"`
	Signer  string `json:"-"`
}

// Generator is a generator seen in the tarball's stamps.
type Generator struct {
	Name    string   `json:"name"`
	Version string   `json:"version"`
	Files   int      `json:"files"`
	Example string   `json:"example,omitempty"`
	Paths   []string `json:"-"`
}

// RebuildInfo summarises a --rebuild run.
type RebuildInfo struct {
	Mode       string   `json:"mode"`
	Sandbox    string   `json:"sandbox"`
	Commands   []string `json:"commands"`
	Reproduced int      `json:"reproduced"`
	Differs    int      `json:"differs"`
	NotRepro   int      `json:"not_reproducible"`
	M4Inputs   []string `json:"m4_inputs_from_tarball,omitempty"`
	HostTools  []string `json:"host_tools,omitempty"`
	Notes      []string `json:"notes,omitempty"`
	// Toolchain lists the exact toolchain laid over the sandbox's /usr
	// ("autoconf 2.69 from autoconf2.69 2.69-3.1 (bookworm)"), ToolchainID
	// its content id; empty when the host's tools matched the stamps.
	Toolchain   []string `json:"toolchain,omitempty"`
	ToolchainID string   `json:"toolchain_id,omitempty"`
	// InputsProved are the inputs only in the tarball used because they are
	// identical to a known upstream copy ("m4/foo.m4 (gnulib ...)");
	// InputsReplaced those replaced by their closest upstream copy or left out.
	InputsProved   []string `json:"inputs_proved,omitempty"`
	InputsReplaced []string `json:"inputs_replaced,omitempty"`
	// Cached is true when the regenerated files came from the rebuild
	// result cache (same tag tree, inputs and toolchain).
	Cached bool `json:"cached,omitempty"`
}

// PolicyInfo records how a policy file shaped the report.
type PolicyInfo struct {
	File  string   `json:"file"`
	Stale []string `json:"stale_expectations,omitempty"`
}

// MaxSeverity is the highest severity among findings and files.
func (r *Report) MaxSeverity() (Severity, bool) {
	var max Severity
	any := false
	for _, f := range r.Findings {
		if !any || f.Severity > max {
			max, any = f.Severity, true
		}
	}
	for _, f := range r.Files {
		if !any || f.Severity > max {
			max, any = f.Severity, true
		}
	}
	return max, any
}

// verdict is the verdict the findings, the files and FailOn call for.
func (r *Report) verdict() Verdict {
	if max, ok := r.MaxSeverity(); ok && max >= r.FailOn {
		return Fail
	}
	return Pass
}

// Decide sets Verdict from the findings, the files and FailOn.
func (r *Report) Decide() { r.Verdict = r.verdict() }

// Outcome is the verdict and what led to it.
type Outcome struct {
	Verdict Verdict
	// Max is the highest severity of a finding or file; Any says whether
	// there is any finding or differing file at all.
	Max Severity
	Any bool
	// Findings and Files count those at or above FailOn.
	Findings, Files int
}

// Outcome returns the verdict (Verdict, or as Decide would set it when the
// report has none) and the counts behind it.
func (r *Report) Outcome() Outcome {
	o := Outcome{Verdict: r.Verdict}
	o.Max, o.Any = r.MaxSeverity()
	for _, f := range r.Findings {
		if f.Severity >= r.FailOn {
			o.Findings++
		}
	}
	for _, f := range r.Files {
		if f.Severity >= r.FailOn {
			o.Files++
		}
	}
	if o.Verdict == "" {
		o.Verdict = r.verdict()
	}
	return o
}

// MorePaths is the last evidence line of a grouped finding that lists only
// the first of its paths: how many more there are (the report's files list
// has every one). MorePathsCount reads it back.
func MorePaths(n int) string {
	return fmt.Sprintf("... and %d more (the files list has every one)", n)
}

// MorePathsCount is the count of an evidence line MorePaths wrote.
func MorePathsCount(line string) (int, bool) {
	var n int
	if _, err := fmt.Sscanf(line, "... and %d more (the files list has every one)", &n); err != nil {
		return 0, false
	}
	return n, true
}
