package tagrules

import "github.com/tarcheck/tarcheck/internal/limits"

// The caps on what a tag's makefiles make this package do.
const (
	maxJobs         = limits.TagRulesMaxJobs
	maxMakefile     = limits.TagRulesMaxMakefile
	maxIncludeDepth = limits.TagRulesMaxIncludeDepth
	maxExpand       = limits.TagRulesMaxExpand
	maxExportFiles  = limits.TagRulesMaxExportFiles
	maxDirFiles     = limits.TagRulesMaxDirFiles
	maxExportBytes  = limits.TagRulesMaxExportBytes
	maxOutput       = limits.TagRulesMaxOutput
	runTimeout      = limits.TagRulesTimeout
	jobTimeout      = limits.TagRulesJobTimeout
	runBudget       = limits.TagRulesBudget
	runCPUTime      = limits.TagRulesCPUTime
	maxParallel     = limits.TagRulesMakeJobs
)

// jobLimit is the time one target adds to its makefile's make (up to
// runBudget): jobTimeout, a variable so that a test can shorten it.
var jobLimit = jobTimeout
