package sandbox

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// namespacesRunner returns the namespaces backend, skipping when it does not
// work here (required when running as root with TARCHECK_REQUIRE_TOOLS=1).
func overlayRunner(t *testing.T) Runner {
	t.Helper()
	requireTool(t, "setpriv")
	r, err := New(BackendNamespaces)
	if err != nil {
		if os.Getenv("TARCHECK_REQUIRE_TOOLS") == "1" && os.Geteuid() == 0 {
			t.Fatalf("namespaces backend: %v", err)
		}
		t.Skipf("namespaces backend unavailable: %v", err)
	}
	if !SupportsOverlays(r) {
		t.Fatalf("%s does not support overlays", r.Name())
	}
	return r
}

func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOverlayLaysLayersOverUsr(t *testing.T) {
	r := overlayRunner(t)
	top, low := t.TempDir(), t.TempDir()
	writeTree(t, top, map[string]string{
		"share/tarcheck-test/owned/a": "top a\n",
		"share/tarcheck-test/shared":  "top shared\n",
		"bin/tarcheck-test-tool":      "#!/bin/sh\necho tool ran from layer\n",
	})
	writeTree(t, low, map[string]string{
		"share/tarcheck-test/shared":  "low shared\n",
		"share/tarcheck-test/lowonly": "low only\n",
	})
	// A bind replaces a directory wholesale: "b" (only in the replacement)
	// is visible, "a" of the layer is not.
	repl := t.TempDir()
	writeTree(t, repl, map[string]string{"b": "replacement b\n"})

	dir := newWorkDir(t)
	s := ScriptSpec(dir, `cat /usr/share/tarcheck-test/shared /usr/share/tarcheck-test/lowonly
tarcheck-test-tool
ls /usr/share/tarcheck-test/owned
test -x /bin/sh && echo host-usr-visible
touch /usr/share/tarcheck-test/new 2>/dev/null && echo WRITABLE || echo read-only`, nil, 0)
	s.Overlays = []Overlay{{Target: "/usr", Layers: []string{top, low}}}
	s.Binds = []Bind{{Src: repl, Dst: "/usr/share/tarcheck-test/owned"}}
	res, err := r.Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	want := "top shared\nlow only\ntool ran from layer\nb\nhost-usr-visible\nread-only\n"
	if res.ExitCode != 0 || string(res.Output) != want {
		t.Fatalf("exit %d, output:\n%s\nwant:\n%s", res.ExitCode, res.Output, want)
	}
	if _, err := os.Stat(filepath.Join(top, "share/tarcheck-test/new")); err == nil {
		t.Fatal("the sandbox wrote into a layer")
	}
}

func TestOverlayRefusals(t *testing.T) {
	dir := newWorkDir(t)
	layer := t.TempDir()
	colon := filepath.Join(t.TempDir(), "a:b")
	if err := os.Mkdir(colon, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]Spec{
		"target not a system dir": {Overlays: []Overlay{{Target: "/home", Layers: []string{layer}}}},
		"relative layer":          {Overlays: []Overlay{{Target: "/usr", Layers: []string{"rel"}}}},
		"missing layer":           {Overlays: []Overlay{{Target: "/usr", Layers: []string{layer + "/nope"}}}},
		"no layers":               {Overlays: []Overlay{{Target: "/usr"}}},
		"colon in layer":          {Overlays: []Overlay{{Target: "/usr", Layers: []string{colon}}}},
		"two overlays on /usr":    {Overlays: []Overlay{{Target: "/usr", Layers: []string{layer}}, {Target: "/usr", Layers: []string{layer}}}},
		"bind into /proc":         {Binds: []Bind{{Src: layer, Dst: "/proc/x"}}},
		"relative bind":           {Binds: []Bind{{Src: layer, Dst: "usr/x"}}},
	} {
		s.Dir, s.Args = dir, []string{"true"}
		if _, err := newPlan(s, true); !errors.Is(err, ErrInvalidSpec) {
			t.Errorf("%s: err = %v, want ErrInvalidSpec", name, err)
		}
	}
	// Backends without overlay support say so instead of running without
	// the toolchain.
	s := Spec{Dir: dir, Args: []string{"true"}, Overlays: []Overlay{{Target: "/usr", Layers: []string{layer}}}}
	for _, r := range []Runner{noneRunner{}, &bwrapRunner{path: "/nonexistent/bwrap"}} {
		_, err := r.Run(context.Background(), s)
		if !errors.Is(err, ErrInvalidSpec) || !strings.Contains(err.Error(), "namespaces") {
			t.Errorf("%s: err = %v, want ErrInvalidSpec naming the namespaces backend", r.Name(), err)
		}
		if SupportsOverlays(r) {
			t.Errorf("%s claims overlay support", r.Name())
		}
	}
}
