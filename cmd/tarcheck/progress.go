package main

import (
	"io"
	"sync"

	"github.com/schollz/progressbar/v3"

	"github.com/tarcheck/tarcheck/verify/render/escape"
)

// barProgress renders verify.Progress phases (bytes) and verify.ItemProgress
// phases (files, or uncounted: a spinner with the elapsed time) as progress
// bars on a terminal.
type barProgress struct {
	w   io.Writer
	mu  sync.Mutex
	bar *progressbar.ProgressBar
}

func newProgress(w io.Writer) *barProgress { return &barProgress{w: w} }

func (p *barProgress) Start(phase string, total int64) {
	p.start(phase, total, progressbar.OptionShowBytes(true))
}

func (p *barProgress) StartItems(phase string, total int64) {
	if total < 0 {
		p.start(phase, -1, progressbar.OptionSpinnerType(14), progressbar.OptionSetElapsedTime(true))
		return
	}
	p.start(phase, total, progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("files"))
}

func (p *barProgress) start(phase string, total int64, opts ...progressbar.Option) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		p.bar.Finish()
	}
	p.bar = progressbar.NewOptions64(total, append([]progressbar.Option{
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(escape.Line(phase)),
		progressbar.OptionThrottle(100_000_000),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(30),
	}, opts...)...)
	// Start the clock now: the bar's first rate is then what arrived over
	// at least one throttle interval, not over the microseconds between
	// its first Add and its first render (a 67 GB/s "download").
	p.bar.RenderBlank()
}

func (p *barProgress) Add(n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		p.bar.Add64(n)
	}
}

func (p *barProgress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		p.bar.Finish()
		p.bar = nil
	}
}
