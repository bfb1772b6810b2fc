// Command tarcheck verifies an upstream release tarball against its signed
// git tag: it compares every file, classifies every difference and reports a
// verdict with an exit code for CI. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/tarcheck/tarcheck/internal/profile"
)

func main() {
	profile.SetMemoryDefaults()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
