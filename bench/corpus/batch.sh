#!/usr/bin/env bash
# bench/corpus/batch.sh: the batch figure of issue 18. Writes a batch manifest for the
# releases of releases.tsv (ONLY filter, same data layout as run.sh), runs
# `tarcheck batch --jobs $JOBS --offline` over it once, and compares its wall time with
# 1.2 x (sum of the releases' floors) / JOBS, the floors taken from a finished run.sh run
# (FLOORS=$CORPUS/runs/LABEL/floor.tsv: decompressor + git ls-tree -r, best of 3).
#
# Usage: FLOORS=/work/corpus/runs/real/floor.tsv [ONLY=regexp] [JOBS=2] [TARCHECK=bin] bench/corpus/batch.sh
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
CORPUS=${CORPUS:-/work/corpus}
MIRRORS=${MIRRORS:-/work/.mirror}
# shellcheck source=bench/corpus/lib.sh
. "$here/lib.sh"
ONLY=${ONLY:-.}
JOBS=${JOBS:-2}
FLOORS=${FLOORS:?FLOORS=floor.tsv of a run.sh run is required}
if [ -z "${TARCHECK:-}" ]; then
  TARCHECK=$CORPUS/tarcheck
  (cd "$top" && nice -n 10 go build -o "$TARCHECK" ./cmd/tarcheck) || { echo "batch.sh: go build failed" >&2; exit 2; }
fi
out=$(mktemp -d "${TMPDIR:-/tmp}/tarcheck-batch.XXXXXX")
manifest=$out/releases.yaml
echo "releases:" >"$manifest"
n=0
while IFS=$'\t' read -r name src suite repo tag flags; do
  case "$name" in ''|'#'*) continue ;; esac
  [[ "$name" =~ $ONLY ]] || continue
  grep -q "^$name	" "$FLOORS" || continue # only releases with a measured floor
  tarball=$(orig_tarball "$src")
  [ -n "$tarball" ] || continue
  {
    echo "  - name: $name"
    echo "    tarball: $tarball"
    echo "    git: $(mirror_dir "$repo")"
    echo "    tag: $tag"
    [ -s "$CORPUS/keys/$name.asc" ] && echo "    keyring: $CORPUS/keys/$name.asc"
  } >>"$manifest"
  n=$((n + 1))
done <"$here/releases.tsv"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
/usr/bin/time -f '%e %U %S %M' -o "$out/time" nice -n 10 "$TARCHECK" batch "$manifest" --jobs "$JOBS" --offline \
  --cache-dir "$out/cache" --format json --no-progress -o "$out/batch.json" 2>"$out/stderr"
rc=$?
read -r wall u s rss < <(tail -1 "$out/time") # (a first line says when the batch exits non-zero)
awk -F'\t' -v only="$ONLY" -v m="$manifest" 'BEGIN { while ((getline l < m) > 0) if (l ~ /^  - name: /) { sub(/^  - name: /, "", l); want[l] = 1 } }
  ($1 in want) { fw += $4; fc += $6; lt += $3 } END { printf "%s %s %s\n", fw, fc, lt }' "$FLOORS" >"$out/floors"
read -r fw fc lt <"$out/floors"
echo "batch --jobs $JOBS over $n releases: rc=$rc, wall ${wall}s, CPU $(echo "$u + $s" | bc)s, peak RSS ${rss} KiB"
echo "floors: sum wall ${fw}s (git ls-tree ${lt}s of it), sum CPU ${fc}s"
echo "target 1.2 x sum/jobs = $(echo "scale=2; 1.2 * $fw / $JOBS" | bc)s; ratio batch wall / (sum/jobs) = $(echo "scale=2; $wall * $JOBS / $fw" | bc)x; CPU ratio $(echo "scale=2; ($u + $s) / $fc" | bc)x"
echo "(manifest, report and stderr in $out)"
