// Package filelock takes advisory whole-file locks (flock(2)) so that
// processes sharing a cache directory do one download per entry instead of
// racing. A lock is released when Unlock is called or the process exits, so
// a killed process never leaves a stale lock behind.
//
// Locks only coordinate processes that take them: readers that rely on
// atomic renames need none.
package filelock

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// ErrUnsupported means the platform has no flock; callers then proceed
// without the lock (as a cache without locking always did).
var ErrUnsupported = errors.New("file locks are not supported on this platform")

// Poll intervals while waiting for a lock held by another process.
const (
	minPoll = 5 * time.Millisecond
	maxPoll = 100 * time.Millisecond
)

// Lock is a held lock.
type Lock struct{ f *os.File }

// Acquire takes an exclusive lock on the file at path, creating it (mode
// 0600) if needed, and waits until the lock is free or ctx is done. The
// lock file is never removed: removing it would let two processes hold
// locks on different files of the same name.
func Acquire(ctx context.Context, path string) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening lock file: %w", err)
	}
	poll := minPoll
	for {
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		if ok {
			return &Lock{f: f}, nil
		}
		t := time.NewTimer(poll)
		select {
		case <-ctx.Done():
			t.Stop()
			f.Close()
			return nil, fmt.Errorf("waiting for the lock on %s: %w", path, ctx.Err())
		case <-t.C:
		}
		poll = min(2*poll, maxPoll)
	}
}

// Unlock releases the lock; it is safe on a nil Lock and idempotent.
func (l *Lock) Unlock() {
	if l == nil || l.f == nil {
		return
	}
	unlock(l.f)
	l.f.Close()
	l.f = nil
}
