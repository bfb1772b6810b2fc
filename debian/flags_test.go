package debian

import (
	"errors"
	"testing"

	"github.com/tarcheck/tarcheck/verify"
)

func TestWithFlags(t *testing.T) {
	err := WithFlags(&Error{Msg: "no orig tarball ../foo_1.2.orig.tar.*", Override: OverrideOrig})
	if verify.KindOf(err) != verify.KindUsage || err.Error() != "no orig tarball ../foo_1.2.orig.tar.*, or pass --orig FILE" {
		t.Errorf("Error: got %q (kind %v)", err, verify.KindOf(err))
	}
	var h *HintedError
	if err := WithFlags(&TagError{Err: errors.New("several"), Several: true}); !errors.As(err, &h) || h.Hint != "set upstream-vcs-tag in debian/gbp.conf, or pass --tag" {
		t.Errorf("TagError{Several}: got %#v", err)
	}
	if err := WithFlags(&TagError{Err: errors.New("none")}); !errors.As(err, &h) || h.Hint == "" {
		t.Errorf("TagError: got %#v", err)
	}
	plain := errors.New("plain")
	if WithFlags(plain) != plain {
		t.Errorf("other errors must pass through")
	}
}
