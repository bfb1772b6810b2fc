# bench/corpus/lib.sh: sourced by the corpus scripts (run.sh, batch.sh, counts.sh,
# interleave.sh, ../rebuild-real.sh); it owns how a row of releases.tsv finds its data.
# Needs CORPUS and MIRRORS set.

# orig_tarball SRC prints the Debian orig tarball in $CORPUS/debian of a releases.tsv source
# column (PKG=VERSION: epoch and Debian revision dropped), or nothing when there is none.
orig_tarball() {
  local pkg=${1%%=*} ver=${1#*=}
  ver=${ver#*:}
  ver=${ver%-*}
  ls "$CORPUS/debian/${pkg}_${ver}".orig.tar.* 2>/dev/null | grep -v '\.asc$' | head -1
}

# mirror_dir OWNER/NAME prints the bare mirror of that repository in $MIRRORS.
mirror_dir() {
  echo "$MIRRORS/${1/\//+}/repo"
}
