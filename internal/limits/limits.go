// Package limits is the one place that sets tarcheck's caps on untrusted
// input (sizes, counts, lengths, depths, ratios and waits), grouped by the
// package that applies them: a reader finds every default here. Each
// package names these constants under its own names (archive's
// DefaultMaxEntries is ArchiveMaxEntries); the five a user may change
// (--max-unpacked, --max-ratio, --max-entries, --max-download and the kept
// bytes) are the fields of verify.Limits, whose zero values take these
// defaults. A new cap belongs here; TestCapsLiveHere fails on a numeric
// Max*/max* constant defined elsewhere that is not in its list of output
// and format constants.
package limits

import "time"

// The release archive (verify/archive): sizes, counts, ratios and paths of
// untrusted tar, compression and zip data.
const (
	// ArchiveMaxUnpackedBytes: 64 GiB decompressed in total
	ArchiveMaxUnpackedBytes = 64 << 30

	// ArchiveMaxEntrySize: 16 GiB for one member
	ArchiveMaxEntrySize = 16 << 30

	// ArchiveMaxEntries: 2,097,152 members (dirs included)
	ArchiveMaxEntries = 2 << 20

	// ArchiveMaxPathLen: bytes in a member name (PATH_MAX)
	ArchiveMaxPathLen = 4096

	// ArchiveMaxPathDepth: components in a member name
	ArchiveMaxPathDepth = 256

	// ArchiveMaxNameBytes: bytes of distinct member names in total
	ArchiveMaxNameBytes = 256 << 20

	// ArchiveMaxRatio: unpacked/compressed, checked past RatioGrace
	ArchiveMaxRatio = 1000

	// ArchiveMaxPaxHeader: bytes of pax/GNU extended headers per member
	ArchiveMaxPaxHeader = 1 << 20

	// ArchiveMaxDictSize: xz dictionary / zstd window
	ArchiveMaxDictSize = 1 << 30

	// ArchiveKeepBytes: Entry.Content kept up to 1 MiB
	ArchiveKeepBytes = 1 << 20

	// ArchiveMaxSparseExpansion caps the bytes of sparse holes (zeros with no
	// data in the archive) all members may expand to. Release tarballs have no
	// sparse members at all.
	ArchiveMaxSparseExpansion = 16 << 20

	// ArchiveRatioGrace is the number of unpacked bytes below which the
	// compression ratio is not checked: small archives of zeros are
	// legitimately extreme.
	ArchiveRatioGrace = 64 << 20

	// ArchiveMaxHazardsPerKind caps how many hazards of one kind are listed; the
	// rest are summarised in one extra hazard of that kind.
	ArchiveMaxHazardsPerKind = 1000
)

// Git repositories (verify/gitsrc): objects, tags, exported trees and history
// read from untrusted repositories.
const (
	// GitMaxExportFiles caps the entries of an exported tree.
	GitMaxExportFiles = 1 << 20

	// GitMaxExportBytes caps the total size of the blobs written by one Export.
	GitMaxExportBytes = 32 << 30

	// GitMaxExportPathLen caps the length of one exported path.
	GitMaxExportPathLen = 4096

	// GitMaxLinkTarget caps a symlink target (PATH_MAX).
	GitMaxLinkTarget = 4096

	// GitMaxObjectSize caps how many bytes of one git object are read into
	// memory.
	GitMaxObjectSize = 64 << 20

	// GitMaxTagNameLength caps the length of a tag name.
	GitMaxTagNameLength = 1024

	// GitMaxLogCommits caps how many commits one Log call returns.
	GitMaxLogCommits = 20000
)

// Downloads (verify/fetch): sizes and waits of untrusted servers, and the
// cache index.
const (
	// FetchMaxIndexEntrySize caps how much of an index file is read.
	FetchMaxIndexEntrySize = 64 << 10

	// FetchMaxIndexURLLen caps the URL length stored in an index entry.
	FetchMaxIndexURLLen = 8 << 10

	// FetchMaxValidatorLen caps a stored ETag or Last-Modified value.
	FetchMaxValidatorLen = 1 << 10

	// FetchMaxSize is the largest file Get downloads (4 GiB).
	FetchMaxSize = 4 << 30

	// FetchMaxSidecarSize is the largest signature, bundle or checksum file
	// Discover downloads or reads (16 MiB).
	FetchMaxSidecarSize = 16 << 20

	// FetchConnectTimeout bounds the time from sending a request to receiving
	// the response headers (DNS, connect, TLS, server think time).
	FetchConnectTimeout = 30 * time.Second

	// FetchReadTimeout is the longest a response body may stall without
	// delivering a byte.
	FetchReadTimeout = 60 * time.Second

	// FetchMaxRedirects is the longest redirect chain followed.
	FetchMaxRedirects = 10

	// FetchMaxDrain: Bytes of an unwanted response body read to reuse the
	// connection.
	FetchMaxDrain = 64 << 10
)

// Signatures (verify/sig): signature, key and Sigstore material parsed before
// any check.
const (
	// SigMaxSignatureSize caps a detached signature file (armored or binary).
	SigMaxSignatureSize = 1 << 20

	// SigMaxSignaturePackets caps the number of packets read from one detached
	// OpenPGP signature.
	SigMaxSignaturePackets = 32

	// SigMaxKeyringSize caps one keyring file (armored or binary).
	SigMaxKeyringSize = 32 << 20

	// SigMaxTagSize caps a raw git tag object.
	SigMaxTagSize = 4 << 20

	// SigMaxAllowedSignersSize caps an OpenSSH allowed-signers file.
	SigMaxAllowedSignersSize = 4 << 20

	// SigMaxBundleSize caps a Sigstore bundle.
	SigMaxBundleSize = 16 << 20

	// SigMaxTrustedRootSize caps a Sigstore trusted_root.json.
	SigMaxTrustedRootSize = 16 << 20

	// SigMaxChecksumListSize caps a checksum list (SHA256SUMS and the like).
	SigMaxChecksumListSize = 16 << 20

	// SigMaxClockSkew is how far in the future a signature's creation time may
	// lie before the signature is refused.
	SigMaxClockSkew = 24 * time.Hour

	// SigMaxCertPrincipals caps the principals of an OpenSSH certificate, as
	// OpenSSH does (SSHKEY_CERT_MAX_PRINCIPALS); a certificate with more is
	// refused.
	SigMaxCertPrincipals = 256

	// SigMaxCMSCertificates caps the certificates bundled in one CMS signature
	// (gitsign embeds only the leaf).
	SigMaxCMSCertificates = 8

	// SigMaxCMSAttributes caps the signed plus the unsigned attributes of the
	// signer.
	SigMaxCMSAttributes = 32

	// SigMaxCMSTimestamps caps the RFC 3161 timestamp tokens of the signer.
	SigMaxCMSTimestamps = 4

	// SigMaxRekorEntrySize caps the serialized Rekor TransparencyLogEntry that
	// gitsign's offline mode embeds.
	SigMaxRekorEntrySize = 256 << 10

	// SigMaxASN1Elements caps the elements split out of one ASN.1 SET or
	// SEQUENCE while parsing.
	SigMaxASN1Elements = 64
)

// Attestations (verify/attest): DSSE envelopes and reports read back.
const (
	// AttestMaxEnvelopeSize caps an envelope file.
	AttestMaxEnvelopeSize = 16 << 20

	// AttestMaxEnvelopeSignatures caps the signatures of one envelope.
	AttestMaxEnvelopeSignatures = 16

	// AttestMaxReportSize caps a JSON report read by FromReportJSON.
	AttestMaxReportSize = 256 << 20
)

// Signature material read by the spine and verify/trust.
const (
	// MaxSignatureFile caps the size of a signature, bundle, keyring or checksum
	// file read.
	MaxSignatureFile = 16 << 20
)

// The policy file (verify).
const (
	// MaxPolicySize caps a policy file.
	MaxPolicySize = 1 << 20
)

// The comparison (verify/compare): differing members kept for classification.
const (
	// CompareKeepBytes is the largest differing member whose content is kept for
	// classification (a configure script is typically 0.5–3 MiB).
	CompareKeepBytes = 8 << 20

	// CompareMaxKeptTotal caps the contents of differing files held at once;
	// past it, contents are gathered in further passes over the archive.
	CompareMaxKeptTotal = 96 << 20
)

// Provenance (verify/explain).
const (
	// ExplainMaxLargeMember is the largest member read again from the
	// archive to be classified like any other file (bison's 18 MB
	// tests/testsuite).
	ExplainMaxLargeMember = 64 << 20

	// ExplainMaxHeredocScript caps a script parsed for here-documents;
	// ExplainMaxPatchedCopy a file tried as a tool's copy patched by a
	// .diff; ExplainMaxInnerMembers the members of a tarball-only tar
	// archive checked against the repository.
	ExplainMaxHeredocScript = 1 << 20
	ExplainMaxPatchedCopy   = 1 << 20
	ExplainMaxInnerMembers  = 20000

	// ExplainMaxTagArchives caps the archives of the tag opened to prove
	// files extracted from them (a test suite's packagecache/*.tar.xz);
	// ExplainMaxTagArchiveBytes one such archive's (compressed) size and
	// ExplainMaxTagArchiveUnpacked what it may unpack to. Members count
	// against ExplainMaxInnerMembers.
	ExplainMaxTagArchives        = 64
	ExplainMaxTagArchiveBytes    = 32 << 20
	ExplainMaxTagArchiveUnpacked = 256 << 20

	// ExplainMaxPatchBases caps the files (or archive members) a file only
	// in the tarball is tried as patched from, ExplainMaxPatchSections the
	// sections of the tag's patch files tried on them.
	ExplainMaxPatchBases    = 8
	ExplainMaxPatchSections = 32

	// ExplainMaxMesonWrapFile caps a file tried as one meson writes from
	// a wrap (a wrap-redirect, a wrap's hash).
	ExplainMaxMesonWrapFile = 4 << 10

	// ExplainMaxEvidence is how many paths a grouped finding lists.
	ExplainMaxEvidence = 10

	// ExplainMaxPatchLines bounds the lines of a patch or of the file it applies
	// to: the inputs are untrusted (a .diff of the tag, a gnulib file).
	ExplainMaxPatchLines = 1 << 20
)

// The previous release (verify/history).
const (
	// HistoryMaxReferrerSize is the largest test or build file searched for
	// references to binary files.
	HistoryMaxReferrerSize = 4 << 20

	// HistoryMaxGlobs caps the base-name globs taken from one file.
	HistoryMaxGlobs = 1000
)

// Line diffs of untrusted files (verify/internal/linediff).
const (
	// DiffMaxBytes caps the size of text files for which an excerpt is made.
	DiffMaxBytes = 256 << 10

	// DiffMaxLines: lines per side for which a diff is computed
	DiffMaxLines = 4000

	// DiffMaxExcerptRows: rows of the excerpt kept in the report
	DiffMaxExcerptRows = 60
)

// Rebuilds (verify/rebuild): outputs of untrusted builds compared and
// reported.
const (
	// RebuildMaxCachedBytes caps the regenerated files kept for one result.
	RebuildMaxCachedBytes = 256 << 20

	// RebuildMaxCompareBytes is the largest file for which a regenerated copy
	// and the tarball's are diffed; larger ones are compared by blob id only.
	RebuildMaxCompareBytes = 16 << 20

	// RebuildMaxDiffLines caps the lines per side given to the line diff.
	RebuildMaxDiffLines = 200_000

	// RebuildMaxHeldBytes caps the contents of `make dist` members kept in
	// memory for diffing at once.
	RebuildMaxHeldBytes = 64 << 20

	// RebuildMaxM4SectionLines is the longest copied m4 file looked for in
	// a release's aclocal.m4 (the nearest-toolchain judge).
	RebuildMaxM4SectionLines = 12000

	// RebuildMaxM4HashedBytes caps the bytes hashed while looking for known
	// m4 copies in one aclocal.m4; past it the rest is left to the command
	// test.
	RebuildMaxM4HashedBytes = 512 << 20

	// RebuildMaxM4StartBytes caps the bytes hashed for one candidate start
	// (an embedded libtool.m4, 300 KB, takes ~120 MB).
	RebuildMaxM4StartBytes = 160 << 20

	// RebuildMaxM4SmallStartBytes is the first pass's budget per start:
	// enough for every copy of up to ~50 KB.
	RebuildMaxM4SmallStartBytes = 2 << 20

	// RebuildMaxM4MessageLines caps the lines after a message macro's
	// opening line (AS_HELP_STRING) that aclocal.m4's hunk judge reads as
	// its text.
	RebuildMaxM4MessageLines = 3

	// RebuildMaxReleaseInputBytes caps one m4 input copied from the tarball.
	RebuildMaxReleaseInputBytes = 4 << 20

	// RebuildMaxGettextArchiveFile caps one file read from autopoint's
	// archive (the gettext m4 files a release embeds).
	RebuildMaxGettextArchiveFile = 1 << 20

	// RebuildMaxEvidenceRows caps the diff rows put in a finding's evidence.
	RebuildMaxEvidenceRows = 20

	// RebuildMaxDiffRows caps the rows of a rebuild diff kept in FileDiff.Diff.
	RebuildMaxDiffRows = 400

	// RebuildMaxEvidenceLine caps one evidence row.
	RebuildMaxEvidenceLine = 200

	// RebuildMaxListed caps the paths named in one note.
	RebuildMaxListed = 10
)

// Untrusted text in reports (verify/render/escape).
const (
	// EscapeMaxLine caps Line: names from hostile input can be huge.
	EscapeMaxLine = 1000
)

// The origin database builder (autotools/origindb/collect).
const (
	// OriginCollectMaxFileSize is the largest file recorded from a package
	// directory or archive; bigger files are not copied into releases verbatim.
	OriginCollectMaxFileSize = 4 << 20
)

// The origin database (autotools/origindb).
const (
	// OriginDBMaxSize caps the database size Open accepts.
	OriginDBMaxSize = 1 << 30
)

// Autotools analysis (autotools): untrusted m4, shell, make and translation
// files scanned and parsed.
const (
	// AutotoolsMaxEchoScript is the largest script parsed for echo
	// templates; AutotoolsMaxEchoWritten the largest file matched against
	// them; AutotoolsMaxEchoTemplate the templates kept per script.
	AutotoolsMaxEchoScript   = 256 << 10
	AutotoolsMaxEchoWritten  = 1 << 20
	AutotoolsMaxEchoTemplate = 64

	// AutotoolsMaxBuildGlobFileBytes: larger build files are not searched
	// for globs; AutotoolsMaxBuildGlobs caps the globs kept per build file.
	AutotoolsMaxBuildGlobFileBytes = 4 << 20
	AutotoolsMaxBuildGlobs         = 256

	// AutotoolsMaxPrescanBytes: larger build scripts are scanned by
	// Classify's caller, one at a time, not ahead.
	AutotoolsMaxPrescanBytes = 1 << 20

	// AutotoolsMaxRefTokens caps the path-like tokens checked per script.
	AutotoolsMaxRefTokens = 20000

	// AutotoolsStampSniffLen is how many leading bytes are searched for a
	// generator stamp (they sit in the first lines; Flex and Bison within
	// the first screen).
	AutotoolsStampSniffLen = 8 << 10

	// AutotoolsMaxCommandContext caps how far before a file argument runsAsCode
	// looks for the command that reads it.
	AutotoolsMaxCommandContext = 4096

	// AutotoolsMaxFlowParseBytes caps the bytes of one file parsed as shell; a
	// larger file gets the keyword scan only.
	AutotoolsMaxFlowParseBytes = 4 << 20

	// AutotoolsMaxFlowParseRetries caps how many times a file is re-parsed after
	// blanking a line that does not parse (m4 bodies, odd fragments).
	AutotoolsMaxFlowParseRetries = 24

	// AutotoolsMaxFlowEvalDepth caps nested evaluation of eval strings, heredocs
	// fed to a shell and sh -c strings.
	AutotoolsMaxFlowEvalDepth = 4

	// AutotoolsMaxFlowEvalBytes caps the size of one eval string that is parsed.
	AutotoolsMaxFlowEvalBytes = 64 << 10

	// AutotoolsMaxFlows caps the flows reported per file.
	AutotoolsMaxFlows = 32

	// AutotoolsMaxFlowVars caps the variables and temporary files tracked per
	// file.
	AutotoolsMaxFlowVars = 4096

	// AutotoolsMaxFlowParseWork caps the bytes parsed for one file over all
	// retries, so that a file full of syntax errors costs a few parses.
	AutotoolsMaxFlowParseWork = 16 << 20

	// AutotoolsMaxFlowSteps caps the nodes visited, over all passes and evals.
	AutotoolsMaxFlowSteps = 4 << 20

	// AutotoolsMaxTaintItems caps sources, transforms and lines kept per value.
	AutotoolsMaxTaintItems = 8

	// AutotoolsMaxEvalCache caps the parsed eval strings kept per scan (each at
	// most MaxFlowEvalBytes of source).
	AutotoolsMaxEvalCache = 512

	// AutotoolsMaxRegexpLine caps the bytes of one line given to a regexp at
	// once. A longer line is matched in windows of this size that overlap by
	// regexpWindowOverlap, so a match up to that long is never split.
	AutotoolsMaxRegexpLine = 64 << 10

	// AutotoolsMaxDBFileSize is the largest file AddDir records; bigger files
	// are skipped.
	AutotoolsMaxDBFileSize = 4 << 20

	// AutotoolsMaxM4DBBytes caps the decompressed size of a database read by
	// LoadM4DB.
	AutotoolsMaxM4DBBytes = 1 << 30

	// AutotoolsMaxFingerprintLines caps the line fingerprints kept per m4 file.
	AutotoolsMaxFingerprintLines = 50000

	// AutotoolsMaxDiffLines caps the added lines a match reports as its short
	// diff.
	AutotoolsMaxDiffLines = 12

	// AutotoolsMaxChunkBytes caps one name's decompressed chunk.
	AutotoolsMaxChunkBytes = 64 << 20

	// AutotoolsMaxM4HeaderBytes caps the bytes of an m4 file scanned for header
	// data.
	AutotoolsMaxM4HeaderBytes = 1 << 20

	// AutotoolsMaxM4Macros caps the number of macro names collected from one
	// file.
	AutotoolsMaxM4Macros = 256

	// AutotoolsMaxSerialParts caps the dotted components of one serial number.
	AutotoolsMaxSerialParts = 8

	// AutotoolsMaxPOEntries caps the entries parsed from one .po/.pot file.
	AutotoolsMaxPOEntries = 100000

	// AutotoolsMaxPOString caps one joined msgid/msgstr string.
	AutotoolsMaxPOString = 1 << 20

	// AutotoolsMaxScanBytes caps how much of one build script is scanned.
	AutotoolsMaxScanBytes = 16 << 20

	// AutotoolsMaxEvidence caps the evidence lines kept per signal.
	AutotoolsMaxEvidence = 6

	// AutotoolsMaxCombinedEvidence caps the evidence lines of the combined TC501
	// finding.
	AutotoolsMaxCombinedEvidence = 12

	// AutotoolsMaxEvidenceLen caps the length of one evidence line.
	AutotoolsMaxEvidenceLen = 200

	// AutotoolsMaxLogicalLine caps a joined (backslash-continued) line.
	AutotoolsMaxLogicalLine = 64 << 10

	// AutotoolsMaxScanFlowVars caps the variables dataFlows tracks per script.
	AutotoolsMaxScanFlowVars = 256

	// AutotoolsMaxTrArgs caps the bytes after "tr" read for its two sets.
	AutotoolsMaxTrArgs = 4096

	// AutotoolsMaxSelectFiles caps the files one selector is evaluated over.
	AutotoolsMaxSelectFiles = 200000

	// AutotoolsMaxSelectReadBytes caps the bytes read from one file for grep.
	AutotoolsMaxSelectReadBytes = 64 << 20

	// AutotoolsMaxSelectTotalBytes caps the bytes read over all files for grep.
	AutotoolsMaxSelectTotalBytes = 2 << 30

	// AutotoolsMaxSelected caps the paths one selector returns.
	AutotoolsMaxSelected = 1000

	// AutotoolsMaxPatternLen caps a pattern that is translated.
	AutotoolsMaxPatternLen = 4096

	// AutotoolsMaxStampLines caps the lines compared when looking for release
	// stamping.
	AutotoolsMaxStampLines = 200000

	// AutotoolsMaxVersionLen: A release version longer than this (it comes from
	// the archive's name) is not used for masking.
	AutotoolsMaxVersionLen = 64
)

// The sandbox (sandbox): untrusted build scripts run.
const (
	// SandboxMaxOverlayLayers caps Overlay.Layers.
	SandboxMaxOverlayLayers = 64

	// SandboxTimeout is the wall-time limit used when Spec.Timeout is zero.
	SandboxTimeout = 15 * time.Minute

	// SandboxMaxOutput is the output cap used when Spec.MaxOutput is zero or
	// negative.
	SandboxMaxOutput = 1 << 20

	// SandboxMaxSetupLog caps what is kept of the sandbox's own setup
	// diagnostics.
	SandboxMaxSetupLog = 16 << 10
)

// The tag's own make rules (verify/tagrules): run in the sandbox to
// reproduce files only in the tarball.
const (
	// TagRulesMaxJobs caps the files one verify tries to reproduce.
	TagRulesMaxJobs = 256
	// TagRulesMaxMakefile caps the bytes of one makefile read (with its
	// inlined includes, each capped alike).
	TagRulesMaxMakefile = 4 << 20
	// TagRulesMaxIncludeDepth caps nested includes of Makefile.am fragments.
	TagRulesMaxIncludeDepth = 8
	// TagRulesMaxExpand caps the variable references replaced in one target.
	TagRulesMaxExpand = 16
	// TagRulesMaxExportFiles caps the tag files written for the rules.
	TagRulesMaxExportFiles = 4000
	// TagRulesMaxExportBytes caps their bytes.
	TagRulesMaxExportBytes = 128 << 20
	// TagRulesMaxDirFiles: a directory a rule names is written only when
	// it holds at most this many files.
	TagRulesMaxDirFiles = 256
	// TagRulesMaxOutput caps the bytes of one reproduced file read back.
	TagRulesMaxOutput = 256 << 20
	// TagRulesTimeout is the wall-time limit of one run of all the rules
	// (the budget, one target's limit and a margin).
	TagRulesTimeout = TagRulesBudget + TagRulesJobTimeout + 15*time.Second
	// TagRulesJobTimeout is the wall-time limit of one target's make.
	TagRulesJobTimeout = 15 * time.Second
	// TagRulesBudget is the time after which no further target is tried.
	TagRulesBudget = 30 * time.Second
	// TagRulesMakeJobs caps the targets one makefile's make runs at once
	// (make -j).
	TagRulesMakeJobs = 8
	// TagRulesCPUTime is RLIMIT_CPU of each process the rules start.
	TagRulesCPUTime = 2 * time.Minute
)

// Toolchains (toolchain): Debian archive indexes and packages unpacked.
const (
	// ToolchainMaxDebSize caps a downloaded or given .deb file.
	ToolchainMaxDebSize = 256 << 20

	// ToolchainMaxSignatureSize caps an upstream tarball's detached
	// signature file.
	ToolchainMaxSignatureSize = 64 << 10

	// ToolchainMaxUnpackedSize caps the bytes a .deb's data.tar may unpack to.
	ToolchainMaxUnpackedSize = 1 << 30

	// ToolchainMaxDebEntries caps the members of a .deb's data.tar.
	ToolchainMaxDebEntries = 100_000

	// ToolchainMaxArMembers caps the members of the ar container (a .deb has
	// three).
	ToolchainMaxArMembers = 16

	// ToolchainMaxReleaseSize caps an InRelease file (Debian's are about 200
	// KB).
	ToolchainMaxReleaseSize = 4 << 20

	// ToolchainMaxPackagesSize caps a decompressed Packages index (Debian's are
	// about 60 MB).
	ToolchainMaxPackagesSize = 512 << 20

	// ToolchainMaxFieldLine caps one line of a Packages or Release paragraph.
	ToolchainMaxFieldLine = 1 << 20
)

// Batch manifests and merges (batch).
const (
	// BatchMaxManifestSize caps the manifest file.
	BatchMaxManifestSize = 8 << 20

	// BatchMaxReleases caps the number of releases in one manifest.
	BatchMaxReleases = 100_000

	// BatchMaxReleaseName caps a release name, in bytes.
	BatchMaxReleaseName = 256

	// BatchMaxShards caps N in --shard K/N.
	BatchMaxShards = 1_000_000

	// BatchMaxMergeInput caps one shard output read by Merge.
	BatchMaxMergeInput = 4 << 30
)

// Batch result merging (internal/batchmerge).
const (
	// BatchMergeMaxLineSize caps one JSON Lines record (a whole JSON report).
	BatchMergeMaxLineSize = 64 << 20

	// BatchMergeMaxShards caps N, as batch --shard does.
	BatchMergeMaxShards = 1_000_000
)

// Debian packaging files (debian).
const (
	// DebianMaxFile caps what is read of debian/changelog, debian/gbp.conf and
	// debian/upstream/metadata: packaging files come from merge requests too.
	DebianMaxFile = 1 << 20
)

// Release formats (releasefmt).
const (
	// ReleasefmtMaxPytestFile caps a pytest cache file read;
	// ReleasefmtMaxSubstFile the files compared line by line with their
	// template.
	ReleasefmtMaxPytestFile = 4 << 20
	ReleasefmtMaxSubstFile  = 1 << 20

	// ReleaseFormatMaxScript caps the size of a script scanned for downloads.
	ReleaseFormatMaxScript = 1 << 20
)
