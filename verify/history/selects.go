package history

import (
	"fmt"
	"strings"

	"github.com/tarcheck/tarcheck/verify/gitsrc"
)

// Select is one entry of a finding's proposed "selects" list: a pattern
// that build logic evaluates over the source tree (grep -l/-r, find
// -name/-regex, a glob) and the files it picks, linking the finding to its
// payload. The scan's selector evaluation (autotools.Selector.Select) fills
// it; SelectEvidence renders it as a plain evidence line.
type Select struct {
	// Selector describes the pattern (autotools.Selector.String()).
	Selector string `json:"selector"`
	// Path and Line locate the command in the build file.
	Path string `json:"path"`
	Line int    `json:"line,omitempty"`
	// Evaluated is false when the pattern could not be translated safely;
	// Reason then says why ("back reference", ...).
	Evaluated bool   `json:"evaluated"`
	Reason    string `json:"reason,omitempty"`
	// Selected are the files picked, in the tarball and/or the tag.
	Selected []SelectedFile `json:"selected"`
}

// SelectedFile is one file a selector picks.
type SelectedFile struct {
	Path string `json:"path"`
	// Type is the binary magic type ("xz", "data", ...), "" for text.
	Type      string `json:"type,omitempty"`
	InTarball bool   `json:"in_tarball"`
	InGit     bool   `json:"in_git"`
	// Since is the commit that added the file to git (Since over a Log of
	// the file), "" when not in git.
	Since string `json:"since,omitempty"`
}

// SelectEvidence renders one selected file as an evidence line:
// "m4/x.m4:86 grep ... selects tests/files/bad-3.xz (binary xz, in git
// since 1a2b3c4d5e6f)".
func SelectEvidence(s Select, f SelectedFile) string {
	var what []string
	if f.Type != "" {
		what = append(what, "binary "+f.Type)
	}
	switch {
	case f.InGit && f.Since != "":
		what = append(what, "in git since "+shortID(f.Since))
	case f.InGit:
		what = append(what, "in git")
	case f.InTarball:
		what = append(what, "only in the tarball")
	}
	loc := s.Path
	if s.Line > 0 {
		loc = fmt.Sprintf("%s:%d", s.Path, s.Line)
	}
	out := fmt.Sprintf("%s %s selects %s", loc, s.Selector, f.Path)
	if len(what) > 0 {
		out += " (" + strings.Join(what, ", ") + ")"
	}
	return out
}

// Since returns the oldest commit in commits (a gitsrc Log, newest first)
// that touched p: the commit that brought it into git when the log covers
// the whole history.
func Since(commits []gitsrc.Commit, p string) string {
	for i := len(commits) - 1; i >= 0; i-- {
		for _, q := range commits[i].Paths {
			if q == p {
				return commits[i].ID
			}
		}
	}
	return ""
}
