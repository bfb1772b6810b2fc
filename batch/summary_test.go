package batch

import (
	"errors"
	"testing"

	"github.com/tarcheck/tarcheck/verify"
)

func TestSummaryErr(t *testing.T) {
	fail := errors.New("fail")
	if err := (Summary{Releases: 2}).Err(fail); err != nil {
		t.Errorf("worst 0: got %v, want nil", err)
	}
	if err := (Summary{Releases: 2, Worst: 1}).Err(fail); err != fail {
		t.Errorf("worst 1: got %v, want the fail error", err)
	}
	err := (Summary{Releases: 3, Errors: 1, Worst: 2}).Err(fail)
	if verify.KindOf(err) != verify.KindInput || err.Error() != "1 of 3 releases could not be verified (exit code 2)" {
		t.Errorf("worst 2: got %v (kind %v)", err, verify.KindOf(err))
	}
	if err := (Summary{Releases: 1, Errors: 1, Worst: 130}).Err(fail); verify.KindOf(err) != verify.KindEnvironment {
		t.Errorf("worst 130: got kind %v, want environment", verify.KindOf(err))
	}
}
