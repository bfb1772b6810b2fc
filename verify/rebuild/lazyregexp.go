package rebuild

import (
	"regexp"
	"sync"
)

// lazyExprs lists the expressions given to lazyRegexp, for the test that
// compiles them all (a bad one would otherwise panic only when first used).
var lazyExprs []string

// lazyRegexp returns a function that compiles expr on its first call and
// returns that *regexp.Regexp on every call. The package's expressions are
// many and a run uses few of them: compiled at package init they cost every
// start-up of tarcheck (`tarcheck version` included) several milliseconds.
func lazyRegexp(expr string) func() *regexp.Regexp {
	lazyExprs = append(lazyExprs, expr)
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
