package explain

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"

	"github.com/tarcheck/tarcheck/internal/limits"
)

// maxPatchLines bounds the lines of a patch or of the file it applies to:
// the inputs are untrusted (a .diff of the tag, a gnulib file).
const maxPatchLines = limits.ExplainMaxPatchLines

// hunk is one "@@ -a,b +c,d @@" section of a unified diff.
type hunk struct {
	oldStart int      // 1-based line of the old file where the hunk starts
	old, new [][]byte // lines (with their newline) before and after
}

// errNoPatch is a patch with no hunk.
var errNoPatch = errors.New("no hunk in the patch")

// ApplyPatch applies a unified diff (the kind gnulib-tool's --local-dir
// .diff files hold, one file's worth: "---"/"+++" headers then hunks) to
// orig and returns the result. Like patch(1) it looks for each hunk's
// context at the stated line first, then at the nearest offset where it
// matches exactly; unlike patch it allows no fuzz (context lines must all
// match), so a result is a proof, never a guess. Lines ending in
// "\ No newline at end of file" are honoured.
func ApplyPatch(orig, diff []byte) ([]byte, error) {
	hunks, err := parseHunks(diff)
	if err != nil {
		return nil, err
	}
	lines := splitLines(orig)
	if len(lines) > maxPatchLines {
		return nil, fmt.Errorf("file of %d lines: over the %d-line limit", len(lines), maxPatchLines)
	}
	var out [][]byte
	pos := 0 // next unconsumed line of orig
	for i, h := range hunks {
		at := findHunk(lines, h, pos)
		if at < 0 {
			return nil, fmt.Errorf("hunk %d (line %d) does not apply", i+1, h.oldStart)
		}
		out = append(out, lines[pos:at]...)
		out = append(out, h.new...)
		pos = at + len(h.old)
	}
	out = append(out, lines[pos:]...)
	return bytes.Join(out, nil), nil
}

// findHunk is the line where h's old side matches lines exactly, at or
// after from: the stated line first, then the nearest offset.
func findHunk(lines [][]byte, h hunk, from int) int {
	want := h.oldStart - 1
	if len(h.old) == 0 {
		want = h.oldStart // "-N,0": insert after line N
	}
	match := func(at int) bool {
		if at < from || at+len(h.old) > len(lines) {
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
		oldStart, oldN, newN, err := hunkHeader(l)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", i+1, err)
		}
		h := hunk{oldStart: oldStart}
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
func hunkHeader(l []byte) (oldStart, oldN, newN int, err error) {
	f := bytes.Fields(l)
	if len(f) < 4 || !bytes.Equal(f[3], []byte("@@")) || len(f[1]) < 2 || f[1][0] != '-' || len(f[2]) < 2 || f[2][0] != '+' {
		return 0, 0, 0, fmt.Errorf("bad hunk header %q", l)
	}
	oldStart, oldN, err = hunkRange(f[1][1:])
	if err != nil {
		return 0, 0, 0, err
	}
	_, newN, err = hunkRange(f[2][1:])
	return oldStart, oldN, newN, err
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
