package demo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tarcheck/tarcheck/verify"
	"github.com/tarcheck/tarcheck/verify/report"
)

// Case is one release of the demo and its report.
type Case struct {
	// Title heads the case's report; Command is the verify command it stands for.
	Title, Command string
	Report         *report.Report
}

// Run builds the demo in dir ("" a temporary directory, removed) and
// verifies both releases offline with o (its sources are the demo's). The
// reports name the demo's files, not the directory. It fails with
// verify.KindEnvironment when the demo cannot be built (git missing).
func Run(ctx context.Context, dir string, o verify.Options) ([]Case, error) {
	if dir == "" {
		d, err := os.MkdirTemp("", "tarcheck-demo-")
		if err != nil {
			return nil, verify.Errorf(verify.KindEnvironment, "%v", err)
		}
		defer os.RemoveAll(d)
		dir = d
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, verify.Errorf(verify.KindEnvironment, "%v", err)
	}
	fx, err := Build(ctx, dir)
	if err != nil {
		return nil, verify.Errorf(verify.KindEnvironment, "building the demo: %w", err)
	}
	var cases []Case
	for _, tb := range []struct{ title, path string }{
		{"1/2  the clean release " + filepath.Base(fx.Clean), fx.Clean},
		{"2/2  the tampered release " + filepath.Base(fx.Tampered) + " (xz-style injection)", fx.Tampered},
	} {
		o.Sources = verify.Sources{Tarball: tb.path, Git: fx.Repo, CacheDir: filepath.Join(dir, "cache"), Offline: true}
		o.Trust = verify.Trust{Keyrings: []string{fx.Keyring}}
		r, err := verify.Run(ctx, o)
		if err != nil {
			return nil, err
		}
		r.Tarball.Source = filepath.Base(tb.path)
		r.Git.Source = filepath.Base(fx.Repo)
		for i := range r.Signatures { // show names, not the temporary directory
			if s := r.Signatures[i].Source; s != "" {
				r.Signatures[i].Source = filepath.Base(s)
			}
		}
		cases = append(cases, Case{Title: tb.title, Report: r, Command: fmt.Sprintf("tarcheck verify %s --git %s --keyring %s",
			filepath.Base(tb.path), filepath.Base(fx.Repo), filepath.Base(fx.Keyring))})
	}
	return cases, nil
}

// Header is the text printed before the text report of case i of Run's.
func (c Case) Header(i int) string {
	sep := ""
	if i > 0 {
		sep = "\n"
	}
	return fmt.Sprintf("%s=== tarcheck demo %s\n$ %s\n\n", sep, c.Title, c.Command)
}

// ToldApart reports whether tarcheck told Run's two releases apart: the
// clean one passes and the tampered one fails.
func ToldApart(cases []Case) bool {
	return cases[0].Report.Verdict == report.Pass && cases[1].Report.Verdict == report.Fail
}

// Conclusion is the text printed after the text reports of Run's cases;
// dir is where the demo was kept ("" nowhere).
func Conclusion(cases []Case, dir string) string {
	passed := func(v report.Verdict) string {
		if v == report.Pass {
			return "passes"
		}
		return "fails"
	}
	s := fmt.Sprintf("\nThe clean release %s; the tampered one %s, although both carry valid signatures.\n",
		passed(cases[0].Report.Verdict), passed(cases[1].Report.Verdict))
	if dir != "" {
		s += fmt.Sprintf("The demo files are in %s.\n", dir)
	}
	return s
}
