package batchmerge

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// releaseLine is a JSON Lines record shaped like batch's: name and
// exit_code first, then the report (or an error).
func releaseLine(i int, withIndex bool) string {
	idx := ""
	if withIndex {
		idx = fmt.Sprintf(`,"index":%d`, i)
	}
	switch i % 3 {
	case 0:
		return fmt.Sprintf(`{"name":"pkg-%d"%s,"exit_code":0,"schema":"tarcheck.report/v1","files":[{"path":"a<b>&c","severity":"low"}],"findings":[],"verdict":"pass"}`, i, idx)
	case 1:
		return fmt.Sprintf(`{"name":"pkg-%d"%s,"exit_code":1,"schema":"tarcheck.report/v1","files":[],"findings":[{"rule":"TC1","severity":"critical","message":"é"}],"verdict":"fail"}`, i, idx)
	}
	return fmt.Sprintf(`{"name":"pkg-%d"%s,"exit_code":3,"error":"network: down","hint":"retry"}`, i, idx)
}

// shardRun is what `batch --shard K/N` writes for a manifest of n releases.
func shardRun(n int, sh Shard, withIndex bool) string {
	var b strings.Builder
	for i := range n {
		if sh.N == 0 || i%sh.N == sh.K-1 {
			b.WriteString(releaseLine(i, withIndex) + "\n")
		}
	}
	return b.String()
}

func TestMergeJSONLinesEqualsUnshardedRun(t *testing.T) {
	const releases, n = 9, 3
	for _, withIndex := range []bool{false, true} {
		t.Run(fmt.Sprintf("index=%t", withIndex), func(t *testing.T) {
			want := shardRun(releases, Shard{}, withIndex)
			var parts [][]Record
			// Shards given in any order.
			for _, k := range []int{2, 3, 1} {
				sh := Shard{k, n}
				if withIndex {
					sh = Shard{} // the index alone places the records
				}
				recs, err := ParseJSONLines(fmt.Sprintf("shard-%d.jsonl", k), strings.NewReader(shardRun(releases, Shard{k, n}, withIndex)), sh)
				if err != nil {
					t.Fatal(err)
				}
				parts = append(parts, recs)
			}
			merged, err := Merge(parts...)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := WriteJSONLines(&got, merged); err != nil {
				t.Fatal(err)
			}
			if got.String() != want {
				t.Errorf("merged output differs from the unsharded run:\n got %s\nwant %s", got.String(), want)
			}
			if ExitCode(merged) != 3 {
				t.Errorf("exit code %d, want 3 (worst)", ExitCode(merged))
			}
			r := merged[1]
			if r.Name != "pkg-1" || r.Verdict != "fail" || r.Highest != "critical" || r.ExitCode != 1 {
				t.Errorf("record 1 = %+v", r)
			}
			if merged[0].Highest != "low" || merged[2].Verdict != "error" || merged[2].Highest != "-" {
				t.Errorf("records 0, 2 = %+v, %+v", merged[0], merged[2])
			}
		})
	}
}

func TestMergeRefusesIncompleteShards(t *testing.T) {
	parse := func(k int, data string) []Record {
		t.Helper()
		recs, err := ParseJSONLines("x", strings.NewReader(data), Shard{k, 3})
		if err != nil {
			t.Fatal(err)
		}
		return recs
	}
	s1, s2, s3 := parse(1, shardRun(9, Shard{1, 3}, false)), parse(2, shardRun(9, Shard{2, 3}, false)), parse(3, shardRun(9, Shard{3, 3}, false))
	cases := map[string][][]Record{
		"missing shard":     {s1, s3},
		"shard given twice": {s1, s2, s2, s3},
		"unfinished shard":  {s1, s2[:2], s3},
	}
	for name, parts := range cases {
		if _, err := Merge(parts...); !errors.Is(err, ErrMerge) {
			t.Errorf("%s: %v, want ErrMerge", name, err)
		}
	}
}

func TestParseJSONLinesErrors(t *testing.T) {
	cases := map[string]struct {
		data string
		sh   Shard
	}{
		"no shard, no index": {releaseLine(0, false), Shard{}},
		"wrong shard":        {releaseLine(1, true), Shard{1, 3}},
		"not json":           {"{", Shard{1, 1}},
		"not a record":       {`{"schema":"x"}`, Shard{1, 1}},
		"no verdict":         {`{"name":"a","exit_code":0}`, Shard{1, 1}},
		"negative index":     {`{"name":"a","index":-1,"exit_code":0,"verdict":"pass"}`, Shard{}},
	}
	for name, c := range cases {
		if _, err := ParseJSONLines("f.jsonl", strings.NewReader(c.data), c.sh); !errors.Is(err, ErrMerge) {
			t.Errorf("%s: %v, want ErrMerge", name, err)
		}
	}
	if _, err := ParseShard("4/3"); err == nil {
		t.Error("ParseShard(4/3) accepted")
	}
	if s, err := ParseShard("2/8"); err != nil || s != (Shard{2, 8}) {
		t.Errorf("ParseShard(2/8) = %v, %v", s, err)
	}
}

// sarifLog is a SARIF log as batch writes it: compact runs, indented log.
func sarifLog(t *testing.T, n int, sh Shard) []byte {
	t.Helper()
	var runs []json.RawMessage
	for i := range n {
		if sh.N == 0 || i%sh.N == sh.K-1 {
			runs = append(runs, json.RawMessage(fmt.Sprintf(`{"tool":{"driver":{"name":"tarcheck"}},"automationDetails":{"id":"tarcheck/pkg-%d/"},"results":[{"message":{"text":"<&> é %d"}}]}`, i, i)))
		}
	}
	doc := struct {
		Schema  string            `json:"$schema"`
		Version string            `json:"version"`
		Runs    []json.RawMessage `json:"runs"`
	}{"https://json.schemastore.org/sarif-2.1.0.json", "2.1.0", runs}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestMergeSARIFEqualsUnshardedRun(t *testing.T) {
	want := sarifLog(t, 9, Shard{})
	var shards []SARIFShard
	for _, k := range []int{3, 1, 2} {
		shards = append(shards, SARIFShard{Name: fmt.Sprint(k), Shard: Shard{k, 3}, Log: sarifLog(t, 9, Shard{k, 3})})
	}
	got, err := MergeSARIF(shards)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("merged SARIF differs from the unsharded run:\n got %s\nwant %s", got, want)
	}
	if _, err := MergeSARIF(shards[:2]); !errors.Is(err, ErrMerge) {
		t.Errorf("two of three shards: %v, want ErrMerge", err)
	}
	short := append([]SARIFShard{}, shards...)
	short[1].Log = sarifLog(t, 3, Shard{1, 3}) // shard 1 stopped after one release
	if _, err := MergeSARIF(short); !errors.Is(err, ErrMerge) {
		t.Errorf("unfinished shard: %v, want ErrMerge", err)
	}
}

func FuzzParseJSONLines(f *testing.F) {
	f.Add([]byte(shardRun(3, Shard{}, true)), 1, 1)
	f.Fuzz(func(t *testing.T, data []byte, k, n int) {
		recs, err := ParseJSONLines("fuzz", bytes.NewReader(data), Shard{k, n})
		if err == nil {
			_, _ = Merge(recs)
		}
	})
}
