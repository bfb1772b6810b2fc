package autotools

import "github.com/tarcheck/tarcheck/internal/limits"

// Size caps on the untrusted bytes the regular expressions of this package
// are run on. Go's regexp is linear in its input, so a cap bounds the time
// of one call; every regexp call site sits behind one of these or behind a
// cap named next to it:
//
//   - ScanBuildScript / ScanBuildScriptFlows: MaxScanBytes per file, then
//     MaxRegexpLine per (logical) line, matched in overlapping windows;
//   - ScanFlows: MaxFlowParseBytes per file (also what m4ToShell rewrites),
//     MaxFlowEvalBytes per eval string;
//   - ParseM4Header: MaxM4HeaderBytes per file;
//   - generated-file and man-page detection: stampSniffLen of a file's head;
//   - release stamping: MaxRegexpLine per line compared (longer lines are
//     not taken for stamping);
//   - selectors: maxPatternLen per pattern taken from a script;
//   - binary-data references: MaxRegexpLine per line, in windows.
const (
	// MaxRegexpLine caps the bytes of one line given to a regexp at once.
	// A longer line is matched in windows of this size that overlap by
	// regexpWindowOverlap, so a match up to that long is never split.
	MaxRegexpLine = limits.AutotoolsMaxRegexpLine
	// regexpWindowOverlap is the overlap of two windows of a long line.
	regexpWindowOverlap = 4 << 10
)

// anyWindow reports whether match holds for some window of line: line
// itself when it is at most MaxRegexpLine bytes, else windows of
// MaxRegexpLine bytes starting every MaxRegexpLine-regexpWindowOverlap.
func anyWindow(line string, match func(string) bool) bool {
	for start := 0; ; start += MaxRegexpLine - regexpWindowOverlap {
		end := min(start+MaxRegexpLine, len(line))
		if match(line[start:end]) {
			return true
		}
		if end == len(line) {
			return false
		}
	}
}
