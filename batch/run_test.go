package batch

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tarcheck/tarcheck/verify/report"
)

// Run hands results back in manifest order whatever order the workers
// finish in, renders each in its worker, and keeps only the selection.
func TestRunOrder(t *testing.T) {
	rels := make([]Release, 20)
	for i := range rels {
		rels[i] = Release{Name: fmt.Sprintf("r%02d", i), Git: fmt.Sprintf("/nonexistent/git-%d", i%3)}
	}
	sel := []int{1, 3, 4, 7, 8, 12, 19}
	var running, most atomic.Int32
	o := Options{Jobs: 4,
		Verify: func(ctx context.Context, rel *Release) (*report.Report, error) {
			n := running.Add(1)
			defer running.Add(-1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			time.Sleep(time.Duration(len(rel.Name)%3) * time.Millisecond)
			if rel.Name == "r07" {
				return &report.Report{}, errors.New("broken")
			}
			return &report.Report{Verdict: report.Pass}, nil
		},
		Render: func(res *Result) { res.Output = []byte(res.Release.Name) },
	}
	var emitted []string
	got, err := Run(context.Background(), rels, sel, o, func(r *Result) { emitted = append(emitted, string(r.Output)) })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(sel) {
		t.Fatalf("%d results, want %d", len(got), len(sel))
	}
	for k, i := range sel {
		if got[k].Index != i || emitted[k] != rels[i].Name {
			t.Errorf("result %d: index %d output %q, want %d %q", k, got[k].Index, emitted[k], i, rels[i].Name)
		}
	}
	if got[3].Err == nil || got[3].Report != nil {
		t.Errorf("r07: err %v report %v, want the error and no report", got[3].Err, got[3].Report)
	}
	if most.Load() > 3 {
		t.Errorf("%d releases ran at once, but only 3 git sources (each locked)", most.Load())
	}
}

func TestRunInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	rels := []Release{{Name: "a", Git: "/x"}, {Name: "b", Git: "/y"}}
	o := Options{Jobs: 1, Verify: func(ctx context.Context, rel *Release) (*report.Report, error) {
		cancel()
		return nil, ctx.Err()
	}}
	if _, err := Run(ctx, rels, []int{0, 1}, o, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}
