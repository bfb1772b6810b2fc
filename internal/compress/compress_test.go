package compress

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"testing"
)

func TestBytesRoundTrip(t *testing.T) {
	in := bytes.Repeat([]byte("tarcheck "), 1000)
	out, err := Bytes(in, func(w io.Writer) (io.WriteCloser, error) { return gzip.NewWriter(w), nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(out) >= len(in) {
		t.Errorf("compressed %d bytes to %d", len(in), len(out))
	}
	zr, err := gzip.NewReader(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	back, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(back, in) {
		t.Errorf("round trip: %d bytes, %v", len(back), err)
	}
	boom := errors.New("boom")
	if _, err := Bytes(in, func(io.Writer) (io.WriteCloser, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("open error lost: %v", err)
	}
}
