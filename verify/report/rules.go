package report

import "sort"

// Rule describes one tarcheck rule id for the text, SARIF and Markdown
// reports and the explain command.
type Rule struct {
	// ID is the stable rule id, "TC101".
	ID string
	// Name is a short PascalCase identifier ("ArchivePathTraversal").
	Name string
	// Short is a one-line description.
	Short string
	// Full explains what the rule detects and why it matters.
	Full string
	// Severity is the default severity; a policy can override it per finding.
	Severity Severity
	// Help says how to resolve the finding and, where legitimate, how to
	// accept it (tarcheck explain, SARIF help).
	Help string
}

// Rule ids: the only place they are spelled out. Findings may carry ids
// that are not listed (LookupRule returns a generic entry for those).
const (
	RuleArchivePathTraversal       = "TC101"
	RuleArchiveLinkEscapes         = "TC102"
	RuleArchiveDuplicateEntry      = "TC103"
	RuleArchiveSpecialFile         = "TC104"
	RuleArchiveSpecialModeBits     = "TC105"
	RuleArchiveMultipleRoots       = "TC106"
	RuleArchiveControlCharName     = "TC107"
	RuleArchiveNameCollision       = "TC108"
	RuleZipHeaderMismatch          = "TC109"
	RuleArchiveParentIsSymlink     = "TC110"
	RuleArchiveLongNameOverride    = "TC111"
	RuleSparseMember               = "TC112"
	RuleTrailingData               = "TC113"
	RuleInvalidSignature           = "TC201"
	RuleSignatureMissing           = "TC202"
	RuleChecksumMismatch           = "TC203"
	RuleTagNameMismatch            = "TC204"
	RuleUnknownSigner              = "TC205"
	RuleKeyringOutdated            = "TC206"
	RuleGitArchiveOtherCommit      = "TC207"
	RuleWeakSignatureHash          = "TC208"
	RuleSourceDiffersFromTag       = "TC301"
	RuleUnexplainedTarballOnlyFile = "TC302"
	RuleFileOnlyInGit              = "TC303"
	RuleModeDiffers                = "TC304"
	RuleTypeDiffers                = "TC305"
	RuleBinaryOnlyInTarball        = "TC306"
	RuleReleaseStamping            = "TC307"
	RuleOriginNotConsulted         = "TC308"
	RuleM4UnknownContent           = "TC401"
	RuleM4SerialAboveUpstream      = "TC402"
	RuleM4UnknownName              = "TC403"
	RuleM4OverridesAutotools       = "TC411"
	RuleHelperClaim                = "TC412"
	RuleDataAfterEndMarker         = "TC413"
	RuleBuildGlobSelects           = "TC414"
	RuleSuspiciousBuildLogic       = "TC501"
	RuleBuildReadsBinaryData       = "TC502"
	RuleGrepBinaryTree             = "TC503"
	RuleTrCharacterSwap            = "TC504"
	RuleByteCarving                = "TC505"
	RuleDecodeToShell              = "TC506"
	RuleEvalAssembled              = "TC507"
	RuleSedDisguisedCat            = "TC508"
	RuleBase64ToShell              = "TC509"
	RuleNetworkFetch               = "TC510"
	RuleEncodedBlob                = "TC511"
	RuleDataFlowToExecution        = "TC512"
	RuleRegeneratedFileDiffers     = "TC601"
	RuleNotReproducible            = "TC602"
	RuleNotFromDist                = "TC603"
	RulePolicyStaleExpectation     = "TC701"
	RulePolicyRequirementUnmet     = "TC702"
	RuleBinaryDrift                = "TC801"
	RuleBuildDrift                 = "TC802"
	RuleNewCommitter               = "TC803"
	RuleSignerChanged              = "TC804"
	RuleSignerHandOver             = "TC805"
	RuleTarballDrift               = "TC806"
	RuleCrateOtherCommit           = "TC901"
	RuleCrateOrigDiffers           = "TC902"
	RuleCrateManifestEdited        = "TC903"
	RuleCrateDirty                 = "TC904"
	RuleCrateVCSInfoUnreadable     = "TC905"
	RuleSdistMetadataMismatch      = "TC911"
	RuleInfoNotMakeinfo            = "TC921"
	RuleDownloadHashMismatch       = "TC931"
	// RuleArchiveHazard is the id of an archive hazard of a kind not catalogued.
	RuleArchiveHazard = "TC100"
)

// rules is the catalogue: one row per rule id, in id order.
var rules = []Rule{
	// Archive hazards.
	{ID: RuleArchivePathTraversal, Name: "ArchivePathTraversal", Severity: SevCritical,
		Short: "Archive entry with an absolute path or a '..' component",
		Full:  "An archive member's name is absolute or climbs out of the release tree with '..'. Extracting the tarball would write outside the target directory."},
	{ID: RuleArchiveLinkEscapes, Name: "ArchiveLinkEscapes", Severity: SevCritical,
		Short: "Symlink or hard link pointing outside the release tree",
		Full:  "A symbolic or hard link's target resolves outside the release tree. Extraction followed by a later write through the link could overwrite arbitrary files."},
	{ID: RuleArchiveDuplicateEntry, Name: "ArchiveDuplicateEntry", Severity: SevCritical,
		Short: "Duplicate archive entry shadows an earlier one",
		Full:  "The same path occurs more than once in the archive. Extraction keeps the last copy, so a reviewer looking at the first sees different content than what is built."},
	{ID: RuleArchiveSpecialFile, Name: "ArchiveSpecialFile", Severity: SevCritical,
		Short: "Device node or FIFO in the archive",
		Full:  "The archive contains a character or block device or a named pipe. Release tarballs have no reason to ship these."},
	{ID: RuleArchiveSpecialModeBits, Name: "ArchiveSpecialModeBits", Severity: SevCritical,
		Short: "Entry with setuid, setgid or sticky bit",
		Full:  "An archive member carries the setuid, setgid or sticky bit, which extraction as root would preserve."},
	{ID: RuleArchiveMultipleRoots, Name: "ArchiveMultipleRoots", Severity: SevCritical,
		Short: "Archive has more than one top-level directory",
		Full:  "A release tarball normally unpacks into one top-level directory. Extra top-level entries land next to it and can overwrite files in the extraction directory."},
	{ID: RuleArchiveControlCharName, Name: "ArchiveControlCharName", Severity: SevCritical,
		Short: "Entry name contains control characters or newlines",
		Full:  "An archive member's name contains control characters (terminal escapes, newlines). Such names can hide files from reviewers and corrupt line-based tooling."},
	{ID: RuleArchiveNameCollision, Name: "ArchiveNameCollision", Severity: SevCritical,
		Short: "Names collide under case folding or Unicode normalization",
		Full:  "Two archive members have names that become the same file on a case-insensitive or normalizing file system, so one silently replaces the other."},
	{ID: RuleZipHeaderMismatch, Name: "ZipHeaderMismatch", Severity: SevCritical,
		Short: "Zip local header disagrees with the central directory",
		Full:  "A zip member's local file header differs from its central directory entry (name, size or method), so different tools extract different content."},
	{ID: RuleArchiveParentIsSymlink, Name: "ArchiveParentIsSymlink", Severity: SevCritical,
		Short: "Entry whose parent directory is a symlink",
		Full:  "An archive member is placed under a path whose parent is a symbolic link in the same archive; extraction would write through the link."},
	{ID: RuleArchiveLongNameOverride, Name: "ArchiveLongNameOverride", Severity: SevCritical,
		Short: "Pax or GNU long-name record overrides the header name",
		Full:  "A pax or GNU long-name record replaces a benign-looking name in the tar header. Tools that ignore the extension show a different file than tar extracts."},
	{ID: RuleSparseMember, Name: "SparseMember", Severity: SevCritical,
		Short: "Sparse archive member",
		Full:  "The archive holds a sparse member; release tarballs never need holes, and sparse members can expand enormously from a few bytes."},
	{ID: RuleTrailingData, Name: "TrailingData", Severity: SevCritical,
		Short: "Data after the end of the tar archive",
		Full:  "Non-zero bytes follow the tar end-of-archive marker: data hidden from tar listings."},

	// Signatures and provenance.
	{ID: RuleInvalidSignature, Name: "InvalidSignature", Severity: SevCritical,
		Short: "Signature does not verify",
		Full:  "A signature over the tarball or the tag was present but does not verify against the trusted keys: the bytes or the signer are not what they claim to be."},
	{ID: RuleSignatureMissing, Name: "SignatureMissing", Severity: SevHigh,
		Short: "Signature required but missing",
		Full:  "A verified signature over the tarball or the tag was required (flag or policy) but none was found."},
	{ID: RuleChecksumMismatch, Name: "ChecksumMismatch", Severity: SevCritical,
		Short: "Published checksum does not match the tarball",
		Full:  "The tarball's digest differs from the published checksum: the download was altered or the checksum belongs to a different file."},
	{ID: RuleTagNameMismatch, Name: "TagNameMismatch", Severity: SevCritical,
		Short: "Tag object names a different tag",
		Full:  "The signed tag object's 'tag' header does not equal the requested tag name, as when a validly signed tag of another release is replayed."},
	{ID: RuleUnknownSigner, Name: "UnknownSigner", Severity: SevHigh,
		Short: "Signed by a key outside the trust material",
		Full:  "A signature over the tarball or the tag was made by a key that is not in the keyring or allowed-signers file given. gpgv and ssh-keygen -Y verify fail here: either the release was signed by someone else, or the trust material is out of date (add the key only after checking its fingerprint with upstream)."},
	{ID: RuleKeyringOutdated, Name: "KeyringOutdated", Severity: SevMedium,
		Short: "The keyring's copy of the signing key had expired before the signature",
		Full:  "The signature verifies, but the keyring's copy of the signing key says it had expired when the signature was made. The key's holder probably extended the expiry later (gpgv accepts the signature with a note): refresh the keyring from upstream."},
	{ID: RuleGitArchiveOtherCommit, Name: "GitArchiveOtherCommit", Severity: SevCritical,
		Short: "The tarball is a git archive of another commit than the tag's",
		Full:  "git archive embeds the id of the commit it archived; this tarball names a commit other than the one the tag points to. The tarball was made from another revision than the signed release."},
	{ID: RuleWeakSignatureHash, Name: "WeakSignatureHash", Severity: SevMedium,
		Short: "Signature over a SHA-1 digest",
		Full:  "An OpenPGP signature verifies but was made over a SHA-1 digest. gpgv accepts it, so tarcheck does too, but SHA-1 is open to chosen-prefix collisions: ask upstream to sign with SHA-256 or better."},

	// Tarball versus tag.
	{ID: RuleSourceDiffersFromTag, Name: "SourceDiffersFromTag", Severity: SevHigh,
		Short: "Source file content differs from the tag",
		Full:  "A source file (C, headers, configure.ac, Makefile.am, scripts, m4 tracked in git) has different content in the tarball than in the signed tag."},
	{ID: RuleUnexplainedTarballOnlyFile, Name: "UnexplainedTarballOnlyFile", Severity: SevMedium,
		Short: "File only in the tarball, not explained as generated",
		Full:  "A file exists in the tarball but not in the tag, and no generator stamp or policy expectation explains it."},
	{ID: RuleFileOnlyInGit, Name: "FileOnlyInGit", Severity: SevMedium,
		Short: "File in the tag but missing from the tarball",
		Full:  "A file tracked in the tag is absent from the tarball and not marked export-ignore."},
	{ID: RuleModeDiffers, Name: "ModeDiffers", Severity: SevMedium,
		Short: "Executable bit differs from the tag",
		Full:  "A file's executable bit in the tarball differs from its git mode in the tag."},
	{ID: RuleTypeDiffers, Name: "TypeDiffers", Severity: SevHigh,
		Short: "Entry type differs from the tag (file, symlink, submodule)",
		Full:  "A path is a different kind of entry in the tarball than in the tag, for example a symlink in git that became a regular file in the tarball."},
	{ID: RuleBinaryOnlyInTarball, Name: "BinaryOnlyInTarball", Severity: SevHigh,
		Short: "Binary data only in the tarball",
		Full:  "Compressed data, an archive, an object file or an executable exists only in the tarball, where no reviewer of the git history has seen it."},
	{ID: RuleReleaseStamping, Name: "ReleaseStamping", Severity: SevLow,
		Short: "Difference explained by release stamping or line endings",
		Full:  "The file differs from the tag only by version or date substitution, CRLF line endings, or a regenerated ChangeLog or translation catalogue."},
	{ID: RuleOriginNotConsulted, Name: "OriginNotConsulted", Severity: SevMedium,
		Short: "Files that only an unread origin could prove",
		Full:  "Files only in the tarball look like copies from an origin (the gnulib commit the tag pins) that could not be read, and match no other known origin. They are reported once, as a group: read the origin to prove or refute each copy."},

	// m4 provenance.
	{ID: RuleM4UnknownContent, Name: "M4UnknownContent", Severity: SevMedium,
		Short: "m4 macro file with a known name but unknown content",
		Full:  "An m4 file has the name of a macro shipped by gnulib, autoconf-archive, automake, libtool, gettext or pkg-config, but its content matches no known upstream copy."},
	{ID: RuleM4SerialAboveUpstream, Name: "M4SerialAboveUpstream", Severity: SevHigh,
		Short: "m4 serial number above any known upstream version",
		Full:  "An m4 file declares a '# serial' higher than any published upstream copy, which makes aclocal prefer it over the system's version (the xz-utils build-to-host.m4 trick)."},
	{ID: RuleM4UnknownName, Name: "M4UnknownName", Severity: SevMedium,
		Short: "m4 macro file not known to any upstream",
		Full:  "An m4 file only in the tarball matches no known macro name from the usual upstream collections."},

	{ID: RuleM4OverridesAutotools, Name: "M4OverridesAutotools", Severity: SevHigh,
		Short: "New m4 file defines or overrides an autotools macro",
		Full:  "An m4 file only in the tarball defines a macro of autoconf, automake, libtool or gettext (AC_*, AM_*, LT_*, AS_*, _AC_*, m4_*): aclocal would pick it up and every configure it generates would run its code."},
	{ID: RuleHelperClaim, Name: "HelperClaimUnproved", Severity: SevHigh,
		Short: "Copied helper whose stamp or content no published version proves",
		Full:  "A copied helper (config.guess, ltmain.sh, install-sh, po/Makefile.in.in, ...) carries a date stamp later than the tag, or content that matches no published version and adds lines to the closest known copy. Stamps only choose what to compare with; they never explain a file."},
	{ID: RuleBuildGlobSelects, Name: "BuildGlobSelects", Severity: SevHigh,
		Short: "A glob of the tag's build or test logic picks up a file the tag does not hold",
		Full:  "A file only in the tarball (or different from the tag) is picked up by a glob in the tag's build or test files: CMake file(GLOB ...), make $(wildcard ...), or a harness loop such as `for f in tests/*.sh`. The build reads or runs it although no reviewed file names it."},
	{ID: RuleDataAfterEndMarker, Name: "DataAfterEndMarker", Severity: SevHigh,
		Short: "Data after a container's end marker",
		Full:  "A PNG, PDF, gzip, xz or ZIP file carries bytes after its end marker (IEND, %%EOF, stream end, end record): a place to hide a payload that viewers and decompressors ignore."},
	// Build logic.
	{ID: RuleSuspiciousBuildLogic, Name: "SuspiciousBuildLogic", Severity: SevCritical,
		Short: "Build script with xz-style obfuscation signals",
		Full:  "A build script that is not identical to the tag contains signals seen in the xz-utils backdoor: grep -a over the source tree, tr character-swap ciphers, head -c/tail -c carving, xz -d or lzma piped to a shell, eval of assembled strings, sed \"r\\n\"."},
	{ID: RuleDataFlowToExecution, Name: "DataFlowToExecution", Severity: SevCritical,
		Short: "Build logic reads data, transforms it and executes it",
		Full:  "A shell parse of the build logic shows bytes read from a data or binary file (or a decoded literal) flowing through a transformation (any decompressor, dd, od, tr, sed y, base32/64, openssl, perl, python, arithmetic) into execution (eval, ., sh -c, a pipe into a shell, system()). Critical when the source is a data file, high for a decoded literal."},
	{ID: RuleBuildReadsBinaryData, Name: "BuildReadsBinaryData", Severity: SevCritical,
		Short: "Build script reads binary test data",
		Full:  "A build script reads files from binary test data or other opaque blobs in the tree, the way the xz-utils backdoor extracted its payload."},

	{ID: RuleGrepBinaryTree, Name: "GrepBinaryTree", Severity: SevHigh,
		Short: "grep -a over the source tree from a build script",
		Full:  "A build script searches binary files as text across the source tree (grep -a), the way the xz-utils backdoor located its payload among test files."},
	{ID: RuleTrCharacterSwap, Name: "TrCharacterSwap", Severity: SevHigh,
		Short: "tr character-swap cipher in a build script",
		Full:  "A build script runs tr with swapped character sets, a simple substitution cipher used to hide data (xz-utils 5.6.x)."},
	{ID: RuleByteCarving, Name: "ByteCarving", Severity: SevHigh,
		Short: "head -c / tail -c / dd carving chain in a build script",
		Full:  "A build script cuts byte ranges out of files with head -c, tail -c or dd, a way to extract a payload hidden inside data."},
	{ID: RuleDecodeToShell, Name: "DecodeToShell", Severity: SevCritical,
		Short: "Decompressed data piped to a shell",
		Full:  "A build script pipes the output of xz, lzma, gzip or similar decoders into sh, eval or $SHELL."},
	{ID: RuleEvalAssembled, Name: "EvalAssembled", Severity: SevHigh,
		Short: "eval of an assembled or decoded string",
		Full:  "A build script evaluates a string assembled at run time or decoded from data."},
	{ID: RuleSedDisguisedCat, Name: "SedDisguisedCat", Severity: SevHigh,
		Short: "sed used as a disguised cat",
		Full:  "A build script uses a sed \"r\\n\" construct to copy file contents without naming cat, as the xz-utils injection did."},
	{ID: RuleBase64ToShell, Name: "Base64ToShell", Severity: SevCritical,
		Short: "base64 or hex decoding into a shell",
		Full:  "A build script decodes base64 or hex data and runs the result."},
	{ID: RuleNetworkFetch, Name: "NetworkFetch", Severity: SevMedium,
		Short: "Network access from a build script",
		Full:  "A build script fetches from the network (curl, wget, /dev/tcp); builds should not need the network."},
	{ID: RuleEncodedBlob, Name: "EncodedBlob", Severity: SevHigh,
		Short: "Long opaque encoded literal in a build script",
		Full:  "A build script carries a long base64 or hex literal, a way to ship a payload inside an innocent-looking file."},

	// Rebuild.
	{ID: RuleRegeneratedFileDiffers, Name: "RegeneratedFileDiffers", Severity: SevHigh,
		Short: "Regenerated file differs from the tarball's copy",
		Full:  "Running the generators on the tag produced a file that differs from the tarball's copy with the same generator versions."},
	{ID: RuleNotReproducible, Name: "NotReproducible", Severity: SevMedium,
		Short: "Generated file not reproducible (generator version mismatch)",
		Full:  "The file could not be reproduced because the generator versions available differ from those that stamped the tarball's copy."},
	{ID: RuleNotFromDist, Name: "NotFromDist", Severity: SevMedium,
		Short: "File in the release that make dist does not produce",
		Full:  "With --rebuild=dist, a file of the release tarball is not in the archive that ./configure && make dist produced from the tag."},

	// Policy.
	{ID: RulePolicyStaleExpectation, Name: "PolicyStaleExpectation", Severity: SevLow,
		Short: "Policy expectation matched nothing",
		Full:  "An 'expect' entry in the policy file matched no differing path; the policy is stale and may hide a future difference."},
	{ID: RulePolicyRequirementUnmet, Name: "PolicyRequirementUnmet", Severity: SevHigh,
		Short: "Policy signature requirement not met",
		Full:  "The policy's require block (signature, OpenPGP fingerprints, SSH principals or Sigstore identity) is not satisfied by any valid signature."},

	// Previous release (--previous; verify/history).
	{ID: RuleBinaryDrift, Name: "BinaryDrift", Severity: SevMedium,
		Short: "Binary file added or changed in git since the previous release",
		Full:  "A binary file was added or changed in git between the previous release's tag and this one, and no test script, Makefile or CMake file names it (medium), or build logic the scan flagged names or selects it (high). The xz-utils payload was committed as test files one release early and updated in the release itself."},
	{ID: RuleBuildDrift, Name: "BuildDrift", Severity: SevInfo,
		Short: "Build-system files changed since the previous release",
		Full:  "configure.ac, m4 macros, Makefile.am, CMake, Meson, CI workflows or bootstrap scripts changed between the previous release's tag and this one: the files to review first. One grouped finding."},
	{ID: RuleNewCommitter, Name: "NewCommitter", Severity: SevLow,
		Short: "New committer to the build system",
		Full:  "Someone who had not touched these build files in the earlier releases changed them in this one (medium when they also added or changed binary files)."},
	{ID: RuleSignerChanged, Name: "SignerChanged", Severity: SevMedium,
		Short: "Release signed by another key than the previous release",
		Full:  "The tarball or the tag is signed by a key or identity that signed neither in the previous release: both identities are in the evidence. High when the policy pins signers."},
	{ID: RuleSignerHandOver, Name: "SignerHandOver", Severity: SevInfo,
		Short: "Signing key handed over by certification",
		Full:  "The keyring holds a verified certification of the new signing key by the previous one (or the reverse): a documented hand-over of the signing role."},
	{ID: RuleTarballDrift, Name: "TarballDrift", Severity: SevInfo,
		Short: "Files newly only in the tarball since the previous release",
		Full:  "Files only in this release's tarball that were not only-in-tarball in the previous release's tarball (--previous-tarball). Each keeps its own classification; this says which are new."},
	// Release formats (releasefmt): crates, sdists, info manuals, downloads.
	{ID: RuleCrateOtherCommit, Name: "CrateOtherCommit", Severity: SevHigh,
		Short: "Crate packaged from another commit than the tag's",
		Full:  "The crate's .cargo_vcs_info.json records a git commit that is not the tag's commit: the crate was not packaged from the signed tag."},
	{ID: RuleCrateOrigDiffers, Name: "CrateOrigDiffers", Severity: SevHigh,
		Short: "Cargo.toml.orig differs from the tag's Cargo.toml",
		Full:  "cargo package keeps the manifest it packaged as Cargo.toml.orig; it must equal the tag's Cargo.toml."},
	{ID: RuleCrateManifestEdited, Name: "CrateManifestEdited", Severity: SevHigh,
		Short: "Cargo.toml holds a change cargo's normalization does not make",
		Full:  "The crate's normalized Cargo.toml differs from the tag's manifest in fields cargo package does not rewrite."},
	{ID: RuleCrateDirty, Name: "CrateDirty", Severity: SevMedium,
		Short: "Crate packaged from a modified working tree",
		Full:  "The crate's .cargo_vcs_info.json says the working tree was dirty (cargo package --allow-dirty): its files may not be the commit's."},
	{ID: RuleCrateVCSInfoUnreadable, Name: "CrateVCSInfoUnreadable", Severity: SevMedium,
		Short: "Unreadable .cargo_vcs_info.json",
		Full:  "The crate carries a .cargo_vcs_info.json that cannot be parsed, so its commit and path in the repository are unknown."},
	{ID: RuleSdistMetadataMismatch, Name: "SdistMetadataMismatch", Severity: SevHigh,
		Short: "sdist metadata names another project or version than the tag",
		Full:  "PKG-INFO or *.egg-info/PKG-INFO names a project or version that differs from the tag's pyproject.toml / setup.cfg or the release version."},
	{ID: RuleInfoNotMakeinfo, Name: "InfoNotMakeinfo", Severity: SevHigh,
		Short: "A .info file that is not makeinfo output",
		Full:  "A file named like an info manual lacks makeinfo's header or structure: it is not the documentation it claims to be."},
	{ID: RuleDownloadHashMismatch, Name: "DownloadHashMismatch", Severity: SevHigh,
		Short: "Downloaded artefact whose hash differs from the pinned one",
		Full:  "A script in the tag downloads this file and pins its hash; the tarball's copy has another hash."},
}

// ruleIndex finds a catalogue row by id.
var ruleIndex = func() map[string]int {
	m := make(map[string]int, len(rules))
	for i, r := range rules {
		m[r.ID] = i
	}
	return m
}()

// LookupRule returns the catalogue entry for id, or a generic entry (default
// severity medium) when id is unknown. ok reports whether id is catalogued.
func LookupRule(id string) (r Rule, ok bool) {
	if i, ok := ruleIndex[id]; ok {
		r := rules[i]
		r.Help = help[id]
		return r, true
	}
	return Rule{
		ID:       id,
		Name:     "TarcheckRule",
		Short:    "tarcheck rule " + id,
		Full:     "tarcheck rule " + id + "; see the finding's message and evidence.",
		Help:     help[id],
		Severity: SevMedium,
	}, false
}

// RuleIDs returns the catalogued rule ids, sorted.
func RuleIDs() []string {
	ids := make([]string, 0, len(rules))
	for _, r := range rules {
		ids = append(ids, r.ID)
	}
	sort.Strings(ids)
	return ids
}

// Rules returns a copy of the catalogue, in id order.
func Rules() []Rule {
	out := make([]Rule, len(rules))
	copy(out, rules)
	for i := range out {
		out[i].Help = help[out[i].ID]
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// OriginUnread is the phrase a RuleOriginNotConsulted message carries when
// the origin (the gnulib commit the tag pins) could not be read, as opposed
// to read but matching nothing: the renderers add how to read it.
const OriginUnread = "could not be read"

// SubmoduleUnread is the phrase of a RuleOriginNotConsulted message about
// a submodule of the tag whose pinned commit could not be read.
const SubmoduleUnread = "its repository " + OriginUnread
