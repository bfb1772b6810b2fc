#!/usr/bin/env bash
# bench/corpus/fetch.sh: download the Debian source packages listed in releases.tsv
# (pristine orig tarballs, their .asc when Debian ships one, and the debian tarball
# from which debian/upstream/signing-key.asc is extracted) into $CORPUS/debian.
# Needs deb-src entries for bookworm and trixie and `apt-get update`.
# Upstream repositories are not fetched here: see README.md.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
CORPUS=${CORPUS:-/work/corpus}
mkdir -p "$CORPUS/debian" "$CORPUS/keys"
cd "$CORPUS/debian"
while IFS=$'\t' read -r name src suite repo tag flags; do
  case "$name" in ''|'#'*) continue ;; esac
  [[ "$name" =~ ${ONLY:-.} ]] || continue
  pkg=${src%%=*}; ver=${src#*=}; uver=${ver#*:}; uver=${uver%-*}
  if ! ls "${pkg}_${uver}".orig.tar.* >/dev/null 2>&1 || ! ls "${pkg}_${ver#*:}".debian.tar.* >/dev/null 2>&1; then
    # apt-get source keeps what it could get: the Debian mirror may lack the .dsc or the
    # debian tarball of one revision while it still has the orig tarball (same upstream version)
    apt-get source --download-only "$pkg=$ver" >"$CORPUS/debian/$name.fetch.log" 2>&1 ||
      echo "note $name: apt-get source $pkg=$ver incomplete (see $CORPUS/debian/$name.fetch.log)"
  fi
  if ! ls "${pkg}"_*.debian.tar.* 2>/dev/null | grep -q "_${uver}-"; then
    # the signing key: any other Debian revision of the same upstream version will do
    for other in $(apt-cache showsrc "$pkg" | awk '/^Version:/{print $2}'); do
      o=${other#*:}; [ "${o%-*}" = "$uver" ] && [ "$other" != "$ver" ] || continue
      apt-get source --download-only "$pkg=$other" >>"$CORPUS/debian/$name.fetch.log" 2>&1 && break
    done
  fi
  if ! ls "${pkg}_${uver}".orig.tar.* >/dev/null 2>&1; then
    echo "FAIL $name: no ${pkg}_${uver}.orig.tar.* (see $CORPUS/debian/$name.fetch.log)"; continue
  fi
  # debian/upstream/signing-key.asc from the debian tarball, when the package has one
  if [ ! -e "$CORPUS/keys/$name.asc" ]; then
    for deb in "${pkg}_${ver#*:}".debian.tar.* "${pkg}_${uver}"-*.debian.tar.*; do
      [ -e "$deb" ] || continue
      tar -xOf "$deb" debian/upstream/signing-key.asc >"$CORPUS/keys/$name.asc" 2>/dev/null ||
        tar -xOf "$deb" debian/upstream/signing-key.pgp >"$CORPUS/keys/$name.asc" 2>/dev/null || true
      [ -s "$CORPUS/keys/$name.asc" ] || rm -f "$CORPUS/keys/$name.asc"
    done
  fi
  echo "ok $name: $(ls "${pkg}_${uver}".orig.tar.* 2>/dev/null | tr '\n' ' ')"
done < "$here/releases.tsv"
