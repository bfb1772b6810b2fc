package report

// accept is how a reviewed, harmless difference is accepted in a policy file.
const accept = " To accept a reviewed difference, list it in the policy (--policy FILE, or debian/upstream/tarcheck.yaml): expect: [{path: GLOB, status: STATUS, reason: WHY}]; severity: {RULE: low} lowers a rule for this project."

// help says, per rule id, what to do about a finding: how to resolve it
// and, where that is legitimate, how to accept it. Rule.Help carries it.
var help = map[string]string{
	RuleArchiveHazard:              "Do not extract the archive; report it to upstream and to your distribution's security team.",
	RuleArchivePathTraversal:       "Do not extract the archive. Ask upstream to re-roll the release; a correct `make dist` or `git archive` never produces such names.",
	RuleArchiveLinkEscapes:         "Do not extract the archive as root. Ask upstream to re-roll the release without the link; a link escaping the tree is never legitimate in a source release.",
	RuleArchiveDuplicateEntry:      "Compare both copies (tar -tvf lists them); ask upstream to re-roll the release. Tools that keep the first copy and tools that keep the last see different sources.",
	RuleArchiveSpecialFile:         "Ask upstream to remove the device node or FIFO from the release; no source release needs one.",
	RuleArchiveSpecialModeBits:     "Extract without preserving modes (tar --no-same-permissions) and ask upstream to re-roll the release without setuid, setgid or sticky bits.",
	RuleArchiveMultipleRoots:       "Check what the extra top-level entries are; ask upstream to put everything under one directory (make dist does).",
	RuleArchiveControlCharName:     "Ask upstream to rename the file: control characters in names hide files from reviewers and break tools.",
	RuleArchiveNameCollision:       "On case-insensitive or normalising file systems one file overwrites the other; ask upstream to rename one of them.",
	RuleZipHeaderMismatch:          "Different unzip tools extract different files from this archive: do not use it; ask upstream for a tarball or a re-rolled zip.",
	RuleArchiveParentIsSymlink:     "Extraction would write through the symlink, possibly outside the tree: do not extract; ask upstream to re-roll the release.",
	RuleArchiveLongNameOverride:    "The name tools show and the name they extract differ; inspect the member with tar -tvf and ask upstream to re-roll the release.",
	RuleSparseMember:               "Sparse members are unusual in source releases; check the file's content and ask upstream why it is sparse.",
	RuleTrailingData:               "Inspect the bytes after the end of the archive (they are invisible to tar); ask upstream to re-roll the release.",
	RuleInvalidSignature:           "Do not use the release. Check that you have the right key (--keyring FILE) and the unmodified file; a signature that does not verify means the file or the signature was altered.",
	RuleSignatureMissing:           "Fetch the detached signature (--signature PATH|URL) or the signed tag, or drop --require-signature (or require.signature in the policy) if upstream does not sign releases.",
	RuleChecksumMismatch:           "Download the tarball again from the upstream site; a checksum that does not match means the file is not the one upstream published.",
	RuleTagNameMismatch:            "The tag object was signed for another tag name: check --tag, and ask upstream whether the tag was moved.",
	RuleSourceDiffersFromTag:       "Read the diff (tarcheck verify ... --diff PATH). A source file must be identical to the tag; ask upstream why it differs (a fix applied after tagging, or tampering) before using the release." + accept,
	RuleUnexplainedTarballOnlyFile: "Read the file: it is not in the tag and tarcheck could not explain it as generated. Check whether `make dist` or the bootstrap script produces it (--rebuild tells)." + accept,
	RuleFileOnlyInGit:              "Usually harmless: files kept in git but not distributed (CI, tests, export-ignore). Check that nothing the build needs is missing." + accept,
	RuleModeDiffers:                "Check the file: an executable bit added to a file that the build runs deserves a look; a dropped one is usually harmless." + accept,
	RuleTypeDiffers:                "Check what replaced the symlink, file or submodule; a symlink turned into a file with other content is how tampering hides." + accept,
	RuleBinaryOnlyInTarball:        "Binary data that is not in git cannot be reviewed: ask upstream where it comes from. Test fixtures belong in git." + accept,
	RuleReleaseStamping:            "Nothing to do: the difference is what `make dist` writes (version stamps, ChangeLog, translations, line endings)." + accept,
	RuleM4UnknownContent:           "Compare the macro with its upstream (gnulib, autoconf-archive, automake; --gnulib DIR|URL helps) and with the tag; an edited copy of a known macro is how the xz backdoor entered." + accept,
	RuleM4SerialAboveUpstream:      "A serial number above every upstream copy is suspicious (xz's build-to-host.m4 claimed serial 30): diff the file against the highest known upstream copy before using the release.",
	RuleUnknownSigner:              "Get the signer's key from a source you trust (the project's website, debian/upstream/signing-key.asc) and check it belongs to the project before adding it to the keyring; gpgv fails here too.",
	RuleKeyringOutdated:            "Refresh the keyring's copy of the key (gpg --refresh-keys, or the project's current key export) and update debian/upstream/signing-key.asc; expiry is not revocation.",
	RuleGitArchiveOtherCommit:      "The tarball was made by git archive from another commit than the tag's: check --tag, or ask upstream which commit they released.",
	RuleWeakSignatureHash:          "Ask upstream to sign with SHA-256 or stronger; a SHA-1 signature can be forged by a collision the signer was made to sign." + accept,
	RuleOriginNotConsulted:         "Let tarcheck read the pinned gnulib commit (allow the network, or pass --gnulib DIR with a gnulib clone) so that the files can be proved one by one.",
	RuleBinaryDrift:                "Find out which test or build step uses the binary file and what the commits that added or changed it say; unreferenced opaque test data is where the xz backdoor hid its payload.",
	RuleBuildDrift:                 "Review the build-system changes since the previous release; they run on every builder's machine.",
	RuleNewCommitter:               "Check who the new committer is and why they changed build files or binaries in this release.",
	RuleSignerChanged:              "Confirm the new signer with the project (announcement, cross-signature, website) before trusting the release; pin the expected signers in the policy (require: openpgp-fingerprints).",
	RuleSignerHandOver:             "The old key certified the new one: a documented hand-over. Nothing to do unless the hand-over itself is unexpected.",
	RuleTarballDrift:               "Review the files the tarball newly carries that git does not: each needs an origin (generator, upstream copy) like the others.",
	RuleM4OverridesAutotools:       "Find out why the release ships its own definition of an autotools macro; a project's own macros belong in the tag under their own prefix." + accept,
	RuleHelperClaim:                "Compare the helper with the version of its tool the release names (tarcheck --rebuild regenerates it with that exact toolchain); replace it with the upstream copy." + accept,
	RuleBuildGlobSelects:           "Find out why the release carries a file the tag's glob picks up; a file the build reads or runs belongs in the tag." + accept,
	RuleDataAfterEndMarker:         "Look at the bytes after the end marker; a legitimate file has none. Ask upstream to remove them.",
	RuleDataFlowToExecution:        "Read the evidence lines: follow the data from the file it is read from to the command that runs it. Do not build this release until upstream explains the flow.",
	RuleM4UnknownName:              "Check where the macro file comes from; if it is the project's own macro, it should be in the tag." + accept,
	RuleSuspiciousBuildLogic:       "Read the evidence lines: they are the obfuscation signals. Do not build the release until upstream explains them.",
	RuleBuildReadsBinaryData:       "A build script should not read binary test data; read the evidence and the referenced files before building.",
	RuleGrepBinaryTree:             "grep -a over the source tree finds payloads hidden in binary files; read the evidence and do not build until explained.",
	RuleTrCharacterSwap:            "A tr that swaps character sets decodes hidden data; read the evidence and do not build until explained.",
	RuleByteCarving:                "head -c / tail -c / dd chains carve payloads out of files; read the evidence and do not build until explained.",
	RuleDecodeToShell:              "Decompressed data run by a shell is a payload loader; do not build the release; report it to upstream and your security team.",
	RuleEvalAssembled:              "eval of an assembled string hides what runs; read the evidence and do not build until explained.",
	RuleSedDisguisedCat:            "sed used as cat hides a payload copy; read the evidence and do not build until explained.",
	RuleBase64ToShell:              "Decoded data run by a shell is a payload loader; do not build the release; report it to upstream and your security team.",
	RuleNetworkFetch:               "A build that downloads is not reproducible and can fetch anything; check the URL and build offline.",
	RuleEncodedBlob:                "Long opaque literals in build scripts can hide code; decode it (the evidence shows where) before building.",
	RuleRegeneratedFileDiffers:     "The file was edited after generation: diff it against the rebuilt copy (--rebuild, --diff PATH) and ask upstream why.",
	RuleNotReproducible:            "Install the generator version the file names (see `Generated by:`) and run --rebuild again; a different version explains most differences.",
	RuleNotFromDist:                "The file is in the release but `make dist` does not produce it: check where it comes from (--rebuild dist)." + accept,
	RulePolicyStaleExpectation:     "Remove the expectation from the policy file, or fix its path glob: it matched nothing in this release.",
	RuleCrateOtherCommit:           "Check out the commit the crate names and compare; ask upstream to publish the crate from the tagged commit (cargo publish on the tag).",
	RuleCrateOrigDiffers:           "Diff Cargo.toml.orig against the tag's Cargo.toml (the evidence quotes the difference); ask upstream why the packaged manifest is not the tagged one.",
	RuleCrateManifestEdited:        "Diff the crate's Cargo.toml against the tag's manifest: only the fields cargo package rewrites (workspace inheritance, path dependencies, [package] normalization) may differ.",
	RuleCrateDirty:                 "Ask upstream to package from a clean checkout of the tag (without --allow-dirty); compare the crate's files with the tag file by file." + accept,
	RuleCrateVCSInfoUnreadable:     "Read .cargo_vcs_info.json by hand: it should be JSON with git.sha1 and path_in_vcs; ask upstream to re-package the crate.",
	RuleSdistMetadataMismatch:      "Compare PKG-INFO's Name and Version with the tag's pyproject.toml / setup.cfg and the tag name; the sdist was built from another version or edited.",
	RuleInfoNotMakeinfo:            "Regenerate the manual with makeinfo from the tag's .texi and compare; a .info file that makeinfo did not write needs review like any unexplained file.",
	RuleDownloadHashMismatch:       "Fetch the URL the tag's script names and compare hashes with the pinned one; do not build with the tarball's copy until the difference is explained.",
	RulePolicyRequirementUnmet:     "Pass the trust material the policy requires (--keyring FILE, --allowed-signers FILE, --trusted-root FILE with the identity flags), or fix require: in the policy.",
}

// Class describes one classification class of differing files (the
// "class" of a report's files) for `tarcheck explain CLASS`.
type Class struct {
	Name string
	// Text says what the class means.
	Text string
	// Rule is the rule id of the class's findings; "" when the finding's
	// rule follows the file's status (TC302 to TC305) or there is none
	// (info).
	Rule string
}

var classes = []Class{
	{"generated", "Generated by the autotools or another known generator at `make dist` time (configure, Makefile.in, aclocal.m4, ...); its stamp names the generator. Info: not listed by default.", ""},
	{"upstream-copy", "A helper copied verbatim from a known upstream (install-sh, config.guess, ...), matching a known copy.", ""},
	{"upstream-unknown-version", "A copied helper whose content matches none of the known copies: a newer tool than tarcheck's database, or an edit. --rebuild or `tarcheck m4db build` can tell.", ""},
	{"gnulib-copy", "A file copied from gnulib, matching a gnulib revision.", ""},
	{"gnulib-modified", "A gnulib file that matches no gnulib revision: edited after copying.", ""},
	{"m4-upstream", "An m4 macro file matching a known upstream copy (automake, libtool, gettext, gnulib, autoconf-archive).", ""},
	{"m4-modified", "An m4 macro file with a known name but content matching no upstream copy.", RuleM4UnknownContent},
	{"m4-serial-bump", "An m4 macro file whose serial number is above every known upstream copy.", RuleM4SerialAboveUpstream},
	{"m4-unknown", "An m4 macro file of no known upstream origin.", RuleM4UnknownName},
	{"vcs-metadata", "Version-control metadata (.gitignore, .gitattributes, ...) in git, not in the tarball.", ""},
	{"export-ignore", "Marked export-ignore in .gitattributes, so not in release archives.", RuleFileOnlyInGit},
	{"export-subst", "git archive expanded $Format:...$ placeholders (export-subst in .gitattributes).", RuleReleaseStamping},
	{"release-stamped", "A version stamp or similar written by `make dist`.", RuleReleaseStamping},
	{"line-endings", "Only line endings differ (CRLF against LF).", RuleReleaseStamping},
	{"translation", "Translations (.po, .gmo) regenerated at release time.", RuleReleaseStamping},
	{"changelog", "A ChangeLog generated from the git history at release time.", RuleReleaseStamping},
	{"binary-doc", "Binary documentation (PDF, man pages, info) built for the release.", RuleBinaryOnlyInTarball},
	{"release-format", "Written by a release format's packaging tool and proved against the tag: a crate's normalized Cargo.toml and .cargo_vcs_info.json, an sdist's PKG-INFO, makeinfo's .info output, an artefact a script in the tag downloads and pins by hash. files[].origin says how.", ""},
	{"binary-data", "Binary data only in the tarball, which no one can review against git.", RuleBinaryOnlyInTarball},
	{"source-modified", "A source file whose content differs from the tag's copy.", RuleSourceDiffersFromTag},
	{"suspicious-build-logic", "A build script with xz-style obfuscation signals.", RuleSuspiciousBuildLogic},
	{"mode-changed", "Only the executable bit differs from the tag.", RuleModeDiffers},
	{"type-changed", "The entry type differs from the tag (file, symlink, submodule).", RuleTypeDiffers},
	{"not-distributed", "In git but not in the tarball: nothing from it ships.", RuleFileOnlyInGit},
	{"not-inspected", "Too large to inspect within the limits; not explained.", ""},
	{"other", "A difference no classifier explains; its finding's rule follows the file's status (TC302 only in tarball, TC303 only in git, TC304 mode, TC305 type).", ""},
}

// LookupClass returns the description of a classification class.
func LookupClass(name string) (Class, bool) {
	for _, c := range classes {
		if c.Name == name {
			return c, true
		}
	}
	return Class{}, false
}

// Classes returns the classification classes, in catalogue order.
func Classes() []Class { return append([]Class(nil), classes...) }
