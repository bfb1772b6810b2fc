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
// It works in two phases. While the archive streams (after Stream), the
// members are offered as they arrive (Offer) and the workers scan them in
// that order: the scans overlap the decompression instead of following it.
// Then the caller gives its own order (Add for every member, Start): the
// workers take the files not yet scanned from the end of the list while the
// caller goes from its start, so the two meet in the middle. In both
// phases the large ones (over MaxPrescanBytes: configure) come first, so
// the longest scan starts as early as it can. One large file is scanned at
// a time in the process (largeScan), by a worker or a caller, so no two
// large syntax trees are held at once. A nil *FlowPrescan does nothing.
type FlowPrescan struct {
	mu      sync.Mutex
	cond    *sync.Cond
	queue   []*prescanEntry // in the caller's order (Add)
	byPath  map[string]*prescanEntry
	back    int             // queue[back-1] is the next a worker takes once ordered
	large   []*prescanEntry // the large entries, in the order they came
	live    []*prescanEntry // the entries offered while streaming, in arrival order
	db      *M4DB           // the database Classify will use, for the known copies
	running bool            // the workers are started (Stream or Start)
	ordered bool            // Start was called: the caller's order is known
	closed  bool
	wg      sync.WaitGroup
	workers int
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
	prescanTaken // by the caller, before a worker started it; or replaced (Offer)
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

// prescanned reports whether Classify would scan in: a changed or
// tarball-only regular build script that is not binary.
func prescanned(in *Input) bool {
	if !tarSide(in) || in.Tarball == nil || in.TarballMode == ModeSymlink || !isBuildScript(in.Path, in.Tarball) {
		return false
	}
	bin, _ := IsBinary(in.Tarball)
	return !bin
}

// Stream starts the workers before the caller's order is known: from now
// on Offer queues the members as the archive gives them. db is the
// database Classify will use (nil: Baseline()).
func (p *FlowPrescan) Stream(db *M4DB) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.start(db, p.workers)
}

// start starts n workers once; p.mu is held.
func (p *FlowPrescan) start(db *M4DB, n int) {
	if p.running || p.closed {
		return
	}
	if db == nil {
		db = Baseline()
	}
	p.db, p.running = db, true
	for range n {
		p.wg.Add(1)
		go p.work()
	}
}

// Offer queues in, a member the archive has just given, for a scan while
// the archive streams, when Classify would scan it. It replaces what was
// offered earlier for the same path (a duplicate member, or in.Tarball
// nil: the content was dropped), so a result is never kept for bytes the
// caller no longer holds. Offer may be called from another goroutine than
// the workers', before Start.
func (p *FlowPrescan) Offer(in Input) {
	if p == nil {
		return
	}
	keep := prescanned(&in)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ordered || p.closed {
		return
	}
	if e := p.byPath[in.Path]; e != nil {
		if keep && sameBytes(e.content, in.Tarball) && e.content != nil {
			return
		}
		e.state, e.content, e.sigs, e.fs = prescanTaken, nil, nil, FlowScan{}
		delete(p.byPath, in.Path)
	}
	if !keep {
		return
	}
	e := p.newEntry(in.Path, in.Tarball)
	p.live = append(p.live, e)
	p.cond.Broadcast()
}

// newEntry records a queued entry for path; p.mu is held.
func (p *FlowPrescan) newEntry(path string, content []byte) *prescanEntry {
	e := &prescanEntry{path: path, content: content}
	p.byPath[path] = e
	if isLargeScan(content) {
		p.large = append(p.large, e)
	}
	return e
}

// Add gives in its place in the caller's order, queuing it when Classify
// would scan it and Offer did not queue it already. Call Add for every
// member first, in the order Classify will be called, then Start.
func (p *FlowPrescan) Add(in Input) {
	if p == nil || !prescanned(&in) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ordered || p.closed {
		return
	}
	if e := p.byPath[in.Path]; e != nil {
		// Offered while streaming (take checks the bytes), or a duplicate path.
		if e.state == prescanQueued {
			p.queue = append(p.queue, e)
		}
		return
	}
	p.queue = append(p.queue, p.newEntry(in.Path, in.Tarball))
}

// Start fixes the caller's order and starts the workers if Stream did not;
// db is the database Classify will use (nil: Baseline()), to skip the
// known upstream copies Classify does not scan. The entries offered while
// streaming but not added are no longer scanned.
func (p *FlowPrescan) Start(db *M4DB) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ordered, p.back, p.live = true, len(p.queue), nil
	p.start(db, min(p.workers, len(p.queue)+len(p.large)))
	p.cond.Broadcast()
}

// next is the entry a worker scans next, nil when there is none now;
// p.mu is held.
func (p *FlowPrescan) next() *prescanEntry {
	for len(p.large) > 0 {
		c := p.large[0]
		p.large = p.large[1:]
		if c.state == prescanQueued {
			return c
		}
	}
	if !p.ordered {
		for len(p.live) > 0 {
			c := p.live[0]
			p.live = p.live[1:]
			if c.state == prescanQueued {
				return c
			}
		}
		return nil
	}
	for p.back > 0 {
		p.back--
		if c := p.queue[p.back]; c.state == prescanQueued {
			return c
		}
	}
	return nil
}

func (p *FlowPrescan) work() {
	defer p.wg.Done()
	p.mu.Lock()
	defer p.mu.Unlock()
	for !p.closed {
		e := p.next()
		if e == nil {
			if p.ordered {
				return
			}
			p.cond.Wait() // streaming: wait for an offer, Start or Close
			continue
		}
		e.state = prescanRunning
		content := e.content
		p.mu.Unlock()
		// ruleKnownCopy's test: an exact known copy is never scanned.
		m := p.db.Lookup(e.path, content)
		known := m.Kind == MatchExact && !(m.KnownAs != "" && len(content) < 64)
		var sigs []Signal
		var fs FlowScan
		if !known {
			sigs, fs = scanHoldingLarge(e.path, content)
		}
		p.mu.Lock()
		if e.state != prescanRunning {
			continue // replaced by a later offer while it ran: dropped already
		}
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
	p.cond.Broadcast() // the workers waiting for an offer
	p.mu.Unlock()
	p.wg.Wait()
	p.mu.Lock()
	p.queue, p.byPath, p.large, p.live = nil, nil, nil, nil
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
