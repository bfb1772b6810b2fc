// Package batchmerge merges the outputs of `tarcheck batch --shard K/N`
// runs back into what one unsharded run over the same manifest writes: the
// JSON Lines records, or the runs of the SARIF logs, in manifest order.
//
// Sharding is round-robin: release i (0-based, manifest order) belongs to
// shard (i mod N)+1, and each shard writes its releases in manifest order,
// so record j of shard K is release (K-1) + j*N. A record that carries an
// "index" field (the manifest index) is placed by it instead, which needs no
// shard number at all.
//
// The package is pure: bytes in, bytes out. Rendering the text or Markdown
// summary from the merged Records is left to the batch command, which owns
// those formats.
package batchmerge

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/tarcheck/tarcheck/internal/limits"
)

// Limits on the inputs, which are files written by tarcheck but read back
// from CI artifacts.
const (
	// MaxLineSize caps one JSON Lines record (a whole JSON report).
	MaxLineSize = limits.BatchMergeMaxLineSize
	// MaxShards caps N, as batch --shard does.
	MaxShards = limits.BatchMergeMaxShards
)

// ErrMerge means the shard outputs do not add up to one manifest run.
var ErrMerge = errors.New("cannot merge batch shards")

// Shard is --shard K/N; the zero value means "unknown": every record must
// then carry its "index".
type Shard struct{ K, N int }

// ParseShard parses "K/N" with 1 <= K <= N <= MaxShards.
func ParseShard(s string) (Shard, error) {
	k, n, ok := strings.Cut(s, "/")
	ki, err1 := strconv.Atoi(k)
	ni, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || ni < 1 || ni > MaxShards || ki < 1 || ki > ni {
		return Shard{}, fmt.Errorf("shard %q: want K/N with 1 <= K <= N <= %d, e.g. 2/8", s, MaxShards)
	}
	return Shard{ki, ni}, nil
}

// index is the manifest index of the j-th release of shard s.
func (s Shard) index(j int) (int, bool) {
	if s.N == 0 {
		return 0, false
	}
	return s.K - 1 + j*s.N, true
}

// Record is one release's JSON Lines record.
type Record struct {
	// Index is the release's position in the manifest (0-based).
	Index int
	// Name and ExitCode are the record's "name" and "exit_code".
	Name     string
	ExitCode int
	// Verdict is "pass" or "fail" from the report, or "error" for a
	// record with an "error" field (the release could not be verified).
	Verdict string
	// Highest is the highest severity among the report's findings and
	// files, or "-" when there are none (as the batch summary shows it).
	Highest string
	// Line is the record as written, without its newline.
	Line []byte
}

// severities in increasing order, as in the JSON report.
var severities = []string{"info", "low", "medium", "high", "critical"}

// ParseJSONLines reads the JSON Lines output of one shard. Records without
// an "index" field get theirs from sh and their position; with sh zero,
// every record must have one. name is the file, for errors.
func ParseJSONLines(name string, r io.Reader, sh Shard) ([]Record, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLineSize)
	var out []Record
	for line := 1; sc.Scan(); line++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		rec, err := parseRecord(b)
		if err != nil {
			return nil, fmt.Errorf("%w: %s:%d: %w", ErrMerge, name, line, err)
		}
		if rec.Index < 0 {
			i, ok := sh.index(len(out))
			if !ok {
				return nil, fmt.Errorf("%w: %s:%d: record has no \"index\"; give the shard (K/N) this file came from", ErrMerge, name, line)
			}
			rec.Index = i
		} else if sh.N != 0 && rec.Index%sh.N != sh.K-1 {
			return nil, fmt.Errorf("%w: %s:%d: release %d does not belong to shard %d/%d", ErrMerge, name, line, rec.Index, sh.K, sh.N)
		}
		rec.Line = slices.Clone(b)
		out = append(out, rec)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: reading %s: %w", ErrMerge, name, err)
	}
	return out, nil
}

// parseRecord decodes what the merge needs from one record; Index is -1
// when the record has none.
func parseRecord(b []byte) (Record, error) {
	var v struct {
		Index    *int    `json:"index"`
		Name     *string `json:"name"`
		ExitCode *int    `json:"exit_code"`
		Error    string  `json:"error"`
		Verdict  string  `json:"verdict"`
		Findings []struct {
			Severity string `json:"severity"`
		} `json:"findings"`
		Files []struct {
			Severity string `json:"severity"`
		} `json:"files"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return Record{}, fmt.Errorf("not a tarcheck batch record: %w", err)
	}
	if v.Name == nil || v.ExitCode == nil {
		return Record{}, errors.New("not a tarcheck batch record: no \"name\" or \"exit_code\"")
	}
	rec := Record{Index: -1, Name: *v.Name, ExitCode: *v.ExitCode, Verdict: v.Verdict, Highest: "-"}
	if v.Index != nil {
		if *v.Index < 0 {
			return Record{}, fmt.Errorf("negative index %d", *v.Index)
		}
		rec.Index = *v.Index
	}
	if v.Error != "" {
		rec.Verdict = "error"
		return rec, nil
	}
	if rec.Verdict != "pass" && rec.Verdict != "fail" {
		return Record{}, fmt.Errorf("record %q has verdict %q and no error", rec.Name, rec.Verdict)
	}
	high := -1
	for _, f := range v.Findings {
		high = max(high, slices.Index(severities, f.Severity))
	}
	for _, f := range v.Files {
		high = max(high, slices.Index(severities, f.Severity))
	}
	if high >= 0 {
		rec.Highest = severities[high]
	}
	return rec, nil
}

// Merge returns the records of all shards in manifest order. Two records
// for one index, or a gap (a shard that is missing or did not finish), is
// an ErrMerge naming the index.
func Merge(shards ...[]Record) ([]Record, error) {
	var all []Record
	for _, s := range shards {
		all = append(all, s...)
	}
	slices.SortStableFunc(all, func(a, b Record) int { return a.Index - b.Index })
	for i, r := range all {
		switch {
		case r.Index < i:
			return nil, fmt.Errorf("%w: release %d (%s) appears twice", ErrMerge, r.Index, r.Name)
		case r.Index > i:
			return nil, fmt.Errorf("%w: release %d is missing (before %s): a shard is missing or did not finish", ErrMerge, i, r.Name)
		}
	}
	return all, nil
}

// WriteJSONLines writes merged records as one batch run writes them.
func WriteJSONLines(w io.Writer, recs []Record) error {
	var b bytes.Buffer
	for _, r := range recs {
		b.Write(r.Line)
		b.WriteByte('\n')
	}
	_, err := w.Write(b.Bytes())
	return err
}

// ExitCode is the batch exit code of the merged records: the worst, where
// 0 (pass) < 1 (fail) < 2 (usage or input) < 3 (environment) < anything
// else, as batch ranks them.
func ExitCode(recs []Record) int {
	rank := func(c int) int {
		if c >= 0 && c <= 3 {
			return c
		}
		return 4
	}
	worst := 0
	for _, r := range recs {
		if rank(r.ExitCode) > rank(worst) {
			worst = r.ExitCode
		}
	}
	return worst
}

// SARIFShard is one shard's SARIF log with the shard it came from (SARIF
// runs carry no manifest index).
type SARIFShard struct {
	Name  string // file name, for errors
	Shard Shard
	Log   []byte
}

// MergeSARIF merges the SARIF logs of shards 1..N of one manifest into the
// log a single run writes: the same $schema and version, the runs in
// manifest order, indented by two spaces.
func MergeSARIF(shards []SARIFShard) ([]byte, error) {
	if len(shards) == 0 {
		return nil, fmt.Errorf("%w: no SARIF logs", ErrMerge)
	}
	type log struct {
		Schema  string            `json:"$schema"`
		Version string            `json:"version"`
		Runs    []json.RawMessage `json:"runs"`
	}
	var (
		first  *log
		placed = map[int]json.RawMessage{}
		seen   = map[int]string{}
	)
	n := shards[0].Shard.N
	for _, s := range shards {
		if s.Shard.N == 0 || s.Shard.N != n {
			return nil, fmt.Errorf("%w: %s: shard %d/%d, want one of N=%d", ErrMerge, s.Name, s.Shard.K, s.Shard.N, n)
		}
		if prev, dup := seen[s.Shard.K]; dup {
			return nil, fmt.Errorf("%w: %s and %s are both shard %d/%d", ErrMerge, prev, s.Name, s.Shard.K, n)
		}
		seen[s.Shard.K] = s.Name
		var l log
		if err := json.Unmarshal(s.Log, &l); err != nil {
			return nil, fmt.Errorf("%w: %s: not a SARIF log: %w", ErrMerge, s.Name, err)
		}
		if first == nil {
			first = &l
		} else if l.Schema != first.Schema || l.Version != first.Version {
			return nil, fmt.Errorf("%w: %s: SARIF %s, the others are %s", ErrMerge, s.Name, l.Version, first.Version)
		}
		for j, run := range l.Runs {
			i, _ := s.Shard.index(j)
			placed[i] = run
		}
	}
	if len(seen) != n {
		return nil, fmt.Errorf("%w: %d of %d shards given", ErrMerge, len(seen), n)
	}
	runs := make([]json.RawMessage, len(placed))
	for i := range runs {
		run, ok := placed[i]
		if !ok {
			return nil, fmt.Errorf("%w: the run of release %d is missing: a shard did not finish", ErrMerge, i)
		}
		runs[i] = run
	}
	first.Runs = runs
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(first); err != nil {
		return nil, fmt.Errorf("writing sarif log: %w", err)
	}
	return b.Bytes(), nil
}
