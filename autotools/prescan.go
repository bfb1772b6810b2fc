package autotools

import (
	"bytes"
	"github.com/tarcheck/tarcheck/internal/limits"
	"runtime"
	"sync"
)

// FlowPrescan runs the build-script scan (ScanBuildScriptFlows, the costly
// part of Classify: a shell parse and a data-flow analysis of every changed
// configure, Makefile.in and script) on the other cores ahead of the caller,
// which classifies members one by one. Classify, given the prescan in its
// Context, takes a finished result instead of scanning again; a result not
// yet started is computed by the caller itself, one being computed is
// waited for. ScanBuildScriptFlows is pure, so the report is the same with
// or without a prescan, whatever the timing.
//
// Workers take files from the end of the list while the caller goes from
// its start, so the two meet in the middle; but the large ones (over
// MaxPrescanBytes: configure) first, as the caller starts, so the longest
// scan overlaps the classification of the files before it. One large file
// is scanned at a time in the process (largeScan), by a worker or a
// caller, so no two large syntax trees are held at once. A nil
// *FlowPrescan does nothing.
type FlowPrescan struct {
	mu      sync.Mutex
	cond    *sync.Cond
	queue   []*prescanEntry // in the caller's order
	byPath  map[string]*prescanEntry
	back    int             // queue[back-1] is the next a worker takes
	large   []*prescanEntry // the large entries, in the caller's order
	early   []*prescanEntry // Early's entries, in arrival order
	closed  bool
	wg      sync.WaitGroup
	workers int
	running int // workers started and not returned
}

// MaxPrescanBytes is the largest file FlowPrescan scans ahead among the
// others; larger ones (configure, a big Makefile.in) are scanned first,
// one at a time in the process, by a worker or by Classify's caller,
// whichever reaches them first.
const MaxPrescanBytes = limits.AutotoolsMaxPrescanBytes

type prescanState int

const (
	prescanQueued prescanState = iota
	prescanRunning
	prescanDone
	prescanTaken // by the caller, before a worker started it
)

type prescanEntry struct {
	path    string
	content []byte
	state   prescanState
	scanned bool // false when the worker found a known upstream copy (Classify does not scan those)
	sigs    []Signal
	fs      FlowScan
}

// NewFlowPrescan returns a prescan with GOMAXPROCS-1 workers (at most
// workers when workers > 0), or nil when there is only one core: then
// Classify scans as it goes.
func NewFlowPrescan(workers int) *FlowPrescan {
	n := runtime.GOMAXPROCS(0) - 1
	if workers > 0 {
		n = min(n, workers)
	}
	if n < 1 {
		return nil
	}
	p := &FlowPrescan{byPath: map[string]*prescanEntry{}, workers: n}
	p.cond = newCond(p)
	return p
}

func newCond(p *FlowPrescan) *sync.Cond { return sync.NewCond(&p.mu) }

// Add queues in for a prescan when Classify would scan it: a changed or
// tarball-only regular build script that is not binary. Call Add for
// every member first, in the order Classify will be called, then Start.
// A path already queued with the same bytes (by Early) is not queued
// again; with other bytes (the archive held the path twice), the new
// entry replaces it.
func (p *FlowPrescan) Add(in Input) {
	if p == nil {
		return
	}
	p.mu.Lock() // Early's workers may be running
	defer p.mu.Unlock()
	if e := p.entry(in); e != nil {
		p.queue = append(p.queue, e)
	}
}

// entry makes in's entry, or returns nil when it is not scanned ahead or
// is queued already. The caller holds p.mu.
func (p *FlowPrescan) entry(in Input) *prescanEntry {
	if old, dup := p.byPath[in.Path]; dup && (old.content == nil || sameBytes(old.content, in.Tarball)) {
		// Queued, or done and dropped (a known copy) or taken: Add of
		// what Early queued does not test the file again.
		return nil
	}
	if !tarSide(&in) || in.Tarball == nil || in.TarballMode == ModeSymlink || !isBuildScript(in.Path, in.Tarball) {
		return nil
	}
	if bin, _ := IsBinary(in.Tarball); bin {
		return nil
	}
	e := &prescanEntry{path: in.Path, content: in.Tarball}
	p.byPath[in.Path] = e
	if isLargeScan(in.Tarball) {
		p.large = append(p.large, e)
	}
	return e
}

// Early queues in while the archive is still being read (the comparison
// keeps a differing member) and makes sure a worker is on it, so that the
// scans use the core the decoder leaves idle; it reports whether in was
// queued. Entries queued early are scanned before Add's, in arrival
// order (the large ones first); Add and Start follow as usual, and Add
// skips what Early queued with the same bytes. db is as for Start.
func (p *FlowPrescan) Early(in Input, db *M4DB) bool {
	if p == nil {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	e := p.entry(in)
	if e == nil {
		return false
	}
	p.early = append(p.early, e)
	if p.running < p.workers {
		p.startWorker(db)
	}
	return true
}

// Start starts the workers; db is the database Classify will use (nil:
// Baseline()), to skip the known upstream copies Classify does not scan.
func (p *FlowPrescan) Start(db *M4DB) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.back = len(p.queue)
	for range min(p.workers-p.running, len(p.queue)) {
		p.startWorker(db)
	}
}

// startWorker starts one worker; the caller holds p.mu.
func (p *FlowPrescan) startWorker(db *M4DB) {
	if db == nil {
		db = Baseline()
	}
	p.running++
	p.wg.Add(1)
	go p.work(db)
}

// pending reports whether a worker may take e: queued, and not replaced
// by a later entry for its path (Add with other bytes). p.mu is held.
func (p *FlowPrescan) pending(e *prescanEntry) bool {
	return e.state == prescanQueued && p.byPath[e.path] == e
}

func (p *FlowPrescan) work(db *M4DB) {
	defer p.wg.Done()
	p.mu.Lock()
	defer func() {
		p.running--
		p.mu.Unlock()
	}()
	for !p.closed {
		var e *prescanEntry
		for len(p.large) > 0 && e == nil {
			if c := p.large[0]; p.pending(c) {
				e = c
			}
			p.large = p.large[1:]
		}
		for len(p.early) > 0 && e == nil {
			if c := p.early[0]; p.pending(c) {
				e = c
			}
			p.early = p.early[1:]
		}
		for p.back > 0 && e == nil {
			p.back--
			if c := p.queue[p.back]; p.pending(c) {
				e = c
			}
		}
		if e == nil {
			return
		}
		e.state = prescanRunning
		p.mu.Unlock()
		// ruleKnownCopy's test: an exact known copy is never scanned.
		m := db.Lookup(e.path, e.content)
		known := m.Kind == MatchExact && !(m.KnownAs != "" && len(e.content) < 64)
		var sigs []Signal
		var fs FlowScan
		if !known {
			sigs, fs = scanHoldingLarge(e.path, e.content)
		}
		p.mu.Lock()
		e.sigs, e.fs, e.scanned, e.state = sigs, fs, !known, prescanDone
		if known {
			e.content = nil // Classify will not ask: let the caller free it
		}
		p.cond.Broadcast()
	}
}

// take returns the prescan's result for path and content, waiting for a
// worker that is computing it; ok is false when the caller must scan
// itself (not queued, not started yet, or taken already).
func (p *FlowPrescan) take(path string, content []byte) (sigs []Signal, fs FlowScan, ok bool) {
	if p == nil {
		return nil, FlowScan{}, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	e := p.byPath[path]
	if e == nil || e.state == prescanTaken || e.state == prescanDone && !e.scanned || !sameBytes(e.content, content) {
		return nil, FlowScan{}, false
	}
	if e.state == prescanQueued {
		e.state, e.content = prescanTaken, nil
		return nil, FlowScan{}, false
	}
	for e.state == prescanRunning {
		p.cond.Wait()
	}
	sigs, fs, ok = e.sigs, e.fs, e.scanned
	e.state, e.content, e.sigs, e.fs = prescanTaken, nil, nil, FlowScan{}
	return sigs, fs, ok
}

// Close stops the workers (each finishes the file it is on) and drops the
// results not taken.
func (p *FlowPrescan) Close() {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.wg.Wait()
	p.mu.Lock()
	p.queue, p.byPath, p.large, p.early = nil, nil, nil, nil
	p.mu.Unlock()
}

// sameBytes reports whether a and b hold the same bytes (the same slice,
// usually).
func sameBytes(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 || &a[0] == &b[0] {
		return true
	}
	return bytes.Equal(a, b)
}

// scanFlows is ScanBuildScriptFlows, or the prescan's result for it.
func (ctx *Context) scanFlows(path string, content []byte) ([]Signal, FlowScan) {
	if sigs, fs, ok := ctx.Prescan.take(path, content); ok {
		return sigs, fs
	}
	return scanHoldingLarge(path, content)
}

// largeScan is held while a file over MaxPrescanBytes is scanned: one
// such syntax tree at a time in the process, as when only Classify's
// caller scanned them.
var largeScan = make(chan struct{}, 1)

// isLargeScan reports a file whose scan holds largeScan.
func isLargeScan(content []byte) bool { return len(content) > MaxPrescanBytes }

// scanHoldingLarge is ScanBuildScriptFlows, holding largeScan for a large
// file. No caller waits for a prescan entry while holding it.
func scanHoldingLarge(path string, content []byte) ([]Signal, FlowScan) {
	if isLargeScan(content) {
		largeScan <- struct{}{}
		defer func() { <-largeScan }()
	}
	return ScanBuildScriptFlows(path, content)
}
