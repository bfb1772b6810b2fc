// Command tarcheck verifies an upstream release tarball against its signed
// git tag: it compares every file, classifies every difference and reports a
// verdict with an exit code for CI. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

func main() {
	// The heap holds per-path indexes of the release, and little garbage
	// once archive decoding is allocation-free: a tighter GC target keeps
	// peak memory flat at almost no CPU cost (bench/run.sh). GOGC wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
