package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/tarcheck/tarcheck/verify/render/escape"
	"github.com/tarcheck/tarcheck/verify/report"
)

// Entry is one release of a batch run: its report, or the error that kept
// it from being verified.
type Entry struct {
	// Name is the release's name in the manifest (untrusted).
	Name string
	// Report is nil when the release could not be verified.
	Report *report.Report
	// ExitCode is the release's own exit code.
	ExitCode int
	// Error and Hint describe why Report is nil.
	Error, Hint string
	// ToolVersion names tarcheck in the run of a release without a report.
	ToolVersion string
	// Index is the release's position in the manifest (0-based), the
	// JSON Lines record's "index": shards' records merge by it.
	Index int
}

// Verdict is "pass", "fail" or "error" (no report).
func (e *Entry) Verdict() string {
	if e.Report == nil {
		return "error"
	}
	return string(e.Report.Outcome().Verdict)
}

// Highest is the highest severity of the report, "-" when none.
func (e *Entry) Highest() string {
	if e.Report != nil {
		if max, ok := e.Report.MaxSeverity(); ok {
			return max.String()
		}
	}
	return "-"
}

// Signatures is the signature outcome of the release, "subject status"
// per signature checked ("tarball valid, tag missing"), "-" when none.
func (e *Entry) Signatures() string {
	if e.Report == nil || len(e.Report.Signatures) == 0 {
		return "-"
	}
	parts := make([]string, len(e.Report.Signatures))
	for i, s := range e.Report.Signatures {
		parts[i] = s.Subject + " " + s.Status
	}
	return strings.Join(parts, ", ")
}

// BatchEntry writes one release's part of a batch output in format: for
// json a JSON Lines record (the report with "name" and "exit_code" first, or
// {"name","exit_code","error"[,"hint"]}); for sarif one compact run (see
// BatchSARIF); for text and markdown a heading and the report or the error.
func BatchEntry(w io.Writer, format string, e *Entry, o Options) error {
	switch format {
	case "json":
		return jsonLine(w, e)
	case "sarif":
		return sarifBatchRun(w, e)
	case "markdown", "text":
		if o.SummaryOnly {
			return nil
		}
	}
	switch format {
	case "markdown":
		fmt.Fprintf(w, "## %s\n\n", mdText(e.Name))
		if e.Report == nil {
			fmt.Fprintf(w, "**ERROR** (exit code %d): %s\n\n", e.ExitCode, mdText(e.Error))
			return nil
		}
		if err := Markdown(w, e.Report); err != nil {
			return err
		}
		_, err := io.WriteString(w, "\n")
		return err
	case "text":
		fmt.Fprintf(w, "=== %s\n", escape.Text(e.Name))
		if e.Report == nil {
			fmt.Fprintf(w, "error (exit code %d): %s\n\n", e.ExitCode, escape.Line(e.Error))
			return nil
		}
		if err := Text(w, e.Report, o); err != nil {
			return err
		}
		_, err := io.WriteString(w, "\n")
		return err
	}
	return fmt.Errorf("%w %q (want text, json, sarif or markdown)", ErrUnknownFormat, format)
}

// BatchEnd writes what follows the entries: for text and markdown a summary
// table of the entries, for sarif the one SARIF log whose runs are the
// entries' parts (runs, in order); json has none.
func BatchEnd(w io.Writer, format string, entries []*Entry, runs [][]byte, worst int) error {
	switch format {
	case "text":
		batchSummaryText(w, entries, worst)
	case "markdown":
		batchSummaryMarkdown(w, entries, worst)
	case "sarif":
		return batchSARIF(w, runs)
	}
	return nil
}

// jsonLine writes one JSON Lines record.
func jsonLine(w io.Writer, e *Entry) error {
	type head struct {
		Name     string `json:"name"`
		ExitCode int    `json:"exit_code"`
		Index    int    `json:"index"`
	}
	var v any
	if e.Report == nil {
		v = struct {
			head
			Error string `json:"error,omitempty"`
			Hint  string `json:"hint,omitempty"`
		}{head{e.Name, e.ExitCode, e.Index}, e.Error, e.Hint}
	} else {
		v = struct {
			head
			*report.Report
		}{head{e.Name, e.ExitCode, e.Index}, normalized(e.Report)}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("writing json line: %w", err)
	}
	return nil
}

// sarifRunOf is a run of a multi-run log, its keys in the order a batch
// log has always had (sorted).
type sarifRunOf struct {
	AutomationDetails sarifAutomation   `json:"automationDetails"`
	Invocations       []sarifInvocation `json:"invocations,omitempty"`
	Properties        map[string]any    `json:"properties,omitempty"`
	Results           []sarifResult     `json:"results"`
	Tool              sarifToolOf       `json:"tool"`
}

type sarifAutomation struct {
	ID string `json:"id"`
}

type sarifToolOf struct {
	Driver any `json:"driver"`
}

// sarifErrorDriver is the driver of a run without results.
type sarifErrorDriver struct {
	InformationURI string `json:"informationUri"`
	Name           string `json:"name"`
	Version        string `json:"version"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ExitCode                   int                 `json:"exitCode"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications"`
}

type sarifNotification struct {
	Level   string            `json:"level"`
	Message map[string]string `json:"message"`
}

// sarifBatchRun writes the release's run as one compact JSON value: the run
// SARIF writes with automationDetails.id "tarcheck/<name>/" (so that code
// scanning keeps the runs apart), or, when the release could not be
// verified, a run whose invocation failed with the error.
func sarifBatchRun(w io.Writer, e *Entry) error {
	run := sarifRunOf{AutomationDetails: sarifAutomation{"tarcheck/" + e.Name + "/"}, Results: []sarifResult{}}
	if e.Report == nil {
		run.Tool.Driver = sarifErrorDriver{InformationURI: InformationURI, Name: "tarcheck", Version: e.ToolVersion}
		run.Invocations = []sarifInvocation{{ExitCode: e.ExitCode, ToolExecutionNotifications: []sarifNotification{
			{Level: "error", Message: map[string]string{"text": e.Error}}}}}
	} else {
		one := buildSARIF(e.Report).Runs[0]
		run.Tool.Driver, run.Results, run.Properties = one.Tool.Driver, one.Results, one.Properties
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(run); err != nil {
		return fmt.Errorf("sarif run of %s: %w", e.Name, err)
	}
	return nil
}

// batchSARIF writes one SARIF 2.1.0 log whose runs are the given compact runs, in order.
func batchSARIF(w io.Writer, runs [][]byte) error {
	raw := make([]json.RawMessage, 0, len(runs))
	for _, r := range runs {
		raw = append(raw, json.RawMessage(bytes.TrimSpace(r)))
	}
	doc := struct {
		Schema  string            `json:"$schema"`
		Version string            `json:"version"`
		Runs    []json.RawMessage `json:"runs"`
	}{SARIFSchemaURI, SARIFVersion, raw}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("writing sarif log: %w", err)
	}
	return nil
}

func verdictCounts(entries []*Entry) map[string]int {
	counts := map[string]int{}
	for _, e := range entries {
		counts[e.Verdict()]++
	}
	return counts
}

func batchSummaryText(w io.Writer, entries []*Entry, worst int) {
	counts := verdictCounts(entries)
	fmt.Fprintf(w, "=== summary: %d releases: %d pass, %d fail, %d error; exit code %d\n",
		len(entries), counts["pass"], counts["fail"], counts["error"], worst)
	if len(entries) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tVERDICT\tHIGHEST\tEXIT\tSIGNATURES")
	for _, e := range entries {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", escape.Text(e.Name), e.Verdict(), e.Highest(), e.ExitCode, escape.Text(e.Signatures()))
	}
	tw.Flush()
}

func batchSummaryMarkdown(w io.Writer, entries []*Entry, worst int) {
	counts := verdictCounts(entries)
	fmt.Fprintf(w, "## tarcheck batch summary\n\n%d releases: %d pass, %d fail, %d error; exit code %d.\n\n",
		len(entries), counts["pass"], counts["fail"], counts["error"], worst)
	if len(entries) == 0 {
		return
	}
	fmt.Fprintf(w, "| release | verdict | highest severity | exit code | signatures |\n|---|---|---|---:|---|\n")
	for _, e := range entries {
		v := e.Verdict()
		if v != "pass" {
			v = "**" + strings.ToUpper(v) + "**"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %d | %s |\n", mdText(e.Name), v, e.Highest(), e.ExitCode, mdText(e.Signatures()))
	}
}
