package autotools

import (
	"bytes"
	"strings"

	"github.com/tarcheck/tarcheck/internal/limits"
)

// Limits for comparing translation catalogs.
const (
	// maxPOEntries caps the entries parsed from one .po/.pot file.
	maxPOEntries = limits.AutotoolsMaxPOEntries
	// maxPOString caps one joined msgid/msgstr string.
	maxPOString = limits.AutotoolsMaxPOString
)

// poVolatileHeader are the header fields msgmerge, xgettext and po4a rewrite
// on every update; other header fields (charset, Plural-Forms, ...) change
// how catalogs are compiled and must stay equal.
var poVolatileHeader = map[string]bool{"POT-Creation-Date": true, "PO-Revision-Date": true,
	"Project-Id-Version": true, "X-Generator": true, "Report-Msgid-Bugs-To": true}

// poEntry is one message of a catalog: its key (msgctxt and msgid), the
// plural msgid, the translations and whether it is marked fuzzy. Strings are
// kept as written (escapes not decoded), continuation lines joined.
type poEntry struct {
	ctxt, id, plural string
	hasCtxt          bool
	strs             []string
	fuzzy            bool
}

func (e *poEntry) key() string {
	if e.hasCtxt {
		return e.ctxt + "\x04" + e.id
	}
	return e.id
}

func (e *poEntry) translated() bool {
	for _, s := range e.strs {
		if s != "" {
			return true
		}
	}
	return false
}

// compiled reports whether msgfmt writes the entry into a .mo: it leaves
// out fuzzy entries and those whose first translation (msgstr, or msgstr[0]
// of a plural entry) is empty, whatever the other plural forms hold
// (gettext's msgfmt.c: mp->msgstr[0] == '\0'; gnupg 2.2.40's es.po has
// such an entry).
func (e *poEntry) compiled() bool { return !e.fuzzy && len(e.strs) > 0 && e.strs[0] != "" }

// poCatalog is a parsed catalog: the header fields and the active entries.
// Comments, source references, previous msgids (#|) and obsolete (#~)
// entries are dropped.
type poCatalog struct {
	header  map[string]string
	entries map[string]*poEntry
	order   []string
}

// parsePO parses a .po/.pot file leniently; ok is false for content that is
// not a catalog (a keyword or string line it cannot read, too many entries).
func parsePO(b []byte) (cat poCatalog, ok bool) {
	// Sized for its msgid lines (a few are obsolete or the header): the
	// map is not grown entry by entry.
	n := min(bytes.Count(b, []byte("\nmsgid ")), maxPOEntries)
	cat.entries = make(map[string]*poEntry, n)
	cat.order = make([]string, 0, n)
	var cur *poEntry
	var field *string // the string continuation lines append to
	pendingFuzzy := false
	flush := func() bool {
		if cur == nil {
			return true
		}
		e := cur
		cur, field = nil, nil
		if !e.hasCtxt && e.id == "" {
			if cat.header != nil || len(e.strs) == 0 {
				return false
			}
			cat.header = parsePOHeader(e.strs[0])
			return true
		}
		k := e.key()
		if _, dup := cat.entries[k]; dup || len(cat.entries) >= maxPOEntries {
			return false
		}
		cat.entries[k] = e
		cat.order = append(cat.order, k)
		return true
	}
	idSet := false
	// One copy of the catalog; lines, and the strings kept from them, are
	// slices of it. A CR before a line's LF goes with the trimmed space.
	for raw := range strings.SplitSeq(string(b), "\n") {
		line := strings.TrimSpace(raw)
		switch {
		case line == "":
			continue
		case strings.HasPrefix(line, "#,"):
			// Flags precede their entry.
			for _, f := range strings.Split(line[2:], ",") {
				if strings.TrimSpace(f) == "fuzzy" {
					pendingFuzzy = true
				}
			}
			continue
		case line[0] == '#':
			// References, translator and extracted comments, previous
			// msgids (#|), obsolete entries (#~): none reaches a compiled
			// catalog.
			field = nil
			continue
		case line[0] == '"':
			s, ok := poString(line)
			if !ok || field == nil || len(*field)+len(s) > maxPOString {
				return cat, false
			}
			*field += s
			continue
		}
		kw, rest, _ := strings.Cut(line, " ")
		s, ok := poString(strings.TrimSpace(rest))
		if !ok {
			return cat, false
		}
		switch {
		case kw == "msgctxt", kw == "msgid" && (cur == nil || idSet):
			if !flush() {
				return cat, false
			}
			cur, idSet = &poEntry{fuzzy: pendingFuzzy}, false
			pendingFuzzy = false
			if kw == "msgctxt" {
				cur.hasCtxt, cur.ctxt = true, s
				field = &cur.ctxt
			} else {
				cur.id, idSet = s, true
				field = &cur.id
			}
		case kw == "msgid":
			cur.id, idSet = s, true
			field = &cur.id
		case kw == "msgid_plural" && idSet && len(cur.strs) == 0:
			cur.plural = s
			field = &cur.plural
		case (kw == "msgstr" || strings.HasPrefix(kw, "msgstr[")) && idSet:
			if len(cur.strs) >= 256 {
				return cat, false
			}
			cur.strs = append(cur.strs, s)
			field = &cur.strs[len(cur.strs)-1]
		default:
			return cat, false
		}
	}
	if !flush() {
		return cat, false
	}
	return cat, true
}

// poString returns the inside of a quoted PO string as written.
func poString(s string) (string, bool) {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", false
	}
	return s[1 : len(s)-1], true
}

// parsePOHeader splits the header msgstr ("Key: value\n..." with escaped
// newlines) into fields.
func parsePOHeader(s string) map[string]string {
	h := map[string]string{}
	for _, f := range strings.Split(s, `\n`) {
		k, v, ok := strings.Cut(f, ":")
		if !ok {
			if strings.TrimSpace(f) != "" {
				h["\x00"+f] = ""
			}
			continue
		}
		h[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return h
}

// poUpdate summarises how a tarball catalog relates to the tag's copy.
type poUpdate struct {
	added, dropped int
}

// poMsgmergeOnly reports whether two .po/.pot files differ only as a
// msgmerge/po4a update does: source references, flags, comments, volatile
// header fields and line wrapping; entries the tag's copy lacks that are
// untranslated or fuzzy (msgfmt ignores both); entries dropped or made
// obsolete. A translation of a message in both copies must not change, and
// no new translation may be used.
func poMsgmergeOnly(git, tarball []byte) (poUpdate, bool) {
	u, ok := poCompare(git, tarball)
	if !ok {
		return poUpdate{}, false
	}
	return u, true
}

func poCompare(git, tarball []byte) (poUpdate, bool) {
	var u poUpdate
	g, ok := parsePO(git)
	if !ok {
		return u, false
	}
	t, ok := parsePO(tarball)
	if !ok {
		return u, false
	}
	if (g.header == nil) != (t.header == nil) {
		return u, false
	}
	for k, v := range g.header {
		if !poVolatileHeader[k] && t.header[k] != v {
			return u, false
		}
	}
	for k, v := range t.header {
		if !poVolatileHeader[k] && g.header[k] != v {
			return u, false
		}
	}
	for _, k := range t.order {
		te := t.entries[k]
		ge, inGit := g.entries[k]
		if !inGit {
			if te.translated() && !te.fuzzy {
				return u, false
			}
			u.added++
			continue
		}
		if te.plural != ge.plural || len(te.strs) != len(ge.strs) {
			return u, false
		}
		for i := range te.strs {
			if te.strs[i] != ge.strs[i] {
				// A translation may only be dropped by making it fuzzy
				// (msgfmt then ignores it); it may not change otherwise.
				if !te.fuzzy {
					return u, false
				}
			}
		}
	}
	for k := range g.entries {
		if _, ok := t.entries[k]; !ok {
			u.dropped++
		}
	}
	return u, true
}
