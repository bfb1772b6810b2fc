// Package fetch downloads release files over HTTP(S) into a local,
// content-addressed cache and discovers the signature, Sigstore bundle and
// checksum files published next to a release tarball.
//
// It is the only tarcheck package that uses net/http. Every download is
// written to a temporary file inside the cache while its sha256 is computed,
// fsynced, and renamed to blobs/sha256/<hex> only when complete; on any
// failure, including a cancelled context, the temporary file is removed, so
// an interrupted run never leaves a partial cache entry.
//
// Cache policy: release files are immutable by convention, so a URL already in
// the cache is reused without contacting the server (the cached content is
// re-hashed first and re-downloaded if damaged). Options.Revalidate instead
// sends a conditional request (If-None-Match / If-Modified-Since) and reuses
// the cached file on 304 Not Modified. A sidecar that was "not published"
// (404 or 410) is remembered for Options.NegativeTTL, so that a signature
// uploaded after a first run is still found later. In offline mode only the
// cache is consulted, and "not published" entries never expire.
//
// The content returned is only what the server sent: callers must still
// verify it (signatures, checksums) before trusting it.
package fetch

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tarcheck/tarcheck/internal/limits"
)

// Defaults and limits. A zero value in Options selects the default.
const (
	// DefaultMaxSize is the largest file Get downloads (4 GiB).
	DefaultMaxSize int64 = limits.FetchMaxSize
	// MaxSidecarSize is the largest signature, bundle or checksum file
	// Discover downloads or reads (16 MiB).
	MaxSidecarSize int64 = limits.FetchMaxSidecarSize
	// DefaultConnectTimeout bounds the time from sending a request to
	// receiving the response headers (DNS, connect, TLS, server think time).
	DefaultConnectTimeout = limits.FetchConnectTimeout
	// DefaultReadTimeout is the longest a response body may stall without
	// delivering a byte.
	DefaultReadTimeout = limits.FetchReadTimeout
	// DefaultRetries is how many times a request is retried after a 5xx
	// status or a network error.
	DefaultRetries = 3
	// DefaultBackoff is the delay before the first retry; it doubles for
	// each further retry, with jitter, up to MaxBackoff.
	DefaultBackoff = 500 * time.Millisecond
	// MaxBackoff caps the delay between retries, including a server's
	// Retry-After.
	MaxBackoff = 10 * time.Second
	// DefaultNegativeTTL is how long a "not published" answer is reused.
	DefaultNegativeTTL = time.Hour
	// MaxRedirects is the longest redirect chain followed.
	MaxRedirects = limits.FetchMaxRedirects
	// DefaultUserAgent is sent when Options.UserAgent is empty.
	DefaultUserAgent = "tarcheck"

	copyBufferSize = 256 << 10
	maxDrain       = limits.FetchMaxDrain
)

// Options configures a Fetcher. The zero value is usable except for
// CacheDir, which is required.
type Options struct {
	// CacheDir is the cache root (see DefaultCacheDir). Required.
	CacheDir string
	// MaxSize caps the size of a file from Get and GetOptional; 0 means
	// DefaultMaxSize.
	MaxSize int64
	// ConnectTimeout bounds the wait for response headers; 0 means
	// DefaultConnectTimeout.
	ConnectTimeout time.Duration
	// ReadTimeout bounds how long the body may stall; 0 means
	// DefaultReadTimeout.
	ReadTimeout time.Duration
	// Retries is the number of retries after a 5xx status or a network
	// error (never after a 4xx); 0 means DefaultRetries, negative means none.
	Retries int
	// Backoff is the delay before the first retry; 0 means DefaultBackoff.
	Backoff time.Duration
	// UserAgent is sent with every request, e.g. "tarcheck/1.2.0"; empty
	// means DefaultUserAgent.
	UserAgent string
	// Offline forbids all network access: only cached files are returned,
	// anything else is ErrOffline.
	Offline bool
	// Revalidate makes a cached URL be revalidated with a conditional
	// request instead of reused without contacting the server.
	Revalidate bool
	// NegativeTTL is how long a cached "not published" answer is reused
	// online; 0 means DefaultNegativeTTL, negative means never reused.
	NegativeTTL time.Duration
	// Progress, if set, is called as the body of a Get or GetOptional
	// download arrives, with total -1 when the size is unknown. It restarts
	// from 0 on a retry. Discover does not report progress.
	Progress func(done, total int64)
	// Client is the HTTP client to use; nil means a client built from
	// http.DefaultTransport (honouring proxy environment variables). Its
	// CheckRedirect is replaced by the Fetcher's own, its Timeout is kept.
	Client *http.Client
	// Logf, if set, receives verbose diagnostics (cache hits, retries). Calls
	// are serialized.
	Logf func(format string, args ...any)
}

// Fetcher downloads files into a Cache. It is safe for concurrent use.
type Fetcher struct {
	cache          *Cache
	client         *http.Client
	maxSize        int64
	connectTimeout time.Duration
	readTimeout    time.Duration
	retries        int
	backoff        time.Duration
	userAgent      string
	offline        bool
	revalidate     bool
	negativeTTL    time.Duration
	progress       func(done, total int64)

	logMu sync.Mutex
	logf  func(format string, args ...any)
}

// File is a downloaded (or local) file.
type File struct {
	// Path is the file on disk: for a download, the blob in the cache,
	// shared by every run and not to be modified or removed by the caller.
	Path string
	// SHA256 is the lowercase hex sha256 of the content.
	SHA256 string
	// Size is the content length in bytes.
	Size int64
	// URL is the requested URL (password redacted); empty for a local file.
	URL string
	// FinalURL is the URL after redirects, when it differs from URL.
	FinalURL string
	// FromCache is set when no download happened in this call.
	FromCache bool
}

// New returns a Fetcher with the cache at opts.CacheDir, creating it if
// needed.
func New(opts Options) (*Fetcher, error) {
	cache, err := OpenCache(opts.CacheDir)
	if err != nil {
		return nil, err
	}
	f := &Fetcher{
		cache:          cache,
		maxSize:        orDefault(opts.MaxSize, DefaultMaxSize),
		connectTimeout: orDefault(opts.ConnectTimeout, DefaultConnectTimeout),
		readTimeout:    orDefault(opts.ReadTimeout, DefaultReadTimeout),
		retries:        opts.Retries,
		backoff:        orDefault(opts.Backoff, DefaultBackoff),
		userAgent:      opts.UserAgent,
		offline:        opts.Offline,
		revalidate:     opts.Revalidate,
		negativeTTL:    orDefault(opts.NegativeTTL, DefaultNegativeTTL),
		progress:       opts.Progress,
		logf:           opts.Logf,
	}
	if f.maxSize < 0 {
		return nil, fmt.Errorf("negative maximum download size %d", f.maxSize)
	}
	switch {
	case f.retries == 0:
		f.retries = DefaultRetries
	case f.retries < 0:
		f.retries = 0
	}
	if f.userAgent == "" {
		f.userAgent = DefaultUserAgent
	}
	var client http.Client
	if opts.Client != nil {
		client = *opts.Client
	} else {
		client.Transport = f.defaultTransport()
	}
	client.CheckRedirect = checkRedirect
	f.client = &client
	return f, nil
}

func orDefault[T int64 | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

func (f *Fetcher) defaultTransport() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: f.connectTimeout, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = f.connectTimeout
	t.ResponseHeaderTimeout = f.connectTimeout
	t.DisableCompression = true
	return t
}

// checkRedirect refuses https->http downgrades, non-http schemes and long
// chains.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= MaxRedirects {
		return fmt.Errorf("%w (%d)", ErrTooManyRedirects, len(via))
	}
	prev := via[len(via)-1].URL
	switch {
	case req.URL.Scheme != "http" && req.URL.Scheme != "https":
		return fmt.Errorf("%w: to %s", ErrInsecureRedirect, req.URL.Redacted())
	case prev.Scheme == "https" && req.URL.Scheme == "http":
		return fmt.Errorf("%w: from %s to %s", ErrInsecureRedirect, prev.Redacted(), req.URL.Redacted())
	}
	return nil
}

func (f *Fetcher) log(format string, args ...any) {
	if f.logf == nil {
		return
	}
	f.logMu.Lock()
	defer f.logMu.Unlock()
	f.logf(format, args...)
}

// IsURL reports whether s is an absolute http or https URL with a host, the
// only kind Get accepts.
func IsURL(s string) bool {
	_, err := parseURL(s)
	return err == nil
}

// parsedURL is a validated request URL.
type parsedURL struct {
	u         *url.URL
	canonical string // u.String(), the cache key
}

func parseURL(s string) (*parsedURL, error) {
	if len(s) > maxIndexURLLen {
		return nil, fmt.Errorf("%w: URL longer than %d bytes", ErrBadURL, maxIndexURLLen)
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadURL, err)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" || u.Hostname() == "" {
		return nil, fmt.Errorf("%w: %q", ErrBadURL, u.Redacted())
	}
	u.Fragment, u.RawFragment = "", ""
	return &parsedURL{u: u, canonical: u.String()}, nil
}

func redact(u *parsedURL) string { return u.u.Redacted() }

// Get downloads rawURL (http or https) into the cache, or returns the cached
// copy (see the package doc for the cache policy). The caller must still
// verify the content. Errors match ErrBadURL, ErrOffline, ErrHTTP (and
// ErrNotFound), ErrTooLarge, ErrInsecureRedirect, ErrNetwork (and
// ErrTimeout), ErrCache, or the context's error.
func (f *Fetcher) Get(ctx context.Context, rawURL string) (*File, error) {
	return f.get(ctx, rawURL, request{maxSize: f.maxSize, progress: f.progress})
}

// GetOptional is Get for a file that may legitimately be missing: a 404 or
// 410 answer returns (nil, nil), meaning "not published", and is remembered
// in the cache. Every other failure is returned as by Get.
func (f *Fetcher) GetOptional(ctx context.Context, rawURL string) (*File, error) {
	return f.get(ctx, rawURL, request{maxSize: f.maxSize, progress: f.progress, optional: true})
}

// request holds per-call settings.
type request struct {
	maxSize  int64
	progress func(done, total int64)
	optional bool // 404/410 => not published
}

// errAbsent is returned internally for a "not published" optional file.
var errAbsent = errors.New("not published")

func (f *Fetcher) get(ctx context.Context, rawURL string, req request) (*File, error) {
	u, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	if !f.offline {
		// Held until the entry is written: a process waiting here then
		// finds it in the cache below instead of downloading it again.
		lock, err := f.cache.lockEntry(ctx, u)
		if err != nil {
			return nil, err
		}
		defer lock.Unlock()
	}
	ent, err := f.cache.lookup(u)
	if err != nil {
		return nil, err
	}
	var cached *File
	var cond *indexEntry
	switch {
	case ent == nil:
	case ent.Status == statusAbsent:
		fresh := f.negativeTTL > 0 && time.Since(ent.FetchedAt) < f.negativeTTL && !f.revalidate
		if req.optional && (f.offline || fresh) {
			f.log("cache: %s not published (checked %s)", redact(u), ent.FetchedAt.Format(time.RFC3339))
			return nil, nil
		}
	default:
		file, err := f.cache.open(ent)
		if err != nil {
			f.log("cache: discarding damaged entry for %s: %v", redact(u), err)
			f.cache.remove(u)
			break
		}
		if file.Size > req.maxSize {
			return nil, fmt.Errorf("%s: %w (%d > %d bytes)", redact(u), ErrTooLarge, file.Size, req.maxSize)
		}
		if f.offline || !f.revalidate {
			f.log("cache: using %s (sha256 %s)", redact(u), file.SHA256)
			return file, nil
		}
		cached, cond = file, ent
	}
	if f.offline {
		return nil, fmt.Errorf("%s: %w", redact(u), ErrOffline)
	}
	for attempt := 0; ; attempt++ {
		file, err := f.attempt(ctx, u, req, cached, cond)
		if errors.Is(err, errAbsent) {
			return nil, nil
		}
		if err == nil {
			return file, nil
		}
		delay, ok := f.retryDelay(err, attempt)
		if !ok {
			return nil, err
		}
		f.log("retrying %s in %v (attempt %d of %d): %v", redact(u), delay, attempt+2, f.retries+1, err)
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("downloading %s: %w", redact(u), ctx.Err())
		}
	}
}

// retryDelay says whether err is worth retrying after attempt (0-based) and
// how long to wait first.
func (f *Fetcher) retryDelay(err error, attempt int) (time.Duration, bool) {
	if attempt >= f.retries {
		return 0, false
	}
	var retryAfter time.Duration
	var he *HTTPError
	var ne *NetworkError
	switch {
	case errors.As(err, &he):
		if he.StatusCode < 500 {
			return 0, false
		}
		retryAfter = time.Duration(he.retryAfter) * time.Second
	case errors.As(err, &ne):
		if ne.permanent {
			return 0, false
		}
	default:
		return 0, false
	}
	d := f.backoff << attempt
	if d <= 0 || d > MaxBackoff {
		d = MaxBackoff
	}
	d = d/2 + rand.N(d/2+1) // jitter in [d/2, d]
	if retryAfter > d {
		d = min(retryAfter, MaxBackoff)
	}
	return d, true
}

// attempt makes one request. cached/cond are set for a conditional request.
func (f *Fetcher) attempt(ctx context.Context, u *parsedURL, req request, cached *File, cond *indexEntry) (*File, error) {
	actx, cancel := context.WithCancel(ctx)
	defer cancel()
	wd := newWatchdog(f.connectTimeout, cancel)
	defer wd.stop()

	hreq, err := f.newRequest(actx, u, cond)
	if err != nil {
		return nil, err
	}
	resp, err := f.client.Do(hreq)
	if err != nil {
		return nil, f.classify(ctx, wd, u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return f.notOK(u, req, resp, cached, cond)
	}
	total := resp.ContentLength
	if total > req.maxSize {
		return nil, fmt.Errorf("downloading %s: %w (Content-Length %d > %d bytes)", redact(u), ErrTooLarge, total, req.maxSize)
	}
	return f.download(ctx, wd, u, req, resp, total)
}

// newRequest is the GET of u, conditional on cond's validators when the
// cache holds a copy.
func (f *Fetcher) newRequest(ctx context.Context, u *parsedURL, cond *indexEntry) (*http.Request, error) {
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, u.canonical, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadURL, err)
	}
	hreq.Header.Set("User-Agent", f.userAgent)
	// The exact bytes are wanted: no transparent decompression.
	hreq.Header.Set("Accept-Encoding", "identity")
	if cond != nil {
		if cond.ETag != "" {
			hreq.Header.Set("If-None-Match", cond.ETag)
		}
		if cond.LastModified != "" {
			hreq.Header.Set("If-Modified-Since", cond.LastModified)
		}
	}
	return hreq, nil
}

// notOK handles a response other than 200: 304 returns the cached copy, a
// 404 or 410 of an optional file is recorded as not published (errAbsent),
// anything else is an HTTPError.
func (f *Fetcher) notOK(u *parsedURL, req request, resp *http.Response, cached *File, cond *indexEntry) (*File, error) {
	switch {
	case resp.StatusCode == http.StatusNotModified && cached != nil:
		f.log("cache: %s not modified", redact(u))
		cond.FetchedAt = time.Now().UTC()
		if err := f.cache.writeIndex(u, cond); err != nil {
			f.log("cache: updating index for %s: %v", redact(u), err)
		}
		return cached, nil
	case req.optional && (resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone):
		f.log("%s: %s (not published)", redact(u), resp.Status)
		drain(resp.Body)
		ent := &indexEntry{Status: statusAbsent, HTTPStatus: resp.StatusCode, FetchedAt: time.Now().UTC()}
		if err := f.cache.writeIndex(u, ent); err != nil {
			f.log("cache: recording %s as not published: %v", redact(u), err)
		}
		return nil, errAbsent
	default:
		drain(resp.Body)
		he := &HTTPError{URL: redact(u), StatusCode: resp.StatusCode, Status: resp.Status}
		if s, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); err == nil && s > 0 {
			he.retryAfter = s
		}
		return nil, he
	}
}

// download streams the body of resp (total bytes, or -1) into the cache,
// within req.maxSize and the read timeout, and records it in the index.
func (f *Fetcher) download(ctx context.Context, wd *watchdog, u *parsedURL, req request, resp *http.Response, total int64) (*File, error) {
	finalURL := ""
	if resp.Request != nil && resp.Request.URL != nil && resp.Request.URL.String() != u.canonical {
		finalURL = resp.Request.URL.Redacted()
	}
	tmp, err := f.cache.tempFile("download-*")
	if err != nil {
		return nil, err
	}
	committed := false
	defer func() {
		if !committed {
			tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()

	wd.reset(f.readTimeout)
	h := sha256.New()
	n, werr, rerr := copyBody(tmp, h, resp.Body, req.maxSize, total, wd, f.readTimeout, req.progress)
	switch {
	case werr != nil:
		return nil, fmt.Errorf("%w: writing %s: %w", ErrCache, tmp.Name(), werr)
	case rerr != nil:
		return nil, f.classify(ctx, wd, u, rerr)
	case n > req.maxSize:
		return nil, fmt.Errorf("downloading %s: %w (more than %d bytes)", redact(u), ErrTooLarge, req.maxSize)
	case total >= 0 && n != total:
		return nil, &NetworkError{URL: redact(u), Err: fmt.Errorf("body has %d bytes, Content-Length says %d", n, total)}
	}
	wd.stop()
	if err := tmp.Sync(); err != nil {
		return nil, fmt.Errorf("%w: syncing %s: %w", ErrCache, tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("%w: closing %s: %w", ErrCache, tmp.Name(), err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	committed = true // commitBlob renames or removes the temporary file
	path, err := f.cache.commitBlob(tmp.Name(), sum)
	if err != nil {
		return nil, err
	}
	ent := &indexEntry{
		Status:       statusOK,
		FinalURL:     finalURL,
		SHA256:       sum,
		Size:         n,
		ETag:         trimValidator(resp.Header.Get("ETag")),
		LastModified: trimValidator(resp.Header.Get("Last-Modified")),
		FetchedAt:    time.Now().UTC(),
	}
	if err := f.cache.writeIndex(u, ent); err != nil {
		return nil, err
	}
	f.log("downloaded %s: %d bytes, sha256 %s", redact(u), n, sum)
	return &File{Path: path, SHA256: sum, Size: n, URL: redact(u), FinalURL: finalURL}, nil
}

// copyBody copies at most maxSize+1 bytes of body to w and h, feeding the
// watchdog and the progress callback. It returns the write error and the
// read error separately.
func copyBody(w io.Writer, h io.Writer, body io.Reader, maxSize, total int64, wd *watchdog, idle time.Duration, progress func(done, total int64)) (n int64, werr, rerr error) {
	if progress != nil {
		progress(0, total)
	}
	buf := make([]byte, copyBufferSize)
	limit := maxSize + 1
	for n < limit {
		chunk := buf
		if rem := limit - n; rem < int64(len(chunk)) {
			chunk = chunk[:rem]
		}
		m, err := body.Read(chunk)
		if m > 0 {
			wd.reset(idle)
			if _, err := w.Write(chunk[:m]); err != nil {
				return n, err, nil
			}
			h.Write(chunk[:m])
			n += int64(m)
			if progress != nil {
				progress(n, total)
			}
		}
		if err == io.EOF {
			return n, nil, nil
		}
		if err != nil {
			return n, nil, err
		}
	}
	return n, nil, nil
}

// classify turns a transport or body error into the package's errors.
func (f *Fetcher) classify(ctx context.Context, wd *watchdog, u *parsedURL, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("downloading %s: %w", redact(u), ctx.Err())
	}
	if errors.Is(err, ErrInsecureRedirect) || errors.Is(err, ErrTooManyRedirects) {
		return fmt.Errorf("downloading %s: %w", redact(u), unwrapURLError(err))
	}
	if d, fired := wd.firedAfter(); fired {
		return &NetworkError{URL: redact(u), Timeout: true, Err: fmt.Errorf("no data for %v", d)}
	}
	ne := &NetworkError{URL: redact(u), Err: unwrapURLError(err)}
	var te interface{ Timeout() bool }
	if errors.As(err, &te) && te.Timeout() {
		ne.Timeout = true
	}
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalidCert x509.CertificateInvalidError
	if errors.As(err, &certErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) || errors.As(err, &invalidCert) {
		ne.permanent = true
	}
	return ne
}

// unwrapURLError strips net/http's *url.Error, whose message repeats the
// method and URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func drain(r io.Reader) { _, _ = io.CopyN(io.Discard, r, maxDrain) }

// watchdog cancels a request when no progress is made for its duration.
type watchdog struct {
	timer *time.Timer
	d     atomic.Int64 // current duration, for the error message
	fired atomic.Bool
}

func newWatchdog(d time.Duration, cancel context.CancelFunc) *watchdog {
	w := &watchdog{}
	w.d.Store(int64(d))
	w.timer = time.AfterFunc(d, func() {
		w.fired.Store(true)
		cancel()
	})
	return w
}

func (w *watchdog) reset(d time.Duration) {
	if w.fired.Load() {
		return
	}
	w.d.Store(int64(d))
	w.timer.Reset(d)
}

func (w *watchdog) stop() { w.timer.Stop() }

func (w *watchdog) firedAfter() (time.Duration, bool) {
	return time.Duration(w.d.Load()), w.fired.Load()
}
