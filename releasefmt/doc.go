// Package releasefmt proves where files of common release formats come from:
// Rust crates made by `cargo package` (also from a workspace member: the
// caller compares the crate with the tag's path_in_vcs subtree and passes
// it as Input.Subtree), Python sdists (with setup.cfg as setuptools'
// configparser writes it back, and a pytest cache left in the tree), info
// manuals made by makeinfo, artefacts that a script in the tag downloads
// (and pins by hash, or names with its URL when it pins none), one-line
// version stamps a rule of the tag writes at release, and files made from
// the tag's FILE.in by replacing @NAME@ placeholders with plain values.
//
// It is a pure leaf of the provenance search: the caller passes the tag's
// file list and content, the tarball's differing or only-in-tarball files and
// their content, the tag's commit and the release version; Explain returns,
// for each path it can prove, an Origin with a severity and a reason, and
// Findings for what fails a check (a crate packaged from another commit, an
// sdist whose PKG-INFO names another version, a ".info" file that is not
// makeinfo output, a downloaded artefact whose hash differs from the pinned
// one). Nothing here reads files, runs programs or uses the network.
//
// Paths not explained here must go on through the caller's other origins;
// an explanation never hides a finding for the same path.
package releasefmt
