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
// # Upstream release tarballs
//
// Where Debian's build of a version is patched in a way releases show
// (autoconf 2.72-3.1's AC_SYS_LARGEFILE, automake 1.16.5-1.3's
// AM_PATH_PYTHON), or Debian ships no package of it (pkg-config 0.29.2's
// pkg.m4 beside pkgconf), the catalog has an upstream entry
// (upstream.txt, [ParseUpstream]): the release tarball Debian's archive
// serves as its source package's orig tarball, pinned by sha256 and, when
// the archive also serves upstream's detached signature, by the
// fingerprints of its signers. A fetch downloads the tarball and checks
// its sha256, verifies the signature with verify/sig against the user's
// keyring ([Options.UpstreamKeyring], `--keyring`: the GNU keyring or the
// source package's debian/upstream/signing-key.asc) and requires a pinned
// signer, then builds it with [sandbox] (an isolating backend, never
// "none"; no network, one writable directory): the tarball is unpacked by
// tar inside the sandbox and the recipe (default `./configure
// --prefix=/usr && make && make install DESTDIR=...`) installs below
// $DESTDIR. The installed tree, normalised (no setuid or group/other write
// bits, no symlink out of the tree), goes into the cache under
// [Upstream.BuildKey] (the tarball's sha256 and the recipe) with the same
// manifest as a .deb tree, so [Cache.Path] checks it on every use and
// [Toolchain.Apply] lays it over /usr the same way. Requests name it
// "autoconf=2.72+upstream"; [Cache.AddUpstream] imports a local tarball
// and signature. verify/rebuild selects it ([HintUpstream]) when the
// release shows the upstream build, and falls back to Debian's build
// (reported as not proving those files) when it is not in the cache.
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
// Upstream release tarballs (upstream.txt), built in the sandbox:
//
//	autoconf   2.72+upstream   autoconf_2.72.orig.tar.xz (sha256 pinned; Debian serves no
//	           upstream signature for it)
//	automake   1.16.5+upstream automake-1.16_1.16.5.orig.tar.xz, signed by Jim Meyering
//	           155D3FC500C834486D1EEA677FD9FCCB000BEEEE (.asc served beside it)
//	pkg-config 0.29.2+upstream pkg-config_0.29.2.orig.tar.gz (sha256 pinned, no signature
//	           served); only its pkg.m4 is installed (the program needs glib), and a
//	           rebuild lays it only when the release embeds it byte for byte
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
// Not covered: automake 1.14.x, 1.15.x and 1.16.1/1.16.2, libtool 2.4.2,
// gettext 0.19.x autopoint binaries (their files are in newer autopoints),
// and any version Debian no longer serves, as a package or as an orig
// tarball (buster and older are gone from the main mirror: no
// automake-1.15_1.15.1 or automake-1.14_1.14.1 orig tarball is served; sid's
// pkgconf 2.5.1 orig tarball is not served by the mirror either). pkg.m4 is
// the host's unless the release embeds pkg-config 0.29.2's (a release whose
// aclocal.m4 embeds another pkg.m4 is reported as not proved by
// verify/rebuild). Select reports those as missing ("automake=1.15.1").
//
// # Adding a version
//
// When a suite Debian serves gains a package for a new version, run
// bench/toolchain-catalog.sh (go run ./toolchain/cmd/catalogen): it verifies
// each suite's InRelease, reads the signed Packages index and rewrites
// catalog.txt. To add a suite, pass -suites. A tool whose packages follow a
// new naming scheme needs its pattern in the rules table (catalog.go).
//
// An upstream release is added by hand to upstream.txt: `apt-get source
// --download-only` (or `apt-cache showsrc`) gives the orig tarball's pool
// path and the sha256 Debian's signed Sources index lists; when a .asc is
// served beside it, verify it with the source package's
// debian/upstream/signing-key.asc (gpgv) and pin the signer's primary or
// signing key fingerprint in Signers. Add a Build recipe only when the
// default one does not apply; it is part of the cache key.
package toolchain
