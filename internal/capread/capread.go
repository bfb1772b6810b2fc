// Package capread reads files whose size an input cap bounds.
package capread

import (
	"fmt"
	"io"
	"os"
)

// File reads the named file, or fails when it holds more than limit
// bytes. It never reads more than limit+1 bytes, so a file that grows
// while it is read cannot pass the cap.
func File(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", name, limit)
	}
	return b, nil
}
