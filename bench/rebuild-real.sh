#!/usr/bin/env bash
# bench/rebuild-real.sh: `tarcheck verify --rebuild` on real releases of the corpus made with
# different autotools versions (issue 16). Per release: the toolchain the stamps selected
# (autoconf/automake/libtool/gettext, from the report's rebuild_info), generated files
# reproduced/total, the verdict, and the wall time cold (empty rebuild-result cache) and warm
# (same cache again). Toolchains are fetched once into $TOOLCHAINS first (verified Debian
# packages; `tarcheck toolchain fetch` happens through --fetch-toolchains), so "cold" times
# the rebuild itself, not the download.
#
# Data layout as bench/corpus (README there): Debian orig tarballs in $CORPUS/debian, upstream
# keys in $CORPUS/keys, mirrors in $MIRRORS/OWNER+NAME/repo, gnulib in
# $MIRRORS/coreutils+gnulib/repo. Raw reports go to $CORPUS/runs/$LABEL (never committed).
#
# Usage: [ONLY=regexp] [TARCHECK=bin] [LABEL=name] [NICE=10] [RELEASES="name ..."]
#        [EXTRA_ARGS="--rebuild-script ./autogen.sh"] bench/rebuild-real.sh
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
CORPUS=${CORPUS:-/work/corpus}
MIRRORS=${MIRRORS:-/work/.mirror}
# shellcheck source=bench/corpus/lib.sh
. "$here/corpus/lib.sh"
LABEL=${LABEL:-rebuild}
NICE=${NICE:-10}
TOOLCHAINS=${TOOLCHAINS:-$CORPUS/cache/toolchains}
out=$CORPUS/runs/$LABEL
mkdir -p "$out"
if [ -z "${TARCHECK:-}" ]; then
  TARCHECK=$out/tarcheck
  (cd "$top" && nice -n "$NICE" go build -o "$TARCHECK" ./cmd/tarcheck) || exit 2
fi
# The set: one release per autotools generation (name as in bench/corpus/releases.tsv).
# NAME@SCRIPT runs the project's own bootstrap (--rebuild-script SCRIPT): the GnuPG releases'
# autogen.sh keeps the tag's libtool m4 files, which autoreconf -fi would replace.
RELEASES=${RELEASES:-"curl-8.14.1 datamash-1.9 libidn2-2.3.3 findutils-4.9.0 libgpg-error-1.46@./autogen.sh libgcrypt-1.10.1@./autogen.sh"}
printf '%-18s %-62s %9s %-7s %7s %7s\n' release "toolchain (autoconf/automake/libtool/gettext)" "repro" verdict "cold-s" "warm-s"
for entry in $RELEASES; do
  name=${entry%%@*} script=
  [ "$name" != "$entry" ] && script=${entry#*@}
  [ -n "${ONLY:-}" ] && ! [[ $name =~ $ONLY ]] && continue
  line=$(awk -F'\t' -v n="$name" '$1 == n' "$here/corpus/releases.tsv")
  [ -n "$line" ] || { echo "rebuild-real.sh: $name not in releases.tsv" >&2; continue; }
  IFS=$'\t' read -r _ src _ repo tag _ <<<"$line"
  tarball=$(orig_tarball "$src")
  [ -n "$tarball" ] || { echo "rebuild-real.sh: no orig tarball for $name" >&2; continue; }
  args=(verify "$tarball" --git "$(mirror_dir "$repo")" --tag "$tag" --gnulib "$MIRRORS/coreutils+gnulib/repo"
        --rebuild --fetch-toolchains --toolchain-dir "$TOOLCHAINS" --format json --no-progress)
  [ -f "$CORPUS/keys/$name.asc" ] && args+=(--keyring "$CORPUS/keys/$name.asc")
  [ -n "$script" ] && args+=(--rebuild-script "$script")
  if [ -n "${EXTRA_ARGS:-}" ]; then read -ra extra <<<"$EXTRA_ARGS"; args+=("${extra[@]}"); fi
  cache=$(mktemp -d "${TMPDIR:-/tmp}/rebuild-real-$name.XXXXXX")
  times=()
  for pass in cold warm; do
    start=$(date +%s.%N)
    nice -n "$NICE" "$TARCHECK" "${args[@]}" --cache-dir "$cache" --output "$out/$name.$pass.json" -v 2>"$out/$name.$pass.err"
    rc=$?
    times+=("$(echo "$(date +%s.%N) - $start" | bc)")
    echo "$rc" >"$out/$name.$pass.rc"
  done
  chmod -R u+w "$cache" 2>/dev/null; rm -rf "$cache"
  python3 - "$out/$name.warm.json" "$name" "${times[0]}" "${times[1]}" <<'PY'
import json, sys
path, name, cold, warm = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
try:
    d = json.load(open(path))
except Exception as e:
    print(f"{name:<18} (no report: {e})"); sys.exit(0)
ri = d.get("rebuild_info") or {}
used = {}
for t in ri.get("toolchain") or []:          # "autoconf 2.72 from autoconf 2.72-3.1 (trixie)"
    used[t.split()[0]] = t.split()[1] + ("^" if "(upstream release" in t else "*")
for t in ri.get("host_tools") or []:          # "automake 1.16.5" (the host's, * = from the cache)
    k, _, v = t.partition(" ")
    used.setdefault(k, v)
tc = "/".join(used.get(k, "-") for k in ("autoconf", "automake", "libtool", "gettext"))
# total: every file the rebuild judged, plus every file classified as generated that it
# did not regenerate (not proved either).
gen = [f for f in d["files"] if f.get("rebuild") not in (None, "not-attempted") or f.get("class") == "generated"]
repro = sum(1 for f in gen if f["rebuild"] == "reproduced")
print(f"{name:<18} {tc:<62} {repro:>4}/{len(gen):<4} {d['verdict']:<7} {cold:7.1f} {warm:7.1f}")
PY
done
echo "(* = exact toolchain from the verified Debian package cache; ^ = upstream release tarball built in the sandbox (TOOL=VERSION+upstream); others are the host's and match the stamps; pkg-config's pkg.m4 shows in the notes)"
