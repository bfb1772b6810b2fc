package rebuild

import (
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
)

// GitMeta is the tagged commit as a repository of its own: the minimal
// .git that a project's version script reads when it regenerates
// configure (GnuPG's `autogen.sh --find-version` runs `git describe` and
// `git rev-parse --short HEAD` from configure.ac's m4_esyscmd; without a
// .git it writes "1.46-unknown" and revision 0000000 into VERSION,
// configure and config.h.in). It holds only the commit and the tag object,
// both authenticated by the tag's verification, never anything from the
// tarball.
type GitMeta struct {
	// Tag is the tag name ("libgpg-error-1.46").
	Tag string
	// TagObject and TagRaw are the annotated tag object's id and body as
	// `git cat-file tag` prints them; empty for a lightweight tag.
	TagObject string
	TagRaw    []byte
	// Commit and CommitRaw are the tagged commit's id and body.
	Commit    string
	CommitRaw []byte
	// ObjectFormat is "sha1" (or "") or "sha256".
	ObjectFormat string
	// Abbrev is the length of `git rev-parse --short` in the source
	// repository (git's automatic length depends on the number of
	// objects, which the minimal .git lacks: libgcrypt 1.10.1's configure
	// holds "ae0e5678", 8 digits); 0 leaves git's default.
	Abbrev int
}

// safeTagName is what writeGitMeta accepts as a ref name: no path
// traversal, no git ref syntax it would have to escape.
var safeTagName = lazyRegexp(`^[A-Za-z0-9][A-Za-z0-9._+-]*(/[A-Za-z0-9][A-Za-z0-9._+-]*)*$`)

// looseObject returns the id of a git object of type typ with body raw and
// its zlib-compressed loose-object encoding.
func looseObject(typ string, raw []byte, format string) (string, []byte, error) {
	hdr := fmt.Sprintf("%s %d\x00", typ, len(raw))
	var sum []byte
	if format == "sha256" {
		s := sha256.Sum256(append([]byte(hdr), raw...))
		sum = s[:]
	} else {
		s := sha1.Sum(append([]byte(hdr), raw...))
		sum = s[:]
	}
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	_, _ = zw.Write([]byte(hdr))
	_, _ = zw.Write(raw)
	if err := zw.Close(); err != nil {
		return "", nil, err
	}
	return hex.EncodeToString(sum), buf.Bytes(), nil
}

// writeGitMeta writes m as .git below root: the commit and tag as loose
// objects (each checked against its id), HEAD detached at the commit, a
// shallow boundary there and refs/tags/<tag>. Nothing is written when an object does not hash to its
// id or the tag name is not a plain ref name.
func writeGitMeta(root *os.Root, m *GitMeta) error {
	if !safeTagName().MatchString(m.Tag) {
		return fmt.Errorf("tag name %q is not a plain ref name", m.Tag)
	}
	type object struct {
		id   string
		data []byte
	}
	var objs []object
	add := func(typ, want string, raw []byte) error {
		id, data, err := looseObject(typ, raw, m.ObjectFormat)
		if err != nil {
			return err
		}
		if id != want {
			return fmt.Errorf("%s %s hashes to %s", typ, want, id)
		}
		objs = append(objs, object{id, data})
		return nil
	}
	if err := add("commit", m.Commit, m.CommitRaw); err != nil {
		return err
	}
	ref := m.Commit
	if m.TagObject != "" {
		if err := add("tag", m.TagObject, m.TagRaw); err != nil {
			return err
		}
		ref = m.TagObject
	}
	config := "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n"
	if m.ObjectFormat == "sha256" {
		config = "[core]\n\trepositoryformatversion = 1\n\tfilemode = true\n\tbare = false\n"
	}
	if m.Abbrev >= 4 && m.Abbrev <= len(m.Commit) {
		config += fmt.Sprintf("\tabbrev = %d\n", m.Abbrev)
	}
	if m.ObjectFormat == "sha256" {
		config += "[extensions]\n\tobjectformat = sha256\n"
	}
	files := []struct {
		rel  string
		data []byte
	}{
		{".git/HEAD", []byte(m.Commit + "\n")},
		// A shallow boundary at the commit: `git log` (a dist-hook's
		// gitlog-to-changelog) shows the one commit instead of failing on
		// the parents that are not there.
		{".git/shallow", []byte(m.Commit + "\n")},
		{".git/config", []byte(config)},
		{".git/refs/tags/" + m.Tag, []byte(ref + "\n")},
	}
	for _, o := range objs {
		files = append(files, struct {
			rel  string
			data []byte
		}{".git/objects/" + o.id[:2] + "/" + o.id[2:], o.data})
	}
	for _, f := range files {
		if err := writeNoFollow(root, f.rel, f.data, 0o644); err != nil {
			return fmt.Errorf("%s: %w", f.rel, err)
		}
	}
	return mkdirParents(root, ".git/refs/heads/x")
}

// writeGit writes the Input's GitMeta into the export and returns the
// part of the result cache key it adds ("" when there is none). A failure
// is a note: the regeneration runs without .git, as before.
func (b *rebuilder) writeGit() string {
	m := b.in.Git
	if m == nil || b.root == nil {
		return ""
	}
	if err := writeGitMeta(b.root, m); err != nil {
		b.info.Notes = append(b.info.Notes, "the tagged commit could not be written as .git for the regeneration ("+err.Error()+
			"): a version script that asks git sees no repository")
		return ""
	}
	b.logf("rebuild: .git with commit %s and tag %s for version scripts", m.Commit, m.Tag)
	return fmt.Sprintf("\ngit %s %s %s abbrev %d", m.Commit, m.TagObject, m.Tag, m.Abbrev)
}
