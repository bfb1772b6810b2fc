package autotools

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
)

// includeRe finds the files C sources include: the specification
// includeRefKinds, its linear equivalent, is tested against.
var includeRe = regexp.MustCompile(`(?m)^\s*#\s*(?:include|include_next|import)\s*["<]([^">\n]+)[">]|__has_include(?:_next)?\s*\(\s*["<]([^">\n]+)[">]`)

// includeRefsByRegexp is what OmittedReferenceKinds computed before includeRefKinds.
func includeRefsByRegexp(b []byte) []string {
	var out []string
	for _, m := range includeRe.FindAllSubmatch(b, -1) {
		ref := string(m[1])
		if ref == "" {
			ref = string(m[2])
		}
		out = append(out, ref)
	}
	return out
}

var includeSamples = []string{
	"",
	"#include <stdio.h>\n",
	"#include \"a.h\"\n#include <b.h>\n",
	"  #  include_next <c.h>\n",
	"\n\n   \t#include <d.h>",
	"x #include <no.h>\n",
	"#\n include <e.h>\n",
	"#\n#include <f.h>\n",
	"#include <g.h> #include <h.h>\n",
	"#if __has_include(<i.h>) && __has_include_next ( \"j.h\" )\n",
	"__has_include(\n<k.h>)\n#include <l.h>\n",
	"#import <m.h>\n#include_nextfoo <n.h>\n",
	"#include <unterminated\n#include \"o.h\"\n",
	"#include \"a#b.h\"\n",
	"\r\n#include <p.h>\r\n",
	"\f#include<q.h>",
	"#include <>\n#include \"\"\n",
	"__has_include__has_include(\"r.h\")",
	"#include \"s.h>\n",
	"##include <t.h>\n",
	"\v#include <u.h>\n",
	"#include <v.h>\n __has_include(<w.h>)#include <x.h>\n#define X __has_include(\"y.h\")\n",
}

func TestIncludeRefsMatchesRegexp(t *testing.T) {
	for _, s := range includeSamples {
		if got, want := includeRefs([]byte(s)), includeRefsByRegexp([]byte(s)); !slices.Equal(got, want) {
			t.Errorf("includeRefs(%q) = %q, the regexp finds %q", s, got, want)
		}
	}
	// Real sources: every C file under testdata.
	n := 0
	filepath.WalkDir("testdata", func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !cSourceExts[filepath.Ext(p)] {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		n++
		if got, want := includeRefs(b), includeRefsByRegexp(b); !slices.Equal(got, want) {
			t.Errorf("%s: includeRefs = %q, the regexp finds %q", p, got, want)
		}
		return nil
	})
	t.Logf("%d C sources from testdata compared", n)
}

func FuzzIncludeRefs(f *testing.F) {
	for _, s := range includeSamples {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := includeRefs(b), includeRefsByRegexp(b); !slices.Equal(got, want) {
			t.Fatalf("includeRefs(%q) = %q, the regexp finds %q", b, got, want)
		}
	})
}

// BenchmarkIncludeRefs compares the scan with the regexp it replaces on a
// C source of includes, defines and code.
func BenchmarkIncludeRefs(b *testing.B) {
	var src []byte
	for i := 0; len(src) < 1<<20; i++ {
		src = append(src, "#include <stdio.h>\n#include \"config.h\"\n#define X(a) ((a) + 1)\nstatic int f (int x) { return X (x) * 2; }\n/* comment # not a directive */\n#if defined __GNUC__\n#endif\n"...)
	}
	b.Run("scan", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			includeRefs(src)
		}
	})
	b.Run("regexp", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			includeRefsByRegexp(src)
		}
	})
}

// includeRefs is the names includeRefKinds returns, without their kinds.
func includeRefs(b []byte) []string {
	refs, _ := includeRefKinds(b)
	return refs
}
