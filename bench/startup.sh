#!/usr/bin/env bash
# bench/startup.sh: tarcheck's start-up (issue 18), what every verify pays before its first byte.
#
# Prints, per binary: the wall time of `tarcheck version` (hyperfine when installed, else the
# minimum of RUNS runs of bash's `time`), the package inits of `GODEBUG=inittrace=1` (the
# minimum over RUNS runs per package: clock ms, then bytes and allocations, which are exact),
# their sum and the TOP most costly. Several binaries are measured interleaved (a, b, a, b, ...)
# so that the load of a shared machine falls on each alike.
#
# Usage: [RUNS=n] [TOP=n] bench/startup.sh [BINARY...]
#   BINARY  tarcheck binaries to compare (default: built from this tree into a temporary file)
#   RUNS    runs per binary (default 30)
#   TOP     package inits listed per binary (default 12)
# Go benchmarks measure the rest: the command tree after the inits, and each embedded
# database's first use:
#   go test -run '^$' -bench Startup ./cmd/tarcheck
#   go test -run '^$' -bench 'OpenEmbedded|OpenBaseline|M4IndexLoad|BaselineLoad' ./autotools/...
#   go test -run '^$' -bench 'DefaultCatalog' ./toolchain
# Results of issue 18's start-up work: bench/startup-results.md.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
RUNS=${RUNS:-30}
TOP=${TOP:-12}
bins=("$@")
if [ ${#bins[@]} -eq 0 ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$top" && go build -o "$tmp/tarcheck" ./cmd/tarcheck) || { echo "startup.sh: go build failed" >&2; exit 2; }
  bins=("$tmp/tarcheck")
fi
for b in "${bins[@]}"; do
  [ -x "$b" ] || { echo "startup.sh: $b is not an executable" >&2; exit 2; }
done

echo "== tarcheck version: wall time"
if command -v hyperfine >/dev/null; then
  cmds=()
  for b in "${bins[@]}"; do cmds+=("$b version"); done
  hyperfine -N -w 5 -r "$RUNS" "${cmds[@]}" 2>&1 | grep -E 'Benchmark|Time|Range'
else
  TIMEFORMAT=%3R
  for b in "${bins[@]}"; do : >"/tmp/startup.$$.$(basename "$b")"; done
  for _ in $(seq "$RUNS"); do
    for b in "${bins[@]}"; do
      { time "$b" version >/dev/null; } 2>>"/tmp/startup.$$.$(basename "$b")"
    done
  done
  for b in "${bins[@]}"; do
    f=/tmp/startup.$$.$(basename "$b")
    sort -g "$f" | awk -v b="$b" '{a[NR]=$1; s+=$1} END {printf "%s: min %.1f ms, median %.1f ms, mean %.1f ms over %d runs\n", b, a[1]*1000, a[int((NR+1)/2)]*1000, s/NR*1000, NR}'
    rm -f "$f"
  done
fi

# one file of inittrace lines per binary, runs interleaved
declare -A trace
for b in "${bins[@]}"; do trace[$b]=$(mktemp); done
for _ in $(seq "$RUNS"); do
  for b in "${bins[@]}"; do
    GODEBUG=inittrace=1 "$b" version 2>>"${trace[$b]}" >/dev/null
  done
done
for b in "${bins[@]}"; do
  echo
  echo "== $b: package inits (GODEBUG=inittrace=1, minimum of $RUNS runs per package)"
  # init PKG @T ms, C ms clock, B bytes, A allocs
  awk -v top="$TOP" '
    $1 == "init" { k = $2; if (!(k in ms) || $5 < ms[k]) ms[k] = $5; by[k] = $8; al[k] = $10 }
    END {
      for (k in ms) { n++; s += ms[k]; sb += by[k]; sa += al[k] }
      printf "sum of %d inits: %.2f ms, %d bytes, %d allocs\n", n, s, sb, sa
      for (k in ms) printf "%8.3f ms %9d B %6d allocs  %s\n", ms[k], by[k], al[k], k | "sort -rn | head -" top
    }' "${trace[$b]}"
  rm -f "${trace[$b]}"
done
