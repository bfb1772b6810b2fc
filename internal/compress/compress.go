// Package compress compresses bytes in memory, for the generators of test
// releases (internal/demo, internal/adversary, internal/hostile).
package compress

import (
	"bytes"
	"io"
)

// Bytes is b written through the compressor open makes, then closed.
func Bytes(b []byte, open func(io.Writer) (io.WriteCloser, error)) ([]byte, error) {
	var buf bytes.Buffer
	w, err := open(&buf)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
