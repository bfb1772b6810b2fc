package releasefmt

import (
	"regexp"

	"github.com/tarcheck/tarcheck/internal/lazyre"
)

// lazyRegexp compiles expr on its first use, not at package init
// (internal/lazyre).
func lazyRegexp(expr string) func() *regexp.Regexp { return lazyre.New(expr) }
