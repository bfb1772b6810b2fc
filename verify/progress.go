package verify

// ItemProgress is a Progress that can also show phases counted in items
// (files) rather than bytes, or not counted at all (only the elapsed time):
// classification with its origin lookups, reading the pinned gnulib commit,
// the previous-release analysis. Run shows those phases only on an
// Output.Progress that implements it (a bytes bar would mislabel them).
type ItemProgress interface {
	Progress
	// StartItems begins a phase of total items (-1: no count, show only
	// that it is running and for how long).
	StartItems(phase string, total int64)
}

// itemPhase starts an uncounted phase on an ItemProgress; call the result
// when it ends. A no-op without one.
func (p *pipeline) itemPhase(phase string) func() {
	ip, ok := p.o.Output.Progress.(ItemProgress)
	if !ok {
		return func() {}
	}
	ip.StartItems(phase, -1)
	return ip.Done
}

// itemCounter adapts a counted phase to explain.Input.Progress (called with
// done 0 and the total first, then after each item) and returns the function
// that ends it. Both are nil without an ItemProgress.
func (p *pipeline) itemCounter(phase string) (progress func(done, total int), end func()) {
	ip, ok := p.o.Output.Progress.(ItemProgress)
	if !ok {
		return nil, func() {}
	}
	started, last := false, 0
	progress = func(done, total int) {
		if !started {
			ip.StartItems(phase, int64(total))
			started = true
		}
		if done > last {
			ip.Add(int64(done - last))
			last = done
		}
	}
	return progress, func() {
		if started {
			ip.Done()
		}
	}
}
