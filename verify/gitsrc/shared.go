package gitsrc

import (
	"context"
	"sync"
)

// sharedBlobs is one `git cat-file --batch` process that every reader of a
// repository and of its twins goes through (ShareBlobs), one request at a
// time. A run opened eight cat-file processes (the tag, the classification,
// the tag rules, the previous release's tag, its drift, ...), several of
// them one after another on the run's critical path; each costs about
// 5 ms and 300 page faults to start, a round trip through a running one
// well under a millisecond.
type sharedBlobs struct {
	ctx context.Context // the run's: the process lives as long as the run
	r   *Repo
	mu  sync.Mutex
	b   *Blobs // started on first use; nil after close
	err error  // why it could not start, or ErrBlobsEnded
}

// ShareBlobs makes every reader of a local repository r and of its later
// twins (OpenBlobs, Resolve, Log's commits) share one cat-file process, started on
// first use with ctx and ended by the returned function (which waits for
// it: call it once the readers are done). A remote repository's cache
// gains refs and packs as tags are fetched during the run: its readers
// keep a process each, started after the fetch. Calling it again, or on
// a remote repository, returns a function that does nothing.
func (r *Repo) ShareBlobs(ctx context.Context) (end func() error) {
	if r.shared != nil || !r.local || r.Remote != "" {
		return func() error { return nil }
	}
	s := &sharedBlobs{ctx: ctx, r: r}
	r.shared = s
	return s.close
}

// get returns the running process, starting it on first use. The caller
// holds s.mu.
func (s *sharedBlobs) get() (*Blobs, error) {
	if s.b == nil && s.err == nil {
		s.b, s.err = s.r.startBlobs(s.ctx)
	}
	return s.b, s.err
}

// read is Blobs.Read through the shared process.
func (s *sharedBlobs) read(id string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.get()
	if err != nil {
		return nil, err
	}
	return b.read(id)
}

// readNames is streamBatch through the shared process.
func (s *sharedBlobs) readNames(names []string, want func(int) bool, fn func(int, batchObject) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.get()
	if err != nil {
		return err
	}
	return b.readNames(names, want, fn)
}

// close ends the process (stdin closed, waited for).
func (s *sharedBlobs) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.b
	s.b, s.err = nil, ErrBlobsEnded
	if b == nil {
		return nil
	}
	return b.Close()
}
