#!/usr/bin/env bash
# bench/corpus/interleave.sh: before/after timing of two tarcheck binaries on real releases of
# releases.tsv, offline, interleaved (before, after, before, after, ...) so that both see the
# same load on a shared machine; the minimum of REPEAT runs counts, for the wall time and for
# the CPU time (user+system of tarcheck and its children, /usr/bin/time) apart. The floor is run.sh's (best of
# 3 of the system decompressor to /dev/null, plus best of 3 of git ls-tree -r of the tag).
#
# Usage: BEFORE=bin AFTER=bin [ONLY=regexp] [REPEAT=3] [OUT=file] [COLD=1] bench/corpus/interleave.sh
# COLD=1: every run starts without the tag-rule outcomes earlier runs kept in its cache.
# Prints (and writes to OUT, default /tmp/interleave.tsv) one line per release:
#   name floor-wall floor-cpu before-wall after-wall before-cpu after-cpu load-min load-max same
# "same" is whether the two binaries' last JSON reports are byte-identical; when they are not,
# both are kept as OUT.NAME.before.json and OUT.NAME.after.json.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
CORPUS=${CORPUS:-/work/corpus}
MIRRORS=${MIRRORS:-/work/.mirror}
# shellcheck source=bench/corpus/lib.sh
. "$here/lib.sh"
ONLY=${ONLY:-.}
REPEAT=${REPEAT:-3}
OUT=${OUT:-/tmp/interleave.tsv}
: "${BEFORE:?BEFORE=binary}" "${AFTER:?AFTER=binary}"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: >"$OUT"
TIMEFORMAT='%3R %3U %3S'
best3() { for i in 1 2 3; do { time nice -n 10 "$@" >/dev/null 2>&1; } 2>&1; done | sort -g | head -1; }
while IFS=$'\t' read -r name src suite repo tag flags; do
  case "$name" in ''|'#'*) continue ;; esac
  [[ "$name" =~ $ONLY ]] || continue
  tarball=$(orig_tarball "$src")
  git=$(mirror_dir "$repo")
  [ -n "$tarball" ] || continue
  git -C "$git" rev-parse -q --verify "refs/tags/$tag" >/dev/null || continue
  args=("$tarball" --git "$git" --tag "$tag" --format json --no-progress --offline)
  [ -s "$CORPUS/keys/$name.asc" ] && args+=(--keyring "$CORPUS/keys/$name.asc")
  cat "$tarball" >/dev/null; git -C "$git" ls-tree -r "$tag" >/dev/null
  case $(head -c 6 "$tarball" | od -An -tx1 | tr -d ' \n') in
    fd377a585a00) dec=(xz -dc) ;; 1f8b*) dec=(gzip -dc) ;; 425a68*) dec=(bzip2 -dc) ;;
    28b52ffd*) dec=(zstd -dc) ;; *) dec=(cat) ;;
  esac
  read -r d du ds < <(best3 "${dec[@]}" "$tarball")
  read -r l lu ls < <(best3 git -C "$git" ls-tree -r "$tag")
  fw=$(echo "$d + $l" | bc); fc=$(echo "$du + $ds + $lu + $ls" | bc)
  bw= bc= aw= ac= lmin= lmax=
  for i in $(seq "$REPEAT"); do
    for side in before after; do
      bin=$BEFORE; [ $side = after ] && bin=$AFTER
      ld=$(cut -d' ' -f1 /proc/loadavg)
      if [ -z "$lmin" ] || [ "$(echo "$ld < $lmin" | bc)" = 1 ]; then lmin=$ld; fi
      if [ -z "$lmax" ] || [ "$(echo "$ld > $lmax" | bc)" = 1 ]; then lmax=$ld; fi
      [ "${COLD:-}" = 1 ] && rm -rf "$tmp/cache-$side/tagrules/proved"
      /usr/bin/time -f '%e %U %S' -o "$tmp/t" nice -n 10 "$bin" verify "${args[@]}" \
        --cache-dir "$tmp/cache-$side" -o "$tmp/$side.json" 2>/dev/null
      read -r w u s <"$tmp/t"
      c=$(echo "$u + $s" | bc)
      if [ $side = before ]; then
        if [ -z "$bw" ] || [ "$(echo "$w < $bw" | bc)" = 1 ]; then bw=$w; fi
        if [ -z "$bc" ] || [ "$(echo "$c < $bc" | bc)" = 1 ]; then bc=$c; fi
      else
        if [ -z "$aw" ] || [ "$(echo "$w < $aw" | bc)" = 1 ]; then aw=$w; fi
        if [ -z "$ac" ] || [ "$(echo "$c < $ac" | bc)" = 1 ]; then ac=$c; fi
      fi
    done
  done
  same=no; cmp -s "$tmp/before.json" "$tmp/after.json" && same=yes
  if [ $same = no ]; then cp "$tmp/before.json" "$OUT.$name.before.json"; cp "$tmp/after.json" "$OUT.$name.after.json"; fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$fw" "$fc" "$bw" "$aw" "$bc" "$ac" "$lmin" "$lmax" "$same" | tee -a "$OUT"
done <"$here/releases.tsv"
