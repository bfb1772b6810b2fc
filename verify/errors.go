package verify

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/tarcheck/tarcheck/sandbox"
	"github.com/tarcheck/tarcheck/toolchain"
	"github.com/tarcheck/tarcheck/verify/archive"
	"github.com/tarcheck/tarcheck/verify/fetch"
	"github.com/tarcheck/tarcheck/verify/gitsrc"
	"github.com/tarcheck/tarcheck/verify/rebuild"
)

// Kind is what kind of failure an error is. The CLI maps it to an exit code
// (usage and input 2, environment 3, interrupted 130) in one place; this
// file is the only one that maps the leaves' errors to kinds.
type Kind int

// Kinds of failure.
const (
	// KindInput: unreadable input (corrupt or truncated archive, tag not
	// found or ambiguous, bad signature material). Also the kind of an
	// error nothing classified.
	KindInput Kind = iota + 1
	// KindUsage: bad arguments or options.
	KindUsage
	// KindEnvironment: a missing tool, a network failure, an unusable cache
	// or an unavailable sandbox.
	KindEnvironment
	// KindInterrupted: the context was cancelled.
	KindInterrupted
)

// String names the kind.
func (k Kind) String() string {
	switch k {
	case KindUsage:
		return "usage"
	case KindEnvironment:
		return "environment"
	case KindInterrupted:
		return "interrupted"
	}
	return "input"
}

// Sentinels, one per kind, for errors.Is; an error made by Errorf or
// WithKind matches the sentinel of its kind.
var (
	// ErrUsage marks bad arguments.
	ErrUsage = errors.New("usage")
	// ErrInput marks unreadable input.
	ErrInput = errors.New("unreadable input")
	// ErrEnvironment marks a missing tool, network failure or unavailable sandbox.
	ErrEnvironment = errors.New("environment")
	// ErrAmbiguousTag is returned when tag inference finds none or several candidates (KindInput).
	ErrAmbiguousTag = errors.New("cannot infer the tag")
	// ErrTagNotFound is gitsrc.ErrTagNotFound (KindInput).
	ErrTagNotFound = gitsrc.ErrTagNotFound
	// ErrGitMissing is gitsrc.ErrGitMissing (KindEnvironment).
	ErrGitMissing = gitsrc.ErrGitMissing
	// ErrArchiveLimit is archive.ErrLimit: the archive exceeds a safety limit (KindInput).
	ErrArchiveLimit = archive.ErrLimit
	// ErrNoSandbox is sandbox.ErrUnavailable (KindEnvironment).
	ErrNoSandbox = sandbox.ErrUnavailable
)

// kindError gives an error a Kind without changing its message.
type kindError struct {
	kind Kind
	err  error
}

func (e *kindError) Error() string { return e.err.Error() }
func (e *kindError) Unwrap() error { return e.err }

// Is makes the error match the sentinel of its kind.
func (e *kindError) Is(target error) bool {
	switch e.kind {
	case KindUsage:
		return target == ErrUsage
	case KindInput:
		return target == ErrInput
	case KindEnvironment:
		return target == ErrEnvironment
	}
	return false
}

// Errorf formats an error of kind k (the message is fmt.Errorf's, %w wraps).
func Errorf(k Kind, format string, args ...any) error {
	return &kindError{k, fmt.Errorf(format, args...)}
}

// WithKind gives err the kind k; nil stays nil.
func WithKind(k Kind, err error) error {
	if err == nil {
		return nil
	}
	return &kindError{k, err}
}

// KindOf classifies err: the kind given by Errorf or WithKind, else the
// kind of a leaf error it wraps, else KindInput. A nil error has kind 0.
func KindOf(err error) Kind {
	var ke *kindError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, context.Canceled):
		return KindInterrupted
	case errors.As(err, &ke):
		return ke.kind
	case errors.Is(err, gitsrc.ErrGitMissing), errors.Is(err, gitsrc.ErrNetwork), errors.Is(err, gitsrc.ErrGitKilled),
		errors.Is(err, gitsrc.ErrCache), errors.Is(err, fetch.ErrNetwork), errors.Is(err, fetch.ErrTimeout),
		errors.Is(err, fetch.ErrCache), errors.Is(err, sandbox.ErrUnavailable), errors.Is(err, sandbox.ErrSetup),
		errors.Is(err, toolchain.ErrOffline), errors.Is(err, toolchain.ErrNotCached), errors.Is(err, toolchain.ErrBadSignature),
		errors.Is(err, toolchain.ErrHashMismatch), errors.Is(err, toolchain.ErrCorruptCache), errors.Is(err, toolchain.ErrNotFound),
		errors.Is(err, toolchain.ErrUpstreamSignature), errors.Is(err, toolchain.ErrBuild):
		return KindEnvironment
	case errors.Is(err, sandbox.ErrUnknownBackend), errors.Is(err, toolchain.ErrUnknownTool):
		return KindUsage
	}
	return KindInput
}

// gitErr gives an error of the git layer its kind: a missing git, a network
// failure, a killed git or an unusable cache is the environment; anything
// else (tag not found, not a repository, offline) is the input.
func gitErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, gitsrc.ErrGitMissing), errors.Is(err, gitsrc.ErrNetwork), errors.Is(err, gitsrc.ErrGitKilled),
		errors.Is(err, gitsrc.ErrCache):
		return WithKind(KindEnvironment, err)
	}
	return WithKind(KindInput, err)
}

// fetchErr gives a download error its kind: what the URL or the server
// answered is the input; anything else (network, cache) the environment.
func fetchErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, fetch.ErrOffline), errors.Is(err, fetch.ErrBadURL), errors.Is(err, fetch.ErrNotFound),
		errors.Is(err, fetch.ErrTooLarge), errors.Is(err, fetch.ErrInsecureRedirect), errors.Is(err, fetch.ErrTooManyRedirects),
		errors.Is(err, fetch.ErrHTTP):
		return WithKind(KindInput, err)
	}
	return WithKind(KindEnvironment, err)
}

// archiveErr gives an error of reading the archive its kind (input), with
// the archive's name.
func archiveErr(ctx context.Context, what, name string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, archive.ErrCorrupt) || errors.Is(err, archive.ErrLimit) || errors.Is(err, archive.ErrNeedFile) {
		return Errorf(KindInput, "%s: %w", name, err)
	}
	return Errorf(KindInput, "%s %s: %w", what, name, err)
}

// rebuildErr gives an error of the rebuild step its kind: the sandbox
// failing is the environment, re-reading the release the input.
func rebuildErr(ctx context.Context, name string, err error) error {
	var se *rebuild.SandboxError
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.As(err, &se):
		return WithKind(KindEnvironment, err)
	}
	return archiveErr(ctx, "re-reading", name, err)
}

// toolchainErr gives an error of the toolchain cache its kind (KindOf):
// offline, not cached, bad signature, hash mismatch, corrupt cache are the
// environment (exit 3); an unknown tool version is usage.
func toolchainErr(err error) error {
	if err == nil || errors.Is(err, context.Canceled) {
		return err
	}
	return WithKind(KindOf(err), err)
}

// fileError is a user-named file's error on one line: what names the
// argument or flag ("tarball", "--policy"), the path stays, the system
// call's name ("stat", "open") goes, and the fix follows. It wraps err
// (errors.Is(err, fs.ErrNotExist) holds) and has kind k.
func fileError(k Kind, what string, err error) error {
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		return &kindError{k, fmt.Errorf("%s: %w", what, err)}
	}
	reason, fix := pe.Err.Error(), ""
	switch {
	case errors.Is(pe.Err, fs.ErrNotExist):
		reason, fix = "no such file", " (check the path)"
	case errors.Is(pe.Err, fs.ErrPermission):
		reason, fix = "permission denied", " (make it readable)"
	}
	return &kindError{k, &pathError{fmt.Sprintf("%s %s: %s%s", what, pe.Path, reason, fix), err}}
}

// pathError is fileError's message over the original error.
type pathError struct {
	msg string
	err error
}

func (e *pathError) Error() string { return e.msg }
func (e *pathError) Unwrap() error { return e.err }
