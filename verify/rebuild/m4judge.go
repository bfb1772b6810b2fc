package rebuild

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/tarcheck/tarcheck/autotools/origindb"
	"github.com/tarcheck/tarcheck/internal/limits"
)

// Limits of the search for known copies in an aclocal.m4
// (internal/limits).
const (
	maxM4SectionLines    = limits.RebuildMaxM4SectionLines
	maxM4HashedBytes     = limits.RebuildMaxM4HashedBytes
	maxM4StartBytes      = limits.RebuildMaxM4StartBytes
	maxM4SmallStartBytes = limits.RebuildMaxM4SmallStartBytes
)

// aclocalHeader opens the part aclocal writes itself, which is no copy.
const aclocalHeader = "# generated automatically by aclocal"

// m4Section is a line range of an aclocal.m4 that is a byte-for-byte copy
// of a known upstream m4 file (aclocal copies whole files).
type m4Section struct {
	first, end int    // lines [first, end)
	origin     string // "automake 1.15.1 m4/depout.m4"
	project    string // the origin's project ("automake", "autoconf-archive")
	file       string // the origin's file name ("depout.m4")
	// toolchain: one of its origins is a toolchain project's file
	// (toolchainM4Projects), whatever project is named first.
	toolchain bool
}

// originLookup answers which upstream files have exactly this content (git
// blob id); *origindb.DB implements it.
type originLookup interface {
	LookupBlob(id []byte) []origindb.Origin
}

// knownM4Sections finds the parts of an aclocal.m4 (lines, each without
// its newline) that are copies of known upstream m4 files: a section starts
// after a blank line at a comment ("#", "dnl") and ends before a blank line
// (the one aclocal writes after each copied file); it is a copy when its
// bytes have the git blob id of a known .m4 file. A first pass tries only
// lines that look like a file's first line (m4FileStartRE), with a small
// hashing budget per start; a second pass every start left, with a large
// one (libtool.m4), so that an unknown large part does not use up the
// budget for the copies after it. A file with "##" lines
// (which aclocal drops) is never found: its lines stay unexplained.
func knownM4Sections(lines []string, db originLookup) []m4Section {
	if db == nil {
		return nil
	}
	offs := make([]int, len(lines)+1)
	for i, l := range lines {
		offs[i+1] = offs[i] + len(l) + 1
	}
	content := []byte(strings.Join(lines, "\n") + "\n")
	covered := make([]bool, len(lines)+1)
	var out []m4Section
	hashed := 0
	for pass, budget := range []int{maxM4SmallStartBytes, maxM4StartBytes} {
		first := pass == 0
		for i := 0; i < len(lines) && hashed <= maxM4HashedBytes; i++ {
			if covered[i] || i > 0 && lines[i-1] != "" || !(strings.HasPrefix(lines[i], "#") || strings.HasPrefix(lines[i], "dnl")) ||
				strings.HasPrefix(lines[i], aclocalHeader) || first && !m4FileStartRE().MatchString(lines[i]) {
				continue
			}
			spent := 0
			for j := i + 1; j <= len(lines) && j-i <= maxM4SectionLines && spent <= budget && !covered[j-1]; j++ {
				if j < len(lines) && lines[j] != "" {
					continue
				}
				if first && j+1 < len(lines) && lines[j+1] != "" && !m4FileStartRE().MatchString(lines[j+1]) && !strings.HasPrefix(lines[j+1], "m4_include(") {
					continue // the next line opens no file: not a copy's end, in the first pass
				}
				sec := content[offs[i]:offs[j]]
				hashed += len(sec)
				spent += len(sec)
				if hashed > maxM4HashedBytes {
					break
				}
				origins := db.LookupBlob(origindb.BlobID(sec))
				if o, ok := m4OriginOf(origins); ok {
					tc := slices.ContainsFunc(origins, func(o origindb.Origin) bool { return toolchainM4Projects[o.Project] })
					out = append(out, m4Section{first: i, end: j, origin: o.String(), project: o.Project, file: path.Base(o.Path), toolchain: tc})
					for k := i; k < j; k++ {
						covered[k] = true
					}
					i = j
					break
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b m4Section) int { return a.first - b.first })
	return out
}

// m4FileStartRE is a line that opens most m4 files aclocal copies (a
// title with "-*- Autoconf -*-", a copyright, a serial line, a rule of
// "=" or "-"); the first pass of knownM4Sections tries only those.
var m4FileStartRE = lazyRegexp(`(?i)^(?:#|dnl).*(?:copyright|-\*-|serial|\.m4\b|autoconf|macro)|^#\s*[=-]{10,}`)

// m4OriginOf returns the first origin that is an m4 file.
func m4OriginOf(origins []origindb.Origin) (origindb.Origin, bool) {
	for _, o := range origins {
		if strings.HasSuffix(o.Path, ".m4") {
			return o, true
		}
	}
	return origindb.Origin{}, false
}

// m4CallRE is an m4 macro call's name and parenthesis ("AS_DIRNAME(",
// "m4_if("): the arguments are not commands.
var m4CallRE = lazyRegexp(`\b([A-Za-z_][A-Za-z0-9_]*)\(`)

// m4ArgSepRE separates two quoted macro arguments ("], ["): each may be
// shell code.
var m4ArgSepRE = lazyRegexp(`\]\s*,\s*\[`)

// m4RunsCommand are the m4 builtins that run a command when autoconf
// runs; other macro names expand to code, judged as what it runs.
var m4RunsCommand = map[string]bool{"m4_esyscmd": true, "m4_esyscmd_s": true, "m4_syscmd": true, "esyscmd": true, "syscmd": true}

// m4MessageRE opens a macro whose arguments are text for the user.
var m4MessageRE = lazyRegexp(`\b(?:AC_MSG_[A-Z]+|A[CS]_HELP_STRING|AC_DIAGNOSE|AC_FATAL|m4_fatal|m4_warn|AC_MSG_FAILURE)\(`)

// m4NameRE is an m4 macro's name (upper case, as autoconf's, automake's
// and their users' are), never a command.
var m4NameRE = lazyRegexp(`^_*[A-Z][A-Z0-9]*_[A-Z0-9_]*$`)

// m4DnlRE is an m4 comment to the end of the line.
var m4DnlRE = lazyRegexp(`\bdnl\b.*$`)

// m4Commands returns the command words of a line of m4 code: m4 quotes
// dropped, comments cut, a macro call read as
// its arguments (the macro's name is not a command, except for the
// builtins that run one: m4_esyscmd).
func m4Commands(line string) []string {
	t := strings.TrimSpace(line)
	if strings.HasPrefix(t, "#") || strings.HasPrefix(t, "m4_include(") {
		return nil
	}
	t = m4DnlRE().ReplaceAllString(t, "")
	if loc := m4MessageRE().FindStringIndex(t); loc != nil {
		t = t[:loc[0]] // a message's text is no command
	}
	t = m4ArgSepRE().ReplaceAllString(t, ";")
	t = m4CallRE().ReplaceAllStringFunc(t, func(call string) string {
		if name := strings.TrimSuffix(call, "("); m4RunsCommand[name] {
			return "; " + name + " "
		}
		return "; "
	})
	t = strings.NewReplacer("[", " ", "]", " ").Replace(t)
	var out []string
	for _, w := range commandWords(t) {
		if strings.HasPrefix(w, "$") && len(w) > 1 && w[1] >= '0' && w[1] <= '9' || m4NameRE().MatchString(w) {
			continue // a macro argument, a macro's name
		}
		out = append(out, w)
	}
	return out
}

// aclocalAddedCommands judges the added lines of an aclocal.m4 against its
// copy regenerated by the nearest toolchain: an added line inside a
// section that is a known upstream m4 file is explained by that copy (the
// file is whole, byte for byte); the other added lines are read as m4 code
// and count when they run a command word the regenerated file never has.
// explained lists the copies that explain added lines.
func aclocalAddedCommands(regenLines, tarLines []string, added []int, db originLookup) (out, explained []string) {
	return aclocalAddedCommandsKnown(regenLines, tarLines, added, db, nil)
}

// aclocalAddedCommandsKnown is aclocalAddedCommands where the command words
// of extra are known too.
func aclocalAddedCommandsKnown(regenLines, tarLines []string, added []int, db originLookup, extra map[string]bool) (out, explained []string) {
	sections := knownM4Sections(tarLines, db)
	in := func(p int) string {
		k, found := slices.BinarySearchFunc(sections, p, func(s m4Section, p int) int {
			switch {
			case s.end <= p:
				return -1
			case s.first > p:
				return 1
			}
			return 0
		})
		if found {
			return sections[k].origin
		}
		return ""
	}
	lines, known := regeneratedWords(regenLines, m4Commands)
	by := map[string]int{}
	text := messageContinuations(tarLines)
	for _, p := range added {
		if o := in(p); o != "" {
			if by[o] == 0 {
				explained = append(explained, o)
			}
			by[o]++
			continue
		}
		l := tarLines[p]
		if lines[strings.TrimSpace(l)] || text[p] && !pipeToShellRE().MatchString(l) {
			continue
		}
		if p > 0 {
			l = stringContinuation(tarLines[p-1], l)
		}
		if pipeToShellRE().MatchString(l) {
			out = append(out, "+"+evidenceLine(l))
			continue
		}
		for _, w := range m4Commands(l) {
			if !known[w] && !extra[w] {
				out = append(out, fmt.Sprintf("+%s   (runs %s)", evidenceLine(l), w))
				break
			}
		}
	}
	for i, o := range explained {
		explained[i] = fmt.Sprintf("%s (%s)", o, plural(by[o], "added line", "added lines"))
	}
	return out, explained
}

// maxMessageLines caps the lines after a message macro's opening line
// that are read as its text (internal/limits).
const maxMessageLines = limits.RebuildMaxM4MessageLines

// messageContinuations returns the lines that continue the arguments of a
// message macro opened on an earlier line (AS_HELP_STRING([--with-x],
// then "[prefix where X is installed]),"): text for the user, no commands.
// Parentheses count only outside m4 quotes; a line with a command
// substitution is never text (it would run inside the message), and at
// most maxMessageLines follow one call.
func messageContinuations(lines []string) map[int]bool {
	out := map[int]bool{}
	for i, l := range lines {
		loc := m4MessageRE().FindStringIndex(l)
		if loc == nil {
			continue
		}
		depth, quote := 0, 0
		scan := func(s string) {
			for _, r := range s {
				switch r {
				case '[':
					quote++
				case ']':
					if quote > 0 {
						quote--
					}
				case '(':
					if quote == 0 {
						depth++
					}
				case ')':
					if quote == 0 {
						depth--
					}
				}
			}
		}
		scan(l[loc[0]:])
		for k := i + 1; k < len(lines) && k <= i+maxMessageLines && depth > 0; k++ {
			if strings.Contains(lines[k], "`") || strings.Contains(lines[k], "$(") {
				break
			}
			out[k] = true
			scan(lines[k])
		}
	}
	return out
}

// stringContinuation returns line without the end of a double-quoted
// string that the previous line opened and continued with a backslash
// (a sed script over two lines: `sed -e "s/:/\\` then `/g;p;}"); then`):
// that text is an argument, not a command. A command substitution in it
// would run, so such a line is returned whole.
func stringContinuation(prev, line string) string {
	if !strings.HasSuffix(prev, "\\") || unescapedQuotes(prev)%2 == 0 {
		return line
	}
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '\\':
			i++
		case '"':
			if strings.Contains(line[:i], "$(") || strings.Contains(line[:i], "`") {
				return line
			}
			return line[i+1:]
		}
	}
	return line
}

// unescapedQuotes counts the double quotes of a shell line outside single
// quotes and not escaped.
func unescapedQuotes(line string) int {
	n, single := 0, false
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == '\\' && !single:
			i++
		case c == '\'' && n%2 == 0:
			single = !single
		case c == '"' && !single:
			n++
		}
	}
	return n
}
