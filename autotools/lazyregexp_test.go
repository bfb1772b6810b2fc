package autotools

import (
	"regexp"
	"testing"
)

// Every expression compiled on first use compiles: a typo must fail here,
// not panic in the middle of a verify.
func TestLazyRegexpsCompile(t *testing.T) {
	generatorStamps() // registers the stamps' expressions
	if len(lazyExprs) == 0 {
		t.Fatal("no lazy expression registered")
	}
	for _, e := range lazyExprs {
		if _, err := regexp.Compile(e); err != nil {
			t.Errorf("%q: %v", e, err)
		}
	}
}

// The tables built on first use build (one with a bad expression of its
// own panics here).
func TestLazyTablesBuild(t *testing.T) {
	if len(generatorStamps()) == 0 || len(helperStampRes()) == 0 || len(helperVersionRes()) == 0 || len(pytestFixed()) == 0 {
		t.Fatal("an empty table")
	}
}
