package autotools

import (
	"bytes"
	"regexp"
	"strings"
)

// maxStampLines caps the lines compared when looking for release stamping.
const maxStampLines = 200000

var (
	monthPat = `(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?`
	// dateRe matches full dates and times in the usual release formats.
	dateRe = regexp.MustCompile(`\b[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2})?(?: ?(?:[+-][0-9]{4}|Z|UTC))?)?\b` +
		`|\b[0-9]{4}/[0-9]{2}/[0-9]{2}\b` +
		`|\b(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? )?(?:[0-9]{1,2} )?` + monthPat + ` (?:[0-9]{1,2},? )?[0-9]{4}\b` +
		`|\b[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?\b`)
	yearRe2      = regexp.MustCompile(`\b(?:19|20)[0-9]{2}\b`)
	copyrightRe2 = regexp.MustCompile(`(?i)copyright|\(c\)|©`)
	// gitVersionRe matches what the tag's copy may hold where the release
	// has its version: an older version, a placeholder, unknown marks.
	gitVersionRe = regexp.MustCompile(`\b[0-9]+(?:\.[0-9]+)+(?:[-+~_.]?[A-Za-z0-9]+)*\b|@[A-Z_]+@|\?[?.\-]+|\bUNRELEASED\b|\bunreleased\b`)
)

const stampMark = "\x00"

// stampOnly reports whether git and tarball differ only in release stamping:
// same number of lines, and every changed line differs only where the tarball
// holds the release version or a date (where the tag's copy holds an older
// version, a placeholder or a date). It returns the number of changed lines.
func stampOnly(git, tarball []byte, version string) (int, bool) {
	gl := splitLines(git)
	tl := splitLines(tarball)
	if len(gl) != len(tl) || len(gl) > maxStampLines {
		return 0, false
	}
	var verRe *regexp.Regexp
	if version != "" {
		verRe = regexp.MustCompile(`(?:\b|v)` + regexp.QuoteMeta(version) + `\b`)
	}
	changed := 0
	for i := range gl {
		if bytes.Equal(gl[i], tl[i]) {
			continue
		}
		changed++
		t := string(tl[i])
		g := string(gl[i])
		if verRe != nil {
			t = verRe.ReplaceAllString(t, stampMark)
		}
		t = dateRe.ReplaceAllString(t, stampMark)
		g = dateRe.ReplaceAllString(g, stampMark)
		g = gitVersionRe.ReplaceAllString(g, stampMark)
		if copyrightRe2.MatchString(t) {
			t = yearRe2.ReplaceAllString(t, stampMark)
			g = yearRe2.ReplaceAllString(g, stampMark)
		}
		if collapseMarks(t) != collapseMarks(g) || !strings.Contains(t, stampMark) {
			return changed, false
		}
	}
	return changed, changed > 0
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

// poHeaderDate matches the PO header fields msgmerge and xgettext rewrite.
var poHeaderDate = regexp.MustCompile(`^"(?:POT-Creation-Date|PO-Revision-Date|Project-Id-Version|X-Generator):`)

// poReferencesOnly reports whether two .po/.pot files differ only in "#:"
// source-reference comments and header dates.
func poReferencesOnly(git, tarball []byte) bool {
	norm := func(b []byte) []byte {
		var out bytes.Buffer
		for _, l := range splitLines(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))) {
			if bytes.HasPrefix(l, []byte("#:")) || poHeaderDate.Match(l) {
				continue
			}
			out.Write(l)
			out.WriteByte('\n')
		}
		return out.Bytes()
	}
	return bytes.Equal(norm(git), norm(tarball))
}
