#!/usr/bin/env bash
# bench/corpus/run.sh: run tarcheck over the real-release corpus of releases.tsv, twice per
# release, and measure the floor (system decompressor + git ls-tree -r of the tag).
#
#   (a) offline: --offline, no --gnulib
#   (b) gnulib:  --gnulib $GNULIB (what the network gives: the pinned gnulib commit readable)
#
# Usage: [TARCHECK=/path/to/tarcheck] [LABEL=name] [ONLY=regexp] bench/corpus/run.sh
#   CORPUS   where fetch.sh put debian/ and keys/ (default /work/corpus)
#   MIRRORS  upstream git repositories as MIRRORS/owner+name/repo (default /work/.mirror)
#   GNULIB   gnulib repository for mode (b) (default $MIRRORS/coreutils+gnulib/repo)
#   TARCHECK binary to measure (default: built from this tree into $CORPUS/tarcheck)
#   LABEL    run name; raw reports go to $CORPUS/runs/$LABEL (default: current)
#   ONLY     run only the releases whose name matches this extended regexp
#   REPEAT   runs of tarcheck per release and mode; the fastest counts (default 1)
#   MODES    the modes to run (default "offline gnulib"; bench/real.sh times "offline" only)
#   COLD     1: every run starts without the tag-rule outcomes earlier runs kept in the cache
#            (a first verification; by default the repeats and the second mode take them)
# Then: bench/corpus/summarize $CORPUS/runs/$LABEL   (writes results/ and results.md)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
CORPUS=${CORPUS:-/work/corpus}
MIRRORS=${MIRRORS:-/work/.mirror}
# shellcheck source=bench/corpus/lib.sh
. "$here/lib.sh"
GNULIB=${GNULIB:-$MIRRORS/coreutils+gnulib/repo}
LABEL=${LABEL:-current}
ONLY=${ONLY:-.}
REPEAT=${REPEAT:-1}
MODES=${MODES:-offline gnulib}
if [ -z "${TARCHECK:-}" ]; then
  TARCHECK=$CORPUS/tarcheck
  (cd "$top" && nice -n 10 go build -o "$TARCHECK" ./cmd/tarcheck) || { echo "run.sh: go build failed" >&2; exit 2; }
fi
[ -x "$TARCHECK" ] || { echo "run.sh: TARCHECK=$TARCHECK is not an executable" >&2; exit 2; }
[ -d "$CORPUS/debian" ] || { echo "run.sh: $CORPUS/debian missing: run bench/corpus/fetch.sh first" >&2; exit 2; }
out=$CORPUS/runs/$LABEL
mkdir -p "$out/raw"
runs=$out/runs.tsv floor=$out/floor.tsv
: >"$runs"; : >"$floor"
"$TARCHECK" version >"$out/version.txt" 2>&1 || true
echo "# $(date -u +%FT%TZ) $TARCHECK $(head -1 "$out/version.txt")" >"$out/info.txt"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null

while IFS=$'\t' read -r name src suite repo tag flags; do
  case "$name" in ''|'#'*) continue ;; esac
  [[ "$name" =~ $ONLY ]] || continue
  tarball=$(orig_tarball "$src")
  git=$(mirror_dir "$repo")
  if [ -z "$tarball" ]; then echo "$name	skip	no orig tarball" | tee -a "$out/skipped.tsv"; continue; fi
  if ! git -C "$git" rev-parse -q --verify "refs/tags/$tag" >/dev/null; then
    echo "$name	skip	tag $tag not in $git" | tee -a "$out/skipped.tsv"; continue
  fi
  args=("$tarball" --git "$git" --tag "$tag" --format json --no-progress)
  [ -s "$CORPUS/keys/$name.asc" ] && args+=(--keyring "$CORPUS/keys/$name.asc")
  # the floor: warm the page cache, then decompress to /dev/null and list the tag's tree
  cat "$tarball" >/dev/null; git -C "$git" ls-tree -r "$tag" >/dev/null
  case $(head -c 6 "$tarball" | od -An -tx1 | tr -d ' \n') in
    fd377a585a00) dec=(xz -dc) ;;
    1f8b*) dec=(gzip -dc) ;;
    425a68*) dec=(bzip2 -dc) ;;
    28b52ffd*) dec=(zstd -dc) ;;
    *) dec=(cat) ;;
  esac
  # best of 3: the machine is shared, the minimum is the least disturbed measure
  # (wall seconds, then user+system CPU seconds: on a loaded machine the CPU figures are steadier)
  TIMEFORMAT='%3R %3U %3S'
  best3() { for i in 1 2 3; do { time nice -n 10 "$@" >/dev/null 2>&1; } 2>&1; done | sort -g | head -1; }
  read -r d du ds < <(best3 "${dec[@]}" "$tarball")
  read -r l lu ls < <(best3 git -C "$git" ls-tree -r "$tag")
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$d" "$l" "$(echo "$d + $l" | bc)" "$(cut -d' ' -f1 /proc/loadavg)" \
    "$(echo "$du + $ds + $lu + $ls" | bc)" >>"$floor"
  for mode in $MODES; do
    extra=(--cache-dir "$out/cache-$mode")
    if [ "$mode" = offline ]; then extra+=(--offline); else extra+=(--gnulib "$GNULIB"); fi
    # submodule=PATH:OWNER/NAME in the flags: the mirror of a submodule other
    # than gnulib, read in the gnulib mode (what the network gives)
    if [ "$mode" != offline ]; then
      for f in ${flags//,/ }; do
        case $f in submodule=*:*) s=${f#submodule=}; r=${s#*:}; extra+=(--submodule "${s%%:*}=$MIRRORS/${r/\//+}/repo") ;; esac
      done
    fi
    rep=$out/raw/$name.$mode.json
    best= rss= rc= cpu=
    for i in $(seq "$REPEAT"); do
      [ "${COLD:-}" = 1 ] && rm -rf "$out/cache-$mode/tagrules/proved"
      timeout 900 /usr/bin/time -v -o "$out/raw/$name.$mode.time" nice -n 10 \
        "$TARCHECK" verify "${args[@]}" "${extra[@]}" -o "$rep" 2>"$out/raw/$name.$mode.stderr"
      rc=$?
      w=$(awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$out/raw/$name.$mode.time")
      r=$(awk -F': ' '/Maximum resident set size/{print $2}' "$out/raw/$name.$mode.time")
      c=$(awk -F': ' '/User time|System time/{s+=$2} END{print s}' "$out/raw/$name.$mode.time")
      if [ -z "$best" ] || [ "$(echo "${w:-0} < $best" | bc)" = 1 ]; then best=$w cpu=$c; fi
      if [ -z "$rss" ] || [ "${r:-0}" -gt "$rss" ]; then rss=$r; fi
    done
    wall=$best
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$mode" "$rc" "${wall:-}" "${rss:-}" "${cpu:-}" >>"$runs"
    echo "$name $mode rc=$rc ${wall:-?}s ${rss:-?}KiB (floor $d+$l s)"
  done
done <"$here/releases.tsv"
echo "raw reports in $out; now: $here/summarize $out"
