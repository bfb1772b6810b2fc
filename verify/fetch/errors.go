package fetch

import (
	"errors"
	"fmt"
	"net/http"
)

// Sentinel errors. Callers test them with errors.Is; the CLI maps them to
// exit codes (ErrBadURL, ErrOffline and ErrNotFound are input problems,
// ErrNetwork (which includes ErrTimeout) and ErrCache are environment
// problems). A cancelled context is returned as the context's own error
// (context.Canceled or context.DeadlineExceeded), never as ErrNetwork.
var (
	// ErrBadURL reports a URL that is not an absolute http or https URL.
	ErrBadURL = errors.New("not an http or https URL")
	// ErrOffline reports that a file is not in the cache and offline mode
	// forbids any network access.
	ErrOffline = errors.New("not in the cache, and offline mode forbids network access")
	// ErrNotCached is returned by Cache.Lookup for a URL with no usable entry.
	ErrNotCached = errors.New("not in the cache")
	// ErrTooLarge reports a download larger than the configured maximum size,
	// announced by Content-Length or observed while reading.
	ErrTooLarge = errors.New("file exceeds the download size limit")
	// ErrHTTP matches every *HTTPError (an unexpected HTTP status).
	ErrHTTP = errors.New("unexpected http status")
	// ErrNotFound matches an *HTTPError whose status is 404 or 410.
	ErrNotFound = errors.New("not found on the server")
	// ErrInsecureRedirect reports a redirect from https to http (or to a
	// scheme other than http and https), which is always refused.
	ErrInsecureRedirect = errors.New("insecure redirect refused")
	// ErrTooManyRedirects reports a redirect chain longer than MaxRedirects.
	ErrTooManyRedirects = errors.New("too many redirects")
	// ErrNetwork matches every *NetworkError: connection failures, TLS
	// failures, timeouts and connections closed mid-body.
	ErrNetwork = errors.New("network error")
	// ErrTimeout matches a *NetworkError caused by a connect or idle timeout;
	// it also matches ErrNetwork.
	ErrTimeout = errors.New("timed out")
	// ErrCache reports a failure to read or write the local cache (full disk,
	// permissions); it is an environment problem, not a network one.
	ErrCache = errors.New("cache error")
)

// HTTPError is an unexpected HTTP status from the server. It matches ErrHTTP,
// and ErrNotFound when the status is 404 or 410.
type HTTPError struct {
	// URL is the requested URL with any password redacted.
	URL string
	// StatusCode is the HTTP status code, e.g. 404.
	StatusCode int
	// Status is the status line text, e.g. "404 Not Found".
	Status string

	retryAfter int // seconds from a Retry-After header, 0 when absent
}

// Error implements error.
func (e *HTTPError) Error() string {
	status := e.Status
	if status == "" {
		status = fmt.Sprintf("%d %s", e.StatusCode, http.StatusText(e.StatusCode))
	}
	return fmt.Sprintf("GET %s: %s", e.URL, status)
}

// Is reports whether target is ErrHTTP, or ErrNotFound for a 404 or 410.
func (e *HTTPError) Is(target error) bool {
	switch target {
	case ErrHTTP:
		return true
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound || e.StatusCode == http.StatusGone
	}
	return false
}

// NetworkError is a failure to talk to the server: DNS, connect, TLS, a
// connection closed mid-body, or a timeout. It matches ErrNetwork, and
// ErrTimeout when Timeout is set.
type NetworkError struct {
	// URL is the requested URL with any password redacted.
	URL string
	// Timeout is set when the connect or idle timeout expired.
	Timeout bool
	// Err is the underlying error.
	Err error

	permanent bool // not worth retrying (certificate errors)
}

// Error implements error.
func (e *NetworkError) Error() string {
	if e.Timeout {
		return fmt.Sprintf("downloading %s: timed out: %v", e.URL, e.Err)
	}
	return fmt.Sprintf("downloading %s: %v", e.URL, e.Err)
}

// Unwrap returns the underlying error.
func (e *NetworkError) Unwrap() error { return e.Err }

// Is reports whether target is ErrNetwork, or ErrTimeout for a timeout.
func (e *NetworkError) Is(target error) bool {
	return target == ErrNetwork || (target == ErrTimeout && e.Timeout)
}
