// Package toolchain provides exact autotools toolchains (autoconf,
// automake, libtool, gettext's autopoint) for `tarcheck verify --rebuild`,
// so that generated files are regenerated with the versions their stamps
// name instead of whatever the host has installed.
//
// # Where toolchains come from
//
// Debian's archive keeps one build of each tool version in some suite
// (bullseye, bookworm, trixie, forky, sid), and obsolete versions as their
// own packages (autoconf2.69, automake1.11). The built-in [Catalog]
// (catalog.txt) lists, per tool version, the binary packages that provide
// it with their pinned sha256. A fetch downloads the suite's InRelease,
// verifies its OpenPGP clearsignature against the Debian archive keyring
// (in Go, with verify/sig), downloads the main Packages index by the hash
// InRelease signs, finds the package there, checks that its sha256 is the
// pinned one, downloads the .deb and checks it against that sha256. Only
// then is the .deb unpacked, in Go (ar container, data.tar through
// verify/archive's decompressors and hazard checks, every write through an
// os.Root), into a content-addressed [Cache] directory named by the .deb's
// sha256, with a manifest of every file's hash that [Cache.Path] checks on
// every use. Nothing is installed on the system; the HTTP work is done by
// verify/fetch behind the [Getter] interface.
//
// # Running a toolchain
//
// The tools hard-code /usr paths (/usr/share/autoconf2.69, /usr/bin/autom4te2.69,
// /usr/share/automake-1.16, /usr/share/aclocal). Relocating them through
// environment variables is incomplete (autom4te.cfg, libtoolize and autopoint
// have paths without an override), so the toolchain is put where the tools
// expect it instead: [Toolchain.Apply] lays each package's usr/ tree, plus a
// layer of the symlinks a Debian install would add (autoconf -> autoconf2.69,
// automake -> automake-1.16, the alternatives), over the sandbox's /usr with a
// read-only overlayfs, and bind-mounts the directories a tool owns
// (usr/share/autoconf*, usr/share/automake-*, usr/share/aclocal-*,
// usr/share/libtool, usr/share/gettext) over the merged view so that no file of
// the host's version of the same tool stays visible. /usr/share/aclocal stays a
// merge (the toolchain's libtool.m4 over the host's pkg.m4 and others), as on
// an installed system. AUTOCONF, AUTOHEADER, AUTOM4TE, AUTOMAKE, ACLOCAL,
// LIBTOOLIZE and AUTOPOINT name the toolchain's programs. Overlays need the
// sandbox's namespaces backend (bubblewrap 0.8 has no overlay support).
//
// # Versions covered (catalog.txt, amd64 mirror, December 2026)
//
//	autoconf  2.13, 2.64, 2.69 (autoconf2.69 2.69-3.1 unpatched first; 2.69-2, 2.69-5,
//	          and autoconf 2.69-14 with Debian's runstatedir patch), 2.71, 2.72, 2.73
//	automake  1.11.6 (automake1.11), 1.16.3, 1.16.5, 1.17, 1.19
//	libtool   2.4.6, 2.4.7 (2.4.7-7~deb12u1), 2.5.4, 2.6.2
//	gettext   autopoint 0.21, 0.23.1, 1.0; autopoint carries the files of every
//	          earlier release (0.19.8, 0.20.x, 0.22.x, ...), so a stamp of one of
//	          those selects the lowest autopoint at or above it
//	autotools-dev (config.guess, config.sub) 20180224.1, 20220109.1, 20240727.1,
//	          added as a companion of automake and libtool from the same suite
//
// Builds of one version differ where Debian patched them: autoconf 2.69-14
// (bullseye) and autoconf2.69 2.69-2 carry the --runstatedir backport that
// most Debian/Ubuntu-made 2.69 releases show (pass [HintRunstatedir]);
// autoconf 2.72-3.1 rewords the largefile checks, so an upstream-made 2.72
// configure differs from it in those hunks only (verify/rebuild then reports
// "autoconf 2.72 (upstream build) not available" for configure instead of
// a difference: upstream autoconf 2.72 built from its release tarball
// reproduces datamash 1.9's configure byte for byte, bench/rebuild-results.md).
//
// Not covered: automake 1.15 and 1.16.1/1.16.2, libtool 2.4.2, gettext 0.19.x
// autopoint binaries (their files are in newer autopoints), and any version
// Debian no longer serves (buster and older are gone from the main mirror);
// pkg.m4 stays the host's (pkgconf is architecture-dependent; a release whose
// aclocal.m4 embeds another pkg.m4 is reported as not proved by verify/rebuild). Select reports
// those as missing ("automake=1.15").
//
// # Adding a version
//
// When a suite Debian serves gains a package for a new version, run
// bench/toolchain-catalog.sh (go run ./toolchain/cmd/catalogen): it verifies
// each suite's InRelease, reads the signed Packages index and rewrites
// catalog.txt. To add a suite, pass -suites. A tool whose packages follow a
// new naming scheme needs its pattern in the rules table (catalog.go).
package toolchain
