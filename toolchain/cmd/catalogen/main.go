// Command catalogen writes toolchain/catalog.txt: for every suite of the
// Debian archive given, it downloads the InRelease file, verifies it with
// the Debian archive keyring, downloads the main Packages index it signs,
// and lists the packages that provide autoconf, automake, libtool,
// autopoint (gettext) and autotools-dev, with their sha256.
//
//	go run ./toolchain/cmd/catalogen -o toolchain/catalog.txt -cache /work/corpus/toolchain-dl
//
// It needs the network; bench/toolchain-catalog.sh runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"github.com/tarcheck/tarcheck/toolchain"
	"github.com/tarcheck/tarcheck/verify/fetch"
)

func main() {
	out := flag.String("o", "toolchain/catalog.txt", "catalog file to write")
	cache := flag.String("cache", "", "download cache directory (required)")
	mirror := flag.String("mirror", toolchain.DefaultMirror, "Debian mirror")
	suites := flag.String("suites", "bookworm,trixie,bullseye,forky,sid", "suites, preferred first")
	flag.Parse()
	if err := run(*out, *cache, *mirror, strings.Split(*suites, ",")); err != nil {
		fmt.Fprintln(os.Stderr, "catalogen:", err)
		os.Exit(1)
	}
}

func run(out, cache, mirror string, suites []string) error {
	if cache == "" {
		return fmt.Errorf("-cache is required")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	f, err := fetch.New(fetch.Options{CacheDir: cache, Revalidate: true})
	if err != nil {
		return err
	}
	c, err := toolchain.Open(toolchain.Options{Dir: cache + "/toolchains", Getter: f, Mirror: mirror})
	if err != nil {
		return err
	}
	pkgs, err := c.Suites(ctx, suites)
	if err != nil {
		return err
	}
	cat := toolchain.BuildCatalog(pkgs, suites)
	return os.WriteFile(out, cat.Marshal(), 0o644)
}
