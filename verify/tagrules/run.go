package tagrules

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tarcheck/tarcheck/sandbox"
)

// Input is one run of the tag's rules.
type Input struct {
	Tag  Tag
	Jobs []Job
	// Executable reports a tag file with the executable bit (scripts a
	// rule runs directly); nil: none.
	Executable func(path string) bool
	// Runner runs the rules; it should isolate (bwrap or namespaces).
	Runner sandbox.Runner
	// Dir is an empty scratch directory under the cache: the tag's files
	// are written there and it is the sandbox's one writable directory.
	Dir string
	// BlobID is the git blob id of content in the repository's object
	// format (the first 20 bytes of a sha256 id).
	BlobID func(content []byte) [20]byte
	// Vars are more make variables (VERSION, PACKAGE, ...), given on
	// make's command line.
	Vars map[string]string
	// Epoch, when not zero, is SOURCE_DATE_EPOCH (the tagged commit's time).
	Epoch int64
	// Logf, when set, receives one line per job.
	Logf func(format string, args ...any)
}

// Outcome is what one job's rule made.
type Outcome struct {
	Job
	// Reproduced is true when the rule wrote exactly the tarball's bytes.
	Reproduced bool
	// Note says why not ("exit status 2: ...", "different content").
	Note string
}

// rulesFile is the name of the translated makefile written beside each
// Makefile.am.
const rulesFile = ".tarcheck-rules.mk"

// Run writes the files the jobs' rules may read, runs every rule in one
// sandboxed script (make -f, one target at a time, failures kept apart)
// and compares what each wrote with the tarball's bytes. The error is
// non-nil only when the scratch directory or the sandbox failed.
func Run(ctx context.Context, in Input) ([]Outcome, error) {
	if len(in.Jobs) == 0 {
		return nil, nil
	}
	t := newTree(in.Tag)
	root, err := os.OpenRoot(in.Dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	start := time.Now()
	files := t.exportSet(in.Jobs)
	if err := t.write(root, files, in.Executable); err != nil {
		return nil, err
	}
	if in.Logf != nil {
		in.Logf("tag rules: %d tag files written in %s", len(files), time.Since(start).Round(time.Millisecond))
	}
	abs, err := filepath.EvalSymlinks(in.Dir)
	if err != nil {
		return nil, err
	}
	script, logOf, err := t.script(root, abs, in)
	if err != nil {
		return nil, err
	}
	env := []string{"PATH=/usr/local/bin:/usr/bin:/bin", "LC_ALL=C", "TZ=UTC0", "MAKEFLAGS="}
	if in.Epoch != 0 {
		env = append(env, "SOURCE_DATE_EPOCH="+strconv.FormatInt(in.Epoch, 10))
	}
	spec := sandbox.ScriptSpec(abs, script, env, runTimeout)
	spec.CPUTime = runCPUTime
	res, err := in.Runner.Run(ctx, spec)
	if err != nil {
		return nil, fmt.Errorf("running the tag's rules in the %s sandbox: %w", in.Runner.Name(), err)
	}
	if in.Logf != nil {
		in.Logf("tag rules: make ran in %s (timed out: %v)", res.Duration.Round(time.Millisecond), res.TimedOut)
	}
	out := make([]Outcome, len(in.Jobs))
	for i, j := range in.Jobs {
		out[i] = judge(root, logOf[i], j, in.BlobID)
		if in.Logf != nil {
			in.Logf("tag rules: %s (%s:%d): reproduced %v %s", j.Path, j.Makefile, j.Line, out[i].Reproduced, out[i].Note)
		}
	}
	return out, nil
}

// judge compares what job j's rule wrote with the tarball's bytes; log
// is the index of the make that ran it.
func judge(root *os.Root, log int, j Job, blobID func([]byte) [20]byte) Outcome {
	o := Outcome{Job: j}
	c, err := readCapped(root, j.Path)
	if err == nil && blobID(c) == j.ID {
		o.Reproduced = true
		return o
	}
	rc, _ := root.ReadFile(fmt.Sprintf(".tarcheck/%d.rc", log))
	out, _ := root.ReadFile(fmt.Sprintf(".tarcheck/%d.log", log))
	switch {
	case err != nil:
		o.Note = "the rule wrote no file"
	default:
		o.Note = "the rule wrote different content"
	}
	if s := strings.TrimSpace(string(rc)); s != "" {
		o.Note += " (make exit status " + s + ")"
	}
	if l := lastLine(out); l != "" && err != nil {
		o.Note += ": " + l
	}
	return o
}

// readCapped reads a regular file below root without following a
// symlink at its last component, up to maxOutput bytes.
func readCapped(root *os.Root, rel string) ([]byte, error) {
	fi, err := root.Lstat(rel)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() || fi.Size() > maxOutput {
		return nil, errors.New("not a regular file within the cap")
	}
	f, err := root.Open(rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxOutput+1))
}

func lastLine(b []byte) string {
	b = bytes.TrimSpace(b)
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		b = b[i+1:]
	}
	if len(b) > 200 {
		b = b[:200]
	}
	return string(b)
}

// write exports the files below root, within the caps.
func (t *tree) write(root *os.Root, files []string, exec func(string) bool) error {
	var total int64
	for _, p := range files {
		c, ok := t.tag.Read(p)
		if !ok {
			continue
		}
		if total += int64(len(c)); total > maxExportBytes {
			break
		}
		mode := fs.FileMode(0o644)
		if exec != nil && exec(p) {
			mode = 0o755
		}
		if err := writeFile(root, p, c, mode); err != nil {
			return fmt.Errorf("writing %s for the tag's rules: %w", p, err)
		}
	}
	return root.MkdirAll(".tarcheck", 0o755)
}

// writeFile creates rel below root, with its parent directories.
func writeFile(root *os.Root, rel string, c []byte, mode fs.FileMode) error {
	if d := path.Dir(rel); d != "." {
		if err := root.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	f, err := root.OpenFile(rel, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	_, err = f.Write(c)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// script writes each job's translated makefile and returns the shell
// script that runs them, one make -k per makefile for all its targets
// (a failure does not stop the others), and for each job the index of
// its make's log. make's built-in rules are off (-r): a generator that
// must first be compiled (coreutils' make-prime-list) costs seconds and
// is not tried.
func (t *tree) script(root *os.Root, abs string, in Input) (string, []int, error) {
	var order []string
	targets := map[string][]string{}
	logOf := make([]int, len(in.Jobs))
	for i, j := range in.Jobs {
		if _, ok := targets[j.mf.Dir]; !ok {
			order = append(order, j.mf.Dir)
			text := append([]byte(defaultVars(j.mf.Dir, in.Vars)), j.mf.Text...)
			if err := writeFile(root, path.Join(j.mf.Dir, rulesFile), text, 0o644); err != nil {
				return "", nil, err
			}
			// A rule may list the generated Makefile among its inputs.
			if mk := path.Join(j.mf.Dir, "Makefile"); !t.files[mk] {
				if err := writeFile(root, mk, nil, 0o644); err != nil {
					return "", nil, err
				}
			}
		}
		targets[j.mf.Dir] = append(targets[j.mf.Dir], shellQuote(j.Target))
		logOf[i] = slices.Index(order, j.mf.Dir)
	}
	var sb strings.Builder
	// Past the budget, the remaining makefiles are not tried.
	fmt.Fprintf(&sb, "end=$(( $(date +%%s) + %d ))\n", int(runBudget.Seconds()))
	for g, d := range order {
		dir := filepath.Join(abs, filepath.FromSlash(dirOrDot(d)))
		log := filepath.Join(abs, ".tarcheck", strconv.Itoa(g))
		limit := min(jobTimeout*time.Duration(len(targets[d])), runBudget)
		fmt.Fprintf(&sb, "if [ \"$(date +%%s)\" -lt \"$end\" ]; then cd %s && timeout -k 5 %d make -r -k -f %s -- %s >%s 2>&1 || echo $? >%s; else echo 'not tried: over the time budget' >%s; fi\n",
			shellQuote(dir), int(limit.Seconds()), rulesFile, strings.Join(targets[d], " "), shellQuote(log+".log"), shellQuote(log+".rc"), shellQuote(log+".log"))
	}
	return sb.String(), logOf, nil
}

// shellQuote quotes s for /bin/sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// defaultVars are the make variables configure would set for the tools
// the rules name, prepended to each makefile (its own definitions come
// later and win), then extra.
func defaultVars(dir string, extra map[string]string) string {
	awk := "awk"
	for _, a := range []string{"gawk", "mawk", "nawk"} { // AC_PROG_AWK's order
		if _, err := os.Stat("/usr/bin/" + a); err == nil {
			awk = a
			break
		}
	}
	vars := map[string]string{
		"AWK": awk, "SED": "sed", "GREP": "grep", "EGREP": "grep -E", "FGREP": "grep -F",
		"PERL": "perl", "PYTHON": "python3", "SHELL": "/bin/sh", "MKDIR_P": "mkdir -p", "mkdir_p": "mkdir -p",
		"INSTALL": "install", "LN_S": "ln -s", "PATH_SEPARATOR": ":", "am__mv": "mv -f",
		"AM_V_GEN": "", "AM_V_at": "", "AM_V_P": "false", "AM_V_CC": "", "AM_V_CCLD": "",
		"CC": "cc", "CC_FOR_BUILD": "cc", "CPP": "cc -E", "CPP_FOR_BUILD": "cc -E",
		"EXEEXT": "", "EXEEXT_FOR_BUILD": "", "BUILD_EXEEXT": "", "OBJEXT": "o",
		"ASN1PARSER": "asn1Parser",
	}
	for k, v := range pathVars(dir) {
		vars[k] = v
	}
	for k, v := range extra {
		vars[k] = v
	}
	names := make([]string, 0, len(vars))
	for k := range vars {
		names = append(names, k)
	}
	sort.Strings(names)
	var sb strings.Builder
	sb.WriteString("# written by tarcheck: what configure would set\n")
	// A prerequisite that neither exists nor has a rule (a configure
	// output) is taken as made: the rule's output then shows whether it
	// was needed.
	sb.WriteString(".DEFAULT:\n\t@:\n")
	for _, k := range names {
		fmt.Fprintf(&sb, "%s = %s\n", k, vars[k])
	}
	return sb.String()
}
