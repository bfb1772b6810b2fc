package releasefmt

import (
	"bytes"
	"fmt"
	"path"
	"strings"
)

// InfoManual is what ParseInfo learns from a makeinfo output file.
type InfoManual struct {
	// Name is the info file named in the header ("foo.info"), Source the
	// Texinfo file it was produced from ("foo.texi"), Version makeinfo's.
	Name, Source, Version string
	// Nodes counts "File: ... Node:" entries; HasTagTable is true for a
	// main file with a tag table (split parts "-N" have none).
	Nodes       int
	HasTagTable bool
}

var infoHeader = lazyRegexp(`^This is ([^\s,]+), produced by (?:makeinfo|texi2any) version ([^\s]+) from\s+([^\s]+?)\.?\n`)

var infoFileName = lazyRegexp(`\.info(?:-[0-9]+)?$`)

// ParseInfo checks that b is makeinfo output: the header line, then
// segments separated by 0x1F that are nodes ("File: X,  Node: ..."), an
// indirect table, a tag table, and after "End Tag Table" nothing but
// makeinfo's "Local Variables" trailer.
func ParseInfo(b []byte) (InfoManual, error) {
	var m InfoManual
	h := infoHeader().FindSubmatch(b)
	if h == nil {
		return m, fmt.Errorf("no makeinfo header (\"This is X.info, produced by makeinfo version V from X.texi.\")")
	}
	m.Name, m.Version, m.Source = string(h[1]), string(h[2]), strings.TrimSuffix(string(h[3]), ".")
	// makeinfo's only control sequences with NUL are the "\0\b[" and
	// "\0\b]" brackets around index and image markers.
	if bytes.IndexByte(b, 0) >= 0 {
		rest := bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\x00\x08["), nil), []byte("\x00\x08]"), nil)
		if bytes.IndexByte(rest, 0) >= 0 {
			return m, fmt.Errorf("NUL byte outside makeinfo's index and image markers")
		}
	}
	segs := bytes.Split(b, []byte{0x1f})
	ended := false
	for i, s := range segs[1:] {
		s = bytes.TrimPrefix(s, []byte("\r"))
		if !bytes.HasPrefix(s, []byte("\n")) {
			return m, fmt.Errorf("segment %d does not start on a new line after the 0x1F separator", i+1)
		}
		s = s[1:]
		switch {
		case ended:
			if !bytes.HasPrefix(s, []byte("Local Variables:")) || !isLocalVariables(s) {
				return m, fmt.Errorf("data after the tag table's end: %q", evidence(string(firstLine(s))))
			}
		case bytes.HasPrefix(s, []byte("File: ")):
			line := firstLine(s)
			if !bytes.Contains(line, []byte(",  Node: ")) && !bytes.Contains(line, []byte(", Node: ")) {
				return m, fmt.Errorf("segment %d: %q is not a node header", i+1, evidence(string(line)))
			}
			m.Nodes++
		case bytes.HasPrefix(s, []byte("Indirect:\n")):
		case bytes.HasPrefix(s, []byte("Tag Table:\n")):
			m.HasTagTable = true
		case bytes.HasPrefix(s, []byte("End Tag Table")):
			if len(bytes.TrimSpace(s[len("End Tag Table"):])) != 0 {
				return m, fmt.Errorf("data after \"End Tag Table\"")
			}
			ended = true
		default:
			return m, fmt.Errorf("segment %d: %q is neither a node, an indirect table nor a tag table", i+1, evidence(string(firstLine(s))))
		}
	}
	if m.Nodes == 0 && !m.HasTagTable {
		return m, fmt.Errorf("no node and no tag table")
	}
	return m, nil
}

func isLocalVariables(s []byte) bool {
	lines := strings.Split(strings.TrimSpace(string(s)), "\n")
	if len(lines) > 8 || lines[len(lines)-1] != "End:" {
		return false
	}
	for _, l := range lines[1 : len(lines)-1] {
		if k, _, ok := strings.Cut(l, ":"); !ok || strings.ContainsAny(k, " \t") {
			return false
		}
	}
	return true
}

func firstLine(s []byte) []byte {
	if i := bytes.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func explainInfo(in Input, c *collector) {
	var byBase map[string][]string
	for _, f := range in.TarFiles {
		if !infoFileName().MatchString(f.Path) {
			continue
		}
		b, ok := in.TarContent(f.Path)
		if !ok {
			continue
		}
		c.formats["makeinfo"] = true
		m, err := ParseInfo(b)
		if err == nil {
			base := strings.TrimSuffix(path.Base(f.Path), path.Ext(path.Base(f.Path)))
			if i := strings.LastIndex(path.Base(f.Path), ".info"); i >= 0 {
				base = path.Base(f.Path)[:i]
			}
			if strings.TrimSuffix(m.Name, ".info") != base && m.Name != path.Base(f.Path) {
				err = fmt.Errorf("header names %s, not this file", m.Name)
			}
		}
		if err != nil {
			c.find(Finding{Rule: RuleInfoNotMakeinfo, Severity: SevHigh, Path: f.Path,
				Message:  "named like an info manual but not makeinfo output: " + err.Error(),
				Evidence: evidence(string(firstLine(b)))})
			continue
		}
		if byBase == nil {
			byBase = map[string][]string{}
			for p := range in.TagPaths {
				byBase[path.Base(p)] = append(byBase[path.Base(p)], p)
			}
		}
		origin := Origin{Kind: KindMakeinfo, Detail: "info manual produced by makeinfo " + m.Version + " from " + m.Source}
		srcs := byBase[path.Base(m.Source)]
		if len(srcs) > 0 {
			origin.Source = srcs[0]
			c.explain(Explanation{Path: f.Path, Origin: origin, Severity: SevLow,
				Reason: fmt.Sprintf("generated documentation; its source %s is in the tag", srcs[0])})
		} else {
			c.explain(Explanation{Path: f.Path, Origin: origin, Severity: SevMedium,
				Reason: fmt.Sprintf("generated documentation, but its source %s is not in the tag", m.Source)})
		}
	}
}
