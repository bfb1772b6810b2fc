#!/usr/bin/env bash
# bench/run.sh: build a large synthetic release reproducibly and time
#   1. tarcheck verify (the release against its tag in a local repository),
#   2. xz -dc -T0 of the same archive (the decompression floor),
#   3. the naive pipeline: tar -x + git archive | tar -x + diff -r,
# then print the two ratios and tarcheck's peak RSS.
#
# Usage: bench/run.sh [small|medium|kernel|many|huge]   (default kernel: ~80k files, ~1.3 GB;
#        many: 320k files and huge: 640k files, ~1.3 GB each: memory against the member count)
# Work files go to $BENCH_DIR (default $TMPDIR/tarcheck-bench); they are reused when present.
set -euo pipefail
size=${1:-kernel}
case "$size" in
  small)  files=5000;  bytes=$((80<<20)) ;;
  medium) files=20000; bytes=$((330<<20)) ;;
  kernel) files=80000; bytes=$((1300<<20)) ;;
  many)   files=320000; bytes=$((1300<<20)) ;;
  huge)   files=640000; bytes=$((1300<<20)) ;;
  *) echo "usage: $0 [small|medium|kernel|many|huge]" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
out=${BENCH_DIR:-${TMPDIR:-/tmp}/tarcheck-bench}/$size
mkdir -p "$out"
cd "$out"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid
export GIT_AUTHOR_DATE=2024-01-01T00:00:00Z GIT_COMMITTER_DATE=2024-01-01T00:00:00Z

(cd "$top" && go build -o "$out/tarcheck" ./cmd/tarcheck)
if [ ! -f rel-1.0.tar.xz ]; then
  echo "== generating $files files (~$((bytes>>20)) MiB)"
  rm -rf repo rel-1.0
  (cd "$top" && go run ./bench/gentree -dir "$out/repo" -files "$files" -bytes "$bytes")
  git -C repo -c init.defaultBranch=main init -q
  git -C repo add -A
  git -C repo commit -q -m bench
  git -C repo tag -a v1.0 -m 'bench 1.0'
  git -C repo archive --format=tar --prefix=rel-1.0/ v1.0 | xz -3 -T0 --block-size=$((24<<20)) > rel-1.0.tar.xz
fi
ls -l rel-1.0.tar.xz

t() { /usr/bin/time -f '%e %M' -o "$out/time.$1" "${@:2}" >/dev/null; read -r secs rss <"$out/time.$1"; echo "$secs $rss"; }

echo "== xz -dc -T0 (floor)"
read -r floor _ < <(t floor xz -dc -T0 rel-1.0.tar.xz)
echo "   ${floor}s"
echo "== tarcheck verify"
rm -rf cache
read -r tc rss < <(t tarcheck ./tarcheck verify rel-1.0.tar.xz --git repo --tag v1.0 --cache-dir cache --no-progress -q)
echo "   ${tc}s, peak RSS $((rss/1024)) MiB"
echo "== naive: tar -x + git archive | tar -x + diff -r"
rm -rf naive && mkdir -p naive/a naive/b
read -r naive _ < <(t naive sh -c 'tar -xJf rel-1.0.tar.xz -C naive/a && git -C repo archive --format=tar v1.0 | tar -x -C naive/b && diff -r naive/a/rel-1.0 naive/b')
echo "   ${naive}s"
rm -rf naive
awk -v tc="$tc" -v floor="$floor" -v naive="$naive" -v rss="$rss" 'BEGIN {
  printf "tarcheck %.2fs | xz -dc -T0 %.2fs | naive %.2fs\n", tc, floor, naive
  printf "tarcheck / floor = %.2fx (goal <= 2x); naive / tarcheck = %.2fx (goal >= 3x); peak RSS %d MiB (goal <= 150)\n", tc/floor, naive/tc, rss/1024 }'
