package verify

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPrepare(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	// Nothing asked: no policy, no database file, no rebuild, no runner.
	o, err := Prepare(ctx, Options{Sources: Sources{CacheDir: dir}}, Setup{Sandbox: "bogus"})
	if err != nil || o.Policy != nil || o.Rebuild.Runner != nil || o.Sources.M4DB != nil {
		t.Fatalf("Prepare(nothing) = %+v, %v", o, err)
	}
	// A missing m4 database file names its field, as a usage error.
	_, err = Prepare(ctx, Options{}, Setup{M4DB: filepath.Join(dir, "absent")})
	var se *SetupError
	if !errors.As(err, &se) || se.Field != "m4db" || KindOf(err) != KindUsage {
		t.Errorf("missing m4db: %v (kind %v)", err, KindOf(err))
	}
	// An unknown sandbox backend, with a rebuild asked, names its field.
	_, err = Prepare(ctx, Options{Rebuild: Rebuild{Mode: "autoreconf"}}, Setup{Sandbox: "bogus"})
	if !errors.As(err, &se) || se.Field != "sandbox" || KindOf(err) != KindUsage {
		t.Errorf("unknown sandbox: %v (kind %v)", err, KindOf(err))
	}
	// A bad rebuild mode and negative limits name their option.
	for field, o := range map[string]Options{
		"rebuild":      {Rebuild: Rebuild{Mode: "bogus"}},
		"max-unpacked": {Limits: Limits{MaxUnpacked: -1}},
		"max-ratio":    {Limits: Limits{MaxRatio: -1}},
		"max-entries":  {Limits: Limits{MaxEntries: -1}},
	} {
		_, err = Prepare(ctx, o, Setup{})
		if !errors.As(err, &se) || se.Field != field || KindOf(err) != KindUsage {
			t.Errorf("%s: %v (kind %v)", field, err, KindOf(err))
		}
	}
	// A policy file is read, and its `require: rebuild` asks for the sandbox too.
	pol := filepath.Join(dir, "policy.yaml")
	if err := os.WriteFile(pol, []byte("require:\n  rebuild: true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Prepare(ctx, Options{}, Setup{Policy: pol, Sandbox: "bogus"})
	if !errors.As(err, &se) || se.Field != "sandbox" {
		t.Errorf("policy requiring a rebuild with an unknown sandbox: %v", err)
	}
}

func TestWriteOutput(t *testing.T) {
	fill := func(w io.Writer) error {
		_, err := io.WriteString(w, "report\n")
		return err
	}
	var out strings.Builder
	for _, buffered := range []bool{false, true} {
		out.Reset()
		if err := WriteOutput("-", &out, buffered, fill); err != nil || out.String() != "report\n" {
			t.Errorf("stdout (buffered %v): %q, %v", buffered, out.String(), err)
		}
	}
	file := filepath.Join(t.TempDir(), "r.txt")
	out.Reset()
	if err := WriteOutput(file, &out, false, fill); err != nil || out.Len() != 0 {
		t.Fatalf("file: %v, stdout %q", err, out.String())
	}
	if b, err := os.ReadFile(file); err != nil || string(b) != "report\n" {
		t.Errorf("file holds %q, %v", b, err)
	}
	// A failing fill writes nothing to the file.
	bad := filepath.Join(t.TempDir(), "bad.txt")
	if err := WriteOutput(bad, &out, false, func(io.Writer) error { return errors.New("boom") }); err == nil {
		t.Error("fill error lost")
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Errorf("failed output left %s", bad)
	}
}
