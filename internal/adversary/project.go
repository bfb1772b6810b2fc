package adversary

import "io/fs"

// Names of the base release.
const (
	// Name is the package name of the base project.
	Name = "adv"
	// Version is the released version.
	Version = "2.4.1"
	// Tag is the release tag in the throwaway repository.
	Tag = "v" + Version
	// Root is the top-level directory of the release tarball.
	Root = Name + "-" + Version
	// MarkerDirEnv names the environment variable that tells a payload where
	// to write its marker; a payload writes to the current directory without it.
	MarkerDirEnv = "ADVERSARY_MARKER_DIR"
	// variantEnv carries the variant id from the injected code to the
	// decoded payload, which is shared by all variants.
	variantEnv = "ADVERSARY_VARIANT"
	// releaseDate is the commit, tag and tarball member date.
	releaseDate = "2024-03-09T12:00:00Z"
	// releaseUnix is releaseDate as a Unix time.
	releaseUnix = 1709985600
)

// MarkerName is the file a variant's payload creates (in $ADVERSARY_MARKER_DIR,
// else in the directory it runs in).
func MarkerName(id string) string { return ".adversary-" + id }

// payloadScript is what every hidden payload decodes to: a harmless shell
// line that creates the variant's marker file.
const payloadScript = `: > "${` + MarkerDirEnv + `:-.}/.adversary-${` + variantEnv + `:-unknown}"` + "\n"

// nfcUnicodeTest is the NFC spelling of a test script name (é as U+00E9).
const nfcUnicodeTest = "tests/t-r\u00e9sum\u00e9.sh"

// nfdUnicodeTest is the NFD spelling of the same name (e + U+0301).
const nfdUnicodeTest = "tests/t-re\u0301sume\u0301.sh"

// gnulibM4 are the gnulib macro files copied from the installed gnulib into
// m4/ at generation time (not tracked in git, as with a bootstrap script).
var gnulibM4 = []string{"visibility.m4", "warnings.m4", "ld-version-script.m4"}

// sourceFile is one file of the upstream repository.
type sourceFile struct {
	data string
	mode fs.FileMode
}

// projectSources are the hand-written files of the base project: what git
// holds. The binary test vectors (tests/files/*) and doc/logo.png are added by
// binarySources.
var projectSources = map[string]sourceFile{
	"configure.ac": {`AC_PREREQ([2.69])
AC_INIT([adv], [` + Version + `], [bug-adv@example.invalid])
AC_CONFIG_SRCDIR([src/adv.c])
AC_CONFIG_AUX_DIR([build-aux])
AC_CONFIG_MACRO_DIRS([m4])
AM_INIT_AUTOMAKE([1.16 foreign subdir-objects dist-xz no-dist-gzip -Wno-portability])
AC_PROG_CC
LT_INIT
gl_VISIBILITY
gl_LD_VERSION_SCRIPT
gl_WARN_ADD([-Wall])
AM_GNU_GETTEXT([external])
AM_GNU_GETTEXT_VERSION([0.21])
AC_CONFIG_HEADERS([config.h])
AC_CONFIG_FILES([Makefile po/Makefile.in])
AC_OUTPUT
`, 0o644},
	"Makefile.am": {`ACLOCAL_AMFLAGS = -I m4
SUBDIRS = po
AM_CPPFLAGS = -DLOCALEDIR=\"$(localedir)\"
AM_CFLAGS = $(WARN_CFLAGS) $(CFLAG_VISIBILITY)

lib_LTLIBRARIES = libadv.la
libadv_la_SOURCES = src/libadv.c src/adv.h src/hardening.h
bin_PROGRAMS = adv
adv_SOURCES = src/adv.c
adv_LDADD = libadv.la $(LTLIBINTL)

# The test harness runs every enabled tests/t-*.sh script.
TESTS = tests/run-tests.sh
EXTRA_DIST = CMakeLists.txt cmake mk doc tests

# Optional maintainer fragments.
-include $(wildcard $(srcdir)/mk/*.mk)
`, 0o644},
	"CMakeLists.txt": {`cmake_minimum_required(VERSION 3.10)
project(adv VERSION ` + Version + ` LANGUAGES C)
# Every module in cmake/ is part of the build.
file(GLOB ADV_CMAKE_MODULES "${CMAKE_CURRENT_SOURCE_DIR}/cmake/*.cmake")
foreach(module ${ADV_CMAKE_MODULES})
  include(${module})
endforeach()
add_library(adv src/libadv.c)
add_executable(adv-bin src/adv.c)
target_link_libraries(adv-bin adv)
`, 0o644},
	"cmake/AdvWarnings.cmake": {`# Warnings for GCC and Clang.
if(CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
  add_compile_options(-Wall)
endif()
`, 0o644},
	"mk/coverage.mk": {`# Coverage helpers for maintainers: make coverage-clean.
coverage-clean:
	rm -f src/*.gcda src/*.gcno
.PHONY: coverage-clean
`, 0o644},
	"src/adv.h": {`#ifndef ADV_H
#define ADV_H
/* Flags for the input checker; 0x0800 rejects over-long records.  */
#define ADV_CHECK_FLAGS 0x0800
#if HAVE_VISIBILITY
# define ADV_API __attribute__ ((__visibility__ ("default")))
#else
# define ADV_API
#endif
ADV_API int adv_check (const char *record, unsigned long len);
#endif
`, 0o644},
	"src/hardening.h": {`#ifndef ADV_HARDENING_H
#define ADV_HARDENING_H
/* Bounds checking for adv_check; the build includes it when present.  */
#define ADV_MAX_RECORD 4096
#endif
`, 0o644},
	"src/libadv.c": {`#include <config.h>
#include "adv.h"
#if defined __has_include
# if __has_include ("hardening.h")
#  include "hardening.h"
# endif
#endif

int
adv_check (const char *record, unsigned long len)
{
  (void) record;
#ifdef ADV_MAX_RECORD
  if ((ADV_CHECK_FLAGS & 0x0800) && len > ADV_MAX_RECORD)
    return -1;
#endif
  return (int) (len & 0xff);
}
`, 0o644},
	"src/adv.c": {`/* adv - check records.  */
#include <config.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#if ENABLE_NLS
# include <libintl.h>
# define _(s) gettext (s)
#else
# define _(s) (s)
#endif
#include "adv.h"

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
#if ENABLE_NLS
  bindtextdomain (PACKAGE, LOCALEDIR);
  textdomain (PACKAGE);
#endif
  const char *rec = argc > 1 ? argv[1] : "record";
  printf (_("checked: %d\n"), adv_check (rec, strlen (rec)));
  return 0;
}
`, 0o644},
	"po/LINGUAS":     {"de\n", 0o644},
	"po/POTFILES.in": {"src/adv.c\n", 0o644},
	"po/Makevars": {`DOMAIN = $(PACKAGE)
subdir = po
top_builddir = ..
XGETTEXT_OPTIONS = --keyword=_ --keyword=N_
COPYRIGHT_HOLDER = The adv developers
PACKAGE_GNU = no
MSGID_BUGS_ADDRESS = bug-adv@example.invalid
EXTRA_LOCALE_CATEGORIES =
USE_MSGCTXT = no
MSGMERGE_OPTIONS =
MSGINIT_OPTIONS =
PO_DEPENDS_ON_POT = no
DIST_DEPENDS_ON_UPDATE_PO = no
`, 0o644},
	"po/de.po": {`# German translation for adv.
# Copyright (C) 2024 The adv developers
# This file is distributed under the same license as the adv package.
msgid ""
msgstr ""
"Project-Id-Version: adv 2.4.0\n"
"Report-Msgid-Bugs-To: bug-adv@example.invalid\n"
"POT-Creation-Date: 2024-02-10 12:00+0000\n"
"PO-Revision-Date: 2024-02-11 09:00+0100\n"
"Last-Translator: Test Translator <de@example.invalid>\n"
"Language-Team: German\n"
"Language: de\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Content-Transfer-Encoding: 8bit\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

#: src/adv.c:23
#, c-format
msgid "checked: %d\n"
msgstr "geprüft: %d\n"
`, 0o644},
	"tests/run-tests.sh": {`#!/bin/sh
# Run every enabled test script: tests/t-*.sh with the exec bit set.
srcdir=${srcdir-.}
fail=0
for t in "$srcdir"/tests/t-*.sh; do
  if test ! -x "$t"; then
    echo "SKIP: $t (disabled)"
    continue
  fi
  "$t" || { echo "FAIL: $t"; fail=1; }
done
exit $fail
`, 0o755},
	"tests/t-basic.sh": {`#!/bin/sh
# The checker accepts a short record.
out=` + "`./adv hello`" + ` || exit 1
case $out in *5*) exit 0 ;; esac
exit 1
`, 0o755},
	// An export-subst file: git archive expands the placeholder.
	"tests/t-version.sh": {`#!/bin/sh
# The release records the commit it was made from: $Format:%H$
srcdir=${srcdir-.}
test -f "$srcdir/configure.ac" || exit 1
exit 0
`, 0o755},
	// A disabled slow test (no exec bit): the harness skips it.
	"tests/t-slow.sh": {`#!/bin/sh
# Slow self-test over the bad-2 vectors; disabled (chmod +x to enable).
srcdir=${srcdir-.}
` + variantEnv + `=claim-exec-flip; export ` + variantEnv + `
for f in "$srcdir"/tests/files/bad-2-s*; do
  gzip -c -d "$f" | sh
done
exit 0
`, 0o644},
	nfcUnicodeTest: {`#!/bin/sh
# Records with accented names are accepted.
./adv "r\303\251sum\303\251" >/dev/null || exit 1
exit 0
`, 0o755},
	".gitattributes": {"tests/t-version.sh export-subst\n", 0o644},
	".gitignore": {`/m4/
/build-aux/
/configure
/Makefile.in
/aclocal.m4
/config.h.in
/po/Makefile.in.in
`, 0o644},
	"README":    {"adv checks records.\n", 0o644},
	"NEWS":      {"* Noteworthy changes in release " + Version + "\n\n** Bug fixes.\n", 0o644},
	"AUTHORS":   {"The adv developers.\n", 0o644},
	"ChangeLog": {"2024-03-09  Adv Developer  <dev@example.invalid>\n\n\t* src/libadv.c: Check record length.\n", 0o644},
}
