package autotools

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/tarcheck/tarcheck/internal/limits"
)

// maxStampLines caps the lines compared when looking for release stamping.
const maxStampLines = limits.AutotoolsMaxStampLines

var (
	monthPat = `(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?`
	// dateRe matches full dates and times in the usual release formats.
	dateRe = lazyRegexp(ctimePat +
		`|\b[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2})?(?: ?(?:[+-][0-9]{4}|Z|UTC))?)?\b` +
		`|\b[0-9]{4}/[0-9]{2}/[0-9]{2}\b` +
		`|\b(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? )?(?:[0-9]{1,2} )?` + monthPat + ` (?:[0-9]{1,2},? )?[0-9]{4}\b` +
		`|\b[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?\b`)
	// ctimePat is date(1)'s and ctime(3)'s format, "Wed Oct 16 08:03:21 UTC 2024"
	// (libssh2's maketgz stamps LIBSSH2_TIMESTAMP with it).
	ctimePat     = `\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 0-9]?[0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}(?: [A-Z]{2,5})? [0-9]{4}\b`
	yearRe2      = lazyRegexp(`\b(?:19|20)[0-9]{2}\b`)
	copyrightRe2 = lazyRegexp(`(?i)copyright|\(c\)|©`)
	// gitVersionRe matches what the tag's copy may hold where the release
	// has its version: an older version, a placeholder, unknown marks.
	gitVersionRe = lazyRegexp(`\b[0-9]+(?:\.[0-9]+)+(?:[-+~_.]?[A-Za-z0-9]+)*\b|@[A-Za-z_][A-Za-z0-9_]*@|\?[?.\-]+|\bUNRELEASED\b|\bunreleased\b`)
)

const stampMark = "\x00"

var (
	// gitPlaceholderRe matches what the tag's copy may hold where the release
	// has its version or date, besides versions and dates: placeholders and
	// development markers.
	gitPlaceholderRe = lazyRegexp(`\[unreleased\]|\bDEV\b|\bUNRELEASED\b|\bunreleased\b|@[A-Za-z_][A-Za-z0-9_]*@|\?[?.\-]+|-(?:DEV|dev|git)\b`)
	// gitHexRe is a hex number in the tag's copy, masked only on a line
	// naming a version (curl's LIBCURL_VERSION_NUM 0x075801): never an
	// arbitrary constant.
	gitHexRe = lazyRegexp(`\b0x[0-9a-fA-F]{4,8}\b`)
	// versionIdentRe is a macro that holds the version in the tag's copy and
	// is replaced by the quoted release version at release (curl's
	// "#define CURL_VERSION LIBCURL_VERSION").
	versionIdentRe = lazyRegexp(`\b[A-Z][A-Z0-9_]*VERSION[A-Z0-9_]*\b`)
)

// A release version longer than maxVersionLen, or with a character outside
// versionChars (it comes from the archive's name), is not used for masking.
const (
	maxVersionLen = limits.AutotoolsMaxVersionLen
	versionChars  = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.+~_-"
)

// stamper masks release stamping in one pair of lines.
type stamper struct {
	verRe *regexp.Regexp // the release version, possibly with a v prefix
	hexRe *regexp.Regexp // the release version as a hex number (0x075801)
}

func newStamper(version string) stamper {
	var st stamper
	if version == "" || len(version) > maxVersionLen || strings.Trim(version, versionChars) != "" {
		return st
	}
	st.verRe = regexp.MustCompile(`(?:\b|v)` + regexp.QuoteMeta(version) + `\b`)
	if h := versionHex(version); h != "" {
		st.hexRe = regexp.MustCompile(`(?i)\b0x` + h + `\b`)
	}
	return st
}

// versionHex renders a dotted numeric version as the hex number C projects
// use for it, two digits per component ("7.88.1" -> "075801"), or "".
func versionHex(version string) string {
	parts := strings.Split(version, ".")
	if len(parts) < 2 || len(parts) > 4 {
		return ""
	}
	var b strings.Builder
	for _, p := range parts {
		n := 0
		if p == "" || len(p) > 3 {
			return ""
		}
		for _, c := range p {
			if c < '0' || c > '9' {
				return ""
			}
			n = n*10 + int(c-'0')
		}
		if n > 255 {
			return ""
		}
		fmt.Fprintf(&b, "%02x", n)
	}
	return b.String()
}

// maskTar masks the release version, its hex form and dates in a tarball line.
func (st stamper) maskTar(t string) string {
	if st.verRe != nil {
		t = st.verRe.ReplaceAllString(t, stampMark)
	}
	if st.hexRe != nil && namesVersion(t) {
		t = st.hexRe.ReplaceAllString(t, stampMark)
	}
	return dateRe().ReplaceAllString(t, stampMark)
}

// maskGit masks dates, any version, version numbers in hex and placeholders
// in a line of the tag's copy.
func maskGit(g string) string {
	g = dateRe().ReplaceAllString(g, stampMark)
	g = gitPlaceholderRe().ReplaceAllString(g, stampMark)
	if namesVersion(g) {
		g = gitHexRe().ReplaceAllString(g, stampMark)
	}
	return gitVersionRe().ReplaceAllString(g, stampMark)
}

// stamped reports whether tarball line t is git line g with only release
// stamping applied.
func (st stamper) stamped(g, t string) bool {
	if len(g) > MaxRegexpLine || len(t) > MaxRegexpLine {
		return false
	}
	if dg, dt, ok := versionDefines(g, t); ok {
		if dg == dt {
			return true
		}
		g, t = dg, dt
	}
	t = st.maskTar(t)
	g = maskGit(g)
	if copyrightRe2().MatchString(t) {
		t = yearRe2().ReplaceAllString(t, stampMark)
		g = yearRe2().ReplaceAllString(g, stampMark)
	}
	if !strings.Contains(t, stampMark) {
		return false
	}
	ct := collapseMarks(t)
	if collapseMarks(g) == ct {
		return true
	}
	// The release version or date inserted where the tag's copy has none
	// (curl's ".TH ... "libcurl"" becoming ""libcurl 7.88.1"").
	if dropMarks(g) == dropMarks(ct) {
		return true
	}
	// One version macro replaced by the quoted release version.
	locs := versionIdentRe().FindAllStringIndex(g, 4)
	for _, l := range locs {
		for _, q := range []string{`"`, `'`} {
			if collapseMarks(g[:l[0]]+q+stampMark+q+g[l[1]:]) == ct {
				return true
			}
		}
	}
	return false
}

// defineRe is a C preprocessor definition: name and value.
var defineRe = lazyRegexp(`^[ \t]*#[ \t]*define[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]+(\S.*?)[ \t]*$`)

// versionDefines recognises a pair of "#define NAME value" lines for the
// same macro naming a version, timestamp or date, and returns both with the
// blanks around the value normalised: release scripts rewrite these lines
// with sed and drop the tag's column alignment (libssh2's maketgz turns
// "#define LIBSSH2_VERSION_MAJOR<29 blanks>1" into "#define
// LIBSSH2_VERSION_MAJOR 1"). Only blanks outside the value are normalised;
// the values are still compared, or masked, token by token.
func versionDefines(g, t string) (string, string, bool) {
	mg := defineRe().FindStringSubmatch(g)
	mt := defineRe().FindStringSubmatch(t)
	if mg == nil || mt == nil || mg[1] != mt[1] {
		return "", "", false
	}
	name := strings.ToUpper(mg[1])
	if !strings.Contains(name, "VERSION") && !strings.Contains(name, "TIMESTAMP") && !strings.Contains(name, "DATE") {
		return "", "", false
	}
	return "#define " + mg[1] + " " + mg[2], "#define " + mt[1] + " " + mt[2], true
}

// stampOnly reports whether git and tarball differ only in release stamping:
// every non-blank line of one pairs, in order, with a non-blank line of the
// other that is identical or differs only where the tarball holds the
// release version (or its hex form) or a date, and the tag's copy an older
// version, a development suffix, a placeholder or a date. Blank lines may
// be added or removed, except after a backslash continuation (where they
// end a command). It returns the number of changed lines.
func stampOnly(git, tarball []byte, version string) (int, bool) {
	gl := splitLines(git)
	tl := splitLines(tarball)
	if len(gl) > maxStampLines || len(tl) > maxStampLines {
		return 0, false
	}
	st := newStamper(version)
	blank := func(l []byte) bool { return len(bytes.TrimSpace(l)) == 0 }
	// skippable: a blank line that does not end a continued line.
	skippable := func(ls [][]byte, i int) bool {
		return blank(ls[i]) && (i == 0 || !bytes.HasSuffix(bytes.TrimRight(ls[i-1], " \t\r"), []byte("\\")))
	}
	changed, stampedLines := 0, 0
	i, j := 0, 0
	for i < len(gl) || j < len(tl) {
		switch {
		case i < len(gl) && j < len(tl) && bytes.Equal(gl[i], tl[j]):
			i++
			j++
			continue
		case i < len(gl) && skippable(gl, i):
			i++
		case j < len(tl) && skippable(tl, j):
			j++
		case i < len(gl) && j < len(tl):
			if !st.stamped(string(gl[i]), string(tl[j])) {
				return changed + 1, false
			}
			stampedLines++
			i++
			j++
		default:
			return changed + 1, false
		}
		changed++
	}
	return changed, stampedLines > 0
}

// collapseMarks merges adjacent marks, and marks separated only by
// punctuation, so "1.2.3 (2024-01-02)" and "?.? (????-??-??)" compare equal.
func collapseMarks(s string) string {
	var b strings.Builder
	prevMark := false
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			if !prevMark {
				b.WriteByte(0)
			}
			prevMark = true
			continue
		}
		if prevMark && (s[i] == ',' || s[i] == '-') && i+1 < len(s) && s[i+1] == 0 {
			continue
		}
		prevMark = false
		b.WriteByte(s[i])
	}
	return b.String()
}

// dropMarks deletes every mark with the blanks before it.
func dropMarks(s string) string { return markWithBlanksRe().ReplaceAllString(collapseMarks(s), "") }

var markWithBlanksRe = lazyRegexp("[ \t]*\x00")

func splitLines(b []byte) [][]byte {
	if len(b) == 0 {
		return nil
	}
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.Split(b, []byte("\n"))
}

// crlfOnly reports whether a and b differ only in line endings (CRLF vs LF).
func crlfOnly(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return false
	}
	na := bytes.ReplaceAll(a, []byte("\r\n"), []byte("\n"))
	nb := bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	return bytes.Equal(na, nb)
}

// namesVersion reports whether a line names a version (VERSION_NUM,
// version_hex, ...): the only lines where releases write their version as
// a hex number.
func namesVersion(l string) bool {
	return strings.Contains(strings.ToLower(l), "version")
}
