// Package term is what the CLI shows on a terminal besides the report:
// progress bars for the phases of a verification, and whether to colour.
package term

import (
	"io"
	"os"
	"sync"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/tarcheck/tarcheck/verify/render/escape"
)

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Color decides whether to colour output written to w: mode is "always",
// "never" or "auto" (a terminal, NO_COLOR unset and TERM not "dumb", as
// getenv tells).
func Color(mode string, w io.Writer, getenv func(string) string) bool {
	switch mode {
	case "always":
		return true
	case "auto":
		return IsTerminal(w) && getenv("NO_COLOR") == "" && getenv("TERM") != "dumb"
	}
	return false
}

// Progress renders the phases of a verification (verify.Progress) as
// progress bars on w. It is safe for concurrent use.
type Progress struct {
	w   io.Writer
	mu  sync.Mutex
	bar *progressbar.ProgressBar
}

// NewProgress returns a Progress drawing on w, a terminal.
func NewProgress(w io.Writer) *Progress { return &Progress{w: w} }

// Start begins a phase of total bytes (-1 unknown), ending the previous one.
func (p *Progress) Start(phase string, total int64) {
	p.start(phase, total, progressbar.OptionShowBytes(true))
}

// StartItems begins a phase of total files (verify.ItemProgress); -1, an
// uncounted phase, is a spinner with the elapsed time.
func (p *Progress) StartItems(phase string, total int64) {
	if total < 0 {
		p.start(phase, -1, progressbar.OptionSpinnerType(14), progressbar.OptionSetElapsedTime(true))
		return
	}
	p.start(phase, total, progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("files"))
}

func (p *Progress) start(phase string, total int64, opts ...progressbar.Option) {
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

// Add records n more bytes of the current phase.
func (p *Progress) Add(n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		p.bar.Add64(n)
	}
}

// Done ends the current phase and clears its bar.
func (p *Progress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		p.bar.Finish()
		p.bar = nil
	}
}
