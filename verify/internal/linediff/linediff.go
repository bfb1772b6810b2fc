// Package linediff is the line diff of tarcheck's reports: a unified
// excerpt of two small text files (differing files in the report) and the
// diff operations the rebuild step turns into evidence rows.
package linediff

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/tarcheck/tarcheck/internal/limits"
)

// Limits of diff excerpts.
const (
	// maxBytes caps the size of text files for which an excerpt is made.
	maxBytes       = limits.DiffMaxBytes
	maxDiffLines   = limits.DiffMaxLines       // lines per side for which a diff is computed
	maxExcerptRows = limits.DiffMaxExcerptRows // rows of the excerpt kept in the report
)

// Unified returns a short unified diff of two small text files, or ""
// for binary, large or invalid-UTF-8 content.
func Unified(name string, a, b []byte) string {
	if len(a) > maxBytes || len(b) > maxBytes || bytes.IndexByte(a, 0) >= 0 || bytes.IndexByte(b, 0) >= 0 ||
		!utf8.Valid(a) || !utf8.Valid(b) {
		return ""
	}
	la, lb := Split(a), Split(b)
	if len(la) > maxDiffLines || len(lb) > maxDiffLines {
		return ""
	}
	ops := Diff(la, lb)
	var out strings.Builder
	fmt.Fprintf(&out, "--- git/%s\n+++ tarball/%s\n", name, name)
	rows := 0
	const ctxLines = 2
	for i := 0; i < len(ops); {
		if ops[i].Kind == ' ' {
			i++
			continue
		}
		// Hunk: from i-ctx to the next run of >2*ctx equal lines.
		start := i - ctxLines
		if start < 0 {
			start = 0
		}
		end := i
		for end < len(ops) {
			if ops[end].Kind != ' ' {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].Kind == ' ' {
				run++
			}
			if run-end > 2*ctxLines || run == len(ops) {
				end += ctxLines
				if end > len(ops) {
					end = len(ops)
				}
				break
			}
			end = run
		}
		fmt.Fprintf(&out, "@@ -%d +%d @@\n", ops[start].A+1, ops[start].B+1)
		for _, op := range ops[start:end] {
			if rows >= maxExcerptRows {
				out.WriteString("... (diff truncated)\n")
				return out.String()
			}
			out.WriteByte(op.Kind)
			out.WriteString(op.Text)
			out.WriteByte('\n')
			rows++
		}
		i = end
	}
	return out.String()
}

// Split splits text into lines (no final empty line).
func Split(b []byte) []string {
	s := string(b)
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// Op is one line of a diff.
type Op struct {
	Kind byte // ' ', '-', '+'
	Text string
	A, B int // line indexes (0-based) in each side at this op
}

// Diff is a longest-common-subsequence line diff with the common prefix
// and suffix trimmed first; the quadratic table is only built for the middle.
func Diff(a, b []string) []Op {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	var ops []Op
	for i := 0; i < pre; i++ {
		ops = append(ops, Op{' ', a[i], i, i})
	}
	if len(ma)*len(mb) > 4_000_000 {
		// Too large for the table: show it as a replacement.
		for i, l := range ma {
			ops = append(ops, Op{'-', l, pre + i, pre})
		}
		for j, l := range mb {
			ops = append(ops, Op{'+', l, pre + len(ma), pre + j})
		}
	} else {
		ops = appendLCS(ops, ma, mb, pre)
	}
	for k := 0; k < suf; k++ {
		ia, ib := len(a)-suf+k, len(b)-suf+k
		ops = append(ops, Op{' ', a[ia], ia, ib})
	}
	return ops
}

// appendLCS appends the longest-common-subsequence diff of the middles ma
// and mb (which start at line pre on both sides), deletions before
// insertions. Lines are compared by a small integer id (one map look-up
// per line instead of a string comparison per table cell) and the table
// is one flat slice of uint16 rather than a slice of int32 per row: Diff
// calls it only when n*m <= 4,000,000, so min(n, m) <= 2,000 bounds every
// entry.
func appendLCS(ops []Op, ma, mb []string, pre int) []Op {
	n, m := len(ma), len(mb)
	ids := make(map[string]int32, n+m)
	intern := func(lines []string) []int32 {
		out := make([]int32, len(lines))
		for i, l := range lines {
			id, ok := ids[l]
			if !ok {
				id = int32(len(ids))
				ids[l] = id
			}
			out[i] = id
		}
		return out
	}
	ia, ib := intern(ma), intern(mb)
	w := m + 1
	lcs := make([]uint16, (n+1)*w) // lcs[i*w+j]: LCS of ma[i:] and mb[j:]
	for i := n - 1; i >= 0; i-- {
		row, next := lcs[i*w:i*w+w], lcs[(i+1)*w:(i+1)*w+w]
		x := ia[i]
		for j := m - 1; j >= 0; j-- {
			if x == ib[j] {
				row[j] = next[j+1] + 1
			} else if next[j] >= row[j+1] {
				row[j] = next[j]
			} else {
				row[j] = row[j+1]
			}
		}
	}
	return traceLCS(ops, ma, mb, ia, ib, pre, func(i, j int) uint16 { return lcs[i*w+j] })
}

// traceLCS walks the table from the start, deletions first: a changed
// line reads - then +.
func traceLCS(ops []Op, ma, mb []string, ia, ib []int32, pre int, at func(i, j int) uint16) []Op {
	n, m := len(ma), len(mb)
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && ia[i] == ib[j]:
			ops = append(ops, Op{' ', ma[i], pre + i, pre + j})
			i++
			j++
		case i < n && (j == m || at(i+1, j) >= at(i, j+1)):
			ops = append(ops, Op{'-', ma[i], pre + i, pre + j})
			i++
		default:
			ops = append(ops, Op{'+', mb[j], pre + i, pre + j})
			j++
		}
	}
	return ops
}
