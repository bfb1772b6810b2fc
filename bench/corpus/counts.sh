#!/usr/bin/env bash
# bench/corpus/counts.sh: checks a corpus run's file counts against plain tools (issue 21's
# "the counts match plain tools"). For each release of the run (KINDS: kinds of
# releases.tsv, regexp; default the issue-21 kinds), both modes: the verdict, findings
# >= medium, and the report's tarball_files / git_files against `tar tf ORIG` (entries
# that are not directories) and `git ls-tree -r TAG` (`-- DIR` for a workspace crate whose
# .cargo_vcs_info.json names path_in_vcs). Prints a Markdown table; exit 1 on a mismatch.
#
# Usage: [KINDS=regexp] bench/corpus/counts.sh RUNDIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
run=${1:?RUNDIR (e.g. /work/corpus/runs/LABEL)}
CORPUS=${CORPUS:-/work/corpus}
MIRRORS=${MIRRORS:-/work/.mirror}
# shellcheck source=bench/corpus/lib.sh
. "$here/lib.sh"
KINDS=${KINDS:-'crate|python-sdist|info-manual|sk-ssh-tag|meson|opus'}
bad=0
echo "| release | kind | mode | verdict | ≥medium | tarball files (tarcheck = tar tf) | git files (tarcheck = git ls-tree -r) |"
echo "|---|---|---|---|---|---|---|"
while IFS=$'\t' read -r name src _ repo tag kind _; do
  [[ $name == \#* || -z $name ]] && continue
  [[ "$name $kind" =~ $KINDS ]] || continue
  tarball=$(orig_tarball "$src")
  [ -n "$tarball" ] || continue
  git=$(mirror_dir "$repo")
  ntar=$(tar tvf "$tarball" 2>/dev/null | grep -vc '^d')
  for mode in offline gnulib; do
    json=$run/raw/$name.$mode.json
    [ -f "$json" ] || continue
    read -r verdict med tf gf < <(python3 - "$json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = d.get("summary", {})
med = sum(1 for f in d.get("findings", []) if f.get("severity") in ("medium", "high", "critical"))
print(d.get("verdict", "-"), med, s.get("tarball_files", -1), s.get("git_files", -1))
PY
)
    pathspec=()
    vcs=$(tar xOf "$tarball" --wildcards '*/.cargo_vcs_info.json' 2>/dev/null | python3 -c 'import json,sys
try: print(json.load(sys.stdin).get("path_in_vcs",""))
except Exception: print("")' 2>/dev/null)
    [ -n "$vcs" ] && pathspec=(-- "$vcs")
    ngit=$(git -C "$git" ls-tree -r "$tag" "${pathspec[@]}" 2>/dev/null | wc -l)
    t="$tf = $ntar"; g="$gf = $ngit"
    [ "$tf" = "$ntar" ] || { t="**$tf ≠ $ntar**"; bad=1; }
    [ "$gf" = "$ngit" ] || { g="**$gf ≠ $ngit**"; bad=1; }
    echo "| $name | ${kind#kind=} | $mode | $verdict | $med | $t | $g |"
  done
done <"$here/releases.tsv"
exit $bad
