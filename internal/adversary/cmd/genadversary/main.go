// Command genadversary generates the adversarial release suite of
// internal/adversary and runs a tarcheck binary on it.
//
//	genadversary generate -dir DIR [-only id,id]
//	genadversary verify -dir DIR -tarcheck BIN [-rebuild] [-j N] [-json FILE]
//	genadversary table -dir DIR[,DIR2] -json FILE[,FILE2] [-rebuild]
//
// verify prints a Markdown table (variant → verdict, exit code, the
// injected file's severity, class and reason, caught) and the catch rates.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/tarcheck/tarcheck/internal/adversary"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "genadversary: error: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: genadversary generate|verify -dir DIR ...")
	}
	fl := flag.NewFlagSet("genadversary "+args[0], flag.ContinueOnError)
	dir := fl.String("dir", "", "suite directory")
	only := fl.String("only", "", "generate: comma-separated variant ids (default all)")
	bin := fl.String("tarcheck", "", "verify: tarcheck binary")
	rebuild := fl.Bool("rebuild", false, "verify: pass --rebuild")
	jsonOut := fl.String("json", "", "verify: also write the outcomes as JSON to this file; table: the outcomes to render (comma-separated, one per -dir)")
	jobs := fl.Int("j", 1, "verify: tarcheck runs at a time")
	if err := fl.Parse(args[1:]); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("-dir is required")
	}
	switch args[0] {
	case "generate":
		var o adversary.Options
		if *only != "" {
			o.Only = strings.Split(*only, ",")
		}
		s, err := adversary.GenerateOptions(ctx, *dir, o)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "generated %d variants in %s (base release %v, variants %v)\n",
			len(s.Variants), s.Dir, s.BaseTook.Round(time.Second), s.VariantsTook.Round(time.Second))
		return nil
	case "verify":
		if *bin == "" {
			return errors.New("-tarcheck is required")
		}
		s, err := adversary.LoadSuite(*dir)
		if err != nil {
			return err
		}
		outs := make([]*adversary.Outcome, len(s.Variants))
		errs := make([]error, len(s.Variants))
		sem := make(chan struct{}, max(1, *jobs))
		var wg sync.WaitGroup
		for i, v := range s.Variants {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				o, err := verifyOne(ctx, *bin, s, v, *rebuild)
				if err != nil {
					o = &adversary.Outcome{Variant: v.ID, Rebuild: *rebuild, ExitCode: -1, Verdict: "error"}
				}
				outs[i], errs[i] = o, err
			}()
		}
		wg.Wait()
		writeTable(stdout, s, outs, *rebuild)
		for _, e := range errs {
			if e != nil {
				fmt.Fprintf(stdout, "\nerror: %s\n", e)
			}
		}
		if *jsonOut != "" {
			b, _ := json.MarshalIndent(outs, "", "  ")
			if err := os.WriteFile(*jsonOut, append(b, '\n'), 0o644); err != nil {
				return err
			}
		}
		return nil
	case "table":
		if *jsonOut == "" {
			return errors.New("-json is required")
		}
		return table(stdout, strings.Split(*dir, ","), strings.Split(*jsonOut, ","), *rebuild)
	}
	return fmt.Errorf("unknown command %q (want generate, verify or table)", args[0])
}

// table renders saved outcomes (verify -json) of one or more suites as one
// table: the variants of the later suites (e.g. one added after a long
// --rebuild run) go after the last variant of their family.
func table(w io.Writer, dirs, jsonFiles []string, rebuild bool) error {
	if len(dirs) != len(jsonFiles) {
		return fmt.Errorf("table: %d -dir values but %d -json files", len(dirs), len(jsonFiles))
	}
	merged := &adversary.Suite{}
	var outs []*adversary.Outcome
	for i, dir := range dirs {
		s, err := adversary.LoadSuite(dir)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(jsonFiles[i])
		if err != nil {
			return err
		}
		var o []*adversary.Outcome
		if err := json.Unmarshal(b, &o); err != nil {
			return fmt.Errorf("%s: %w", jsonFiles[i], err)
		}
		byID := map[string]*adversary.Outcome{}
		for _, x := range o {
			byID[x.Variant] = x
		}
		for _, v := range s.Variants {
			x := byID[v.ID]
			if x == nil || (i > 0 && v.Family == adversary.FamilyControl) {
				continue
			}
			at := len(merged.Variants)
			for j, m := range merged.Variants {
				if m.Family == v.Family {
					at = j + 1
				}
			}
			merged.Variants = append(merged.Variants[:at], append([]adversary.Variant{v}, merged.Variants[at:]...)...)
			outs = append(outs[:at], append([]*adversary.Outcome{x}, outs[at:]...)...)
		}
	}
	writeTable(w, merged, outs, rebuild)
	return nil
}

// verifyOne runs `tarcheck verify --format json` on v.
func verifyOne(ctx context.Context, bin string, s *adversary.Suite, v adversary.Variant, rebuild bool) (*adversary.Outcome, error) {
	args := []string{"verify", v.Tarball, "--git", s.Repo, "--tag", s.Tag, "--format", "json",
		"--offline", "--no-progress", "--cache-dir", filepath.Join(s.Dir, "cache", v.ID)}
	if rebuild {
		args = append(args, "--rebuild")
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		return nil, fmt.Errorf("%s: %w", v.ID, err)
	}
	if code != 0 && code != 1 {
		return nil, fmt.Errorf("%s: tarcheck exit %d: %s", v.ID, code, strings.TrimSpace(stderr.String()))
	}
	return adversary.Judge(v, stdout.Bytes(), code, rebuild)
}

// writeTable prints the Markdown table and the catch rates.
func writeTable(w io.Writer, s *adversary.Suite, outs []*adversary.Outcome, rebuild bool) {
	mode := "default"
	if rebuild {
		mode = "--rebuild"
	}
	fmt.Fprintf(w, "### tarcheck verify %s\n\n", mode)
	fmt.Fprintln(w, "| variant | family | trigger | verdict | exit | injected path | status | class | severity | top finding | reason | caught | expected |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	byID := map[string]adversary.Variant{}
	for _, v := range s.Variants {
		byID[v.ID] = v
	}
	type rate struct{ caught, total int }
	fam := map[string]*rate{}
	var famOrder []string
	var all, nonRegen rate
	for _, o := range outs {
		v := byID[o.Variant]
		yes := func(b bool) string {
			if b {
				return "yes"
			}
			return "no"
		}
		finding := o.Rule
		if finding != "" {
			finding += " " + o.FindingSeverity
		}
		sev := o.Severity
		if o.RebuildStatus != "" && o.RebuildStatus != "not-attempted" {
			sev += " (rebuild: " + o.RebuildStatus + ")"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %d | `%s` | %s | %s | %s | %s | %s | %s | %s |\n",
			o.Variant, v.Family, v.Trigger, o.Verdict, o.ExitCode, o.Path, o.Status, o.Class, sev, finding,
			cell(o.Reason), yes(o.Caught), yes(o.Expected))
		if v.Family == adversary.FamilyControl {
			continue
		}
		if fam[v.Family] == nil {
			fam[v.Family] = &rate{}
			famOrder = append(famOrder, v.Family)
		}
		for _, r := range []*rate{fam[v.Family], &all} {
			r.total++
			if o.Caught {
				r.caught++
			}
		}
		if v.Family != adversary.FamilyRegenerated {
			nonRegen.total++
			if o.Caught {
				nonRegen.caught++
			}
		}
	}
	pct := func(r rate) string {
		if r.total == 0 {
			return "-"
		}
		return fmt.Sprintf("%d/%d (%d %%)", r.caught, r.total, 100*r.caught/r.total)
	}
	fmt.Fprintf(w, "\nCaught (%s): %s of all variants; %s of variants whose injected file is not a regenerated output.\n", mode, pct(all), pct(nonRegen))
	for _, f := range famOrder {
		fmt.Fprintf(w, "- %s: %s\n", f, pct(*fam[f]))
	}
	fmt.Fprintln(w)
}

// cell makes text safe in a Markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 140 {
		s = s[:137] + "..."
	}
	return s
}
