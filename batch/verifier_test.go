package batch

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tarcheck/tarcheck/verify"
)

// A release whose options cannot be completed fails before any verification.
func TestVerifierApplyError(t *testing.T) {
	v := Verifier(verify.Options{}, "")
	rel := &Release{Name: "foo", Tarball: "foo.tar.gz", Policy: filepath.Join(t.TempDir(), "absent.yaml")}
	r, err := v(context.Background(), rel)
	if err == nil || r != nil {
		t.Fatalf("Verifier with an unreadable policy = %v, %v", r, err)
	}
	if verify.KindOf(err) != verify.KindUsage {
		t.Errorf("kind %v, want usage: %v", verify.KindOf(err), err)
	}
}
