#!/usr/bin/env bash
# bench/real.sh: tarcheck against the floor on the real-release corpus (issue 18).
#
# Times each release of bench/corpus/releases.tsv once offline (bench/corpus/run.sh with
# MODES=offline; same data layout, see bench/corpus/README.md) and prints, per release, the
# floor (system decompressor to /dev/null + git ls-tree -r of the tag, best of 3), tarcheck's
# wall and CPU time, and both ratios; then the median and the worst ratio.
#
# Usage: [ONLY=regexp] [REPEAT=n] [TARCHECK=bin] [LABEL=name] bench/real.sh
#   ONLY    only the releases whose name matches (e.g. ONLY='^(grep|sed)-' for a quick check)
#   LABEL   run name under $CORPUS/runs (default real); SUMMARY=DIR summarizes a finished run
#           without running anything
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
CORPUS=${CORPUS:-/work/corpus}
export LABEL=${LABEL:-real}
dir=${SUMMARY:-}
if [ -z "$dir" ]; then
  MODES=offline "$here/corpus/run.sh" >&2 || exit $?
  dir=$CORPUS/runs/$LABEL
fi
[ -s "$dir/floor.tsv" ] && [ -s "$dir/runs.tsv" ] || { echo "real.sh: no floor.tsv/runs.tsv in $dir" >&2; exit 2; }
# floor.tsv: name dec-wall lstree-wall floor-wall load floor-cpu
# runs.tsv:  name mode rc wall rss-KiB cpu
awk -F'\t' '
  NR == FNR { fw[$1] = $4; fc[$1] = $6; next }
  $2 == "offline" && ($1 in fw) && fw[$1] > 0 {
    n++; name[n] = $1; rw[n] = $4 / fw[$1]; rc[n] = (fc[$1] > 0 ? $6 / fc[$1] : 0)
    printf "%-28s %7.3f %7.3f %8.3f %8.3f %7.2f %7.2f %3s\n", $1, fw[$1], fc[$1], $4, $6, rw[n], rc[n], $3
  }
  BEGIN { printf "%-28s %7s %7s %8s %8s %7s %7s %3s\n", "release", "floor-s", "flr-cpu", "wall-s", "cpu-s", "wall-x", "cpu-x", "rc" }
  function median(a, n,   i, j, t, b) {
    for (i = 1; i <= n; i++) b[i] = a[i]
    for (i = 2; i <= n; i++) for (j = i; j > 1 && b[j-1] > b[j]; j--) { t = b[j]; b[j] = b[j-1]; b[j-1] = t }
    return n % 2 ? b[(n+1)/2] : (b[n/2] + b[n/2+1]) / 2
  }
  END {
    if (n == 0) { print "real.sh: no timed release" > "/dev/stderr"; exit 2 }
    ww = 1; wc = 1
    for (i = 1; i <= n; i++) { if (rw[i] > rw[ww]) ww = i; if (rc[i] > rc[wc]) wc = i }
    printf "%d releases: wall ratio median %.2fx, worst %.2fx (%s); CPU ratio median %.2fx, worst %.2fx (%s)\n",
      n, median(rw, n), rw[ww], name[ww], median(rc, n), rc[wc], name[wc]
  }' "$dir/floor.tsv" "$dir/runs.tsv"
