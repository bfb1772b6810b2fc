#!/bin/sh
# Decode the test files and check the good one decodes.
set -e
xz -t "$srcdir/tests/files/good-1.xz"
if xz -t "$srcdir/tests/files/bad-2-header.xz" 2>/dev/null; then
	echo "bad file decoded" >&2
	exit 1
fi
