package tagrules

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
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
	// OpenRunner, when Runner is nil, opens the sandbox: Run calls it
	// while it packs the tag's files, so that the backend's probe costs no
	// wall time. Its error is Run's.
	OpenRunner func(context.Context) (sandbox.Runner, error)
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
	// CacheDir, when set, keeps the jobs a run reproduced, by a hash of
	// all the run reads (the packed tag files and translated makefiles,
	// the script, the environment) and of the tarball bytes each job must
	// match: a run with the same key takes them as reproduced and runs
	// only the others (coreutils' gen-single-binary.sh alone starts ~1,400
	// processes). A job not reproduced is always run again.
	CacheDir string
}

// openedRunner is what Input.OpenRunner returned.
type openedRunner struct {
	runner sandbox.Runner
	err    error
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
	abs, err := filepath.EvalSymlinks(in.Dir)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	var opened chan openedRunner
	if in.Runner == nil && in.OpenRunner != nil {
		opened = make(chan openedRunner, 1)
		go func() {
			r, err := in.OpenRunner(ctx)
			opened <- openedRunner{r, err}
		}()
	}
	files := t.exportSet(in.Jobs)
	err = t.writeTar(root, files, in)
	env := []string{"PATH=/usr/local/bin:/usr/bin:/bin", "LC_ALL=C", "TZ=UTC0", "MAKEFLAGS="}
	if in.Epoch != 0 {
		env = append(env, "SOURCE_DATE_EPOCH="+strconv.FormatInt(in.Epoch, 10))
	}
	key, jobs, known := "", in.Jobs, []Outcome(nil)
	if err == nil {
		key, jobs, known, err = t.fromCache(root, env, in)
		if err == nil && len(jobs) == 0 {
			return known, nil // the sandbox being opened is not waited for (opened is buffered)
		}
	}
	if opened != nil {
		o := <-opened
		if o.err != nil {
			return nil, o.err
		}
		in.Runner = o.runner
	}
	if err != nil {
		return nil, err
	}
	if in.Runner == nil {
		return nil, errors.New("tag rules: no sandbox runner")
	}
	if in.Logf != nil {
		in.Logf("tag rules: %d tag files packed in %s", len(files), time.Since(start).Round(time.Millisecond))
	}
	// The tree is unpacked in the sandbox's private /tmp (a tmpfs: a
	// slow disk pays one file, not thousands); without isolation ("none")
	// /tmp is the host's, so it goes into the scratch directory instead.
	work := "/tmp/tarcheck-rules"
	if sandbox.Unsafe(in.Runner) {
		work = filepath.Join(abs, "tree")
	}
	spec := sandbox.ScriptSpec(abs, t.script(abs, work, jobs), env, runTimeout)
	spec.CPUTime = runCPUTime
	res, err := in.Runner.Run(ctx, spec)
	if err != nil {
		return nil, fmt.Errorf("running the tag's rules in the %s sandbox: %w", in.Runner.Name(), err)
	}
	if in.Logf != nil {
		in.Logf("tag rules: make ran in %s (timed out: %v)", res.Duration.Round(time.Millisecond), res.TimedOut)
		if res.ExitCode != 0 {
			in.Logf("tag rules: the script exited %d: %s", res.ExitCode, lastLine(res.Output))
		}
	}
	ran := make(map[string]Outcome, len(jobs))
	groupOf, _ := groups(jobs)
	for i, j := range jobs {
		o := judge(root, groupOf[i], j, in.BlobID)
		ran[j.Path] = o
		if in.Logf != nil {
			in.Logf("tag rules: %s (%s:%d): reproduced %v %s", j.Path, j.Makefile, j.Line, o.Reproduced, o.Note)
		}
	}
	out := merged(in.Jobs, ran)
	if key != "" {
		store(in.CacheDir, key, out)
	}
	return out, nil
}

// fromCache returns, with a cache, the run's key, the jobs that must run
// and those an earlier run with the same key reproduced (known); without
// one, all the jobs run.
func (t *tree) fromCache(root *os.Root, env []string, in Input) (key string, jobs []Job, known []Outcome, err error) {
	if in.CacheDir == "" {
		return "", in.Jobs, nil, nil
	}
	if key, err = runKey(root, t.script("/scratch", "/work", in.Jobs), env, in.Jobs); err != nil {
		return "", nil, nil, err
	}
	done := cached(in.CacheDir, key)
	for _, j := range in.Jobs {
		if done[j.Path] {
			known = append(known, Outcome{Job: j, Reproduced: true})
		} else {
			jobs = append(jobs, j)
		}
	}
	if len(known) > 0 && in.Logf != nil {
		in.Logf("tag rules: %d of %d files reproduced by an earlier run of the same rules on the same files (cache %s)", len(known), len(in.Jobs), key[:12])
	}
	return key, jobs, known, nil
}

// merged is the outcome of every job, in order: those run (by path), the
// others known reproduced.
func merged(all []Job, ran map[string]Outcome) []Outcome {
	out := make([]Outcome, 0, len(all))
	for _, j := range all {
		if o, ok := ran[j.Path]; ok {
			out = append(out, o)
		} else {
			out = append(out, Outcome{Job: j, Reproduced: true})
		}
	}
	return out
}

// judge compares what job j's rule wrote with the tarball's bytes; log
// is the index of the make that ran it.
func judge(root *os.Root, log int, j Job, blobID func([]byte) [20]byte) Outcome {
	o := Outcome{Job: j}
	c, err := readCapped(root, path.Join("out", j.Path))
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

// writeTar packs the export set, each makefile translated for make
// (rulesFile, the variables configure would set first) and an empty
// Makefile where the tag has none (a rule may list it among its inputs)
// into export.tar below root, within the caps.
func (t *tree) writeTar(root *os.Root, files []string, in Input) error {
	f, err := root.OpenFile("export.tar", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(f)
	add := func(name string, c []byte, mode int64) error {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: mode, Size: int64(len(c)), Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
			return err
		}
		_, err := tw.Write(c)
		return err
	}
	var total int64
	var werr error
	// write adds one file; false once the export is full or failed.
	write := func(p string, c []byte) bool {
		if total += int64(len(c)); total > maxExportBytes {
			return false
		}
		mode := int64(0o644)
		if in.Executable != nil && in.Executable(p) {
			mode = 0o755
		}
		werr = add(p, c, mode)
		return werr == nil
	}
	if t.tag.ReadMany != nil {
		t.tag.ReadMany(files, func(i int, c []byte, ok bool) bool { return !ok || write(files[i], c) })
	} else {
		for _, p := range files {
			if c, ok := t.tag.Read(p); ok && !write(p, c) {
				break
			}
		}
	}
	if werr != nil {
		f.Close()
		return werr
	}
	var order []string
	for _, j := range in.Jobs {
		if !slices.Contains(order, j.mf.Dir) {
			order = append(order, j.mf.Dir)
			text := append([]byte(defaultVars(j.mf.Dir, in.Vars)), j.mf.Text...)
			err := add(path.Join(j.mf.Dir, rulesFile), text, 0o644)
			if mk := path.Join(j.mf.Dir, "Makefile"); err == nil && !t.files[mk] {
				err = add(mk, nil, 0o644)
			}
			if err != nil {
				f.Close()
				return err
			}
		}
	}
	err = tw.Close()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing the tag's files for its rules: %w", err)
	}
	return root.MkdirAll(".tarcheck", 0o755)
}

// groups gives each job the index of its makefile's make (one per
// makefile directory, in the jobs' order), and the directories in order.
func groups(jobs []Job) (groupOf []int, order []string) {
	groupOf = make([]int, len(jobs))
	for i, j := range jobs {
		g := slices.Index(order, j.mf.Dir)
		if g < 0 {
			g, order = len(order), append(order, j.mf.Dir)
		}
		groupOf[i] = g
	}
	return groupOf, order
}

// script is the shell script that unpacks export.tar into work, runs one
// make -k per makefile for all its targets, side by side (-j: a slow
// generator does not hold the others back, and its time limit kills only
// what is still running), and copies each target it made back to out/
// below the scratch directory abs. make's built-in rules are off (-r): a
// generator that must first be compiled (coreutils' make-prime-list)
// costs seconds and is not tried. Make g logs to .tarcheck/g.log, its
// failing exit status to .tarcheck/g.rc.
func (t *tree) script(abs, work string, jobs []Job) string {
	groupOf, order := groups(jobs)
	targets := make([][]string, len(order))
	for i, j := range jobs {
		targets[groupOf[i]] = append(targets[groupOf[i]], shellQuote(j.Target))
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "mkdir -p %s && tar -xf %s -C %s\n", shellQuote(work), shellQuote(filepath.Join(abs, "export.tar")), shellQuote(work))
	// Past the budget, the remaining makefiles are not tried.
	fmt.Fprintf(&sb, "end=$(( $(date +%%s) + %d ))\n", int(runBudget.Seconds()))
	for g, d := range order {
		dir := path.Join(work, dirOrDot(d))
		log := filepath.Join(abs, ".tarcheck", strconv.Itoa(g))
		limit := min(jobLimit*time.Duration(len(targets[g])), runBudget)
		par := min(len(targets[g]), maxParallel)
		fmt.Fprintf(&sb, "if [ \"$(date +%%s)\" -lt \"$end\" ]; then cd %s && timeout -k 5 %d make -r -k -j%d -f %s -- %s >%s 2>&1 || echo $? >%s; else echo 'not tried: over the time budget' >%s; fi\n",
			shellQuote(dir), int(limit.Seconds()), par, rulesFile, strings.Join(targets[g], " "), shellQuote(log+".log"), shellQuote(log+".rc"), shellQuote(log+".log"))
	}
	for _, j := range jobs {
		src, dst := shellQuote(path.Join(work, j.Path)), shellQuote(filepath.Join(abs, "out", j.Path))
		fmt.Fprintf(&sb, "if [ -f %s ] && [ ! -L %s ]; then mkdir -p %s && cp %s %s; fi\n",
			src, src, shellQuote(filepath.Dir(filepath.Join(abs, "out", j.Path))), src, dst)
	}
	return sb.String()
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
		"AM_V_GEN": "", "AM_V_at": "", "AM_V_P": "false", "AM_V_CC": "", "AM_V_CCLD": "", "AM_DEFAULT_VERBOSITY": "1",
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
