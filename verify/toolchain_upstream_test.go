package verify

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestToolchainUpstreamOptions: `toolchain list` shows the upstream
// entries; --tarball goes with exactly one TOOL=VERSION+upstream request;
// an unreadable --keyring is named. None of these touches the network.
func TestToolchainUpstreamOptions(t *testing.T) {
	dir := t.TempDir()
	o := ToolchainOptions{Toolchains: Toolchains{Dir: filepath.Join(dir, "tc")}, CacheDir: filepath.Join(dir, "cache"), Offline: true}
	var b strings.Builder
	if err := ToolchainList(&b, o); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "2.72+upstream") || !strings.Contains(b.String(), "automake-1.16.5.tar.xz") {
		t.Errorf("list:\n%s", b.String())
	}
	tarball := filepath.Join(dir, "autoconf-2.72.tar.xz")
	os.WriteFile(tarball, []byte("not the release"), 0o644)
	withTarball := o
	withTarball.Tarball = tarball
	err := ToolchainFetch(context.Background(), &b, withTarball, []string{"autoconf=2.72"})
	if KindOf(err) != KindUsage || !strings.Contains(err.Error(), "--tarball FILE") {
		t.Errorf("--tarball with a Debian request: %v (kind %v)", err, KindOf(err))
	}
	err = ToolchainFetch(context.Background(), &b, withTarball, []string{"autoconf=2.72+upstream"})
	if err == nil || !strings.Contains(err.Error(), "sha256") || strings.Contains(err.Error(), "\n") {
		t.Errorf("--tarball with another file: %v", err)
	}
	withKeyring := o
	withKeyring.Toolchains.Keyrings = []string{filepath.Join(dir, "missing.gpg")}
	err = ToolchainFetch(context.Background(), &b, withKeyring, []string{"automake=1.16.5+upstream"})
	if err == nil || !strings.Contains(err.Error(), "--keyring") || !strings.Contains(err.Error(), "missing.gpg") {
		t.Errorf("missing keyring: %v", err)
	}
}
