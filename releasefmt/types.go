package releasefmt

import (
	"iter"
	"sort"
)

// Severity ranks how much attention a path needs. The values are the same
// strings as autotools.Severity, so a caller converts with a plain cast.
type Severity string

// Severities, lowest first.
const (
	SevInfo   Severity = "info"
	SevLow    Severity = "low"
	SevMedium Severity = "medium"
	SevHigh   Severity = "high"
)

// Origin kinds returned in Explanation.Origin.Kind.
const (
	KindCargoPackage = "cargo-package" // file written or rewritten by `cargo package`
	KindSdistMeta    = "sdist-metadata"
	KindMakeinfo     = "makeinfo"
	KindDownload     = "download"         // file whose hash a script in the tag pins
	KindDownloadTree = "download-archive" // file under a directory a pinned archive unpacks into
)

// Rule ids of the findings this package emits (proposed to the report's
// catalogue as the TC9xx range; TC8xx is the history checks).
const (
	RuleCrateCommit     = "TC901" // .cargo_vcs_info.json names another commit
	RuleCrateOrig       = "TC902" // Cargo.toml.orig differs from the tag's Cargo.toml
	RuleCrateNormalized = "TC903" // Cargo.toml holds a change cargo does not make
	RuleCrateDirty      = "TC904" // crate packaged from a modified working tree
	RuleCrateVCSInfo    = "TC905" // .cargo_vcs_info.json unreadable
	RuleSdistMeta       = "TC911" // PKG-INFO / egg-info name or version differs from the tag
	RuleInfoNotMakeinfo = "TC921" // a .info file that is not makeinfo output
	RuleDownloadHash    = "TC931" // a downloaded file whose hash differs from the pinned one
)

// TarFile is one tarball file that is not identical to the tag's file at the
// same path.
type TarFile struct {
	// Path is slash-separated, relative to the release root (the tarball's
	// top directory stripped).
	Path string
	// InTag is true when the tag has a file at the same (mapped) path whose
	// content differs; false when the file is only in the tarball.
	InTag bool
}

// Input is everything Explain may look at. Content getters return false
// when the file is absent or too big to keep; they must be cheap to call
// more than once (the caller caches).
type Input struct {
	// TagPaths yields the paths of the tag's whole tree (slash-separated,
	// relative to the repository root; walked only by the checks that need
	// it, so a large tree is never held as a list); TagContent reads one
	// of its files.
	TagPaths   iter.Seq[string]
	TagContent func(path string) ([]byte, bool)
	// TarFiles are the tarball's differing and only-in-tarball files,
	// TarContent reads any tarball file (also identical ones).
	TarFiles   []TarFile
	TarContent func(path string) ([]byte, bool)
	// Commit is the tag's commit id (hex), Version the release version
	// ("1.2.3", no leading "v").
	Commit  string
	Version string
	// Subtree is the tag path prefix the tarball maps to ("" for the
	// repository root, "crates/foo" for a crate), as returned by
	// DetectCrate. Tag paths are Subtree + "/" + tarball path.
	Subtree string
}

// Origin says where a file comes from.
type Origin struct {
	// Kind is one of the Kind* constants.
	Kind string `json:"kind"`
	// Detail is a short human description ("normalized Cargo.toml of foo 1.2.3").
	Detail string `json:"detail"`
	// Source is the tag path the file was derived from, when there is one
	// (the .texi, the script that downloads it, the Cargo.toml).
	Source string `json:"source,omitempty"`
	// URL and Hash are set for downloaded artefacts: where the script
	// fetches it and the pinned hash ("sha256:...").
	URL  string `json:"url,omitempty"`
	Hash string `json:"hash,omitempty"`
	// Commit is the commit a crate's .cargo_vcs_info.json records.
	Commit string `json:"commit,omitempty"`
}

// Explanation proves one tarball path.
type Explanation struct {
	Path     string
	Origin   Origin
	Severity Severity
	Reason   string
}

// Finding is a failed check. Evidence quotes the bytes that show it.
type Finding struct {
	Rule     string
	Severity Severity
	Path     string
	Message  string
	Evidence string
}

// Result is Explain's answer. Explained is sorted by path; a path appears at
// most once. Findings are sorted by path then rule.
type Result struct {
	Explained []Explanation
	Findings  []Finding
	// Formats lists the formats recognised ("crate", "sdist", "makeinfo",
	// "download", "pytest-cache", "version-stamp", "substituted"), sorted.
	Formats []string
}

// Explain runs every format's checks. It never panics on bad input: a file
// that cannot be parsed is simply not explained (or, where the format's
// marker is present, reported).
func Explain(in Input) Result {
	var c collector
	c.explained = map[string]Explanation{}
	c.formats = map[string]bool{}
	if in.TagContent == nil {
		in.TagContent = func(string) ([]byte, bool) { return nil, false }
	}
	if in.TarContent == nil {
		in.TarContent = func(string) ([]byte, bool) { return nil, false }
	}
	explainCrate(in, &c)
	explainSdist(in, &c)
	explainInfo(in, &c)
	explainDownloads(in, &c)
	explainPytestCache(in, &c)
	explainVersionStamp(in, &c)
	explainSubstituted(in, &c)
	return c.result()
}

type collector struct {
	explained map[string]Explanation
	findings  []Finding
	formats   map[string]bool
}

// explain records e unless the path is already explained (first format wins).
func (c *collector) explain(e Explanation) {
	if _, ok := c.explained[e.Path]; !ok {
		c.explained[e.Path] = e
	}
}

func (c *collector) find(f Finding) { c.findings = append(c.findings, f) }

func (c *collector) result() Result {
	var r Result
	for _, e := range c.explained {
		r.Explained = append(r.Explained, e)
	}
	sort.Slice(r.Explained, func(i, j int) bool { return r.Explained[i].Path < r.Explained[j].Path })
	r.Findings = c.findings
	sort.SliceStable(r.Findings, func(i, j int) bool {
		a, b := r.Findings[i], r.Findings[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Rule < b.Rule
	})
	for f := range c.formats {
		r.Formats = append(r.Formats, f)
	}
	sort.Strings(r.Formats)
	return r
}

// tagPath maps a tarball path to the tag path under in.Subtree.
func (in Input) tagPath(p string) string {
	if in.Subtree == "" {
		return p
	}
	return in.Subtree + "/" + p
}

// evidence shortens b to a quotable line.
func evidence(b string) string {
	const max = 200
	if len(b) > max {
		return b[:max] + "…"
	}
	return b
}
