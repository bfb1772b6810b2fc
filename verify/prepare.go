package verify

import (
	"context"
	"errors"

	"github.com/tarcheck/tarcheck/sandbox"
)

// Setup names what Prepare reads or opens to complete Options.
type Setup struct {
	// Policy is a policy file (.tarcheck.yaml) to read; "" none.
	Policy string
	// M4DB is an m4 database file (see LoadM4DB); "" the cache
	// directory's, else the embedded baseline.
	M4DB string
	// Sandbox is the sandbox backend the rebuild runs in: auto, bwrap,
	// namespaces or none (see sandbox.New).
	Sandbox string
}

// SetupError is a usage error of one Setup field or option, named by Field
// ("m4db", "sandbox", "rebuild", "max-unpacked", "max-ratio" or
// "max-entries") for the caller to name its own input (the CLI, its flag).
type SetupError struct {
	Field string
	Err   error
}

func (e *SetupError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *SetupError) Unwrap() error { return e.Err }

// Prepare checks o's rebuild mode and limits and completes o with what s
// names: the policy, the m4 database and, when o or the policy asks for a
// rebuild, a runner of s's sandbox backend. An unavailable sandbox is a
// KindEnvironment error.
func Prepare(ctx context.Context, o Options, s Setup) (Options, error) {
	if err := o.check(); err != nil {
		return o, err
	}
	if s.Policy != "" {
		p, err := ReadPolicy(s.Policy)
		if err != nil {
			return o, err
		}
		o.Policy = p
	}
	db, err := LoadM4DB(s.M4DB, o.Sources.CacheDir)
	if err != nil {
		if KindOf(err) == KindUsage {
			return o, &SetupError{Field: "m4db", Err: err}
		}
		return o, err
	}
	o.Sources.M4DB = db
	o.Rebuild.Sandbox = s.Sandbox
	if o.Rebuild.Mode == "" && !o.Rebuild.Required && (o.Policy == nil || !o.Policy.Require.Rebuild) {
		return o, nil
	}
	if o.Rebuild.Runner, err = sandbox.NewContext(ctx, s.Sandbox); err != nil {
		switch {
		case ctx.Err() != nil:
			return o, ctx.Err()
		case errors.Is(err, sandbox.ErrUnknownBackend):
			return o, &SetupError{Field: "sandbox", Err: WithKind(KindUsage, err)}
		}
		return o, Errorf(KindEnvironment, "the rebuild needs a sandbox: %w (hint: %s)", err, sandbox.UnavailableHint)
	}
	return o, nil
}

// check refuses a rebuild mode other than autoreconf or dist and negative
// limits.
func (o Options) check() error {
	switch o.Rebuild.Mode {
	case "", "autoreconf", "dist":
	default:
		return &SetupError{Field: "rebuild", Err: Errorf(KindUsage, "mode %q: want autoreconf or dist", o.Rebuild.Mode)}
	}
	l := o.Limits
	for _, c := range []struct {
		field    string
		negative bool
	}{{"max-unpacked", l.MaxUnpacked < 0}, {"max-ratio", l.MaxRatio < 0}, {"max-entries", l.MaxEntries < 0}} {
		if c.negative {
			return &SetupError{Field: c.field, Err: Errorf(KindUsage, "must not be negative")}
		}
	}
	return nil
}
