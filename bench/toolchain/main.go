// Command toolchain is the manual end-to-end check of the toolchain cache
// against the real Debian archive (it needs the network, so it is not a
// test): it fetches the requested tools (default autoconf=2.69, the
// autoconf2.69 package) into a cache, times the cold fetch, a second fetch
// and a cached Path lookup, then runs autoconf (and, when automake is
// requested, aclocal + automake) on a small project inside the sandbox's
// namespaces backend with the toolchain laid over /usr, and checks the
// versions the generated files are stamped with.
//
//	bench/toolchain.sh [-tools autoconf=2.69,automake=1.16.5] [-cache DIR]
//	bench/toolchain.sh [-cache DIR] RELEASE.tar.gz...   (reproduce each release's configure and Makefile.in)
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/tarcheck/tarcheck/sandbox"
	"github.com/tarcheck/tarcheck/toolchain"
	"github.com/tarcheck/tarcheck/verify/fetch"
)

func main() {
	tools := flag.String("tools", "", "comma-separated tool=version[=debian-version] requests (default autoconf=2.69; with release tarballs: instead of their stamps)")
	cache := flag.String("cache", filepath.Join(os.TempDir(), "tarcheck-toolchain-bench"), "cache directory")
	flag.Parse()
	if flag.NArg() > 0 {
		// Release tarballs: reproduce their configure and Makefile.in.
		f, err := fetch.New(fetch.Options{CacheDir: filepath.Join(*cache, "downloads")})
		if err == nil {
			var c *toolchain.Cache
			if c, err = toolchain.Open(toolchain.Options{Dir: filepath.Join(*cache, "toolchains"), Getter: f}); err == nil {
				for _, tb := range flag.Args() {
					var req []string
					if *tools != "" {
						req = strings.Split(*tools, ",")
					}
					if err := reproduceRelease(context.Background(), c, tb, req); err != nil {
						fmt.Fprintln(os.Stderr, "toolchain bench:", tb+":", err)
					}
				}
				return
			}
		}
		fmt.Fprintln(os.Stderr, "toolchain bench:", err)
		os.Exit(1)
	}
	if *tools == "" {
		*tools = "autoconf=2.69"
	}
	if err := run(*cache, strings.Split(*tools, ",")); err != nil {
		fmt.Fprintln(os.Stderr, "toolchain bench:", err)
		os.Exit(1)
	}
}

const configureAC = `AC_INIT([hello], [1.0])
AC_CONFIG_SRCDIR([hello.c])
AC_PROG_CC
AC_OUTPUT
`

const configureACAutomake = `AC_INIT([hello], [1.0])
AM_INIT_AUTOMAKE([foreign])
AC_CONFIG_SRCDIR([hello.c])
AC_PROG_CC
AC_CONFIG_FILES([Makefile])
AC_OUTPUT
`

func run(cacheDir string, requests []string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	spec, err := toolchain.DefaultCatalog().Resolve(requests)
	if err != nil {
		return err
	}
	f, err := fetch.New(fetch.Options{CacheDir: filepath.Join(cacheDir, "downloads")})
	if err != nil {
		return err
	}
	c, err := toolchain.Open(toolchain.Options{Dir: filepath.Join(cacheDir, "toolchains"), Getter: f})
	if err != nil {
		return err
	}
	t0 := time.Now()
	tc, err := c.Fetch(ctx, spec)
	if err != nil {
		return err
	}
	fmt.Printf("fetch (first call in this cache): %v\n", time.Since(t0).Round(time.Millisecond))
	t0 = time.Now()
	if _, err := c.Fetch(ctx, spec); err != nil {
		return err
	}
	fmt.Printf("fetch again (cached): %v\n", time.Since(t0).Round(time.Millisecond))
	t0 = time.Now()
	if tc, err = c.Path(spec); err != nil {
		return err
	}
	fmt.Printf("path (verify every file): %v\n", time.Since(t0).Round(time.Millisecond))
	for _, d := range tc.Describe() {
		fmt.Println("  ", d)
	}
	fmt.Println("   layers:", strings.Join(tc.Layers, " "))
	fmt.Println("   env:", strings.Join(tc.Env, " "))

	r, err := sandbox.New(sandbox.BackendNamespaces)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "tarcheck-toolchain-e2e-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	ac, script := configureAC, "autoconf --version | head -n 1; autoconf"
	automake := spec.Version(toolchain.ToolAutomake)
	libtool, gettext := spec.Version(toolchain.ToolLibtool), spec.Version(toolchain.ToolGettext)
	if automake != "" {
		ac, script = configureACAutomake, "automake --version | head -n 1; aclocal && autoconf && automake --add-missing --copy"
		if err := os.WriteFile(filepath.Join(work, "Makefile.am"), []byte("bin_PROGRAMS = hello\n"), 0o644); err != nil {
			return err
		}
	}
	if automake != "" && (libtool != "" || gettext != "") {
		// The whole chain, as --rebuild runs it.
		extra := ""
		if libtool != "" {
			extra += "LT_INIT\n"
		}
		if gettext != "" {
			extra += "AM_GNU_GETTEXT([external])\nAM_GNU_GETTEXT_VERSION([0.19.8])\n"
		}
		ac = strings.Replace(configureACAutomake, "AC_PROG_CC\n", "AC_PROG_CC\nAC_CONFIG_MACRO_DIRS([m4])\n"+extra, 1)
		ac = strings.Replace(ac, "AC_CONFIG_FILES([Makefile])", "AC_CONFIG_FILES([Makefile po/Makefile.in])", 1)
		if gettext == "" {
			ac = strings.Replace(ac, " po/Makefile.in", "", 1)
		} else if err := os.WriteFile(filepath.Join(work, "Makefile.am"), []byte("SUBDIRS = po\nbin_PROGRAMS = hello\n"), 0o644); err != nil {
			return err
		}
		script = "autoreconf --version | head -n 1; autoreconf -fi"
		if err := os.MkdirAll(filepath.Join(work, "po"), 0o755); err != nil {
			return err
		}
		_ = os.WriteFile(filepath.Join(work, "po", "POTFILES.in"), []byte("hello.c\n"), 0o644)
		_ = os.WriteFile(filepath.Join(work, "po", "LINGUAS"), nil, 0o644)
		_ = os.WriteFile(filepath.Join(work, "po", "Makevars"), []byte("DOMAIN = hello\nsubdir = po\ntop_builddir = ..\n"), 0o644)
	}
	for name, body := range map[string]string{"configure.ac": ac, "hello.c": "int main(void) { return 0; }\n"} {
		if err := os.WriteFile(filepath.Join(work, name), []byte(body), 0o644); err != nil {
			return err
		}
	}
	s := sandbox.ScriptSpec(work, script, []string{"LC_ALL=C"}, 5*time.Minute)
	tc.Apply(&s)
	t0 = time.Now()
	res, err := r.Run(ctx, s)
	if err != nil {
		return err
	}
	fmt.Printf("sandbox run (%s): exit %d in %v\n%s", r.Name(), res.ExitCode, time.Since(t0).Round(time.Millisecond), res.Output)
	if res.ExitCode != 0 {
		return fmt.Errorf("the generators failed")
	}
	ok := true
	check := func(file, pattern, want string) {
		data, err := os.ReadFile(filepath.Join(work, file))
		m := regexp.MustCompile(pattern).FindSubmatch(data)
		got := ""
		if err == nil && m != nil {
			got = string(m[1])
		}
		fmt.Printf("%s stamped %q (want %s)\n", file, got, want)
		ok = ok && got == want
	}
	check("configure", `Generated by GNU Autoconf ([0-9.]+)`, spec.Version(toolchain.ToolAutoconf))
	if automake != "" {
		check("Makefile.in", `generated by automake ([0-9.]+)`, automake)
		check("aclocal.m4", `generated automatically by aclocal ([0-9.]+)`, automake)
	}
	if libtool != "" {
		check("ltmain.sh", `(?m)^VERSION="?([0-9.]+)`, libtool)
		check("m4/ltversion.m4", `macro_version=.([0-9.]+).`, libtool)
	}
	if gettext != "" {
		check("po/Makefile.in.in", `Origin: gettext-([0-9.]+)`, "0.19.8")
	}
	if !ok {
		return fmt.Errorf("a generated file names another version than the toolchain's")
	}
	fmt.Println("OK: the generated files are stamped with the toolchain's versions")
	return nil
}
