package autotools

// Severity ranks how much attention a difference needs, from info to critical.
type Severity string

// The severities, in increasing order.
const (
	SevInfo     Severity = "info"
	SevLow      Severity = "low"
	SevMedium   Severity = "medium"
	SevHigh     Severity = "high"
	SevCritical Severity = "critical"
)

// Rank orders severities: info 0, low 1, medium 2, high 3, critical 4.
// An unknown severity ranks -1.
func (s Severity) Rank() int {
	switch s {
	case SevInfo:
		return 0
	case SevLow:
		return 1
	case SevMedium:
		return 2
	case SevHigh:
		return 3
	case SevCritical:
		return 4
	}
	return -1
}

// maxSev returns the more severe of a and b.
func maxSev(a, b Severity) Severity {
	if b.Rank() > a.Rank() {
		return b
	}
	return a
}
