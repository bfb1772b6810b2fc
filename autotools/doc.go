// Package autotools explains the differences between a release tarball and its
// git tag: it recognises files written by generators (Autoconf, Automake,
// Libtool, gettext, Bison, Flex, help2man, Texinfo, ...) and extracts their
// versions, traces m4 macros to known upstream copies through an embedded
// database (gnulib with its whole git history, autoconf-archive, Automake,
// Libtool, gettext, pkg-config), detects binary data by content, recognises
// release stamping, msgmerge/po4a catalog updates and documentation rendered
// at release, and scans build scripts for the signals of the xz-utils
// backdoor (CVE-2024-3094): keywords line by line, and data flows found by
// parsing the shell (mvdan.cc/sh) from data files through decoders into
// execution ([ScanFlows]), with the file-selecting patterns evaluated
// ([Selector.Select]).
//
// The package is pure: [Classify], [ScanBuildScript], [ScanFlows],
// [ParseM4Header] and [IsBinary] take bytes and return values, with no I/O. Only [M4DB.AddDir]
// reads files. It imports nothing from the rest of tarcheck.
package autotools
