package render

import (
	"fmt"
	"io"
	"testing"

	"github.com/tarcheck/tarcheck/verify/report"
)

// largeReport has 10000 differing files and 1000 findings.
func largeReport() *report.Report {
	r := sampleReport()
	r.Files = nil
	r.Findings = nil
	for i := range 10000 {
		r.Files = append(r.Files, report.FileDiff{
			Path: fmt.Sprintf("src/dir%03d/file%05d.c", i%100, i), Status: report.ContentDiffers,
			Class: "source", Severity: report.Severity(i % 5), Reason: "source file differs from the tag",
			Diff: "--- a\n+++ b\n@@ -1 +1 @@\n-old\n+new\n",
		})
	}
	for i := range 1000 {
		r.Findings = append(r.Findings, report.Finding{
			Rule: fmt.Sprintf("TC%d", 301+i%7), Severity: report.Severity(i % 5),
			Path: fmt.Sprintf("src/dir%03d/file%05d.c", i%100, i), Message: "source file differs from the tag",
			Evidence: []string{fmt.Sprintf("%d: some line", i+1)},
		})
	}
	r.Decide()
	return r
}

func BenchmarkRender(b *testing.B) {
	r := largeReport()
	for _, format := range Formats() {
		b.Run(format, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := Render(io.Discard, format, r, Options{Verbose: true}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
