package verify

import (
	"context"

	"github.com/tarcheck/tarcheck/verify/gitsrc"
)

// previousAhead is the git work of the previous-release analysis (step 9),
// started as soon as the tag is resolved so that it runs while the archive
// streams and the differences are classified: which tag is the previous
// release, and what changed in git since (driftGit). Step 9 takes the
// results; what depends on the findings stays in step 9. Only for a local
// repository (gitsrc.Repo.Twin): a remote one fetches as it resolves.
type previousAhead struct {
	done   chan struct{}
	cancel context.CancelFunc

	prev    *gitsrc.Tag
	prevErr error
	git     driftGit
	gitErr  error
}

// startPreviousAhead starts the previous-release git work in the
// background, when step 9 will run and the repository allows it.
func (p *pipeline) startPreviousAhead(ctx context.Context) {
	spec := p.o.History.Previous
	if spec == gitsrc.PreviousNone || p.serial || p.repo == nil || p.tag == nil {
		return
	}
	repo, ok := p.repo.Twin()
	if !ok {
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	a := &previousAhead{done: make(chan struct{}), cancel: cancel}
	tag := p.tag
	go func() {
		defer close(a.done)
		a.prev, a.prevErr = previousTagOf(ctx, repo, tag, spec)
		if a.prevErr == nil && a.prev != nil {
			a.git, a.gitErr = readDriftGit(ctx, repo, a.prev, tag)
		}
	}()
	p.ahead = a
}

// wait returns the finished work, nil when none was started.
func (a *previousAhead) wait() *previousAhead {
	if a == nil {
		return nil
	}
	<-a.done
	return a
}

// stop cancels the work if it still runs and waits for it to end (nothing
// outlives the run).
func (a *previousAhead) stop() {
	if a == nil {
		return
	}
	a.cancel()
	<-a.done
}
