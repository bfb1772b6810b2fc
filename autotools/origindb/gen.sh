#!/usr/bin/env bash
# Regenerates origins.bin (see README.md). Usage:
#   autotools/origindb/gen.sh MIRRORS WORKDIR
# MIRRORS holds bare clones named like their GitHub repositories
# (coreutils+gnulib/repo, autotools-mirror+automake/repo, ...: see below);
# WORKDIR receives the downloaded .deb files and their unpacked trees.
# Packages of suites other than the machine's own are fetched with a
# private apt state in WORKDIR: the system's sources are never changed.
set -euo pipefail
mirrors=${1:?MIRRORS directory}
work=${2:?WORKDIR}
here=$(cd "$(dirname "$0")" && pwd)
pkgs="gnulib autoconf-archive automake autoconf libtool gettext autopoint pkgconf pkg-config gtk-doc-tools"
mkdir -p "$work"
for suite in bullseye bookworm trixie sid; do
  state=$work/apt-$suite
  mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$work/debs/$suite"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main" >"$state/sources.list"
  apt=(-o "Dir::Etc::SourceList=$state/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$state/lists" -o "Dir::Cache=$state/cache" -o Dir::State::status=/dev/null)
  apt-get "${apt[@]}" update -qq
  for p in $pkgs; do
    (cd "$work/debs/$suite" && apt-get "${apt[@]}" download "$p" 2>/dev/null) || echo "gen.sh: $p not in $suite" >&2
  done
  for d in "$work/debs/$suite"/*.deb; do
    x=$work/x/$suite/$(basename "$d" .deb)
    [ -d "$x" ] || { mkdir -p "$x" && dpkg-deb -x "$d" "$x"; }
  done
done
cd "$here/../.."
go run ./autotools/cmd/m4dbgen -origins "$here/origins.bin" \
  -git gnulib="$mirrors/coreutils+gnulib/repo" \
  -git automake="$mirrors/autotools-mirror+automake/repo" \
  -git autoconf="$mirrors/autotools-mirror+autoconf/repo" \
  -git libtool="$mirrors/autotools-mirror+libtool/repo" \
  -git gettext="$mirrors/autotools-mirror+gettext/repo" \
  -git autoconf-archive="$mirrors/autoconf-archive+autoconf-archive/repo" \
  -git pkgconf="$mirrors/pkgconf+pkgconf/repo" \
  -git pkg-config="$mirrors/freedesktop+pkg-config/repo" \
  -deb bullseye="$work/x/bullseye" -deb bookworm="$work/x/bookworm" \
  -deb trixie="$work/x/trixie" -deb sid="$work/x/sid"
go run ./autotools/cmd/m4dbgen -vocab "$here/vocab.bin" \
  -git "$mirrors/coreutils+gnulib/repo" \
  -git "$mirrors/autotools-mirror+automake/repo" \
  -git "$mirrors/autotools-mirror+autoconf/repo" \
  -git "$mirrors/autotools-mirror+libtool/repo" \
  -git "$mirrors/autotools-mirror+gettext/repo" \
  -deb "$work/x" \
  -patches "$mirrors/msys2+MSYS2-packages/repo" -patches "$mirrors/msys2+MINGW-packages/repo"
go run ./autotools/cmd/m4dbgen -stamps "$here/stamps.bin" \
  -git "$mirrors/coreutils+gnulib/repo" \
  -git "$mirrors/autotools-mirror+automake/repo" \
  -git "$mirrors/autotools-mirror+autoconf/repo" \
  -git "$mirrors/autotools-mirror+libtool/repo" \
  -git "$mirrors/autotools-mirror+gettext/repo" \
  -deb "$work/x"
