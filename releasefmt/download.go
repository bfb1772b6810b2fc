package releasefmt

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/tarcheck/tarcheck/internal/limits"
)

// Download is one file a script of the tag fetches.
type Download struct {
	// URL as written in the script (variables unexpanded); Name the file
	// name it saves, a glob when the URL holds variables ("data-*.tar.gz").
	URL, Name string
	// Hashes pinned for it ("sha256:<hex>"), empty when none was found.
	Hashes []string
	// Script and Line locate the URL in the tag.
	Script string
	Line   int
	// UnpackDir is set when the script extracts the archive: the tag
	// directory the files land in.
	UnpackDir string
}

// maxScript caps the size of a script scanned for downloads.
const maxScript = limits.ReleaseFormatMaxScript

var (
	urlRe    = lazyRegexp(`(?:https?|ftp)://[^\s'"<>()|;` + "`" + `]+`)
	hexRe    = lazyRegexp(`(?i)\b(?:[0-9a-f]{64}|[0-9a-f]{40}|[0-9a-f]{32})\b`)
	sumLine  = lazyRegexp(`(?i)^\s*([0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64})\s+\*?([^\s]+)\s*$`)
	bsdSum   = lazyRegexp(`(?i)^\s*(SHA256|SHA1|MD5)\s*\(([^)]+)\)\s*=\s*([0-9a-f]{32,64})\s*$`)
	tarXRe   = lazyRegexp(`\btar\s+(?:-[a-zA-Z]*x|x[a-zA-Z]*|--extract)`)
	shellVar = lazyRegexp(`\$\{[^}]*\}|\$\([^)]*\)|\$[A-Za-z_0-9]+|@[A-Za-z_]+@`)
	tarDirRe = lazyRegexp(`\btar\s+[^\n]*(?:-C|--directory[= ])\s*["']?([A-Za-z0-9_./-]+)`)
)

// isDownloadScript says whether a tag path is scanned: bootstrap scripts,
// shell and download scripts, CMake, meson and make files, checksum lists.
func isDownloadScript(p string) bool {
	b := strings.ToLower(path.Base(p))
	switch b {
	case "autogen.sh", "bootstrap", "bootstrap.sh", "bootstrap.conf", "cmakelists.txt", "meson.build",
		"makefile", "makefile.am", "makefile.in", "gnumakefile", "sha256sums", "sha1sums", "md5sums", "checksums":
		return true
	}
	for _, ext := range []string{".sh", ".bash", ".cmake", ".mk", ".sha256", ".sha256sum", ".sha1", ".md5", ".wrap"} {
		if strings.HasSuffix(b, ext) {
			return true
		}
	}
	return strings.Contains(b, "download") || strings.Contains(b, "fetch")
}

func hashAlgo(h string) string {
	switch len(h) {
	case 64:
		return "sha256"
	case 40:
		return "sha1"
	}
	return "md5"
}

// ScanDownloads finds the downloads that the given tag scripts make and
// the hashes they pin: a hex digest within three lines of a URL, a
// checksum file line naming the file, or a digest passed to a download
// script by another script. files maps tag paths to content.
func ScanDownloads(files map[string][]byte) []Download {
	var out []Download
	sums := map[string][]string{} // file base name -> hashes from checksum lists
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		for _, line := range strings.Split(string(files[p]), "\n") {
			if !hasHexRun(line, 32) {
				continue
			}
			if m := sumLine().FindStringSubmatch(line); m != nil {
				n := path.Base(m[2])
				sums[n] = append(sums[n], hashAlgo(m[1])+":"+strings.ToLower(m[1]))
			} else if m := bsdSum().FindStringSubmatch(line); m != nil {
				n := path.Base(m[2])
				sums[n] = append(sums[n], strings.ToLower(m[1])+":"+strings.ToLower(m[3]))
			}
		}
	}
	hexLines := map[string][]string{} // lines holding a digest, per file
	for _, p := range paths {
		for _, line := range strings.Split(string(files[p]), "\n") {
			if hasHexRun(line, 32) {
				hexLines[p] = append(hexLines[p], line)
			}
		}
	}
	for _, p := range paths {
		text := string(files[p])
		lines := strings.Split(text, "\n")
		if !strings.Contains(text, "://") {
			continue
		}
		unpack := strings.Contains(text, "tar") && tarXRe().MatchString(text)
		dir := parentDir(p)
		if unpack {
			if m := tarDirRe().FindStringSubmatch(text); m != nil && !strings.Contains(m[1], "$") {
				dir = path.Clean(path.Join(dir, m[1]))
				if dir == "." {
					dir = ""
				}
			}
		}
		var callerHashes []string
		for _, q := range paths {
			if q == p {
				continue
			}
			for _, line := range hexLines[q] {
				if strings.Contains(line, path.Base(p)) {
					for _, h := range hexRe().FindAllString(line, -1) {
						callerHashes = append(callerHashes, hashAlgo(h)+":"+strings.ToLower(h))
					}
				}
			}
		}
		var vars map[string]string // assignments, read when a URL needs them
		for i, line := range lines {
			if !strings.Contains(line, "://") {
				continue
			}
			for _, u := range urlRe().FindAllString(line, -1) {
				u = strings.TrimRight(u, ".,")
				if vars == nil && strings.ContainsAny(u, "$@") {
					vars = shellAssignments(text)
				}
				d := Download{URL: u, Name: urlName(expandVars(u, vars)), Script: p, Line: i + 1}
				if len(strings.ReplaceAll(d.Name, "*", "")) < 3 {
					continue // no literal name to match
				}
				for j := max(0, i-3); j < min(len(lines), i+4); j++ {
					if !hasHexRun(lines[j], 32) {
						continue
					}
					for _, h := range hexRe().FindAllString(lines[j], -1) {
						if !strings.Contains(u, h) || j != i {
							d.Hashes = append(d.Hashes, hashAlgo(h)+":"+strings.ToLower(h))
						}
					}
				}
				d.Hashes = append(d.Hashes, sums[d.Name]...)
				if len(d.Hashes) == 0 {
					d.Hashes = append(d.Hashes, callerHashes...)
				}
				if unpack && isArchiveName(d.Name) && dir != "" {
					d.UnpackDir = dir
				}
				d.Hashes = uniq(d.Hashes)
				out = append(out, d)
			}
		}
	}
	return out
}

var assignRe = lazyRegexp(`(?m)^\s*(?:export\s+|set\s*\(\s*)?([A-Za-z_][A-Za-z0-9_]*)(?:=|\s+)["']?([^"'\s()]+)["']?\s*\)?\s*$`)

// shellAssignments collects NAME=value (shell) and set(NAME value) (CMake)
// lines with a single-word value.
func shellAssignments(text string) map[string]string {
	vars := map[string]string{}
	for _, m := range assignRe().FindAllStringSubmatch(text, -1) {
		if _, seen := vars[m[1]]; !seen {
			vars[m[1]] = m[2]
		}
	}
	return vars
}

// expandVars replaces $NAME and ${NAME} by their assigned values (two
// rounds, for a value that names another variable).
func expandVars(s string, vars map[string]string) string {
	for round := 0; round < 2; round++ {
		s = shellVar().ReplaceAllStringFunc(s, func(v string) string {
			name := strings.Trim(v, "${}")
			if val, ok := vars[name]; ok && !strings.Contains(val, "://") {
				return val
			}
			return v
		})
	}
	return s
}

// hasHexRun reports whether s holds n hex digits in a row: a cheap filter
// before the digest regular expressions.
func hasHexRun(s string, n int) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' {
			run++
			if run >= n {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

func uniq(s []string) []string {
	sort.Strings(s)
	var out []string
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

func isArchiveName(n string) bool {
	for _, ext := range []string{".tar.gz", ".tgz", ".tar.xz", ".tar.bz2", ".tar.zst", ".tar", ".zip"} {
		if strings.HasSuffix(n, ext) {
			return true
		}
	}
	return false
}

// urlName is the file name a URL saves to; variables become "*".
func urlName(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	n := path.Base(u)
	if n == "." || n == "/" || !strings.Contains(u[strings.Index(u, "//")+2:], "/") {
		return ""
	}
	return shellVar().ReplaceAllString(n, "*")
}

func nameMatches(pattern, name string) bool {
	ok, err := path.Match(pattern, name)
	return err == nil && ok
}

// hashAlgos are the digests a pinned hash may be, in the order a file's
// hashes are matched against the pins.
var hashAlgos = []string{"sha256", "sha1", "md5"}

// fileHash returns "algo:hex" of b for algo sha256, sha1 or md5.
func fileHash(algo string, b []byte) string {
	var sum []byte
	switch algo {
	case "sha256":
		s := sha256.Sum256(b)
		sum = s[:]
	case "sha1":
		s := sha1.Sum(b)
		sum = s[:]
	default:
		s := md5.Sum(b)
		sum = s[:]
	}
	return algo + ":" + hex.EncodeToString(sum)
}

func explainDownloads(in Input, c *collector) {
	if !slices.ContainsFunc(in.TarFiles, func(f TarFile) bool { return !f.InTag }) {
		return // only files the tag lacks can have been downloaded
	}
	scripts := map[string][]byte{}
	for p := range in.TagPaths {
		if !isDownloadScript(p) {
			continue
		}
		if b, ok := in.TagContent(p); ok && len(b) <= maxScript {
			scripts[p] = b
		}
	}
	downloads := ScanDownloads(scripts)
	if len(downloads) == 0 {
		return
	}
	byName := map[string]int{} // literal names -> first download
	var globs []int            // downloads whose name holds a variable
	for i, d := range downloads {
		if strings.Contains(d.Name, "*") {
			globs = append(globs, i)
		} else if _, seen := byName[d.Name]; !seen {
			byName[d.Name] = i
		}
	}
	byHash := map[string]Download{}
	pinned := map[string]bool{} // the algorithms of the pinned hashes: only those are computed
	for _, d := range downloads {
		for _, h := range d.Hashes {
			if _, seen := byHash[h]; !seen {
				byHash[h] = d
			}
			pinned[strings.SplitN(h, ":", 2)[0]] = true
		}
	}
	for _, f := range in.TarFiles {
		if f.InTag {
			continue // a file the tag has is not downloaded
		}
		b, ok := in.TarContent(f.Path)
		if !ok {
			continue
		}
		proved := false
		for _, algo := range hashAlgos {
			if !pinned[algo] {
				continue
			}
			h := fileHash(algo, b)
			if d, ok := byHash[h]; ok {
				c.formats["download"] = true
				c.explain(Explanation{Path: f.Path, Severity: SevInfo,
					Origin: Origin{Kind: KindDownload, Detail: "downloaded by " + d.Script + " and pinned by hash", Source: fmt.Sprintf("%s:%d", d.Script, d.Line), URL: d.URL, Hash: h},
					Reason: "its " + strings.SplitN(h, ":", 2)[0] + " equals the hash " + d.Script + " records"})
				proved = true
				break
			}
		}
		if proved {
			continue
		}
		var named *Download
		if i, ok := byName[path.Base(f.Path)]; ok {
			named = &downloads[i]
		}
		for _, i := range globs {
			if named == nil && nameMatches(downloads[i].Name, path.Base(f.Path)) {
				named = &downloads[i]
			}
		}
		for _, d := range downloads {
			if named == nil && d.UnpackDir != "" && strings.HasPrefix(f.Path, d.UnpackDir+"/") && !isBuildFileName(f.Path) && !isSourceFileName(f.Path) {
				c.formats["download"] = true
				o := Origin{Kind: KindDownloadTree, Detail: "unpacked from " + d.Name, Source: fmt.Sprintf("%s:%d", d.Script, d.Line), URL: d.URL}
				reason := fmt.Sprintf("from %s, an archive %s downloads from %s and unpacks here; the tag pins it by no hash (not re-downloaded offline)", d.Name, d.Script, d.URL)
				if len(d.Hashes) > 0 {
					o.Hash = d.Hashes[0]
					reason = "from a downloaded archive whose hash the tag pins (not re-downloaded offline)"
				}
				c.explain(Explanation{Path: f.Path, Severity: SevMedium, Origin: o, Reason: reason})
				break
			}
		}
		if named != nil {
			d := *named
			c.formats["download"] = true
			if len(d.Hashes) > 0 {
				c.find(Finding{Rule: RuleDownloadHash, Severity: SevHigh, Path: f.Path,
					Message:  fmt.Sprintf("named like the file %s downloads from %s, but its hash matches none the tag pins", d.Script, d.URL),
					Evidence: fmt.Sprintf("%s; pinned %s", fileHash("sha256", b), strings.Join(d.Hashes, ", "))})
			} else {
				c.explain(Explanation{Path: f.Path, Severity: SevMedium,
					Origin: Origin{Kind: KindDownload, Detail: "downloaded by " + d.Script + " (no hash pinned)", Source: fmt.Sprintf("%s:%d", d.Script, d.Line), URL: d.URL},
					Reason: "a script in the tag downloads a file of this name but pins no hash"})
			}
		}
	}
}

// isSourceFileName keeps hand-written C sources out of the "unpacked
// archive" explanation: model data comes as *_data.c/h tables, never
// as a plain .c beside them; a .c or .h only counts when its name says data.
func isSourceFileName(p string) bool {
	b := path.Base(p)
	stem, ext := strings.TrimSuffix(b, path.Ext(b)), path.Ext(b)
	switch ext {
	case ".c", ".h", ".cc", ".cpp", ".rs", ".go", ".py", ".S", ".s":
		return !strings.HasSuffix(stem, "_data") && !strings.HasSuffix(stem, "_constants") && !strings.HasSuffix(stem, "-data")
	}
	return false
}

// isBuildFileName keeps scripts and build inputs out of the "unpacked
// archive" explanation: they are not model data.
func isBuildFileName(p string) bool {
	b := path.Base(p)
	for _, ext := range []string{".sh", ".m4", ".ac", ".am", ".in", ".py", ".pl", ".mk", ".cmake"} {
		if strings.HasSuffix(b, ext) {
			return true
		}
	}
	return b == "configure" || b == "Makefile" || b == "CMakeLists.txt" || b == "meson.build"
}
