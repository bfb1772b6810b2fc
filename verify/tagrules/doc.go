// Package tagrules proves files only in the tarball by making them again
// with the tag's own rules: for a file that nothing else explains, it
// finds the rule of a makefile in the tag (Makefile.am, or a GNU makefile
// kept in git) whose target is that file, packs the tag's files that the
// rule can read into one tar in a scratch directory under the cache,
// unpacks it in the sandbox's private /tmp and runs make for the targets
// there (no network, read-only system, only the scratch directory
// writable, time and CPU limits), and compares what each rule wrote
// (copied back to the scratch directory) with the tarball's bytes.
//
// Nothing of the tarball goes in: the rule, its inputs and the scripts it
// runs all come from the signed tag, so a file the rule reproduces byte
// for byte is what the tag's own build makes, whatever tool versions the
// host has (a different version shows as different content and proves
// nothing). A Makefile.am is translated for GNU make first: automake
// conditionals dropped with both branches kept, includes of tag
// fragments inlined (%reldir% replaced), configure substitutions
// (@VAR@) emptied but for the silent-rules pair (@AM_V@, @AM_DEFAULT_V@,
// given the values configure gives them), and the variables configure
// would set for common tools (AWK, SED, PERL, ...) and directories
// (srcdir, top_srcdir) given defaults that the makefile's own
// definitions override.
package tagrules
