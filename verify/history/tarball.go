package history

import (
	"fmt"
	"sort"
)

// TarballDrift returns the files only in this release's tarball (cur: the
// only_in_tarball paths, root-stripped) that were not only-in-tarball in the
// previous release's tarball (prev, from the same comparison run on
// --previous-tarball against the previous tag), sorted, and a grouped info
// finding when there are any. Each file keeps its own classification; this
// says which of them are new in this release.
func TarballDrift(cur, prev []string, previousTag string) ([]string, []Finding) {
	old := make(map[string]bool, len(prev))
	for _, p := range prev {
		old[p] = true
	}
	var out []string
	seen := map[string]bool{}
	for _, p := range cur {
		if !old[p] && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		return []string{}, nil
	}
	return out, []Finding{{Rule: RuleTarballDrift, Severity: SevInfo, Path: out[0],
		Message:  fmt.Sprintf("%d files only in this tarball were not only-in-tarball in the tarball of %s", len(out), previousTag),
		Evidence: []string{listText(out, 20)}}}
}
