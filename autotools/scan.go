package autotools

import (
	"bytes"
	"fmt"
	"iter"
	"math/bits"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/tarcheck/tarcheck/internal/limits"
)

// Limits for ScanBuildScript.
const (
	// MaxScanBytes caps how much of one build script is scanned.
	MaxScanBytes = limits.AutotoolsMaxScanBytes
	// maxEvidence caps the evidence lines kept per signal.
	maxEvidence = limits.AutotoolsMaxEvidence
	// maxCombinedEvidence caps the evidence lines of the combined TC501 finding.
	maxCombinedEvidence = limits.AutotoolsMaxCombinedEvidence
	// maxEvidenceLen caps the length of one evidence line.
	maxEvidenceLen = limits.AutotoolsMaxEvidenceLen
	// maxLogicalLine caps a joined (backslash-continued) line.
	maxLogicalLine = limits.AutotoolsMaxLogicalLine
)

// Rule ids of the signals, matching the catalogue in verify/report: TC4xx m4
// provenance, TC5xx build logic (TC501 is the combined suspicious-logic
// finding, TC502 a reference to binary data, TC503–TC511 single signals).
const (
	RuleGrepBinaryTree  = "TC503" // grep -a over the source tree
	RuleTrSwap          = "TC504" // tr with swapped character sets
	RuleCarving         = "TC505" // head -c / tail -c / dd carving chain
	RuleDecodeToShell   = "TC506" // xz/lzma/gzip decoding into sh/eval
	RuleEvalAssembled   = "TC507" // eval of a decoded or assembled string
	RuleSedCat          = "TC508" // sed "r\n" used as a disguised cat
	RuleBase64ToShell   = "TC509" // base64/hex decoding into a shell
	RuleNetworkFetch    = "TC510" // curl/wget/dev-tcp from a build script
	RuleSuspicious      = "TC501" // the combined finding: evidence of every contributing signal
	RuleBinaryReference = "TC502" // reference to a file that is binary data
	RuleEncodedBlob     = "TC511" // long opaque encoded string literal
	RuleM4SerialAbove   = "TC402" // m4 serial above every known upstream serial
	RuleM4UnknownBody   = "TC401" // m4 of a known name with unknown content
)

type scanRule struct {
	id       string
	sev      Severity
	message  string
	keywords []string // prefilter: the line must contain one of these
	match    func(line string) bool
}

var (
	grepRe    = lazyRegexp(`(?:\b[ef]?grep|\$\{?E?GREP\}?)((?:[ \t]+-[-A-Za-z=]+)+)`)
	srcTreeRe = lazyRegexp(`\$\{?(?:ac_)?(?:top_)?(?:abs_)?srcdir\}?|\$\(?(?:top_)?srcdir\)?|\$\{?ac_pwd\}?|\$\{?PWD\}?|[ \t]\.(?:/)?(?:[ \t]|$)`)
	trRe      = lazyRegexp(`(?:^|[\s|;&("'` + "`" + `])tr[ \t]+`)
	carveRe   = lazyRegexp(`\b(?:head|tail)[ \t]+-c[ \t]*\+?[0-9$]|\bhead[ \t]+--bytes|\btail[ \t]+--bytes|\bdd\b[^|;]*\b(?:skip|count|ibs|bs|iseek)=`)
	decoderRe = lazyRegexp(`\b(?:xz|lzma|gzip|bzip2|zstd|lz4|lzip|brotli)[ \t]+(?:-[A-Za-z0-9]*d[A-Za-z0-9]*|--decompress)\b|\b(?:unxz|xzcat|unlzma|lzcat|gunzip|zcat|bunzip2|bzcat|unzstd|zstdcat)\b|\|[ \t]*\$\{?[A-Za-z_][A-Za-z0-9_\[\]$]*\}?[ \t]+-d\b`)
	evalAsmRe = lazyRegexp(`\beval[ \t]+[^;|&]*(?:\$\(|` + "`" + `)[^;&]*\b(?:tr|head|tail|base64|xz|unxz|lzma|unlzma|gzip|gunzip|zcat|xzcat|rev|xxd)\b`)
	sedCatRe  = lazyRegexp(`\bsed[ \t]+(?:-[A-Za-z]+[ \t]+)*(?:"r\\n"|'r\\n'|r\\\\n|"r\\\\n")`)
	b64Re     = lazyRegexp(`\bbase64[ \t]+(?:-[A-Za-z]*[dD]\b|--decode)|\bopenssl[ \t]+(?:enc|base64)\b[^|]*-d\b|\bxxd[ \t]+(?:-[a-z]+[ \t]+)*-r\b|\buudecode\b`)
	// netRe wants the fetcher in command position (line start, after a
	// separator, a pipe, $( or a backquote, or a variable holding it), so
	// "a suitable curl mailing list: https://..." in a string is no match.
	netRe        = lazyRegexp(`(?:^|[;&|({` + "`" + `]|\$\(|\b(?:then|do|else|exec|command)[ \t])[ \t]*(?:[A-Za-z_][A-Za-z0-9_]*=\S*[ \t]+)*(?:curl|wget|fetch|\$\{?(?:CURL|WGET)\}?)[ \t]+[^|;&]*\b(?:https?|ftp)://|/dev/(?:tcp|udp)/|\bnc[ \t]+-[A-Za-z]*e\b`)
	shellCmdRe   = lazyRegexp(`[|]|\beval\b`)
	m4QuoteStrip = strings.NewReplacer("[[", "[", "]]", "]", "@<:@", "[", "@:>@", "]")
)

var carveKeywords = []string{"head", "tail", "dd "}

// mayCarve is an exact prefilter of carveRe: each of its matches holds
// "-c", "--bytes", or "dd" and "=" (TestPrefiltersExact).
func mayCarve(l string) bool {
	return strings.Contains(l, "-c") || strings.Contains(l, "--bytes") || strings.Contains(l, "dd") && strings.Contains(l, "=")
}

var scanRules = []scanRule{
	{RuleGrepBinaryTree, SevHigh, "grep -a (binary files as text) over the source tree", []string{"grep", "GREP"}, matchGrepBinaryTree},
	{RuleTrSwap, SevHigh, "tr with swapped character sets (substitution cipher)", []string{"tr "}, matchTrSwap},
	{RuleCarving, SevHigh, "head -c/tail -c/dd carving chain", []string{"head", "tail", "dd "}, func(l string) bool { return mayCarve(l) && len(carveRe().FindAllStringIndex(l, 3)) >= 2 }},
	{RuleDecodeToShell, SevHigh, "decompressed data fed to a shell or eval", []string{"|", "eval"}, func(l string) bool { return feedsShell(l) && matchDecoder(l) }},
	{RuleEvalAssembled, SevHigh, "eval of a decoded or assembled string", []string{"eval"}, evalAsmRe().MatchString},
	{RuleSedCat, SevHigh, `sed "r\n" used as a disguised cat`, []string{"sed"}, matchSedCat},
	{RuleBase64ToShell, SevHigh, "base64/hex decoding fed to a shell or eval", []string{"base64", "openssl", "xxd", "uudecode", `\x`}, func(l string) bool { return feedsShell(l) && matchDecoding(l) }},
	{RuleNetworkFetch, SevMedium, "network access from a build script", []string{"curl", "wget", "fetch", "/dev/", "nc "}, matchNetwork},
	{RuleEncodedBlob, SevMedium, "long encoded blob in a build script", nil, matchEncodedBlob},
}

// ScanBuildScript looks for the signals of the xz-utils backdoor in a build
// script (m4, configure, Makefile.in, shell, CMake, ...): grep -a over the
// source tree, tr character swaps, head/tail/dd carving chains, decompression
// or base64 decoding fed to a shell, eval of assembled strings, sed "r\n",
// network fetchers and long encoded blobs. It returns one Signal per rule that
// fired, each with the matching lines ("line N: ...") as evidence, in rule
// order. The path only labels evidence; content is not executed or expanded.
// Only the first MaxScanBytes are scanned. Comment lines (#) are skipped.
// The semantic data-flow scan is ScanBuildScriptFlows.
func ScanBuildScript(path string, content []byte) []Signal {
	if len(content) > MaxScanBytes {
		content = content[:MaxScanBytes]
	}
	return scanKeywords(path, content)
}

// ScanBuildScriptFlows is ScanBuildScript plus the semantic data-flow scan
// (ScanFlows): one more RuleDataFlow signal when the file's shell reads
// data, decodes it and runs it (critical when the data is a file's, high
// when it is an obfuscated literal), a note on the keyword signals when part
// of the file is not shell, and the FlowScan itself, so a caller can
// evaluate its selectors (Selector.Select) against the release's files
// without parsing the script twice.
func ScanBuildScriptFlows(path string, content []byte) ([]Signal, FlowScan) {
	if len(content) > MaxScanBytes {
		content = content[:MaxScanBytes]
	}
	var fs FlowScan
	var out []Signal
	if len(content) >= parallelScanBytes {
		// A large script (configure): the keyword scan runs on another
		// core beside the parse and data-flow analysis. Both are pure.
		done := make(chan struct{})
		go func() {
			defer close(done)
			out = scanKeywords(path, content)
		}()
		fs = ScanFlows(path, content)
		<-done
	} else {
		fs = ScanFlows(path, content)
		out = scanKeywords(path, content)
	}
	if sig, ok := flowSignal(path, fs); ok {
		out = append(out, sig)
	}
	if !fs.Parsed && len(fs.Notes) > 0 {
		// Say where the semantic scan could not look.
		for i := range out {
			if out[i].Rule != RuleDataFlow && len(out[i].Evidence) < maxEvidence {
				out[i].Evidence = append(out[i].Evidence, "note: "+fs.Notes[0])
			}
		}
	}
	return out, fs
}

// parallelScanBytes is the size from which ScanBuildScriptFlows runs its
// keyword scan beside its data-flow scan (a goroutine costs more than the
// keyword scan of a small file).
const parallelScanBytes = 128 << 10

// flowSignal turns the flows of a scan into one RuleDataFlow signal:
// critical when a flow starts at a data file, high otherwise.
func flowSignal(path string, fs FlowScan) (Signal, bool) {
	if len(fs.Flows) == 0 {
		return Signal{}, false
	}
	sev := SevHigh
	if fs.Critical() {
		sev = SevCritical
	}
	var ev []string
	for _, f := range fs.Flows {
		if len(ev) >= maxEvidence {
			break
		}
		ev = append(ev, trimEvidenceLine("flow: "+f.Describe()))
		for _, e := range f.Evidence {
			if len(ev) >= maxEvidence {
				break
			}
			if !slices.Contains(ev, e) {
				ev = append(ev, e)
			}
		}
	}
	msg := "build logic runs decoded data"
	if sev == SevCritical {
		msg = "build logic reads a data file, decodes it and runs it"
	}
	if path != "" {
		msg = path + ": " + msg
	}
	return Signal{Rule: RuleDataFlow, Severity: sev, Message: msg, Evidence: ev}, true
}

func trimEvidenceLine(s string) string {
	if len(s) > maxEvidenceLen {
		return s[:maxEvidenceLen] + "..."
	}
	return s
}

// scanKeywords is the line-based keyword scan of ScanBuildScript.
func scanKeywords(path string, content []byte) []Signal {
	return scanKeywordsExcept(path, content, nil)
}

// scanKeywordsExcept is scanKeywords leaving out the logical lines that
// proved reports (by the number of their first physical line and their
// text) as proved to come from elsewhere: a matching line proved is no
// evidence, and a data flow counts only while one of its lines is not
// proved. nil proves nothing.
func scanKeywordsExcept(path string, content []byte, proved func(num int, text string) bool) []Signal {
	lines := indexLogicalLines(content)
	flows := dataFlows(content, lines)
	// The text of a logical line, made once for all the keyword rules
	// that look at it (a line with "|" and "eval" is a candidate of
	// several); the long lines of the last rule are not kept.
	texts := map[int]string{}
	lineText := func(i int, keep bool) string {
		t, ok := texts[i]
		if !ok {
			t = lines.text(content, i)
			if keep {
				texts[i] = t
			}
		}
		return t
	}
	var out []Signal
	candidates := lines.containingSets(content)
	for ri, r := range scanRules {
		var cand []int
		if r.keywords == nil {
			for i, l := range lines {
				if l.end-l.start >= 160 {
					cand = append(cand, i)
				}
			}
		} else {
			cand = candidates[ri]
		}
		var ev []string
		sev := r.sev
		for _, i := range cand {
			text := lineText(i, r.keywords != nil)
			if isCommentLine(text) || !anyWindow(text, r.match) || proved != nil && proved(lines[i].num, text) {
				continue
			}
			if r.id == RuleNetworkFetch && feedsShell(text) {
				sev = SevHigh // curl ... | sh
			}
			ev = appendEvidence(ev, lines[i].num, text)
		}
		if r.id == RuleCarving && len(ev) == 0 {
			// Carving spread over several lines still forms a chain.
			count := 0
			var cev []string
			for _, i := range candidates[carveSet] {
				text := lineText(i, true)
				if isCommentLine(text) {
					continue
				}
				if !mayCarve(text) {
					continue
				}
				if c := len(carveRe().FindAllStringIndex(text, -1)); c > 0 && (proved == nil || !proved(lines[i].num, text)) {
					count += c
					cev = appendEvidence(cev, lines[i].num, text)
				}
			}
			if count >= 4 {
				ev = cev
			}
		}
		fev := flows[r.id]
		if proved != nil && lines.allProved(content, fev, proved) {
			fev = nil
		}
		for _, e := range fev {
			if len(ev) < maxEvidence && !slices.Contains(ev, e) {
				ev = append(ev, e)
			}
		}
		if len(ev) == 0 {
			continue
		}
		msg := r.message
		if path != "" {
			msg = fmt.Sprintf("%s: %s", path, r.message)
		}
		out = append(out, Signal{Rule: r.id, Severity: sev, Message: msg, Evidence: ev})
	}
	return out
}

// maxFlowVars caps the variables dataFlows tracks per script.
const maxFlowVars = limits.AutotoolsMaxScanFlowVars

var (
	// assignRe finds a shell assignment; m4-quoted names (gl_[$1]_x) count.
	assignRe = lazyRegexp(`(?:^|[\s;&(])([A-Za-z_][A-Za-z0-9_\[\]$]*)=(.*)$`)
	// cmdStringRe is a quoted string that starts with a command used to
	// transform data (a command kept in a variable to be eval'ed later).
	// cmdStringRe: a command string that decodes, deciphers or carves. Plain
	// sed/awk/cat command strings are eval'ed all over generated configure
	// scripts (libtool's symbol pipes) and are not a signal on their own.
	cmdStringRe = lazyRegexp(`^["']\s*(?:tr|xz|unxz|lzma|unlzma|gunzip|zcat|xzcat|base64|rev|xxd|dd|gzip[ \t]+-[A-Za-z]*d|(?:head|tail)[ \t]+-[A-Za-z]*c)\b`)
)

// dataFlows finds what single lines do not show: a variable assigned the
// output of a decoder ("v=`... | xz -d`") later fed to a shell or eval
// (TC506), and a variable holding a command string ("m='tr ...'") later
// eval'ed (TC507). It returns evidence per rule id: the assignment and the
// use.
func dataFlows(content []byte, lines logicalLines) map[string][]string {
	type assigned struct {
		ev   string
		rule string
	}
	vars := map[string]assigned{}
	out := map[string][]string{}
	for i := range lines {
		raw := content[lines[i].start:lines[i].end]
		uses := len(vars) > 0 && bytes.IndexByte(raw, '$') >= 0
		if !uses && !maybeFlowAssign(raw) {
			continue
		}
		text := lines.text(content, i)
		if isCommentLine(text) {
			continue
		}
		// Uses first: "v=`eval $v`" uses the old value.
		if uses {
			for _, name := range referencedVars(text, vars) {
				a := vars[name]
				used := false
				switch a.rule {
				case RuleDecodeToShell:
					used = feedsShell(text) || evalsVar(text, name)
				case RuleEvalAssembled:
					used = evalsVar(text, name)
				}
				if used && len(out[a.rule]) < maxEvidence {
					out[a.rule] = append(out[a.rule], a.ev, appendEvidence(nil, lines[i].num, text)[0])
				}
			}
		}
		if len(vars) >= maxFlowVars || !maybeFlowAssign(raw) {
			continue
		}
		m := assignRe().FindStringSubmatch(text)
		if m == nil {
			continue
		}
		name, rhs := m[1], strings.TrimSpace(m[2])
		ev := appendEvidence(nil, lines[i].num, text)[0]
		switch {
		case (strings.HasPrefix(rhs, "`") || strings.HasPrefix(rhs, "$(") || strings.HasPrefix(rhs, "\"$(") || strings.HasPrefix(rhs, "\"`")) &&
			(matchDecoder(rhs) || matchDecoding(rhs)):
			vars[name] = assigned{ev, RuleDecodeToShell}
		case cmdStringRe().MatchString(rhs):
			vars[name] = assigned{ev, RuleEvalAssembled}
		}
	}
	return out
}

// flowAssignMarks are what an assignment dataFlows tracks looks like: a
// command substitution or a quoted string right after "=".
var flowAssignMarks = [][]byte{[]byte("=`"), []byte("=$("), []byte("=\"$("), []byte("=\"`"), []byte("='"), []byte("=\"")}

// maybeFlowAssign is a cheap filter before assignRe: "=" followed by a
// command substitution, or by a quoted string starting with a command word.
func maybeFlowAssign(raw []byte) bool {
	if bytes.IndexByte(raw, '=') < 0 {
		return false
	}
	for _, m := range flowAssignMarks[:4] {
		if bytes.Contains(raw, m) {
			return true
		}
	}
	for _, m := range flowAssignMarks[4:] {
		for off := 0; off < len(raw); {
			i := bytes.Index(raw[off:], m)
			if i < 0 {
				break
			}
			rest := bytes.TrimLeft(raw[off+i+2:], " \t")
			for _, w := range flowCommandWords {
				if bytes.HasPrefix(rest, w) {
					return true
				}
			}
			off += i + 2
		}
	}
	return false
}

var flowCommandWords = func() [][]byte {
	var out [][]byte
	for _, w := range []string{"tr", "head", "tail", "xz", "unxz", "lzma", "unlzma", "gzip", "gunzip", "zcat", "xzcat", "base64", "sed", "dd", "cat", "rev", "xxd", "od", "awk"} {
		out = append(out, []byte(w))
	}
	return out
}()

// referencedVars returns, in order of appearance and without repeats, the
// names of vars that line expands as $name or ${name} (what refersTo
// reports, found in one pass over the line instead of one per variable).
func referencedVars[V any](line string, vars map[string]V) []string {
	var out []string
	for i := 0; i < len(line); i++ {
		if line[i] != '$' || i+1 >= len(line) {
			continue
		}
		if line[i+1] == '{' {
			if j := strings.IndexByte(line[i+2:], '}'); j >= 0 {
				name := line[i+2 : i+2+j]
				if _, ok := vars[name]; ok && !slices.Contains(out, name) {
					out = append(out, name)
				}
			}
			continue
		}
		// Names may hold m4 quoting (gl_[$1]_x): try every end where the
		// next byte is not a word byte, as refersTo does.
		for j := i + 1; j < len(line) && j-i <= 256; j++ {
			c := line[j]
			if !isWordByte(c) && c != '[' && c != ']' && c != '$' {
				break
			}
			if j+1 < len(line) && isWordByte(line[j+1]) {
				continue
			}
			name := line[i+1 : j+1]
			if _, ok := vars[name]; ok && !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	return out
}

// refersTo reports whether line expands $name or ${name}.
func refersTo(line, name string) bool {
	for _, ref := range []string{"${" + name + "}", "$" + name} {
		for off := 0; ; {
			i := strings.Index(line[off:], ref)
			if i < 0 {
				break
			}
			end := off + i + len(ref)
			if ref[1] == '{' || end >= len(line) || !isWordByte(line[end]) {
				return true
			}
			off = end
		}
	}
	return false
}

// evalsVar reports "eval $name", "eval "$name"" or "eval ${name}".
func evalsVar(line, name string) bool {
	for at := range occurrences(line, "eval") {
		if at > 0 && isWordByte(line[at-1]) {
			continue
		}
		rest := strings.TrimLeft(line[at+4:], " \t\"'")
		if strings.HasPrefix(rest, "$"+name) || strings.HasPrefix(rest, "${"+name+"}") {
			return true
		}
	}
	return false
}

// occurrences yields the index of every occurrence of sub in s, left to
// right, overlapping ones included.
func occurrences(s, sub string) iter.Seq[int] {
	return func(yield func(int) bool) {
		for off := 0; off <= len(s); {
			i := strings.Index(s[off:], sub)
			if i < 0 || !yield(off+i) {
				return
			}
			off += i + 1
		}
	}
}

func isCommentLine(s string) bool {
	return strings.HasPrefix(strings.TrimLeft(s, " \t"), "#")
}

// logicalLine is a line with its backslash-newline continuations: the byte
// range in the content and the 1-based number of its first physical line.
type logicalLine struct {
	start, end, num int
	joined          bool
}

type logicalLines []logicalLine

// indexLogicalLines splits content into logical lines in one pass.
func indexLogicalLines(content []byte) logicalLines {
	out := make(logicalLines, 0, bytes.Count(content, []byte{'\n'})+1)
	start, num, phys := 0, 1, 0
	joined := false
	for pos := 0; pos <= len(content); {
		i := bytes.IndexByte(content[pos:], '\n')
		end := len(content)
		if i >= 0 {
			end = pos + i
		}
		phys++
		lineEnd := end
		if lineEnd > pos && content[lineEnd-1] == '\r' {
			lineEnd--
		}
		if i >= 0 && lineEnd > pos && content[lineEnd-1] == '\\' && end+1-start < maxLogicalLine {
			joined = true
			pos = end + 1
			continue
		}
		if start < len(content) {
			out = append(out, logicalLine{start: start, end: lineEnd, num: num, joined: joined})
		}
		if i < 0 {
			break
		}
		pos = end + 1
		start, num, joined = pos, phys+1, false
	}
	return out
}

// allProved reports whether every "line N: ..." evidence line of ev names
// a logical line that proved holds proved (a flow's assignment and use).
func (ls logicalLines) allProved(content []byte, ev []string, proved func(num int, text string) bool) bool {
	for _, e := range ev {
		rest, ok := strings.CutPrefix(e, "line ")
		if !ok {
			return false
		}
		n, err := strconv.Atoi(rest[:max(0, strings.IndexByte(rest, ':'))])
		if err != nil {
			return false
		}
		i := sort.Search(len(ls), func(i int) bool { return ls[i].num >= n })
		if i == len(ls) || ls[i].num != n || !proved(n, ls.text(content, i)) {
			return false
		}
	}
	return true
}

// text returns logical line i with continuations joined by spaces.
func (ls logicalLines) text(content []byte, i int) string {
	l := ls[i]
	raw := content[l.start:l.end]
	if !l.joined {
		return string(raw)
	}
	var b strings.Builder
	for len(raw) > 0 {
		j := bytes.IndexByte(raw, '\n')
		part := raw
		if j >= 0 {
			part, raw = raw[:j], raw[j+1:]
		} else {
			raw = nil
		}
		part = bytes.TrimSuffix(part, []byte("\r"))
		if j >= 0 {
			part = bytes.TrimSuffix(part, []byte("\\"))
			b.Write(part)
			b.WriteByte(' ')
			continue
		}
		b.Write(part)
	}
	return b.String()
}

// find returns the index of the logical line holding byte offset off.
func (ls logicalLines) find(off int) int {
	lo, hi := 0, len(ls)
	for lo < hi {
		m := (lo + hi) / 2
		if ls[m].end < off {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// keywordSets are the keyword prefilters of the scan: one per rule of
// scanRules (nil for a rule without keywords), then carveKeywords.
var keywordSets = func() [][]string {
	var sets [][]string
	for _, r := range scanRules {
		sets = append(sets, r.keywords)
	}
	return append(sets, carveKeywords)
}()

// carveSet is carveKeywords' index in keywordSets.
var carveSet = len(scanRules)

// keywordEntry is one keyword and the sets (bits of keywordSets) that
// hold it.
type keywordEntry struct {
	keyword string
	sets    uint64
}

// keywordPairs has bit a<<8|b set when some keyword starts with bytes a
// and b, or is the one byte a: the one pass looks closer only there.
var keywordPairs = func() (t [1 << 16 / 64]uint64) {
	for _, set := range keywordSets {
		for _, k := range set {
			if len(k) == 1 {
				for b := range 256 {
					n := int(k[0])<<8 | b
					t[n/64] |= 1 << (n % 64)
				}
				continue
			}
			n := int(k[0])<<8 | int(k[1])
			t[n/64] |= 1 << (n % 64)
		}
	}
	return t
}()

// keywordsByFirst lists the keywords of keywordSets by their first byte,
// for the one pass of containingSets.
var keywordsByFirst = func() (t [256][]keywordEntry) {
	if len(keywordSets) > 64 {
		panic("autotools: more than 64 keyword sets")
	}
	for i, set := range keywordSets {
		for _, k := range set {
			b := k[0]
			j := slices.IndexFunc(t[b], func(e keywordEntry) bool { return e.keyword == k })
			if j < 0 {
				t[b] = append(t[b], keywordEntry{keyword: k})
				j = len(t[b]) - 1
			}
			t[b][j].sets |= 1 << i
		}
	}
	return t
}()

// containingSets returns, for each set of keywordSets, the logical lines
// that contain one of its keywords (ascending, without duplicates), found
// in one pass over the content for all the sets. A keyword belongs to the
// line its first byte falls in (the first line ending at or after it).
func (ls logicalLines) containingSets(content []byte) [][]int {
	hits := make([][]int, len(keywordSets))
	last := make([]int, len(keywordSets)) // the last line recorded per set
	for i := range last {
		last[i] = -1
	}
	li := 0
	for i, c := range content {
		n := int(c) << 8
		if i+1 < len(content) {
			n |= int(content[i+1])
		}
		if keywordPairs[n/64]&(1<<(n%64)) == 0 && (i+1 < len(content) || len(keywordsByFirst[c]) == 0) {
			continue
		}
		for _, e := range keywordsByFirst[c] {
			if len(content)-i < len(e.keyword) || string(content[i:i+len(e.keyword)]) != e.keyword {
				continue
			}
			for li < len(ls) && ls[li].end < i {
				li++
			}
			if li >= len(ls) {
				return hits
			}
			for sets := e.sets; sets != 0; sets &= sets - 1 {
				k := bits.TrailingZeros64(sets)
				if last[k] != li {
					hits[k], last[k] = append(hits[k], li), li
				}
			}
		}
	}
	return hits
}

// shellSinks are what a pipeline may feed to run its input as code.
var shellSinks = []string{"sh", "bash", "dash", "ksh", "zsh", "/bin/sh", "/bin/bash", "/usr/bin/env sh", "/usr/bin/bash", "exec sh",
	"$SHELL", "${SHELL}", "$CONFIG_SHELL", "${CONFIG_SHELL}", "eval", "source ", ". "}

// feedsShell reports whether a line pipes data into a shell or eval
// ("... | sh", "| $SHELL", "| eval ...", "| source ..."), or evals a command
// substitution (eval $(...), eval `...`).
func feedsShell(l string) bool {
	for i := 0; i < len(l); i++ {
		switch l[i] {
		case '|':
			if i+1 < len(l) && l[i+1] == '|' {
				i++
				continue
			}
			if i > 0 && l[i-1] == '|' {
				continue
			}
			rest := strings.TrimLeft(l[i+1:], " \t")
			for _, s := range shellSinks {
				if strings.HasPrefix(rest, s) && (len(rest) == len(s) || !isWordByte(rest[len(s)]) || s[len(s)-1] == ' ') {
					return true
				}
			}
		case 'e':
			if strings.HasPrefix(l[i:], "eval") && (i == 0 || !isWordByte(l[i-1])) {
				rest := strings.TrimLeft(l[i+4:], " \t\"'")
				if strings.HasPrefix(rest, "$(") || strings.HasPrefix(rest, "`") {
					return true
				}
			}
		}
	}
	return false
}

func isWordByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

func containsAny(s string, subs []string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

func appendEvidence(ev []string, n int, line string) []string {
	if len(ev) >= maxEvidence {
		return ev
	}
	line = strings.TrimSpace(line)
	if len(line) > maxEvidenceLen {
		line = line[:maxEvidenceLen] + "..."
	}
	return append(ev, fmt.Sprintf("line %d: %s", n, line))
}

// forEachLogicalLine calls fn for every line, joining backslash-newline
// continuations; n is the 1-based number of the first physical line.
func forEachLogicalLine(content []byte, fn func(n int, line []byte)) {
	var buf []byte
	start, n := 0, 0
	for len(content) > 0 {
		n++
		line := content
		if i := bytes.IndexByte(content, '\n'); i >= 0 {
			line, content = content[:i], content[i+1:]
		} else {
			content = nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if buf == nil {
			start = n
		}
		if bytes.HasSuffix(line, []byte("\\")) && len(buf)+len(line) < maxLogicalLine && len(content) > 0 {
			buf = append(buf, line[:len(line)-1]...)
			buf = append(buf, ' ')
			continue
		}
		if buf != nil {
			buf = append(buf, line...)
			fn(start, buf)
			buf = nil
			continue
		}
		fn(start, line)
	}
}

func matchGrepBinaryTree(line string) bool {
	// The last place the source tree is named: a grep before it searches
	// the tree. Found once per line, not once per grep (linear time on
	// long lines of near-matches).
	// It is looked for only once a grep -a without -r needs it.
	lastTree, treeDone := -1, false
	for _, m := range grepRe().FindAllStringSubmatchIndex(line, -1) {
		opts := line[m[2]:m[3]]
		text, recursive := false, false
	opts:
		for _, o := range strings.Fields(opts) {
			switch {
			case o == "--":
				break opts
			case o == "--text" || o == "--binary-files=text":
				text = true
			case o == "--recursive" || o == "--dereference-recursive":
				recursive = true
			case strings.HasPrefix(o, "--"):
			case strings.HasPrefix(o, "-"):
				if strings.ContainsRune(o, 'a') {
					text = true
				}
				if strings.ContainsAny(o, "rR") {
					recursive = true
				}
			}
		}
		if text && !recursive && !treeDone {
			treeDone = true
			if containsAny(line, srcTreeLiterals) {
				if locs := srcTreeRe().FindAllStringIndex(line, -1); len(locs) > 0 {
					lastTree = locs[len(locs)-1][0]
				}
			}
		}
		if text && (recursive || lastTree >= m[1]) {
			return true
		}
	}
	return false
}

// matchTrSwap reports a tr call whose two sets hold the same characters in a
// different order (a substitution cipher such as tr "\t \-_" " \t_\-").
func matchTrSwap(line string) bool {
	for _, end := range trCallEnds(line) {
		words := shellWords(line[end:min(len(line), end+maxTrArgs)], 3)
		for len(words) > 0 && strings.HasPrefix(words[0], "-") && len(words[0]) > 1 {
			words = words[1:]
		}
		if len(words) < 2 {
			continue
		}
		a, okA := expandTrSet(m4QuoteStrip.Replace(words[0]))
		b, okB := expandTrSet(m4QuoteStrip.Replace(words[1]))
		if !okA || !okB || len(a) < 2 || len(a) != len(b) || string(a) == string(b) {
			continue
		}
		if sameRuneSet(a, b) {
			return true
		}
	}
	return false
}

// maxTrArgs caps the bytes after "tr" read for its two sets.
const maxTrArgs = limits.AutotoolsMaxTrArgs

func sameRuneSet(a, b []rune) bool {
	sa, sb := map[rune]int{}, map[rune]int{}
	for _, r := range a {
		sa[r]++
	}
	for _, r := range b {
		sb[r]++
	}
	if len(sa) != len(sb) || len(sa) < 2 {
		return false
	}
	for r, n := range sa {
		if sb[r] != n {
			return false
		}
	}
	return true
}

// shellWords splits up to max shell words off s, handling single and double
// quotes and backslashes; it stops at an unquoted |, ;, &, ) or `.
func shellWords(s string, max int) []string {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s) && len(words) < max; i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '|' || c == ';' || c == '&' || c == ')' || c == '`' || c == '>' || c == '<':
			if inWord {
				words = append(words, cur.String())
			}
			return words
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				// The closing quote of an enclosing string
				// (v='tr "a" "b"'): it ends the command.
				if inWord {
					words = append(words, cur.String())
				}
				return words
			}
			inWord = true
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
		case c == '"':
			inWord = true
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`", s[i+1]) >= 0 {
					i++
				}
				cur.WriteByte(s[i])
			}
		case c == '\\' && i+1 < len(s):
			inWord = true
			i++
			cur.WriteByte('\\')
			cur.WriteByte(s[i])
		default:
			inWord = true
			cur.WriteByte(c)
		}
	}
	if inWord && len(words) < max {
		words = append(words, cur.String())
	}
	return words
}

// expandTrSet expands a tr set's escapes and ranges. Character classes and
// equivalence classes make it return false (not a simple permutation).
func expandTrSet(s string) ([]rune, bool) {
	if strings.Contains(s, "[:") || strings.Contains(s, "[=") || strings.Contains(s, "$") || len(s) > 512 {
		return nil, false
	}
	var raw []rune
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if r == '\\' && i+1 < len(rs) {
			i++
			switch rs[i] {
			case 't':
				r = '\t'
			case 'n':
				r = '\n'
			case 'r':
				r = '\r'
			case '0', '1', '2', '3', '4', '5', '6', '7':
				v := 0
				j := i
				for ; j < len(rs) && j < i+3 && rs[j] >= '0' && rs[j] <= '7'; j++ {
					v = v*8 + int(rs[j]-'0')
				}
				i = j - 1
				r = rune(v)
			default:
				r = rs[i]
			}
			raw = append(raw, r)
			continue
		}
		if r == '-' && len(raw) > 0 && i+1 < len(rs) && rs[i+1] != '\\' {
			lo, hi := raw[len(raw)-1], rs[i+1]
			if hi < lo || hi-lo > 256 {
				return nil, false
			}
			for c := lo + 1; c <= hi; c++ {
				raw = append(raw, c)
			}
			i++
			continue
		}
		raw = append(raw, r)
	}
	return raw, true
}

func matchEncodedBlob(line string) bool {
	if len(line) < 160 {
		return false
	}
	// Hand-written scans instead of [A-Za-z0-9+/]{160,} and
	// (?:[0-9a-fA-F]{2}){120,}: counted repetitions make the regexp
	// machine track hundreds of threads per byte on long lines.
	if m := firstRun(line, isBase64Byte, 160); m != "" {
		// Long identifiers lists and paths are not blobs: require a mix of
		// upper, lower and digits and few dictionary-like runs.
		var up, lo, dig int
		for i := 0; i < len(m); i++ {
			switch c := m[i]; {
			case c >= 'A' && c <= 'Z':
				up++
			case c >= 'a' && c <= 'z':
				lo++
			case c >= '0' && c <= '9':
				dig++
			}
		}
		if up > len(m)/8 && lo > len(m)/8 && dig > len(m)/40 && lowerWords(m) < len(m)/20 {
			return true
		}
	}
	return firstRun(line, isHexByte, 240) != "" && shellCmdRe().MatchString(line)
}

// firstRun returns the first maximal run of bytes accepted by in that is at
// least min bytes long, or "".
func firstRun(s string, in func(byte) bool, min int) string {
	for i := 0; i < len(s); {
		if !in(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && in(s[j]) {
			j++
		}
		if j-i >= min {
			return s[i:j]
		}
		i = j
	}
	return ""
}

func isBase64Byte(c byte) bool { return isWordByte(c) && c != '_' || c == '+' || c == '/' }

func isHexByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// lowerWords counts runs of four or more lower-case letters (what
// [a-z]{4,} finds).
func lowerWords(s string) int {
	n, run := 0, 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] >= 'a' && s[i] <= 'z' {
			run++
			continue
		}
		if run >= 4 {
			n++
		}
		run = 0
	}
	return n
}

// The literals the regexps below cannot match without: a line lacking all
// of a regexp's literals is not given to it (exact prefilters, which spare
// the regexp machine on long lines of near-matches).
var (
	// srcTreeLiterals: every alternative of srcTreeRe.
	srcTreeLiterals = []string{"srcdir", "ac_pwd", "PWD", " .", "\t."}
	// decoderLiterals: the compressor names of decoderRe's first two
	// alternatives and the -d of its third.
	decoderLiterals = []string{"xz", "lzma", "gzip", "bzip2", "zstd", "lz4", "lzip", "brotli", "lzcat", "gunzip", "zcat", "bunzip2", "bzcat", "-d"}
	// b64Literals: every alternative of b64Re.
	b64Literals = []string{"base64", "openssl", "xxd", "uudecode"}
	// fetcherLiterals: the fetchers of netRe's first alternative.
	fetcherLiterals = []string{"curl", "wget", "fetch", "CURL", "WGET"}
)

// matchDecoder is decoderRe.MatchString behind its literal prefilter.
func matchDecoder(l string) bool {
	return containsAny(l, decoderLiterals) && decoderRe().MatchString(l)
}

// matchDecoding reports base64, openssl, xxd -r or uudecode decoding
// (b64Re) or a run of eight or more \xHH escapes.
func matchDecoding(l string) bool {
	return hexEscapeRun(l, 8) || containsAny(l, b64Literals) && b64Re().MatchString(l)
}

// hexEscapeRun reports whether s holds min or more consecutive \xHH escapes
// (what (?:\\x[0-9a-fA-F]{2}){8,} finds for min 8), in one pass.
func hexEscapeRun(s string, min int) bool {
	for off := 0; ; {
		i := strings.Index(s[off:], `\x`)
		if i < 0 {
			return false
		}
		p := off + i
		n := 0
		for q := p; q+4 <= len(s) && s[q] == '\\' && s[q+1] == 'x' && isHexByte(s[q+2]) && isHexByte(s[q+3]); q += 4 {
			n++
		}
		if n >= min {
			return true
		}
		// No run starts inside the one counted: skip it.
		off = p + max(4*n, 2)
	}
}

// matchNetwork is netRe.MatchString behind its literal prefilter: a
// fetcher and a URL, /dev/tcp/, /dev/udp/ or nc.
func matchNetwork(l string) bool {
	if !(strings.Contains(l, "://") && containsAny(l, fetcherLiterals)) &&
		!strings.Contains(l, "/dev/tcp/") && !strings.Contains(l, "/dev/udp/") && !ncDash(l) {
		return false
	}
	return netRe().MatchString(l)
}

// ncDash reports whether l holds "nc", blanks and a dash: what the nc
// alternative of netRe needs.
func ncDash(l string) bool {
	for off := 0; ; {
		i := strings.Index(l[off:], "nc")
		if i < 0 {
			return false
		}
		j := off + i + 2
		k := j
		for k < len(l) && (l[k] == ' ' || l[k] == '\t') {
			k++
		}
		if k > j && k < len(l) && l[k] == '-' {
			return true
		}
		off += i + 1
	}
}

// matchSedCat is sedCatRe.MatchString behind its literal prefilter: every
// alternative holds r\n or r\\n.
func matchSedCat(l string) bool {
	return (strings.Contains(l, `r\n`) || strings.Contains(l, `r\\n`)) && sedCatRe().MatchString(l)
}

// trCallEnds returns what trRe.FindAllStringIndex(line, -1) returns as the
// end of each match (just past the blanks after "tr"), found with
// strings.Index: non-overlapping, so the byte before a "tr" must not belong
// to the previous match.
func trCallEnds(line string) []int {
	var out []int
	prevEnd := 0
	for off := 0; off < len(line); {
		i := strings.Index(line[off:], "tr")
		if i < 0 {
			break
		}
		p := off + i
		off = p + 1
		if p > 0 && (p-1 < prevEnd || !isTrLead(line[p-1])) {
			continue
		}
		end := p + 2
		for end < len(line) && (line[end] == ' ' || line[end] == '\t') {
			end++
		}
		if end == p+2 {
			continue
		}
		out = append(out, end)
		prevEnd, off = end, end
	}
	return out
}

// isTrLead reports the bytes trRe accepts before "tr": \s (RE2's
// [\t\n\f\r ]) and |;&("'`.
func isTrLead(c byte) bool {
	return strings.IndexByte("\t\n\f\r |;&(\"'`", c) >= 0
}
