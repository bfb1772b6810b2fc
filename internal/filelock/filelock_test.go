package filelock

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestAcquireExcludes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "entry.lock")
	l, err := Acquire(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	// flock locks belong to an open file description: a second open in the
	// same process contends like another process would.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := Acquire(ctx, path); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second Acquire while held = %v, want deadline exceeded", err)
	}
	var wg sync.WaitGroup
	got := make(chan error, 1)
	wg.Go(func() {
		l2, err := Acquire(context.Background(), path)
		l2.Unlock()
		got <- err
	})
	time.Sleep(20 * time.Millisecond)
	l.Unlock()
	l.Unlock() // idempotent
	wg.Wait()
	if err := <-got; err != nil {
		t.Fatalf("Acquire after Unlock: %v", err)
	}
}

func TestAcquireBadPath(t *testing.T) {
	_, err := Acquire(context.Background(), filepath.Join(t.TempDir(), "missing", "x.lock"))
	if err == nil {
		t.Fatal("Acquire in a missing directory succeeded")
	}
}
