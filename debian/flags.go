package debian

import (
	"errors"

	"github.com/tarcheck/tarcheck/verify"
)

// flagHints complete a packaging error with the tarcheck flag that gives
// the missing piece instead.
var flagHints = map[Override]string{
	OverrideOrig:      ", or pass --orig FILE",
	ChooseOrig:        "; pass --orig FILE",
	OverrideKeyring:   ", or pass --keyring FILE, or --unsigned if upstream does not sign releases",
	OverrideSignature: ", or pass --signature FILE, or --unsigned",
	OverrideGit:       ", or pass --git",
}

// HintedError is an error with the hint line the CLI prints after it.
type HintedError struct {
	Err  error
	Hint string
}

func (h *HintedError) Error() string { return h.Err.Error() }
func (h *HintedError) Unwrap() error { return h.Err }

// WithFlags completes an error of Resolve or Inputs.Options for the
// `tarcheck debian` command: an *Error becomes a usage error naming the flag
// that gives the missing piece instead, a *TagError gets a *HintedError
// saying where to name the tag; other errors are returned as they are.
func WithFlags(err error) error {
	var de *Error
	var te *TagError
	switch {
	case errors.As(err, &de):
		return verify.Errorf(verify.KindUsage, "%s%s", de.Msg, flagHints[de.Override])
	case errors.As(err, &te) && te.Several:
		return &HintedError{err, "set upstream-vcs-tag in debian/gbp.conf, or pass --tag"}
	case errors.As(err, &te):
		return &HintedError{err, "set upstream-vcs-tag in debian/gbp.conf (e.g. upstream-vcs-tag = v%(version%~%-)s), or pass --tag"}
	}
	return err
}
