#!/usr/bin/env bash
# bench/toolchain-catalog.sh: regenerate toolchain/catalog.txt from the Debian archive
# (needs the network). Each suite's InRelease is verified with the Debian archive keyring,
# the main Packages index is checked against it, and the packages providing autoconf,
# automake, libtool, autopoint and autotools-dev are listed with their sha256.
#
# Usage: bench/toolchain-catalog.sh [-suites bookworm,trixie,bullseye,forky,sid] [-cache DIR]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
cache=${TMPDIR:-/tmp}/tarcheck-toolchain-catalog
exec go run ./toolchain/cmd/catalogen -o toolchain/catalog.txt -cache "$cache" "$@"
