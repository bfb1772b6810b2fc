package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/tarcheck/tarcheck/verify/report"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/tarcheck/tarcheck/verify"
	"github.com/tarcheck/tarcheck/verify/fetch"
	"github.com/tarcheck/tarcheck/verify/gitsrc"
	"github.com/tarcheck/tarcheck/verify/render"
)

// Limits on a batch manifest, which may come from a merge request and is
// therefore untrusted.
const (
	// maxManifestSize caps the manifest file.
	maxManifestSize = 8 << 20
	// maxReleases caps the number of releases in one manifest.
	maxReleases = 100_000
	// maxReleaseName caps a release name, in bytes.
	maxReleaseName = 256
	// maxJobs caps --jobs.
	maxJobs = 256
	// maxShards caps N in --shard K/N.
	maxShards = 1_000_000
)

// manifest is a batch manifest: `releases: [...]`, in YAML or JSON.
type manifest struct {
	Releases []manifestRelease `yaml:"releases" json:"releases"`
}

// manifestRelease is one release of a batch manifest (issue 7 fixes the
// names; new keys may be added, none renamed). Relative paths are relative to
// the manifest's directory.
type manifestRelease struct {
	Name                  string     `yaml:"name" json:"name"`
	Tarball               string     `yaml:"tarball" json:"tarball"`
	Git                   string     `yaml:"git" json:"git"`
	Tag                   string     `yaml:"tag" json:"tag"`
	Keyring               stringList `yaml:"keyring" json:"keyring"`
	TagKeyring            stringList `yaml:"tag-keyring" json:"tag-keyring"`
	Signature             string     `yaml:"signature" json:"signature"`
	AllowedSigners        string     `yaml:"allowed-signers" json:"allowed-signers"`
	Bundle                string     `yaml:"bundle" json:"bundle"`
	TrustedRoot           string     `yaml:"trusted-root" json:"trusted-root"`
	CertificateIdentity   string     `yaml:"certificate-identity" json:"certificate-identity"`
	CertificateOIDCIssuer string     `yaml:"certificate-oidc-issuer" json:"certificate-oidc-issuer"`
	TagIdentity           string     `yaml:"tag-certificate-identity" json:"tag-certificate-identity"`
	TagOIDCIssuer         string     `yaml:"tag-certificate-oidc-issuer" json:"tag-certificate-oidc-issuer"`
	RequireSignature      bool       `yaml:"require-signature" json:"require-signature"`
	Policy                string     `yaml:"policy" json:"policy"`
}

// stringList is a YAML/JSON value that is either one string or a list of strings.
type stringList []string

func (s *stringList) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			*s = nil
			return nil
		}
		var one string
		if err := n.Decode(&one); err != nil {
			return err
		}
		*s = stringList{one}
		return nil
	case yaml.SequenceNode:
		var many []string
		if err := n.Decode(&many); err != nil {
			return err
		}
		*s = many
		return nil
	}
	return fmt.Errorf("line %d: want a string or a list of strings", n.Line)
}

func (s *stringList) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		*s = nil
		return nil
	}
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = stringList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("want a string or a list of strings")
	}
	*s = many
	return nil
}

// parseManifest decodes a manifest (JSON when it starts with '{', else
// YAML), rejects unknown keys, fills in default names, checks that names are
// unique and resolves relative paths against baseDir.
func parseManifest(name string, data []byte, baseDir string) ([]manifestRelease, error) {
	bad := func(format string, args ...any) error {
		return verify.Errorf(verify.KindUsage, "manifest %s: %s", name, fmt.Sprintf(format, args...))
	}
	if len(data) > maxManifestSize {
		return nil, bad("larger than %d bytes", maxManifestSize)
	}
	var m manifest
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&m); err != nil {
			return nil, bad("%s", oneLineErr(err))
		}
		if dec.More() {
			return nil, bad("trailing data after the JSON object")
		}
	} else {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return nil, bad("empty: want `releases:` with a list of releases")
			}
			return nil, bad("%s", oneLineErr(err))
		}
		var extra yaml.Node
		if err := dec.Decode(&extra); err == nil {
			return nil, bad("more than one YAML document")
		}
	}
	if len(m.Releases) == 0 {
		return nil, bad("no releases: want `releases:` with a list of releases")
	}
	if len(m.Releases) > maxReleases {
		return nil, bad("%d releases, more than the limit of %d", len(m.Releases), maxReleases)
	}
	seen := make(map[string]int, len(m.Releases))
	for i := range m.Releases {
		r := &m.Releases[i]
		if strings.TrimSpace(r.Tarball) == "" {
			return nil, bad("releases[%d]: tarball is required", i)
		}
		if strings.TrimSpace(r.Git) == "" {
			return nil, bad("releases[%d]: git is required", i)
		}
		if r.Name == "" {
			r.Name = defaultReleaseName(r.Tarball)
		}
		if err := checkReleaseName(r.Name); err != nil {
			return nil, bad("releases[%d]: name: %v", i, err)
		}
		if j, dup := seen[r.Name]; dup {
			return nil, bad("releases[%d] and releases[%d] are both named %q: names must be unique", j, i, r.Name)
		}
		seen[r.Name] = i
		for _, k := range append(append([]string{}, r.Keyring...), r.TagKeyring...) {
			if strings.TrimSpace(k) == "" {
				return nil, bad("releases[%d] (%s): an empty keyring file name", i, r.Name)
			}
		}
		r.Tarball = resolveMaterial(baseDir, r.Tarball)
		r.Git = resolveRepo(baseDir, r.Git)
		for k := range r.Keyring {
			r.Keyring[k] = resolveMaterial(baseDir, r.Keyring[k])
		}
		for k := range r.TagKeyring {
			r.TagKeyring[k] = resolveMaterial(baseDir, r.TagKeyring[k])
		}
		r.Signature = resolveMaterial(baseDir, r.Signature)
		r.AllowedSigners = resolveMaterial(baseDir, r.AllowedSigners)
		r.Bundle = resolveMaterial(baseDir, r.Bundle)
		r.TrustedRoot = resolveMaterial(baseDir, r.TrustedRoot)
		r.Policy = resolvePath(baseDir, r.Policy)
	}
	return m.Releases, nil
}

func oneLineErr(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// defaultReleaseName is a tarball's file name without its archive suffix.
func defaultReleaseName(tarball string) string {
	b := tarball
	if i := strings.IndexAny(b, "?#"); i >= 0 && fetch.IsURL(b) {
		b = b[:i]
	}
	b = b[strings.LastIndexAny(b, `/\`)+1:]
	lb := strings.ToLower(b)
	for _, s := range []string{".tar.gz", ".tar.xz", ".tar.bz2", ".tar.zst", ".tar.lz", ".tar.lzma",
		".tgz", ".txz", ".tbz2", ".tbz", ".tzst", ".tar", ".zip"} {
		if strings.HasSuffix(lb, s) {
			return b[:len(b)-len(s)]
		}
	}
	return b
}

// checkReleaseName accepts printable, single-line names of bounded length.
func checkReleaseName(name string) error {
	if strings.TrimSpace(name) == "" {
		return errors.New("empty")
	}
	if len(name) > maxReleaseName {
		return fmt.Errorf("longer than %d bytes", maxReleaseName)
	}
	if !utf8.ValidString(name) {
		return errors.New("not valid UTF-8")
	}
	for _, r := range name {
		if !unicode.IsPrint(r) {
			return fmt.Errorf("contains the non-printable character %U", r)
		}
	}
	return nil
}

// resolvePath makes a relative local path relative to base.
func resolvePath(base, p string) string {
	if p == "" || p == "-" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(base, p)
}

// resolveMaterial is resolvePath for inputs that may also be URLs.
func resolveMaterial(base, p string) string {
	if fetch.IsURL(p) {
		return p
	}
	return resolvePath(base, p)
}

// resolveRepo is resolvePath for git sources, which may be URLs or
// scp-like user@host:path addresses.
func resolveRepo(base, p string) string {
	if strings.Contains(p, "://") {
		return p
	}
	local := resolvePath(base, p)
	if _, err := os.Stat(local); err == nil {
		return local
	}
	if gitsrc.IsRemote(p) {
		return p
	}
	return local
}

// shard is --shard K/N: release i (0-based, manifest order) belongs to
// shard (i mod N)+1, so the N shards partition the manifest and each gets
// every N-th release (balanced even when the manifest is sorted by size).
type shard struct{ k, n int }

func parseShard(s string) (shard, error) {
	if s == "" {
		return shard{1, 1}, nil
	}
	ks, ns, ok := strings.Cut(s, "/")
	k, err1 := strconv.Atoi(strings.TrimSpace(ks))
	n, err2 := strconv.Atoi(strings.TrimSpace(ns))
	if !ok || err1 != nil || err2 != nil || n < 1 || n > maxShards || k < 1 || k > n {
		return shard{}, fmt.Errorf("--shard %q: want K/N with 1 <= K <= N <= %d, e.g. 2/8", s, maxShards)
	}
	return shard{k, n}, nil
}

func (s shard) has(i int) bool { return i%s.n == s.k-1 }

// batchResult is one release's outcome, rendered by its worker.
type batchResult struct {
	index   int
	name    string
	verdict string // pass, fail or error
	highest string // highest severity, "-" when none
	code    int
	err     error
	chunk   []byte // this release's part of the output
}

// exitRank orders exit codes from best to worst: 0 < 1 (fail) < 2 (usage or
// input) < 3 (environment) < 130 (interrupted). A release that could not be
// checked outranks a failing one: its verdict is unknown.
func exitRank(code int) int {
	switch code {
	case exitPass:
		return 0
	case exitFail:
		return 1
	case exitUsage:
		return 2
	case exitEnvironment:
		return 3
	}
	return 4
}

func newBatchCmd(e *env) *cobra.Command {
	var out outputFlags
	var vf verifyFlags
	var jobs int
	var shardFlag string
	cmd := &cobra.Command{
		Use:   "batch MANIFEST",
		Short: "Verify every release listed in a manifest",
		Long: `batch verifies every release of a YAML or JSON manifest (- reads stdin):

  releases:
    - name: foo-1.2                                 # default: the tarball's file name
      tarball: https://example.org/foo-1.2.tar.xz   # path or URL
      git: https://example.org/foo.git
      tag: v1.2                                     # optional, inferred otherwise
      keyring: keys/foo.asc                         # a file or a list of files
      policy: policies/foo.yaml

Also per release: tag-keyring, signature, allowed-signers, bundle, trusted-root,
certificate-identity, certificate-oidc-issuer, tag-certificate-identity,
tag-certificate-oidc-issuer, require-signature. Relative paths
are relative to the manifest; unknown keys are errors. Flags given on the command
line apply to every release: --keyring files are added to each release's, and a
release's own policy replaces --policy.

--jobs runs releases concurrently with one shared cache; the output is in manifest
order whatever --jobs is. --shard K/N keeps release i (counting from 0) when
i mod N = K-1, so N jobs with K = 1..N split a manifest exactly.

Output: --format json writes JSON Lines, one report per release with its "name"
and "exit_code" first; a release that could not be verified is a line
{"name", "exit_code", "error"}. text and markdown write each report and then a
summary table. sarif writes one SARIF log with one run per release.

The exit code is the worst of the releases': 130 interrupted > 3 environment >
2 usage or input > 1 fail > 0 pass.`,
		Example: `  tarcheck batch releases.yaml --jobs 4 --format json > results.jsonl
  tarcheck batch releases.yaml --shard 2/8 --format markdown >> "$GITHUB_STEP_SUMMARY"`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError{fmt.Errorf("batch needs exactly one MANIFEST argument, got %d", len(args))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if jobs < 1 || jobs > maxJobs {
				return usageError{fmt.Errorf("--jobs %d: want 1 to %d", jobs, maxJobs)}
			}
			sh, err := parseShard(shardFlag)
			if err != nil {
				return usageError{err}
			}
			for _, f := range []string{"signature", "bundle", "certificate-identity", "certificate-identity-regexp",
				"certificate-oidc-issuer", "certificate-oidc-issuer-regexp", "tag-certificate-identity",
				"tag-certificate-identity-regexp", "tag-certificate-oidc-issuer", "tag-certificate-oidc-issuer-regexp"} {
				if cmd.Flags().Changed(f) {
					return usageError{fmt.Errorf("--%s is per release in batch: set it in the manifest", f)}
				}
			}
			rels, err := readManifest(e, args[0])
			if err != nil {
				return err
			}
			b := &batch{e: e, out: out, vf: vf, jobs: jobs}
			b.out.progress = false
			for i := range rels {
				if sh.has(i) {
					b.idx = append(b.idx, i)
				}
			}
			b.rels = rels
			return b.run(cmd.Context())
		},
	}
	out.register(cmd)
	vf.register(cmd, false)
	cmd.Flags().IntVarP(&jobs, "jobs", "j", 1, "verify up to `N` releases at once")
	cmd.Flags().StringVar(&shardFlag, "shard", "", "verify only shard `K/N` of the manifest (release i when i mod N = K-1)")
	return cmd
}

func readManifest(e *env, name string) ([]manifestRelease, error) {
	var data []byte
	var err error
	base := "."
	if name == "-" {
		data, err = io.ReadAll(io.LimitReader(e.stdin, maxManifestSize+1))
	} else {
		var f *os.File
		if f, err = os.Open(name); err == nil {
			data, err = io.ReadAll(io.LimitReader(f, maxManifestSize+1))
			f.Close()
		}
		base = filepath.Dir(name)
	}
	if err != nil {
		return nil, usageError{fmt.Errorf("reading manifest: %v", err)}
	}
	return parseManifest(name, data, base)
}

// batch is one `tarcheck batch` run over the selected releases.
type batch struct {
	e    *env
	out  outputFlags
	vf   verifyFlags
	jobs int
	rels []manifestRelease
	idx  []int // selected manifest indices, in order

	gitLocks sync.Map // git source -> *sync.Mutex
}

func (b *batch) run(ctx context.Context) error {
	// Where the output goes: streamed to stdout in manifest order, or
	// buffered and written atomically (--output, and SARIF, one document).
	var dst io.Writer = b.e.stdout
	var buf bytes.Buffer
	toFile := b.out.output != "" && b.out.output != "-"
	if toFile || b.out.format == "sarif" {
		dst = &buf
	}
	color := b.out.renderOptions(b.e, dst)

	results := make(chan *batchResult)
	work := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(b.jobs, len(b.idx)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				results <- b.one(ctx, i, color)
			}
		}()
	}
	go func() {
		defer close(work)
		for _, i := range b.idx {
			select {
			case work <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()

	// Collect and write in manifest order.
	pos := make(map[int]int, len(b.idx)) // manifest index -> position in b.idx
	for p, i := range b.idx {
		pos[i] = p
	}
	pending := map[int]*batchResult{}
	var rows []*batchResult
	next := 0
	var writeErr error
	for res := range results {
		pending[pos[res.index]] = res
		for {
			r, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			rows = append(rows, r)
			if r.err != nil && ctx.Err() == nil {
				printError(b.e.stderr, fmt.Errorf("%s: %w", r.name, r.err))
			}
			if b.out.format != "sarif" {
				if writeErr == nil {
					_, writeErr = dst.Write(r.chunk)
				}
				r.chunk = nil // SARIF keeps the runs for the final document
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if writeErr != nil {
		return verify.Errorf(verify.KindEnvironment, "writing output: %v", writeErr)
	}
	worst, nerr := exitPass, 0
	for _, r := range rows {
		if exitRank(r.code) > exitRank(worst) {
			worst = r.code
		}
		if r.err != nil {
			nerr++
		}
	}
	switch b.out.format {
	case "text":
		writeTextSummary(dst, rows, worst)
	case "markdown":
		writeMarkdownSummary(dst, rows, worst)
	case "sarif":
		if err := b.writeSARIF(dst, rows); err != nil {
			return err
		}
	}
	if toFile {
		if err := writeFileAtomic(b.out.output, buf.Bytes()); err != nil {
			return err
		}
	} else if dst == &buf {
		if _, err := b.e.stdout.Write(buf.Bytes()); err != nil {
			return verify.Errorf(verify.KindEnvironment, "writing output: %v", err)
		}
	}
	summary := fmt.Sprintf("%d of %d releases could not be verified (exit code %d)", nerr, len(rows), worst)
	switch worst {
	case exitPass:
		return nil
	case exitFail:
		return errVerdictFail
	case exitUsage:
		return verify.Errorf(verify.KindInput, "%s", summary)
	default:
		return verify.Errorf(verify.KindEnvironment, "%s", summary)
	}
}

// gitLock serialises releases that share a remote or bundle git source:
// they fetch into the same cache repository. Local repositories are only
// read, so they need no lock.
func (b *batch) gitLock(source string) *sync.Mutex {
	if fi, err := os.Stat(source); err == nil && fi.IsDir() {
		return nil
	}
	l, _ := b.gitLocks.LoadOrStore(source, &sync.Mutex{})
	return l.(*sync.Mutex)
}

// one verifies and renders manifest release i.
func (b *batch) one(ctx context.Context, i int, ro render.Options) *batchResult {
	rel := &b.rels[i]
	res := &batchResult{index: i, name: rel.Name, highest: "-"}
	r, err := b.verifyOne(ctx, rel)
	if err != nil {
		res.err, res.verdict, res.code = err, "error", exitCode(ctx, err)
	} else {
		res.verdict = string(r.Verdict)
		if max, ok := r.MaxSeverity(); ok {
			res.highest = max.String()
		}
		if r.Verdict == report.Fail {
			res.code = exitFail
		}
	}
	var chunk bytes.Buffer
	if rerr := b.render(&chunk, res, r, ro); rerr != nil && res.err == nil {
		res.err, res.verdict, res.code = rerr, "error", exitEnvironment
	}
	res.chunk = chunk.Bytes()
	return res
}

func (b *batch) verifyOne(ctx context.Context, rel *manifestRelease) (*report.Report, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	vf := b.vf
	vf.git, vf.tag = rel.Git, rel.Tag
	vf.keyrings = append(append([]string{}, b.vf.keyrings...), rel.Keyring...)
	if len(rel.TagKeyring) > 0 {
		vf.tagKeyrings = append(append([]string{}, b.vf.tagKeyrings...), rel.TagKeyring...)
	}
	vf.signature, vf.bundle = rel.Signature, rel.Bundle
	vf.identity, vf.issuer = rel.CertificateIdentity, rel.CertificateOIDCIssuer
	vf.tagIdentity, vf.tagIssuer = rel.TagIdentity, rel.TagOIDCIssuer
	if rel.AllowedSigners != "" {
		vf.allowedSigners = rel.AllowedSigners
	}
	if rel.TrustedRoot != "" {
		vf.trustedRoot = rel.TrustedRoot
	}
	if rel.Policy != "" {
		vf.policy = rel.Policy
	}
	vf.requireSig = vf.requireSig || rel.RequireSignature
	o, err := vf.options(b.e, &b.out, rel.Tarball)
	if err != nil {
		return nil, err
	}
	o.Progress = nil
	if b.out.verbose {
		name := sanitizeLine(rel.Name)
		o.Logf = func(format string, args ...any) {
			fmt.Fprintf(b.e.stderr, "tarcheck: %s: %s\n", name, sanitizeLine(fmt.Sprintf(format, args...)))
		}
	}
	if l := b.gitLock(rel.Git); l != nil {
		l.Lock()
		defer l.Unlock()
	}
	return verify.Run(ctx, o)
}

// render writes one release's part of the output.
func (b *batch) render(w *bytes.Buffer, res *batchResult, r *report.Report, ro render.Options) error {
	switch b.out.format {
	case "json":
		return jsonLine(w, res, r)
	case "sarif":
		return sarifRun(w, res, r)
	case "markdown":
		fmt.Fprintf(w, "## %s\n\n", mdEscape(res.name))
		if r == nil {
			fmt.Fprintf(w, "**ERROR** (exit code %d): %s\n\n", res.code, mdEscape(res.err.Error()))
			return nil
		}
		if err := render.Markdown(w, r); err != nil {
			return err
		}
		w.WriteString("\n")
		return nil
	default:
		fmt.Fprintf(w, "=== %s\n", render.EscapeText(res.name))
		if r == nil {
			fmt.Fprintf(w, "error (exit code %d): %s\n\n", res.code, sanitizeLine(res.err.Error()))
			return nil
		}
		if err := render.Text(w, r, ro); err != nil {
			return err
		}
		w.WriteString("\n")
		return nil
	}
}

// jsonLine writes one JSON Lines record: the report with "name" and
// "exit_code" first, or {"name","exit_code","error"[,"hint"]}.
func jsonLine(w *bytes.Buffer, res *batchResult, r *report.Report) error {
	head := struct {
		Name     string `json:"name"`
		ExitCode int    `json:"exit_code"`
		Error    string `json:"error,omitempty"`
		Hint     string `json:"hint,omitempty"`
	}{Name: res.name, ExitCode: res.code}
	if r == nil {
		head.Error = res.err.Error()
		head.Hint = hintFor(res.err)
		return writeCompactJSON(w, head)
	}
	var rep bytes.Buffer
	if err := render.JSON(&rep, r); err != nil {
		return err
	}
	var body bytes.Buffer
	if err := json.Compact(&body, rep.Bytes()); err != nil {
		return fmt.Errorf("compacting the json report: %w", err)
	}
	hb, err := marshalNoEscape(head)
	if err != nil {
		return err
	}
	// Splice {"name":..,"exit_code":..} and {report...} into one object.
	w.Write(hb[:len(hb)-1])
	if len(body.Bytes()) > 2 {
		w.WriteByte(',')
		w.Write(body.Bytes()[1:])
	} else {
		w.WriteByte('}')
	}
	w.WriteByte('\n')
	return nil
}

func marshalNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

func writeCompactJSON(w *bytes.Buffer, v any) error {
	b, err := marshalNoEscape(v)
	if err != nil {
		return err
	}
	w.Write(b)
	w.WriteByte('\n')
	return nil
}

// sarifRun writes the release's SARIF run as one JSON value: the run of
// render.SARIF with automationDetails.id "tarcheck/<name>/" (so that code
// scanning keeps the runs apart), or, when the release could not be
// verified, a run whose invocation failed with the error.
func sarifRun(w *bytes.Buffer, res *batchResult, r *report.Report) error {
	auto := map[string]string{"id": "tarcheck/" + res.name + "/"}
	if r == nil {
		run := map[string]any{
			"tool": map[string]any{"driver": map[string]any{"name": "tarcheck", "version": version(),
				"informationUri": render.InformationURI}},
			"automationDetails": auto,
			"invocations": []any{map[string]any{
				"executionSuccessful": false,
				"exitCode":            res.code,
				"toolExecutionNotifications": []any{map[string]any{
					"level": "error", "message": map[string]string{"text": res.err.Error()}}},
			}},
			"results": []any{},
		}
		return writeCompactJSON(w, run)
	}
	var buf bytes.Buffer
	if err := render.SARIF(&buf, r); err != nil {
		return err
	}
	var log struct {
		Runs []map[string]json.RawMessage `json:"runs"`
	}
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil || len(log.Runs) != 1 {
		return fmt.Errorf("sarif report of %s: want one run (%v)", res.name, err)
	}
	run := log.Runs[0]
	ab, err := marshalNoEscape(auto)
	if err != nil {
		return err
	}
	run["automationDetails"] = ab
	return writeCompactJSON(w, run)
}

// writeSARIF writes one SARIF 2.1.0 log whose runs are the releases', in order.
func (b *batch) writeSARIF(w io.Writer, rows []*batchResult) error {
	runs := make([]json.RawMessage, 0, len(rows))
	for _, r := range rows {
		runs = append(runs, json.RawMessage(bytes.TrimSpace(r.chunk)))
	}
	doc := struct {
		Schema  string            `json:"$schema"`
		Version string            `json:"version"`
		Runs    []json.RawMessage `json:"runs"`
	}{render.SARIFSchemaURI, render.SARIFVersion, runs}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("writing sarif log: %w", err)
	}
	return nil
}

func writeTextSummary(w io.Writer, rows []*batchResult, worst int) {
	counts := map[string]int{}
	for _, r := range rows {
		counts[r.verdict]++
	}
	fmt.Fprintf(w, "=== summary: %d releases: %d pass, %d fail, %d error; exit code %d\n",
		len(rows), counts["pass"], counts["fail"], counts["error"], worst)
	if len(rows) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tVERDICT\tHIGHEST\tEXIT")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\n", render.EscapeText(r.name), r.verdict, r.highest, r.code)
	}
	tw.Flush()
}

func writeMarkdownSummary(w io.Writer, rows []*batchResult, worst int) {
	counts := map[string]int{}
	for _, r := range rows {
		counts[r.verdict]++
	}
	fmt.Fprintf(w, "## tarcheck batch summary\n\n%d releases: %d pass, %d fail, %d error; exit code %d.\n\n",
		len(rows), counts["pass"], counts["fail"], counts["error"], worst)
	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(w, "| release | verdict | highest severity | exit code |\n|---|---|---|---:|\n")
	for _, r := range rows {
		v := r.verdict
		if v != "pass" {
			v = "**" + strings.ToUpper(v) + "**"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %d |\n", mdEscape(r.name), v, r.highest, r.code)
	}
}

// mdEscape makes an untrusted string inert in Markdown text and table cells.
func mdEscape(s string) string {
	s = render.EscapeText(s)
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_{}[]()<>#+-.!|~&", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
