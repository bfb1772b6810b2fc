package toolchain

import "errors"

// Errors. Each is wrapped with the file, package or URL it concerns.
var (
	// ErrBadDeb marks a .deb file that cannot be read (not ar, no data.tar,
	// corrupt compression, over a limit).
	ErrBadDeb = errors.New("unreadable .deb")
	// ErrUnsafeDeb marks a .deb whose data would write outside its tree
	// (absolute names, "..", links out of the tree, devices, setuid bits).
	ErrUnsafeDeb = errors.New("unsafe .deb")
	// ErrBadIndex marks a malformed InRelease or Packages index.
	ErrBadIndex = errors.New("malformed Debian archive index")
	// ErrBadSignature marks an InRelease whose signature does not verify
	// with the Debian archive keyring.
	ErrBadSignature = errors.New("archive index signature does not verify")
	// ErrHashMismatch marks a download (index or .deb) whose sha256 or size
	// differs from the signed value.
	ErrHashMismatch = errors.New("sha256 mismatch")
	// ErrNotFound marks a package version that no served suite lists.
	ErrNotFound = errors.New("package not found in the archive")
	// ErrNotCached marks a toolchain that is not (completely) in the cache;
	// `tarcheck toolchain fetch` prepares it.
	ErrNotCached = errors.New("toolchain not in the cache")
	// ErrCorruptCache marks a cache entry whose files no longer match the
	// manifest written when it was unpacked.
	ErrCorruptCache = errors.New("corrupt toolchain cache entry")
	// ErrUnknownTool marks a request for a tool or version the catalog does
	// not cover.
	ErrUnknownTool = errors.New("no Debian package known for this tool version")
	// ErrUpstreamSignature marks an upstream release tarball whose detached
	// signature is missing, does not verify with the given keyring, or is
	// not by a signer the catalog pins.
	ErrUpstreamSignature = errors.New("upstream release signature does not verify")
	// ErrBuild marks an upstream release that could not be built in the
	// sandbox (no isolating sandbox, the recipe failed, nothing installed).
	ErrBuild = errors.New("building the upstream release failed")
	// ErrOffline marks a fetch that needs the network when none may be used.
	ErrOffline = errors.New("toolchain needs a download, but the network is off")
)
