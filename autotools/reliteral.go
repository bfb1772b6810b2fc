package autotools

import "regexp/syntax"

// requiredLiteral returns a case-sensitive literal that every match of the
// regular expression expr contains: the longest literal among the
// top-level pieces of a concatenation (nil when expr is not one, or has
// none). bytes.Contains of it is an exact prefilter: without it expr cannot
// match. DetectGenerator uses it
// to skip the stamp regexps that cannot match a file's head, which Go's
// regexp would otherwise scan byte by byte (its literal-prefix shortcut only
// helps a regexp that starts with one).
func requiredLiteral(expr string) []byte {
	t, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	for t.Op == syntax.OpCapture && len(t.Sub) == 1 {
		t = t.Sub[0]
	}
	var best []byte
	consider := func(n *syntax.Regexp) {
		if n.Op == syntax.OpLiteral && n.Flags&syntax.FoldCase == 0 {
			if s := []byte(string(n.Rune)); len(s) > len(best) {
				best = s
			}
		}
	}
	switch t.Op {
	case syntax.OpLiteral:
		consider(t)
	case syntax.OpConcat:
		for _, n := range t.Sub {
			consider(n)
		}
	}
	return best
}
