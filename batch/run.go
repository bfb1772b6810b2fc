package batch

import (
	"context"
	"os"
	"sync"

	"github.com/tarcheck/tarcheck/verify/report"
)

// MaxJobs caps Options.Jobs.
const MaxJobs = 256

// Result is one release's outcome.
type Result struct {
	// Index is the release's position in the manifest.
	Index int
	// Release is the manifest entry.
	Release *Release
	// Report is nil when Err is set.
	Report *report.Report
	Err    error
	// Output is what Options.Render made of it.
	Output []byte
}

// Options says how to verify and render one release.
type Options struct {
	// Jobs is the number of releases verified at once (1 to MaxJobs).
	Jobs int
	// Verify verifies one release. Releases that share a remote or bundle
	// git source are never verified at the same time: they fetch into the
	// same cache repository.
	Verify func(ctx context.Context, rel *Release) (*report.Report, error)
	// Render, when set, renders a result in its worker; it may set the
	// result's Err when rendering fails.
	Render func(res *Result)
}

// Run verifies the releases of rels selected by sel (manifest indices, in
// order) with up to o.Jobs workers and calls emit with each result in
// manifest order, from the calling goroutine. It returns the results in
// that order, or ctx's error when the run was interrupted.
func Run(ctx context.Context, rels []Release, sel []int, o Options, emit func(*Result)) ([]*Result, error) {
	var locks sync.Map // git source -> *sync.Mutex
	results := make(chan *Result)
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(max(o.Jobs, 1), len(sel)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				results <- one(ctx, &rels[i], i, o, &locks)
			}
		}()
	}
	go func() {
		defer close(work)
		for _, i := range sel {
			select {
			case work <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()

	pos := make(map[int]int, len(sel)) // manifest index -> position in sel
	for p, i := range sel {
		pos[i] = p
	}
	pending := map[int]*Result{}
	var done []*Result
	for res := range results {
		pending[pos[res.Index]] = res
		for {
			r, ok := pending[len(done)]
			if !ok {
				break
			}
			delete(pending, len(done))
			done = append(done, r)
			if emit != nil {
				emit(r)
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return done, err
	}
	return done, nil
}

// one verifies and renders manifest release i.
func one(ctx context.Context, rel *Release, i int, o Options, locks *sync.Map) *Result {
	res := &Result{Index: i, Release: rel}
	if err := ctx.Err(); err != nil {
		res.Err = err
	} else {
		if l := gitLock(locks, lockKey(rel)); l != nil {
			l.Lock()
			res.Report, res.Err = o.Verify(ctx, rel)
			l.Unlock()
		} else {
			res.Report, res.Err = o.Verify(ctx, rel)
		}
		if res.Err != nil {
			res.Report = nil
		}
	}
	if o.Render != nil {
		o.Render(res)
	}
	return res
}

// gitLock serialises releases that share a remote or bundle git source:
// they fetch into the same cache repository. Local repositories are only
// read, so they need no lock.
func gitLock(locks *sync.Map, source string) *sync.Mutex {
	if fi, err := os.Stat(source); err == nil && fi.IsDir() {
		return nil
	}
	l, _ := locks.LoadOrStore(source, &sync.Mutex{})
	return l.(*sync.Mutex)
}

// Worst is the worst of the releases' exit codes: 130 (interrupted) > 3
// (environment) > 2 (usage or input) > 1 (fail) > 0 (pass). A release that
// could not be checked outranks a failing one: its verdict is unknown.
func Worst(codes ...int) int {
	rank := func(code int) int {
		switch code {
		case 0, 1, 2, 3:
			return code
		}
		return 4
	}
	worst := 0
	for _, c := range codes {
		if rank(c) > rank(worst) {
			worst = c
		}
	}
	return worst
}
