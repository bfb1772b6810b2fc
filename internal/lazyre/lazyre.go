// Package lazyre compiles regular expressions on their first use instead
// of at package init. tarcheck's packages hold many expressions of which a
// run uses few: compiled at init they cost every start-up (`tarcheck
// version` included) several milliseconds. Every expression given to New
// is recorded, so that a package's test can compile them all (CompileAll):
// a bad one fails the tests instead of panicking in the middle of a verify.
package lazyre

import (
	"fmt"
	"regexp"
	"sync"
)

var (
	mu    sync.Mutex
	exprs []string
)

// New returns a function that compiles expr on its first call and returns
// that *regexp.Regexp on every call.
func New(expr string) func() *regexp.Regexp {
	mu.Lock()
	exprs = append(exprs, expr)
	mu.Unlock()
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// CompileAll compiles every expression New was given so far in the
// process, and returns how many, or the first that does not compile.
func CompileAll() (int, error) {
	mu.Lock()
	all := append([]string(nil), exprs...)
	mu.Unlock()
	for _, e := range all {
		if _, err := regexp.Compile(e); err != nil {
			return 0, fmt.Errorf("%q: %w", e, err)
		}
	}
	return len(all), nil
}
