package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/tarcheck/tarcheck/verify/report"
)

// ExplainRule writes what `tarcheck explain RULE` prints: the rule's id and
// name, default severity, description (what it detects and why it
// matters) and help (how to resolve or accept it), from the same catalogue
// the SARIF rules use.
func ExplainRule(w io.Writer, r report.Rule) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s (default severity %s)\n  %s\n\n", r.ID, r.Name, r.Severity, r.Short)
	fmt.Fprintf(&b, "Why it matters:\n%s\n", indentWrap(r.Full))
	if r.Help != "" {
		fmt.Fprintf(&b, "\nWhat to do:\n%s\n", indentWrap(r.Help))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// FindRule looks a rule up by id ("TC301", "tc301") or name
// ("SourceDiffersFromTag", case-insensitive).
func FindRule(q string) (report.Rule, bool) {
	for _, r := range report.Rules() {
		if strings.EqualFold(r.ID, q) || strings.EqualFold(r.Name, q) {
			return r, true
		}
	}
	return report.Rule{}, false
}

// indentWrap wraps s at 76 columns, indented by two spaces.
func indentWrap(s string) string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		if line != "" && len(line)+1+len(w) > 76 {
			lines = append(lines, "  "+line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		lines = append(lines, "  "+line)
	}
	return strings.Join(lines, "\n")
}

// ExplainClass writes what `tarcheck explain CLASS` prints: the class's
// meaning and, when its findings have one rule, that rule's explanation.
func ExplainClass(w io.Writer, c report.Class) error {
	if _, err := fmt.Fprintf(w, "class %s\n%s\n", c.Name, indentWrap(c.Text)); err != nil {
		return err
	}
	if c.Rule == "" {
		return nil
	}
	r, _ := report.LookupRule(c.Rule)
	if _, err := fmt.Fprintf(w, "\nIts findings use rule %s:\n\n", r.ID); err != nil {
		return err
	}
	return ExplainRule(w, r)
}

// Explain writes the explanation of a rule (id or name) or a class, or
// returns an error naming the query and how to list the known ones.
func Explain(w io.Writer, q string) error {
	if r, ok := FindRule(q); ok {
		return ExplainRule(w, r)
	}
	if c, ok := report.LookupClass(strings.ToLower(q)); ok {
		return ExplainClass(w, c)
	}
	return fmt.Errorf("%q is neither a rule (TC101 to TC702, or a name like SourceDiffersFromTag) nor a class (generated, source-modified, ...); `tarcheck explain --list` lists them", q)
}

// ExplainList writes every rule id with its short description, then every class.
func ExplainList(w io.Writer) error {
	var b strings.Builder
	b.WriteString("Rules:\n")
	for _, r := range report.Rules() {
		fmt.Fprintf(&b, "  %s  %-8s %s\n", r.ID, r.Severity, r.Short)
	}
	b.WriteString("\nClasses:\n")
	for _, c := range report.Classes() {
		fmt.Fprintf(&b, "  %s\n", c.Name)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
