package term

import (
	"bytes"
	"testing"
)

func TestColor(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	var buf bytes.Buffer
	for _, tc := range []struct {
		mode string
		want bool
	}{{"always", true}, {"never", false}, {"auto", false}, {"", false}} {
		if got := Color(tc.mode, &buf, env(nil)); got != tc.want {
			t.Errorf("Color(%q, buffer) = %v, want %v", tc.mode, got, tc.want)
		}
	}
	if IsTerminal(&buf) {
		t.Error("a buffer is not a terminal")
	}
}

func TestProgressPhases(t *testing.T) {
	var buf bytes.Buffer
	p := NewProgress(&buf)
	p.Add(1) // before any phase: ignored
	p.Start("archive \x1b[31m", 100)
	p.Add(100)
	p.Start("second", -1) // ends the first
	p.Done()
	if p.bar != nil {
		t.Error("Done left a bar")
	}
	p.Done() // twice: no-op
	if bytes.Contains(buf.Bytes(), []byte("\x1b[31m")) {
		t.Errorf("phase name not escaped: %q", buf.String())
	}
}
