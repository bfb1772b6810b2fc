package gitsrc

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"time"
)

// HistoryChange is one file change in one commit, as `git log --raw` reports it.
type HistoryChange struct {
	// Commit is the commit's id and Time its committer date.
	Commit string
	Time   time.Time
	// Status is 'A' (added), 'M' (modified), 'T' (type changed) or 'D' (deleted).
	Status byte
	// Mode is the new mode (0 for a deletion) and Blob the new blob id
	// (all zeros for a deletion).
	Mode uint32
	Blob string
	// Path is the file's path, byte for byte (untrusted).
	Path string
}

// HistoryChanges calls fn, newest commit first, with every change to a file
// matching the pathspecs in any non-merge commit reachable from any ref:
// the origin database learns from it which blob each path held and when.
// Merge commits are not expanded, so a blob that only a merge's conflict
// resolution introduced is not reported.
func (r *Repo) HistoryChanges(ctx context.Context, pathspecs []string, fn func(HistoryChange) error) error {
	args := []string{"log", "--all", "--format=C %H %ct", "--raw", "-z", "--no-abbrev", "--no-renames", "--"}
	out, err := r.run(ctx, nil, append(args, pathspecs...)...)
	if err != nil {
		return err
	}
	var c HistoryChange
	toks := bytes.Split(out, []byte{0})
	for i := 0; i < len(toks); i++ {
		tok := bytes.TrimLeft(toks[i], "\n")
		switch {
		case bytes.HasPrefix(tok, []byte("C ")):
			f := bytes.Fields(tok[2:])
			if len(f) != 2 || !isHexID(string(f[0])) {
				return fmt.Errorf("git log: unexpected commit line %q", tok)
			}
			sec, err := strconv.ParseInt(string(f[1]), 10, 64)
			if err != nil {
				return fmt.Errorf("git log: bad commit date in %q", tok)
			}
			c = HistoryChange{Commit: string(f[0]), Time: time.Unix(sec, 0).UTC()}
		case bytes.HasPrefix(tok, []byte(":")):
			// ":<old mode> <new mode> <old id> <new id> <status>" then the path.
			f := bytes.Fields(tok[1:])
			if c.Commit == "" || len(f) != 5 || len(f[4]) == 0 || i+1 >= len(toks) || !isHexID(string(f[3])) {
				return fmt.Errorf("git log: unexpected raw line %q", tok)
			}
			mode, err := strconv.ParseUint(string(f[1]), 8, 32)
			if err != nil {
				return fmt.Errorf("git log: bad mode in %q", tok)
			}
			i++
			ch := c
			ch.Status, ch.Mode, ch.Blob, ch.Path = f[4][0], uint32(mode), string(f[3]), string(toks[i])
			if err := fn(ch); err != nil {
				return err
			}
		case len(tok) != 0:
			return fmt.Errorf("git log: unexpected output %q", tok)
		}
	}
	return nil
}
