package sandbox

import (
	"bytes"
	"testing"
)

// valueWriter is a writer of a non-comparable type.
type valueWriter struct{ b []byte }

func (valueWriter) Write(p []byte) (int, error) { return len(p), nil }

func TestCapture(t *testing.T) {
	var fwd bytes.Buffer
	c := &capture{limit: 5}
	w := c.stream(&fwd)
	for _, s := range []string{"ab", "cd", "efgh", "ij"} {
		if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write(%q) = %d, %v; want full length, nil", s, n, err)
		}
	}
	got, trunc := c.result()
	if string(got) != "abcde" || !trunc || fwd.String() != "abcde" {
		t.Fatalf("got %q truncated %v forwarded %q", got, trunc, fwd.String())
	}
	if sameWriter(valueWriter{}, valueWriter{}) {
		t.Fatal("non-comparable writers reported equal")
	}
	if !sameWriter(nil, nil) || !sameWriter(&fwd, &fwd) || sameWriter(&fwd, nil) {
		t.Fatal("sameWriter wrong on comparable writers")
	}
}
