package autotools

import (
	"fmt"
)

// atPlaceholderRe is a configure-style placeholder (@CURL_PLIST_VERSION@).
var atPlaceholderRe = lazyRegexp(`@[A-Za-z_][A-Za-z0-9_]*@`)

// ruleInstantiated explains a file only in the tarball that a release
// script made from the template beside it (X from X.in, tracked in the tag)
// by substituting the release version or date for the template's
// @PLACEHOLDER@s, and nothing else: curl's maketgz writes lib/libcurl.plist
// from lib/libcurl.plist.in with sed s/@CURL_PLIST_VERSION@/7.88.1/. The
// comparison is release stamping's (stampOnly): a placeholder replaced by
// anything other than the release's version or a date, or any other
// changed line, is not explained.
func ruleInstantiated(c *classification) (Result, bool) {
	if c.in.Status != StatusOnlyInTarball || c.in.Tarball == nil || c.in.TarballMode == ModeSymlink || c.tarBinary ||
		c.ctx.TagFile == nil || c.ctx.Version == "" {
		return Result{}, false
	}
	tmpl := c.in.Path + ".in"
	src, ok := c.ctx.TagFile(tmpl)
	if !ok || !atPlaceholderRe().Match(src) {
		return Result{}, false
	}
	n, ok := stampOnly(src, c.in.Tarball, c.ctx.Version)
	if !ok {
		return Result{}, false
	}
	// Scanned as any tarball file: the template's own bytes, identical in
	// the tag, may sit where the build reads the instance.
	return Result{Class: ClassReleaseStamped, Severity: SevLow,
		Reason: fmt.Sprintf("made at release from %s of the tag, its placeholders replaced by the release version or date only (%d line%s)", tmpl, n, plural(n))}, true
}
