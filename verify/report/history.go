package report

// The previous-release analysis (issue 19, verify/history): the report's
// "previous", "drift" and "signers_history" fields. verify/history fills them;
// its types are aliases of these.

// CommitRef is a commit that touched a file, for the report.
type CommitRef struct {
	ID        string `json:"commit"`
	Author    string `json:"author"`
	Committer string `json:"committer,omitempty"`
	Date      string `json:"date"`
	Subject   string `json:"subject"`
}

// BinaryChange is a binary file added or changed in git between the two
// tags.
type BinaryChange struct {
	Path string `json:"path"`
	// Status is "added" or "modified".
	Status string `json:"status"`
	Size   int64  `json:"size"`
	// Type is the magic type (autotools.IsBinary: "xz", "lzma", "elf",
	// ... or "data").
	Type    string      `json:"type"`
	OldID   string      `json:"old_id,omitempty"`
	NewID   string      `json:"new_id"`
	Commits []CommitRef `json:"commits"`
	// ReferencedBy are this tag's test and build files naming the file
	// (by path, base name or a base-name glob).
	ReferencedBy []string `json:"referenced_by,omitempty"`
	// FlaggedBy is the flagged build logic that names or selects it.
	FlaggedBy []string `json:"flagged_by,omitempty"`
	// Severity is "" (no finding), "info", "medium" or "high".
	Severity string `json:"severity,omitempty"`
}

// BuildChange is a build-system file changed between the two tags.
type BuildChange struct {
	Path string `json:"path"`
	// Status is "added", "modified", "deleted" or "type-changed".
	Status  string      `json:"status"`
	Commits []CommitRef `json:"commits"`
}

// Committer is someone who touched the build system in this release and
// not in the earlier releases' history of those files.
type Committer struct {
	// Identity is "Name <email>".
	Identity string   `json:"identity"`
	Paths    []string `json:"paths"`
	Commits  []string `json:"commits"`
	// TouchedBinaries is true when they also added or changed binary files.
	TouchedBinaries bool `json:"touched_binaries,omitempty"`
}

// DriftReport is the report's "drift" field.
type DriftReport struct {
	From          string         `json:"from"`
	To            string         `json:"to"`
	Binaries      []BinaryChange `json:"binaries"`
	BuildFiles    []BuildChange  `json:"build_files"`
	NewCommitters []Committer    `json:"new_committers"`
	// CommittersChecked is false when the earlier history was not read.
	CommittersChecked bool `json:"committers_checked"`
	// NewOnlyInTarball is filled by TarballDrift (--previous-tarball).
	NewOnlyInTarball []string `json:"new_only_in_tarball,omitempty"`
	// Unread lists files that could not be read (too large, missing).
	Unread []string `json:"unread,omitempty"`
}

// Previous is the report's "previous" field: which release this one was
// compared with.
type Previous struct {
	// Tag is the previous release's tag; Commit the commit it peels to.
	Tag    string `json:"tag"`
	Commit string `json:"commit"`
	// Inferred is true when the tag was inferred (highest earlier tag of
	// the same naming scheme that is an ancestor), false for --previous TAG.
	Inferred bool `json:"inferred"`
	// Tarball is the --previous-tarball source, "" when none was given.
	Tarball string `json:"tarball,omitempty"`
}

// Signer is one signer identity of a release, as the report's
// "signers_history" lists it.
type Signer struct {
	// Subject is "tarball" or "tag" (sig.Subject*).
	Subject string `json:"subject"`
	// Kind is "openpgp", "ssh", "sigstore" or "x509".
	Kind string `json:"kind"`
	// Key is what identifies the signer across releases: the OpenPGP
	// primary key fingerprint, the SSH key's SHA256 fingerprint, or the
	// Sigstore/x509 certificate identity (SAN).
	Key string `json:"key"`
	// Principal is the SSH principal or the OpenPGP signing subkey when
	// it differs from Key ("" otherwise).
	Principal string `json:"principal,omitempty"`
	// Verified is true when the signature was valid; otherwise Key is
	// what the signature claims (its issuer), unverified.
	Verified bool `json:"verified"`
}

// SignersHistory is the report's "signers_history" field.
type SignersHistory struct {
	Current  []Signer `json:"current"`
	Previous []Signer `json:"previous"`
	// Changed lists the subjects ("tarball", "tag") whose signer changed.
	Changed []string `json:"changed"`
	// HandOver describes verified certifications between old and new
	// keys found in the keyring.
	HandOver []string `json:"hand_over,omitempty"`
}
