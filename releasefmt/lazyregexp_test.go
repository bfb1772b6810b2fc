package releasefmt

import (
	"regexp"
	"testing"
)

// Every expression compiled on first use compiles: a typo must fail here,
// not panic in the middle of a verify.
func TestLazyRegexpsCompile(t *testing.T) {
	if len(lazyExprs) == 0 {
		t.Fatal("no lazy expression registered")
	}
	for _, e := range lazyExprs {
		if _, err := regexp.Compile(e); err != nil {
			t.Errorf("%q: %v", e, err)
		}
	}
}
