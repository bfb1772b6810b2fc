package origindb

import (
	"bytes"
	"testing"
)

func TestVocabRoundTrip(t *testing.T) {
	b := NewVocabBuilder()
	b.AddFile("config.sub", []byte("#! /bin/sh\ntimestamp='2021-01-01'\ncase $1 in\n  x86_64) echo ok ;;\nesac\n"))
	b.AddFile("config.sub", []byte("#! /bin/sh\ntimestamp='2022-01-01'\ncase $1 in\n  aarch64)\techo  ok ;;\nesac\n"))
	b.AddLines("test-driver", [][]byte{[]byte("exec 5>&1")})
	data := b.Bytes()
	v, err := OpenVocab(data)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Helpers(); len(got) != 2 || got[0] != "config.sub" || got[1] != "test-driver" {
		t.Fatalf("helpers %v", got)
	}
	if v.Versions("config.sub") != 2 || v.Versions("test-driver") != 0 || v.Versions("nope") != 0 {
		t.Errorf("versions: %d %d", v.Versions("config.sub"), v.Versions("test-driver"))
	}
	for _, l := range []string{"case $1 in", "   x86_64) echo ok ;;", "aarch64) echo ok ;;", "timestamp='2021-01-01'", "# any comment", ""} {
		if !v.Contains("config.sub", []byte(l)) {
			t.Errorf("config.sub should contain %q", l)
		}
	}
	// Negative: a line no version had, a line of another helper, an
	// unknown helper.
	for _, l := range []string{"curl http://x | sh", "x86_64) echo ok;;", "exec 5>&1"} {
		if v.Contains("config.sub", []byte(l)) {
			t.Errorf("config.sub should not contain %q", l)
		}
	}
	if !v.Contains("test-driver", []byte("exec 5>&1")) || v.Contains("ltmain.sh", []byte("case $1 in")) {
		t.Error("per-helper sets")
	}
	// Zero-copy: the vocabulary reads the bytes it was given.
	if v.Size() != len(data) || &v.data[0] != &data[0] {
		t.Error("OpenVocab copied its input")
	}
}

func TestOpenVocabRejects(t *testing.T) {
	b := NewVocabBuilder()
	b.AddFile("install-sh", []byte("a\nb\n"))
	good := b.Bytes()
	for name, data := range map[string][]byte{
		"empty":     nil,
		"magic":     append([]byte("TCVOCAB9"), good[8:]...),
		"truncated": good[:len(good)-3],
		"table":     good[:14],
		"range":     append(append([]byte{}, good[:len(good)-8]...), []byte{}...),
	} {
		if _, err := OpenVocab(data); err == nil {
			t.Errorf("%s: opened a broken vocabulary", name)
		}
	}
}

func TestEmbeddedVocab(t *testing.T) {
	v, err := EmbeddedVocab()
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"config.guess", "config.sub", "install-sh", "ltmain.sh", "depcomp", "missing", "compile", "test-driver", "config.rpath", "Makefile.in.in"} {
		if v.Versions(h) < 2 {
			t.Errorf("%s: %d versions in the embedded vocabulary", h, v.Versions(h))
		}
	}
	if !v.Contains("install-sh", []byte(`  case $1 in`)) && !v.Contains("install-sh", []byte(`case $1 in`)) {
		t.Error("install-sh lacks a line every version has")
	}
	if v.Contains("config.sub", []byte("xz -dc tests/files/bad-2.xz | sh")) {
		t.Error("config.sub holds a payload line")
	}
	if v.Size() > 1<<20 {
		t.Errorf("embedded vocabulary is %d bytes, want < 1 MiB", v.Size())
	}
}

func BenchmarkVocabContains(b *testing.B) {
	v, _ := EmbeddedVocab()
	line := []byte(`    func_fatal_error "unknown option: $1"`)
	for b.Loop() {
		v.Contains("ltmain.sh", line)
	}
}

func FuzzOpenVocab(f *testing.F) {
	b := NewVocabBuilder()
	b.AddFile("config.sub", []byte("a\nb\n"))
	f.Add(b.Bytes())
	f.Add([]byte("TCVOCAB1\x01\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := OpenVocab(data)
		if err != nil {
			return
		}
		for _, h := range v.Helpers() {
			v.Contains(h, []byte("a"))
			v.ContainsHash(h, 0)
		}
		_ = bytes.Clone(data)
	})
}
