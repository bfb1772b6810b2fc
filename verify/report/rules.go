package report

import (
	"sort"

	"github.com/tarcheck/tarcheck/verify"
)

// Rule describes one tarcheck rule id for SARIF and the human reports.
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
	Severity verify.Severity
}

// Rules is the catalogue of known rule ids. Findings may carry ids that are not
// listed; LookupRule returns a generic entry for those.
var Rules = map[string]Rule{
	// Archive hazards.
	"TC101": {Name: "ArchivePathTraversal", Severity: verify.SevCritical,
		Short: "Archive entry with an absolute path or a '..' component",
		Full:  "An archive member's name is absolute or climbs out of the release tree with '..'. Extracting the tarball would write outside the target directory."},
	"TC102": {Name: "ArchiveLinkEscapes", Severity: verify.SevCritical,
		Short: "Symlink or hard link pointing outside the release tree",
		Full:  "A symbolic or hard link's target resolves outside the release tree. Extraction followed by a later write through the link could overwrite arbitrary files."},
	"TC103": {Name: "ArchiveDuplicateEntry", Severity: verify.SevCritical,
		Short: "Duplicate archive entry shadows an earlier one",
		Full:  "The same path occurs more than once in the archive. Extraction keeps the last copy, so a reviewer looking at the first sees different content than what is built."},
	"TC104": {Name: "ArchiveSpecialFile", Severity: verify.SevCritical,
		Short: "Device node or FIFO in the archive",
		Full:  "The archive contains a character or block device or a named pipe. Release tarballs have no reason to ship these."},
	"TC105": {Name: "ArchiveSpecialModeBits", Severity: verify.SevCritical,
		Short: "Entry with setuid, setgid or sticky bit",
		Full:  "An archive member carries the setuid, setgid or sticky bit, which extraction as root would preserve."},
	"TC106": {Name: "ArchiveMultipleRoots", Severity: verify.SevCritical,
		Short: "Archive has more than one top-level directory",
		Full:  "A release tarball normally unpacks into one top-level directory. Extra top-level entries land next to it and can overwrite files in the extraction directory."},
	"TC107": {Name: "ArchiveControlCharName", Severity: verify.SevCritical,
		Short: "Entry name contains control characters or newlines",
		Full:  "An archive member's name contains control characters (terminal escapes, newlines). Such names can hide files from reviewers and corrupt line-based tooling."},
	"TC108": {Name: "ArchiveNameCollision", Severity: verify.SevCritical,
		Short: "Names collide under case folding or Unicode normalization",
		Full:  "Two archive members have names that become the same file on a case-insensitive or normalizing file system, so one silently replaces the other."},
	"TC109": {Name: "ZipHeaderMismatch", Severity: verify.SevCritical,
		Short: "Zip local header disagrees with the central directory",
		Full:  "A zip member's local file header differs from its central directory entry (name, size or method), so different tools extract different content."},
	"TC110": {Name: "ArchiveParentIsSymlink", Severity: verify.SevCritical,
		Short: "Entry whose parent directory is a symlink",
		Full:  "An archive member is placed under a path whose parent is a symbolic link in the same archive; extraction would write through the link."},
	"TC111": {Name: "ArchiveLongNameOverride", Severity: verify.SevCritical,
		Short: "Pax or GNU long-name record overrides the header name",
		Full:  "A pax or GNU long-name record replaces a benign-looking name in the tar header. Tools that ignore the extension show a different file than tar extracts."},
	"TC112": {Name: "SparseMember", Severity: verify.SevCritical,
		Short: "Sparse archive member",
		Full:  "The archive holds a sparse member; release tarballs never need holes, and sparse members can expand enormously from a few bytes."},
	"TC113": {Name: "TrailingData", Severity: verify.SevCritical,
		Short: "Data after the end of the tar archive",
		Full:  "Non-zero bytes follow the tar end-of-archive marker: data hidden from tar listings."},

	// Signatures and provenance.
	"TC201": {Name: "InvalidSignature", Severity: verify.SevCritical,
		Short: "Signature does not verify",
		Full:  "A signature over the tarball or the tag was present but does not verify against the trusted keys: the bytes or the signer are not what they claim to be."},
	"TC202": {Name: "SignatureMissing", Severity: verify.SevHigh,
		Short: "Signature required but missing",
		Full:  "A verified signature over the tarball or the tag was required (flag or policy) but none was found."},
	"TC203": {Name: "ChecksumMismatch", Severity: verify.SevCritical,
		Short: "Published checksum does not match the tarball",
		Full:  "The tarball's digest differs from the published checksum: the download was altered or the checksum belongs to a different file."},
	"TC204": {Name: "TagNameMismatch", Severity: verify.SevCritical,
		Short: "Tag object names a different tag",
		Full:  "The signed tag object's 'tag' header does not equal the requested tag name, as when a validly signed tag of another release is replayed."},

	// Tarball versus tag.
	"TC301": {Name: "SourceDiffersFromTag", Severity: verify.SevHigh,
		Short: "Source file content differs from the tag",
		Full:  "A source file (C, headers, configure.ac, Makefile.am, scripts, m4 tracked in git) has different content in the tarball than in the signed tag."},
	"TC302": {Name: "UnexplainedTarballOnlyFile", Severity: verify.SevMedium,
		Short: "File only in the tarball, not explained as generated",
		Full:  "A file exists in the tarball but not in the tag, and no generator stamp or policy expectation explains it."},
	"TC303": {Name: "FileOnlyInGit", Severity: verify.SevMedium,
		Short: "File in the tag but missing from the tarball",
		Full:  "A file tracked in the tag is absent from the tarball and not marked export-ignore."},
	"TC304": {Name: "ModeDiffers", Severity: verify.SevMedium,
		Short: "Executable bit differs from the tag",
		Full:  "A file's executable bit in the tarball differs from its git mode in the tag."},
	"TC305": {Name: "TypeDiffers", Severity: verify.SevHigh,
		Short: "Entry type differs from the tag (file, symlink, submodule)",
		Full:  "A path is a different kind of entry in the tarball than in the tag, for example a symlink in git that became a regular file in the tarball."},
	"TC306": {Name: "BinaryOnlyInTarball", Severity: verify.SevHigh,
		Short: "Binary data only in the tarball",
		Full:  "Compressed data, an archive, an object file or an executable exists only in the tarball, where no reviewer of the git history has seen it."},
	"TC307": {Name: "ReleaseStamping", Severity: verify.SevLow,
		Short: "Difference explained by release stamping or line endings",
		Full:  "The file differs from the tag only by version or date substitution, CRLF line endings, or a regenerated ChangeLog or translation catalogue."},

	// m4 provenance.
	"TC401": {Name: "M4UnknownContent", Severity: verify.SevMedium,
		Short: "m4 macro file with a known name but unknown content",
		Full:  "An m4 file has the name of a macro shipped by gnulib, autoconf-archive, automake, libtool, gettext or pkg-config, but its content matches no known upstream copy."},
	"TC402": {Name: "M4SerialAboveUpstream", Severity: verify.SevHigh,
		Short: "m4 serial number above any known upstream version",
		Full:  "An m4 file declares a '# serial' higher than any published upstream copy, which makes aclocal prefer it over the system's version (the xz-utils build-to-host.m4 trick)."},
	"TC403": {Name: "M4UnknownName", Severity: verify.SevMedium,
		Short: "m4 macro file not known to any upstream",
		Full:  "An m4 file only in the tarball matches no known macro name from the usual upstream collections."},

	// Build logic.
	"TC501": {Name: "SuspiciousBuildLogic", Severity: verify.SevCritical,
		Short: "Build script with xz-style obfuscation signals",
		Full:  "A build script that is not identical to the tag contains signals seen in the xz-utils backdoor: grep -a over the source tree, tr character-swap ciphers, head -c/tail -c carving, xz -d or lzma piped to a shell, eval of assembled strings, sed \"r\\n\"."},
	"TC502": {Name: "BuildReadsBinaryData", Severity: verify.SevCritical,
		Short: "Build script reads binary test data",
		Full:  "A build script reads files from binary test data or other opaque blobs in the tree, the way the xz-utils backdoor extracted its payload."},

	"TC503": {Name: "GrepBinaryTree", Severity: verify.SevHigh,
		Short: "grep -a over the source tree from a build script",
		Full:  "A build script searches binary files as text across the source tree (grep -a), the way the xz-utils backdoor located its payload among test files."},
	"TC504": {Name: "TrCharacterSwap", Severity: verify.SevHigh,
		Short: "tr character-swap cipher in a build script",
		Full:  "A build script runs tr with swapped character sets, a simple substitution cipher used to hide data (xz-utils 5.6.x)."},
	"TC505": {Name: "ByteCarving", Severity: verify.SevHigh,
		Short: "head -c / tail -c / dd carving chain in a build script",
		Full:  "A build script cuts byte ranges out of files with head -c, tail -c or dd, a way to extract a payload hidden inside data."},
	"TC506": {Name: "DecodeToShell", Severity: verify.SevCritical,
		Short: "Decompressed data piped to a shell",
		Full:  "A build script pipes the output of xz, lzma, gzip or similar decoders into sh, eval or $SHELL."},
	"TC507": {Name: "EvalAssembled", Severity: verify.SevHigh,
		Short: "eval of an assembled or decoded string",
		Full:  "A build script evaluates a string assembled at run time or decoded from data."},
	"TC508": {Name: "SedDisguisedCat", Severity: verify.SevHigh,
		Short: "sed used as a disguised cat",
		Full:  "A build script uses a sed \"r\\n\" construct to copy file contents without naming cat, as the xz-utils injection did."},
	"TC509": {Name: "Base64ToShell", Severity: verify.SevCritical,
		Short: "base64 or hex decoding into a shell",
		Full:  "A build script decodes base64 or hex data and runs the result."},
	"TC510": {Name: "NetworkFetch", Severity: verify.SevMedium,
		Short: "Network access from a build script",
		Full:  "A build script fetches from the network (curl, wget, /dev/tcp); builds should not need the network."},
	"TC511": {Name: "EncodedBlob", Severity: verify.SevHigh,
		Short: "Long opaque encoded literal in a build script",
		Full:  "A build script carries a long base64 or hex literal, a way to ship a payload inside an innocent-looking file."},

	// Rebuild.
	"TC601": {Name: "RegeneratedFileDiffers", Severity: verify.SevHigh,
		Short: "Regenerated file differs from the tarball's copy",
		Full:  "Running the generators on the tag produced a file that differs from the tarball's copy with the same generator versions."},
	"TC602": {Name: "NotReproducible", Severity: verify.SevMedium,
		Short: "Generated file not reproducible (generator version mismatch)",
		Full:  "The file could not be reproduced because the generator versions available differ from those that stamped the tarball's copy."},
	"TC603": {Name: "NotFromDist", Severity: verify.SevMedium,
		Short: "File in the release that make dist does not produce",
		Full:  "With --rebuild=dist, a file of the release tarball is not in the archive that ./configure && make dist produced from the tag."},

	// Policy.
	"TC701": {Name: "PolicyStaleExpectation", Severity: verify.SevLow,
		Short: "Policy expectation matched nothing",
		Full:  "An 'expect' entry in the policy file matched no differing path; the policy is stale and may hide a future difference."},
	"TC702": {Name: "PolicyRequirementUnmet", Severity: verify.SevHigh,
		Short: "Policy signature requirement not met",
		Full:  "The policy's require block (signature, OpenPGP fingerprints, SSH principals or Sigstore identity) is not satisfied by any valid signature."},
}

func init() {
	for id, r := range Rules {
		r.ID = id
		Rules[id] = r
	}
}

// LookupRule returns the catalogue entry for id, or a generic entry (default
// severity medium) when id is unknown. ok reports whether id is catalogued.
func LookupRule(id string) (r Rule, ok bool) {
	if r, ok := Rules[id]; ok {
		return r, true
	}
	return Rule{
		ID:       id,
		Name:     "TarcheckRule",
		Short:    "tarcheck rule " + id,
		Full:     "tarcheck rule " + id + "; see the finding's message and evidence.",
		Severity: verify.SevMedium,
	}, false
}

// RuleIDs returns the catalogued rule ids, sorted.
func RuleIDs() []string {
	ids := make([]string, 0, len(Rules))
	for id := range Rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
