package verify

import (
	"context"
	"fmt"
)

// rebuild regenerates the autotools outputs in a sandbox and compares them.
func (p *pipeline) rebuild(ctx context.Context) error {
	return fmt.Errorf("%w: --rebuild is not implemented in this build", ErrUsage)
}
