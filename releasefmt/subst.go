package releasefmt

import (
	"bytes"
	"fmt"
	"github.com/tarcheck/tarcheck/internal/limits"
	"regexp"
	"sort"
	"strings"
)

// KindSubstitution is the origin kind of a file made from the tag's
// FILE.in by replacing @NAME@ placeholders (configure's AC_CONFIG_FILES,
// or a sed rule of the Makefile doing the same).
const KindSubstitution = "substituted"

var (
	placeholder = lazyRegexp(`@[A-Za-z_][A-Za-z0-9_]*@`)
	// plainValue is what a placeholder may be replaced by here: a version,
	// a name or an identifier; no space, slash, quote or shell character,
	// so that no command or path can come in through a substitution.
	plainValue = lazyRegexp(`^[A-Za-z0-9][A-Za-z0-9._+~-]*$`)
)

// maxSubstFile caps the files compared line by line with their template.
const maxSubstFile = limits.ReleasefmtMaxSubstFile

// explainSubstituted proves a file only in the tarball whose tag has the
// same path plus ".in" (libgpg-error.spec from libgpg-error.spec.in): line
// for line the template, each @NAME@ replaced by one plain value (the same
// wherever NAME occurs). Low, with the values in the reason. A line that
// differs otherwise, a value with a space, slash or shell character, or
// a name replaced by two values, leaves the file unexplained.
func explainSubstituted(in Input, c *collector) {
	for _, f := range in.TarFiles {
		if f.InTag {
			continue
		}
		src := in.tagPath(f.Path) + ".in"
		tmpl, ok := in.TagContent(src)
		if !ok || len(tmpl) > maxSubstFile || !bytes.Contains(tmpl, []byte("@")) {
			continue
		}
		b, ok := in.TarContent(f.Path)
		if !ok || len(b) > maxSubstFile {
			continue
		}
		vals, ok := substitution(tmpl, b)
		if !ok || len(vals) == 0 {
			continue
		}
		names := make([]string, 0, len(vals))
		for n := range vals {
			names = append(names, n)
		}
		sort.Strings(names)
		var shown []string
		for i, n := range names {
			if i == 4 {
				shown = append(shown, fmt.Sprintf("and %d more", len(names)-i))
				break
			}
			shown = append(shown, n+"="+vals[n])
		}
		c.formats["substituted"] = true
		c.explain(Explanation{Path: f.Path, Severity: SevLow,
			Origin: Origin{Kind: KindSubstitution, Detail: "made from the tag's template by replacing @NAME@ placeholders", Source: src},
			Reason: fmt.Sprintf("the tag's %s with %s substituted (plain values only; --rebuild reproduces it)", src, strings.Join(shown, ", "))})
	}
}

// substitution matches out against the template tmpl line by line and
// returns the value each placeholder took, or false when out is not tmpl
// with placeholders replaced by plain values.
func substitution(tmpl, out []byte) (map[string]string, bool) {
	tl := strings.Split(string(tmpl), "\n")
	ol := strings.Split(string(out), "\n")
	if len(tl) != len(ol) {
		return nil, false
	}
	vals := map[string]string{}
	for i, t := range tl {
		o := ol[i]
		if t == o {
			continue
		}
		locs := placeholder().FindAllStringIndex(t, -1)
		if len(locs) == 0 {
			return nil, false
		}
		var re strings.Builder
		re.WriteString("^")
		last := 0
		for _, l := range locs {
			re.WriteString(regexp.QuoteMeta(t[last:l[0]]))
			re.WriteString(`([A-Za-z0-9][A-Za-z0-9._+~-]*|@[A-Za-z_][A-Za-z0-9_]*@)`)
			last = l[1]
		}
		re.WriteString(regexp.QuoteMeta(t[last:]))
		re.WriteString("$")
		rx, err := regexp.Compile(re.String())
		if err != nil {
			return nil, false
		}
		m := rx.FindStringSubmatch(o)
		if m == nil {
			return nil, false
		}
		for j, l := range locs {
			name, v := t[l[0]+1:l[1]-1], m[j+1]
			if v == t[l[0]:l[1]] {
				continue // left as is
			}
			if !plainValue().MatchString(v) {
				return nil, false
			}
			if prev, seen := vals[name]; seen && prev != v {
				return nil, false
			}
			vals[name] = v
		}
	}
	return vals, true
}
