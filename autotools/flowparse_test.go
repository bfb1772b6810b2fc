package autotools

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"mvdan.cc/sh/v3/syntax"
)

// parseWholeEachTry is parseShellLenient as it was before it kept the
// statements parsed by earlier tries: the whole buffer parsed on every try.
// The reference the faster parse must equal.
func parseWholeEachTry(src []byte, name string) (*syntax.File, []string, bool) {
	var notes []string
	buf := src
	copied := false
	parsed := 0
	for try := 0; try <= MaxFlowParseRetries && parsed+len(buf) <= maxFlowParseWork; try++ {
		parsed += len(buf)
		f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(bytes.NewReader(buf), name)
		if err == nil {
			return f, notes, try == 0
		}
		var pe syntax.ParseError
		if errors.As(err, &pe) && pe.Incomplete {
			notes = append(notes, fmt.Sprintf("line %d: not parsed as shell (%s)", pe.Pos.Line(), pe.Text))
			break
		}
		line := errorLine(err)
		if line == 0 {
			break
		}
		if !copied {
			buf = bytes.Clone(buf)
			copied = true
		}
		if _, _, ok := blankLineRange(buf, line); !ok {
			break
		}
		if len(notes) < maxEvidence {
			notes = append(notes, fmt.Sprintf("line %d: not parsed as shell (%s); keyword scan only", line, errorText(err)))
		}
	}
	notes = append(notes, "does not parse as shell; keyword scan only")
	return nil, notes, false
}

// checkSameParse fails when parseShellLenient and the whole-buffer
// reference differ in syntax tree (positions included), notes or flag.
func checkSameParse(t *testing.T, name string, src []byte) {
	t.Helper()
	f1, n1, w1 := parseShellLenient(src, name)
	f2, n2, w2 := parseWholeEachTry(src, name)
	if w1 != w2 || !reflect.DeepEqual(n1, n2) {
		t.Fatalf("%s: whole %v notes %q, want whole %v notes %q", name, w1, n1, w2, n2)
	}
	if (f1 == nil) != (f2 == nil) {
		t.Fatalf("%s: file %v, want %v", name, f1 != nil, f2 != nil)
	}
	if f1 != nil && !reflect.DeepEqual(f1, f2) {
		var a, b strings.Builder
		syntax.DebugPrint(&a, f1)
		syntax.DebugPrint(&b, f2)
		t.Fatalf("%s: syntax trees differ (%d vs %d statements; debug print equal: %v)", name, len(f1.Stmts), len(f2.Stmts), a.String() == b.String())
	}
}

// lenientCases are shell texts that fail to parse at several places: the
// retries keep statements before each failing line, here-documents, several
// statements on a line, an error reported at a blank line after an
// unclosed construct, and a failing line inside a compound command.
var lenientCases = map[string]string{
	"several errors":       "a=1\nb=2; echo $a\n) oops\nc=3\nif true; then\n  echo x\nfi\n( bad\n\nd=4 ; e=5\n}} x\ncat <<EOF; f=6\nbody $a\nEOF\necho done\n",
	"heredoc before error": "cat <<EOF\nline1\nline2\nEOF\nx=1\n)\ny=2\n",
	"heredoc same line":    "cat <<A; cat <<B\na body\nA\nb body\nB\nz=1\n) ) )\nw=2\n",
	"error in block":       "f() {\n  echo a\n  ) bad\n  echo b\n}\ng=1\n",
	"blank line error":     "x=1\ny=$(echo\n\n",
	"unclosed then more":   "a=1\nif true; then\n  b=2\n\n) c\nfi\nd=3\n",
	"makefile shape":       "all: foo\n\techo $@\nfoo.o: foo.c\n\t$(CC) -c $<\n\nCLEANFILES = a b\ninstall-data-local:\n\t@for f in $(FILES); do \\\n\t  echo $$f; \\\n\tdone\n",
	"many errors":          strings.Repeat("ok=1\n) no\n", 40),
	"semicolons":           "a=1; b=2; c=3\n) x\nd=4; e=5 &\nf=6\n",
	"no newline at end":    "a=1\n) x\nb=2",
	"crlf":                 "a=1\r\n) x\r\nb=2\r\n",
	"error first line":     ") x\na=1\n",
}

func TestParseShellLenientSameAsWhole(t *testing.T) {
	for name, src := range lenientCases {
		checkSameParse(t, name, []byte(src))
	}
	// Real shapes: the m4 macros and automake fragments of the system,
	// as the flow scan converts them.
	paths, _ := filepath.Glob("/usr/share/aclocal/*.m4")
	am, _ := filepath.Glob("/usr/share/automake-*/am/*.am")
	for _, p := range append(paths, am...) {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if strings.HasSuffix(p, ".am") {
			checkSameParse(t, p, makeToShell(b))
		} else {
			checkSameParse(t, p, m4ToShell(b))
		}
	}
}

func FuzzParseShellLenient(f *testing.F) {
	for _, src := range lenientCases {
		f.Add([]byte(src))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 4096 {
			return
		}
		checkSameParse(t, "fuzz", src)
	})
}

// BenchmarkParseShellLenient parses a Makefile.in-shaped script with a
// failing line every 400 lines (the retries of a converted Makefile.in):
// kept is parseShellLenient, whole the reference that parses the whole
// buffer on every try.
func BenchmarkParseShellLenient(b *testing.B) {
	var sb strings.Builder
	for i := range 6000 {
		if i%400 == 399 {
			sb.WriteString(") not shell\n")
			continue
		}
		fmt.Fprintf(&sb, "v%d=\"$(top_srcdir)/lib/f%d.c\"; test -f \"$v%d\" && echo ok\n", i, i, i)
	}
	src := []byte(sb.String())
	for _, bc := range []struct {
		name  string
		parse func([]byte, string) (*syntax.File, []string, bool)
	}{{"kept", parseShellLenient}, {"whole", parseWholeEachTry}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				bc.parse(src, "Makefile.in")
			}
		})
	}
}
