package report

import (
	"runtime/debug"
	"strings"
)

// VersionOf is the module version of bi and a detail line (VCS revision,
// commit time, modified, Go version). A binary built from a work tree, whose
// module version is "(devel)", is named by its revision as Go names one
// (v0.0.0-TIME-REVISION); only a binary without any VCS information is "devel".
func VersionOf(bi *debug.BuildInfo) (v, detail string) {
	if bi == nil {
		return "devel", ""
	}
	set := map[string]string{}
	for _, s := range bi.Settings {
		set[s.Key] = s.Value
	}
	rev, when := set["vcs.revision"], set["vcs.time"]
	v = bi.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
		if len(rev) >= 12 {
			stamp := strings.NewReplacer("-", "", ":", "", "T", "", "Z", "").Replace(when)
			if len(stamp) != 14 {
				stamp = "00000000000000"
			}
			v = "v0.0.0-" + stamp + "-" + rev[:12]
			if set["vcs.modified"] == "true" {
				v += "+dirty"
			}
		}
	}
	var parts []string
	if rev != "" {
		parts = append(parts, "revision "+rev)
	}
	if when != "" {
		parts = append(parts, when)
	}
	if set["vcs.modified"] == "true" {
		parts = append(parts, "modified")
	}
	if bi.GoVersion != "" {
		parts = append(parts, bi.GoVersion)
	}
	return v, strings.Join(parts, ", ")
}

// Version is VersionOf the running binary's build information.
func Version() (v, detail string) {
	bi, _ := debug.ReadBuildInfo()
	return VersionOf(bi)
}

// VersionLine is what `tarcheck version` and `tarcheck --version` print:
// the version and, when known, its detail in parentheses.
func VersionLine() string {
	v, detail := Version()
	if detail != "" {
		return "tarcheck " + v + " (" + detail + ")\n"
	}
	return "tarcheck " + v + "\n"
}
