package autotools

import (
	"time"

	"github.com/tarcheck/tarcheck/autotools/origindb"
)

// Statuses of a path as the comparison reports them.
const (
	StatusOnlyInTarball  = "only_in_tarball"
	StatusOnlyInGit      = "only_in_git"
	StatusContentDiffers = "content_differs"
	StatusModeDiffers    = "mode_differs"
	StatusTypeDiffers    = "type_differs"
)

// Git-style file modes used in Input.
const (
	ModeFile    uint32 = 0o100644
	ModeExec    uint32 = 0o100755
	ModeSymlink uint32 = 0o120000
	ModeGitlink uint32 = 0o160000
)

// Input describes one non-identical path to classify.
type Input struct {
	// Path inside the release, root directory stripped, slash-separated.
	Path string
	// Status is one of the Status* constants.
	Status string
	// Tarball and Git hold each side's content when available; nil when the
	// side is absent or the content was too big to keep. For symlinks the
	// content is the link target.
	Tarball []byte
	Git     []byte
	// TarballSize is the tarball-side size even when Tarball is nil.
	TarballSize int64
	// TarballMode and GitMode are git-style modes (ModeFile, ModeExec,
	// ModeSymlink, ModeGitlink), 0 when the side is absent.
	TarballMode, GitMode uint32
	// ExportIgnore and ExportSubst come from the git side's .gitattributes.
	ExportIgnore, ExportSubst bool
}

// Context is what Classify may know about the whole release. Every field is
// optional; nil functions mean "unknown".
type Context struct {
	// Version is the release version ("1.2.3"), used to recognise release
	// stamping.
	Version string
	// TagTime is the tag (or commit) date; it decides whether an m4 serial
	// above the database's is suspicious (database at least as new as the
	// release) or only a hint to extend the database.
	TagTime time.Time
	// DB is the known-file database; nil means Baseline().
	DB *M4DB
	// Prescan, when set, holds build-script scans computed ahead on other
	// cores (NewFlowPrescan); the result is the same without it.
	Prescan *FlowPrescan
	// IsBinaryInGit reports whether the git side of path is binary data.
	IsBinaryInGit func(path string) bool
	// IsBinaryInTarball reports whether the tarball side of path is binary.
	IsBinaryInTarball func(path string) bool
	// BinaryPaths lists known binary data files (either side), so that
	// references to a directory holding them are found too. Optional.
	BinaryPaths []string
	// InTarball and InGit report whether a path exists on each side.
	InTarball, InGit func(path string) bool
	// GitByBase returns the paths in the tag's tree with this base name
	// ("xz.1" -> ["src/xz/xz.1"]). Optional: without it, files generated
	// from a git file (a man page rendered to text) are paired by probing
	// the usual locations with InGit.
	GitByBase func(base string) []string
	// Gnulib returns the content of path (release-relative, e.g.
	// "lib/xalloc.h", "m4/stdlib_h.m4") at the gnulib commit the tag pins,
	// when that commit is available. Optional.
	Gnulib func(path string) ([]byte, bool)
	// Files lists the release's files (tarball side, and git-only files
	// the caller wants considered) so that patterns build logic selects
	// files by can be evaluated (Selector.Select) and the selected payload
	// named in the evidence and in Signal.Selects. Optional; called at most
	// once per scanned file that has selectors.
	Files func() []SelectFile
	// TarballFile returns the tarball content of a release path (a .po
	// beside a .gmo). Optional: without it Files is searched.
	TarballFile func(path string) ([]byte, bool)
	// TagFile returns the content of a regular file of the tag's tree by
	// path (a template beside a file only in the tarball). Optional.
	TagFile func(path string) ([]byte, bool)
	// TagPaths lists the paths of the tag's regular files (read with
	// TagFile): the Autotest sources (.at) that prove the lines of a test
	// suite (AutotestSources). Optional.
	TagPaths func() []string
	// HelperCopies returns published copies of the copied helper named
	// base ({label, content} pairs) for a helper whose content matches no
	// version of the database. Optional: nil means InstalledHelperCopies.
	HelperCopies func(base string) [][2]string
	// HelperVocab is the line vocabulary of copied helpers (every line of
	// every known upstream version). Optional: nil means the embedded
	// origindb.EmbeddedVocab.
	HelperVocab *origindb.Vocab
	// HelperStamps is the stamp index of copied helpers (every known
	// version keyed with its version stamps blanked). Optional: nil means
	// the embedded origindb.EmbeddedStamps.
	HelperStamps *origindb.Stamps
	// Omitted says how the tarball's sources or build files refer to a
	// path only in git (OmittedReferenceKinds): 0 when they do not.
	// Optional: without it omissions stay low.
	Omitted func(path string) OmitKind
	// BuildGlobs are the file-selecting globs of the tag's build and test
	// files (FindBuildGlobs, NewGlobIndex): a tarball-side file one of them
	// picks up that nothing proves is high (RuleBuildGlob). Optional.
	BuildGlobs *GlobIndex
}

// Signal is one finding about a file beyond its class: a suspicious construct,
// a serial bump, a reference to binary data.
type Signal struct {
	// Rule is a stable id "TCnnn".
	Rule     string
	Severity Severity
	Message  string
	// Evidence holds the lines that triggered the signal.
	Evidence []string
	// Selects lists the release paths that a file-selecting pattern of the
	// script picks (grep -l/-r, find, globs), when Context.Files is set.
	Selects []string
}

// Result is the explanation of one path.
type Result struct {
	// Class is a short kebab-case class ("generated", "m4-upstream", ...).
	Class    string
	Severity Severity
	// Reason is one line for a packager.
	Reason string
	// Generator and GeneratorVersion name the tool that wrote the file, when
	// known ("GNU Autoconf", "2.71").
	Generator, GeneratorVersion string
	// Signals are extra findings, each with evidence.
	Signals []Signal
}
