package batch

import (
	"bytes"
	"encoding/json"
	"io"
	"os"

	"github.com/tarcheck/tarcheck/internal/batchmerge"
	"github.com/tarcheck/tarcheck/internal/limits"
	"github.com/tarcheck/tarcheck/verify"
	"github.com/tarcheck/tarcheck/verify/render"
	"github.com/tarcheck/tarcheck/verify/report"
)

// maxMergeInput caps one shard output read by Merge.
const maxMergeInput = limits.BatchMaxMergeInput

// Merge combines the outputs of `batch --shard K/N` runs over one manifest
// into what one unsharded run writes, to w in format:
//
//   - json: files are JSON Lines outputs (in any order; records carry their
//     manifest "index"); the merged JSON Lines, byte for byte.
//   - text, markdown: files are JSON Lines outputs; the batch summary table.
//   - sarif: files are SARIF logs of shards 1/N..N/N, in that order; the
//     one SARIF log, byte for byte.
//
// The Summary's Worst is the worst exit code of the merged releases (0 for
// sarif, whose runs record no verdict). An error (kind input) means the
// files do not add up to one run: a shard missing, twice, or unreadable.
func Merge(w io.Writer, format string, files []string) (Summary, error) {
	if len(files) == 0 {
		return Summary{}, verify.Errorf(verify.KindUsage, "batch merge needs the output files of the shards")
	}
	datas := make([][]byte, len(files))
	for i, f := range files {
		b, err := readMergeInput(f)
		if err != nil {
			return Summary{}, err
		}
		datas[i] = b
	}
	if format == "sarif" {
		shards := make([]batchmerge.SARIFShard, len(files))
		for i, f := range files {
			shards[i] = batchmerge.SARIFShard{Name: f, Shard: batchmerge.Shard{K: i + 1, N: len(files)}, Log: datas[i]}
		}
		log, err := batchmerge.MergeSARIF(shards)
		if err != nil {
			return Summary{}, verify.WithKind(verify.KindInput, err)
		}
		return Summary{}, write(w, log)
	}
	var all [][]batchmerge.Record
	for i, f := range files {
		recs, err := batchmerge.ParseJSONLines(f, bytes.NewReader(datas[i]), batchmerge.Shard{})
		if err != nil {
			return Summary{}, verify.WithKind(verify.KindInput, err)
		}
		all = append(all, recs)
	}
	recs, err := batchmerge.Merge(all...)
	if err != nil {
		return Summary{}, verify.WithKind(verify.KindInput, err)
	}
	s := Summary{Releases: len(recs), Worst: batchmerge.ExitCode(recs)}
	for _, r := range recs {
		if r.Verdict == "error" {
			s.Errors++
		}
	}
	switch format {
	case "json":
		var b bytes.Buffer
		if err := batchmerge.WriteJSONLines(&b, recs); err != nil {
			return s, err
		}
		return s, write(w, b.Bytes())
	case "text", "markdown":
		entries := make([]*render.Entry, len(recs))
		for i, r := range recs {
			if entries[i], err = mergedEntry(r); err != nil {
				return s, err
			}
		}
		var b bytes.Buffer
		if err := render.BatchEnd(&b, format, entries, nil, s.Worst); err != nil {
			return s, err
		}
		return s, write(w, b.Bytes())
	}
	return s, verify.Errorf(verify.KindUsage, "--format %q: want text, json, sarif or markdown", format)
}

// mergedEntry is the rendering view of a merged record.
func mergedEntry(r batchmerge.Record) (*render.Entry, error) {
	en := &render.Entry{Name: r.Name, ExitCode: r.ExitCode, Index: r.Index}
	if r.Verdict == "error" {
		var e struct {
			Error string `json:"error"`
			Hint  string `json:"hint"`
		}
		if err := json.Unmarshal(r.Line, &e); err != nil {
			return nil, verify.Errorf(verify.KindInput, "record of %s: %v", r.Name, err)
		}
		en.Error, en.Hint = e.Error, e.Hint
		return en, nil
	}
	en.Report = new(report.Report)
	if err := json.Unmarshal(r.Line, en.Report); err != nil {
		return nil, verify.Errorf(verify.KindInput, "record of %s: %v", r.Name, err)
	}
	return en, nil
}

// readMergeInput reads one shard's output, capped.
func readMergeInput(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, verify.Errorf(verify.KindInput, "%v", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxMergeInput+1))
	if err != nil {
		return nil, verify.Errorf(verify.KindInput, "reading %s: %v", name, err)
	}
	if len(b) > maxMergeInput {
		return nil, verify.Errorf(verify.KindInput, "%s is larger than %d bytes", name, maxMergeInput)
	}
	return b, nil
}

func write(w io.Writer, b []byte) error {
	if _, err := w.Write(b); err != nil {
		return verify.Errorf(verify.KindEnvironment, "writing output: %v", err)
	}
	return nil
}
