package explain

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/tarcheck/tarcheck/internal/limits"
)

// maxPatchLines bounds the lines of a patch or of the file it applies to:
// the inputs are untrusted (a .diff of the tag, a gnulib file).
const maxPatchLines = limits.ExplainMaxPatchLines

// hunk is one "@@ -a,b +c,d @@" section of a unified diff.
type hunk struct {
	oldStart int      // 1-based line of the old file where the hunk starts
	newStart int      // and of the new file
	old, new [][]byte // lines (with their newline) before and after
	// atStart, atEnd: the hunk matches only at that end of the file
	// (patch(1)'s fuzz with less context on one side).
	atStart, atEnd bool
}

// errNoPatch is a patch with no hunk.
var errNoPatch = errors.New("no hunk in the patch")

// ApplyPatch applies a unified diff (the kind gnulib-tool's --local-dir
// .diff files hold, one file's worth: "---"/"+++" headers then hunks) to
// orig and returns the result. Like patch(1), which gnulib-tool runs, it
// looks for each hunk's context at the stated line first, then at the
// nearest offset where it matches exactly, and only then with patch's
// default fuzz (up to 2 outer context lines ignored, the file's own lines
// kept). The result is a proof only through its blob id: it is what
// bootstrap makes from the tag's .diff and the pinned file, both of which
// the tag fixes. Lines ending in "\ No newline at end of file" are
// honoured.
func ApplyPatch(orig, diff []byte) ([]byte, error) {
	hunks, err := parseHunks(diff)
	if err != nil {
		return nil, err
	}
	return applyHunks(orig, hunks)
}

// ApplyPatchReverse applies a unified diff backwards (patch -R): from a
// patched file, the file the diff was applied to. A caller that proves
// something with it applies the diff forwards again and compares.
func ApplyPatchReverse(patched, diff []byte) ([]byte, error) {
	hunks, err := parseHunks(diff)
	if err != nil {
		return nil, err
	}
	for i, h := range hunks {
		hunks[i] = hunk{oldStart: h.newStart, newStart: h.oldStart, old: h.new, new: h.old}
	}
	return applyHunks(patched, hunks)
}

// applyHunks applies parsed hunks to orig.
func applyHunks(orig []byte, hunks []hunk) ([]byte, error) {
	lines := splitLines(orig)
	if len(lines) > maxPatchLines {
		return nil, fmt.Errorf("file of %d lines: over the %d-line limit", len(lines), maxPatchLines)
	}
	var out [][]byte
	var hh hunk
	pos := 0 // next unconsumed line of orig
	for i, h := range hunks {
		at := -1
		for fuzz := 0; fuzz <= maxFuzz && at < 0; fuzz++ {
			var ok bool
			if hh, ok = fuzzed(h, fuzz); ok {
				at = findHunk(lines, hh, pos)
			}
		}
		if at < 0 {
			return nil, fmt.Errorf("hunk %d (line %d) does not apply", i+1, h.oldStart)
		}
		out = append(out, lines[pos:at]...)
		out = append(out, hh.new...)
		pos = at + len(hh.old)
	}
	out = append(out, lines[pos:]...)
	return bytes.Join(out, nil), nil
}

// maxFuzz is patch(1)'s default fuzz factor.
const maxFuzz = 2

// fuzzed is h as patch(1) matches it with fuzz factor fuzz: of its leading
// and trailing context lines, fuzz + own - most are ignored (own: that
// side's context lines, most: the larger side's), so a hunk with less
// context on one side keeps that side anchored; a side left with a
// negative count can only match at that end of the file. The ignored
// lines are the file's own in the result. False when fuzz ignores nothing
// more than fuzz 0 did.
func fuzzed(h hunk, fuzz int) (hunk, bool) {
	if fuzz == 0 {
		return h, true
	}
	pre, suf := 0, 0
	for pre < len(h.old) && pre < len(h.new) && bytes.Equal(h.old[pre], h.new[pre]) {
		pre++
	}
	for suf < len(h.old)-pre && suf < len(h.new)-pre && bytes.Equal(h.old[len(h.old)-1-suf], h.new[len(h.new)-1-suf]) {
		suf++
	}
	most := max(pre, suf)
	if fuzz > most {
		return h, false // patch(1) fuzzes no more than the hunk's context
	}
	pf, sf := fuzz+pre-most, fuzz+suf-most
	out := hunk{atStart: pf < 0, atEnd: sf < 0}
	pf, sf = max(pf, 0), max(sf, 0)
	if pf == 0 && sf == 0 {
		return h, false // nothing ignored: fuzz 0 already tried
	}
	out.oldStart, out.old, out.new = h.oldStart+pf, h.old[pf:len(h.old)-sf], h.new[pf:len(h.new)-sf]
	return out, true
}

// findHunk is the line where h's old side matches lines exactly, at or
// after from: the stated line first, then the nearest offset.
func findHunk(lines [][]byte, h hunk, from int) int {
	want := h.oldStart - 1
	if len(h.old) == 0 {
		want = h.oldStart // "-N,0": insert after line N
	}
	match := func(at int) bool {
		if at < from || at+len(h.old) > len(lines) || h.atStart && at != 0 || h.atEnd && at+len(h.old) != len(lines) {
			return false
		}
		for k, l := range h.old {
			if !bytes.Equal(lines[at+k], l) {
				return false
			}
		}
		return true
	}
	for d := 0; want-d >= from || want+d <= len(lines); d++ {
		if match(want + d) {
			return want + d
		}
		if d > 0 && match(want-d) {
			return want - d
		}
	}
	return -1
}

// parseHunks reads the hunks of a unified diff of one file.
func parseHunks(diff []byte) ([]hunk, error) {
	lines := splitLines(diff)
	if len(lines) > maxPatchLines {
		return nil, fmt.Errorf("patch of %d lines: over the %d-line limit", len(lines), maxPatchLines)
	}
	var hunks []hunk
	for i := 0; i < len(lines); {
		l := lines[i]
		if !bytes.HasPrefix(l, []byte("@@ ")) {
			if len(hunks) > 0 && (bytes.HasPrefix(l, []byte("--- ")) || bytes.HasPrefix(l, []byte("diff "))) {
				return nil, errors.New("patch of more than one file")
			}
			i++
			continue
		}
		oldStart, oldN, newStart, newN, err := hunkHeader(l)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", i+1, err)
		}
		h := hunk{oldStart: oldStart, newStart: newStart}
		i++
		for oldN > 0 || newN > 0 {
			if i >= len(lines) {
				return nil, fmt.Errorf("hunk at line %d ends early", oldStart)
			}
			l := lines[i]
			i++
			if len(l) == 0 {
				return nil, fmt.Errorf("hunk at line %d ends early", oldStart)
			}
			if l[0] == '\n' || string(l) == "\r\n" {
				l = append([]byte{' '}, l...) // an empty context line whose space was stripped (patch(1) accepts it)
			}
			body := l[1:]
			if len(body) == 0 || body[len(body)-1] != '\n' {
				body = append(body[:len(body):len(body)], '\n') // last line of the patch without newline
			}
			if i < len(lines) && bytes.HasPrefix(lines[i], []byte(`\`)) {
				body = body[:len(body)-1] // "\ No newline at end of file"
				i++
			}
			switch l[0] {
			case ' ':
				if oldN == 0 || newN == 0 {
					return nil, fmt.Errorf("hunk at line %d: more lines than its header says", oldStart)
				}
				h.old, h.new = append(h.old, body), append(h.new, body)
				oldN, newN = oldN-1, newN-1
			case '-':
				if oldN == 0 {
					return nil, fmt.Errorf("hunk at line %d: more lines than its header says", oldStart)
				}
				h.old = append(h.old, body)
				oldN--
			case '+':
				if newN == 0 {
					return nil, fmt.Errorf("hunk at line %d: more lines than its header says", oldStart)
				}
				h.new = append(h.new, body)
				newN--
			default:
				return nil, fmt.Errorf("hunk at line %d: unexpected line %q", oldStart, l[:1])
			}
		}
		if len(hunks) > 0 && h.oldStart < hunks[len(hunks)-1].oldStart {
			return nil, fmt.Errorf("hunk at line %d out of order", oldStart)
		}
		hunks = append(hunks, h)
	}
	if len(hunks) == 0 {
		return nil, errNoPatch
	}
	return hunks, nil
}

// hunkHeader parses "@@ -a[,b] +c[,d] @@...".
func hunkHeader(l []byte) (oldStart, oldN, newStart, newN int, err error) {
	f := bytes.Fields(l)
	if len(f) < 4 || !bytes.Equal(f[3], []byte("@@")) || len(f[1]) < 2 || f[1][0] != '-' || len(f[2]) < 2 || f[2][0] != '+' {
		return 0, 0, 0, 0, fmt.Errorf("bad hunk header %q", l)
	}
	oldStart, oldN, err = hunkRange(f[1][1:])
	if err != nil {
		return 0, 0, 0, 0, err
	}
	newStart, newN, err = hunkRange(f[2][1:])
	return oldStart, oldN, newStart, newN, err
}

// hunkRange parses "a[,b]" (b defaults to 1).
func hunkRange(r []byte) (start, n int, err error) {
	a, b, ok := bytes.Cut(r, []byte(","))
	start, err = strconv.Atoi(string(a))
	n = 1
	if err == nil && ok {
		n, err = strconv.Atoi(string(b))
	}
	if err != nil || start < 0 || n < 0 || n > maxPatchLines || start > maxPatchLines {
		return 0, 0, fmt.Errorf("bad hunk range %q", r)
	}
	return start, n, nil
}

// splitLines splits b after each newline; the last line may lack one.
func splitLines(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			out = append(out, b)
			break
		}
		out = append(out, b[:i+1])
		b = b[i+1:]
	}
	return out
}

// patchSection is one file's part of a patch of several files (git
// format-patch output): its headers and hunks, which ApplyPatch applies.
type patchSection struct {
	// target is the path the "+++" header names, without git's "b/"
	// prefix; "" for a deleted file.
	target string
	body   []byte
}

// patchSections splits a patch into its files' sections, dropping what
// lies between them (mail headers, "diff --git" and "index" lines, the
// diffstat, a format-patch signature). A hunk's lines are counted by its
// header, so a removed line starting with "--" never starts a section.
func patchSections(diff []byte) []patchSection {
	lines := splitLines(diff)
	if len(lines) > maxPatchLines {
		return nil
	}
	var out []patchSection
	cur := -1
	for i := 0; i < len(lines); {
		l := lines[i]
		switch {
		case bytes.HasPrefix(l, []byte("--- ")) && i+1 < len(lines) && bytes.HasPrefix(lines[i+1], []byte("+++ ")):
			out = append(out, patchSection{target: patchTarget(l, lines[i+1])})
			cur = len(out) - 1
			out[cur].body = append(append(out[cur].body, l...), lines[i+1]...)
			i += 2
		case bytes.HasPrefix(l, []byte("@@ ")) && cur >= 0:
			_, oldN, _, newN, err := hunkHeader(l)
			if err != nil {
				return nil
			}
			out[cur].body = append(out[cur].body, l...)
			for i++; i < len(lines) && (oldN > 0 || newN > 0 || bytes.HasPrefix(lines[i], []byte(`\`))); i++ {
				h := lines[i]
				switch {
				case bytes.HasPrefix(h, []byte(`\`)):
				case h[0] == ' ' || h[0] == '\n' || string(h) == "\r\n":
					oldN, newN = oldN-1, newN-1
				case h[0] == '-':
					oldN--
				case h[0] == '+':
					newN--
				default:
					return nil
				}
				out[cur].body = append(out[cur].body, h...)
			}
		default:
			i++
		}
	}
	return out
}

// patchTarget is the file a "---"/"+++" header pair patches: the "+++"
// name without a timestamp, and without git's "b/" when the "---" name has
// its "a/".
func patchTarget(minus, plus []byte) string {
	name := func(l []byte) string {
		s := strings.TrimRight(string(l[4:]), "\r\n")
		if i := strings.IndexByte(s, '\t'); i >= 0 {
			s = s[:i]
		}
		return s
	}
	from, to := name(minus), name(plus)
	if to == "/dev/null" {
		return ""
	}
	if strings.HasPrefix(to, "b/") && (strings.HasPrefix(from, "a/") || from == "/dev/null") {
		to = to[2:]
	}
	return path.Clean(to)
}
